/* tests/deadlock/abba.c - two CPUs take two spinlocks in opposite orders: the
 * classic ABBA deadlock, as a scenario file (`explore -s tests/deadlock/abba.c`).
 * Both engines must report it: the operational one finds every CPU blocked, the
 * graph engine a graph where each waits for a lock whose co-latest value is
 * held (tests/cli/test_graph.sh). */
#include <slabstress/scenario.h>

struct abba_state {
	spinlock_t a, b;
	unsigned long n;
};

static void abba_reset(struct ss_world *w)
{
	struct abba_state *st = w->state;
	spin_lock_init(&st->a);
	spin_lock_init(&st->b);
	PLAIN_STORE(st->n, 0UL);
}

static void abba_cpu0(struct ss_world *w, int role)
{
	struct abba_state *st = w->state;
	spin_lock(&st->a);
	spin_lock(&st->b);
	PLAIN_STORE(st->n, PLAIN_LOAD(st->n) + 1);
	spin_unlock(&st->b);
	spin_unlock(&st->a);
	ss_count_handoff(w, role);
}

static void abba_cpu1(struct ss_world *w, int role)
{
	struct abba_state *st = w->state;
	spin_lock(&st->b);
	spin_lock(&st->a);
	PLAIN_STORE(st->n, PLAIN_LOAD(st->n) + 1);
	spin_unlock(&st->a);
	spin_unlock(&st->b);
	ss_count_handoff(w, role);
}

SS_EXPORT_SCENARIO(.name = "abba", .summary = "two spinlocks taken in opposite orders", .nroles = 2,
		   .role_names = {"ab", "ba"}, .role = {abba_cpu0, abba_cpu1}, .reset = abba_reset,
		   .handoff = SS_HANDOFF_ALLOCATOR, .state_size = sizeof(struct abba_state));
