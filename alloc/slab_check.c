/* alloc/slab_check.c - the SLUB model's checker: what the kernel does not do but a
 * test needs.  The ground truth of an object's ext comes from the cache geometry,
 * never from the stride the slab holds; every object slot has a checker word (live
 * or free, alloc/slab_internal.h obj_state) read and written with READ_ONCE /
 * WRITE_ONCE, so the emulator sees it without it adding ordering.  At quiescence
 * (no role running) the invariant walker checks freelists against the counters
 * and the live marks, and slab_quiesce compares what live objects hold with the
 * memcg counters.
 */
#include <string.h>

#include "alloc/slab_internal.h"
#include "kernel/bug.h"

/* ---- ground truth from geometry ------------------------------------------------------- */

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

/* Declared in alloc/slab_internal.h (the memcg hooks call it). */
struct slabobj_ext *check_ext(struct kmem_cache *s, const char *addr, const void *obj, unsigned idx,
			      unsigned long base, unsigned stride, struct slabobj_ext *ext,
			      const char *what)
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

/* ---- live marks ---------------------------------------------------------------------------- */

/* Checker, on the allocating CPU: the object must have been free and untouched. */
void checker_alloc(struct slab_world *w, struct kmem_cache *s, struct slab *slab, void *obj)
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

/* ---- quiescence: walk, account ---------------------------------------------------------- */

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

int slab_quiesce(void *world)
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
