/* scenarios/release_dep.c - the `release-dep` handoff: smp_store_release of the
 * pointer, READ_ONCE on the freeing CPU, which then uses and frees the object
 * through the pointer it read (issue 9; slub-model.md §5, the rcu_dereference row).
 *
 * The consumer has no acquire: what orders its accesses after the load of the
 * pointer is only the address dependency.  Every load and store kfree() makes is
 * computed from that pointer (virt_to_slab, obj_to_index, slab_obj_ext, the
 * object's own words), so under LKMM release + address dependency is enough:
 * this is the rcu_assign_pointer/rcu_dereference pattern the kernel uses
 * everywhere, and exactly what the slab's "users must order" assumption allows.
 * A correct handoff: it must never report a failure.  (The emulator's
 * provenance-window dependency inference misses the dependencies through
 * virt_to_slab until they are made explicit: under --model lkmm it may report
 * false alarms there; sc and tso are exact.)  The roles are slot.c's.
 */
#include "scenarios/slot.h"

const struct ss_scenario ss_scn_release_dep = {
    .name = "release-dep",
    .handoff = SS_HANDOFF_CORRECT,
    /* No acquire: only the address dependency on obj orders the free. */
    SLOT_SCENARIO(slot_publish_release, slot_take_once),
    .params = {SLOT_PARAM_ITERS},
    .summary = "smp_store_release / READ_ONCE, use and free through the pointer (correct: "
	       "address dependency)",
    .details = "Producer: fills the object, then smp_store_release(&slot, obj). Consumer: obj = "
	       "READ_ONCE(slot), reads the object's content through obj, kfree(obj). The "
	       "consumer has no acquire: every access it makes to the object, its struct slab "
	       "and its slabobj_ext is computed from obj, and LKMM orders such address-"
	       "dependent accesses after the load that produced obj. With the producer's "
	       "release this is the rcu_assign_pointer / rcu_dereference pattern: correct, "
	       "and exactly what the slab's assumption about its users allows (issue 9).",
};
