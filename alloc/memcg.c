/* alloc/memcg.c - obj_cgroup refcounting, the memcg page counter, the per-CPU
 * page stock (memcg_stock) and byte stock (obj_stock): the charge/uncharge side
 * of slab accounting in v7.0-rc1 (mm/memcontrol.c; reference/slub-model.md §1.5,
 * §1.6; the two-level charge path is described in memcg.h).
 *
 * The checks that belong here fire where the kernel would WARN or crash:
 *   - the page counter going below zero (page_counter_cancel's WARN; Venkat's
 *     "page_counter overflow"), reset to 0 afterwards like the kernel does;
 *   - nr_charged_bytes going below zero;
 *   - an objcg refcount reaching zero while the world still holds its base
 *     reference (one put more than gets: the drain_obj_stock -> obj_cgroup_put
 *     crash), going below zero, or a get after release.
 * Every value is read and written through kernel/ so the emulator sees it.
 */
#include "alloc/memcg.h"

#include <string.h>

#include "kernel/bug.h"

void memcg_ctx_init(struct memcg_ctx *m, struct obj_cgroup *objcgs, struct mem_cgroup *memcgs,
		    int nobjcgs, unsigned long page_size)
{
	memset(m, 0, sizeof(*m));
	m->page_size = page_size;
	m->page_shift = (unsigned)__builtin_ctzl(page_size);
	m->nobjcgs = nobjcgs;
	m->objcgs = objcgs;
	m->memcgs = memcgs;
	memset(objcgs, 0, sizeof(*objcgs) * (size_t)nobjcgs);
	memset(memcgs, 0, sizeof(*memcgs) * (size_t)nobjcgs);
	for (int i = 0; i < nobjcgs; i++) {
		memcgs[i].id = i;
		memcgs[i].page_shift = m->page_shift;
		objcgs[i].id = i;
		objcgs[i].memcg = &memcgs[i];
		objcgs[i].refcnt.counter = 1; /* the world's base reference */
		objcgs[i].ctx = m;
	}
	memcg_set_atomic_refs(m, false);
}

struct obj_cgroup *current_obj_cgroup(struct memcg_ctx *m)
{
	return &m->objcgs[smp_processor_id() % m->nobjcgs];
}

bool memcg_is_objcg(const struct memcg_ctx *m, const void *p)
{
	const char *b = (const char *)m->objcgs;
	const char *c = (const char *)p;
	return c >= b && c < b + sizeof(struct obj_cgroup) * (size_t)m->nobjcgs &&
	       (size_t)(c - b) % sizeof(struct obj_cgroup) == 0;
}

/* ---- obj_cgroup refcount ------------------------------------------------------------ */

void memcg_set_atomic_refs(struct memcg_ctx *m, bool atomic_refs)
{
	m->atomic_refs = atomic_refs;
	for (int i = 0; i < m->nobjcgs; i++)
		m->objcgs[i].percpu = !atomic_refs && i < SS_PCPU_OBJCGS;
}

long obj_cgroup_refs(const struct obj_cgroup *objcg)
{
	long refs = objcg->refcnt.counter;
	if (objcg->id < SS_PCPU_OBJCGS)
		for (int c = 0; c < SS_MAX_CPUS; c++)
			refs += objcg->ctx->stock[c].objcg_ref[objcg->id];
	return refs;
}

/* percpu_ref_get: this_cpu_inc in per-CPU mode; atomic_long_inc, unordered, in
 * atomic mode. */
void obj_cgroup_get(struct obj_cgroup *objcg)
{
	if (likely(objcg->percpu)) {
		objcg->ctx->stock[smp_processor_id()].objcg_ref[objcg->id]++;
		return;
	}
	long old =
	    atomic_long_fetch_add_site(&objcg->refcnt, 1, SS_ORD_RELAXED, SS_SITE("objcg->refcnt"));
	if (unlikely(old <= 0))
		SS_FAIL(SS_FAIL_REFCOUNT_UNDERFLOW,
			"get after release of objcg %d (refcount was %ld, %s)", objcg->id, old,
			atomic_read(&objcg->released) ? "released" : "not released");
}

/* percpu_ref_put: this_cpu_dec in per-CPU mode (no zero test: the kernel cannot
 * see an underflow there either); atomic_long_sub_and_test (fully ordered) in
 * atomic mode. */
