/* scenarios/tty_chain.c - the tty buffer chain behind `tty-flush-old` and
 * `tty-flush` (declared in tty_chain.h, which says what the chain models).
 *
 * The producer appends only when the flusher has caught up with the tail, so the
 * chain holds at most two buffers.  `next` lives in the buffer after the fill
 * pattern, or, for buffers under 40 bytes, in a ring in the scenario state
 * indexed by the buffer number (at most three buffers are alive at once).
 *
 * The two accesses under test, the link store and the flusher's load of
 * head->next, each have one call site per ordering so that a trace names the
 * primitive the scenario uses.
 */
#include "scenarios/tty_chain.h"

const struct tty_chain_ops tty_chain_plain_plain = {.ordered = false};
const struct tty_chain_ops tty_chain_release_acquire = {.ordered = true};

/* Buffer k is initialised with its "empty" tag and, just before it is linked to
 * its successor, written with its "data" tag, which the flusher expects. */
static unsigned long tty_tag(const struct ss_world *w, unsigned long k, bool data)
{
	return (((unsigned long)w->round << 32) + k + 1) | (data ? 1UL << 63 : 0);
}

static struct tty_hdr *tty_hdr_of(struct ss_world *w, void *buf, unsigned long k)
{
	struct tty_state *s = w->state;
	struct tty_hdr *h = ss_obj_trailer(w, buf, sizeof(*h));

	return h ? h : &s->ring[k % TTY_RING];
}

/* Quiescent: free the chain (head and at most one successor), which a round
 * always leaves behind: the last buffer has no successor to free it. */
void tty_chain_drain(struct ss_world *w)
{
	struct tty_state *s = w->state;
	void *head = READ_ONCE(s->head);

	if (head) {
		unsigned long k = READ_ONCE(s->head_idx);
		void *next = READ_ONCE(tty_hdr_of(w, head, k)->next);
		ss_obj_free(w, 0, head);
		if (next)
			ss_obj_free(w, 0, next);
	}
	WRITE_ONCE(s->head, NULL);
	WRITE_ONCE(s->head_idx, 0);
}

static void *tty_buffer_alloc(struct ss_world *w, int role, unsigned long k)
{
	void *n = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);

	if (!n) {
		SS_FAIL(SS_FAIL_INVARIANT, "%s: allocation of buffer %lu failed", w->scn->name, k);
		return NULL;
	}
	PLAIN_STORE(tty_hdr_of(w, n, k)->next, NULL);
	ss_obj_fill(w, n, tty_tag(w, k, false));
	return n;
}

void tty_chain_producer(struct ss_world *w, int role)
{
	const struct tty_chain_ops *ops = w->scn->role_ops;
	struct tty_state *s = w->state;
	void *b = tty_buffer_alloc(w, role, 0);

	if (!b)
		return;
	/* tty_port init: the first buffer is in place before the flusher runs
	 * (not the ordering under test). */
	smp_store_release(&s->head, b);
	for (unsigned long k = 1; k <= w->iters; k++) {
		void *n = tty_buffer_alloc(w, role, k);
		if (!n)
			return;
		/* Wait for the flusher to reach the tail: bounds the chain, orders
		 * nothing the flusher relies on. */
		while (BRANCH_ON(READ_ONCE(s->head) != b)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, n);
				return;
			}
		}
		ss_obj_fill(w, b, tty_tag(w, k - 1, true));
		ss_jitter(w, role);
		if (ops->ordered)
			smp_store_release(&tty_hdr_of(w, b, k - 1)->next, n);
		else /* BROKEN on purpose (tty-flush-old): plain link, no release. */
			PLAIN_STORE(tty_hdr_of(w, b, k - 1)->next, n);
		b = n;
	}
}

/* head->next, the load that decides the free. */
static void *tty_load_next(struct ss_world *w, void *head, unsigned long k, bool ordered)
{
	if (ordered)
		return smp_load_acquire(&tty_hdr_of(w, head, k)->next);
	/* BROKEN on purpose (tty-flush-old): plain load, no acquire. */
	return PLAIN_LOAD(tty_hdr_of(w, head, k)->next);
}

void tty_chain_flusher(struct ss_world *w, int role)
{
	const struct tty_chain_ops *ops = w->scn->role_ops;
	struct tty_state *s = w->state;
	void *head;

	while (!BRANCH_ON((head = smp_load_acquire(&s->head)) != NULL)) {
		if (!ss_spin_wait(w, role))
			return;
	}
	for (unsigned long k = 0; k < w->iters; k++) {
		void *next;

		while (!BRANCH_ON((next = tty_load_next(w, head, k, ops->ordered)) != NULL)) {
			if (!ss_spin_wait(w, role))
				return;
		}
		ss_obj_verify(w, head, tty_tag(w, k, true));
		ss_obj_free(w, role, head);
		WRITE_ONCE(s->head_idx, k + 1);
		WRITE_ONCE(s->head, next);
		head = next;
		ss_count_handoff(w, role);
	}
}
