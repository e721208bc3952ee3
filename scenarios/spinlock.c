/* scenarios/spinlock.c - the `spinlock` handoff: the pointer is put into and taken
 * from the slot under one spinlock on both sides (slub-model.md §5 row 6).
 *
 * spin_unlock() is a release and spin_lock() an acquire, so the consumer's
 * critical section happens after the producer's whenever it reads the pointer the
 * producer stored: the free is ordered after the producer's initialising stores.
 * Both sides peek at the slot without the lock first so that a waiting CPU does
 * not bounce the lock's line; the peek decides nothing.
 */
#include "scenarios/locked_slot.h"

static void spinlock_alloc_role(struct ss_world *w, int role)
{
	struct locked_slot_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "spinlock: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, locked_slot_tag(w, i));
		ss_jitter(w, role);
		for (;;) {
			if (!READ_ONCE(s->slot)) {
				bool put = false;
				spin_lock(&s->lock);
				if (!READ_ONCE(s->slot)) {
					WRITE_ONCE(s->slot, obj);
					put = true;
				}
				spin_unlock(&s->lock);
				if (put)
					break;
			}
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
	}
}

const struct ss_scenario ss_scn_spinlock = {
    .name = "spinlock",
    .summary = "pointer put and taken under one spinlock on both sides (correct)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_CORRECT,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct locked_slot_state),
    .needs_account = true,
    .reset = locked_slot_drain,
    .role = {spinlock_alloc_role, locked_slot_free_role},
    .check = locked_slot_drain,
    .details = "Producer: spin_lock(&l); gp = obj; spin_unlock(&l). Consumer: spin_lock(&l); p "
	       "= gp; gp = NULL; spin_unlock(&l); kfree(p). LKMM's locking rules make unlock a "
	       "release and lock an acquire, so a critical section that reads the pointer is "
	       "ordered after the one that stored it, with everything before it. Holds only "
	       "when both sides take the same lock (slub-model.md section 5 row 6; compare "
	       "consumer-lock).",
};
