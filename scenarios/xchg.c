/* scenarios/xchg.c - the `xchg` handoff: xchg() on both sides (slub-model.md §5 row 4).
 *
 * A value-returning xchg() is fully ordered (smp_mb() before and after), so the
 * producer's xchg publishing the pointer and the consumer's xchg taking it form a
 * full handoff. The consumer polls with READ_ONCE only to avoid hammering the line;
 * the ordering comes from its xchg, which reads the producer's value.  The roles
 * are slot.c's.
 */
#include "scenarios/slot.h"

const struct ss_scenario ss_scn_xchg = {
    .name = "xchg",
    .handoff = SS_HANDOFF_CORRECT,
    SLOT_SCENARIO(slot_publish_xchg, slot_take_xchg),
    .params = {SLOT_PARAM_ITERS},
    .summary = "xchg() to publish and to take the pointer (fully ordered: correct)",
    .details = "Producer: xchg(&gp, obj). Consumer: polls READ_ONCE(gp), then p = xchg(&gp, "
	       "NULL), kfree(p). Value-returning RMWs are fully ordered under LKMM (smp_mb() "
	       "on both sides of the access), so the consumer's xchg reading the producer's "
	       "value orders all the producer's earlier stores before the free (slub-model.md "
	       "section 5 row 4).",
};
