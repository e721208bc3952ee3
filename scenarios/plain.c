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

const struct ss_scenario ss_scn_plain = {
    .name = "plain",
    .handoff = SS_HANDOFF_BROKEN,
    /* BROKEN on purpose: no release, nothing orders the fill first. */
    SLOT_SCENARIO(slot_publish_plain, slot_take_plain),
    .params = {SLOT_PARAM_ITERS},
    .summary = "plain store / plain load of the pointer (no ordering: broken)",
    .details = "Producer: gp = obj (plain store). Consumer: p = gp (plain load), kfree(p). "
	       "LKMM gives no ordering at all (and the access is a data race): the freeing CPU "
	       "may see the object's content and allocator metadata as they were before the "
	       "producer initialised them. The pattern kfree() users must not rely on (slub- "
	       "model.md section 5 row 1).",
};
