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
 * false alarms there; sc and tso are exact.)
 */
#include "scenarios/scenario.h"

struct rdep_state {
	void *slot; /* the object in transit; NULL when empty */
} __attribute__((aligned(64)));

/* One tag per handoff: the consumer takes the objects in the order they were
 * published, so the i-th take expects the i-th fill. */
static unsigned long rdep_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left in the slot. */
static void rdep_drain(struct ss_world *w)
{
	struct rdep_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void rdep_alloc_role(struct ss_world *w, int role)
{
	struct rdep_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "release-dep: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, rdep_tag(w, i));
		ss_jitter(w, role);
		/* Waiting for the consumer to empty the slot is not the ordering
		 * under test: it only keeps one object in flight. */
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		/* Everything this CPU stored or observed before (the fill, the
		 * allocator's metadata and charge) is ordered before the pointer. */
		smp_store_release(&s->slot, obj);
	}
}

static void rdep_free_role(struct ss_world *w, int role)
{
	struct rdep_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		/* No acquire: only the address dependency on obj orders what follows. */
		while (!(obj = READ_ONCE(s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		WRITE_ONCE(s->slot, NULL);
		ss_obj_verify(w, obj, rdep_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_release_dep = {
    .name = "release-dep",
    .summary = "smp_store_release / READ_ONCE, use and free through the pointer (correct: "
	       "address dependency)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_CORRECT,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct rdep_state),
    .needs_account = true,
    .reset = rdep_drain,
    .role = {rdep_alloc_role, rdep_free_role},
    .check = rdep_drain,
    .details = "Producer: fills the object, then smp_store_release(&slot, obj). Consumer: obj = "
	       "READ_ONCE(slot), reads the object's content through obj, kfree(obj). The "
	       "consumer has no acquire: every access it makes to the object, its struct slab "
	       "and its slabobj_ext is computed from obj, and LKMM orders such address-"
	       "dependent accesses after the load that produced obj. With the producer's "
	       "release this is the rcu_assign_pointer / rcu_dereference pattern: correct, "
	       "and exactly what the slab's assumption about its users allows (issue 9).",
};
