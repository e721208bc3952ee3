/* scenarios/once.c - the `once` handoff: WRITE_ONCE / READ_ONCE of the shared pointer
 * (slub-model.md §5 row 2).
 *
 * Marked accesses remove the data race but order nothing: a relaxed store gives no
 * store->store ordering on the producer, so the consumer can see the pointer before
 * the object's content. The consumer's address dependency orders only its own loads.
 * smp_wmb() before the WRITE_ONCE, or rcu_assign_pointer(), would fix the producer
 * side.
 */
#include "scenarios/scenario.h"

struct once_state {
	void *slot; /* the object in transit; NULL when empty */
} __attribute__((aligned(64)));

/* One tag per handoff: the consumer takes the objects in the order they were
 * published, so the i-th take expects the i-th fill. */
static unsigned long once_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left in the slot. */
static void once_drain(struct ss_world *w)
{
	struct once_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void once_alloc_role(struct ss_world *w, int role)
{
	struct once_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "once: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, once_tag(w, i));
		ss_jitter(w, role);
		/* Waiting for the consumer to empty the slot is not the ordering
		 * under test: it only keeps one object in flight. */
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		/* BROKEN on purpose: a relaxed store orders nothing before it. */
		WRITE_ONCE(s->slot, obj);
	}
}

static void once_free_role(struct ss_world *w, int role)
{
	struct once_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!(obj = READ_ONCE(s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		WRITE_ONCE(s->slot, NULL);
		ss_obj_verify(w, obj, once_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_once = {
    .name = "once",
    .summary = "WRITE_ONCE / READ_ONCE of the pointer (relaxed: broken)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_BROKEN,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct once_state),
    .needs_account = true,
    .reset = once_drain,
    .role = {once_alloc_role, once_free_role},
    .check = once_drain,
    .details = "Producer: WRITE_ONCE(gp, obj). Consumer: p = READ_ONCE(gp), kfree(p). Marked "
	       "accesses are relaxed under LKMM: no store->store ordering on the producer, so "
	       "the freeing CPU may see the pointer before the content and metadata written "
	       "before it. The reader's address dependency orders only its own loads (slub- "
	       "model.md section 5 row 2); smp_wmb() or rcu_assign_pointer() on the producer "
	       "would fix it.",
};
