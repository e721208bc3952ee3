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
/* Debug: a hash of every byte of the world an execution can read (scenario state,
 * per-round fields, and the allocator's memory where its backend can enumerate
 * it).  The emulator compares it before every execution with the first one's
 * when SLABSTRESS_CHECK_RESET is set: a difference means the reset missed
 * something and executions are not independent. */
unsigned long long ss_world_hash(const struct ss_world *w);
void ss_world_destroy(struct ss_world *w);

#endif /* SS_WORLD_H */
