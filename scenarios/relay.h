/* scenarios/relay.h - the skeleton of the three-CPU relay handoffs (issue 13
 * part 4): `relay-once`, `relay-acquire-release`, `relay-wrc` and
 * `relay-wrc-release`.
 *
 * CPU 0 (alloc) allocates an object and publishes its pointer in slot s1; CPU 1
 * (relay) takes it from s1 and republishes it in slot s2; CPU 2 (free) takes it
 * from s2, checks it and frees it.  What differs, and is what each scenario is
 * about, is its struct relay_ops: the accesses that publish and take on each
 * slot, and whether the object is initialised before the first publish (the
 * fill pattern, checked by ss_obj_consume) or marked ready by CPU 0 *after* it
 * (the WRC shape: CPU 1 waits for the mark, CPU 2 checks it, so the store CPU 2
 * checks is made by a CPU other than the one that hands it the pointer).
 *
 * Each slot holds one object at a time (the single-slot protocol of slot.h, on
 * two slots): a publisher waits (READ_ONCE) until its slot is empty, a taker
 * empties its slot (WRITE_ONCE(NULL)) after taking.  The accesses are kept few:
 * every kernel access is an event for an execution-graph engine.
 */
#ifndef SS_RELAY_H
#define SS_RELAY_H

#include <stdbool.h>

#include "scenarios/slot.h"

struct relay_state {
	struct slot s1; /* alloc -> relay */
	char pad1[64 - sizeof(struct slot)];
	struct slot s2;	    /* relay -> free */
	struct slot parked; /* CPU 1's object when a stopped run made it give up */
} __attribute__((aligned(64)));

struct relay_ops {
	/* CPU 0, once it has seen s1 empty: publishes obj in s1. */
	void (*publish)(struct slot *s1, void *obj);
	/* CPU 1: one attempt to take the object from s1 (NULL: nothing yet); empties s1. */
	void *(*take)(struct slot *s1);
	/* CPU 1, once it has seen s2 empty: republishes obj (what take returned). */
	void (*relay)(struct slot *s2, void *obj);
	/* CPU 2: one attempt to take the object from s2; empties s2. */
	void *(*take_final)(struct slot *s2);
	/* The WRC shape: CPU 0 marks the object ready after publishing it, CPU 1
	 * waits for the mark before relaying, CPU 2 checks the mark (no fill). */
	bool mark_after_publish;
};

/* The roles; they find the scenario's struct relay_ops in w->scn->role_ops. */
void relay_producer(struct ss_world *w, int role);
void relay_middle(struct ss_world *w, int role);
void relay_consumer(struct ss_world *w, int role);
/* Quiescent (reset and check): frees what a stopped round left in s1, s2 or
 * parked. */
void relay_drain(struct ss_world *w);

/* The menu (one primitive each). */
void relay_publish_release(struct slot *s, void *obj); /* smp_store_release */
void *relay_take_once(struct slot *s);		       /* READ_ONCE */
void *relay_take_acquire(struct slot *s);	       /* smp_load_acquire */
/* WRITE_ONCE with a data dependency on the loads obj carries (the take's load,
 * and in the WRC shape the load of the ready mark). */
void relay_relay_once_dep(struct slot *s, void *obj);

/* The descriptor fields every relay scenario shares; the file adds name, summary,
 * handoff, params and details. */
#define RELAY_SCENARIO(...)                                                                        \
	.nroles = 3, .role_names = {"alloc", "relay", "free"},                                     \
	.checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,               \
	.state_size = sizeof(struct relay_state), .needs_account = true, .reset = relay_drain,     \
	.role = {relay_producer, relay_middle, relay_consumer}, .check = relay_drain,              \
	.branches_declared = true, .role_ops = &(const struct relay_ops)                           \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}

#define RELAY_PARAM_ITERS                                                                          \
	SS_PARAM_ITERS("handoffs per round: alloc -> relay -> free, one object per slot")

#endif /* SS_RELAY_H */
