/* examples/lazy_objexts_race.c - an example scenario file that drives the slab
 * model itself: the seed's lazy obj_exts race of v7.0-rc1
 * (reference/slub-model.md §3.2), written against <slabstress/scenario.h> only.
 * Found under lkmm with --variant rc1 (or any custom variant that stores the
 * stride late and reads it unordered), Clean under tso and sc, and Clean under
 * every model with --variant fixed:
 *
 *     slabstress explore -s ./lazy_objexts_race.c --variant rc1 --model lkmm --save found
 *     slabstress explore -s ./lazy_objexts_race.c --variant rc1 --set rmb-before-stride=on
 *
 *   installer (CPU 0)                        freer (CPU 1)
 *   A = alloc(SS_GFP_ACCOUNT) from slab S    holds B of slab S (uncharged, obj_exts 0)
 *     alloc_slab_obj_exts(new_slab=false):
 *       rc1: stride = 16 (plain)
 *       cmpxchg(&S->obj_exts, 0, vec)
 *   WRITE_ONCE(installed, k + 1)  ------->   wait for installed > k (READ_ONCE: no order)
 *   free(A)                                  free(B): READ_ONCE(S->obj_exts) == vec,
 *                                              plain stride load: stale 0 allowed in rc1
 *                                              -> ext[0] (A's) instead of ext[1]
 *
 * The scenario reaches the slab through the allocator's staging ops of
 * struct ss_alloc_ops (w->alloc->reserve_fresh, alloc_reserved, drain_caches):
 * reset() takes objects 0 and 1 of a fresh slab whose obj_exts is still 0 for
 * each handoff, so every execution exercises the lazy install on a shared slab.
 * The progress flag is relaxed on purpose: it orders nothing, it only makes the
 * freer run after the install.  It is the built-in lazy-objexts scenario as a
 * scenario file; it needs --alloc slab (.slab_only).
 */
#include <slabstress/scenario.h>

#define LAZY_MAX_PAIRS 64
#define LAZY_KEEP_FREE 4 /* free slabs kept for the roles' own allocations */

struct lazy_state {
	unsigned long npairs;
	unsigned long installed; /* relaxed progress flag: installer -> freer */
	void *a[LAZY_MAX_PAIRS]; /* reserved for the installer */
	void *b[LAZY_MAX_PAIRS]; /* live, uncharged, held by the freer */
};

static void lazy_reset(struct ss_world *w)
{
	struct lazy_state *st = w->state;
	unsigned long n = w->iters < LAZY_MAX_PAIRS ? w->iters : LAZY_MAX_PAIRS;
	unsigned long k = 0;
	int saved = ss_cpu_id;

	WRITE_ONCE(st->installed, 0UL);
	/* Only a backend with the staging ops (alloc/alloc.h) can hand out the
	 * objects of one fresh slab. */
	if (!w->alloc->reserve_fresh || w->acfg->ncpus < 2)
		n = 0;
	else
		/* Last round's objects sit in the per-CPU caches and keep its slabs in
		 * use; flushing them lets empty slabs be given back and reused. */
		w->alloc->drain_caches(w->alloc_world);
	for (; k < n; k++) {
		void *objs[2];
		ss_cpu_id = 0;
		if (!w->alloc->reserve_fresh(w->alloc_world, objs, 2, LAZY_KEEP_FREE))
			break;
		PLAIN_STORE(st->a[k], objs[0]);
		PLAIN_STORE(st->b[k], objs[1]);
		ss_cpu_id = 1;
		w->alloc->alloc_reserved(w->alloc_world, objs[1], 0); /* B: live, not charged */
		w->ctr[1].allocs++; /* B is the freer's allocation (quiescent: no race) */
	}
	WRITE_ONCE(st->npairs, k);
	ss_cpu_id = saved;
}

static void lazy_installer(struct ss_world *w, int role)
{
	struct lazy_state *st = w->state;
	unsigned long n = READ_ONCE(st->npairs);

	for (unsigned long k = 0; k < n; k++) {
		void *a = PLAIN_LOAD(st->a[k]);
		/* A fresh slab's first SS_GFP_ACCOUNT allocation: lazy obj_exts install. */
		ss_obj_alloc_reserved(w, role, a, SS_GFP_ACCOUNT);
		WRITE_ONCE(st->installed, k + 1);
		ss_jitter(w, role);
		ss_obj_free(w, role, a);
	}
}

static void lazy_freer(struct ss_world *w, int role)
{
	struct lazy_state *st = w->state;
	unsigned long n = READ_ONCE(st->npairs);

	for (unsigned long k = 0; k < n; k++) {
		while (READ_ONCE(st->installed) <= k)
			if (!ss_spin_wait(w, role))
				return;
		ss_obj_free(w, role, PLAIN_LOAD(st->b[k]));
		ss_count_handoff(w, role);
	}
}

SS_EXPORT_SCENARIO(
	.name = "lazy-objexts-race",
	.summary = "example: lazy obj_exts install on a shared slab races a free (rc1 hole)",
	.handoff = SS_HANDOFF_ALLOCATOR, .nroles = 2, .role_names = {"installer", "freer"},
	.role = {lazy_installer, lazy_freer}, .reset = lazy_reset,
	.checks = SS_CHECK_MEMCG | SS_CHECK_LEAK, .slab_only = true,
	.state_size = sizeof(struct lazy_state), .needs_account = false,
	.params = {SS_PARAM_ITERS("fresh slabs per round, one install/free pair each: at most 64")},
	.details =
	    "The installer makes the first __GFP_ACCOUNT allocation from a fresh slab of a "
	    "non-SLAB_ACCOUNT cache, so obj_exts is installed lazily with cmpxchg while the "
	    "freer already holds another object of that slab.  In v7.0-rc1 the stride store "
	    "before the cmpxchg and the stride load after READ_ONCE(obj_exts) are plain and "
	    "unordered: under LKMM the freer may see the new obj_exts with stride 0 and pick "
	    "the installer's ext (wrong-metadata).  The lazy-objexts scenario as a file.");
