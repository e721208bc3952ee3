/* scenarios/shared_obj.c - the shared-object handoff behind `refcount` and
 * `pid-fastpath` (declared in shared_obj.h, which says what it models).
 *
 * The other CPU usually waits until the owner has dropped first (so the free is
 * a cross-CPU one); a quarter of the time it does not, and whichever is last
 * frees.  The count lives in the object after the fill pattern, or, for objects
 * under 40 bytes, in a ring in the scenario state indexed by the handoff number
 * (at most two objects are alive at once).
 */
#include "scenarios/shared_obj.h"

/* The owner's writes before sharing (shared=false) and after (shared=true). */
static unsigned long shared_obj_tag(const struct ss_world *w, unsigned long i, bool shared)
{
	return (((unsigned long)w->round << 32) + i + 1) | (shared ? 1UL << 63 : 0);
}

static struct shared_obj_hdr *shared_obj_hdr_of(struct ss_world *w, void *obj, unsigned long i)
{
	struct shared_obj_state *s = w->state;
	/* The count takes a whole word at the end of the object. */
	struct shared_obj_hdr *h = ss_obj_trailer(w, obj, 8);

	return h ? h : &s->ring[i % SHARED_OBJ_RING];
}

static void shared_obj_put(struct ss_world *w, int role, void *obj, unsigned long i,
			   const struct shared_obj_ops *ops)
{
	if (BRANCH_ON(ops->put(shared_obj_hdr_of(w, obj, i)))) {
		ss_obj_verify(w, obj, shared_obj_tag(w, i, true));
		ss_obj_free(w, role, obj);
	}
}

/* Quiescent: an object still in the slot holds only the slot's reference (the
 * owner always drops its own before it can stop). */
void shared_obj_drain(struct ss_world *w)
{
	struct shared_obj_state *s = w->state;

	slot_drain_at(w, &s->sl);
}

void shared_obj_owner(struct ss_world *w, int role)
{
	const struct shared_obj_ops *ops = w->scn->role_ops;
	struct shared_obj_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc_filled(w, role, i, shared_obj_tag(w, i, false));
		if (!obj)
			return;
		ops->set(shared_obj_hdr_of(w, obj, i), 2);
		while (BRANCH_ON(READ_ONCE(s->slot) != NULL)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		/* Sharing (a lookup under a lock or RCU in the kernel) is a correct
		 * handoff; what is under test is the writes after it, ordered only by
		 * the reference drop. */
		smp_store_release(&s->slot, obj);
		ss_jitter(w, role);
		ss_obj_fill(w, obj, shared_obj_tag(w, i, true));
		shared_obj_put(w, role, obj, i, ops);
	}
}

void shared_obj_user(struct ss_world *w, int role)
{
	const struct shared_obj_ops *ops = w->scn->role_ops;
	struct shared_obj_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!BRANCH_ON((obj = smp_load_acquire(&s->slot)) != NULL)) {
			if (!ss_spin_wait(w, role))
				return;
		}
		WRITE_ONCE(s->slot, NULL);
		ss_jitter(w, role);
		bool stopped = false;
		if (ss_rand(w, role) & 3) {
			/* Let the owner drop first (so that the old put_pid() takes its
			 * shortcut); the read decides nothing, the put below does. */
			while (BRANCH_ON(ops->read(shared_obj_hdr_of(w, obj, i)) != 1)) {
				if (!ss_spin_wait(w, role)) {
					stopped = true;
					break;
				}
			}
		}
		shared_obj_put(w, role, obj, i, ops);
		ss_count_handoff(w, role);
		if (stopped)
			return;
	}
}
