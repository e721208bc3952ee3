/* scenarios/relay_once.c - the `relay-once` handoff: three CPUs, the middle one
 * relays the pointer with relaxed marked accesses and a data dependency (issue 13
 * part 4).
 *
 *   alloc (CPU 0)              relay (CPU 1)                 free (CPU 2)
 *   obj = kmalloc; fill obj    p = READ_ONCE(s1)             q = smp_load_acquire(s2)
 *   smp_store_release(s1,obj)  WRITE_ONCE(s2, p)  (data dep) verify *q; kfree(q)
 *
 * CPU 0's release orders the fill (and the allocator's stores) before the
 * pointer for the CPU that reads the pointer from it, CPU 1, and no further:
 * CPU 1's dependency orders its own store after its load but is not cumulative,
 * so the pointer it relays may reach CPU 2 before CPU 0's fill does.  LKMM
 * allows CPU 2 to free an object whose content it sees stale (the ISA2 shape
 * with a dependency in the middle: herd7 Sometimes,
 * tests/litmus/relay/relay-once.litmus).  Only non-multicopy atomicity allows
 * it: if every store reached all CPUs at once, CPU 1 seeing the pointer would
 * mean everyone sees the fill.  The emulator's LKVM model is multicopy-atomic
 * and cannot produce it (Clean under every model); the execution-graph engine
 * must.  `relay-acquire-release` is the fix (a release on CPU 1 is
 * A-cumulative).  The roles are relay.c's.
 */
#include "scenarios/relay.h"

const struct ss_scenario ss_scn_relay_once = {
    .name = "relay-once",
    .handoff = SS_HANDOFF_BROKEN,
    /* BROKEN on purpose: the relay's dependency does not pass CPU 0's fill on. */
    RELAY_SCENARIO(.publish = relay_publish_release, .take = relay_take_once,
		   .relay = relay_relay_once_dep, .take_final = relay_take_acquire),
    .params = {RELAY_PARAM_ITERS},
    .summary = "three CPUs: release / READ_ONCE + WRITE_ONCE (data dependency) / acquire "
	       "(non-multicopy-atomic: broken)",
    .details = "CPU 0 fills the object and publishes it with smp_store_release(&s1, obj); "
	       "CPU 1 reads it with p = READ_ONCE(s1) and republishes it with WRITE_ONCE(s2, "
	       "p), a data dependency; CPU 2 takes it with smp_load_acquire(&s2), verifies "
	       "the fill and frees it. CPU 0's release orders the fill before the pointer "
	       "only for the CPU that reads the pointer from it; CPU 1's dependency is not "
	       "cumulative, and stores need not reach all CPUs at once, so LKMM allows CPU 2 "
	       "to see the relayed pointer but the old content (ISA2 with a dependency in the "
	       "middle; herd7: Sometimes). A multicopy-atomic model (the emulator's LKVM) "
	       "cannot show it. smp_store_release on CPU 1 fixes it (relay-acquire-release).",
};