void obj_cgroup_put(struct obj_cgroup *objcg)
{
	if (likely(objcg->percpu)) {
		objcg->ctx->stock[smp_processor_id()].objcg_ref[objcg->id]--;
		return;
	}
	long now = atomic_long_sub_return(1, &objcg->refcnt);
	if (likely(now > 0))
		return;
	if (now == 0) {
		SS_FAIL(SS_FAIL_REFCOUNT_UNDERFLOW,
			"objcg %d refcount reached 0 while the world holds its base reference "
			"(one put more than gets); releasing it",
			objcg->id);
		obj_cgroup_release(objcg);
	} else {
		SS_FAIL(SS_FAIL_REFCOUNT_UNDERFLOW,
			"put of objcg %d took its refcount to %ld (more puts than gets)", objcg->id,
			now);
	}
}

/* Like the kernel: uncharge the whole pages left in nr_charged_bytes, straight from
 * the page counter (rc1's obj_cgroup_release bypasses the page stock).  The objcg
 * is not freed (it lives in the arena); `released` lets later gets be named. */
void obj_cgroup_release(struct obj_cgroup *objcg)
{
	long nr_bytes = atomic_long_xchg(&objcg->nr_charged_bytes, 0);
	if (nr_bytes < 0)
		SS_FAIL(
		    SS_FAIL_COUNTER_UNDERFLOW,
		    "nr_charged_bytes of objcg %d was %ld at release (more uncharged than charged)",
		    objcg->id, nr_bytes);
	atomic_set(&objcg->released, 1);
	if (nr_bytes > 0) {
		unsigned shift = objcg->memcg->page_shift;
		unsigned long nr_pages = (unsigned long)nr_bytes >> shift;
		long rest = nr_bytes & (long)((1UL << shift) - 1);
		if (nr_pages)
			memcg_uncharge(objcg->memcg, nr_pages);
		/* The kernel WARNs on a sub-page remainder and drops it; keep it so the
		 * quiescence check can name it. */
		if (rest)
			atomic_long_add(rest, &objcg->nr_charged_bytes);
	}
}

/* ---- page counter and the per-CPU page stock ------------------------------------ */

/* page_counter_try_charge with no limit: atomic_long_add_return, fully ordered. */
static void page_counter_charge(struct mem_cgroup *memcg, unsigned long nr_pages)
{
	(void)atomic_long_add_return((long)nr_pages, &memcg->memory);
}

/* page_counter_uncharge -> page_counter_cancel: atomic_long_sub_return; WARN and
 * reset to 0 below zero. */
void memcg_uncharge(struct mem_cgroup *memcg, unsigned long nr_pages)
{
	long now = atomic_long_sub_return((long)nr_pages, &memcg->memory);
	if (unlikely(now < 0)) {
		SS_FAIL(
		    SS_FAIL_COUNTER_UNDERFLOW,
		    "page counter of memcg %d went to %ld (%ld pages) after uncharging %lu pages "
		    "(more uncharged than charged)",
		    memcg->id, now * (1L << memcg->page_shift), now, nr_pages);
		atomic_long_set(&memcg->memory, 0);
	}
}

bool consume_stock(struct memcg_ctx *m, struct mem_cgroup *memcg, unsigned long nr_pages)
{
	struct memcg_stock_pcp *stock = this_cpu_ptr(m->memcg_stock);

	if (nr_pages > MEMCG_CHARGE_BATCH)
		return false;
	for (int i = 0; i < NR_MEMCG_STOCK; i++) {
		if (stock->cached[i] != memcg)
			continue;
		if (stock->nr_pages[i] < nr_pages)
			return false;
		stock->nr_pages[i] -= (u8)nr_pages;
		return true;
	}
	return false;
}

/* Gives the slot's pages back to the counter and forgets its memcg. */
void drain_stock(struct memcg_stock_pcp *stock, int i)
{
	struct mem_cgroup *old = stock->cached[i];

	if (!old)
		return;
	if (stock->nr_pages[i]) {
		memcg_uncharge(old, stock->nr_pages[i]);
		stock->nr_pages[i] = 0;
	}
	stock->cached[i] = NULL;
}

void drain_stock_fully(struct memcg_stock_pcp *stock)
{
	for (int i = 0; i < NR_MEMCG_STOCK; i++)
		drain_stock(stock, i);
}

