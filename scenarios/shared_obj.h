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

#include "scenarios/scenario.h"

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
	void *slot; /* the shared object on its way to the second user */
	struct shared_obj_hdr ring[SHARED_OBJ_RING];
} __attribute__((aligned(64)));

/* How a scenario handles its count; each is one kernel/ access (or RMW). */
struct shared_obj_ops {
	void (*set)(struct shared_obj_hdr *h, int n);
	int (*read)(struct shared_obj_hdr *h); /* only to wait; decides nothing */
	bool (*put)(struct shared_obj_hdr *h); /* drops a reference: true = free */
};

/* Quiescent (reset and check): frees an object still in the slot. */
void shared_obj_drain(struct ss_world *w);

/* The roles: the owner allocates, shares, writes and drops; the user drops. */
void shared_obj_owner(struct ss_world *w, int role, const struct shared_obj_ops *ops);
void shared_obj_user(struct ss_world *w, int role, const struct shared_obj_ops *ops);

#endif /* SS_SHARED_OBJ_H */
