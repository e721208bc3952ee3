/* alloc/slab.h - the SLUB model's types and its slab-specific API.
 *
 * The generic interface is alloc/alloc.h (ss_alloc_slab).  This header is for code
 * that needs the slab itself: the files of alloc/ and white-box tests that look at a
 * slab's stride or obj_exts.  Nothing above alloc/ includes it (scenarios reach
 * the slab through alloc/alloc.h's ops; tests/lint-includes.sh).  The ordering
 * protocol is described at the top of alloc/slab.c.
 *
 * A "world" (void *world in alloc.h) is a struct slab_world.  It lives at the start
 * of one mmap'ed arena that also holds the slab pages, the struct slab pool, the
 * obj_exts vectors, the sheaves, the objcgs and the checker's per-object state, so
 * world_reset() restores the same bytes at the same addresses every time.
 */
#ifndef SS_SLAB_H
#define SS_SLAB_H

#include <stdbool.h>
#include <stddef.h>

#include "alloc/alloc.h"
#include "alloc/memcg.h"
#include "kernel/kernel.h"

/* obj_exts low bits (include/linux/memcontrol.h; split ALLOC_FAIL/NOSPIN layout). */
#define MEMCG_DATA_OBJEXTS   0x1UL
#define MEMCG_DATA_KMEM	     0x2UL
#define OBJEXTS_ALLOC_FAIL   0x4UL
#define OBJEXTS_NOSPIN_ALLOC 0x8UL
#define OBJEXTS_FLAGS_MASK   0xfUL

/* kmem_cache flags the model uses. */
#define SLAB_ACCOUNT	    0x1UL
#define SLAB_OBJ_EXT_IN_OBJ 0x2UL

/* Per-object metadata: objcg + an alloc-tag ref word, 16 bytes as in the seed mail. */
struct slabobj_ext {
	struct obj_cgroup *objcg;
	unsigned long ref; /* union codetag_ref; unused by the model */
};
_Static_assert(sizeof(struct slabobj_ext) == 16, "slabobj_ext must be 16 bytes");

/* counters' low 32 bits: inuse:16, objects:15, frozen:1. */
#define SLAB_INUSE_MASK	   0xffffu
#define SLAB_OBJECTS_SHIFT 16
#define SLAB_OBJECTS_MASK  0x7fffu
#define SLAB_FROZEN_BIT	   0x80000000u

/* struct slab: overlays the head struct page of the slab's pages (descriptor i
 * always describes slab pages i, so a reused descriptor keeps stale fields). */
struct slab {
	union {
		struct {
			void *freelist; /* first free object; next pointer at s->offset */
			union {
				u64 counters;
				struct {
					u32 counters_lo; /* inuse/objects/frozen */
					u16 stride16;	 /* v7.0-rc1: unsigned short, bits 32-47 */
					u16 counters_hi16;
				};
				struct {
					u32 counters_lo_;
					u32 stride32; /* after the fix: unsigned int, bits 32-63 */
				};
			};
		};
		u128 freelist_counters; /* the pair, for try_cmpxchg128 */
	};
	struct kmem_cache *slab_cache;
	unsigned long obj_exts;	  /* vector address | MEMCG_DATA_OBJEXTS, or 0 */
	struct slab *next, *prev; /* slab_list: partial list, under list_lock */
	int on_partial;		  /* SL_partial, under list_lock */
	int allocated;		  /* PageSlab: under the page allocator's lock */
	unsigned idx;		  /* descriptor number (set when first handed out) */
	struct slab *free_next;	  /* page allocator free stack, under its lock */
} __attribute__((aligned(16)));
/* Little-endian layout: stride sits right above inuse/objects/frozen (bit 32). */
_Static_assert(offsetof(struct slab, stride16) == 12 && offsetof(struct slab, stride32) == 12,
	       "stride must start at bit 32 of counters");

/* A sheaf: an array of object pointers; private to the CPU holding it, moved
 * between CPUs only through the barn under barn->lock. */
struct slab_sheaf {
	unsigned size;
	unsigned capacity;
	struct slab_sheaf *barn_next;
	void *objects[];
};

struct slub_percpu_sheaves {
	struct slab_sheaf *main;
	struct slab_sheaf *spare; /* may be NULL */
	char pad[64 - 2 * sizeof(void *)];
};

struct node_barn {
	spinlock_t lock;
	unsigned nr_full, nr_empty;
	struct slab_sheaf *sheaves_full, *sheaves_empty;
};

struct kmem_cache_node {
	spinlock_t list_lock;
	unsigned long nr_partial;
	struct slab *partial; /* head of a doubly linked list through slab->next/prev */
	struct slab *partial_tail;
	struct node_barn *barn;
};

struct slab_world;

struct kmem_cache {
	unsigned long flags;	   /* SLAB_ACCOUNT, SLAB_OBJ_EXT_IN_OBJ */
	unsigned object_size;	   /* what the user asked for */
	unsigned size;		   /* slot size (object + in-object ext when used) */
	unsigned offset;	   /* free pointer offset inside a free object: 0 */
	unsigned inobj_ext_offset; /* in-object ext offset inside a slot */
	unsigned order;		   /* slab = page_size << order */
	unsigned objects;	   /* objects per slab (oo) */
	unsigned leftover_offset;  /* where a leftover vector would start, or 0 */
	unsigned sheaf_capacity;
	unsigned min_partial;
	unsigned long slab_size;
	u64 reciprocal_size;  /* obj_to_index: ceil(2^32 / size) */
	unsigned switches;    /* the variant's: SS_SW() bits of results/knobs.h */
	unsigned stride_bits; /* 16 or 32 */
	enum ss_objext_placement placement;
	struct slub_percpu_sheaves *cpu_sheaves; /* [ncpus] */
	struct slab_world *world;
	/* Written under list_lock: kept off the read-mostly lines above. */
	struct kmem_cache_node node __attribute__((aligned(64)));
};

