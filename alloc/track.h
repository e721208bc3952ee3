/* alloc/track.h - the live-pointer set behind the jemalloc and libc backends.
 *
 * A real allocator cannot tell us that a pointer is freed twice (glibc may
 * abort, jemalloc corrupts its cache), so the wrappers keep every live object in
 * a lock-free open-addressing hash set: alloc inserts, free removes, and a free
 * of a pointer that is not in the set is reported as double-free and never
 * reaches the real allocator.  One CAS per alloc and per free.
 *
 * The set is harness, not model: it uses C11 atomics directly (not kernel/), so
 * the emulator does not see it, and only relaxed ones, so it adds no ordering
 * between the CPUs that a scenario's handoff does not provide.
 */
#ifndef SS_TRACK_H
#define SS_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ss_track {
	uintptr_t *slot; /* 0: never used; 1: removed (tombstone); else a live pointer */
	size_t mask;	 /* slots - 1, slots a power of two */
	unsigned shift;	 /* 64 - log2(slots), for the hash */
};

/* Room for at least 2 * max_objects pointers.  false when out of memory. */
bool ss_track_init(struct ss_track *t, unsigned long max_objects);
void ss_track_destroy(struct ss_track *t);

/* false when the set is full (the pointer is then not tracked). */
bool ss_track_insert(struct ss_track *t, void *p);
/* false when p is not live: a double free or a pointer never allocated. */
bool ss_track_remove(struct ss_track *t, void *p);

/* Quiescent only: calls fn on every live pointer, empties the set (tombstones
 * too) and returns how many there were.  fn may be NULL. */
unsigned long ss_track_drain(struct ss_track *t, void (*fn)(void *p, void *arg), void *arg);
/* Quiescent only: how many pointers are live.  Also clears tombstones, so long
 * runs keep short probe sequences. */
unsigned long ss_track_compact(struct ss_track *t);

#endif /* SS_TRACK_H */
