/* scenarios/once.c - the `once` handoff: WRITE_ONCE / READ_ONCE of the shared pointer
 * (slub-model.md §5 row 2).
 *
 * Marked accesses remove the data race but order nothing: a relaxed store gives no
 * store->store ordering on the producer, so the consumer can see the pointer before
 * the object's content. The consumer's address dependency orders only its own loads.
 * smp_wmb() before the WRITE_ONCE, or rcu_assign_pointer(), would fix the producer
 * side.  The roles are slot.c's.
 */
#include "scenarios/slot.h"

const struct ss_scenario ss_scn_once = {
    .name = "once",
    .handoff = SS_HANDOFF_BROKEN,
    /* BROKEN on purpose: a relaxed store orders nothing before it. */
    SLOT_SCENARIO(slot_publish_once, slot_take_once),
    .params = {SLOT_PARAM_ITERS},
    .summary = "WRITE_ONCE / READ_ONCE of the pointer (relaxed: broken)",
    .details = "Producer: WRITE_ONCE(gp, obj). Consumer: p = READ_ONCE(gp), kfree(p). Marked "
	       "accesses are relaxed under LKMM: no store->store ordering on the producer, so "
	       "the freeing CPU may see the pointer before the content and metadata written "
	       "before it. The reader's address dependency orders only its own loads (slub- "
	       "model.md section 5 row 2); smp_wmb() or rcu_assign_pointer() on the producer "
	       "would fix it.",
};
