/* alloc/slab_names.c - how the allocators name their memory and locations in
 * traces (alloc/alloc.h: ss_alloc_name_regions, ss_alloc_location_name), so that
 * no code above alloc/ reads struct slab_world or knows slab field names.
 *
 * The slab model registers, in lookup order: the struct slab descriptors
 * ("slab"), the slab pages ("page", entries "obj"), the obj_exts vectors ("vec",
 * entries "ext"), the objcgs, the memcgs, the sheaves and the world itself.
 */
#include <string.h>

#include "alloc/slab.h"

static void slab_name_regions(struct slab_world *sw, const struct ss_alloc_config *cfg,
			      ss_region_fn fn, void *ctx)
{
	fn(ctx, (uintptr_t)sw->slabs, sw->nslabs * sizeof(struct slab), sizeof(struct slab), "slab",
	   0, NULL);
	fn(ctx, (uintptr_t)sw->pages, sw->nslabs * sw->cache.slab_size, sw->cache.slab_size, "page",
	   sw->cache.size, "obj");
	if (sw->vecs)
		fn(ctx, (uintptr_t)sw->vecs, sw->nvecs * sw->vec_size, sw->vec_size, "vec",
		   sizeof(struct slabobj_ext), "ext");
	if (sw->objcgs)
		fn(ctx, (uintptr_t)sw->objcgs, (size_t)cfg->nobjcgs * sizeof(*sw->objcgs),
		   sizeof(*sw->objcgs), "objcg", 0, NULL);
	if (sw->memcgs)
		fn(ctx, (uintptr_t)sw->memcgs, (size_t)cfg->nobjcgs * sizeof(*sw->memcgs),
		   sizeof(*sw->memcgs), "memcg", 0, NULL);
	if (sw->sheaf_mem)
		fn(ctx, (uintptr_t)sw->sheaf_mem, sw->nsheaves * sw->sheaf_bytes, sw->sheaf_bytes,
		   "sheaf", 0, NULL);
	fn(ctx, (uintptr_t)sw, sizeof(*sw), 0, "slab_world", 0, NULL);
}

void ss_alloc_name_regions(const struct ss_alloc_ops *ops, void *world,
			   const struct ss_alloc_config *cfg, ss_region_fn fn, void *ctx)
{
	if (ops == &ss_alloc_slab && world)
		slab_name_regions(world, cfg, fn, ctx);
}

const char *ss_alloc_location_name(const char *expr)
{
	static const char *const alias[][2] = {
	    /* the model keeps both widths of the kernel's one field (alloc/slab.h) */
	    {"slab->stride16", "slab->stride"},
	    {"slab->stride32", "slab->stride"},
	};
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(expr, alias[i][0]))
			return alias[i][1];
	return expr;
}
