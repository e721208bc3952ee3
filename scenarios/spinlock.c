/* scenarios/spinlock.c - the `spinlock` handoff: the pointer is put into and taken
 * from the slot under one spinlock on both sides (slub-model.md §5 row 6).
 *
 * spin_unlock() is a release and spin_lock() an acquire, so the consumer's
 * critical section happens after the producer's whenever it reads the pointer the
 * producer stored: the free is ordered after the producer's initialising stores.
 * Both sides peek at the slot without the lock first so that a waiting CPU does
 * not bounce the lock's line; the peek decides nothing.  The roles are slot.c's,
 * the locked accesses locked_slot.c's.
 */
#include "scenarios/locked_slot.h"

const struct ss_scenario ss_scn_spinlock = {
    .name = "spinlock",
    .handoff = SS_HANDOFF_CORRECT,
    LOCKED_SLOT_SCENARIO(locked_slot_publish, locked_slot_take),
    .params = {SLOT_PARAM_ITERS},
    .summary = "pointer put and taken under one spinlock on both sides (correct)",
    .details = "Producer: spin_lock(&l); gp = obj; spin_unlock(&l). Consumer: spin_lock(&l); p "
	       "= gp; gp = NULL; spin_unlock(&l); kfree(p). LKMM's locking rules make unlock a "
	       "release and lock an acquire, so a critical section that reads the pointer is "
	       "ordered after the one that stored it, with everything before it. Holds only "
	       "when both sides take the same lock (slub-model.md section 5 row 6; compare "
	       "consumer-lock).",
};
