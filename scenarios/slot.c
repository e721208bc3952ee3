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
	if (obj)
		WRITE_ONCE(s->slot, NULL);
	return obj;
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
		while (READ_ONCE(s->slot) || !ops->publish(s, obj)) {
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

		while (!(obj = ops->take(s))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		ss_obj_consume(w, role, obj, ss_handoff_tag(w, i));
		if (ops->after_free)
			ops->after_free(s);
	}
}
