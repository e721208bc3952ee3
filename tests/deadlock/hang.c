/* tests/deadlock/hang.c - a CPU polls a flag no CPU ever sets: a hang, which
 * both engines must report as a failure (every unfinished CPU blocked, the
 * graph engine's poll having no newer write to read), never as a spin loop the
 * search may cut (tests/cli/test_graph.sh). */
#include <slabstress/scenario.h>

struct hang_state {
	unsigned long flag, other;
};

static void hang_reset(struct ss_world *w)
{
	struct hang_state *st = w->state;
	PLAIN_STORE(st->flag, 0UL);
	PLAIN_STORE(st->other, 0UL);
}

static void hang_waiter(struct ss_world *w, int role)
{
	struct hang_state *st = w->state;
	while (!READ_ONCE(st->flag))
		cpu_relax();
	ss_count_handoff(w, role);
}

static void hang_bystander(struct ss_world *w, int role)
{
	struct hang_state *st = w->state;
	WRITE_ONCE(st->other, 1UL); /* not the flag */
	(void)READ_ONCE(st->flag);
	ss_count_handoff(w, role);
}

SS_EXPORT_SCENARIO(.name = "hang", .summary = "a CPU polls a flag nobody sets", .nroles = 2,
		   .role_names = {"waiter", "bystander"}, .role = {hang_waiter, hang_bystander},
		   .reset = hang_reset, .handoff = SS_HANDOFF_ALLOCATOR,
		   .state_size = sizeof(struct hang_state));