void refill_stock(struct memcg_ctx *m, struct mem_cgroup *memcg, unsigned long nr_pages)
{
	struct memcg_stock_pcp *stock = this_cpu_ptr(m->memcg_stock);
	int empty = -1;

	/* More than a batch (the kernel also on a failed local_trylock, which the
	 * model never sees: roles are not interrupted) goes straight back. */
	if (nr_pages > MEMCG_CHARGE_BATCH) {
		memcg_uncharge(memcg, nr_pages);
		return;
	}
	for (int i = 0; i < NR_MEMCG_STOCK; i++) {
		if (!stock->cached[i] && empty < 0)
			empty = i;
		if (stock->cached[i] == memcg) {
			unsigned long pages = stock->nr_pages[i] + nr_pages;
			stock->nr_pages[i] = (u8)pages; /* <= 2 * MEMCG_CHARGE_BATCH */
			if (pages > MEMCG_CHARGE_BATCH)
				drain_stock(stock, i);
			return;
		}
	}
	if (empty < 0) {
		empty = stock->evict_next;
		stock->evict_next = (u8)((stock->evict_next + 1) % NR_MEMCG_STOCK);
		drain_stock(stock, empty);
	}
	stock->cached[empty] = memcg;
	stock->nr_pages[empty] = (u8)nr_pages;
}

/* try_charge_memcg without limits or reclaim: the stock, else a whole batch from the
 * page counter with the rest of it left in the stock. */
int try_charge_memcg(struct memcg_ctx *m, struct mem_cgroup *memcg, unsigned long nr_pages)
{
	unsigned long batch = nr_pages > MEMCG_CHARGE_BATCH ? nr_pages : MEMCG_CHARGE_BATCH;

	if (consume_stock(m, memcg, nr_pages))
		return 0;
	page_counter_charge(memcg, batch);
	if (batch > nr_pages)
		refill_stock(m, memcg, batch - nr_pages);
	return 0;
}

void obj_cgroup_charge_pages(struct obj_cgroup *objcg, unsigned long nr_pages)
{
	(void)try_charge_memcg(objcg->ctx, objcg->memcg, nr_pages);
}

void obj_cgroup_uncharge_pages(struct obj_cgroup *objcg, unsigned long nr_pages)
{
	refill_stock(objcg->ctx, objcg->memcg, nr_pages);
}

/* ---- per-CPU obj_stock ---------------------------------------------------------------- */

bool consume_obj_stock(struct memcg_ctx *m, struct obj_cgroup *objcg, unsigned long nr_bytes)
{
	struct obj_stock_pcp *stock = this_cpu_ptr(m->stock);
	if (stock->cached_objcg == objcg && stock->nr_bytes >= nr_bytes) {
		stock->nr_bytes -= nr_bytes;
		return true;
	}
	return false;
}

void drain_obj_stock(struct memcg_ctx *m, struct obj_stock_pcp *stock)
{
	struct obj_cgroup *old = stock->cached_objcg;
	if (!old)
		return;
	if (stock->nr_bytes) {
		unsigned long nr_pages = stock->nr_bytes >> m->page_shift;
		unsigned long nr_bytes = stock->nr_bytes & (m->page_size - 1);
		if (nr_pages)
			obj_cgroup_uncharge_pages(old, nr_pages);
		/* Leftover bytes go to the objcg's shared pool (kernel: atomic_add). */
		if (nr_bytes)
			atomic_long_add((long)nr_bytes, &old->nr_charged_bytes);
		stock->nr_bytes = 0;
	}
	stock->cached_objcg = NULL;
	obj_cgroup_put(old);
}

void refill_obj_stock(struct memcg_ctx *m, struct obj_cgroup *objcg, unsigned long nr_bytes,
		      bool allow_uncharge)
{
	struct obj_stock_pcp *stock = this_cpu_ptr(m->stock);

	if (stock->cached_objcg != objcg) {
		drain_obj_stock(m, stock);
		obj_cgroup_get(objcg);
		long pooled = 0;
		if (atomic_long_read(&objcg->nr_charged_bytes))
			pooled = atomic_long_xchg(&objcg->nr_charged_bytes, 0);
		if (unlikely(pooled < 0)) {
			SS_FAIL(
			    SS_FAIL_COUNTER_UNDERFLOW,
			    "nr_charged_bytes of objcg %d was %ld (more uncharged than charged)",
			    objcg->id, pooled);
			pooled = 0;
		}
		stock->nr_bytes = (unsigned long)pooled;
		stock->cached_objcg = objcg;
		allow_uncharge = true; /* also allow uncharge when objcg changes */
	}
	stock->nr_bytes += nr_bytes;

	if (allow_uncharge && stock->nr_bytes > m->page_size) {
		unsigned long nr_pages = stock->nr_bytes >> m->page_shift;
		stock->nr_bytes &= m->page_size - 1;
		obj_cgroup_uncharge_pages(objcg, nr_pages);
	}
}

