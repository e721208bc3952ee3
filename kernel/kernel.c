/* kernel/kernel.c - the dispatch pointer, failure reporting, the emulator's side
 * of the dependency-carrying accesses, and native RCU.
 *
 * Native RCU is a small, correct-but-slow grace period: every CPU keeps a
 * read-side nesting count; synchronize_rcu() is smp_mb(), a wait until every CPU
 * that was inside a read-side section when it started has left it, and smp_mb().
 * That gives the guarantee scenarios rely on: every store made before call_rcu()
 * is visible to the callback, and no reader still holds the object.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/bug.h"
#include "kernel/kernel.h"

const struct ss_kernel_ops *ss_kops;
void *ss_kctx;
__thread int ss_cpu_id;

static ss_fail_hook_fn fail_hook;
static void *fail_hook_arg;

static const char *const fail_kind_names[SS_FAIL_NKINDS] = {
    [SS_FAIL_NONE] = "none",
    [SS_FAIL_COUNTER_UNDERFLOW] = "counter-underflow",
    [SS_FAIL_REFCOUNT_UNDERFLOW] = "refcount-underflow",
    [SS_FAIL_WRONG_METADATA] = "wrong-metadata",
    [SS_FAIL_CHARGE_LEAK] = "charge-leak",
    [SS_FAIL_STALE_CONTENT] = "stale-content",
    [SS_FAIL_DOUBLE_FREE] = "double-free",
    [SS_FAIL_USE_AFTER_FREE] = "use-after-free",
    [SS_FAIL_INVARIANT] = "invariant",
    [SS_FAIL_DEADLOCK] = "deadlock",
    [SS_FAIL_STEP_LIMIT] = "step-limit",
};

const char *ss_fail_kind_name(enum ss_fail_kind kind)
{
	if ((unsigned)kind >= SS_FAIL_NKINDS)
		return "unknown";
	return fail_kind_names[kind];
}

enum ss_fail_kind ss_fail_kind_from_name(const char *name)
{
	for (int k = 1; k < SS_FAIL_NKINDS; k++)
		if (!strcmp(name, fail_kind_names[k]))
			return (enum ss_fail_kind)k;
	return SS_FAIL_NONE;
}

void ss_set_fail_hook(ss_fail_hook_fn fn, void *arg)
{
	fail_hook = fn;
	fail_hook_arg = arg;
}

void ss_fail_at(enum ss_fail_kind kind, const struct ss_site *site, const char *fmt, ...)
{
	struct ss_failure f = {.kind = kind, .cpu = ss_cpu_id, .site = site};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f.msg, sizeof(f.msg), fmt, ap);
	va_end(ap);
	if (fail_hook)
		fail_hook(&f, fail_hook_arg);
	else
		fprintf(stderr, "slabstress: %s on cpu %d at %s:%d (%s): %s\n",
			ss_fail_kind_name(kind), f.cpu, site->file, site->line, site->func, f.msg);
}

/* ---- dependencies: the emulator's side of the *_DEP accesses (kernel.h) ---- */

u64 ss_emu_load_from(const volatile void *p, unsigned size, enum ss_access acc, u64 base,
		     const struct ss_site *site)
{
	struct ss_dep d = ss_kops->dep_of(ss_kctx, base);
	return ss_kops->load(ss_kctx, p, size, acc, &d, site);
}

void ss_emu_store_from(volatile void *p, unsigned size, u64 v, enum ss_access acc, u64 base,
		       const struct ss_site *site)
{
	struct ss_dep d = ss_kops->dep_of(ss_kctx, base);
	ss_kops->store(ss_kctx, p, size, v, acc, &d, site);
}

void ss_emu_derive_from(u64 v, u64 base)
{
	struct ss_dep d = ss_kops->dep_of(ss_kctx, base);
	if (d.n || d.all)
		ss_kops->dep_derive(ss_kctx, v, &d);
}

void ss_emu_derive_last(u64 v)
{
	struct ss_dep d = ss_kops->dep_last(ss_kctx);
	if (d.n || d.all)
		ss_kops->dep_derive(ss_kctx, v, &d);
}

/* ---- native RCU ---- */

static struct {
	unsigned long nesting;
	unsigned long pad[7]; /* one cache line per CPU */
} rcu_readers[SS_MAX_CPUS];

void ss_native_rcu_read_lock(void)
{
	__atomic_fetch_add(&rcu_readers[ss_cpu_id].nesting, 1, __ATOMIC_SEQ_CST);
}

void ss_native_rcu_read_unlock(void)
{
	__atomic_fetch_sub(&rcu_readers[ss_cpu_id].nesting, 1, __ATOMIC_SEQ_CST);
}

void ss_native_synchronize_rcu(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int cpu = 0; cpu < SS_MAX_CPUS; cpu++) {
		if (cpu == ss_cpu_id)
			continue;
		while (__atomic_load_n(&rcu_readers[cpu].nesting, __ATOMIC_SEQ_CST))
			ss_cpu_relax(SS_SITE("synchronize_rcu"));
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
