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

const struct ss_scenario ss_scn_consumer_lock = {
    .name = "consumer-lock",
    .handoff = SS_HANDOFF_BROKEN,
    /* BROKEN on purpose: no lock on the producer, so no release before its store. */
    LOCKED_SLOT_SCENARIO(slot_publish_once, locked_slot_take),
    .params = {SLOT_PARAM_ITERS},
    .summary = "only the freeing side takes the lock, as the old tty flush (broken)",
    .details = "Producer: WRITE_ONCE(gp, obj) without the lock. Consumer: spin_lock(&l); p = "
	       "gp; gp = NULL; spin_unlock(&l); kfree(p). Under LKMM a lock orders only "
	       "critical sections of the same lock; with no release on the producer side the "
	       "freeing CPU may see the pointer before the object's content and metadata. This "
	       "is tty_buffer_flush() holding buf->lock while __tty_buffer_request_room() "
	       "linked buffers unlocked, before 9e6b7cd7e77d (slub-model.md section 4.2).",
};
