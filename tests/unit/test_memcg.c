/* tests/unit/test_memcg.c - white-box tests of alloc/memcg.c: obj_cgroup refcount,
 * page counter, per-CPU page stock (memcg_stock) and obj_stock, and the
 * quiescence check. */
#include <stdlib.h>
#include <string.h>

#include "alloc/memcg.h"
#include "kernel/bug.h"
#include "tests/unit/test.h"

static int fails[SS_FAIL_NKINDS];

static void count_fail(const struct ss_failure *f, void *arg)
{
	(void)arg;
	fails[f->kind]++;
	if (getenv("SS_TEST_VERBOSE"))
		printf("  [%s] %s\n", ss_fail_kind_name(f->kind), f->msg);
}

static struct obj_cgroup objcgs[8];
static struct mem_cgroup memcgs[8];
static struct memcg_ctx ctx;

static struct memcg_ctx *fresh(int n)
{
	memset(fails, 0, sizeof(fails));
	ss_cpu_id = 0;
	memcg_ctx_init(&ctx, objcgs, memcgs, n, 4096);
	return &ctx;
}

static int total_fails(void)
{
	int t = 0;
	for (int k = 0; k < SS_FAIL_NKINDS; k++)
		t += fails[k];
	return t;
}

static const unsigned long zeros[SS_MAX_OBJCGS];

TEST(test_charge_takes_a_batch_from_the_counter_and_stocks_the_rest)
{
	struct memcg_ctx *m = fresh(1);
	struct obj_cgroup *cg = current_obj_cgroup(m);
	obj_cgroup_charge(m, cg, 72);
	/* One page needed: a whole MEMCG_CHARGE_BATCH from the counter, the other
	 * 63 pages in this CPU's page stock, the rest of the page in the obj stock. */
	EXPECT_EQ(memcg_page_counter(m, 0), MEMCG_CHARGE_BATCH);
	EXPECT_EQ(memcg_stock_pages(m, 0, 0), MEMCG_CHARGE_BATCH - 1);
	EXPECT(m->stock[0].cached_objcg == cg);
	EXPECT_EQ(m->stock[0].nr_bytes, 4096 - 72);
	/* The second charge comes from the obj stock: nothing moves. */
	obj_cgroup_charge(m, cg, 72);
	EXPECT_EQ(memcg_page_counter(m, 0), MEMCG_CHARGE_BATCH);
	EXPECT_EQ(m->stock[0].nr_bytes, 4096 - 144);
	/* The obj stock holds a reference. */
	EXPECT_EQ(obj_cgroup_refs(cg), 2);
	/* Draining gives back the 63 stocked pages and the obj stock's bytes. */
	memcg_drain_all(m, 1);
	EXPECT_EQ(memcg_stock_pages(m, 0, 0), 0);
	EXPECT_EQ(memcg_page_counter(m, 0), 1);
	unsigned long charged[SS_MAX_OBJCGS] = {144};
	EXPECT_EQ(memcg_check_quiesce(m, charged, zeros), 0);
	EXPECT_EQ(total_fails(), 0);
}

TEST(test_page_stock_serves_charges_until_it_runs_dry)
{
	struct memcg_ctx *m = fresh(1);
	struct obj_cgroup *cg = &m->objcgs[0];
	obj_cgroup_charge_pages(cg, 1);
	EXPECT_EQ(memcg_page_counter(m, 0), 64);
	/* 63 more single pages: all from the stock, the counter (and its fully
	 * ordered atomics) untouched. */
	for (int i = 0; i < 63; i++)
		obj_cgroup_charge_pages(cg, 1);
	EXPECT_EQ(memcg_page_counter(m, 0), 64);
	EXPECT_EQ(memcg_stock_pages(m, 0, 0), 0);
	/* The stock is dry: the next page is a miss, another batch. */
	obj_cgroup_charge_pages(cg, 1);
	EXPECT_EQ(memcg_page_counter(m, 0), 128);
	EXPECT_EQ(memcg_stock_pages(m, 0, 0), 63);
	EXPECT_EQ(total_fails(), 0);
}

