/* alloc/slab.c - a user-space model of v7.0-rc1 SLUB with obj_exts, stride and
 * memcg hooks ("sheaves for all"), faithful in the accesses that matter for
 * ordering.  Function names follow mm/slub.c so the two read side by side;
 * reference/slub-model.md §1-§3 is the spec.  This file is the mirror only: the
 * page and vector pools under it are alloc/slab_pages.c, the checker and the
 * quiescence walkers alloc/slab_check.c, the arena and its geometry
 * alloc/slab_world.c, the test API alloc/slab_test.c (alloc/slab_internal.h).
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
 *      Each variant is a row of switches (results/knobs.h, s->switches):
 *      stride=late|early, wmb-after-stride, inobj-order, rmb-before-stride,
 *      stride-access=plain|once (READ_ONCE/WRITE_ONCE), obj-exts-read=once|
 *      acquire (the hooks' load of obj_exts); --variant custom --set mixes them.
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
 * Geometry (calculate_sizes / calculate_order, simplified; alloc/slab_world.c):
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
#include <errno.h>

#include "alloc/slab_internal.h"
#include "kernel/bug.h"

/* The variant's switches (results/knobs.h): s->switches holds one bit each. */
static inline bool sw(const struct kmem_cache *s, enum ss_slab_switch which)
{
	return s->switches & SS_SW(which);
}

/* ---- struct slab accessors ------------------------------------------------------------ */

/* Address arithmetic: the result carries the dependencies of its input. */
void *slab_address(struct slab_world *w, const struct slab *slab)
{
	void *addr = w->pages + (size_t)(slab - w->slabs) * w->cache.slab_size;
	return ss_dep_derive_from(addr, slab);
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

unsigned slab_inuse(struct slab *slab)
{
	return counters_inuse(PLAIN_LOAD(slab->counters));
}

unsigned slab_objects(struct slab *slab)
{
	return counters_objects(PLAIN_LOAD(slab->counters));
}

static inline void set_freepointer(const struct kmem_cache *s, void *obj, void *fp)
{
	PLAIN_STORE(*freeptr_addr(s, obj), fp);
}

/* Plain (stride-access=once: WRITE_ONCE) store of the stride member alone: a u16
 * store truncates. */
void slab_set_stride(struct kmem_cache *s, struct slab *slab, unsigned stride)
{
	if (sw(s, SS_SW_STRIDE_ONCE)) {
		if (s->stride_bits == 16)
			WRITE_ONCE(slab->stride16, (u16)stride);
		else
			WRITE_ONCE(slab->stride32, (u32)stride);
	} else if (s->stride_bits == 16) {
		PLAIN_STORE(slab->stride16, (u16)stride);
	} else {
		PLAIN_STORE(slab->stride32, (u32)stride);
	}
}

/* The stride's dependencies (for the ext address it goes into) are those of the
 * CPU's last load right after: ss_dep_last(). */
unsigned slab_get_stride(struct kmem_cache *s, struct slab *slab)
{
	if (sw(s, SS_SW_RMB_BEFORE_STRIDE))
		smp_rmb(); /* patch [5]: pairs with the smp_wmb()s of the writer */
	if (sw(s, SS_SW_STRIDE_ONCE))
		return s->stride_bits == 16 ? READ_ONCE_DEP(slab->stride16, slab)
					    : READ_ONCE_DEP(slab->stride32, slab);
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

/* The memcg hooks' slab_obj_exts(): obj-exts-read=acquire makes it an acquire load
 * (a patch idea: it orders the stride load after it without an smp_rmb()). */
static unsigned long hook_obj_exts(const struct kmem_cache *s, struct slab *slab)
{
	if (!sw(s, SS_SW_OBJEXTS_ACQUIRE))
		return slab_obj_exts(slab);
	unsigned long v = SS_LOAD_DEP__(slab->obj_exts, SS_ACC_ACQUIRE, slab, "slab->obj_exts");
	if (unlikely(v && (!(v & MEMCG_DATA_OBJEXTS) || (v & MEMCG_DATA_KMEM))))
		SS_FAIL(SS_FAIL_INVARIANT, "slab %p obj_exts is 0x%lx (VM_BUG_ON: bad flags)",
			(void *)slab, v);
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
	/* stride=late (rc1): a plain stride store, made while the slab may already be
	 * shared. */
	if (!sw(s, SS_SW_STRIDE_EARLY)) {
		slab_set_stride(s, slab, sizeof(struct slabobj_ext));
		if (sw(s, SS_SW_WMB_AFTER_STRIDE))
			smp_wmb();
	}
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
	if (sw(s, SS_SW_STRIDE_EARLY)) {
		slab_set_stride(s, slab, sizeof(struct slabobj_ext));
		if (sw(s, SS_SW_WMB_AFTER_STRIDE))
			smp_wmb(); /* patch [5]: stride before any later obj_exts publish */
	}
	if (!need_slab_obj_exts(s))
		return;

	if (s->placement == SS_OBJEXT_LEFTOVER && s->leftover_offset) {
		unsigned long base = (unsigned long)(addr + s->leftover_offset);
		zero_exts(s, base, sizeof(struct slabobj_ext));
		PLAIN_STORE(slab->obj_exts, base | MEMCG_DATA_OBJEXTS);
		if (!sw(s, SS_SW_STRIDE_EARLY))
			slab_set_stride(s, slab, sizeof(struct slabobj_ext));
	} else if (s->flags & SLAB_OBJ_EXT_IN_OBJ) {
		unsigned long base = (unsigned long)(addr + s->inobj_ext_offset);
		zero_exts(s, base, s->size);
		if (sw(s, SS_SW_INOBJ_STRIDE_FIRST)) {
			slab_set_stride(s, slab, s->size);
			if (sw(s, SS_SW_WMB_AFTER_STRIDE))
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

struct slab *new_slab(struct kmem_cache *s, unsigned gfp)
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
void barn_shrink(struct kmem_cache *s, struct node_barn *barn)
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
unsigned alloc_from_new_slab(struct kmem_cache *s, struct slab *slab, void **p, unsigned count)
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

void sheaf_flush(struct kmem_cache *s, struct slab_sheaf *sheaf)
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

/* ---- memcg hooks (mm/slub.c) ------------------------------------------------------------ */

static bool __memcg_slab_post_alloc_hook(struct kmem_cache *s, unsigned flags, void **p,
					 size_t size)
{
	struct slab_world *w = s->world;
	struct obj_cgroup *objcg = current_obj_cgroup(&w->memcg);

	for (size_t i = 0; i < size; i++) {
		struct slab *slab = virt_to_slab(w, p[i]);
		const char *addr = slab_address(w, slab);
		unsigned long obj_exts;

		if (!hook_obj_exts(s, slab) && alloc_slab_obj_exts(slab, s, flags, false))
			continue; /* no vector: the object stays uncharged */
		obj_cgroup_charge(&w->memcg, objcg, obj_full_size(s));

		obj_exts = hook_obj_exts(s, slab);
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

bool memcg_slab_post_alloc_hook(struct kmem_cache *s, unsigned flags, void **p, size_t size)
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
	unsigned long obj_exts = hook_obj_exts(s, slab);
	if (!obj_exts)
		return;
	__memcg_slab_free_hook(s, slab, p, objects, obj_exts);
}

/* ---- alloc and free entry points ------------------------------------------------------- */

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

void *slab_op_alloc(void *world, unsigned gfp)
{
	return slab_alloc_node(&W(world)->cache, gfp);
}

void slab_op_free(void *world, void *obj)
{
	kmem_cache_free(&W(world)->cache, obj);
}
