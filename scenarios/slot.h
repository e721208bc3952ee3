/* scenarios/slot.h - the skeleton of the single-slot handoffs: one object in
 * flight through one shared pointer, `plain`, `once`, `release-dep`, `xchg`,
 * `cmpxchg`, `cmpxchg-relaxed`, `rcu`, `rcu-dep`, `spinlock` and `consumer-lock`.
 *
 * What is common lives in slot.c: the producer allocates an object, fills it,
 * and publishes it once the slot is empty; the consumer takes it, verifies the
 * fill, frees it and counts the handoff; reset and check free what a stopped
 * round left in the slot.  What differs, and is what each scenario is about, is
 * in its own file as a struct slot_ops: the producer's access that publishes the
 * pointer and the consumer's accesses that take it.
 *
 * Each op is one attempt: the skeleton spins (ss_spin_wait) between attempts, so
 * an op that finds the slot busy (publish) or empty (take) says so and returns;
 * the producer's look at the slot before each publish is the skeleton's.
 * The ops are called from the roles of this skeleton only, in the order the
 * scenario's code ran before it was split, so a scenario's sequence of kernel/
 * accesses is exactly its own; failures are reported at the site of the access
 * (ss_obj_verify for stale content), never here.
 */
#ifndef SS_SLOT_H
#define SS_SLOT_H

#include <stdbool.h>

#include "scenarios/scenario.h"

/* The slot, wherever a scenario's state keeps it (slot_ops.slot_offset). */
struct slot {
	void *slot; /* the object in transit; NULL when empty */
};

/* The state of the scenarios that need nothing but the slot (their .state_size):
 * alone on its cache line. */
struct slot_state {
	struct slot s;
} __attribute__((aligned(64)));

struct slot_ops {
	/* Producer, called when it has seen the slot empty (READ_ONCE): publish obj
	 * and return true, or return false (nothing published) to look again. */
	bool (*publish)(struct slot *s, void *obj);
	/* Consumer: one attempt to take the object and leave the slot empty; NULL
	 * when there is nothing to take yet (or the slot held something else:
	 * reported). */
	void *(*take)(struct slot *s);
	/* Consumer, optional: after the free (rcu-dep ends its read-side section). */
	void (*after_free)(struct slot *s);
	/* Where the slot is in w->state: 0 for struct slot_state. */
	size_t slot_offset;
};

/* The roles; they find the scenario's struct slot_ops in w->scn->role_ops. */
void slot_producer(struct ss_world *w, int role);
void slot_consumer(struct ss_world *w, int role);

/* Quiescent (reset and check): frees what a stopped round left in the slot. */
void slot_drain(struct ss_world *w);
void slot_drain_at(struct ss_world *w, struct slot *s);

/* For a take: empties the slot when obj (just read from it) is not NULL. */
void *slot_empty_if(struct slot *s, void *obj);

/* The descriptor fields every single-slot scenario shares; the file adds name,
 * summary, handoff, details, .role_ops (its struct slot_ops) and params.  STATE:
 * its state type; DRAIN: its reset and check. */
#define SLOT_SCENARIO_WITH(state, drain)                                                           \
	.nroles = 2, .role_names = {"alloc", "free"},                                              \
	.checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,               \
	.state_size = sizeof(state), .needs_account = true, .reset = drain,                        \
	.role = {slot_producer, slot_consumer}, .check = drain
#define SLOT_SCENARIO SLOT_SCENARIO_WITH(struct slot_state, slot_drain)

/* --iters of every single-slot scenario. */
#define SLOT_PARAM_ITERS SS_PARAM_ITERS("handoffs per round, one object in flight at a time")

#endif /* SS_SLOT_H */
