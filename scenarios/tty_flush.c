/* scenarios/tty_flush.c - the `tty-flush` handoff: the tty buffer chain after 9e6b7cd7e77d:
 * smp_store_release(&b->next, n), smp_load_acquire(&head->next).
 *
 * The chain itself (producer, flusher, where `next` lives) is in tty_chain.c,
 * shared with `tty-flush-old`; this file picks the accesses on the link.
 *
 * After the fix the producer links with smp_store_release() and the flusher reads
 * head->next with smp_load_acquire(), which (the kernel's comment says) makes sure
 * there are no pending accesses to the buffer it frees. Must never report a failure.
 */
#include "scenarios/tty_chain.h"

const struct ss_scenario ss_scn_tty_flush = {
    .name = "tty-flush",
    .handoff = SS_HANDOFF_CORRECT,
    TTY_CHAIN_SCENARIO(release, acquire),
    .params = {TTY_CHAIN_PARAM_ITERS},
    .summary = "tty buffer chain after 9e6b7cd7e77d: release link, acquire head->next (correct)",
    .details = "Producer: init n, write data into tail b, smp_store_release(&b->next, n). "
	       "Flusher: while ((next = smp_load_acquire(&head->next))) { kfree(head); head = "
	       "next; }. The release/acquire pair on the link orders every store into b (and "
	       "the allocation's metadata) before the flusher's kfree(b) under LKMM. "
	       "tty_buffer_flush() and __tty_buffer_request_room() since 9e6b7cd7e77d (slub- "
	       "model.md section 4.2).",
};
