/* alloc/alloc.h - the allocator interface: one ops struct per backend.
 *
 * Backends: "slab" (the SLUB model with obj_exts and memcg, alloc/slab.c +
 * alloc/memcg.c), "jemalloc" (the real libjemalloc), "libc" (glibc malloc).
 * A backend instance lives in a *world*: created once per run, reset between
 * executions (the emulator needs the same addresses every time, without malloc
 * churn), destroyed at the end.
 *
 * Every backend is wrapped by alloc/alloc.c, which adds the checks that do not
 * need allocator internals: a live-object table for double free and use after
 * free (jemalloc, libc; the slab model checks its own freelist), and leak counts.
 */
#ifndef SS_ALLOC_H
#define SS_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "results/knobs.h"

/* Allocation flags: the subset of gfp_t the model uses. */
#define SS_GFP_ACCOUNT 0x1u /* __GFP_ACCOUNT: charge to the current objcg */

/* What a backend can check (reported by `slabstress list allocators`). */
#define SS_CAP_MEMCG	   0x1u /* obj_exts, objcg charge/uncharge checks */
#define SS_CAP_CONTENT	   0x2u /* stale-content checks (all backends) */
#define SS_CAP_DOUBLE_FREE 0x4u

struct ss_alloc_ops {
	const char *name;
	const char *summary;
	unsigned caps;
	/* Returns NULL and sets errno-style message in err on failure. */
	void *(*world_create)(const struct ss_alloc_config *cfg, char *err, size_t errlen);
	void (*world_reset)(void *world);
	void (*world_destroy)(void *world);
	/* Called on CPU smp_processor_id(). NULL on allocation failure. */
	void *(*alloc)(void *world, unsigned gfp);
	void (*free)(void *world, void *obj);
	/* At quiescence (no role running): drain caches, check for leaks and invariants.
	 * Reports failures through ss_fail_at(); returns the number found. */
	int (*quiesce)(void *world);
	/* Debug (SLABSTRESS_CHECK_RESET): a hash of every byte an execution can read
	 * in the world, equal after every reset when the reset is complete.  NULL
	 * where the backend cannot enumerate its memory (jemalloc, libc). */
	unsigned long long (*world_hash)(void *world);
	/* Optional, for the emulator's provenance inference (--deps provenance and
	 * check): the blocks [lo[i], hi[i]) that code reaches by address arithmetic
	 * from a pointer p into the allocator's memory (SLUB: p's object slot, the
	 * struct slab of p's page, the checker word of p's object); they replace
	 * the generic [p, p + span).  Returns how many (<= max); 0 when p is not the
	 * allocator's. */
	int (*dep_blocks)(void *world, uintptr_t p, uintptr_t *lo, uintptr_t *hi, int max);
	/* Optional staging ops, for a scenario that needs objects of one fresh slab
	 * (lazy-objexts).  A backend has all three or none; a scenario that needs them
	 * does nothing (no handoffs) when they are NULL.  Objects move through three
	 * states: free, *reserved* (out of the allocator but not live: not charged,
	 * in no per-CPU cache, not counted by quiesce as a leak) and live.
	 * drain_caches: quiescent only (no role running).  Flushes every CPU's
	 *   object caches back to their slabs, so that empty slabs can be given back
	 *   and their pages reused.  Reports nothing. */
	void (*drain_caches)(void *world);
	/* reserve_fresh: quiescent only, as CPU smp_processor_id().  Takes n objects
	 *   from one brand-new slab, objs[i] being object i of that slab (index order),
	 *   and leaves them reserved; the slab holds nothing else live.  Returns false
	 *   and reserves nothing when n is 0 or above a slab's capacity, when fewer
	 *   than keep_free free slabs would be left before taking one, or when no slab
	 *   is left. */
	bool (*reserve_fresh)(void *world, void **objs, unsigned n, unsigned long keep_free);
	/* alloc_reserved: on CPU smp_processor_id(), at quiescence or from a role.
	 *   Makes a reserved object live as if alloc(world, gfp) had just returned it
	 *   (post-alloc hooks: memcg charge, lazy obj_exts).  Returns obj, or NULL when
	 *   obj is not the allocator's (it stays reserved).  After it obj is freed
	 *   with free() like any other object. */
	void *(*alloc_reserved)(void *world, void *obj, unsigned gfp);
};

extern const struct ss_alloc_ops ss_alloc_slab;
extern const struct ss_alloc_ops ss_alloc_jemalloc;
extern const struct ss_alloc_ops ss_alloc_libc;

/* NULL-terminated table; lookup by name returns NULL when unknown. */
extern const struct ss_alloc_ops *const ss_allocators[];
const struct ss_alloc_ops *ss_alloc_find(const char *name);

/* Names for traces (alloc/slab_names.c): the allocator names its own memory and
 * locations, so engines know none of its fields.  ss_alloc_name_regions calls fn
 * for each region of ops' world worth naming (none for jemalloc, libc), in the
 * order a lookup should try them; ss_alloc_location_name gives the name traces
 * print for a site's source text (expr itself when it has no other name). */
typedef void (*ss_region_fn)(void *ctx, uintptr_t base, size_t len, size_t elem_size,
			     const char *name, size_t sub_size, const char *sub_name);
void ss_alloc_name_regions(const struct ss_alloc_ops *ops, void *world,
			   const struct ss_alloc_config *cfg, ss_region_fn fn, void *ctx);
const char *ss_alloc_location_name(const char *expr);

#endif /* SS_ALLOC_H */
