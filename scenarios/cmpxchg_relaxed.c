/* scenarios/cmpxchg_relaxed.c - the `cmpxchg-relaxed` handoff: cmpxchg_relaxed() on both sides
 * (slub-model.md §5 row 5).
 *
 * The same code as `cmpxchg` with the _relaxed variants: the RMWs are still atomic,
 * so the slot protocol works, but they order nothing around them. The freeing CPU
 * may see the pointer without the producer's earlier stores. On x86 every locked
 * instruction is a full barrier, so only the emulator (or arm64/POWER hardware)
 * shows the difference.  The roles are slot.c's.
 */
#include "scenarios/slot.h"

const struct ss_scenario ss_scn_cmpxchg_relaxed = {
    .name = "cmpxchg-relaxed",
    .handoff = SS_HANDOFF_BROKEN,
    /* BROKEN on purpose: atomic, but unordered. */
    SLOT_SCENARIO(slot_publish_cmpxchg_relaxed, slot_take_cmpxchg_relaxed),
    .params = {SLOT_PARAM_ITERS},
    .summary = "cmpxchg_relaxed() to publish and to take the pointer (atomic only: broken)",
    .details = "Producer: cmpxchg_relaxed(&gp, NULL, obj). Consumer: cmpxchg_relaxed(&gp, p, "
	       "NULL), kfree(p). _relaxed RMWs give atomicity only under LKMM: nothing orders "
	       "the producer's initialising stores before its RMW or the free's loads after "
	       "the consumer's. Fix with cmpxchg_release/cmpxchg_acquire or the fully ordered "
	       "forms (slub-model.md section 5 row 5).",
};
