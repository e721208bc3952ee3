/* scenarios/release_acquire.c - the `release-acquire` handoff: smp_store_release / smp_load_acquire
 * (slub-model.md §5 row 3).
 *
 * The minimum the slab allocator expects of a cross-CPU free (Harry Yoo's "slab's
 * assumption"): a release on the publishing store and an acquire on the freeing
 * CPU's load. Release is A-cumulative, so stores the producer itself observed (slab
 * initialisation seen under list_lock) travel too. Must never report a failure.
 */
#include "scenarios/scenario.h"

#define RA_BATCH_MAX 64
#define RA_RING	     8 /* batches in flight, so producer and consumer overlap */

/* One publish: `nr` objects in `objs[]`.  The producer fills objs[] with plain
 * stores and publishes the count with smp_store_release; the consumer reads the
 * count with smp_load_acquire, then the pointers, and empties the slot.  Slots
 * form a ring used in order by both sides; with --batch 1 each publish is the
 * classic single-object handoff. */
struct ra_slot {
	unsigned long nr; /* objects in transit; 0 when empty */
	void *objs[RA_BATCH_MAX];
} __attribute__((aligned(64)));

struct ra_state {
	struct ra_slot ring[RA_RING];
};

static unsigned ra_batch(const struct ss_world *w)
{
	return w->batch < 1 ? 1 : w->batch > RA_BATCH_MAX ? RA_BATCH_MAX : w->batch;
}

/* Quiescent: free what a stopped round left in transit. */
static void ra_drain(struct ss_world *w)
{
	struct ra_state *s = w->state;

	for (int r = 0; r < RA_RING; r++) {
		struct ra_slot *slot = &s->ring[r];
		unsigned long nr = READ_ONCE(slot->nr);
		for (unsigned long k = 0; k < nr; k++)
			ss_obj_free(w, 0, PLAIN_LOAD(slot->objs[k]));
		WRITE_ONCE(slot->nr, 0UL);
	}
}

/* The ring slot of the publish that starts with object i: both sides use the
 * slots in order, one publish (batch objects) each. */
static struct ra_slot *ra_slot_of(struct ss_world *w, unsigned long i)
{
	struct ra_state *s = w->state;

	return &s->ring[i / ra_batch(w) % RA_RING];
}

static void ra_alloc_role(struct ss_world *w, int role)
{
	unsigned batch = ra_batch(w);

	for (unsigned long i = 0; i < w->iters; i += batch) {
		struct ra_slot *slot = ra_slot_of(w, i);
		unsigned n = w->iters - i < batch ? (unsigned)(w->iters - i) : batch;
		/* Waiting for the consumer to empty the slot is not the ordering under
		 * test: it only bounds what is in flight. */
		while (BRANCH_ON(READ_ONCE(slot->nr) != 0)) {
			if (!ss_spin_wait(w, role))
				return;
		}
		for (unsigned k = 0; k < n; k++) {
			void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
			if (!obj) {
				SS_FAIL(SS_FAIL_INVARIANT, "release-acquire: allocation %lu failed",
					i + k);
				for (unsigned j = 0; j < k; j++)
					ss_obj_free(w, role, PLAIN_LOAD(slot->objs[j]));
				return;
			}
			ss_obj_fill(w, obj, ss_handoff_tag(w, i + k));
			PLAIN_STORE(slot->objs[k], obj);
		}
		ss_jitter(w, role);
		smp_store_release(&slot->nr, (unsigned long)n);
	}
}

static void ra_free_role(struct ss_world *w, int role)
{
	unsigned batch = ra_batch(w);

	for (unsigned long i = 0; i < w->iters; i += batch) {
		struct ra_slot *slot = ra_slot_of(w, i);
		unsigned long n;

		while (!BRANCH_ON((n = smp_load_acquire(&slot->nr)) != 0)) {
			if (!ss_spin_wait(w, role))
				return;
		}
		for (unsigned long k = 0; BRANCH_ON(k < n); k++) {
			void *obj = PLAIN_LOAD(slot->objs[k]);
			ss_obj_consume(w, role, obj, ss_handoff_tag(w, i + k));
		}
		WRITE_ONCE(slot->nr, 0UL);
	}
}

const struct ss_scenario ss_scn_release_acquire = {
    .name = "release-acquire",
    .handoff = SS_HANDOFF_CORRECT,
    .branches_declared = true,
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct ra_state),
    .needs_account = true,
    .batches = true,
    .reset = ra_drain,
    .role = {ra_alloc_role, ra_free_role},
    .check = ra_drain,
    .params = {SS_PARAM_ITERS("objects handed off per role per round"),
	       {"batch", 1, 0, 1, RA_BATCH_MAX,
		"objects per publish (one smp_store_release of the count), in a ring of 8 "
		"slots"}},
    .summary = "smp_store_release / smp_load_acquire of the pointer (correct)",
    .details = "Producer: fills slot->objs[0..n) with plain stores, then "
	       "smp_store_release(&slot->nr, n) (n = --batch, default 1; a ring of 8 slots). "
	       "Consumer: n = smp_load_acquire(&slot->nr), then frees slot->objs[0..n). Under LKMM "
	       "release/acquire makes every store the producer made (or "
	       "observed, by A-cumulativity) before the release visible to the freeing CPU's "
	       "loads after the acquire. This is the slab allocator's stated assumption about "
	       "its users (linux-mm, February 2026; slub-model.md section 5 row 3).",
};
