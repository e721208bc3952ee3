/* scenarios/plain.c - the `plain` handoff: plain store / plain load of the shared pointer
 * (slub-model.md §5 row 1).
 *
 * The producer stores the pointer with a plain C store and the consumer reads it
 * with a plain load and frees. Nothing orders the producer's initialising stores
 * before the pointer store, nor the consumer's loads in kfree() after the pointer
 * load: a data race the compiler may also tear or reorder. Expected to pass natively
 * on x86 (TSO) and to fail under the emulator's lkmm model.
 */
#include "scenarios/scenario.h"

struct plain_state {
	void *slot; /* the object in transit; NULL when empty */
} __attribute__((aligned(64)));

/* One tag per handoff: the consumer takes the objects in the order they were
 * published, so the i-th take expects the i-th fill. */
static unsigned long plain_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left in the slot. */
static void plain_drain(struct ss_world *w)
{
	struct plain_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void plain_alloc_role(struct ss_world *w, int role)
{
	struct plain_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "plain: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, plain_tag(w, i));
		ss_jitter(w, role);
		/* Waiting for the consumer to empty the slot is not the ordering
		 * under test: it only keeps one object in flight. */
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		/* BROKEN on purpose: no release, nothing orders the fill first. */
		PLAIN_STORE(s->slot, obj);
	}
}

static void plain_free_role(struct ss_world *w, int role)
{
	struct plain_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!(obj = PLAIN_LOAD(s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		WRITE_ONCE(s->slot, NULL);
		ss_obj_verify(w, obj, plain_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_plain = {
    .name = "plain",
    .summary = "plain store / plain load of the pointer (no ordering: broken)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_BROKEN,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct plain_state),
    .needs_account = true,
    .reset = plain_drain,
    .role = {plain_alloc_role, plain_free_role},
    .check = plain_drain,
    .details = "Producer: gp = obj (plain store). Consumer: p = gp (plain load), kfree(p). "
	       "LKMM gives no ordering at all (and the access is a data race): the freeing CPU "
	       "may see the object's content and allocator metadata as they were before the "
	       "producer initialised them. The pattern kfree() users must not rely on (slub- "
	       "model.md section 5 row 1).",
};
