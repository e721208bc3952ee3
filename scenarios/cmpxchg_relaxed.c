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

static bool cmpxchg_relaxed_publish(struct slot *s, void *obj)
{
	/* BROKEN on purpose: atomic, but unordered. */
	if (cmpxchg_relaxed(&s->slot, (void *)NULL, obj))
		SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg_relaxed: slot held an object, expected empty");
	return true;
}

static void *cmpxchg_relaxed_take(struct slot *s)
{
	void *obj = READ_ONCE(s->slot);
	if (obj && cmpxchg_relaxed(&s->slot, obj, (void *)NULL) != obj) {
		SS_FAIL(SS_FAIL_INVARIANT, "cmpxchg_relaxed: the slot changed under its consumer");
		return NULL;
	}
	return obj;
}

const struct ss_scenario ss_scn_cmpxchg_relaxed = {
    .name = "cmpxchg-relaxed",
    .summary = "cmpxchg_relaxed() to publish and to take the pointer (atomic only: broken)",
    .handoff = SS_HANDOFF_BROKEN,
    SLOT_SCENARIO,
    .role_ops =
	&(const struct slot_ops){.publish = cmpxchg_relaxed_publish, .take = cmpxchg_relaxed_take},
    .params = {SLOT_PARAM_ITERS},
    .details = "Producer: cmpxchg_relaxed(&gp, NULL, obj). Consumer: cmpxchg_relaxed(&gp, p, "
	       "NULL), kfree(p). _relaxed RMWs give atomicity only under LKMM: nothing orders "
	       "the producer's initialising stores before its RMW or the free's loads after "
	       "the consumer's. Fix with cmpxchg_release/cmpxchg_acquire or the fully ordered "
	       "forms (slub-model.md section 5 row 5).",
};
