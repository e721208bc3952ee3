/* alloc/alloc.c - the allocator table (the names of variants and placements are
 * results/knobs.c). */
#include <string.h>

#include "alloc/alloc.h"
#include "results/repro.h"

_Static_assert(SS_REPRO_MAX_CPUS == SS_MAX_CPUS, "a reproducer names the CPUs a world may have");

const struct ss_alloc_ops *const ss_allocators[] = {
    &ss_alloc_slab,
    &ss_alloc_jemalloc,
    &ss_alloc_libc,
    NULL,
};

const struct ss_alloc_ops *ss_alloc_find(const char *name)
{
	for (int i = 0; ss_allocators[i]; i++)
		if (!strcmp(ss_allocators[i]->name, name))
			return ss_allocators[i];
	return NULL;
}
