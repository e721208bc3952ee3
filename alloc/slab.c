/* alloc/slab.c - a user-space model of v7.0-rc1 SLUB with obj_exts, stride and
 * memcg hooks ("sheaves for all"), faithful in the accesses that matter for
 * ordering.  Function names follow mm/slub.c so the two read side by side;
 * reference/slub-model.md §1-§3 is the spec.
 *
 * ORDERING PROTOCOL (who publishes what, how it is read, under which lock)
 *
 *  slab->freelist + slab->counters   one u128 (freelist_counters).  Read as two
 *      plain loads, committed together by try_cmpxchg128 (fully ordered) in
 *      slab_update_freelist: __slab_free, get_freelist_nofreeze.  While a slab is
 *      private (allocate_slab, alloc_from_new_slab) they are plain stores; the
 *      low 32 bits (inuse:16 objects:15 frozen:1) are stored as one u32, which
 *      leaves the stride bits alone, like the kernel's bitfield stores.
 *  slab->stride     bits 32-47 of counters (u16, stride_bits 16) or 32-63 (u32,
 *      stride_bits 32).  Written by slab_set_stride with a PLAIN store of just
 *      that member (a u16 store truncates 131072 to 0, the real bug); read by
 *      slab_get_stride with a PLAIN load.  Never cleared: a reused struct slab
 *      keeps the stride of its previous life (§2.8).
 *        rc1           set in alloc_slab_obj_exts_early only for leftover /
 *                      in-object vectors (after the obj_exts store), and in
 *                      alloc_slab_obj_exts before the install on every try,
 *                      also when the slab is already shared (the hole, §3.2).
 *        early-stride  set to sizeof(ext) first thing in
 *                      alloc_slab_obj_exts_early, in-object overrides it with
 *                      s->size after the obj_exts store; never lazily.
 *        wmb-rmb       early-stride + smp_wmb() after the early store; the
 *                      in-object branch stores stride, smp_wmb(), then obj_exts;
 *                      smp_rmb() at the start of slab_get_stride.
 *        fixed         early-stride with a 32-bit stride.
 *  slab->obj_exts   vector | MEMCG_DATA_OBJEXTS.  PLAIN store while the slab is
 *      private (early vectors, account_slab's new_slab==true install); lazily
 *      installed on a shared slab with cmpxchg (fully ordered on success) from
 *      __memcg_slab_post_alloc_hook; read with READ_ONCE (slab_obj_exts); plain
 *      store of 0 in free_slab_obj_exts when the slab is discarded (private).
 *  ext->objcg       PLAIN store in the post-alloc hook, PLAIN load then PLAIN
 *      store of NULL in the free hook.  No ordering of its own: the freeing CPU
 *      sees it only through the user's handoff (§2.5, §2.6).
 *  vector zeroing, free pointers, poison   PLAIN stores, published by whatever
 *      publishes the slab / the freelist (cmpxchg, cmpxchg128, list_lock).
 *  n->partial, slab->next/prev, slab->on_partial (SL_partial), n->nr_partial
 *      PLAIN under n->list_lock.  add_partial's unlock is what publishes a new
 *      slab; a new slab that alloc_from_new_slab fully consumes is published to
 *      nobody (§2.2).
 *  barn lists and counts   PLAIN under barn->lock; a sheaf moved through the
 *      barn carries its objects to another CPU under that lock.
 *  sheaves (pcs->main/spare, sheaf->size, sheaf->objects[])   per-CPU private,
 *      accessed directly (the kernel's local_trylock orders nothing across CPUs).
 *  page allocator (slab descriptors + pages) and obj_exts vector pool   PLAIN
 *      under page_lock / vec_lock (zone->lock, kmalloc's own locking).
 *  checker state (obj_state[], one u32 per object slot, one per cache line)
 *      READ_ONCE / WRITE_ONCE: visible to the emulator but adding no ordering the
 *      kernel does not have (an RMW would drain the store buffer in the model).
 *
 * DEPENDENCIES (kernel/kernel.h struct ss_dep).  virt_to_slab, slab_address,
 * obj_to_index and slab_obj_ext are address arithmetic on the object pointer, as
 * in the kernel, so every access they lead to is address-dependent on the load
 * that produced the pointer: virt_to_slab and slab_address pass the pointer's
 * dependencies on to the pointer they return (ss_dep_derive_from), the metadata
 * loads declare them (READ_ONCE_DEP(slab->obj_exts, slab), PLAIN_LOAD_DEP(
 * slab->stride16, slab)), and
 * an ext's address depends on the obj_exts load, the stride load and the object
 * pointer together.  The checker word of an object is reached the same way (like
 * KASAN shadow) and declares the same dependency.  Freelist walks declare the
 * dependency on the pointer they follow.
 *
 * What the model leaves out: NUMA (one node), kfree_rcu sheaves, debug caches,
 * the per-CPU sheaf local_trylock (roles are CPUs; nothing preempts them), the
 * bit-spinlock slow path of slab_update_freelist (cmpxchg128 is always there),
 * kfree's load of slab->slab_cache (one cache per world).
 *
 * Geometry (calculate_sizes / calculate_order, simplified):
 *   size    = ALIGN(object_size, 8) (at least 8, for the free pointer at offset 0);
 *             in-object placement: the ext goes in the slack of a kmalloc-style
 *             power-of-two slot, size = roundup_pow_of_two(size + 16), ext at
 *             size - 16 (131072-byte objects get a 262144-byte slot, which a u16
 *             stride truncates to 0 exactly as the kernel's 131072 did).
 *   order   the smallest order <= 3 (PAGE_ALLOC_COSTLY_ORDER) giving >= 4
 *             objects with <= 1/16 waste; else the smallest giving >= 4; else 3
 *             if one object fits; else the smallest that fits one object.
 *             Leftover placement counts size + 16 per object so the vector fits
 *             in the slab's tail (the kernel gets there when waste is large).
 *   sheaf capacity 32 (size <= 256), 16 (<= 1024), 8 (<= page), else 4;
 *   min_partial = clamp(ilog2(size) / 2, 5, 10).
 */
#include "alloc/slab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/bug.h"

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

static inline bool variant_early_stride(const struct kmem_cache *s)
{
	return s->variant != SS_VARIANT_RC1;
}

/* ---- struct slab accessors ------------------------------------------------------------ */

/* Address arithmetic: the result carries the dependencies of its input. */
void *slab_address(struct slab_world *w, const struct slab *slab)
{
	void *addr = w->pages + (size_t)(slab - w->slabs) * w->cache.slab_size;
	return ss_dep_derive_from(addr, slab);
}

static inline struct slab *slab_of_addr(struct slab_world *w, const void *obj)
{
	size_t off = (size_t)((const char *)obj - w->pages);
	if ((const char *)obj < w->pages || off >= w->nslabs * w->cache.slab_size)
		return NULL;
	return &w->slabs[off >> __builtin_ctzl(w->cache.slab_size)];
}

struct slab *virt_to_slab(struct slab_world *w, const void *obj)
{
	struct slab *slab = slab_of_addr(w, obj);
	return slab ? ss_dep_derive_from(slab, obj) : NULL;
}

/* An integer: its dependencies are obj's (callers join ss_dep_of(obj)). */
unsigned obj_to_index(const struct kmem_cache *s, const struct slab *slab, const void *obj,
		      const void *slab_addr)
{
	(void)slab;
	u64 off = (u64)((const char *)obj - (const char *)slab_addr);
	return (unsigned)((off * s->reciprocal_size) >> 32);
}

size_t obj_full_size(const struct kmem_cache *s)
{
	return s->size + sizeof(struct obj_cgroup *);
}

static inline unsigned counters_inuse(u64 c)
{
	return (unsigned)c & SLAB_INUSE_MASK;
}

static inline unsigned counters_objects(u64 c)
{
	return ((unsigned)c >> SLAB_OBJECTS_SHIFT) & SLAB_OBJECTS_MASK;
}

unsigned slab_inuse(struct slab *slab)
{
	return counters_inuse(PLAIN_LOAD(slab->counters));
}

unsigned slab_objects(struct slab *slab)
{
	return counters_objects(PLAIN_LOAD(slab->counters));
}

static inline void **freeptr_addr(const struct kmem_cache *s, void *obj)
{
	return (void **)((char *)obj + s->offset);
}

static inline void *get_freepointer(const struct kmem_cache *s, void *obj)
{
	return PLAIN_LOAD_DEP(*freeptr_addr(s, obj), obj);
}

static inline void set_freepointer(const struct kmem_cache *s, void *obj, void *fp)
{
	PLAIN_STORE(*freeptr_addr(s, obj), fp);
}

