/* scenarios/relay_wrc_release.c - the `relay-wrc-release` handoff: `relay-wrc`
 * fixed by a release on the relaying CPU (issue 13 part 4).
 *
 *   alloc (CPU 0)              relay (CPU 1)                 free (CPU 2)
 *   obj = kmalloc              p = READ_ONCE(s1)             q = smp_load_acquire(s2)
 *   smp_store_release(s1,obj)  while READ_ONCE(p->mark)!=t   READ_ONCE(q->mark) == t ?
 *   WRITE_ONCE(obj->mark, t)   smp_store_release(s2, p)      kfree(q)
 *
 * A release is A-cumulative: the mark CPU 1 observed (rfe) is ordered before its
 * store to s2 for every CPU, so CPU 2's acquire sees it (WRC+po-rel+acquire:
 * herd7 Never, tests/litmus/relay/relay-wrc-release.litmus).  smp_mb() before a
 * WRITE_ONCE would do too (tests/litmus/relay/relay-wrc-mb.litmus).  The roles
 * are relay.c's.
 */
#include "scenarios/relay.h"

const struct ss_scenario ss_scn_relay_wrc_release = {
    .name = "relay-wrc-release",
    .handoff = SS_HANDOFF_CORRECT,
    RELAY_SCENARIO(.publish = relay_publish_release, .take = relay_take_once,
		   .relay = relay_publish_release, .take_final = relay_take_acquire,
		   .mark_after_publish = true),
    .params = {RELAY_PARAM_ITERS},
    .summary = "three CPUs, WRC fixed: mark after publish, relay with smp_store_release "
	       "(correct)",
    .details = "relay-wrc with CPU 1 relaying by smp_store_release(&s2, p) instead of a "
	       "dependent WRITE_ONCE. The release is A-cumulative: CPU 0's mark, which CPU 1 "
	       "observed before releasing, reaches every CPU before the pointer in s2 does, "
	       "so CPU 2's acquire always sees the object marked (herd7: Never). smp_mb() "
	       "before the WRITE_ONCE would fix relay-wrc as well.",
};
