/* alloc/slab_test.c - the slab-specific API of alloc/slab.h (for white-box tests)
 * and the SLUB model's optional staging ops of alloc/alloc.h (drain_caches,
 * reserve_fresh, alloc_reserved: how the lazy-objexts scenario hands each role an
 * object of one fresh slab without knowing the slab).  All of it runs at
 * quiescence, except slab_alloc_reserved, which a role may call as its CPU.
 */
#include "alloc/slab_internal.h"

struct kmem_cache *slab_world_cache(void *world)
{
	return &W(world)->cache;
}

struct memcg_ctx *slab_world_memcg(void *world)
{
	return &W(world)->memcg;
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

/* ---- alloc/alloc.h staging ops (drain_caches and alloc_reserved are the functions above) -- */

bool slab_op_reserve_fresh(void *world, void **objs, unsigned n, unsigned long keep_free)
{
	if (slab_nr_free_slabs(world) < keep_free)
		return false;
	return slab_reserve_from_new_slab(world, objs, n) != NULL;
}
