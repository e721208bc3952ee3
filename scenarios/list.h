/* scenarios/list.h - every scenario, one line each, in the order `slabstress list
 * scenarios` prints them (the handoffs of slub-model.md §5 from the baseline
 * through the kernel's historical cases, then the allocator's own).
 *
 * An X-macro list (as stress-ng's core-stressors.h): SS_SCENARIO(sym) names the
 * descriptor `const struct ss_scenario ss_scn_<sym>` that scenarios/<file>.c ends
 * with.  scenarios/registry.c expands it into the externs and the table; nothing
 * else needs to know a scenario exists.  Adding a scenario = one file + one line
 * here (docs/adding-a-scenario.md).  No include guard: it is included once per
 * expansion, with SS_SCENARIO defined by the includer.
 */
SS_SCENARIO(same_cpu)
SS_SCENARIO(plain)
SS_SCENARIO(once)
SS_SCENARIO(release_acquire)
SS_SCENARIO(release_dep)
SS_SCENARIO(xchg)
SS_SCENARIO(cmpxchg)
SS_SCENARIO(cmpxchg_relaxed)
SS_SCENARIO(spinlock)
SS_SCENARIO(consumer_lock)
SS_SCENARIO(llist)
SS_SCENARIO(rcu)
SS_SCENARIO(rcu_dep)
SS_SCENARIO(refcount)
SS_SCENARIO(pid_fastpath)
SS_SCENARIO(tty_flush_old)
SS_SCENARIO(tty_flush)
SS_SCENARIO(lazy_objexts)
SS_SCENARIO(relay_once)
SS_SCENARIO(relay_acquire_release)
SS_SCENARIO(relay_wrc)
SS_SCENARIO(relay_wrc_release)
