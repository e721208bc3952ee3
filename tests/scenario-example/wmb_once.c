/* tests/scenario-example/wmb_once.c - the worked example of
 * docs/adding-a-scenario.md: `wmb-once`, smp_wmb() then WRITE_ONCE() of the
 * pointer, READ_ONCE() on the freeing CPU (slub-model.md §5 row 2, fixed on the
 * producer side).
 *
 * Not built with slabstress: tests/cli/test_add_scenario.sh copies it into
 * scenarios/ of a scratch copy of the tree, adds SS_SCENARIO(wmb_once) to
 * scenarios/list.h and checks that the new scenario is listed, runs natively and
 * in the emulator, and that without its smp_wmb() the emulator finds it broken.
 *
 * smp_wmb() orders the producer's initialising stores before its pointer store;
 * every access the consumer makes after READ_ONCE() is computed from the pointer
 * it read (an address dependency), so under LKMM the pair is a correct handoff:
 * the once scenario with the fix its details suggest.  The roles are slot.c's, and
 * so is the take: READ_ONCE, from the menu in slot.h.
 */
#include "scenarios/slot.h"

static bool wmb_once_publish(struct slot *s, void *obj)
{
	smp_wmb(); /* the fill (and the allocator's stores) before the pointer */
	WRITE_ONCE(s->slot, obj);
	return true;
}

const struct ss_scenario ss_scn_wmb_once = {
    .name = "wmb-once",
    .handoff = SS_HANDOFF_CORRECT,
    SLOT_SCENARIO(wmb_once_publish, slot_take_once),
    .params = {SLOT_PARAM_ITERS},
    .summary = "smp_wmb + WRITE_ONCE / READ_ONCE of the pointer (correct)",
    .details = "Producer: smp_wmb(); WRITE_ONCE(gp, obj). Consumer: p = READ_ONCE(gp), "
	       "kfree(p). The write barrier orders the producer's initialising stores before "
	       "the pointer; the consumer's accesses are address-dependent on p. Under LKMM "
	       "that is enough: the once scenario with its producer fixed.",
};
