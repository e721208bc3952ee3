/* scenarios/locked_slot.c - the locked accesses of `spinlock` and `consumer-lock`
 * (declared in locked_slot.h): the consumer's take of both, the producer's
 * publish of `spinlock`.
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

	slot_drain_at(w, &s->sl);
	spin_lock_init(&s->lock);
}

void *locked_slot_take(struct slot *sl)
{
	struct locked_slot_state *s = locked_slot_of(sl);
	void *obj = NULL;

	if (BRANCH_ON(READ_ONCE(s->slot) != NULL)) {
		spin_lock(&s->lock);
		obj = READ_ONCE(s->slot);
		if (BRANCH_ON(obj != NULL))
			WRITE_ONCE(s->slot, NULL);
		spin_unlock(&s->lock);
	}
	return obj;
}

bool locked_slot_publish(struct slot *sl, void *obj)
{
	struct locked_slot_state *s = locked_slot_of(sl);
	bool put = false;

	spin_lock(&s->lock);
	if (!BRANCH_ON(READ_ONCE(s->slot) != NULL)) {
		WRITE_ONCE(s->slot, obj);
		put = true;
	}
	spin_unlock(&s->lock);
	return put;
}