/* Checker state of one object slot (u32, touched with relaxed xchg/READ_ONCE so
 * the emulator sees it but it adds no ordering). */
#define SLAB_OBJ_FREE 0u
#define SLAB_OBJ_LIVE 1u

struct slab_world {
	struct ss_alloc_config cfg;
	struct kmem_cache cache;
	struct node_barn barn __attribute__((aligned(64))); /* written under barn->lock */
	struct memcg_ctx memcg;
	int ncpus;
	/* arena layout (immutable after create) */
	char *arena;
	size_t arena_len;
	char *pages; /* nslabs * slab_size bytes */
	unsigned long nslabs;
	struct slab *slabs; /* nslabs descriptors */
	u32 *obj_state;	    /* nslabs * objects, checker state */
	char *vecs;	    /* nvecs obj_exts vectors of vec_size bytes */
	unsigned long nvecs;
	size_t vec_size;
	char *sheaf_mem; /* nsheaves sheaves of sheaf_bytes each */
	unsigned nsheaves;
	size_t sheaf_bytes;
	struct obj_cgroup *objcgs;
	struct mem_cgroup *memcgs;
	/* page allocator (zone->lock): free stack of descriptors */
	spinlock_t page_lock;
	struct slab *page_free;
	unsigned long nr_free_slabs;
	size_t pages_hwm; /* high-water mark of slab pages handed out since the last reset */
	/* obj_exts vector pool (kmalloc of the vector) */
	spinlock_t vec_lock;
	char *vec_free; /* free stack, next pointer in the vector's first word */
	unsigned long vecs_hwm;
	/* objects taken by slab_reserve_from_new_slab and not yet made live */
	atomic_long_t nr_reserved;
	/* Reset bookkeeping, last so that slab_world_hash can leave it out (it is
	 * no memory an execution reads): the largest pages_hwm / vecs_hwm of any
	 * execution so far.  Nothing above them was ever written. */
	size_t pages_hwm_max;
	unsigned long vecs_hwm_max;
};

/* ---- kernel-named helpers (see alloc/slab.c) ---------------------------------------- */

struct slab *virt_to_slab(struct slab_world *w, const void *obj); /* NULL outside the arena */
void *slab_address(struct slab_world *w, const struct slab *slab);
unsigned obj_to_index(const struct kmem_cache *s, const struct slab *slab, const void *obj,
		      const void *slab_addr);
unsigned long slab_obj_exts(struct slab *slab); /* READ_ONCE, flags masked off */
unsigned slab_get_stride(struct kmem_cache *s, struct slab *slab);
void slab_set_stride(struct kmem_cache *s, struct slab *slab, unsigned stride);
struct slabobj_ext *slab_obj_ext(struct kmem_cache *s, struct slab *slab, unsigned long obj_exts,
				 unsigned index);
unsigned slab_inuse(struct slab *slab); /* PLAIN_LOAD of counters */
unsigned slab_objects(struct slab *slab);
size_t obj_full_size(const struct kmem_cache *s);

/* ---- slab-specific API for scenarios and tests --------------------------------------- */

struct kmem_cache *slab_world_cache(void *world);
struct memcg_ctx *slab_world_memcg(void *world);
/* Checker ground truth: the ext this object owns, given the slab's current obj_exts
 * (from cache geometry only); NULL when the slab has no obj_exts. */
struct slabobj_ext *slab_own_ext(void *world, const void *obj);
/* Reports use-after-free (and returns false) unless obj is a live object. */
bool slab_check_live(void *world, const void *obj);
/* Free slabs (pages) left in the arena. */
unsigned long slab_nr_free_slabs(void *world);

/* Takes n objects from a brand-new slab on the current CPU (new_slab +
 * alloc_from_new_slab; the slab goes on the partial list when objects remain).
 * The objects are *reserved*: not live, not charged, in no sheaf, in index order
 * 0, 1, ...  Returns the slab, or NULL when n > objects or no slab is left. */
struct slab *slab_reserve_from_new_slab(void *world, void **objs, unsigned n);
/* Makes a reserved object live on the current CPU as if slab_alloc_node had just
 * returned it: slab_post_alloc_hook (memcg charge, lazy obj_exts) and the
 * checker's live mark.  Returns obj, or NULL if the hook failed (obj stays
 * reserved). */
void *slab_alloc_reserved(void *world, void *obj, unsigned gfp);

/* Flushes every CPU's sheaves and the barn's full sheaves back to their slabs,
 * running as each CPU in turn (quiescent only; reports nothing).  Empty slabs
 * beyond min_partial are discarded, so their pages can be reused. */
void slab_drain_sheaves(void *world);

/* The invariant walker (freelists, inuse vs live objects); quiescent only. */
int slab_check_invariants(void *world);

#endif /* SS_SLAB_H */