/* Plain store of the stride member alone: a u16 store truncates. */
void slab_set_stride(struct kmem_cache *s, struct slab *slab, unsigned stride)
{
	if (s->stride_bits == 16)
		PLAIN_STORE(slab->stride16, (u16)stride);
	else
		PLAIN_STORE(slab->stride32, (u32)stride);
}

/* The stride's dependencies (for the ext address it goes into) are those of the
 * CPU's last load right after: ss_dep_last(). */
unsigned slab_get_stride(struct kmem_cache *s, struct slab *slab)
{
	if (s->variant == SS_VARIANT_WMB_RMB)
		smp_rmb(); /* patch [5]: pairs with the smp_wmb()s of the writer */
	if (s->stride_bits == 16)
		return PLAIN_LOAD_DEP(slab->stride16, slab);
	return PLAIN_LOAD_DEP(slab->stride32, slab);
}

unsigned long slab_obj_exts(struct slab *slab)
{
	unsigned long v = READ_ONCE_DEP(slab->obj_exts, slab);
	if (unlikely(v && (!(v & MEMCG_DATA_OBJEXTS) || (v & MEMCG_DATA_KMEM))))
		SS_FAIL(SS_FAIL_INVARIANT, "slab %p obj_exts is 0x%lx (VM_BUG_ON: bad flags)",
			(void *)slab, v);
	/* the masked vector address carries the obj_exts load (the last one) */
	return ss_dep_derive_last(v & ~OBJEXTS_FLAGS_MASK);
}

/* Emulator only: ext's address depends on the obj_exts value, the stride load
 * (the CPU's last load) and, through index = obj_to_index(obj), the object
 * pointer (obj: NULL when the caller's index comes from elsewhere). */
static void __attribute__((noinline))
ext_note_deps(const struct slabobj_ext *ext, unsigned long obj_exts, const void *obj)
{
	struct ss_dep d = ss_dep_join(ss_dep_last(), ss_dep_of(obj_exts));
	if (obj)
		d = ss_dep_join(d, ss_dep_of(obj));
	(void)ss_dep_derive(ext, d);
}

static inline struct slabobj_ext *obj_ext_dep(struct kmem_cache *s, struct slab *slab,
					      unsigned long obj_exts, unsigned index,
					      const void *obj, unsigned *stride_out)
{
	unsigned stride = slab_get_stride(s, slab);
	struct slabobj_ext *ext = (struct slabobj_ext *)(obj_exts + (unsigned long)stride * index);
	if (unlikely(ss_kops))
		ext_note_deps(ext, obj_exts, obj);
	*stride_out = stride;
	return ext;
}

struct slabobj_ext *slab_obj_ext(struct kmem_cache *s, struct slab *slab, unsigned long obj_exts,
				 unsigned index)
{
	unsigned stride;
	return obj_ext_dep(s, slab, obj_exts, index, NULL, &stride);
}

static bool slab_update_freelist(struct kmem_cache *s, struct slab *slab, void *freelist_old,
				 u64 counters_old, void *freelist_new, u64 counters_new)
{
	(void)s;
	u128 old = (u128)(uintptr_t)freelist_old | ((u128)counters_old << 64);
	u128 new_val = (u128)(uintptr_t)freelist_new | ((u128)counters_new << 64);
	return try_cmpxchg128(&slab->freelist_counters, &old, new_val);
}

/* ---- checker: ground truth from geometry ------------------------------------------------ */

static inline bool exts_in_object(const struct kmem_cache *s, const char *addr, unsigned long base)
{
	return (s->flags & SLAB_OBJ_EXT_IN_OBJ) &&
	       base == (unsigned long)(addr + s->inobj_ext_offset);
}

static unsigned true_stride(const struct kmem_cache *s, const char *addr, unsigned long base)
{
	return exts_in_object(s, addr, base) ? s->size : (unsigned)sizeof(struct slabobj_ext);
}

static struct slabobj_ext *own_ext(const struct kmem_cache *s, const char *addr, unsigned long base,
				   unsigned idx)
{
	return (struct slabobj_ext *)(base + (unsigned long)true_stride(s, addr, base) * idx);
}

/* Is ext the ext of *some* object of this slab (so using it is safe)? */
static bool ext_valid(const struct kmem_cache *s, const char *addr, unsigned long base,
		      const struct slabobj_ext *ext)
{
	unsigned long e = (unsigned long)ext;
	unsigned long st = true_stride(s, addr, base);
	return e >= base && (e - base) % st == 0 && (e - base) / st < s->objects;
}

/* Compares the ext the hook computed with the object's own; reports a mismatch.
 * Returns the ext to go on with: the computed one when it is some object's ext
 * (the kernel would use it: that is how the symptoms arise), else NULL. */
static struct slabobj_ext *check_ext(struct kmem_cache *s, const char *addr, const void *obj,
				     unsigned idx, unsigned long base, unsigned stride,
				     struct slabobj_ext *ext, const char *what)
{
	struct slabobj_ext *own = own_ext(s, addr, base, idx);
	if (likely(ext == own))
		return ext;
	ss_fail_at(
	    SS_FAIL_WRONG_METADATA, SS_SITE("slab_obj_ext"),
	    "%s of object %p index %u used ext %p (stride %u), its own ext is %p (stride %u)", what,
	    obj, idx, (void *)ext, stride, (void *)own, true_stride(s, addr, base));
	return ext_valid(s, addr, base, ext) ? ext : NULL;
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

/* ---- page allocator and obj_exts vector pool ------------------------------------------ */

static struct slab *alloc_slab_page(struct slab_world *w)
{
	struct slab *slab;

