/* scenarios/tty_flush_old.c - the `tty-flush-old` handoff: the tty buffer chain before
 * 9e6b7cd7e77d: plain b->next = n, plain head->next.
 *
 * The tty buffer chain (slub-model.md §4.2).  The producer
 * (__tty_buffer_request_room) allocates a new buffer n, initialises it, writes
 * its data into the current tail b, and links b->next = n.  The flusher
 * (tty_buffer_flush) frees the head while head->next is non-NULL and advances.
 * The freed object is b, whose last writes are the producer's data written just
 * before the link, so only the link can order them before the flusher's kfree().
 *
 * Before the fix both sides used plain accesses: nothing orders the producer's data
 * stores before its link store, and only a control dependency leads from the
 * flusher's load of head->next to kfree(head). (The flusher also held buf->lock,
 * which the producer never took; see `consumer-lock`.)
 *
 * The producer appends only when the flusher has caught up with the tail, so the
 * chain holds at most two buffers.  `next` lives in the buffer after the fill
 * pattern, or, for buffers under 40 bytes, in a ring in the scenario state
 * indexed by the buffer number (at most three buffers are alive at once).
 */
#include "scenarios/scenario.h"

#define TTY_OLD_RING	 4
#define TTY_OLD_FILL_MAX 32 /* ss_obj_fill() writes at most 4 words */

struct tty_old_hdr {
	void *next;
};

struct tty_old_state {
	void *head;		/* the flusher's buf->head; read by the producer */
	unsigned long head_idx; /* buffer number of head (for the ring, and check) */
	struct tty_old_hdr ring[TTY_OLD_RING];
} __attribute__((aligned(64)));

/* Buffer k is initialised with its "empty" tag and, just before it is linked to
 * its successor, written with its "data" tag, which the flusher expects. */
static unsigned long tty_old_tag(const struct ss_world *w, unsigned long k, bool data)
{
	return (((unsigned long)w->round << 32) + k + 1) | (data ? 1UL << 63 : 0);
}

static struct tty_old_hdr *tty_old_hdr_of(struct ss_world *w, void *buf, unsigned long k)
{
	struct tty_old_state *s = w->state;
	size_t size = w->acfg->object_size;
	size_t fill = size < TTY_OLD_FILL_MAX ? size & ~(size_t)7 : TTY_OLD_FILL_MAX;

	if (size >= sizeof(struct tty_old_hdr)) {
		size_t off = (size - sizeof(struct tty_old_hdr)) & ~(size_t)7;
		if (off >= fill)
			return (struct tty_old_hdr *)((char *)buf + off);
	}
	return &s->ring[k % TTY_OLD_RING];
}

/* Quiescent: free the chain (head and at most one successor), which a round
 * always leaves behind: the last buffer has no successor to free it. */
static void tty_old_drain(struct ss_world *w)
{
	struct tty_old_state *s = w->state;
	void *head = READ_ONCE(s->head);

	if (head) {
		unsigned long k = READ_ONCE(s->head_idx);
		void *next = READ_ONCE(tty_old_hdr_of(w, head, k)->next);
		ss_obj_free(w, 0, head);
		if (next)
			ss_obj_free(w, 0, next);
	}
	WRITE_ONCE(s->head, NULL);
	WRITE_ONCE(s->head_idx, 0);
}

static void *tty_old_buffer_alloc(struct ss_world *w, int role, unsigned long k)
{
	void *n = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);

	if (!n) {
		SS_FAIL(SS_FAIL_INVARIANT, "tty-flush-old: allocation of buffer %lu failed", k);
		return NULL;
	}
	PLAIN_STORE(tty_old_hdr_of(w, n, k)->next, NULL);
	ss_obj_fill(w, n, tty_old_tag(w, k, false));
	return n;
}

static void tty_old_producer_role(struct ss_world *w, int role)
{
	struct tty_old_state *s = w->state;
	void *b = tty_old_buffer_alloc(w, role, 0);

	if (!b)
		return;
	/* tty_port init: the first buffer is in place before the flusher runs
	 * (not the ordering under test). */
	smp_store_release(&s->head, b);
	for (unsigned long k = 1; k <= w->iters; k++) {
		void *n = tty_old_buffer_alloc(w, role, k);
		if (!n)
			return;
		/* Wait for the flusher to reach the tail: bounds the chain, orders
		 * nothing the flusher relies on. */
		while (READ_ONCE(s->head) != b) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, n);
				return;
			}
		}
		ss_obj_fill(w, b, tty_old_tag(w, k - 1, true));
		ss_jitter(w, role);
		/* BROKEN on purpose: plain link, no release. */
		PLAIN_STORE(tty_old_hdr_of(w, b, k - 1)->next, n);
		b = n;
	}
}

static void tty_old_flusher_role(struct ss_world *w, int role)
{
	struct tty_old_state *s = w->state;
	void *head;

	while (!(head = smp_load_acquire(&s->head))) {
		if (!ss_spin_wait(w, role))
			return;
	}
	for (unsigned long k = 0; k < w->iters; k++) {
		void *next;

		/* BROKEN on purpose: plain load, no acquire. */
		while (!(next = PLAIN_LOAD(tty_old_hdr_of(w, head, k)->next))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		ss_obj_verify(w, head, tty_old_tag(w, k, true));
		ss_obj_free(w, role, head);
		WRITE_ONCE(s->head_idx, k + 1);
		WRITE_ONCE(s->head, next);
		head = next;
		ss_count_handoff(w, role);
	}
}

const struct ss_scenario ss_scn_tty_flush_old = {
    .name = "tty-flush-old",
    .summary = "tty buffer chain before 9e6b7cd7e77d: plain link, plain head->next (broken)",
    .nroles = 2,
    .role_names = {"producer", "flusher"},
    .handoff = SS_HANDOFF_BROKEN,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct tty_old_state),
    .needs_account = true,
    .reset = tty_old_drain,
    .role = {tty_old_producer_role, tty_old_flusher_role},
    .check = tty_old_drain,
    .details = "Producer: init n, write data into tail b, b->next = n (plain). Flusher: while "
	       "((next = head->next)) { kfree(head); head = next; } (plain load). Under LKMM "
	       "nothing orders the data stores into b before the link, and a control "
	       "dependency does not order kfree()'s loads after the load of head->next: the "
	       "freeing CPU may miss b's last writes and metadata. tty_buffer_flush() before "
	       "9e6b7cd7e77d (slub-model.md section 4.2).",
};
