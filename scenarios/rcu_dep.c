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
 * explicitly, --model lkmm may report false alarms; sc and tso are exact.)  The
 * roles are slot.c's.
 */
#include "scenarios/slot.h"

/* Returns inside the read-side section when it took the object; the section
 * ends after the free (rcu_dep_after_free). */
static void *rcu_dep_take(struct slot *s)
{
	rcu_read_lock();
	void *obj = rcu_dereference(s->slot);
	if (!BRANCH_ON(obj != NULL))
		rcu_read_unlock();
	/* RCU_INIT_POINTER(gp, NULL): storing NULL needs no ordering, and no
	 * other reader can have the object: free it now, through obj. */
	return slot_empty_if(s, obj);
}

static void rcu_dep_after_free(struct slot *s)
{
	(void)s;
	rcu_read_unlock();
}

const struct ss_scenario ss_scn_rcu_dep = {
    .name = "rcu-dep",
    .handoff = SS_HANDOFF_CORRECT,
    SLOT_SCENARIO_AFTER_FREE(slot_publish_rcu, rcu_dep_take, rcu_dep_after_free),
    .params = {SLOT_PARAM_ITERS},
    .summary = "rcu_assign_pointer / rcu_dereference by the only consumer, which frees "
	       "through the pointer (correct: address dependency)",
    .details = "Updater: rcu_assign_pointer(gp, obj) (a release). Only consumer, inside one "
	       "rcu_read_lock() section: p = rcu_dereference(gp), RCU_INIT_POINTER(gp, NULL), "
	       "reads the content through p, kfree(p) - no grace period, since no other "
	       "reader can hold p. Only the address dependency from rcu_dereference orders "
	       "the freeing CPU's accesses to the object, its struct slab and its "
	       "slabobj_ext after the load of p; with the release that is enough under LKMM "
	       "(issue 9). Compare `rcu`, which frees after synchronize_rcu().",
};
