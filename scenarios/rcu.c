/* scenarios/rcu.c - the `rcu` handoff: the object is published with
 * rcu_assign_pointer(), looked up under rcu_read_lock() with rcu_dereference(),
 * unpublished, and freed after synchronize_rcu() (slub-model.md §5 row 8).
 *
 * The updater (alloc) publishes with a release; the reclaimer (free) finds the
 * object as a reader would, replaces it with NULL, waits for a grace period and
 * frees it: kfree_rcu() done by hand on another CPU.  The grace period is a full
 * barrier on the reclaiming CPU between its read of the pointer and the loads in
 * kfree(), so the producer's stores before rcu_assign_pointer() are visible.
 * The reader does not look into the object inside its read-side section: that
 * would test address-dependency ordering, not the deferred free.
 */
#include "scenarios/scenario.h"

struct rcu_state {
	void *gp; /* RCU-protected pointer to the current object; NULL when empty */
} __attribute__((aligned(64)));

static unsigned long rcu_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left published. */
static void rcu_drain(struct ss_world *w)
{
	struct rcu_state *s = w->state;
	void *obj = READ_ONCE(s->gp);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->gp, NULL);
	}
}

static void rcu_alloc_role(struct ss_world *w, int role)
{
	struct rcu_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "rcu: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, rcu_tag(w, i));
		ss_jitter(w, role);
		/* One object published at a time; waiting for the reclaimer to
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

static void rcu_free_role(struct ss_world *w, int role)
{
	struct rcu_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		for (;;) {
			rcu_read_lock();
			obj = rcu_dereference(s->gp);
			rcu_read_unlock();
			if (obj)
				break;
			if (!ss_spin_wait(w, role))
				return;
		}
		/* RCU_INIT_POINTER(gp, NULL): storing NULL needs no ordering. */
		WRITE_ONCE(s->gp, NULL);
		synchronize_rcu();
		ss_obj_verify(w, obj, rcu_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_rcu = {
    .name = "rcu",
    .summary = "rcu_assign_pointer / rcu_dereference, free after synchronize_rcu (correct)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_CORRECT,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct rcu_state),
    .needs_account = true,
    .reset = rcu_drain,
    .role = {rcu_alloc_role, rcu_free_role},
    .check = rcu_drain,
    .details = "Updater: rcu_assign_pointer(gp, obj) (a release). Reclaimer: p = "
	       "rcu_dereference(gp) under rcu_read_lock(), RCU_INIT_POINTER(gp, NULL), "
	       "synchronize_rcu(), kfree(p). LKMM treats the grace period as a strong fence on "
	       "the reclaiming CPU, so with the updater's release the free sees every store "
	       "made before publication; in the kernel call_rcu()/kfree_rcu() give the same "
	       "guarantee, and v7.0 uncharges kfree_rcu'd objects in the callback "
	       "(slub-model.md section 5 row 8).",
};
