/* examples/release_acquire_handoff.c - an example scenario file: the minimum a
 * cross-CPU free needs, smp_store_release of the pointer / smp_load_acquire of it
 * (correct: Clean under every model).
 *
 *     slabstress explore -s ./release_acquire_handoff.c --model lkmm
 *     slabstress run     -s ./release_acquire_handoff.c --duration 1
 *
 * One slot in the scenario state carries one object at a time from the "alloc"
 * CPU to the "free" CPU.  The producer allocates and fills the object with plain
 * stores, then publishes it with a release; the consumer polls with an acquire,
 * empties the slot, checks the content (ss_obj_consume) and frees.
 */
#include <slabstress/scenario.h>

struct handoff_state {
	void *slot; /* the object in flight, NULL when empty */
} __attribute__((aligned(64)));

/* Quiescent (before and after each round): free what a stopped round left. */
static void handoff_drain(struct ss_world *w)
{
	struct handoff_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void handoff_producer(struct ss_world *w, int role)
{
	struct handoff_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc_filled(w, role, i, ss_handoff_tag(w, i));
		if (!obj)
			return;
		/* Wait for an empty slot: keeps one object in flight, orders nothing. */
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		smp_store_release(&s->slot, obj); /* the handoff: the fill comes first */
	}
}

static void handoff_consumer(struct ss_world *w, int role)
{
	struct handoff_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!(obj = smp_load_acquire(&s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		WRITE_ONCE(s->slot, NULL);
		ss_obj_consume(w, role, obj, ss_handoff_tag(w, i)); /* verify, free, count */
	}
}

SS_EXPORT_SCENARIO(.name = "release-acquire-handoff",
		   .summary = "example: smp_store_release / smp_load_acquire of the pointer",
		   .nroles = 2, .role_names = {"alloc", "free"},
		   .role = {handoff_producer, handoff_consumer}, .reset = handoff_drain,
		   .check = handoff_drain, .handoff = SS_HANDOFF_CORRECT,
		   .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
		   .state_size = sizeof(struct handoff_state), .needs_account = true,
		   .params = {SS_PARAM_ITERS("handoffs per round, one object in flight")},
		   .details = "Producer: obj = kmalloc(); fill obj; smp_store_release(&slot, obj). "
			      "Consumer: while (!(p = smp_load_acquire(&slot))); slot = NULL; "
			      "check p's content; kfree(p).  The example of "
			      "docs/writing-a-scenario.md.");
