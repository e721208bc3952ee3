/* scenarios/locked_slot.h - a one-pointer slot whose consumer takes and empties
 * it under a spinlock: the state and the freeing side shared by `spinlock` (the
 * producer takes the same lock) and `consumer-lock` (it does not).  Each
 * scenario file has its own producer role; the difference under test is there.
 */
#ifndef SS_LOCKED_SLOT_H
#define SS_LOCKED_SLOT_H

#include "scenarios/scenario.h"

/* The scenario state of both scenarios (their .state_size). */
struct locked_slot_state {
	spinlock_t lock; /* always taken by the consumer; by the producer in `spinlock` */
	void *slot;	 /* NULL when empty */
} __attribute__((aligned(64)));

/* One tag per handoff: the consumer takes the objects in the order they were
 * published, so the i-th take expects the i-th fill. */
static inline unsigned long locked_slot_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent (reset and check): frees what a stopped round left in the slot. */
void locked_slot_drain(struct ss_world *w);

/* The freeing role: takes the pointer under the lock, verifies, frees. */
void locked_slot_free_role(struct ss_world *w, int role);

#endif /* SS_LOCKED_SLOT_H */
