/* alloc/slab_pages.c - the two allocators under the SLUB model: the page allocator
 * (a free stack of slab descriptors, each with its pages, under page_lock as
 * zone->lock) and the kmalloc of separate obj_exts vectors (a free stack under
 * vec_lock).  Both hand out memory of the world's arena, bottom up to a high-water
 * mark, so a reset only has to zero what was used (alloc/slab_world.c).
 * Everything is PLAIN under its lock: the lock is what orders it.
 */
#include "alloc/slab_internal.h"

struct slab *alloc_slab_page(struct slab_world *w)
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

void free_slab_page(struct slab_world *w, struct slab *slab)
{
	spin_lock(&w->page_lock);
	PLAIN_STORE(slab->allocated, 0);
	PLAIN_STORE(slab->free_next, PLAIN_LOAD(w->page_free));
	PLAIN_STORE(w->page_free, slab);
	PLAIN_STORE(w->nr_free_slabs, PLAIN_LOAD(w->nr_free_slabs) + 1);
	spin_unlock(&w->page_lock);
}

bool vec_in_pool(struct slab_world *w, unsigned long base)
{
	return base >= (unsigned long)w->vecs &&
	       base < (unsigned long)w->vecs + w->nvecs * w->vec_size;
}

/* kmalloc of an obj_exts vector (not zeroed: the caller zeroes, like __GFP_ZERO). */
void *vec_alloc(struct slab_world *w)
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

void vec_free(struct slab_world *w, void *v)
{
	spin_lock(&w->vec_lock);
	PLAIN_STORE(*(char **)v, PLAIN_LOAD(w->vec_free));
	PLAIN_STORE(w->vec_free, (char *)v);
	spin_unlock(&w->vec_lock);
}
