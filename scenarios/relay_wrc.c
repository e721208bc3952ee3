/* scenarios/relay_wrc.c - the `relay-wrc` handoff: three CPUs in the WRC shape
 * (write-to-read causality), which LKMM allows to fail only because stores need
 * not reach every CPU at once (non-multicopy atomicity; issue 13 part 4).
 *
 *   alloc (CPU 0)              relay (CPU 1)                 free (CPU 2)
 *   obj = kmalloc              p = READ_ONCE(s1)             q = smp_load_acquire(s2)
 *   smp_store_release(s1,obj)  while READ_ONCE(p->mark)!=t   READ_ONCE(q->mark) == t ?
 *   WRITE_ONCE(obj->mark, t)   WRITE_ONCE(s2, p) (data dep)  kfree(q)
 *
 * CPU 0 marks the object ready *after* handing it out; CPU 1 waits for the mark
 * and relays the pointer ordered only by a dependency on it; CPU 2 checks the
 * mark and frees.  CPU 1 saw the mark, but a dependency is not cumulative: CPU
 * 1's store to s2 may reach CPU 2 before CPU 0's mark does (WRC+data+acquire:
 * herd7 Sometimes, tests/litmus/relay/relay-wrc.litmus), and CPU 2 frees an
 * object it sees unmarked.  Nothing else can fail: CPU 0's release covers the
 * allocator's stores.  `relay-wrc-release` is the fix (a release on CPU 1).
 * The emulator's LKVM model is multicopy-atomic: it cannot produce this outcome
 * (Clean under every model); the execution-graph engine must.  Unlike
 * `relay-once`, the store CPU 2 checks is not made by the CPU that published
 * the pointer to the relay before it.  The roles are relay.c's.
 */
#include "scenarios/relay.h"

const struct ss_scenario ss_scn_relay_wrc = {
    .name = "relay-wrc",
    .handoff = SS_HANDOFF_BROKEN,
    /* BROKEN on purpose: the relay's dependency is not cumulative. */
    RELAY_SCENARIO(.publish = relay_publish_release, .take = relay_take_once,
		   .relay = relay_relay_once_dep, .take_final = relay_take_acquire,
		   .mark_after_publish = true),
    .params = {RELAY_PARAM_ITERS},
    .summary = "three CPUs, WRC: mark after publish, relay by data dependency only "
	       "(non-multicopy-atomic: broken)",
    .details = "CPU 0 publishes the object with smp_store_release(&s1, obj), then marks it "
	       "ready: WRITE_ONCE(obj->mark, t). CPU 1 takes p = READ_ONCE(s1), waits until "
	       "READ_ONCE(p->mark) == t and relays WRITE_ONCE(s2, p) with a data dependency "
	       "on that load. CPU 2 takes q = smp_load_acquire(&s2), checks q->mark == t and "
	       "frees q. LKMM allows CPU 2 to see the old mark: CPU 1 observed CPU 0's store, "
	       "but a dependency does not pass on what a CPU observed (not cumulative), and "
	       "stores need not reach all CPUs at once (WRC; herd7: Sometimes). Only a non-"
	       "multicopy-atomic model finds it; smp_store_release (relay-wrc-release) or "
	       "smp_mb() on CPU 1 fixes it.",
};