TEST(test_uncharge_refills_this_cpus_stock_until_past_the_batch)
{
	struct memcg_ctx *m = fresh(1);
	struct obj_cgroup *cg = &m->objcgs[0];
	ss_cpu_id = 0;
	obj_cgroup_charge_pages(cg, 1); /* counter 64, CPU 0 stocks 63 */
	ss_cpu_id = 1;
	obj_cgroup_charge_pages(cg, 1); /* counter 128, CPU 1 stocks 63 */
	obj_cgroup_uncharge_pages(cg, 1);
	/* Back into CPU 1's stock: the counter does not move. */
	EXPECT_EQ(memcg_stock_pages(m, 1, 0), 64);
	EXPECT_EQ(memcg_page_counter(m, 0), 128);
	/* Freeing CPU 0's page on CPU 1 takes the slot past the batch: drained. */
	obj_cgroup_uncharge_pages(cg, 1);
	EXPECT_EQ(memcg_stock_pages(m, 1, 0), 0);
	EXPECT_EQ(memcg_page_counter(m, 0), 128 - 65);
	/* At quiescence CPU 0's 63 pages go back too: nothing charged, no failure. */
	memcg_drain_all(m, 2);
	EXPECT_EQ(memcg_page_counter(m, 0), 0);
	EXPECT_EQ(total_fails(), 0);
	ss_cpu_id = 0;
}

TEST(test_page_stock_holds_seven_memcgs_then_evicts_one)
{
	struct memcg_ctx *m = fresh(8);
	for (int i = 0; i < NR_MEMCG_STOCK; i++)
		obj_cgroup_charge_pages(&m->objcgs[i], 1);
	for (int i = 0; i < NR_MEMCG_STOCK; i++)
		EXPECT_EQ(memcg_stock_pages(m, 0, i), 63);
	/* An eighth memcg: a slot is drained (its 63 pages uncharged) and reused. */
	obj_cgroup_charge_pages(&m->objcgs[7], 1);
	EXPECT_EQ(memcg_stock_pages(m, 0, 7), 63);
	EXPECT_EQ(memcg_stock_pages(m, 0, 0), 0);
	EXPECT_EQ(memcg_page_counter(m, 0), 1);
	EXPECT_EQ(memcg_page_counter(m, 7), 64);
	EXPECT_EQ(total_fails(), 0);
}

TEST(test_more_than_a_batch_bypasses_the_page_stock)
{
	struct memcg_ctx *m = fresh(1);
	struct obj_cgroup *cg = &m->objcgs[0];
	obj_cgroup_charge_pages(cg, 100);
	EXPECT_EQ(memcg_page_counter(m, 0), 100);
	EXPECT_EQ(memcg_stock_pages(m, 0, 0), 0);
	obj_cgroup_uncharge_pages(cg, 100);
	EXPECT_EQ(memcg_page_counter(m, 0), 0);
	EXPECT_EQ(memcg_stock_pages(m, 0, 0), 0);
	EXPECT_EQ(total_fails(), 0);
}

TEST(test_release_uncharges_the_counter_not_the_stock)
{
	struct memcg_ctx *m = fresh(1);
	memcg_set_atomic_refs(m, true);
	struct obj_cgroup *cg = &m->objcgs[0];
	obj_cgroup_charge_pages(cg, 2); /* counter 64, stock 62 */
	atomic_long_set(&cg->nr_charged_bytes, 2 * 4096);
	obj_cgroup_put(cg); /* the base reference: release runs */
	EXPECT_EQ(fails[SS_FAIL_REFCOUNT_UNDERFLOW], 1);
	EXPECT_EQ(memcg_page_counter(m, 0), 62);
	EXPECT_EQ(memcg_stock_pages(m, 0, 0), 62);
}

TEST(test_uncharge_on_same_cpu_balances_after_drain)
{
	struct memcg_ctx *m = fresh(1);
	struct obj_cgroup *cg = current_obj_cgroup(m);
	for (int i = 0; i < 100; i++)
		obj_cgroup_charge(m, cg, 72);
	for (int i = 0; i < 100; i++)
		obj_cgroup_uncharge(m, cg, 72);
	memcg_drain_all(m, 1);
	EXPECT_EQ(memcg_check_quiesce(m, zeros, zeros), 0);
	EXPECT_EQ(memcg_page_counter(m, 0), 0);
	EXPECT_EQ(obj_cgroup_refs(cg), 1);
	EXPECT_EQ(total_fails(), 0);
}

