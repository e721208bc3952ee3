/* examples/tty_flush_broken.c - an example scenario file with a bug: the tty
 * buffer chain before 9e6b7cd7e77d, where the producer links b->next = n with a
 * plain store and the flusher reads head->next with a plain load before it frees
 * head (Found under lkmm, Clean under tso).
 *
 *     slabstress explore -s ./tty_flush_broken.c --model lkmm --save found
 *
 * The producer (__tty_buffer_request_room) allocates a buffer n, writes its data
 * into the current tail b and links b->next = n; the flusher (tty_buffer_flush)
 * frees head while head->next is set.  Nothing orders the producer's data stores
 * into b before the link, so under LKMM the flusher may free b and the freeing
 * CPU see b's content as it was before the data was written.
 */
#include <slabstress/scenario.h>

#define TTY_RING 4

struct tty_hdr {
	void *next;
};

struct tty_state {
	void *head;		       /* the flusher's buf->head */
	unsigned long head_idx;	       /* buffer number of head */
	struct tty_hdr ring[TTY_RING]; /* `next` of buffers too small to hold it */
} __attribute__((aligned(64)));

/* Buffer k's tag: "empty" when allocated, "data" once written just before the link. */
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

/* Quiescent: free the chain a round leaves behind (head and at most one more). */
static void tty_drain(struct ss_world *w)
{
	struct tty_state *s = w->state;
	void *head = READ_ONCE(s->head);

	if (head) {
		void *next = READ_ONCE(tty_hdr_of(w, head, READ_ONCE(s->head_idx))->next);
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
		SS_FAIL(SS_FAIL_INVARIANT, "allocation of buffer %lu failed", k);
		return NULL;
	}
	PLAIN_STORE(tty_hdr_of(w, n, k)->next, NULL);
	ss_obj_fill(w, n, tty_tag(w, k, false));
	return n;
}

static void tty_producer(struct ss_world *w, int role)
{
	struct tty_state *s = w->state;
	void *b = tty_buffer_alloc(w, role, 0);

	if (!b)
		return;
	smp_store_release(&s->head, b); /* tty_port init: not the ordering under test */
	for (unsigned long k = 1; k <= w->iters; k++) {
		void *n = tty_buffer_alloc(w, role, k);
		if (!n)
			return;
		while (READ_ONCE(s->head) != b) { /* wait for the flusher to reach the tail */
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, n);
				return;
			}
		}
		ss_obj_fill(w, b, tty_tag(w, k - 1, true)); /* the data written into b */
		/* BROKEN on purpose: a plain link, no smp_store_release(). */
		PLAIN_STORE(tty_hdr_of(w, b, k - 1)->next, n);
		b = n;
	}
}

static void tty_flusher(struct ss_world *w, int role)
{
	struct tty_state *s = w->state;
	void *head;

	while (!(head = smp_load_acquire(&s->head))) {
		if (!ss_spin_wait(w, role))
			return;
	}
	for (unsigned long k = 0; k < w->iters; k++) {
		void *next;

		/* BROKEN on purpose: a plain load of head->next, no smp_load_acquire(). */
		while (!(next = PLAIN_LOAD(tty_hdr_of(w, head, k)->next))) {
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

SS_EXPORT_SCENARIO(.name = "tty-flush-broken",
		   .summary = "example: tty buffer chain with a plain link (broken)", .nroles = 2,
		   .role_names = {"producer", "flusher"}, .role = {tty_producer, tty_flusher},
		   .reset = tty_drain, .check = tty_drain, .handoff = SS_HANDOFF_BROKEN,
		   .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
		   .state_size = sizeof(struct tty_state), .needs_account = true,
		   .params = {SS_PARAM_ITERS("buffers linked, flushed and freed per round")},
		   .details =
		       "Producer: n = kmalloc(); write data into tail b; b->next = n "
		       "(plain). Flusher: while ((next = head->next)) (plain) { kfree(head); "
		       "head = next; }.  The tty-flush-old scenario as a scenario file.");
