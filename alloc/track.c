/* alloc/track.c - the live-pointer set (see track.h).
 *
 * Linear probing with tombstones.  A pointer is live at most once at a time
 * (the allocator does not hand out a live address), so insert may take the
 * first empty or removed slot without looking for a duplicate.  Slots only go
 * 0 -> p -> TOMB -> q -> TOMB ..., never back to 0 while roles run, so a live
 * pointer is always found before the first empty slot of its probe sequence.
 *
 * Slots are touched through kernel/ (READ_ONCE, cmpxchg_relaxed) so the emulator
 * sees them too.  The fast paths read slots with relaxed loads.  A freeing CPU that got the
 * pointer through a broken handoff may not see the insert yet (that is the kind
 * of staleness this tool hunts, but in the harness it would read as a false
 * double free), so before reporting "not live" remove looks again with RMWs,
 * which always read the latest value of a slot.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc/track.h"
#include "kernel/kernel.h"

#define TRACK_EMPTY ((uintptr_t)0)
#define TRACK_TOMB  ((uintptr_t)1)

bool ss_track_init(struct ss_track *t, unsigned long max_objects)
{
	size_t want = max_objects < 512 ? 1024 : (size_t)max_objects * 2;
	size_t n = 1;
	unsigned bits = 0;

	while (n < want) {
		n <<= 1;
		bits++;
	}
	t->slot = calloc(n, sizeof(*t->slot));
	if (!t->slot)
		return false;
	t->mask = n - 1;
	t->shift = 64 - bits;
	return true;
}

void ss_track_destroy(struct ss_track *t)
{
	free(t->slot);
	t->slot = NULL;
}

static size_t track_hash(const struct ss_track *t, void *p)
{
	/* Fibonacci hashing of the address without its alignment bits. */
	return (size_t)((((uint64_t)(uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ULL) >> t->shift);
}

bool ss_track_insert(struct ss_track *t, void *p)
{
	uintptr_t v = (uintptr_t)p;
	size_t i = track_hash(t, p);

	for (size_t n = 0; n <= t->mask; n++, i = (i + 1) & t->mask) {
		uintptr_t cur = READ_ONCE(t->slot[i]);
		while (cur == TRACK_EMPTY || cur == TRACK_TOMB) {
			if (try_cmpxchg_relaxed(&t->slot[i], &cur, v))
				return true;
		}
	}
	return false;
}

static bool track_remove_pass(struct ss_track *t, uintptr_t v, bool latest)
{
	size_t i = track_hash(t, (void *)v);

	for (size_t n = 0; n <= t->mask; n++, i = (i + 1) & t->mask) {
		/* latest: an RMW reads the newest value in coherence order; a
		 * no-op cmpxchg (0 -> 0) is one. */
		uintptr_t cur = latest ? cmpxchg_relaxed(&t->slot[i], (uintptr_t)0, (uintptr_t)0)
				       : READ_ONCE(t->slot[i]);
		if (cur == TRACK_EMPTY)
			return false;
		if (cur != v)
			continue;
		/* Two frees of one pointer racing: only one CAS wins. */
		return try_cmpxchg_relaxed(&t->slot[i], &cur, (uintptr_t)TRACK_TOMB);
	}
	return false;
}

bool ss_track_remove(struct ss_track *t, void *p)
{
	uintptr_t v = (uintptr_t)p;

	if (v == TRACK_EMPTY || v == TRACK_TOMB)
		return false;
	return track_remove_pass(t, v, false) || track_remove_pass(t, v, true);
}

unsigned long ss_track_drain(struct ss_track *t, void (*fn)(void *p, void *arg), void *arg)
{
	unsigned long live = 0;

	for (size_t i = 0; i <= t->mask; i++) {
		uintptr_t cur = t->slot[i];
		if (cur != TRACK_EMPTY && cur != TRACK_TOMB) {
			live++;
			if (fn)
				fn((void *)cur, arg);
		}
	}
	memset(t->slot, 0, (t->mask + 1) * sizeof(*t->slot));
	return live;
}

unsigned long ss_track_compact(struct ss_track *t)
{
	unsigned long live = 0;

	for (size_t i = 0; i <= t->mask; i++)
		if (t->slot[i] != TRACK_EMPTY && t->slot[i] != TRACK_TOMB)
			live++;
	if (live == 0) {
		memset(t->slot, 0, (t->mask + 1) * sizeof(*t->slot));
		return 0;
	}
	/* Rare (a leak is being reported): rebuild without tombstones. */
	uintptr_t *keep = malloc(live * sizeof(*keep));
	if (!keep)
		return live;
	unsigned long k = 0;
	for (size_t i = 0; i <= t->mask; i++)
		if (t->slot[i] != TRACK_EMPTY && t->slot[i] != TRACK_TOMB)
			keep[k++] = t->slot[i];
	memset(t->slot, 0, (t->mask + 1) * sizeof(*t->slot));
	for (k = 0; k < live; k++)
		ss_track_insert(t, (void *)keep[k]);
	free(keep);
	return live;
}
