/* scenarios/relay_acquire_release.c - the `relay-acquire-release` handoff: three
 * CPUs, the middle one takes the pointer with smp_load_acquire and republishes
 * it with smp_store_release (issue 13 part 4).
 *
 *   alloc (CPU 0)              relay (CPU 1)                 free (CPU 2)
 *   obj = kmalloc; fill obj    p = smp_load_acquire(s1)      q = smp_load_acquire(s2)
 *   smp_store_release(s1,obj)  smp_store_release(s2, p)      verify *q; kfree(q)
 *
 * Release/acquire at each hop; CPU 1's release is A-cumulative: what CPU 0's
 * release ordered before the pointer CPU 1 read is ordered before CPU 1's
 * pointer store for every CPU (the fix of `relay-once`).  The textbook relay: correct under
 * LKMM (tests/litmus/relay/relay-acquire-release.litmus: Never).  The roles are
 * relay.c's.
 */
#include "scenarios/relay.h"

const struct ss_scenario ss_scn_relay_acquire_release = {
    .name = "relay-acquire-release",
    .handoff = SS_HANDOFF_CORRECT,
    RELAY_SCENARIO(.publish = relay_publish_release, .take = relay_take_acquire,
		   .relay = relay_publish_release, .take_final = relay_take_acquire),
    .params = {RELAY_PARAM_ITERS},
    .summary = "three CPUs: release / acquire + release / acquire at every hop (correct)",
    .details = "CPU 0 fills the object and publishes it with smp_store_release(&s1, obj); "
	       "CPU 1 takes it with smp_load_acquire(&s1) and republishes it with "
	       "smp_store_release(&s2, p); CPU 2 takes it with smp_load_acquire(&s2), "
	       "verifies the fill and frees it. Every hop is a release/acquire pair and "
	       "CPU 1's release is A-cumulative (it passes on what CPU 1 had observed, CPU 0's "
	       "fill included): "
	       "correct under LKMM (herd7: Never).",
};