	spin_lock(&w->page_lock);
	slab = PLAIN_LOAD(w->page_free);
	if (slab) {
		PLAIN_STORE(w->page_free, PLAIN_LOAD(slab->free_next));
	} else {
		unsigned long hwm = PLAIN_LOAD(w->pages_hwm);
		if (hwm < w->nslabs) {
			slab = &w->slabs[hwm];
			PLAIN_STORE(slab->idx, (unsigned)hwm);
			PLAIN_STORE(w->pages_hwm, hwm + 1);
		}
	}
	if (slab) {
		PLAIN_STORE(slab->allocated, 1);
		PLAIN_STORE(w->nr_free_slabs, PLAIN_LOAD(w->nr_free_slabs) - 1);
	}
	spin_unlock(&w->page_lock);
	return slab;
}

static void free_slab_page(struct slab_world *w, struct slab *slab)
{
	spin_lock(&w->page_lock);
	PLAIN_STORE(slab->allocated, 0);
	PLAIN_STORE(slab->free_next, PLAIN_LOAD(w->page_free));
	PLAIN_STORE(w->page_free, slab);
	PLAIN_STORE(w->nr_free_slabs, PLAIN_LOAD(w->nr_free_slabs) + 1);
	spin_unlock(&w->page_lock);
}

static bool vec_in_pool(struct slab_world *w, unsigned long base)
{
	return base >= (unsigned long)w->vecs &&
	       base < (unsigned long)w->vecs + w->nvecs * w->vec_size;
}

/* kmalloc of an obj_exts vector (not zeroed: the caller zeroes, like __GFP_ZERO). */
static void *vec_alloc(struct slab_world *w)
{
	char *v;

	spin_lock(&w->vec_lock);
	v = PLAIN_LOAD(w->vec_free);
	if (v) {
		PLAIN_STORE(w->vec_free, PLAIN_LOAD(*(char **)v));
	} else {
		unsigned long hwm = PLAIN_LOAD(w->vecs_hwm);
		if (hwm < w->nvecs) {
			v = w->vecs + hwm * w->vec_size;
			PLAIN_STORE(w->vecs_hwm, hwm + 1);
		}
	}
	spin_unlock(&w->vec_lock);
	return v;
}

static void vec_free(struct slab_world *w, void *v)
{
	spin_lock(&w->vec_lock);
	PLAIN_STORE(*(char **)v, PLAIN_LOAD(w->vec_free));
	PLAIN_STORE(w->vec_free, (char *)v);
	spin_unlock(&w->vec_lock);
}

/* ---- obj_exts ---------------------------------------------------------------------------- */

static inline bool need_slab_obj_exts(const struct kmem_cache *s)
{
	/* memcg kmem is always online in the model; no allocation profiling. */
	return s->flags & SLAB_ACCOUNT;
}

static void zero_exts(struct kmem_cache *s, unsigned long base, unsigned long stride)
{
	for (unsigned i = 0; i < s->objects; i++) {
		struct slabobj_ext *ext = (struct slabobj_ext *)(base + stride * i);
		PLAIN_STORE(ext->objcg, (struct obj_cgroup *)NULL);
		PLAIN_STORE(ext->ref, 0UL);
	}
}

/* Lazy (or new-slab) install of a separate vector (§2.4). */
static int alloc_slab_obj_exts(struct slab *slab, struct kmem_cache *s, unsigned gfp, bool new_slab)
{
	struct slab_world *w = s->world;
	unsigned long old_exts, new_exts;
	void *vec;

	(void)gfp;
	vec = vec_alloc(w);
	if (!vec)
		return -ENOMEM;
	zero_exts(s, (unsigned long)vec, sizeof(struct slabobj_ext));
	new_exts = (unsigned long)vec | MEMCG_DATA_OBJEXTS;
retry:
	old_exts = READ_ONCE(slab->obj_exts);
	/* rc1 only: a plain stride store, made while the slab may already be shared. */
	if (!variant_early_stride(s))
		slab_set_stride(s, slab, sizeof(struct slabobj_ext));
	if (new_slab) {
		/* Not yet published: nobody else can see the slab. */
		PLAIN_STORE(slab->obj_exts, new_exts);
	} else if (old_exts & ~OBJEXTS_FLAGS_MASK) {
		/* Somebody else installed a vector meanwhile: use theirs. */
		vec_free(w, vec);
		return 0;
	} else if (cmpxchg(&slab->obj_exts, old_exts, new_exts) != old_exts) {
		goto retry;
	}
	return 0;
}

/* At slab creation, while the slab is private (§2.3 step 5). */
static void alloc_slab_obj_exts_early(struct kmem_cache *s, struct slab *slab, char *addr)
{
	if (variant_early_stride(s)) {
		slab_set_stride(s, slab, sizeof(struct slabobj_ext));
		if (s->variant == SS_VARIANT_WMB_RMB)
			smp_wmb(); /* patch [5]: stride before any later obj_exts publish */
	}
	if (!need_slab_obj_exts(s))
		return;

	if (s->placement == SS_OBJEXT_LEFTOVER && s->leftover_offset) {
		unsigned long base = (unsigned long)(addr + s->leftover_offset);
		zero_exts(s, base, sizeof(struct slabobj_ext));
		PLAIN_STORE(slab->obj_exts, base | MEMCG_DATA_OBJEXTS);
		if (!variant_early_stride(s))
			slab_set_stride(s, slab, sizeof(struct slabobj_ext));
	} else if (s->flags & SLAB_OBJ_EXT_IN_OBJ) {
		unsigned long base = (unsigned long)(addr + s->inobj_ext_offset);
		zero_exts(s, base, s->size);
		if (s->variant == SS_VARIANT_WMB_RMB) {
			slab_set_stride(s, slab, s->size);
			smp_wmb();
			PLAIN_STORE(slab->obj_exts, base | MEMCG_DATA_OBJEXTS);
		} else {
			PLAIN_STORE(slab->obj_exts, base | MEMCG_DATA_OBJEXTS);
			slab_set_stride(s, slab, s->size); /* u16: 262144 -> 0 */
		}
	}
}

static void account_slab(struct slab *slab, struct kmem_cache *s, unsigned gfp)
{
	if ((s->flags & SLAB_ACCOUNT) && !PLAIN_LOAD(slab->obj_exts))
		alloc_slab_obj_exts(slab, s, gfp, true);
}

static void free_slab_obj_exts(struct kmem_cache *s, struct slab *slab)
{
	unsigned long base = READ_ONCE(slab->obj_exts) & ~OBJEXTS_FLAGS_MASK;
	if (base && vec_in_pool(s->world, base))
		vec_free(s->world, (void *)base);
	/* Leftover and in-object vectors are part of the slab: just forget them. */
	PLAIN_STORE(slab->obj_exts, 0UL);
}

/* ---- slab creation and destruction ------------------------------------------------------ */

static struct slab *allocate_slab(struct kmem_cache *s, unsigned gfp)
{
	struct slab_world *w = s->world;
	struct slab *slab = alloc_slab_page(w);
	char *addr, *p;

	if (!slab)
		return NULL;
	addr = slab_address(w, slab);
	/* objects = N, inuse = 0, frozen = 0: the low half only, stride survives. */
	PLAIN_STORE(slab->counters_lo, (u32)s->objects << SLAB_OBJECTS_SHIFT);
	PLAIN_STORE(slab->slab_cache, s);
	PLAIN_STORE(slab->obj_exts, 0UL); /* init_slab_obj_exts */
	alloc_slab_obj_exts_early(s, slab, addr);
	account_slab(slab, s, gfp);

	/* Build the freelist in address order, poisoning each object. */
	p = addr;
	for (unsigned i = 0; i < s->objects; i++, p += s->size) {
		set_freepointer(s, p, i + 1 < s->objects ? p + s->size : NULL);
		if (s->object_size >= SLAB_POISON_OFFSET + sizeof(long))
			PLAIN_STORE(*(unsigned long *)(p + SLAB_POISON_OFFSET), SLAB_POISON);
	}
	PLAIN_STORE(slab->freelist, (void *)addr);
	return slab;
}

static struct slab *new_slab(struct kmem_cache *s, unsigned gfp)
{
	return allocate_slab(s, gfp);
}

static void discard_slab(struct kmem_cache *s, struct slab *slab)
{
	/* __free_slab -> unaccount_slab -> free_slab_obj_exts; stride is not cleared. */
	free_slab_obj_exts(s, slab);
	free_slab_page(s->world, slab);
}

/* ---- node partial list (under n->list_lock) --------------------------------------------- */

static void add_partial(struct kmem_cache_node *n, struct slab *slab)
{
	struct slab *tail = PLAIN_LOAD(n->partial_tail);
	PLAIN_STORE(slab->next, (struct slab *)NULL);
	PLAIN_STORE(slab->prev, tail);
	if (tail)
		PLAIN_STORE(tail->next, slab);
	else
		PLAIN_STORE(n->partial, slab);
	PLAIN_STORE(n->partial_tail, slab);
	PLAIN_STORE(slab->on_partial, 1);
	PLAIN_STORE(n->nr_partial, PLAIN_LOAD(n->nr_partial) + 1);
}

static void remove_partial(struct kmem_cache_node *n, struct slab *slab)
{
	struct slab *prev = PLAIN_LOAD(slab->prev), *next = PLAIN_LOAD(slab->next);
	if (prev)
		PLAIN_STORE(prev->next, next);
	else
		PLAIN_STORE(n->partial, next);
	if (next)
		PLAIN_STORE(next->prev, prev);
	else
		PLAIN_STORE(n->partial_tail, prev);
	PLAIN_STORE(slab->on_partial, 0);
	PLAIN_STORE(n->nr_partial, PLAIN_LOAD(n->nr_partial) - 1);
}

/* ---- freeing into a slab ----------------------------------------------------------------- */

/* Remote free of the detached list head..tail (cnt objects) into slab (§2.7). */
static void __slab_free(struct kmem_cache *s, struct slab *slab, void *head, void *tail,
			unsigned cnt)
{
	struct kmem_cache_node *n = &s->node;
	void *prior;
	u64 counters, new_counters;
	bool was_full, locked = false;
	unsigned new_inuse;

	for (;;) {
		if (locked) {
			spin_unlock(&n->list_lock);
			locked = false;
		}
		prior = PLAIN_LOAD_DEP(slab->freelist, slab);
		counters = PLAIN_LOAD_DEP(slab->counters, slab);
		if (unlikely(counters_inuse(counters) < cnt)) {
			/* Only a snapshot the slab really holds counts: confirm it with a
			 * no-op cmpxchg128 before calling it corruption. */
			u128 snap = (u128)(uintptr_t)prior | ((u128)counters << 64);
			if (try_cmpxchg128(&slab->freelist_counters, &snap, snap)) {
				SS_FAIL(SS_FAIL_INVARIANT,
					"__slab_free of %u objects into slab %p whose inuse is %u",
					cnt, (void *)slab, counters_inuse(counters));
				return;
			}
			continue;
		}
		set_freepointer(s, tail, prior);
		new_counters = counters - cnt; /* inuse is the low 16 bits */
		new_inuse = counters_inuse(new_counters);
		was_full = prior == NULL;
		if (new_inuse == 0 || was_full) {
			spin_lock(&n->list_lock);
			locked = true;
		}
		if (slab_update_freelist(s, slab, prior, counters, head, new_counters))
			break;
	}

	if (!locked)
		return;

	bool on_partial = PLAIN_LOAD(slab->on_partial);
	/* Partially empty but off the list: someone took it; leave it to them. */
	if (prior && !on_partial) {
		spin_unlock(&n->list_lock);
		return;
	}
	if (new_inuse == 0 && PLAIN_LOAD(n->nr_partial) >= s->min_partial) {
		if (on_partial)
			remove_partial(n, slab);
		spin_unlock(&n->list_lock);
		discard_slab(s, slab);
		return;
	}
	if (was_full)
		add_partial(n, slab); /* this unlock publishes a previously unlisted slab */
	spin_unlock(&n->list_lock);
}

/* __kmem_cache_free_bulk: runs of objects of one slab become one detached list. */
static void __kmem_cache_free_bulk(struct kmem_cache *s, unsigned nr, void **p)
{
	struct slab_world *w = s->world;
	unsigned i = 0;

	while (i < nr) {
		struct slab *slab = virt_to_slab(w, p[i]);
		unsigned j = i + 1;
		while (j < nr && virt_to_slab(w, p[j]) == slab) {
			set_freepointer(s, p[j - 1], p[j]);
			j++;
		}
		__slab_free(s, slab, p[i], p[j - 1], j - i);
		i = j;
	}
}

static void sheaf_flush(struct kmem_cache *s, struct slab_sheaf *sheaf);

/* ---- barn (under barn->lock) --------------------------------------------------------------- */

static struct slab_sheaf *barn_replace_empty_sheaf(struct node_barn *barn, struct slab_sheaf *empty)
{
	struct slab_sheaf *full;

