/* scenarios/relay.c - the roles, the menu and the drain of the three-CPU relay
 * handoffs (declared in relay.h, which says what is shared and what each
 * scenario adds).
 *
 * Waiting for a slot to empty, or to fill, is not the ordering under test: it
 * only keeps one object per slot.  The ordering is in the scenario's ops.
 */
#include "scenarios/relay.h"

#include <sched.h>

/* The ready mark of the WRC shape: the object's first word, written by CPU 0
 * after the publish; the tag of the handoff, so a stale word never matches. */
static unsigned long *relay_mark(void *obj)
{
	return obj;
}

/* ss_spin_wait, and natively a sched_yield() every 256 spins: three spinning
 * roles on two CPUs would otherwise hand over only when the scheduler preempts
 * one (milliseconds a handoff).  Under the emulator (ss_kops set) no yield: the
 * schedule decides, and the accesses are unchanged. */
static bool relay_spin(struct ss_world *w, int role)
{
	if (!ss_spin_wait(w, role))
		return false;
	if (!ss_kops && (w->ctr[role].spins & 255) == 0)
		sched_yield();
	return true;
}

void relay_drain(struct ss_world *w)
{
	struct relay_state *st = w->state;

	slot_drain_at(w, &st->s1);
	slot_drain_at(w, &st->s2);
	slot_drain_at(w, &st->parked);
}

void relay_publish_release(struct slot *s, void *obj)
{
	smp_store_release(&s->slot, obj);
}

void *relay_take_once(struct slot *s)
{
	return slot_empty_if(s, READ_ONCE(s->slot));
}

void *relay_take_acquire(struct slot *s)
{
	return slot_empty_if(s, smp_load_acquire(&s->slot));
}

void relay_relay_once_dep(struct slot *s, void *obj)
{
	/* The stored value is obj: a data dependency on the loads it carries. */
	WRITE_ONCE_DEP(s->slot, obj, obj);
}

static void *relay_alloc(struct ss_world *w, int role, unsigned long i, bool fill)
{
	if (fill)
		return ss_obj_alloc_filled(w, role, i, ss_handoff_tag(w, i));
	void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
	if (!obj)
		SS_FAIL(SS_FAIL_INVARIANT, "%s: allocation %lu failed", w->scn->name, i);
	return obj;
}

void relay_producer(struct ss_world *w, int role)
{
	const struct relay_ops *ops = w->scn->role_ops;
	struct relay_state *st = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = relay_alloc(w, role, i, !ops->mark_after_publish);
		if (!obj)
			return;
		ss_jitter(w, role);
		while (BRANCH_ON(READ_ONCE(st->s1.slot) != NULL)) {
			if (!relay_spin(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		ops->publish(&st->s1, obj);
		if (ops->mark_after_publish)
			WRITE_ONCE(*relay_mark(obj), ss_handoff_tag(w, i));
	}
}

/* CPU 1 waits, in the WRC shape, until it sees the mark; the relay then carries
 * the mark load's dependency too (as the control dependency of the wait would:
 * LKMM orders the store after the load either way, and neither is cumulative). */
static void *relay_wait_mark(struct ss_world *w, int role, void *obj, unsigned long tag)
{
	while (BRANCH_ON(READ_ONCE_DEP(*relay_mark(obj), obj) != tag)) {
		if (!relay_spin(w, role))
			return NULL;
	}
	return ss_dep_derive(obj, ss_dep_join(ss_dep_of(obj), ss_dep_last()));
}

void relay_middle(struct ss_world *w, int role)
{
	const struct relay_ops *ops = w->scn->role_ops;
	struct relay_state *st = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!BRANCH_ON((obj = ops->take(&st->s1)) != NULL)) {
			if (!relay_spin(w, role))
				return;
		}
		bool ok =
		    !ops->mark_after_publish || relay_wait_mark(w, role, obj, ss_handoff_tag(w, i));
		while (ok && BRANCH_ON(READ_ONCE(st->s2.slot) != NULL))
			ok = relay_spin(w, role);
		if (!ok) {
			/* Stopped: park the object for the drain (CPU 0 may still
			 * write its mark, so it is not ours to free now). */
			WRITE_ONCE(st->parked.slot, obj);
			return;
		}
		ops->relay(&st->s2, obj);
	}
}

void relay_consumer(struct ss_world *w, int role)
{
	const struct relay_ops *ops = w->scn->role_ops;
	struct relay_state *st = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		unsigned long tag = ss_handoff_tag(w, i);
		void *obj;

		while (!BRANCH_ON((obj = ops->take_final(&st->s2)) != NULL)) {
			if (!relay_spin(w, role))
				return;
		}
		if (!ops->mark_after_publish) {
			ss_obj_consume(w, role, obj, tag);
			continue;
		}
		unsigned long seen = READ_ONCE_DEP(*relay_mark(obj), obj);
		if (BRANCH_ON(seen != tag))
			SS_FAIL(SS_FAIL_STALE_CONTENT,
				"object %p ready mark: saw %#lx, expected %#lx (relayed before the "
				"mark reached this CPU)",
				obj, seen, tag);
		ss_obj_free(w, role, obj);
		ss_count_handoff(w, role);
	}
}
