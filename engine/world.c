/* engine/world.c - world lifetime (see world.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/world.h"

static unsigned long long splitmix64(unsigned long long *x)
{
	unsigned long long z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void seed_rngs(struct ss_world *w, unsigned long long seed)
{
	unsigned long long s = seed;
	for (int r = 0; r < SS_MAX_ROLES; r++)
		w->rng[r] = splitmix64(&s);
}

struct ss_world *ss_world_create(const struct ss_scenario *scn, const struct ss_alloc_ops *alloc,
				 const struct ss_alloc_config *acfg, unsigned long iters,
				 unsigned long long seed, char *err, size_t errlen)
{
	struct ss_world *w = aligned_alloc(64, (sizeof(*w) + 63) & ~(size_t)63);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	static volatile int never_stop;
	memset(w, 0, sizeof(*w));
	w->stop = &never_stop;
	w->scn = scn;
	w->alloc = alloc;
	w->acfg = acfg;
	w->iters = iters;
	w->batch = 1;
	size_t st = (scn->state_size + 63) & ~(size_t)63;
	w->state = aligned_alloc(64, st ? st : 64);
	if (!w->state) {
		snprintf(err, errlen, "out of memory");
		free(w);
		return NULL;
	}
	memset(w->state, 0, st ? st : 64);
	w->alloc_world = alloc->world_create(acfg, err, errlen);
	if (!w->alloc_world) {
		free(w->state);
		free(w);
		return NULL;
	}
	seed_rngs(w, seed);
	return w;
}

struct ss_world *ss_world_create_sibling(const struct ss_world *first, unsigned long long seed,
					 char *err, size_t errlen)
{
	struct ss_world *w = aligned_alloc(64, (sizeof(*w) + 63) & ~(size_t)63);
	size_t st = (first->scn->state_size + 63) & ~(size_t)63;
	if (!w || !(w->state = aligned_alloc(64, st ? st : 64))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	void *state = w->state;
	memcpy(w, first, sizeof(*w));
	w->state = state;
	memset(w->state, 0, st ? st : 64);
	memset(w->ctr, 0, sizeof(w->ctr));
	w->shares_alloc = true;
	seed_rngs(w, seed);
	return w;
}

void ss_world_reset(struct ss_world *w, unsigned long long seed)
{
	w->alloc->world_reset(w->alloc_world);
	memset(w->state, 0, (w->scn->state_size + 63) & ~(size_t)63);
	memset(w->ctr, 0, sizeof(w->ctr));
	w->round = 0;
	seed_rngs(w, seed);
}

unsigned long long ss_world_hash(const struct ss_world *w)
{
	/* FNV-1a over the bytes roles read outside the allocator: the scenario
	 * state, the per-round fields, the PRNGs and counters. */
	unsigned long long h = 0xcbf29ce484222325ULL;
	const unsigned char *parts[] = {w->state,
					(const unsigned char *)&w->iters,
					(const unsigned char *)&w->batch,
					(const unsigned char *)&w->round,
					(const unsigned char *)w->rng,
					(const unsigned char *)w->ctr};
	size_t lens[] = {(w->scn->state_size + 63) & ~(size_t)63,
			 sizeof(w->iters),
			 sizeof(w->batch),
			 sizeof(w->round),
			 sizeof(w->rng),
			 sizeof(w->ctr)};
	for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
		for (size_t i = 0; i < lens[p]; i++)
			h = (h ^ parts[p][i]) * 0x100000001b3ULL;
	if (w->alloc->world_hash)
		h ^= w->alloc->world_hash(w->alloc_world);
	return h;
}

void ss_world_destroy(struct ss_world *w)
{
	if (!w)
		return;
	if (!w->shares_alloc)
		w->alloc->world_destroy(w->alloc_world);
	free(w->state);
	free(w);
}