TEST(test_uncharge_on_other_cpu_balances_after_drain)
{
	struct memcg_ctx *m = fresh(1);
	struct obj_cgroup *cg = &m->objcgs[0];
	ss_cpu_id = 0;
	for (int i = 0; i < 1000; i++)
		obj_cgroup_charge(m, cg, 72);
	ss_cpu_id = 1;
	for (int i = 0; i < 1000; i++)
		obj_cgroup_uncharge(m, cg, 72);
	ss_cpu_id = 0;
	memcg_drain_all(m, 2);
	/* Leftovers of two stocks pool in nr_charged_bytes; the check folds them. */
	EXPECT_EQ(memcg_check_quiesce(m, zeros, zeros), 0);
	EXPECT_EQ(memcg_page_counter(m, 0), 0);
	EXPECT_EQ(atomic_long_read(&cg->nr_charged_bytes), 0);
	EXPECT_EQ(total_fails(), 0);
}

TEST(test_stock_switch_drains_old_objcg_and_pulls_pooled_bytes)
{
	struct memcg_ctx *m = fresh(2);
	struct obj_cgroup *a = &m->objcgs[0], *b = &m->objcgs[1];
	obj_cgroup_charge(m, a, 100); /* stock: a, 3996 */
	obj_cgroup_charge(m, b, 100); /* drains a: 3996 bytes -> a's pool */
	EXPECT_EQ(atomic_long_read(&a->nr_charged_bytes), 3996);
	EXPECT_EQ(obj_cgroup_refs(a), 1);
	obj_cgroup_uncharge(m, a, 100); /* drains b, pulls a's pool: 4096 */
	EXPECT_EQ(atomic_long_read(&a->nr_charged_bytes), 0);
	EXPECT_EQ(m->stock[0].nr_bytes, 4096);
	obj_cgroup_uncharge(m, b, 100);
	memcg_drain_all(m, 1);
	EXPECT_EQ(memcg_check_quiesce(m, zeros, zeros), 0);
	EXPECT_EQ(total_fails(), 0);
}

TEST(test_uncharge_more_than_charged_reports_counter_underflow)
{
	struct memcg_ctx *m = fresh(1);
	obj_cgroup_uncharge_pages(&m->objcgs[0], 1);
	/* The page waits in the stock, as in the kernel; the drain finds it. */
	EXPECT_EQ(fails[SS_FAIL_COUNTER_UNDERFLOW], 0);
	memcg_drain_all(m, 1);
	EXPECT_EQ(fails[SS_FAIL_COUNTER_UNDERFLOW], 1);
	/* Like page_counter_cancel: the counter is put back to 0. */
	EXPECT_EQ(memcg_page_counter(m, 0), 0);
}

TEST(test_double_uncharge_through_stock_reports_counter_underflow)
{
	struct memcg_ctx *m = fresh(1);
	struct obj_cgroup *cg = &m->objcgs[0];
	obj_cgroup_charge(m, cg, 4096); /* one page, nothing stocked */
	obj_cgroup_uncharge(m, cg, 4096);
	obj_cgroup_uncharge(m, cg, 4096); /* 8192 > PAGE: two pages uncharged */
	EXPECT(fails[SS_FAIL_COUNTER_UNDERFLOW] >= 1);
}

TEST(test_put_twice_reports_refcount_underflow)
{
	struct memcg_ctx *m = fresh(1);
	memcg_set_atomic_refs(m, true); /* killed percpu_ref: underflow caught at once */
	struct obj_cgroup *cg = &m->objcgs[0];
	obj_cgroup_get(cg);
	obj_cgroup_put(cg);
	EXPECT_EQ(fails[SS_FAIL_REFCOUNT_UNDERFLOW], 0);
	obj_cgroup_put(cg); /* takes the world's base reference: zero */
	EXPECT_EQ(fails[SS_FAIL_REFCOUNT_UNDERFLOW], 1);
	EXPECT_EQ(atomic_read(&cg->released), 1);
	obj_cgroup_put(cg); /* below zero */
	EXPECT_EQ(fails[SS_FAIL_REFCOUNT_UNDERFLOW], 2);
}

TEST(test_get_after_release_reports_refcount_underflow)
{
	struct memcg_ctx *m = fresh(1);
	memcg_set_atomic_refs(m, true);
	struct obj_cgroup *cg = &m->objcgs[0];
	obj_cgroup_put(cg);
	memset(fails, 0, sizeof(fails));
	obj_cgroup_get(cg);
	EXPECT_EQ(fails[SS_FAIL_REFCOUNT_UNDERFLOW], 1);
}

