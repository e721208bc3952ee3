/* scenarios/locked_slot.c - the consumer side of `spinlock` and `consumer-lock`
 * (declared in locked_slot.h).
 *
 * spin_lock() is an acquire and spin_unlock() a release, so what the consumer
 * reads in its critical section is ordered after a critical section of the same
 * lock that stored it; whether the producer has one is up to the scenario.  The
 * consumer peeks at the slot without the lock first so that a waiting CPU does
 * not bounce the lock's line; the peek decides nothing.
 */
#include "scenarios/locked_slot.h"

void locked_slot_drain(struct ss_world *w)
{
	struct locked_slot_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
	spin_lock_init(&s->lock);
}

void locked_slot_free_role(struct ss_world *w, int role)
{
	struct locked_slot_state *s = w->state;

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
		ss_obj_verify(w, obj, locked_slot_tag(w, i));
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}
