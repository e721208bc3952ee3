/* scenarios/relay_once.c - the `relay-once` handoff: three CPUs, the middle one
 * relays the pointer with relaxed marked accesses and a data dependency (issue 13
 * part 4).
 *
 *   alloc (CPU 0)              relay (CPU 1)                 free (CPU 2)
 *   obj = kmalloc; fill obj    p = READ_ONCE(s1)             q = smp_load_acquire(s2)
 *   smp_store_release(s1,obj)  WRITE_ONCE(s2, p)  (data dep) verify *q; kfree(q)
 *
 * The fill reaches CPU 2 although CPU 1 orders nothing cumulatively: what CPU 2
 * needs are CPU 0's own stores, and CPU 0's release orders them before its
 * pointer store for every CPU (LKMM's prop: fill ->po-rel-> s1 ->rfe-> CPU 1,
 * then CPU 1's data dependency, the rfe to CPU 2's acquire and its program
 * order are happens-before).  A correct handoff under LKMM
 * (tests/litmus/relay/relay-once.litmus: Never).  The roles are relay.c's.
 */
#include "scenarios/relay.h"

const struct ss_scenario ss_scn_relay_once = {
    .name = "relay-once",
    .handoff = SS_HANDOFF_CORRECT,
    /* The relay orders only by its data dependency: enough, CPU 0 released. */
    RELAY_SCENARIO(.publish = relay_publish_release, .take = relay_take_once,
		   .relay = relay_relay_once_dep, .take_final = relay_take_acquire),
    .params = {RELAY_PARAM_ITERS},
    .summary = "three CPUs: release / READ_ONCE + WRITE_ONCE (data dependency) / acquire "
	       "(correct)",
    .details = "CPU 0 fills the object and publishes it with smp_store_release(&s1, obj); "
	       "CPU 1 reads it with p = READ_ONCE(s1) and republishes it with WRITE_ONCE(s2, "
	       "p), a data dependency; CPU 2 takes it with smp_load_acquire(&s2), verifies "
	       "the fill and frees it. CPU 1 has no barrier, but the stores CPU 2 checks are "
	       "CPU 0's own, ordered before the pointer by its release for every CPU; CPU 1's "
	       "dependency and CPU 2's acquire carry the order on. Correct under LKMM "
	       "(herd7: Never); compare relay-wrc, where the checked store is not the "
	       "publisher's.",
};
