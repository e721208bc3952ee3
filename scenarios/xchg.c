/* scenarios/xchg.c - the `xchg` handoff: xchg() on both sides (slub-model.md §5 row 4).
 *
 * A value-returning xchg() is fully ordered (smp_mb() before and after), so the
 * producer's xchg publishing the pointer and the consumer's xchg taking it form a
 * full handoff. The consumer polls with READ_ONCE only to avoid hammering the line;
 * the ordering comes from its xchg, which reads the producer's value.  The roles
 * are slot.c's.
 */
#include "scenarios/slot.h"

static bool xchg_publish(struct slot *s, void *obj)
{
	void *old = xchg(&s->slot, obj);
	if (old)
		SS_FAIL(SS_FAIL_INVARIANT, "xchg: slot held %p, expected empty", old);
	return true;
}

/* Polls with READ_ONCE; the xchg that empties the slot is the ordering. */
static void *xchg_take(struct slot *s)
{
	void *obj = READ_ONCE(s->slot);
	if (!obj)
		return NULL;
	void *got = xchg(&s->slot, (void *)NULL);
	if (got != obj)
		SS_FAIL(SS_FAIL_INVARIANT, "xchg: took %p, polled %p", got, obj);
	return got;
}

const struct ss_scenario ss_scn_xchg = {
    .name = "xchg",
    .summary = "xchg() to publish and to take the pointer (fully ordered: correct)",
    .handoff = SS_HANDOFF_CORRECT,
    SLOT_SCENARIO,
    .role_ops = &(const struct slot_ops){.publish = xchg_publish, .take = xchg_take},
    .params = {SLOT_PARAM_ITERS},
    .details = "Producer: xchg(&gp, obj). Consumer: polls READ_ONCE(gp), then p = xchg(&gp, "
	       "NULL), kfree(p). Value-returning RMWs are fully ordered under LKMM (smp_mb() "
	       "on both sides of the access), so the consumer's xchg reading the producer's "
	       "value orders all the producer's earlier stores before the free (slub-model.md "
	       "section 5 row 4).",
};