int obj_cgroup_charge(struct memcg_ctx *m, struct obj_cgroup *objcg, unsigned long size)
{
	if (consume_obj_stock(m, objcg, size))
		return 0;
	/* __obj_cgroup_charge: round up to whole pages, give the rest to the stock. */
	unsigned long nr_pages = size >> m->page_shift;
	unsigned long nr_bytes = size & (m->page_size - 1);
	if (nr_bytes)
		nr_pages += 1;
	obj_cgroup_charge_pages(objcg, nr_pages);
	if (nr_bytes)
		refill_obj_stock(m, objcg, m->page_size - nr_bytes, false);
	return 0;
}

void obj_cgroup_uncharge(struct memcg_ctx *m, struct obj_cgroup *objcg, unsigned long size)
{
	refill_obj_stock(m, objcg, size, true);
}

/* ---- quiescence ----------------------------------------------------------------------- */

void memcg_drain_all(struct memcg_ctx *m, int ncpus)
{
	int saved = ss_cpu_id;
	for (int cpu = 0; cpu < ncpus; cpu++) {
		ss_cpu_id = cpu;
		drain_obj_stock(m, per_cpu_ptr(m->stock, cpu));
	}
	for (int cpu = 0; cpu < ncpus; cpu++) {
		ss_cpu_id = cpu;
		drain_stock_fully(per_cpu_ptr(m->memcg_stock, cpu));
	}
	ss_cpu_id = saved;
}

int memcg_check_quiesce(struct memcg_ctx *m, const unsigned long *charged_bytes,
			const unsigned long *live_refs)
{
	int nfail = 0;
	for (int i = 0; i < m->nobjcgs; i++) {
		struct obj_cgroup *objcg = &m->objcgs[i];
		long pooled = atomic_long_xchg(&objcg->nr_charged_bytes, 0);
		if (pooled < 0) {
			SS_FAIL(SS_FAIL_COUNTER_UNDERFLOW,
				"nr_charged_bytes of objcg %d is %ld at quiescence "
				"(more uncharged than charged)",
				i, pooled);
			nfail++;
			pooled = 0;
		}
		/* What obj_cgroup_release would do with the pool: uncharge whole pages. */
		unsigned long pages = (unsigned long)pooled >> m->page_shift;
		unsigned long rest = (unsigned long)pooled & (m->page_size - 1);
		if (pages)
			memcg_uncharge(objcg->memcg, pages);
		atomic_long_set(&objcg->nr_charged_bytes, (long)rest);

		long counter = atomic_long_read(&objcg->memcg->memory);
		long charged = counter * (long)m->page_size - (long)rest;
		long want = (long)charged_bytes[i];
		if (charged != want) {
			SS_FAIL(
			    SS_FAIL_CHARGE_LEAK,
			    "memcg %d: page counter %ld pages, nr_charged_bytes %lu after drain: "
			    "%ld bytes charged, but live objects hold %ld",
			    i, counter, rest, charged, want);
			nfail++;
		}
		long refs = obj_cgroup_refs(objcg);
		long want_refs = 1 + (long)live_refs[i];
		if (refs > want_refs) {
			SS_FAIL(SS_FAIL_CHARGE_LEAK,
				"objcg %d holds %ld references at quiescence, expected %ld "
				"(1 base + %lu live objects)",
				i, refs, want_refs, live_refs[i]);
			nfail++;
		} else if (refs < want_refs) {
			SS_FAIL(SS_FAIL_REFCOUNT_UNDERFLOW,
				"objcg %d holds %ld references at quiescence, expected %ld "
				"(1 base + %lu live objects)",
				i, refs, want_refs, live_refs[i]);
			nfail++;
		}
	}
	return nfail;
}

long memcg_page_counter(const struct memcg_ctx *m, int memcg_id)
{
	return atomic_long_read(&m->memcgs[memcg_id].memory);
}

unsigned long memcg_stock_pages(const struct memcg_ctx *m, int cpu, int memcg_id)
{
	const struct memcg_stock_pcp *stock = &m->memcg_stock[cpu];
	for (int i = 0; i < NR_MEMCG_STOCK; i++)
		if (stock->cached[i] == &m->memcgs[memcg_id])
			return stock->nr_pages[i];
	return 0;
}