	spin_lock(&barn->lock);
	full = PLAIN_LOAD(barn->sheaves_full);
	if (full) {
		PLAIN_STORE(barn->sheaves_full, PLAIN_LOAD(full->barn_next));
		PLAIN_STORE(barn->nr_full, PLAIN_LOAD(barn->nr_full) - 1);
		PLAIN_STORE(empty->barn_next, PLAIN_LOAD(barn->sheaves_empty));
		PLAIN_STORE(barn->sheaves_empty, empty);
		PLAIN_STORE(barn->nr_empty, PLAIN_LOAD(barn->nr_empty) + 1);
	}
	spin_unlock(&barn->lock);
	return full;
}

static struct slab_sheaf *barn_replace_full_sheaf(struct node_barn *barn, struct slab_sheaf *full)
{
	struct slab_sheaf *empty = NULL;

	spin_lock(&barn->lock);
	if (PLAIN_LOAD(barn->nr_full) < BARN_SHEAVES) {
		empty = PLAIN_LOAD(barn->sheaves_empty);
		if (empty) {
			PLAIN_STORE(barn->sheaves_empty, PLAIN_LOAD(empty->barn_next));
			PLAIN_STORE(barn->nr_empty, PLAIN_LOAD(barn->nr_empty) - 1);
			PLAIN_STORE(full->barn_next, PLAIN_LOAD(barn->sheaves_full));
			PLAIN_STORE(barn->sheaves_full, full);
			PLAIN_STORE(barn->nr_full, PLAIN_LOAD(barn->nr_full) + 1);
		}
	}
	spin_unlock(&barn->lock);
	return empty;
}

/* Flushes every full sheaf in the barn to its slabs; they stay as empty ones. */
static void barn_shrink(struct kmem_cache *s, struct node_barn *barn)
{
	for (;;) {
		struct slab_sheaf *full;

		spin_lock(&barn->lock);
		full = PLAIN_LOAD(barn->sheaves_full);
		if (full) {
			PLAIN_STORE(barn->sheaves_full, PLAIN_LOAD(full->barn_next));
			PLAIN_STORE(barn->nr_full, PLAIN_LOAD(barn->nr_full) - 1);
		}
		spin_unlock(&barn->lock);
		if (!full)
			return;
		sheaf_flush(s, full);
		spin_lock(&barn->lock);
		PLAIN_STORE(full->barn_next, PLAIN_LOAD(barn->sheaves_empty));
		PLAIN_STORE(barn->sheaves_empty, full);
		PLAIN_STORE(barn->nr_empty, PLAIN_LOAD(barn->nr_empty) + 1);
		spin_unlock(&barn->lock);
	}
}

/* ---- refilling sheaves from slabs --------------------------------------------------------- */

/* Takes slabs off the partial list until they hold about max free objects. */
static unsigned get_partial_node_bulk(struct kmem_cache *s, struct kmem_cache_node *n, unsigned max,
				      struct slab **out)
{
	unsigned nr = 0, total = 0;
	struct slab *slab, *next;

