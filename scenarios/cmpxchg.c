/* scenarios/cmpxchg.c - the `cmpxchg` handoff: successful cmpxchg() on both sides (slub-model.md §5
 * row 4).
 *
 * A successful value-returning cmpxchg() is fully ordered; a failed one orders
 * nothing, so both sides check that theirs succeeded (only the producer fills an
 * empty slot and only the consumer empties it, so both always succeed).
 */
#include "scenarios/scenario.h"

struct cx_state {
	void *slot; /* the object in transit; NULL when empty */
} __attribute__((aligned(64)));

/* One tag per handoff: the consumer takes the objects in the order they were
 * published, so the i-th take expects the i-th fill. */
static unsigned long cx_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left in the slot. */
static void cx_drain(struct ss_world *w)
{
	struct cx_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void cx_alloc_role(struct ss_world *w, int role)
{
	struct cx_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, cx_tag(w, i));
		ss_jitter(w, role);
		/* Waiting for the consumer to empty the slot is not the ordering
		 * under test: it only keeps one object in flight. */
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		void *old = cmpxchg(&s->slot, (void *)NULL, obj);
		if (old)
			SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg: slot held %p, expected empty", old);
	}
}

static void cx_free_role(struct ss_world *w, int role)
{
	struct cx_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!(obj = READ_ONCE(s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		void *got = cmpxchg(&s->slot, obj, (void *)NULL);
		if (got != obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg: slot held %p, polled %p", got, obj);
			return;
		}
		ss_obj_verify(w, obj, cx_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_cmpxchg = {
    .name = "cmpxchg",
    .summary = "successful cmpxchg() to publish and to take the pointer (correct)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_CORRECT,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct cx_state),
    .needs_account = true,
    .reset = cx_drain,
    .role = {cx_alloc_role, cx_free_role},
    .check = cx_drain,
    .details = "Producer: cmpxchg(&gp, NULL, obj). Consumer: polls READ_ONCE(gp), then "
	       "cmpxchg(&gp, p, NULL) and kfree(p). A successful value-returning cmpxchg is "
	       "fully ordered under LKMM, so the free is ordered after all the producer's "
	       "earlier stores; a failed cmpxchg would order nothing (slub-model.md section 5 "
	       "row 4).",
};
