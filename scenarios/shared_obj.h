/* scenarios/shared_obj.h - an object shared by two CPUs through a reference count,
 * freed by whichever drops the last reference: the code behind `refcount` and
 * `pid-fastpath`, which differ only in how a reference is dropped (each passes
 * its own struct shared_obj_ops).
 *
 * The owner allocates the object, sets the count to 2, shares it, keeps writing
 * it (the "use"), and drops its reference; the other CPU drops its own.  The
 * freeing CPU verifies the owner's writes made after sharing, which only the
 * reference drop can order before the free.
 */
#ifndef SS_SHARED_OBJ_H
#define SS_SHARED_OBJ_H

#include <stdbool.h>

#include "scenarios/slot.h"

#define SHARED_OBJ_RING 4

/* The count, as the scenario's type: refcount_t or the old pid's atomic_t. */
struct shared_obj_hdr {
	union {
		refcount_t ref;
		atomic_t count;
	};
};

/* The scenario state of both scenarios (their .state_size). */
struct shared_obj_state {
	union {
		void *slot;	/* the shared object on its way to the second user */
		struct slot sl; /* the same pointer, as slot.c's drain sees it */
	};
	struct shared_obj_hdr ring[SHARED_OBJ_RING];
} __attribute__((aligned(64)));

/* How a scenario handles its count; each is one kernel/ access (or RMW).  The
 * descriptor's .role_ops points to it. */
struct shared_obj_ops {
	void (*set)(struct shared_obj_hdr *h, int n);
	int (*read)(struct shared_obj_hdr *h); /* only to wait; decides nothing */
	bool (*put)(struct shared_obj_hdr *h); /* drops a reference: true = free */
};

/* Quiescent (reset and check): frees an object still in the slot. */
void shared_obj_drain(struct ss_world *w);

/* The roles: the owner allocates, shares, writes and drops; the user drops. */
void shared_obj_owner(struct ss_world *w, int role);
void shared_obj_user(struct ss_world *w, int role);

/* The descriptor fields both scenarios share; the file adds name, summary,
 * handoff, params and details. */
#define SHARED_OBJ_SCENARIO(ops)                                                                   \
	.nroles = 2, .role_names = {"owner", "user"},                                              \
	.checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,               \
	.state_size = sizeof(struct shared_obj_state), .needs_account = true,                      \
	.reset = shared_obj_drain, .role = {shared_obj_owner, shared_obj_user},                    \
	.check = shared_obj_drain, .role_ops = (ops), .branches_declared = true

#define SHARED_OBJ_PARAM_ITERS SS_PARAM_ITERS("objects shared and freed per round, one at a time")

#endif /* SS_SHARED_OBJ_H */
