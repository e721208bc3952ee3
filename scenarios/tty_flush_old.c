/* scenarios/tty_flush_old.c - the `tty-flush-old` handoff: the tty buffer chain before
 * 9e6b7cd7e77d: plain b->next = n, plain head->next.
 *
 * The chain itself (producer, flusher, where `next` lives) is in tty_chain.c,
 * shared with `tty-flush`; this file picks the accesses on the link.
 *
 * Before the fix both sides used plain accesses: nothing orders the producer's data
 * stores before its link store, and only a control dependency leads from the
 * flusher's load of head->next to kfree(head). (The flusher also held buf->lock,
 * which the producer never took; see `consumer-lock`.)
 */
#include "scenarios/tty_chain.h"

const struct ss_scenario ss_scn_tty_flush_old = {
    .name = "tty-flush-old",
    .handoff = SS_HANDOFF_BROKEN,
    TTY_CHAIN_SCENARIO(plain, plain),
    .params = {TTY_CHAIN_PARAM_ITERS},
    .summary = "tty buffer chain before 9e6b7cd7e77d: plain link, plain head->next (broken)",
    .details = "Producer: init n, write data into tail b, b->next = n (plain). Flusher: while "
	       "((next = head->next)) { kfree(head); head = next; } (plain load). Under LKMM "
	       "nothing orders the data stores into b before the link, and a control "
	       "dependency does not order kfree()'s loads after the load of head->next: the "
	       "freeing CPU may miss b's last writes and metadata. tty_buffer_flush() before "
	       "9e6b7cd7e77d (slub-model.md section 4.2).",
};