	spin_lock(&n->list_lock);
	for (slab = PLAIN_LOAD(n->partial); slab && total < max; slab = next) {
		next = PLAIN_LOAD(slab->next);
		/* Racy estimate (RO): remote frees can only add objects. */
		u64 c = READ_ONCE(slab->counters);
		total += counters_objects(c) - counters_inuse(c);
		remove_partial(n, slab);
		out[nr++] = slab;
	}
	spin_unlock(&n->list_lock);
	(void)s;
	return nr;
}

/* Takes the whole freelist: freelist = NULL, inuse = objects (cmpxchg128). */
static void *get_freelist_nofreeze(struct kmem_cache *s, struct slab *slab)
{
	void *freelist;
	u64 counters, new_counters;

	do {
		freelist = PLAIN_LOAD_DEP(slab->freelist, slab);
		counters = PLAIN_LOAD_DEP(slab->counters, slab);
		new_counters = (counters & ~(u64)SLAB_INUSE_MASK) | counters_objects(counters);
	} while (!slab_update_freelist(s, slab, freelist, counters, NULL, new_counters));
	return freelist;
}

/* Pops up to count objects of a still-private new slab; lists it if any remain. */
static unsigned alloc_from_new_slab(struct kmem_cache *s, struct slab *slab, void **p,
				    unsigned count)
{
	void *object = PLAIN_LOAD(slab->freelist);
	u32 lo = PLAIN_LOAD(slab->counters_lo);
	unsigned nr = 0;

	while (object && nr < count) {
		p[nr++] = object;
		object = get_freepointer(s, object);
	}
	PLAIN_STORE(slab->freelist, object);
	PLAIN_STORE(slab->counters_lo, lo + nr); /* inuse += nr */
	if (object) {
		/* Only a slab with objects left is published; the unlock does it. */
		spin_lock(&s->node.list_lock);
		add_partial(&s->node, slab);
		spin_unlock(&s->node.list_lock);
	}
	return nr;
}

static unsigned refill_objects(struct kmem_cache *s, void **p, unsigned gfp, unsigned min,
			       unsigned max)
{
	struct slab *slabs[64];
	unsigned filled = 0;
	unsigned nr = get_partial_node_bulk(s, &s->node, max < 64 ? max : 64, slabs);

	for (unsigned i = 0; i < nr; i++) {
		struct slab *slab = slabs[i];
		void *object = get_freelist_nofreeze(s, slab);

		while (object && filled < max) {
			p[filled++] = object;
			object = get_freepointer(s, object);
		}
		if (object) {
			/* More than needed: give the rest back. */
			void *head = object, *tail = object;
			unsigned cnt = 0;
			for (void *o = object; o; o = get_freepointer(s, o)) {
				tail = o;
				cnt++;
			}
			__slab_free(s, slab, head, tail, cnt);
		}
	}
	if (filled < min) {
		struct slab *slab = new_slab(s, gfp);
		if (slab)
			filled += alloc_from_new_slab(s, slab, p + filled, max - filled);
	}
	return filled;
}

/* ---- per-CPU sheaves ------------------------------------------------------------------------ */

static inline struct slub_percpu_sheaves *this_pcs(struct kmem_cache *s)
{
	return &s->cpu_sheaves[smp_processor_id()];
}

static bool __pcs_replace_empty_main(struct kmem_cache *s, struct slub_percpu_sheaves *pcs,
				     unsigned gfp)
{
	struct slab_sheaf *full, *main = pcs->main;

	if (pcs->spare && pcs->spare->size) {
		pcs->main = pcs->spare;
		pcs->spare = main;
		return true;
	}
	full = barn_replace_empty_sheaf(s->node.barn, main);
	if (full) {
		pcs->main = full;
		return true;
	}
	/* refill_sheaf */
	main->size = refill_objects(s, main->objects, gfp, 1, main->capacity);
	return main->size > 0;
}

static void *alloc_from_pcs(struct kmem_cache *s, unsigned gfp)
{
	struct slub_percpu_sheaves *pcs = this_pcs(s);

	if (unlikely(pcs->main->size == 0) && !__pcs_replace_empty_main(s, pcs, gfp))
		return NULL;
	struct slab_sheaf *main = pcs->main;
	return main->objects[--main->size];
}

static void sheaf_flush(struct kmem_cache *s, struct slab_sheaf *sheaf)
{
	if (sheaf->size) {
		__kmem_cache_free_bulk(s, sheaf->size, sheaf->objects);
		sheaf->size = 0;
	}
}

static void free_to_pcs(struct kmem_cache *s, void *object)
{
	struct slub_percpu_sheaves *pcs = this_pcs(s);
	struct slab_sheaf *main = pcs->main;

	if (unlikely(main->size == main->capacity)) {
		/* __pcs_replace_full_main */
		struct slab_sheaf *empty;
		if (pcs->spare && pcs->spare->size == 0) {
			pcs->main = pcs->spare;
			pcs->spare = main;
		} else if ((empty = barn_replace_full_sheaf(s->node.barn, main))) {
			pcs->main = empty;
		} else {
			sheaf_flush(s, main); /* sheaf_flush_main */
		}
		main = pcs->main;
	}
	main->objects[main->size++] = object;
}

/* ---- memcg hooks (mm/slub.c) ------------------------------------------------------------------
 */

static bool __memcg_slab_post_alloc_hook(struct kmem_cache *s, unsigned flags, void **p,
					 size_t size)
{
	struct slab_world *w = s->world;
	struct obj_cgroup *objcg = current_obj_cgroup(&w->memcg);

	for (size_t i = 0; i < size; i++) {
		struct slab *slab = virt_to_slab(w, p[i]);
		const char *addr = slab_address(w, slab);
		unsigned long obj_exts;

		if (!slab_obj_exts(slab) && alloc_slab_obj_exts(slab, s, flags, false))
			continue; /* no vector: the object stays uncharged */
		obj_cgroup_charge(&w->memcg, objcg, obj_full_size(s));

		obj_exts = slab_obj_exts(slab);
		unsigned off = obj_to_index(s, slab, p[i], addr);
		unsigned stride;
		struct slabobj_ext *ext = obj_ext_dep(s, slab, obj_exts, off, p[i], &stride);
		ext = check_ext(s, addr, p[i], off, obj_exts, stride, ext, "charge");
		if (!ext) {
			obj_cgroup_uncharge(&w->memcg, objcg, obj_full_size(s));
			continue;
		}
		obj_cgroup_get(objcg);
		PLAIN_STORE_DEP(ext->objcg, objcg, ext);
	}
	return true;
}

static inline bool memcg_slab_post_alloc_hook(struct kmem_cache *s, unsigned flags, void **p,
					      size_t size)
{
	if (likely(!(flags & SS_GFP_ACCOUNT) && !(s->flags & SLAB_ACCOUNT)))
		return true;
	return __memcg_slab_post_alloc_hook(s, flags, p, size);
}

static void __memcg_slab_free_hook(struct kmem_cache *s, struct slab *slab, void **p, int objects,
				   unsigned long obj_exts)
{
	struct slab_world *w = s->world;
	const char *addr = slab_address(w, slab);

	for (int i = 0; i < objects; i++) {
		unsigned off = obj_to_index(s, slab, p[i], addr);
		/* rc1: a plain stride load with nothing ordering it after the READ_ONCE
		 * of obj_exts (wmb-rmb adds smp_rmb() inside slab_get_stride) but the
		 * address dependency both have on p[i] (through virt_to_slab). */
		unsigned stride;
		struct slabobj_ext *ext = obj_ext_dep(s, slab, obj_exts, off, p[i], &stride);
		ext = check_ext(s, addr, p[i], off, obj_exts, stride, ext, "free");
		if (!ext)
			continue;
		struct obj_cgroup *objcg = PLAIN_LOAD_DEP(ext->objcg, ext);
		if (!objcg)
			continue;
		if (unlikely(!memcg_is_objcg(&w->memcg, objcg))) {
			SS_FAIL(
			    SS_FAIL_WRONG_METADATA,
			    "free of object %p index %u: ext %p holds %p, which is no obj_cgroup",
			    p[i], off, (void *)ext, (void *)objcg);
			continue;
		}
		/* Not atomic: read, then clear, as in the kernel. */
		PLAIN_STORE_DEP(ext->objcg, (struct obj_cgroup *)NULL, ext);
		refill_obj_stock(&w->memcg, objcg, obj_full_size(s), true);
		obj_cgroup_put(objcg);
	}
}

static inline void memcg_slab_free_hook(struct kmem_cache *s, struct slab *slab, void **p,
					int objects)
{
	unsigned long obj_exts = slab_obj_exts(slab);
	if (!obj_exts)
		return;
	__memcg_slab_free_hook(s, slab, p, objects, obj_exts);
}

/* ---- alloc and free entry points ----------------------------------------------------------------
 */

/* Checker, on the allocating CPU: the object must have been free and untouched. */
static void checker_alloc(struct slab_world *w, struct kmem_cache *s, struct slab *slab, void *obj)
{
	unsigned idx = obj_to_index(s, slab, obj, slab_address(w, slab));
	if (s->object_size >= SLAB_POISON_OFFSET + sizeof(long)) {
		unsigned long *pw = (unsigned long *)((char *)obj + SLAB_POISON_OFFSET);
		unsigned long v = PLAIN_LOAD_DEP(*pw, obj);
		if (unlikely(v != SLAB_POISON))
			SS_FAIL(
			    SS_FAIL_USE_AFTER_FREE,
			    "object %p (index %u) was written after free: poison at +%d is 0x%lx",
			    obj, idx, SLAB_POISON_OFFSET, v);
	}
	/* Marked load + store, not an RMW: a locked xchg here stalls the allocating
	 * CPU on its pending stores (natively), and in the emulator an RMW drains the
	 * store buffer, an ordering the kernel does not have.  Only a concurrent
	 * double free racing with this allocation can slip past. */
	u32 *st = obj_state(w, slab, idx);
	u32 old = READ_ONCE_DEP_AT(*st, obj, "checker:obj_state");
	WRITE_ONCE_DEP_AT(*st, SLAB_OBJ_LIVE, obj, "checker:obj_state");
	if (unlikely(old != SLAB_OBJ_FREE))
		SS_FAIL(SS_FAIL_INVARIANT,
			"allocator handed out object %p (index %u), already live", obj, idx);
}

static void *slab_alloc_node(struct kmem_cache *s, unsigned gfp)
{
	void *obj = alloc_from_pcs(s, gfp);
	if (unlikely(!obj))
		return NULL;
	checker_alloc(s->world, s, virt_to_slab(s->world, obj), obj);
	/* slab_post_alloc_hook */
	memcg_slab_post_alloc_hook(s, gfp, &obj, 1);
	return obj;
}

static void slab_free(struct kmem_cache *s, struct slab *slab, void *obj)
{
	memcg_slab_free_hook(s, slab, &obj, 1);
	if (s->object_size >= SLAB_POISON_OFFSET + sizeof(long))
		PLAIN_STORE_DEP(*(unsigned long *)((char *)obj + SLAB_POISON_OFFSET), SLAB_POISON,
				obj);
	free_to_pcs(s, obj);
}

static void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	struct slab_world *w = s->world;
	struct slab *slab = virt_to_slab(w, obj);

	if (unlikely(!slab)) {
		SS_FAIL(SS_FAIL_INVARIANT, "free of %p, which is outside the slab arena", obj);
		return;
	}
	char *addr = slab_address(w, slab);
	unsigned idx = obj_to_index(s, slab, obj, addr);
	if (unlikely(idx >= s->objects || addr + (size_t)idx * s->size != (char *)obj)) {
		SS_FAIL(SS_FAIL_INVARIANT, "free of %p, which is not at an object boundary", obj);
		return;
	}
	/* Marked load + store (see checker_alloc): sequential double frees are caught,
	 * two CPUs freeing one object at the same instant may not be.  The word's
	 * address is computed from obj: it depends on obj's load. */
	u32 *st = obj_state(w, slab, idx);
	u32 old = READ_ONCE_DEP_AT(*st, obj, "checker:obj_state");
	WRITE_ONCE_DEP_AT(*st, SLAB_OBJ_FREE, obj, "checker:obj_state");
	if (unlikely(old != SLAB_OBJ_LIVE)) {
		SS_FAIL(SS_FAIL_DOUBLE_FREE,
			"free of object %p (slab %lu index %u), which is already free", obj,
			(unsigned long)(slab - w->slabs), idx);
		return;
	}
	slab_free(s, slab, obj);
}

/* ---- world ------------------------------------------------------------------------------------
 */

static unsigned roundup_pow_of_two(unsigned long x)
{
	unsigned long r = 1;
	while (r < x)
		r <<= 1;
	return (unsigned)r;
}

