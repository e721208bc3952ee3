/* scenarios/consumer_lock.c - the `consumer-lock` handoff: only the freeing side
 * takes the lock, as tty_buffer_flush() did with buf->lock while the producer
 * (__tty_buffer_request_room) linked buffers without it (slub-model.md §4.2, §5
 * row 6).
 *
 * A lock orders critical sections against each other, nothing else: the
 * producer never releases the lock, so its initialising stores are not ordered
 * before its pointer store, and the consumer's lock acquire precedes (does not
 * follow) its read of the pointer.  The only defect is the missing producer-side
 * lock (or release); everything else is the `spinlock` scenario.
 */
#include "scenarios/scenario.h"

struct consumer_lock_state {
	spinlock_t lock; /* the flusher's lock; the producer never takes it */
	void *slot;	 /* NULL when empty */
} __attribute__((aligned(64)));

static unsigned long consumer_lock_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Quiescent: free what a stopped round left in the slot. */
static void consumer_lock_drain(struct ss_world *w)
{
	struct consumer_lock_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
	spin_lock_init(&s->lock);
}

static void consumer_lock_alloc_role(struct ss_world *w, int role)
{
	struct consumer_lock_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "consumer-lock: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, consumer_lock_tag(w, i));
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

static void consumer_lock_free_role(struct ss_world *w, int role)
{
	struct consumer_lock_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = NULL;

		for (;;) {
			if (READ_ONCE(s->slot)) {
				spin_lock(&s->lock);
				obj = READ_ONCE(s->slot);
				if (obj)
					WRITE_ONCE(s->slot, NULL);
				spin_unlock(&s->lock);
				if (obj)
					break;
			}
			if (!ss_spin_wait(w, role))
				return;
		}
		ss_obj_verify(w, obj, consumer_lock_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_consumer_lock = {
    .name = "consumer-lock",
    .summary = "only the freeing side takes the lock, as the old tty flush (broken)",
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .handoff = SS_HANDOFF_BROKEN,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct consumer_lock_state),
    .needs_account = true,
    .reset = consumer_lock_drain,
    .role = {consumer_lock_alloc_role, consumer_lock_free_role},
    .check = consumer_lock_drain,
    .details = "Producer: WRITE_ONCE(gp, obj) without the lock. Consumer: spin_lock(&l); p = "
	       "gp; gp = NULL; spin_unlock(&l); kfree(p). Under LKMM a lock orders only "
	       "critical sections of the same lock; with no release on the producer side the "
	       "freeing CPU may see the pointer before the object's content and metadata. This "
	       "is tty_buffer_flush() holding buf->lock while __tty_buffer_request_room() "
	       "linked buffers unlocked, before 9e6b7cd7e77d (slub-model.md section 4.2).",
};
