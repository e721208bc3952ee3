/* scenarios/locked_slot.h - a one-pointer slot whose consumer takes and empties
 * it under a spinlock: the state and the freeing side shared by `spinlock` (the
 * producer takes the same lock) and `consumer-lock` (it does not).  Both run the
 * single-slot skeleton (slot.h) and differ only in the publish each names:
 * locked_slot_publish, or slot_publish_once (no lock: the defect under test).
 */
#ifndef SS_LOCKED_SLOT_H
#define SS_LOCKED_SLOT_H

#include <stddef.h>

#include "scenarios/slot.h"

/* The scenario state of both scenarios (their .state_size). */
struct locked_slot_state {
	spinlock_t lock; /* always taken by the consumer; by the producer in `spinlock` */
	union {
		void *slot;	/* NULL when empty */
		struct slot sl; /* the same pointer, as slot.c sees it */
	};
} __attribute__((aligned(64)));

static inline struct locked_slot_state *locked_slot_of(struct slot *sl)
{
	return (struct locked_slot_state *)((char *)sl - offsetof(struct locked_slot_state, sl));
}

/* Quiescent (reset and check): frees what a stopped round left in the slot. */
void locked_slot_drain(struct ss_world *w);

/* The consumer's take: peeks without the lock, then takes the pointer under it. */
void *locked_slot_take(struct slot *sl);
/* A publish under the lock (`spinlock`): called when the producer saw the slot
 * empty, it looks again under the lock and stores only if it still is. */
bool locked_slot_publish(struct slot *sl, void *obj);

/* The descriptor fields both share (slot.h's, with this state). */
#define LOCKED_SLOT_SCENARIO(publish_, take_)                                                      \
	SLOT_SCENARIO_OPS(struct locked_slot_state, locked_slot_drain, .publish = (publish_),      \
			  .take = (take_), .slot_offset = offsetof(struct locked_slot_state, sl))

#endif /* SS_LOCKED_SLOT_H */
