/* scenarios/lazy_objexts.c - the v7.0-rc1 lazy obj_exts hole
 * (reference/slub-model.md §3.2, §3.3): one CPU installs obj_exts on a slab that
 * another CPU already uses, and the other CPU frees its own object of that slab.
 *
 *   installer (CPU 0)                        freer (CPU 1)
 *   A = alloc(SS_GFP_ACCOUNT) from slab S    holds B of slab S (uncharged, obj_exts 0)
 *     alloc_slab_obj_exts(new_slab=false):
 *       rc1: stride = 16 (plain)
 *       cmpxchg(&S->obj_exts, 0, vec)
 *     ext[A]->objcg = objcg; charge
 *   WRITE_ONCE(installed, k + 1)  ------->   wait for installed > k (READ_ONCE: no order)
 *   free(A)                                  free(B): READ_ONCE(S->obj_exts) == vec,
 *                                              plain stride load: stale 0 allowed in rc1
 *                                              -> ext[0] (A's) instead of ext[1]
 *
 * The progress flag is relaxed on purpose: it orders nothing, it only makes the
 * freer run after the install in time, so every execution exercises the window.
 * The cache is not SLAB_ACCOUNT, so S gets obj_exts only through the lazy path.
 *
 * reset() prepares one fresh slab per handoff (up to LAZY_MAX_PAIRS per round,
 * and only while free slabs last): objects 0 (A, reserved for CPU 0) and 1 (B,
 * made live uncharged on CPU 1) of a new slab whose obj_exts is 0.  Reset runs on
 * the engine thread before the roles, so for the emulator it is the initial state
 * both CPUs see: early-stride/wmb-rmb/fixed have set S's stride there, rc1 has
 * not (a fresh world's stride is 0).  Natively (x86) this never fails; under LKMM
 * rc1 can report wrong-metadata (and a double uncharge / refcount underflow when
 * both CPUs read A's objcg before either clears it).  The correct variants never
 * report.  Needs objects >= 2 per slab and >= 2 CPUs; otherwise a round does no
 * handoffs.
 */
#include <stddef.h>

#include "scenarios/scenario.h"

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

	for (unsigned long k = 0; BRANCH_ON(k < n); k++) {
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

	for (unsigned long k = 0; BRANCH_ON(k < n); k++) {
		while (BRANCH_ON(READ_ONCE(st->installed) <= k))
			if (!ss_spin_wait(w, role))
				return;
		ss_obj_free(w, role, PLAIN_LOAD(st->b[k]));
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_lazy_objexts = {
    .name = "lazy-objexts",
    .handoff = SS_HANDOFF_ALLOCATOR,
    .branches_declared = true,
    .nroles = 2,
    .role_names = {"installer", "freer"},
    .checks = SS_CHECK_MEMCG | SS_CHECK_LEAK,
    .slab_only = true,
    .state_size = sizeof(struct lazy_state),
    .needs_account = false,
    .reset = lazy_reset,
    .role = {lazy_installer, lazy_freer},
    .check = NULL,
    .params = {SS_PARAM_ITERS("fresh slabs per round, one install/free pair each: at most 64 "
			      "count, and fewer when free slabs run out")},
    .summary = "lazy obj_exts install on a shared slab races a free of another object (rc1 hole)",
    .details = "The installer (CPU 0) makes the first __GFP_ACCOUNT allocation from a slab of a "
	       "non-SLAB_ACCOUNT cache, so alloc_slab_obj_exts installs the vector lazily with "
	       "cmpxchg while the freer (CPU 1) already holds another object of that slab.  In "
	       "v7.0-rc1 the installer stores slab->stride plainly just before the cmpxchg and the "
	       "freer loads it plainly after READ_ONCE(slab->obj_exts), with no smp_rmb(): under "
	       "LKMM the freer may see the new obj_exts with the stale stride 0, compute ext[0] "
	       "(the installer's object's) and report wrong-metadata, possibly uncharging and "
	       "putting the installer's objcg twice.  early-stride sets the stride before the "
	       "slab is shared, wmb-rmb orders both sides, fixed does both with a 32-bit stride: "
	       "none of them may fail.  One fresh slab per handoff, at most 64 per round.",
};
