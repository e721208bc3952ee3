/* tests/shapes/subword_s.c - the S shape with a sub-word store, as a scenario
 * file (`explore -s tests/shapes/subword_s.c --engine graph`).
 *
 *   CPU 0: WRITE_ONCE(x, 1) (16 bits); WRITE_ONCE(y, 1)
 *   CPU 1: r1 = READ_ONCE(y); smp_mb(); WRITE_ONCE(x, 2) (16 bits); r2 = READ_ONCE(x)
 *
 * r1 == 1 && r2 == 1 (CPU 0's x store coherence-after CPU 1's) is LKMM's S
 * outcome with no barrier between CPU 0's stores: allowed (the kernel's
 * S+poonceonces litmus test: Sometimes), so the graph engine must find it.
 * The explorer keeps a sub-word store's other bytes by reading the word first;
 * that read is not the program's, and once it gave the store a read's
 * ordering (every read orders the later stores of its CPU), which forbade this
 * outcome: a proof that missed an allowed failure (tests/cli/test_graph.sh). */
#include <slabstress/scenario.h>

struct subword_state {
	u16 x; /* alone in its word: the other bytes are never written */
	unsigned long y __attribute__((aligned(8)));
};

static void subword_reset(struct ss_world *w)
{
	struct subword_state *st = w->state;
	PLAIN_STORE(st->x, (u16)0);
	PLAIN_STORE(st->y, 0UL);
}

static void subword_cpu0(struct ss_world *w, int role)
{
	struct subword_state *st = w->state;
	WRITE_ONCE(st->x, (u16)1);
	WRITE_ONCE(st->y, 1UL);
	ss_count_handoff(w, role);
}

static void subword_cpu1(struct ss_world *w, int role)
{
	struct subword_state *st = w->state;
	unsigned long r1 = READ_ONCE(st->y);
	smp_mb();
	WRITE_ONCE(st->x, (u16)2);
	unsigned r2 = READ_ONCE(st->x);
	if (r1 == 1 && r2 == 1)
		SS_FAIL(SS_FAIL_INVARIANT,
			"S: CPU 1 saw y == 1, yet CPU 0's x store is coherence-after its own");
	ss_count_handoff(w, role);
}

SS_EXPORT_SCENARIO(.name = "subword-s",
		   .summary = "the S shape with a 16-bit store (LKMM: Sometimes)", .nroles = 2,
		   .role_names = {"writer", "observer"}, .role = {subword_cpu0, subword_cpu1},
		   .reset = subword_reset, .handoff = SS_HANDOFF_ALLOCATOR,
		   .state_size = sizeof(struct subword_state));
