/* scenarios/rcu_dep.c - the `rcu-dep` handoff: rcu_assign_pointer() publishes
 * the object, its only consumer takes it with rcu_dereference() and, inside the
 * same read-side critical section, unpublishes it, uses it and frees it through
 * the pointer it read - no grace period (issue 9).
 *
 * Unlike `rcu` (free after synchronize_rcu(), a full barrier), nothing but the
 * address dependency from rcu_dereference() orders the freeing CPU's accesses:
 * no other reader can hold the object, so the only consumer may free it at once,
 * and kfree() inside a read-side section is allowed.  The use and the free stay
 * inside the section because the emulator models rcu_read_unlock() with a full
 * fence (an over-approximation): outside it they would be ordered by that fence
 * instead of by the dependency.  A correct handoff: it must never report a
 * failure.  (Until the emulator tracks the dependencies through virt_to_slab
 * explicitly, --model lkmm may report false alarms; sc and tso are exact.)
 */
#include "scenarios/scenario.h"

struct rcud_state {
	void *gp; /* RCU-protected pointer to the current object; NULL when empty */
} __attribute__((aligned(64)));

static unsigned long rcud_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left published. */
static void rcud_drain(struct ss_world *w)
{
	struct rcud_state *s = w->state;
	void *obj = READ_ONCE(s->gp);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->gp, NULL);
	}
}

static void rcud_alloc_role(struct ss_world *w, int role)
{
	struct rcud_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "rcu-dep: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, rcud_tag(w, i));
		ss_jitter(w, role);
		/* One object published at a time; waiting for the consumer to
		 * unpublish the previous one orders nothing. */
		while (READ_ONCE(s->gp)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		rcu_assign_pointer(s->gp, obj);
	}
}

static void rcud_free_role(struct ss_world *w, int role)
{
	struct rcud_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		for (;;) {
			rcu_read_lock();
			obj = rcu_dereference(s->gp);
			if (obj)
				break;
			rcu_read_unlock();
			if (!ss_spin_wait(w, role))
				return;
		}
		/* RCU_INIT_POINTER(gp, NULL): storing NULL needs no ordering, and no
		 * other reader can have the object: free it now, through obj. */
		WRITE_ONCE(s->gp, NULL);
		ss_obj_verify(w, obj, rcud_tag(w, i));
		ss_obj_free(w, role, obj);
		rcu_read_unlock();
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_rcu_dep = {
    .name = "rcu-dep",
    .summary = "rcu_assign_pointer / rcu_dereference by the only consumer, which frees "
	       "through the pointer (correct: address dependency)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_CORRECT,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct rcud_state),
    .needs_account = true,
    .reset = rcud_drain,
    .role = {rcud_alloc_role, rcud_free_role},
    .check = rcud_drain,
    .details = "Updater: rcu_assign_pointer(gp, obj) (a release). Only consumer, inside one "
	       "rcu_read_lock() section: p = rcu_dereference(gp), RCU_INIT_POINTER(gp, NULL), "
	       "reads the content through p, kfree(p) - no grace period, since no other "
	       "reader can hold p. Only the address dependency from rcu_dereference orders "
	       "the freeing CPU's accesses to the object, its struct slab and its "
	       "slabobj_ext after the load of p; with the release that is enough under LKMM "
	       "(issue 9). Compare `rcu`, which frees after synchronize_rcu().",
};