static int calculate_sizes(struct kmem_cache *s, const struct ss_alloc_config *cfg, char *err,
			   size_t errlen)
{
	unsigned long page = cfg->page_size;
	unsigned long size =
	    ALIGN_UP(cfg->object_size < 8 ? 8UL : (unsigned long)cfg->object_size, 8UL);
	unsigned long per;
	int order = -1;

	s->object_size = (unsigned)cfg->object_size;
	s->offset = 0;
	if (cfg->objext == SS_OBJEXT_IN_OBJECT) {
		size = roundup_pow_of_two(size + sizeof(struct slabobj_ext));
		s->inobj_ext_offset = (unsigned)(size - sizeof(struct slabobj_ext));
		s->flags |= SLAB_OBJ_EXT_IN_OBJ;
	}
	s->size = (unsigned)size;
	per = size + (cfg->objext == SS_OBJEXT_LEFTOVER ? sizeof(struct slabobj_ext) : 0);

	for (int o = 0; o <= SLAB_MAX_ORDER && order < 0; o++) {
		unsigned long sz = page << o, n = sz / per;
		if (n >= SLAB_MIN_OBJECTS && sz - n * per <= sz / 16)
			order = o;
	}
	for (int o = 0; o <= SLAB_MAX_ORDER && order < 0; o++)
		if ((page << o) / per >= SLAB_MIN_OBJECTS)
			order = o;
	if (order < 0 && (page << SLAB_MAX_ORDER) / per >= 1)
		order = SLAB_MAX_ORDER;
	for (int o = SLAB_MAX_ORDER + 1; o <= 16 && order < 0; o++)
		if ((page << o) / per >= 1)
			order = o;
	if (order < 0) {
		snprintf(err, errlen, "object size %zu is too large for page size %zu",
			 cfg->object_size, cfg->page_size);
		return -1;
	}
	s->order = (unsigned)order;
	s->slab_size = page << order;
	unsigned long n = s->slab_size / per;
	if (n > SLAB_OBJECTS_MASK)
		n = SLAB_OBJECTS_MASK;
	if (cfg->objext == SS_OBJEXT_LEFTOVER) {
		while (n &&
		       ALIGN_UP(n * size, 16UL) + n * sizeof(struct slabobj_ext) > s->slab_size)
			n--;
		s->leftover_offset = (unsigned)ALIGN_UP(n * size, 16UL);
	}
	s->objects = (unsigned)n;
	s->reciprocal_size = ((1ULL << 32) + size - 1) / size;
	s->sheaf_capacity = size <= 256 ? 32 : size <= 1024 ? 16 : size <= page ? 8 : 4;
	unsigned lg = 63 - (unsigned)__builtin_clzl(size);
	s->min_partial = lg / 2 < 5 ? 5 : lg / 2 > 10 ? 10 : lg / 2;
	return 0;
}

/* Back to zero: memset for a few pages, MADV_DONTNEED (the kernel hands back
 * zero pages on the next touch) for the whole pages of a large range, where most
 * pages were never touched and memset would fault every one of them in. */
#define SLAB_ZERO_MADVISE (64UL << 10)

static void arena_zero(char *p, size_t len)
{
	if (len >= SLAB_ZERO_MADVISE) {
		uintptr_t lo = ALIGN_UP((uintptr_t)p, (uintptr_t)4096);
		uintptr_t hi = ((uintptr_t)p + len) & ~(uintptr_t)4095;
		if (hi > lo && !madvise((void *)lo, hi - lo, MADV_DONTNEED)) {
			memset(p, 0, lo - (uintptr_t)p);
			memset((void *)hi, 0, (uintptr_t)p + len - hi);
			return;
		}
	}
	memset(p, 0, len);
}

/* Everything a reset puts back: after it, every byte an execution can read is
 * what it was right after slab_world_create, so an execution is a pure function
 * of (config, schedule) and never sees a value an earlier one left behind (a
 * stale read that returned the previous execution's identical fill pattern made
 * reproducers replay a different failure).  The parts of the arena are:
 *   header (this struct, cache, node, barn, memcg ctx with its stocks), per-CPU
 *     sheaf pointers                          rewritten below / by memcg_ctx_init
 *   slabs[], obj_state[], slab pages          zeroed up to pages_hwm (nothing
 *     above it was touched since the previous reset)
 *   obj_exts vectors                          zeroed up to vecs_hwm
 *   sheaves, objcgs, memcgs                   zeroed whole (small)
 * Raw stores: no role runs, and the emulator takes memory as it is at the start
 * of an execution as its initial state.  slab_world_hash() checks the claim. */
static void world_init(struct slab_world *w)
{
	struct kmem_cache *s = &w->cache;

	if (w->pages_hwm > w->pages_hwm_max)
		w->pages_hwm_max = w->pages_hwm;
	if (w->vecs_hwm > w->vecs_hwm_max)
		w->vecs_hwm_max = w->vecs_hwm;
	memset(w->slabs, 0, w->pages_hwm * sizeof(struct slab));
	memset(w->obj_state, 0, w->pages_hwm * s->objects * SLAB_STATE_STRIDE * sizeof(u32));
	arena_zero(w->pages, w->pages_hwm * s->slab_size);
	memset(w->vecs, 0, w->vecs_hwm * w->vec_size);
	w->pages_hwm = 0;
	w->vecs_hwm = 0;
	w->page_free = NULL;
	w->vec_free = NULL;
	w->nr_free_slabs = w->nslabs;
	w->nr_reserved.counter = 0;
	spin_lock_init(&w->page_lock);
	spin_lock_init(&w->vec_lock);

	memset(&s->node, 0, sizeof(s->node));
	spin_lock_init(&s->node.list_lock);
	memset(&w->barn, 0, sizeof(w->barn));
	spin_lock_init(&w->barn.lock);
	s->node.barn = &w->barn;

	memset(w->sheaf_mem, 0, w->nsheaves * w->sheaf_bytes);
	for (unsigned i = 0; i < w->nsheaves; i++) {
		struct slab_sheaf *sh = (struct slab_sheaf *)(w->sheaf_mem + i * w->sheaf_bytes);
		sh->capacity = s->sheaf_capacity;
		if (i < 2u * (unsigned)w->ncpus) {
			if (i % 2 == 0)
				s->cpu_sheaves[i / 2].main = sh;
			else
				s->cpu_sheaves[i / 2].spare = sh;
		} else {
			sh->barn_next = w->barn.sheaves_empty;
			w->barn.sheaves_empty = sh;
			w->barn.nr_empty++;
		}
	}
	memcg_ctx_init(&w->memcg, w->objcgs, w->memcgs, w->cfg.nobjcgs, w->cfg.page_size);
	memcg_set_atomic_refs(&w->memcg, w->cfg.objcg_atomic);
}

