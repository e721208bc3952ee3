/* scenarios/plain.c - the `plain` handoff: plain store / plain load of the shared pointer
 * (slub-model.md §5 row 1).
 *
 * The producer stores the pointer with a plain C store and the consumer reads it
 * with a plain load and frees. Nothing orders the producer's initialising stores
 * before the pointer store, nor the consumer's loads in kfree() after the pointer
 * load: a data race the compiler may also tear or reorder. Expected to pass natively
 * on x86 (TSO) and to fail under the emulator's lkmm model.  The roles are slot.c's.
 */
#include "scenarios/slot.h"

static bool plain_publish(struct slot *s, void *obj)
{
	/* BROKEN on purpose: no release, nothing orders the fill first. */
	PLAIN_STORE(s->slot, obj);
	return true;
}

static void *plain_take(struct slot *s)
{
	return slot_empty_if(s, PLAIN_LOAD(s->slot));
}

const struct ss_scenario ss_scn_plain = {
    .name = "plain",
    .summary = "plain store / plain load of the pointer (no ordering: broken)",
    .handoff = SS_HANDOFF_BROKEN,
    SLOT_SCENARIO,
    .role_ops = &(const struct slot_ops){.publish = plain_publish, .take = plain_take},
    .params = {SLOT_PARAM_ITERS},
    .details = "Producer: gp = obj (plain store). Consumer: p = gp (plain load), kfree(p). "
	       "LKMM gives no ordering at all (and the access is a data race): the freeing CPU "
	       "may see the object's content and allocator metadata as they were before the "
	       "producer initialised them. The pattern kfree() users must not rely on (slub- "
	       "model.md section 5 row 1).",
};
