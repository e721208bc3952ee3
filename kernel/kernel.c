/* kernel/kernel.c - the dispatch pointer, failure reporting, the emulator's side
 * of the dependency-carrying accesses, and native RCU.
 *
 * Native RCU is a small, correct-but-slow grace period: every CPU keeps a
 * read-side nesting count; synchronize_rcu() is smp_mb(), a wait until every CPU
 * that was inside a read-side section when it started has left it, and smp_mb().
 * That gives the guarantee scenarios rely on: every store made before call_rcu()
 * is visible to the callback, and no reader still holds the object.
 *
 * Also the kernel's locked fallback of the 16-byte compare-and-swap (kernel.h).
 */
#include <stdio.h>
#include <string.h>

#include "kernel/bug.h"
#include "kernel/kernel.h"

const struct ss_kernel_ops *ss_kops;
void *ss_kctx;
__thread int ss_cpu_id;

void ss_fail_at(enum ss_fail_kind kind, const struct ss_site *site, const char *fmt, ...)
{
	struct ss_failure f = {.kind = kind, .cpu = ss_cpu_id, .site = site};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f.msg, sizeof(f.msg), fmt, ap);
	va_end(ap);
	if (!ss_fail_deliver(&f))
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

/* ---- the locked 16-byte compare-and-swap (kernel.h, -DSS_CMPXCHG128_LOCK) ---- */

static int cmpxchg128_locks[64];

u128 ss_cmpxchg128_locked(volatile u128 *p, u128 expected, u128 new_val)
{
	int *lock = &cmpxchg128_locks[((uintptr_t)p >> 4) % 64];
	u128 seen;

	ss_native_mb();
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(lock, __ATOMIC_RELAXED))
			ss_cpu_relax(SS_SITE("cmpxchg128 lock"));
	seen = *p;
	if (seen == expected)
		*p = new_val;
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
	ss_native_mb();
	return seen;
}