static void *slab_world_create(const struct ss_alloc_config *cfg_in, char *err, size_t errlen)
{
	struct ss_alloc_config cfg = *cfg_in;
	struct kmem_cache geo;

	if (!cfg.page_size)
		cfg.page_size = 4096;
	if (!cfg.object_size)
		cfg.object_size = 64;
	if (!cfg.stride_bits)
		cfg.stride_bits = ss_variant_default_stride_bits(cfg.variant);
	if (cfg.ncpus <= 0)
		cfg.ncpus = 1;
	if (cfg.nobjcgs <= 0)
		cfg.nobjcgs = 1;
	if (!cfg.max_objects)
		cfg.max_objects = 4096;
	if ((unsigned)cfg.variant >= SS_NVARIANTS) {
		snprintf(err, errlen, "unknown slab variant %d", (int)cfg.variant);
		return NULL;
	}
	if (cfg.stride_bits != 16 && cfg.stride_bits != 32) {
		snprintf(err, errlen, "stride bits %u: expected 16 or 32", cfg.stride_bits);
		return NULL;
	}
	if (cfg.page_size < 256 || (cfg.page_size & (cfg.page_size - 1))) {
		snprintf(err, errlen, "page size %zu: expected a power of two >= 256",
			 cfg.page_size);
		return NULL;
	}
	if (cfg.ncpus > SS_MAX_CPUS) {
		snprintf(err, errlen, "%d CPUs: at most %d", cfg.ncpus, SS_MAX_CPUS);
		return NULL;
	}
	if (cfg.nobjcgs > SS_MAX_OBJCGS) {
		snprintf(err, errlen, "%d objcgs: at most %d", cfg.nobjcgs, SS_MAX_OBJCGS);
		return NULL;
	}
	memset(&geo, 0, sizeof(geo));
	if (calculate_sizes(&geo, &cfg, err, errlen))
		return NULL;

	/* Sizing: live objects plus everything sheaves and the barn can hold, twice
	 * over for fragmentation, plus a slab per CPU and the partial-list minimum. */
	unsigned long cached =
	    (unsigned long)cfg.ncpus * 2 * geo.sheaf_capacity + BARN_SHEAVES * geo.sheaf_capacity;
	unsigned long nslabs = 2 * ((cfg.max_objects + cached + geo.objects - 1) / geo.objects) +
			       2 * (unsigned long)cfg.ncpus + geo.min_partial + 8;
	if (nslabs * geo.slab_size > SLAB_ARENA_MAX)
		nslabs = SLAB_ARENA_MAX / geo.slab_size;
	if (nslabs < 2) {
		snprintf(err, errlen, "slabs of %lu bytes do not fit the arena", geo.slab_size);
		return NULL;
	}
	unsigned nsheaves = 2 * (unsigned)cfg.ncpus + BARN_SHEAVES;
	size_t vec_size = ALIGN_UP((size_t)geo.objects * sizeof(struct slabobj_ext), (size_t)64);
	unsigned long nvecs = nslabs + (unsigned long)cfg.ncpus + 1;
	size_t sheaf_bytes =
	    ALIGN_UP(sizeof(struct slab_sheaf) + geo.sheaf_capacity * sizeof(void *), (size_t)64);

	size_t off = ALIGN_UP(sizeof(struct slab_world), (size_t)4096);
	size_t o_pcs = off;
	off = ALIGN_UP(off + (size_t)cfg.ncpus * sizeof(struct slub_percpu_sheaves), (size_t)64);
	size_t o_slabs = off;
	off = ALIGN_UP(off + nslabs * sizeof(struct slab), (size_t)64);
	size_t o_state = off;
	off = ALIGN_UP(off + nslabs * geo.objects * SLAB_STATE_STRIDE * sizeof(u32), (size_t)64);
	size_t o_vecs = off;
	off = ALIGN_UP(off + nvecs * vec_size, (size_t)64);
	size_t o_sheaves = off;
	off = ALIGN_UP(off + nsheaves * sheaf_bytes, (size_t)64);
	size_t o_objcgs = off;
	off = ALIGN_UP(off + (size_t)cfg.nobjcgs * sizeof(struct obj_cgroup), (size_t)64);
	size_t o_memcgs = off;
	off = ALIGN_UP(off + (size_t)cfg.nobjcgs * sizeof(struct mem_cgroup), (size_t)4096);
	size_t o_pages = off;
	size_t len = off + nslabs * geo.slab_size;

	char *arena = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		snprintf(err, errlen, "cannot map a %zu-byte slab arena: %s", len, strerror(errno));
		return NULL;
	}
	struct slab_world *w = (struct slab_world *)arena;
	w->cfg = cfg;
	w->cache = geo;
	w->cache.variant = cfg.variant;
	w->cache.stride_bits = cfg.stride_bits;
	w->cache.placement = cfg.objext;
	if (cfg.account)
		w->cache.flags |= SLAB_ACCOUNT;
	w->cache.world = w;
	w->cache.cpu_sheaves = (struct slub_percpu_sheaves *)(arena + o_pcs);
	w->ncpus = cfg.ncpus;
	w->arena = arena;
	w->arena_len = len;
	w->pages = arena + o_pages;
	w->nslabs = nslabs;
	w->slabs = (struct slab *)(arena + o_slabs);
	w->obj_state = (u32 *)(arena + o_state);
	w->vecs = arena + o_vecs;
	w->nvecs = nvecs;
	w->vec_size = vec_size;
	w->sheaf_mem = arena + o_sheaves;
	w->nsheaves = nsheaves;
	w->sheaf_bytes = sheaf_bytes;
	w->objcgs = (struct obj_cgroup *)(arena + o_objcgs);
	w->memcgs = (struct mem_cgroup *)(arena + o_memcgs);
	w->pages_hwm = 0;
	w->vecs_hwm = 0;
	world_init(w);
	return w;
}

static void slab_world_reset(void *world)
{
	world_init(W(world));
}

/* One word's share of the hash: nothing for a zero word, so memory never written
 * (zero since the mmap) adds nothing and the ranges may grow with the high-water
 * marks without changing the hash of an unchanged image. */
