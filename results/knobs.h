/* results/knobs.h - the allocator knobs a run is a pure function of, as results
 * record them: the SLUB variant, the obj_exts placement and the whole allocator
 * configuration, with the names reproducers and reports use.  alloc/alloc.h
 * builds the allocator interface on them; they live here so that results/
 * (reproducers, result documents) depends on no other directory.
 */
#ifndef SS_RES_KNOBS_H
#define SS_RES_KNOBS_H

#include <stdbool.h>
#include <stddef.h>

/* The SLUB code paths of the real history (reference/slub-model.md §3). */
enum ss_variant {
	SS_VARIANT_RC1,		 /* v7.0-rc1: lazy plain stride store, no rmb on read */
	SS_VARIANT_EARLY_STRIDE, /* patch [7]: stride set early, before publication */
	SS_VARIANT_WMB_RMB,	 /* patch [5]: [7] + smp_wmb on write, smp_rmb on read */
	SS_VARIANT_FIXED,	 /* 32-bit stride + [7] (mainline after v7.0-rc2) */
	SS_NVARIANTS
};

enum ss_objext_placement {
	SS_OBJEXT_SEPARATE, /* kmalloc'ed vector, stride = sizeof(struct slabobj_ext) */
	SS_OBJEXT_LEFTOVER, /* in the slab's leftover space, same stride */
	SS_OBJEXT_IN_OBJECT /* inside each object (SLAB_OBJ_EXT_IN_OBJ), stride = s->size */
};

struct ss_alloc_config {
	enum ss_variant variant;
	unsigned stride_bits; /* 16 or 32 */
	enum ss_objext_placement objext;
	size_t object_size;	   /* bytes, the kmem_cache's object_size */
	size_t page_size;	   /* bytes, PAGE_SIZE of the modelled machine */
	bool account;		   /* SLAB_ACCOUNT on the cache (charge every object) */
	int ncpus;		   /* CPUs (roles) that will call into the world */
	int nobjcgs;		   /* obj_cgroups; CPU c charges objcg c % nobjcgs */
	unsigned long max_objects; /* upper bound of live objects at once (sizing) */
	bool objcg_atomic;	   /* objcg refcounts in atomic (killed percpu_ref)
				    * mode instead of per-CPU mode */
};

const char *ss_variant_name(enum ss_variant v);
int ss_variant_from_name(const char *name); /* -1 when unknown */
const char *ss_objext_name(enum ss_objext_placement p);
int ss_objext_from_name(const char *name); /* -1 when unknown */

#endif /* SS_RES_KNOBS_H */
