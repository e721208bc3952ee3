/* scenarios/same_cpu.c - the `same-cpu` baseline: allocate, fill, verify and free
 * on one CPU.
 *
 * No handoff at all: a CPU always sees its own stores (store forwarding), so
 * this must never fail on any allocator or memory model.  It is the control for
 * every other scenario and the throughput ceiling of an allocator.
 */
#include "scenarios/scenario.h"

static void same_cpu_role(struct ss_world *w, int role)
{
	for (unsigned long i = 0; i < w->iters; i++) {
		/* There is no wait loop to notice a stop in; look every 256 objects. */
		if ((i & 255) == 255 && w->stop && BRANCH_ON(READ_ONCE(*w->stop)))
			return;
		void *obj = ss_obj_alloc_filled(w, role, i, ss_handoff_tag(w, i));
		if (!obj)
			return;
		ss_jitter(w, role);
		ss_obj_consume(w, role, obj, ss_handoff_tag(w, i));
	}
}

const struct ss_scenario ss_scn_same_cpu = {
    .name = "same-cpu",
    .handoff = SS_HANDOFF_CORRECT,
    .branches_declared = true,
    .nroles = 1,
    .role_names = {"alloc-free"},
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .needs_account = true,
    .role = {same_cpu_role},
    .params = {SS_PARAM_ITERS("objects allocated, filled, verified and freed per round")},
    .summary = "allocate, fill, verify and free on one CPU (baseline: correct)",
    .details = "One CPU allocates an object, writes it with plain stores, reads it back and "
	       "frees it: no pointer crosses CPUs. Under any memory model a CPU sees its own "
	       "stores, so kfree() sees the content and the metadata the allocation wrote. "
	       "The control run for every handoff scenario (the case Harry Yoo's mail calls "
	       "\"no problem\") and the allocator's single-CPU throughput.",
};
