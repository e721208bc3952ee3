/* scenarios/tty_chain.h - the tty buffer chain shared by `tty-flush-old` and
 * `tty-flush` (slub-model.md §4.2): both scenarios run this code and differ only
 * in how the link b->next is published and read, which each names with its
 * struct tty_chain_ops.
 *
 * The producer (__tty_buffer_request_room) allocates a new buffer n, initialises
 * it, writes its data into the current tail b, and links b->next = n.  The
 * flusher (tty_buffer_flush) frees the head while head->next is non-NULL and
 * advances.  The freed object is b, whose last writes are the producer's data
 * written just before the link, so only the link can order them before the
 * flusher's kfree().
 */
#ifndef SS_TTY_CHAIN_H
#define SS_TTY_CHAIN_H

#include <stdbool.h>

#include "scenarios/scenario.h"

#define TTY_RING 4

struct tty_hdr {
	void *next;
};

/* The scenario state of both tty scenarios (their .state_size). */
struct tty_state {
	void *head;		/* the flusher's buf->head; read by the producer */
	unsigned long head_idx; /* buffer number of head (for the ring, and check) */
	struct tty_hdr ring[TTY_RING];
} __attribute__((aligned(64)));

/* Quiescent (reset and check): frees the chain a round leaves behind. */
void tty_chain_drain(struct ss_world *w);

/* What a tty scenario picks (its descriptor's .role_ops): how the link is made. */
struct tty_chain_ops {
	/* true: link with smp_store_release(&b->next, n) and read head->next with
	 * smp_load_acquire() (after 9e6b7cd7e77d); false: both plain (before it). */
	bool ordered;
};

/* The two links, by their accesses: before and after 9e6b7cd7e77d. */
extern const struct tty_chain_ops tty_chain_plain_plain, tty_chain_release_acquire;

/* The roles; they find the scenario's struct tty_chain_ops in w->scn->role_ops. */
void tty_chain_producer(struct ss_world *w, int role);
void tty_chain_flusher(struct ss_world *w, int role);

/* The descriptor fields both tty scenarios share, with the primitive that links
 * b->next and the one that reads head->next (plain, plain or release, acquire);
 * the file adds name, summary, handoff, params and details. */
#define TTY_CHAIN_SCENARIO(link, load_next)                                                        \
	.nroles = 2, .role_names = {"producer", "flusher"},                                        \
	.checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,               \
	.state_size = sizeof(struct tty_state), .needs_account = true, .reset = tty_chain_drain,   \
	.role = {tty_chain_producer, tty_chain_flusher}, .check = tty_chain_drain,                 \
	.branches_declared = true, .role_ops = &tty_chain_##link##_##load_next

#define TTY_CHAIN_PARAM_ITERS SS_PARAM_ITERS("buffers linked, flushed and freed per round")

#endif /* SS_TTY_CHAIN_H */
