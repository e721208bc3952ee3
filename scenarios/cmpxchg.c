/* scenarios/cmpxchg.c - the `cmpxchg` handoff: successful cmpxchg() on both sides (slub-model.md §5
 * row 4).
 *
 * A successful value-returning cmpxchg() is fully ordered; a failed one orders
 * nothing, so both sides check that theirs succeeded (only the producer fills an
 * empty slot and only the consumer empties it, so both always succeed).  The roles
 * are slot.c's.
 */
#include "scenarios/slot.h"

static bool cmpxchg_publish(struct slot *s, void *obj)
{
	void *old = cmpxchg(&s->slot, (void *)NULL, obj);
	if (old)
		SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg: slot held %p, expected empty", old);
	return true;
}

/* Polls with READ_ONCE; the cmpxchg that empties the slot is the ordering. */
static void *cmpxchg_take(struct slot *s)
{
	void *obj = READ_ONCE(s->slot);
	if (obj && cmpxchg(&s->slot, obj, (void *)NULL) != obj) {
		SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg: the slot changed under its consumer");
		return NULL;
	}
	return obj;
}

const struct ss_scenario ss_scn_cmpxchg = {
    .name = "cmpxchg",
    .summary = "successful cmpxchg() to publish and to take the pointer (correct)",
    .handoff = SS_HANDOFF_CORRECT,
    SLOT_SCENARIO,
    .role_ops = &(const struct slot_ops){.publish = cmpxchg_publish, .take = cmpxchg_take},
    .params = {SLOT_PARAM_ITERS},
    .details = "Producer: cmpxchg(&gp, NULL, obj). Consumer: polls READ_ONCE(gp), then "
	       "cmpxchg(&gp, p, NULL) and kfree(p). A successful value-returning cmpxchg is "
	       "fully ordered under LKMM, so the free is ordered after all the producer's "
	       "earlier stores; a failed cmpxchg would order nothing (slub-model.md section 5 "
	       "row 4).",
};
