/* scenarios/llist.c - the `llist` handoff: llist_add() on the producer,
 * llist_del_all() on the consumer (slub-model.md §5 row 7).
 *
 * llist_add is a READ_ONCE + try_cmpxchg loop whose successful cmpxchg is fully
 * ordered; llist_del_all is an xchg, fully ordered too.  So the consumer's
 * del_all, which reads the producer's node, is ordered after everything the
 * producer did before llist_add().  (The __llist_* non-atomic variants would
 * give no ordering.)
 *
 * The llist_node lives in the object, as in the kernel: after the fill pattern,
 * at the object's tail.  Objects too small to hold both (under 48 bytes) use a
 * node in the scenario state instead, one of LLIST_RING indexed by the handoff
 * number; with one object in flight the entry is free again long before reuse.
 */
#include <stddef.h>

#include "scenarios/scenario.h"

#define LLIST_RING 4

struct llist_hdr {
	struct llist_node node; /* first: node -> hdr is a cast */
	void *obj;		/* the object this node hands off */
};

struct llist_state {
	struct llist_head head;
	struct llist_hdr ring[LLIST_RING]; /* nodes for objects too small to hold one */
} __attribute__((aligned(64)));

static struct llist_hdr *llist_hdr_of(struct ss_world *w, void *obj, unsigned long i)
{
	struct llist_state *s = w->state;
	struct llist_hdr *h = ss_obj_trailer(w, obj, sizeof(*h));

	return h ? h : &s->ring[i % LLIST_RING];
}

/* Quiescent: free what a stopped round left on the list. */
static void llist_drain(struct ss_world *w)
{
	struct llist_state *s = w->state;
	struct llist_node *node = llist_del_all(&s->head);

	while (node) {
		struct llist_hdr *h = (struct llist_hdr *)node;
		node = READ_ONCE(node->next);
		ss_obj_free(w, 0, READ_ONCE(h->obj));
	}
}

static void llist_alloc_role(struct ss_world *w, int role)
{
	struct llist_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "llist: allocation %lu failed", i);
			return;
		}
		struct llist_hdr *h = llist_hdr_of(w, obj, i);
		ss_obj_fill(w, obj, ss_handoff_tag(w, i));
		PLAIN_STORE(h->obj, obj);
		ss_jitter(w, role);
		/* One object in flight; waiting for the empty list orders nothing. */
		while (!BRANCH_ON(llist_empty(&s->head))) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		llist_add(&h->node, &s->head);
	}
}

static void llist_free_role(struct ss_world *w, int role)
{
	struct llist_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		struct llist_node *node;

		while (BRANCH_ON(llist_empty(&s->head))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		node = llist_del_all(&s->head);
		if (!BRANCH_ON(node != NULL)) {
			SS_FAIL(SS_FAIL_INVARIANT, "llist: list emptied under the consumer");
			return;
		}
		if (BRANCH_ON(READ_ONCE(node->next) != NULL))
			SS_FAIL(SS_FAIL_INVARIANT, "llist: more than one node in flight");
		void *obj = PLAIN_LOAD(((struct llist_hdr *)node)->obj);
		ss_obj_consume(w, role, obj, ss_handoff_tag(w, i));
	}
}

const struct ss_scenario ss_scn_llist = {
    .name = "llist",
    .handoff = SS_HANDOFF_CORRECT,
    .branches_declared = true,
    .nroles = 2,
    .role_names = {"alloc", "free"},
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct llist_state),
    .needs_account = true,
    .reset = llist_drain,
    .role = {llist_alloc_role, llist_free_role},
    .check = llist_drain,
    .params = {SS_PARAM_ITERS("handoffs per round, one node in flight at a time")},
    .summary = "llist_add() / llist_del_all() of a node in the object (correct)",
    .details = "Producer: llist_add(&obj->node, &head). Consumer: llist_del_all(&head), then "
	       "kfree() of each node's object. llist_add's successful try_cmpxchg and "
	       "llist_del_all's xchg are fully ordered under LKMM, so the free is ordered "
	       "after the producer's stores; the __llist_* variants would not be. The deferred "
	       "free lists of tty_buffer_free() and many kernel paths hand objects over this "
	       "way (slub-model.md section 5 row 7).",
};
