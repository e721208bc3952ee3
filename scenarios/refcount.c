/* scenarios/refcount.c - the `refcount` handoff: two CPUs share an object through
 * a refcount_t; whichever drops the last reference frees it (slub-model.md §5
 * row 9; put_pid() after f57e515a1b56).
 *
 * The owner allocates the object, sets the count to 2, shares it, keeps writing
 * it (the "use"), and drops its reference; the other CPU drops its own.  Every
 * refcount_dec_and_test() is a release and the one that reaches zero adds an
 * acquire, so the freeing CPU sees the other CPU's writes, including the ones
 * made after the object was shared.  The freeing CPU verifies those.
 *
 * The other CPU usually waits until the owner has dropped first (so the free is
 * a cross-CPU one); a quarter of the time it does not, and whichever is last
 * frees.  The refcount_t lives in the object after the fill pattern, or, for
 * objects under 40 bytes, in a ring in the scenario state indexed by the
 * handoff number (at most two objects are alive at once).
 */
#include "scenarios/scenario.h"

#define REFCOUNT_RING	  4
#define REFCOUNT_FILL_MAX 32 /* ss_obj_fill() writes at most 4 words */

struct refcount_hdr {
	refcount_t ref;
};

struct refcount_state {
	void *slot; /* the shared object on its way to the second user */
	struct refcount_hdr ring[REFCOUNT_RING];
} __attribute__((aligned(64)));

/* The owner's writes before sharing (shared=false) and after (shared=true). */
static unsigned long refcount_tag(const struct ss_world *w, unsigned long i, bool shared)
{
	return (((unsigned long)w->round << 32) + i + 1) | (shared ? 1UL << 63 : 0);
}

static struct refcount_hdr *refcount_hdr_of(struct ss_world *w, void *obj, unsigned long i)
{
	struct refcount_state *s = w->state;
	size_t size = w->acfg->object_size;
	size_t fill = size < REFCOUNT_FILL_MAX ? size & ~(size_t)7 : REFCOUNT_FILL_MAX;

	if (size >= 8) {
		size_t off = (size - 8) & ~(size_t)7;
		if (off >= fill)
			return (struct refcount_hdr *)((char *)obj + off);
	}
	return &s->ring[i % REFCOUNT_RING];
}

static void refcount_put(struct ss_world *w, int role, void *obj, unsigned long i)
{
	if (refcount_dec_and_test(&refcount_hdr_of(w, obj, i)->ref)) {
		ss_obj_verify(w, obj, refcount_tag(w, i, true));
		ss_obj_free(w, role, obj);
	}
}

/* Quiescent: an object still in the slot holds only the slot's reference (the
 * owner always drops its own before it can stop). */
static void refcount_drain(struct ss_world *w)
{
	struct refcount_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void refcount_owner_role(struct ss_world *w, int role)
{
	struct refcount_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "refcount: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, refcount_tag(w, i, false));
		refcount_set(&refcount_hdr_of(w, obj, i)->ref, 2);
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		/* Sharing is a correct handoff; what is under test is the writes
		 * after it, ordered only by the refcount. */
		smp_store_release(&s->slot, obj);
		ss_jitter(w, role);
		ss_obj_fill(w, obj, refcount_tag(w, i, true));
		refcount_put(w, role, obj, i);
	}
}

static void refcount_user_role(struct ss_world *w, int role)
{
	struct refcount_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!(obj = smp_load_acquire(&s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		WRITE_ONCE(s->slot, NULL);
		ss_jitter(w, role);
		bool stopped = false;
		if (ss_rand(w, role) & 3) {
			/* Let the owner drop first; the read decides nothing, the
			 * dec_and_test below does. */
			while (refcount_read(&refcount_hdr_of(w, obj, i)->ref) != 1) {
				if (!ss_spin_wait(w, role)) {
					stopped = true;
					break;
				}
			}
		}
		refcount_put(w, role, obj, i);
		ss_count_handoff(w, role);
		if (stopped)
			return;
	}
}

const struct ss_scenario ss_scn_refcount = {
    .name = "refcount",
    .summary = "object shared by two CPUs, last refcount_dec_and_test() frees (correct)",
    .nroles = 2,
    .role_names = {"owner", "user"},
    .handoff = SS_HANDOFF_CORRECT,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct refcount_state),
    .needs_account = true,
    .reset = refcount_drain,
    .role = {refcount_owner_role, refcount_user_role},
    .check = refcount_drain,
    .details = "Owner: refcount_set(&obj->ref, 2), share obj, write it, "
	       "refcount_dec_and_test(). User: refcount_dec_and_test(); the one reaching zero "
	       "frees. Under LKMM each decrement is a release and the successful one an "
	       "acquire, so the freeing CPU sees the other's writes made after sharing. "
	       "put_pid() after f57e515a1b56 (Joel Fernandes, 2019: \"Fully ordered --> "
	       "RELEASE + ACQUIRE\"); slub-model.md section 5 row 9.",
};
