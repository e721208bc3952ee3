/* scenarios/xchg.c - the `xchg` handoff: xchg() on both sides (slub-model.md §5 row 4).
 *
 * A value-returning xchg() is fully ordered (smp_mb() before and after), so the
 * producer's xchg publishing the pointer and the consumer's xchg taking it form a
 * full handoff. The consumer polls with READ_ONCE only to avoid hammering the line;
 * the ordering comes from its xchg, which reads the producer's value.
 */
#include "scenarios/scenario.h"

struct xchg_state {
	void *slot; /* the object in transit; NULL when empty */
} __attribute__((aligned(64)));

/* One tag per handoff: the consumer takes the objects in the order they were
 * published, so the i-th take expects the i-th fill. */
static unsigned long xchg_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left in the slot. */
static void xchg_drain(struct ss_world *w)
{
	struct xchg_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void xchg_alloc_role(struct ss_world *w, int role)
{
	struct xchg_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "xchg: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, xchg_tag(w, i));
		ss_jitter(w, role);
		/* Waiting for the consumer to empty the slot is not the ordering
		 * under test: it only keeps one object in flight. */
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		void *old = xchg(&s->slot, obj);
		if (old)
			SS_FAIL(SS_FAIL_INVARIANT, "xchg: slot held %p, expected empty", old);
	}
}

static void xchg_free_role(struct ss_world *w, int role)
{
	struct xchg_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!(obj = READ_ONCE(s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		void *got = xchg(&s->slot, (void *)NULL);
		if (got != obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "xchg: took %p, polled %p", got, obj);
			if (!got)
				return;
			obj = got;
		}
		ss_obj_verify(w, obj, xchg_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_xchg = {
    .name = "xchg",
    .summary = "xchg() to publish and to take the pointer (fully ordered: correct)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_CORRECT,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct xchg_state),
    .needs_account = true,
    .reset = xchg_drain,
    .role = {xchg_alloc_role, xchg_free_role},
    .check = xchg_drain,
    .details = "Producer: xchg(&gp, obj). Consumer: polls READ_ONCE(gp), then p = xchg(&gp, "
	       "NULL), kfree(p). Value-returning RMWs are fully ordered under LKMM (smp_mb() "
	       "on both sides of the access), so the consumer's xchg reading the producer's "
	       "value orders all the producer's earlier stores before the free (slub-model.md "
	       "section 5 row 4).",
};
