/* alloc/slab_internal.h - what the files of the SLUB model share with each other and
 * with nobody else.
 *
 * The model is split by concern:
 *   alloc/slab.c        the mirror of mm/slub.c (alloc/free paths, sheaves, barn,
 *                       partial list, obj_exts and stride, memcg hooks); its top
 *                       comment is the ordering protocol
 *   alloc/slab_pages.c  the two allocators under SLUB: the page allocator (slab
 *                       descriptors and pages) and the kmalloc of obj_exts vectors
 *   alloc/slab_check.c  the checker: ground truth from geometry, live/free marks,
 *                       the invariant walker and the quiescence accounting
 *   alloc/slab_world.c  the arena: geometry, create/reset/destroy, the reset hash,
 *                       provenance blocks, and the ss_alloc_slab descriptor
 *   alloc/slab_test.c   the slab-specific API of alloc/slab.h for tests and the
 *                       optional staging ops of alloc/alloc.h
 * Everything here runs on shared memory through kernel/, as in alloc/slab.c.
 */
#ifndef SS_SLAB_INTERNAL_H
#define SS_SLAB_INTERNAL_H

#include "alloc/slab.h"

#define SLAB_MAX_ORDER	   3
#define SLAB_MIN_OBJECTS   4
#define BARN_SHEAVES	   10 /* MAX_FULL_SHEAVES: sheaves the barn can hold */
#define SLAB_POISON_OFFSET 8
#define SLAB_POISON	   0x6b6b6b6b6b6b6b6bUL
#define SLAB_ARENA_MAX	   (4UL << 30)

#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))

static inline struct slab_world *W(void *world)
{
	return (struct slab_world *)world;
}

/* The descriptor of the slab page obj lies in, without dependency bookkeeping
 * (virt_to_slab adds it); NULL outside the slab pages. */
static inline struct slab *slab_of_addr(struct slab_world *w, const void *obj)
{
	size_t off = (size_t)((const char *)obj - w->pages);
	if ((const char *)obj < w->pages || off >= w->nslabs * w->cache.slab_size)
		return NULL;
	return &w->slabs[off >> __builtin_ctzl(w->cache.slab_size)];
}

static inline unsigned counters_inuse(u64 c)
{
	return (unsigned)c & SLAB_INUSE_MASK;
}

static inline unsigned counters_objects(u64 c)
{
	return ((unsigned)c >> SLAB_OBJECTS_SHIFT) & SLAB_OBJECTS_MASK;
}

static inline void **freeptr_addr(const struct kmem_cache *s, void *obj)
{
	return (void **)((char *)obj + s->offset);
}

static inline void *get_freepointer(const struct kmem_cache *s, void *obj)
{
	return PLAIN_LOAD_DEP(*freeptr_addr(s, obj), obj);
}

/* One checker word per cache line: the allocating CPU sets an object's word while
 * the freeing CPU clears its neighbour's; packed, that line would bounce between
 * them on every object (measured: a fifth of all CPU time in the handoff). */
#define SLAB_STATE_STRIDE (64 / sizeof(u32))

static inline u32 *obj_state(struct slab_world *w, struct slab *slab, unsigned idx)
{
	return &w->obj_state[((size_t)(slab - w->slabs) * w->cache.objects + idx) *
			     SLAB_STATE_STRIDE];
}

/* ---- alloc/slab_pages.c: PLAIN under page_lock / vec_lock ---------------------------- */

/* A free slab descriptor (its pages come with it), or NULL when none is left. */
struct slab *alloc_slab_page(struct slab_world *w);
void free_slab_page(struct slab_world *w, struct slab *slab);
/* Is base a vector of the pool (rather than leftover or in-object space)? */
bool vec_in_pool(struct slab_world *w, unsigned long base);
/* An obj_exts vector, not zeroed; NULL when the pool is empty. */
void *vec_alloc(struct slab_world *w);
void vec_free(struct slab_world *w, void *v);

/* ---- alloc/slab.c: the mirror's entry points used by the other files ------------------ */

/* A private new slab: its freelist built, not on any list. */
struct slab *new_slab(struct kmem_cache *s, unsigned gfp);
/* Pops up to count objects of a still-private new slab; lists it if any remain. */
unsigned alloc_from_new_slab(struct kmem_cache *s, struct slab *slab, void **p, unsigned count);
/* Frees a sheaf's objects back to their slabs (the sheaf stays, empty). */
void sheaf_flush(struct kmem_cache *s, struct slab_sheaf *sheaf);
/* Flushes every full sheaf in the barn to its slabs; they stay as empty ones. */
void barn_shrink(struct kmem_cache *s, struct node_barn *barn);
/* slab_post_alloc_hook's memcg part: charge and, lazily, obj_exts. */
bool memcg_slab_post_alloc_hook(struct kmem_cache *s, unsigned flags, void **p, size_t size);
/* ss_alloc_ops.alloc / .free */
void *slab_op_alloc(void *world, unsigned gfp);
void slab_op_free(void *world, void *obj);

/* ---- alloc/slab_check.c ---------------------------------------------------------------- */

/* Compares the ext a hook computed (ext, from stride) with obj's own (index idx of
 * the slab at addr, vector base); reports a mismatch as wrong-metadata.  Returns
 * the ext to go on with: the computed one when it is some object's ext (the kernel
 * would use it: that is how the symptoms arise), else NULL. */
struct slabobj_ext *check_ext(struct kmem_cache *s, const char *addr, const void *obj, unsigned idx,
			      unsigned long base, unsigned stride, struct slabobj_ext *ext,
			      const char *what);
/* On the allocating CPU: the object must have been free and its poison intact;
 * marks it live. */
void checker_alloc(struct slab_world *w, struct kmem_cache *s, struct slab *slab, void *obj);
/* ss_alloc_ops.quiesce */
int slab_quiesce(void *world);

/* ---- alloc/slab_test.c: ss_alloc_ops.reserve_fresh ----------------------------------- */

bool slab_op_reserve_fresh(void *world, void **objs, unsigned n, unsigned long keep_free);

#endif /* SS_SLAB_INTERNAL_H */
