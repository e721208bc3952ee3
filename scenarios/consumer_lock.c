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
 * the freeing side are locked_slot.c's, the roles slot.c's).
 */
#include "scenarios/locked_slot.h"

static bool consumer_lock_publish(struct slot *sl, void *obj)
{
	struct locked_slot_state *s = locked_slot_of(sl);

	/* BROKEN on purpose: no lock here, so no release before the store. */
	WRITE_ONCE(s->slot, obj);
	return true;
}

const struct ss_scenario ss_scn_consumer_lock = {
    .name = "consumer-lock",
    .summary = "only the freeing side takes the lock, as the old tty flush (broken)",
    .handoff = SS_HANDOFF_BROKEN,
    LOCKED_SLOT_SCENARIO,
    .role_ops = &(const struct slot_ops){.publish = consumer_lock_publish,
					 .take = locked_slot_take,
					 .slot_offset = offsetof(struct locked_slot_state, sl)},
    .params = {SLOT_PARAM_ITERS},
    .details = "Producer: WRITE_ONCE(gp, obj) without the lock. Consumer: spin_lock(&l); p = "
	       "gp; gp = NULL; spin_unlock(&l); kfree(p). Under LKMM a lock orders only "
	       "critical sections of the same lock; with no release on the producer side the "
	       "freeing CPU may see the pointer before the object's content and metadata. This "
	       "is tty_buffer_flush() holding buf->lock while __tty_buffer_request_room() "
	       "linked buffers unlocked, before 9e6b7cd7e77d (slub-model.md section 4.2).",
};