TEST(test_percpu_refs_stay_per_cpu_and_an_extra_put_shows_at_quiescence)
{
	struct memcg_ctx *m = fresh(1);
	struct obj_cgroup *cg = &m->objcgs[0];
	ss_cpu_id = 0;
	obj_cgroup_get(cg); /* on CPU 0 */
	ss_cpu_id = 1;
	obj_cgroup_put(cg); /* on CPU 1: balanced in the sum, not per CPU */
	EXPECT_EQ(cg->refcnt.counter, 1);
	EXPECT_EQ(m->stock[0].objcg_ref[0], 1);
	EXPECT_EQ(m->stock[1].objcg_ref[0], -1);
	EXPECT_EQ(obj_cgroup_refs(cg), 1);
	obj_cgroup_put(cg); /* one put too many: per-CPU mode cannot see it yet */
	EXPECT_EQ(fails[SS_FAIL_REFCOUNT_UNDERFLOW], 0);
	ss_cpu_id = 0;
	EXPECT(memcg_check_quiesce(m, zeros, zeros) >= 1);
	EXPECT_EQ(fails[SS_FAIL_REFCOUNT_UNDERFLOW], 1);
}

TEST(test_quiesce_reports_charge_leak)
{
	struct memcg_ctx *m = fresh(1);
	obj_cgroup_charge(m, &m->objcgs[0], 72); /* charged, never uncharged */
	memcg_drain_all(m, 1);
	EXPECT(memcg_check_quiesce(m, zeros, zeros) >= 1);
	EXPECT_EQ(fails[SS_FAIL_CHARGE_LEAK], 1);
}

TEST(test_quiesce_accepts_charges_held_by_live_objects)
{
	struct memcg_ctx *m = fresh(1);
	struct obj_cgroup *cg = &m->objcgs[0];
	unsigned long charged[SS_MAX_OBJCGS] = {3 * 72}, refs[SS_MAX_OBJCGS] = {3};
	for (int i = 0; i < 3; i++) {
		obj_cgroup_charge(m, cg, 72);
		obj_cgroup_get(cg); /* the object's reference, as the post-alloc hook takes */
	}
	memcg_drain_all(m, 1);
	EXPECT_EQ(memcg_check_quiesce(m, charged, refs), 0);
	EXPECT_EQ(total_fails(), 0);
}

TEST(test_current_obj_cgroup_follows_cpu)
{
	struct memcg_ctx *m = fresh(3);
	ss_cpu_id = 4;
	EXPECT(current_obj_cgroup(m) == &m->objcgs[1]);
	EXPECT(memcg_is_objcg(m, &m->objcgs[2]));
	EXPECT(!memcg_is_objcg(m, (char *)&m->objcgs[2] + 8));
	EXPECT(!memcg_is_objcg(m, &m->objcgs[3]));
	ss_cpu_id = 0;
}

int main(void)
{
	ss_set_fail_hook(count_fail, NULL);
	RUN(test_charge_takes_a_batch_from_the_counter_and_stocks_the_rest);
	RUN(test_page_stock_serves_charges_until_it_runs_dry);
	RUN(test_uncharge_refills_this_cpus_stock_until_past_the_batch);
	RUN(test_page_stock_holds_seven_memcgs_then_evicts_one);
	RUN(test_more_than_a_batch_bypasses_the_page_stock);
	RUN(test_release_uncharges_the_counter_not_the_stock);
	RUN(test_uncharge_on_same_cpu_balances_after_drain);
	RUN(test_uncharge_on_other_cpu_balances_after_drain);
	RUN(test_stock_switch_drains_old_objcg_and_pulls_pooled_bytes);
	RUN(test_uncharge_more_than_charged_reports_counter_underflow);
	RUN(test_double_uncharge_through_stock_reports_counter_underflow);
	RUN(test_put_twice_reports_refcount_underflow);
	RUN(test_get_after_release_reports_refcount_underflow);
	RUN(test_percpu_refs_stay_per_cpu_and_an_extra_put_shows_at_quiescence);
	RUN(test_quiesce_reports_charge_leak);
	RUN(test_quiesce_accepts_charges_held_by_live_objects);
	RUN(test_current_obj_cgroup_follows_cpu);
	TEST_SUMMARY();
}
