/* scenarios/cmpxchg_relaxed.c - the `cmpxchg-relaxed` handoff: cmpxchg_relaxed() on both sides
 * (slub-model.md §5 row 5).
 *
 * The same code as `cmpxchg` with the _relaxed variants: the RMWs are still atomic,
 * so the slot protocol works, but they order nothing around them. The freeing CPU
 * may see the pointer without the producer's earlier stores. On x86 every locked
 * instruction is a full barrier, so only the emulator (or arm64/POWER hardware)
 * shows the difference.
 */
#include "scenarios/scenario.h"

struct cxr_state {
	void *slot; /* the object in transit; NULL when empty */
} __attribute__((aligned(64)));

/* One tag per handoff: the consumer takes the objects in the order they were
 * published, so the i-th take expects the i-th fill. */
static unsigned long cxr_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left in the slot. */
static void cxr_drain(struct ss_world *w)
{
	struct cxr_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void cxr_alloc_role(struct ss_world *w, int role)
{
	struct cxr_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg-relaxed: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, cxr_tag(w, i));
		ss_jitter(w, role);
		/* Waiting for the consumer to empty the slot is not the ordering
		 * under test: it only keeps one object in flight. */
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		/* BROKEN on purpose: atomic, but unordered. */
		void *old = cmpxchg_relaxed(&s->slot, (void *)NULL, obj);
		if (old)
			SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg_relaxed: slot held %p, expected empty",
				old);
	}
}

static void cxr_free_role(struct ss_world *w, int role)
{
	struct cxr_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!(obj = READ_ONCE(s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		void *got = cmpxchg_relaxed(&s->slot, obj, (void *)NULL);
		if (got != obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg_relaxed: slot held %p, polled %p", got,
				obj);
			return;
		}
		ss_obj_verify(w, obj, cxr_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_cmpxchg_relaxed = {
    .name = "cmpxchg-relaxed",
    .summary = "cmpxchg_relaxed() to publish and to take the pointer (atomic only: broken)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_BROKEN,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct cxr_state),
    .needs_account = true,
    .reset = cxr_drain,
    .role = {cxr_alloc_role, cxr_free_role},
    .check = cxr_drain,
    .details = "Producer: cmpxchg_relaxed(&gp, NULL, obj). Consumer: cmpxchg_relaxed(&gp, p, "
	       "NULL), kfree(p). _relaxed RMWs give atomicity only under LKMM: nothing orders "
	       "the producer's initialising stores before its RMW or the free's loads after "
	       "the consumer's. Fix with cmpxchg_release/cmpxchg_acquire or the fully ordered "
	       "forms (slub-model.md section 5 row 5).",
};
