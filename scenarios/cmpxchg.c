/* scenarios/cmpxchg.c - the `cmpxchg` handoff: successful cmpxchg() on both sides (slub-model.md §5
 * row 4).
 *
 * A successful value-returning cmpxchg() is fully ordered; a failed one orders
 * nothing, so both sides check that theirs succeeded (only the producer fills an
 * empty slot and only the consumer empties it, so both always succeed).  The roles
 * are slot.c's.
 */
#include "scenarios/slot.h"

const struct ss_scenario ss_scn_cmpxchg = {
    .name = "cmpxchg",
    .handoff = SS_HANDOFF_CORRECT,
    SLOT_SCENARIO(slot_publish_cmpxchg, slot_take_cmpxchg),
    .params = {SLOT_PARAM_ITERS},
    .summary = "successful cmpxchg() to publish and to take the pointer (correct)",
    .details = "Producer: cmpxchg(&gp, NULL, obj). Consumer: polls READ_ONCE(gp), then "
	       "cmpxchg(&gp, p, NULL) and kfree(p). A successful value-returning cmpxchg is "
	       "fully ordered under LKMM, so the free is ordered after all the producer's "
	       "earlier stores; a failed cmpxchg would order nothing (slub-model.md section 5 "
	       "row 4).",
};
