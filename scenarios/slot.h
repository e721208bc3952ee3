/* scenarios/slot.h - the skeleton of the single-slot handoffs: one object in
 * flight through one shared pointer, `plain`, `once`, `release-dep`, `xchg`,
 * `cmpxchg`, `cmpxchg-relaxed`, `rcu`, `rcu-dep`, `spinlock` and `consumer-lock`.
 *
 * What is common lives in slot.c: the producer allocates an object, fills it,
 * and publishes it once the slot is empty; the consumer takes it, verifies the
 * fill, frees it and counts the handoff; reset and check free what a stopped
 * round left in the slot.  What differs, and is what each scenario is about, is
 * its struct slot_ops: the producer's access that publishes the pointer and the
 * consumer's accesses that take it.  A scenario names the two in its descriptor,
 * SLOT_SCENARIO(publish, take), from the menu below (one primitive each, named by
 * it) or written in its own file when the handoff is more than one primitive
 * (rcu.c, rcu_dep.c), or in the skeleton of a family (locked_slot.c).
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

/* The menu: ready-made ops, each named by the one primitive that is its handoff
 * access (a take's READ_ONCE poll before its RMW only avoids hammering the
 * line).  A scenario names its pair in its descriptor; an access not on the menu
 * is written in the scenario's own file (rcu.c). */
bool slot_publish_plain(struct slot *s, void *obj);	      /* PLAIN_STORE */
bool slot_publish_once(struct slot *s, void *obj);	      /* WRITE_ONCE */
bool slot_publish_release(struct slot *s, void *obj);	      /* smp_store_release */
bool slot_publish_rcu(struct slot *s, void *obj);	      /* rcu_assign_pointer */
bool slot_publish_xchg(struct slot *s, void *obj);	      /* xchg */
bool slot_publish_cmpxchg(struct slot *s, void *obj);	      /* cmpxchg */
bool slot_publish_cmpxchg_relaxed(struct slot *s, void *obj); /* cmpxchg_relaxed */
void *slot_take_plain(struct slot *s);		 /* PLAIN_LOAD, then WRITE_ONCE(NULL) */
void *slot_take_once(struct slot *s);		 /* READ_ONCE, then WRITE_ONCE(NULL) */
void *slot_take_xchg(struct slot *s);		 /* READ_ONCE poll, then xchg(NULL) */
void *slot_take_cmpxchg(struct slot *s);	 /* READ_ONCE poll, then cmpxchg(p, NULL) */
void *slot_take_cmpxchg_relaxed(struct slot *s); /* the same with cmpxchg_relaxed */

/* The descriptor fields every single-slot scenario shares, with its ops: the file
 * adds name, summary, handoff, params and details.  SLOT_SCENARIO(publish, take)
 * for struct slot_state; the _AFTER_FREE form adds slot_ops.after_free. */
#define SLOT_SCENARIO_OPS(state, drain, ...)                                                       \
	.nroles = 2, .role_names = {"alloc", "free"},                                              \
	.checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,               \
	.state_size = sizeof(state), .needs_account = true, .reset = drain,                        \
	.branches_declared = true, .role = {slot_producer, slot_consumer}, .check = drain,         \
	.role_ops = &(const struct slot_ops)                                                       \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
#define SLOT_SCENARIO(publish_, take_)                                                             \
	SLOT_SCENARIO_OPS(struct slot_state, slot_drain, .publish = (publish_), .take = (take_))
#define SLOT_SCENARIO_AFTER_FREE(publish_, take_, after_free_)                                     \
	SLOT_SCENARIO_OPS(struct slot_state, slot_drain, .publish = (publish_), .take = (take_),   \
			  .after_free = (after_free_))

/* --iters of every single-slot scenario. */
#define SLOT_PARAM_ITERS SS_PARAM_ITERS("handoffs per round, one object in flight at a time")

#endif /* SS_SLOT_H */
