/* scenarios/registry.c - the scenario table: one line per scenario, in the order
 * `slabstress list scenarios` prints them (the handoffs of slub-model.md §5 from
 * the baseline through the kernel's historical cases, then the allocator's own).
 */
#include <string.h>

#include "scenarios/scenario.h"

extern const struct ss_scenario ss_scn_same_cpu;
extern const struct ss_scenario ss_scn_plain;
extern const struct ss_scenario ss_scn_once;
extern const struct ss_scenario ss_scn_release_acquire;
extern const struct ss_scenario ss_scn_release_dep;
extern const struct ss_scenario ss_scn_xchg;
extern const struct ss_scenario ss_scn_cmpxchg;
extern const struct ss_scenario ss_scn_cmpxchg_relaxed;
extern const struct ss_scenario ss_scn_spinlock;
extern const struct ss_scenario ss_scn_consumer_lock;
extern const struct ss_scenario ss_scn_llist;
extern const struct ss_scenario ss_scn_rcu;
extern const struct ss_scenario ss_scn_rcu_dep;
extern const struct ss_scenario ss_scn_refcount;
extern const struct ss_scenario ss_scn_pid_fastpath;
extern const struct ss_scenario ss_scn_tty_flush_old;
extern const struct ss_scenario ss_scn_tty_flush;
extern const struct ss_scenario ss_scn_lazy_objexts;

const struct ss_scenario *const ss_scenarios[] = {
    &ss_scn_same_cpu,
    &ss_scn_plain,
    &ss_scn_once,
    &ss_scn_release_acquire,
    &ss_scn_release_dep,
    &ss_scn_xchg,
    &ss_scn_cmpxchg,
    &ss_scn_cmpxchg_relaxed,
    &ss_scn_spinlock,
    &ss_scn_consumer_lock,
    &ss_scn_llist,
    &ss_scn_rcu,
    &ss_scn_rcu_dep,
    &ss_scn_refcount,
    &ss_scn_pid_fastpath,
    &ss_scn_tty_flush_old,
    &ss_scn_tty_flush,
    &ss_scn_lazy_objexts,
    NULL,
};

const struct ss_scenario *ss_scenario_find(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; ss_scenarios[i]; i++)
		if (!strcmp(ss_scenarios[i]->name, name))
			return ss_scenarios[i];
	return NULL;
}
