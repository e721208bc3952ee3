/* scenarios/consumer_lock.c - the `consumer-lock` handoff: only the freeing side
 * takes the lock, as tty_buffer_flush() did with buf->lock while the producer
 * (__tty_buffer_request_room) linked buffers without it (slub-model.md §4.2, §5
 * row 6).
 *
 * A lock orders critical sections against each other, nothing else: the
 * producer never releases the lock, so its initialising stores are not ordered
 * before its pointer store, and the consumer's lock acquire precedes (does not
 * follow) its read of the pointer.  The only defect is the missing producer-side
 * lock (or release); everything else is the `spinlock` scenario (the state and
 * the freeing role are locked_slot.c's).
 */
#include "scenarios/locked_slot.h"

static void consumer_lock_alloc_role(struct ss_world *w, int role)
{
	struct locked_slot_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "consumer-lock: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, locked_slot_tag(w, i));
		ss_jitter(w, role);
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		/* BROKEN on purpose: no lock here, so no release before the store. */
		WRITE_ONCE(s->slot, obj);
	}
}

const struct ss_scenario ss_scn_consumer_lock = {
    .name = "consumer-lock",
    .summary = "only the freeing side takes the lock, as the old tty flush (broken)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_BROKEN,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct locked_slot_state),
    .needs_account = true,
    .reset = locked_slot_drain,
    .role = {consumer_lock_alloc_role, locked_slot_free_role},
    .check = locked_slot_drain,
    .details = "Producer: WRITE_ONCE(gp, obj) without the lock. Consumer: spin_lock(&l); p = "
	       "gp; gp = NULL; spin_unlock(&l); kfree(p). Under LKMM a lock orders only "
	       "critical sections of the same lock; with no release on the producer side the "
	       "freeing CPU may see the pointer before the object's content and metadata. This "
	       "is tty_buffer_flush() holding buf->lock while __tty_buffer_request_room() "
	       "linked buffers unlocked, before 9e6b7cd7e77d (slub-model.md section 4.2).",
};
