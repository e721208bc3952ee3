/* alloc/slab_world.c - the SLUB model's arena: cache geometry (calculate_sizes),
 * one mmap'ed arena per world laid out once at create, the reset that puts back
 * every byte an execution can read, the hash that checks that claim, the
 * provenance blocks of a pointer for the emulator, and the ss_alloc_slab
 * descriptor that ties the backend together.  None of it runs while roles run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "alloc/slab_internal.h"

/* ---- geometry -------------------------------------------------------------------------- */

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

/* Fills in the defaults of an ss_alloc_config and checks its ranges. */
static int slab_config_check(struct ss_alloc_config *cfg, char *err, size_t errlen)
{
	if (!cfg->page_size)
		cfg->page_size = 4096;
	if (!cfg->object_size)
		cfg->object_size = 64;
	if (!cfg->stride_bits)
		cfg->stride_bits = ss_variant_default_stride_bits(cfg->variant);
	if (cfg->ncpus <= 0)
		cfg->ncpus = 1;
	if (cfg->nobjcgs <= 0)
		cfg->nobjcgs = 1;
	if (!cfg->max_objects)
		cfg->max_objects = 4096;
	if ((unsigned)cfg->variant > SS_VARIANT_CUSTOM) {
		snprintf(err, errlen, "unknown slab variant %d", (int)cfg->variant);
		return -1;
	}
	if (cfg->variant == SS_VARIANT_CUSTOM && (cfg->switches & ~SS_SW_ALL)) {
		snprintf(err, errlen, "slab switches 0x%x: expected bits of 0x%x", cfg->switches,
			 SS_SW_ALL);
		return -1;
	}
	if (cfg->stride_bits != 16 && cfg->stride_bits != 32) {
		snprintf(err, errlen, "stride bits %u: expected 16 or 32", cfg->stride_bits);
		return -1;
	}
	if (cfg->page_size < 256 || (cfg->page_size & (cfg->page_size - 1))) {
		snprintf(err, errlen, "page size %zu: expected a power of two >= 256",
			 cfg->page_size);
		return -1;
	}
	if (cfg->ncpus > SS_MAX_CPUS) {
		snprintf(err, errlen, "%d CPUs: at most %d", cfg->ncpus, SS_MAX_CPUS);
		return -1;
	}
	if (cfg->nobjcgs > SS_MAX_OBJCGS) {
		snprintf(err, errlen, "%d objcgs: at most %d", cfg->nobjcgs, SS_MAX_OBJCGS);
		return -1;
	}
	return 0;
}

static void *slab_world_create(const struct ss_alloc_config *cfg_in, char *err, size_t errlen)
{
	struct ss_alloc_config cfg = *cfg_in;
	struct kmem_cache geo;

	if (slab_config_check(&cfg, err, errlen))
		return NULL;
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
	w->cache.switches = ss_config_switches(&cfg);
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
    .drain_caches = slab_drain_sheaves,
    .reserve_fresh = slab_op_reserve_fresh,
    .alloc_reserved = slab_alloc_reserved,
};
