/* scenarios/release_acquire.c - the `release-acquire` handoff: smp_store_release / smp_load_acquire
 * (slub-model.md §5 row 3).
 *
 * The minimum the slab allocator expects of a cross-CPU free (Harry Yoo's "slab's
 * assumption"): a release on the publishing store and an acquire on the freeing
 * CPU's load. Release is A-cumulative, so stores the producer itself observed (slab
 * initialisation seen under list_lock) travel too. Must never report a failure.
 */
#include "scenarios/scenario.h"

struct ra_state {
	void *slot; /* the object in transit; NULL when empty */
} __attribute__((aligned(64)));

/* One tag per handoff: the consumer takes the objects in the order they were
 * published, so the i-th take expects the i-th fill. */
static unsigned long ra_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left in the slot. */
static void ra_drain(struct ss_world *w)
{
	struct ra_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void ra_alloc_role(struct ss_world *w, int role)
{
	struct ra_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "release-acquire: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, ra_tag(w, i));
		ss_jitter(w, role);
		/* Waiting for the consumer to empty the slot is not the ordering
		 * under test: it only keeps one object in flight. */
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		smp_store_release(&s->slot, obj);
	}
}

static void ra_free_role(struct ss_world *w, int role)
{
	struct ra_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!(obj = smp_load_acquire(&s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		WRITE_ONCE(s->slot, NULL);
		ss_obj_verify(w, obj, ra_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_release_acquire = {
    .name = "release-acquire",
    .summary = "smp_store_release / smp_load_acquire of the pointer (correct)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_CORRECT,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct ra_state),
    .needs_account = true,
    .reset = ra_drain,
    .role = {ra_alloc_role, ra_free_role},
    .check = ra_drain,
    .details = "Producer: smp_store_release(&gp, obj). Consumer: p = smp_load_acquire(&gp), "
	       "kfree(p). Under LKMM release/acquire makes every store the producer made (or "
	       "observed, by A-cumulativity) before the release visible to the freeing CPU's "
	       "loads after the acquire. This is the slab allocator's stated assumption about "
	       "its users (linux-mm, February 2026; slub-model.md section 5 row 3).",
};
