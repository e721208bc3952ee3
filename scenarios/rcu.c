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
 * would test address-dependency ordering, not the deferred free.  The roles are
 * slot.c's.
 */
#include "scenarios/slot.h"

static void *rcu_take(struct slot *s)
{
	rcu_read_lock();
	void *obj = rcu_dereference(s->slot);
	rcu_read_unlock();
	/* RCU_INIT_POINTER(gp, NULL): storing NULL needs no ordering. */
	if (BRANCH_ON(slot_empty_if(s, obj) != NULL))
		synchronize_rcu();
	return obj;
}

const struct ss_scenario ss_scn_rcu = {
    .name = "rcu",
    .handoff = SS_HANDOFF_CORRECT,
    SLOT_SCENARIO(slot_publish_rcu, rcu_take),
    .params = {SLOT_PARAM_ITERS},
    .summary = "rcu_assign_pointer / rcu_dereference, free after synchronize_rcu (correct)",
    .details = "Updater: rcu_assign_pointer(gp, obj) (a release). Reclaimer: p = "
	       "rcu_dereference(gp) under rcu_read_lock(), RCU_INIT_POINTER(gp, NULL), "
	       "synchronize_rcu(), kfree(p). LKMM treats the grace period as a strong fence on "
	       "the reclaiming CPU, so with the updater's release the free sees every store "
	       "made before publication; in the kernel call_rcu()/kfree_rcu() give the same "
	       "guarantee, and v7.0 uncharges kfree_rcu'd objects in the callback "
	       "(slub-model.md section 5 row 8).",
};