static inline u64 hash_word(u64 off, u64 v)
{
	if (!v)
		return 0;
	u64 z = (off * 0x9e3779b97f4a7c15ULL) ^ v;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 hash_range(const struct slab_world *w, const void *p, size_t len)
{
	const char *c = p;
	u64 h = 0;
	for (size_t i = 0; i + sizeof(u64) <= len; i += sizeof(u64)) {
		u64 v;
		memcpy(&v, c + i, sizeof(v));
		h += hash_word((u64)(c + i - w->arena), v);
	}
	return h;
}

/* Every part of the arena an execution can read, up to the largest high-water
 * marks any execution reached (above them the arena is still all zero): the
 * header and per-CPU sheaf pointers, struct slabs, checker words, vectors,
 * sheaves, objcgs, memcgs and the slab pages. */
static unsigned long long slab_world_hash(void *world)
{
	struct slab_world *w = W(world);
	struct kmem_cache *s = &w->cache;
	size_t hwm = w->pages_hwm > w->pages_hwm_max ? w->pages_hwm : w->pages_hwm_max;
	size_t vhwm = w->vecs_hwm > w->vecs_hwm_max ? w->vecs_hwm : w->vecs_hwm_max;
	size_t bookkeeping = offsetof(struct slab_world, pages_hwm_max);
	u64 h = hash_range(w, w, bookkeeping);
	h += hash_range(w, (char *)w + sizeof(*w),
			(size_t)((char *)w->slabs - (char *)w) - sizeof(*w));
	h += hash_range(w, w->slabs, hwm * sizeof(struct slab));
	h += hash_range(w, w->obj_state, hwm * s->objects * SLAB_STATE_STRIDE * sizeof(u32));
	h += hash_range(w, w->vecs, vhwm * w->vec_size);
	h += hash_range(w, w->sheaf_mem, w->nsheaves * w->sheaf_bytes);
	h += hash_range(w, w->objcgs, (size_t)w->cfg.nobjcgs * sizeof(struct obj_cgroup));
	h += hash_range(w, w->memcgs, (size_t)w->cfg.nobjcgs * sizeof(struct mem_cgroup));
	h += hash_range(w, w->pages, hwm * s->slab_size);
	return h;
}

static void slab_world_destroy(void *world)
{
	struct slab_world *w = W(world);
	if (w)
		munmap(w->arena, w->arena_len);
}

static void *slab_op_alloc(void *world, unsigned gfp)
{
	return slab_alloc_node(&W(world)->cache, gfp);
}

static void slab_op_free(void *world, void *obj)
{
	kmem_cache_free(&W(world)->cache, obj);
}

/* ---- quiescence: drain, walk, account ----------------------------------------------------------
 */

int slab_check_invariants(void *world)
{
	struct slab_world *w = W(world);
	struct kmem_cache *s = &w->cache;
	unsigned long hwm = PLAIN_LOAD(w->pages_hwm);
	unsigned long total_inuse = 0, live = 0, nr_partial = 0, nr_listed = 0;
	unsigned char seen[(SLAB_OBJECTS_MASK + 8) / 8];
	int nfail = 0;

	for (unsigned long i = 0; i < hwm; i++) {
		struct slab *slab = &w->slabs[i];
		if (!PLAIN_LOAD(slab->allocated))
			continue;
		char *addr = slab_address(w, slab);
		u64 c = PLAIN_LOAD(slab->counters);
		unsigned inuse = counters_inuse(c), objects = counters_objects(c);
		if (objects != s->objects) {
			SS_FAIL(SS_FAIL_INVARIANT, "slab %lu has objects %u, the cache %u", i,
				objects, s->objects);
			nfail++;
			continue;
		}
		memset(seen, 0, (objects + 7) / 8);
		unsigned count = 0;
		void *p = PLAIN_LOAD(slab->freelist);
		while (p) {
			size_t off = (size_t)((char *)p - addr);
			if ((char *)p < addr || off >= (size_t)objects * s->size || off % s->size) {
				SS_FAIL(SS_FAIL_INVARIANT,
					"slab %lu freelist holds %p, not an object of the slab", i,
					p);
				nfail++;
				break;
			}
			unsigned idx = (unsigned)(off / s->size);
			if (seen[idx / 8] & (1u << (idx % 8))) {
				SS_FAIL(SS_FAIL_INVARIANT,
					"slab %lu freelist has a cycle at index %u", i, idx);
				nfail++;
				break;
			}
			seen[idx / 8] |= (unsigned char)(1u << (idx % 8));
			if (READ_ONCE(*obj_state(w, slab, idx)) == SLAB_OBJ_LIVE) {
				SS_FAIL(SS_FAIL_INVARIANT,
					"slab %lu freelist holds live object %p (index %u)", i, p,
					idx);
				nfail++;
			}
			count++;
			p = get_freepointer(s, p);
		}
		if (count != objects - inuse) {
			SS_FAIL(SS_FAIL_INVARIANT,
				"slab %lu has %u objects on its freelist, expected objects %u - "
				"inuse %u",
				i, count, objects, inuse);
			nfail++;
		}
		if (PLAIN_LOAD(slab->on_partial)) {
			nr_listed++;
			if (!PLAIN_LOAD(slab->freelist)) {
				SS_FAIL(SS_FAIL_INVARIANT,
					"slab %lu is full but on the partial list", i);
				nfail++;
			}
		}
		total_inuse += inuse;
		for (unsigned k = 0; k < objects; k++)
			live += READ_ONCE(*obj_state(w, slab, k)) == SLAB_OBJ_LIVE;
	}
	nr_partial = PLAIN_LOAD(s->node.nr_partial);
	if (nr_partial != nr_listed) {
		SS_FAIL(SS_FAIL_INVARIANT,
			"nr_partial is %lu but %lu slabs are on the partial list", nr_partial,
			nr_listed);
		nfail++;
	}
	/* After a drain, inuse counts exactly the live objects plus reserved ones. */
	unsigned long reserved = (unsigned long)atomic_long_read(&w->nr_reserved);
	if (total_inuse != live + reserved) {
		SS_FAIL(SS_FAIL_INVARIANT,
			"slabs count %lu objects in use, but %lu are live and %lu reserved",
			total_inuse, live, reserved);
		nfail++;
	}
	return nfail;
}

void slab_drain_sheaves(void *world)
{
	struct slab_world *w = W(world);
	struct kmem_cache *s = &w->cache;
	int saved = ss_cpu_id;

	for (int cpu = 0; cpu < w->ncpus; cpu++) {
		struct slub_percpu_sheaves *pcs = &s->cpu_sheaves[cpu];
		ss_cpu_id = cpu;
		sheaf_flush(s, pcs->main);
		if (pcs->spare)
			sheaf_flush(s, pcs->spare);
	}
	ss_cpu_id = 0;
	barn_shrink(s, &w->barn);
	ss_cpu_id = saved;
}

static int slab_quiesce(void *world)
{
	struct slab_world *w = W(world);
	struct kmem_cache *s = &w->cache;
	int nfail;
	unsigned long charged[SS_MAX_OBJCGS] = {0}, refs[SS_MAX_OBJCGS] = {0};

	slab_drain_sheaves(w);
	memcg_drain_all(&w->memcg, w->ncpus);

	nfail = slab_check_invariants(w);

	/* What live objects hold, from each object's own ext (ground truth). */
	unsigned long hwm = PLAIN_LOAD(w->pages_hwm);
	for (unsigned long i = 0; i < hwm; i++) {
		struct slab *slab = &w->slabs[i];
		if (!PLAIN_LOAD(slab->allocated))
			continue;
		unsigned long base = PLAIN_LOAD(slab->obj_exts) & ~OBJEXTS_FLAGS_MASK;
		if (!base)
			continue;
		char *addr = slab_address(w, slab);
		for (unsigned k = 0; k < s->objects; k++) {
			if (READ_ONCE(*obj_state(w, slab, k)) != SLAB_OBJ_LIVE)
				continue;
			struct obj_cgroup *cg = PLAIN_LOAD(own_ext(s, addr, base, k)->objcg);
			if (cg && memcg_is_objcg(&w->memcg, cg)) {
				charged[cg->id] += obj_full_size(s);
				refs[cg->id]++;
			}
		}
	}
	nfail += memcg_check_quiesce(&w->memcg, charged, refs);
	return nfail;
}

/* ---- slab-specific API
 * --------------------------------------------------------------------------- */

struct kmem_cache *slab_world_cache(void *world)
{
	return &W(world)->cache;
}

struct memcg_ctx *slab_world_memcg(void *world)
{
	return &W(world)->memcg;
}

struct slabobj_ext *slab_own_ext(void *world, const void *obj)
{
	struct slab_world *w = W(world);
	struct slab *slab = virt_to_slab(w, obj);
	if (!slab)
		return NULL;
	unsigned long base = PLAIN_LOAD(slab->obj_exts) & ~OBJEXTS_FLAGS_MASK;
	if (!base)
		return NULL;
	char *addr = slab_address(w, slab);
	return own_ext(&w->cache, addr, base, obj_to_index(&w->cache, slab, obj, addr));
}

bool slab_check_live(void *world, const void *obj)
{
	struct slab_world *w = W(world);
	struct slab *slab = virt_to_slab(w, obj);
	if (!slab) {
		SS_FAIL(SS_FAIL_USE_AFTER_FREE, "access to %p, which is no slab object", obj);
		return false;
	}
	unsigned idx = obj_to_index(&w->cache, slab, obj, slab_address(w, slab));
	u32 st = READ_ONCE(*obj_state(w, slab, idx));
	if (st != SLAB_OBJ_LIVE) {
		SS_FAIL(SS_FAIL_USE_AFTER_FREE, "access to object %p (index %u) after it was freed",
			obj, idx);
		return false;
	}
	return true;
}

unsigned long slab_nr_free_slabs(void *world)
{
	struct slab_world *w = W(world);
	unsigned long nr;
	spin_lock(&w->page_lock);
	nr = PLAIN_LOAD(w->nr_free_slabs);
	spin_unlock(&w->page_lock);
	return nr;
}

struct slab *slab_reserve_from_new_slab(void *world, void **objs, unsigned n)
{
	struct slab_world *w = W(world);
	struct kmem_cache *s = &w->cache;
	struct slab *slab;

	if (n == 0 || n > s->objects)
		return NULL;
	slab = new_slab(s, 0);
	if (!slab)
		return NULL;
	unsigned got = alloc_from_new_slab(s, slab, objs, n);
	atomic_long_add((long)got, &w->nr_reserved);
	return slab;
}

void *slab_alloc_reserved(void *world, void *obj, unsigned gfp)
{
	struct slab_world *w = W(world);
	struct kmem_cache *s = &w->cache;
	struct slab *slab = virt_to_slab(w, obj);

	if (!slab)
		return NULL;
	atomic_long_sub(1L, &w->nr_reserved);
	checker_alloc(w, s, slab, obj);
	memcg_slab_post_alloc_hook(s, gfp, &obj, 1);
	return obj;
}

/* Provenance inference (emu --deps provenance/check): what the code reaches by
 * address arithmetic from a pointer into a slab page: the rest of its object slot
 * (content, free pointer, in-object ext), its struct slab (virt_to_slab, a
 * separate array) and its checker word.  Not the rest of the page: other
 * objects are reached through other pointers.  A pointer into other arena memory
 * (an objcg, an obj_exts vector, a struct slab) reaches that structure only. */
static int slab_dep_blocks(void *world, uintptr_t p, uintptr_t *lo, uintptr_t *hi, int max)
{
	struct slab_world *w = W(world);
	struct kmem_cache *s = &w->cache;
	struct slab *slab = slab_of_addr(w, (const void *)p); /* no dependency calls here */
	if (max < 3)
		return 0;
	if (!slab) {
		/* Other arena memory: the structure p points into, not the pages. */
		const char *c = (const char *)p;
		const char *objcgs = (const char *)w->objcgs;
		if (c < w->arena || c >= w->arena + w->arena_len)
			return 0;
		lo[0] = p;
		if (c >= objcgs && c < objcgs + (size_t)w->cfg.nobjcgs * sizeof(struct obj_cgroup))
			hi[0] = (uintptr_t)objcgs +
				((size_t)(c - objcgs) / sizeof(struct obj_cgroup) + 1) *
				    sizeof(struct obj_cgroup);
		else if (c >= w->vecs && c < w->vecs + w->nvecs * w->vec_size)
			hi[0] = (uintptr_t)w->vecs +
				((size_t)(c - w->vecs) / w->vec_size + 1) * w->vec_size;
		else if (c >= (const char *)w->slabs && c < (const char *)(w->slabs + w->nslabs))
			hi[0] = p + sizeof(struct slab);
		else
			hi[0] = p + w->cfg.page_size < (uintptr_t)w->pages ? p + w->cfg.page_size
									   : (uintptr_t)w->pages;
		return 1;
	}
	char *addr = w->pages + (size_t)(slab - w->slabs) * s->slab_size;
	unsigned idx = obj_to_index(s, slab, (const void *)p, addr);
	int n = 0;
	if (idx < s->objects) {
		lo[n] = (uintptr_t)addr + (uintptr_t)idx * s->size;
		hi[n++] = lo[0] + s->size;
		lo[n] = (uintptr_t)obj_state(w, slab, idx);
		hi[n] = lo[n] + sizeof(u32);
		n++;
	} else {
		lo[n] = p; /* the leftover vector at the slab's tail */
		hi[n++] = (uintptr_t)addr + s->slab_size;
	}
	lo[n] = (uintptr_t)slab;
	hi[n] = lo[n] + sizeof(*slab);
	return n + 1;
}

const struct ss_alloc_ops ss_alloc_slab = {
    .name = "slab",
    .summary = "model of v7.0-rc1 SLUB: sheaves, obj_exts/stride, memcg charge/uncharge",
    .caps = SS_CAP_MEMCG | SS_CAP_CONTENT | SS_CAP_DOUBLE_FREE,
    .world_create = slab_world_create,
    .world_reset = slab_world_reset,
    .world_destroy = slab_world_destroy,
    .alloc = slab_op_alloc,
    .free = slab_op_free,
    .quiesce = slab_quiesce,
    .world_hash = slab_world_hash,
    .dep_blocks = slab_dep_blocks,
};
