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

static bool release_dep_publish(struct slot *s, void *obj)
{
	/* Everything this CPU stored or observed before (the fill, the
	 * allocator's metadata and charge) is ordered before the pointer. */
	smp_store_release(&s->slot, obj);
	return true;
}

static void *release_dep_take(struct slot *s)
{
	/* No acquire: only the address dependency on obj orders what follows. */
	return slot_empty_if(s, READ_ONCE(s->slot));
}

const struct ss_scenario ss_scn_release_dep = {
    .name = "release-dep",
    .summary = "smp_store_release / READ_ONCE, use and free through the pointer (correct: "
	       "address dependency)",
    .handoff = SS_HANDOFF_CORRECT,
    SLOT_SCENARIO,
    .role_ops = &(const struct slot_ops){.publish = release_dep_publish, .take = release_dep_take},
    .params = {SLOT_PARAM_ITERS},
    .details = "Producer: fills the object, then smp_store_release(&slot, obj). Consumer: obj = "
	       "READ_ONCE(slot), reads the object's content through obj, kfree(obj). The "
	       "consumer has no acquire: every access it makes to the object, its struct slab "
	       "and its slabobj_ext is computed from obj, and LKMM orders such address-"
	       "dependent accesses after the load that produced obj. With the producer's "
	       "release this is the rcu_assign_pointer / rcu_dereference pattern: correct, "
	       "and exactly what the slab's assumption about its users allows (issue 9).",
};
