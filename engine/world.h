/* engine/world.h - creating, resetting and destroying a scenario's world.
 *
 * Shared by the engines: the native engine makes one world per run and resets it
 * between rounds only through the scenario's reset hook; the emulator resets the
 * whole world (allocator included) before every execution, so every execution
 * starts from the same state at the same addresses.
 */
#ifndef SS_WORLD_H
#define SS_WORLD_H

#include "scenarios/scenario.h"

/* Allocates the world, the allocator instance and the scenario state.
 * Returns NULL with a message in err on failure. */
struct ss_world *ss_world_create(const struct ss_scenario *scn, const struct ss_alloc_ops *alloc,
				 const struct ss_alloc_config *acfg, unsigned long iters,
				 unsigned long long seed, char *err, size_t errlen);
/* Another instance of the same scenario on the allocator world of `first` (for
 * several producer/consumer pairs): its own scenario state and counters, the
 * same allocator.  Destroying it leaves the allocator to `first`. */
struct ss_world *ss_world_create_sibling(const struct ss_world *first, unsigned long long seed,
					 char *err, size_t errlen);
/* Back to the state right after create: allocator reset, scenario state zeroed,
 * counters cleared, PRNGs reseeded with seed. */
void ss_world_reset(struct ss_world *w, unsigned long long seed);
void ss_world_destroy(struct ss_world *w);

#endif /* SS_WORLD_H */
