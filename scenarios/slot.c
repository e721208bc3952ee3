/* scenarios/slot.c - the roles and the drain shared by the single-slot handoffs
 * (declared in slot.h, which says what is shared and what each scenario adds).
 *
 * Waiting for the slot to empty, or to fill, is not the ordering under test: it
 * only keeps one object in flight.  The ordering is in the scenario's ops.
 */
#include "scenarios/slot.h"

static struct slot *slot_of(struct ss_world *w)
{
	const struct slot_ops *ops = w->scn->role_ops;

	return (struct slot *)((char *)w->state + ops->slot_offset);
}

void slot_drain_at(struct ss_world *w, struct slot *s)
{
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

void slot_drain(struct ss_world *w)
{
	slot_drain_at(w, slot_of(w));
}

void *slot_empty_if(struct slot *s, void *obj)
{
	if (BRANCH_ON(obj != NULL))
		WRITE_ONCE(s->slot, NULL);
	return obj;
}

/* The consumer's accesses after a plain or READ_ONCE load of the pointer are
 * ordered only by their address dependency on it (what the pointer is for, in
 * release-dep), or by nothing at all (plain, once: their producers order
 * nothing). */
bool slot_publish_plain(struct slot *s, void *obj)
{
	PLAIN_STORE(s->slot, obj);
	return true;
}

bool slot_publish_once(struct slot *s, void *obj)
{
	WRITE_ONCE(s->slot, obj);
	return true;
}

bool slot_publish_release(struct slot *s, void *obj)
{
	smp_store_release(&s->slot, obj);
	return true;
}

bool slot_publish_rcu(struct slot *s, void *obj)
{
	rcu_assign_pointer(s->slot, obj);
	return true;
}

/* Value-returning RMWs are fully ordered; a failed cmpxchg orders nothing, so the
 * slot protocol checks that each one did what it must: only the producer fills
 * an empty slot and only the consumer empties it, so every one succeeds. */
bool slot_publish_xchg(struct slot *s, void *obj)
{
	void *old = xchg(&s->slot, obj);
	if (BRANCH_ON(old != NULL))
		SS_FAIL(SS_FAIL_INVARIANT, "xchg: slot held %p, expected empty", old);
	return true;
}

void *slot_take_xchg(struct slot *s)
{
	void *obj = READ_ONCE(s->slot);
	if (!BRANCH_ON(obj != NULL))
		return NULL;
	void *got = xchg(&s->slot, (void *)NULL);
	if (BRANCH_ON(got != obj))
		SS_FAIL(SS_FAIL_INVARIANT, "xchg: took %p, polled %p", got, obj);
	return got;
}

bool slot_publish_cmpxchg(struct slot *s, void *obj)
{
	void *old = cmpxchg(&s->slot, (void *)NULL, obj);
	if (BRANCH_ON(old != NULL))
		SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg: slot held %p, expected empty", old);
	return true;
}

void *slot_take_cmpxchg(struct slot *s)
{
	void *obj = READ_ONCE(s->slot);
	if (BRANCH_ON(obj != NULL) && BRANCH_ON(cmpxchg(&s->slot, obj, (void *)NULL) != obj)) {
		SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg: the slot changed under its consumer");
		return NULL;
	}
	return obj;
}

bool slot_publish_cmpxchg_relaxed(struct slot *s, void *obj)
{
	if (BRANCH_ON(cmpxchg_relaxed(&s->slot, (void *)NULL, obj) != NULL))
		SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg_relaxed: slot held an object, expected empty");
	return true;
}

void *slot_take_cmpxchg_relaxed(struct slot *s)
{
	void *obj = READ_ONCE(s->slot);
	if (BRANCH_ON(obj != NULL) &&
	    BRANCH_ON(cmpxchg_relaxed(&s->slot, obj, (void *)NULL) != obj)) {
		SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg_relaxed: the slot changed under its consumer");
		return NULL;
	}
	return obj;
}

void *slot_take_plain(struct slot *s)
{
	return slot_empty_if(s, PLAIN_LOAD(s->slot));
}

void *slot_take_once(struct slot *s)
{
	return slot_empty_if(s, READ_ONCE(s->slot));
}

void slot_producer(struct ss_world *w, int role)
{
	const struct slot_ops *ops = w->scn->role_ops;
	struct slot *s = slot_of(w);

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc_filled(w, role, i, ss_handoff_tag(w, i));
		if (!obj)
			return;
		ss_jitter(w, role);
		while (BRANCH_ON(READ_ONCE(s->slot) != NULL) || !BRANCH_ON(ops->publish(s, obj))) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
	}
}

void slot_consumer(struct ss_world *w, int role)
{
	const struct slot_ops *ops = w->scn->role_ops;
	struct slot *s = slot_of(w);

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!BRANCH_ON((obj = ops->take(s)) != NULL)) {
			if (!ss_spin_wait(w, role))
				return;
		}
		ss_obj_consume(w, role, obj, ss_handoff_tag(w, i));
		if (ops->after_free)
			ops->after_free(s);
	}
}
