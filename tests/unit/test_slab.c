/* tests/unit/test_slab.c - white-box tests of the SLUB model (alloc/slab.c):
 * geometry, stride per variant and placement, the real rc1 truncation bug, cross-CPU
 * charge balance, lazy obj_exts install, every check on a deliberately broken world,
 * reset determinism and struct slab reuse. */
#include <stdlib.h>
#include <string.h>

#include "alloc/slab.h"
#include "kernel/bug.h"
#include "tests/unit/test.h"

static int fails[SS_FAIL_NKINDS];

static void count_fail(const struct ss_failure *f, void *arg)
{
	(void)arg;
	fails[f->kind]++;
	if (getenv("SS_TEST_VERBOSE"))
		printf("  [%s] cpu %d %s\n", ss_fail_kind_name(f->kind), f->cpu, f->msg);
}

static int total_fails(void)
{
	int t = 0;
	for (int k = 0; k < SS_FAIL_NKINDS; k++)
		t += fails[k];
	return t;
}

static struct ss_alloc_config cfg_of(enum ss_variant v, enum ss_objext_placement p,
				     size_t object_size, size_t page_size, bool account)
{
	struct ss_alloc_config c = {
	    .variant = v,
	    .stride_bits = ss_variant_default_stride_bits(v),
	    .objext = p,
	    .object_size = object_size,
	    .page_size = page_size,
	    .account = account,
	    .ncpus = 4,
	    .nobjcgs = 2,
	    .max_objects = 4096,
	};
	return c;
}

static void *mk(const struct ss_alloc_config *c)
{
	char err[200];
	memset(fails, 0, sizeof(fails));
	ss_cpu_id = 0;
	void *w = ss_alloc_slab.world_create(c, err, sizeof(err));
	if (!w)
		printf("  world_create: %s\n", err);
	return w;
}

static unsigned stride_of(void *w, void *obj)
{
	struct kmem_cache *s = slab_world_cache(w);
	struct slab *slab = virt_to_slab((struct slab_world *)w, obj);
	return s->stride_bits == 16 ? slab->stride16 : slab->stride32;
}

/* ---- geometry ---- */

TEST(test_in_object_131072_on_64k_pages_gets_262144_slots_two_per_slab)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_RC1, SS_OBJEXT_IN_OBJECT, 131072, 65536, true);
	void *w = mk(&c);
	EXPECT(w != NULL);
	if (!w)
		return;
	struct kmem_cache *s = slab_world_cache(w);
	EXPECT_EQ(s->size, 262144);
	EXPECT_EQ(s->order, 3);
	EXPECT_EQ(s->objects, 2);
	EXPECT_EQ(s->inobj_ext_offset, 262144 - 16);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_small_objects_fill_an_order_0_slab)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4096, false);
	void *w = mk(&c);
	struct kmem_cache *s = slab_world_cache(w);
	EXPECT_EQ(s->size, 64);
	EXPECT_EQ(s->order, 0);
	EXPECT_EQ(s->objects, 64);
	EXPECT_EQ(s->sheaf_capacity, 32);
	EXPECT_EQ(obj_full_size(s), 72);
	ss_alloc_slab.world_destroy(w);
}

/* ---- the real bug: u16 stride truncation ---- */

static void same_cpu_workload(void *w, int n)
{
	void *objs[64];
	for (int i = 0; i < n; i++)
		objs[i] = ss_alloc_slab.alloc(w, 0);
	for (int i = 0; i < n; i++)
		if (objs[i])
			ss_alloc_slab.free(w, objs[i]);
}

TEST(test_rc1_in_object_131072_truncates_stride_to_0_and_reports_on_one_cpu)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_RC1, SS_OBJEXT_IN_OBJECT, 131072, 65536, true);
	void *w = mk(&c);
	void *a = ss_alloc_slab.alloc(w, 0);
	EXPECT_EQ(stride_of(w, a), 0); /* 262144 & 0xffff */
	ss_alloc_slab.free(w, a);
	same_cpu_workload(w, 8);
	ss_alloc_slab.quiesce(w);
	EXPECT(fails[SS_FAIL_WRONG_METADATA] > 0);
	EXPECT(fails[SS_FAIL_WRONG_METADATA] + fails[SS_FAIL_COUNTER_UNDERFLOW] +
		   fails[SS_FAIL_CHARGE_LEAK] >
	       0);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_fixed_in_object_131072_reports_nothing)
{
	struct ss_alloc_config c =
	    cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_IN_OBJECT, 131072, 65536, true);
	void *w = mk(&c);
	void *a = ss_alloc_slab.alloc(w, 0);
	EXPECT_EQ(stride_of(w, a), 262144);
	ss_alloc_slab.free(w, a);
	same_cpu_workload(w, 8);
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
	EXPECT_EQ(total_fails(), 0);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_early_stride_with_u16_still_truncates_in_object)
{
	/* Patch [7] alone does not fix the real bug: Venkat's "still reproduces". */
	struct ss_alloc_config c =
	    cfg_of(SS_VARIANT_EARLY_STRIDE, SS_OBJEXT_IN_OBJECT, 131072, 65536, true);
	void *w = mk(&c);
	same_cpu_workload(w, 8);
	ss_alloc_slab.quiesce(w);
	EXPECT(fails[SS_FAIL_WRONG_METADATA] > 0);
	ss_alloc_slab.world_destroy(w);
}

/* ---- placements ---- */

static void check_placement(enum ss_variant v, enum ss_objext_placement p)
{
	struct ss_alloc_config c = cfg_of(v, p, 100, 4096, true);
	void *w = mk(&c);
	struct kmem_cache *s = slab_world_cache(w);
	struct slab_world *sw = w;
	void *o = ss_alloc_slab.alloc(w, 0);
	struct slab *slab = virt_to_slab(sw, o);
	char *addr = slab_address(sw, slab);
	unsigned long base = slab->obj_exts & ~OBJEXTS_FLAGS_MASK;
	EXPECT(slab->obj_exts & MEMCG_DATA_OBJEXTS);
	switch (p) {
	case SS_OBJEXT_SEPARATE:
		EXPECT_EQ(stride_of(w, o), 16);
		EXPECT(base < (unsigned long)addr || base >= (unsigned long)addr + s->slab_size);
		break;
	case SS_OBJEXT_LEFTOVER:
		EXPECT_EQ(stride_of(w, o), 16);
		EXPECT_EQ(base, (unsigned long)addr + s->leftover_offset);
		EXPECT(s->leftover_offset + s->objects * 16 <= s->slab_size);
		break;
	case SS_OBJEXT_IN_OBJECT:
		EXPECT_EQ(stride_of(w, o), s->size);
		EXPECT_EQ(base, (unsigned long)addr + s->inobj_ext_offset);
		break;
	}
	struct slabobj_ext *own = slab_own_ext(w, o);
	EXPECT(own && own->objcg == &slab_world_memcg(w)->objcgs[0]);
	ss_alloc_slab.free(w, o);
	EXPECT(own && own->objcg == NULL);
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
	EXPECT_EQ(total_fails(), 0);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_each_placement_gets_its_stride)
{
	for (int v = 0; v < SS_NVARIANTS; v++) {
		check_placement(v, SS_OBJEXT_SEPARATE);
		check_placement(v, SS_OBJEXT_LEFTOVER);
		check_placement(v, SS_OBJEXT_IN_OBJECT);
	}
}

/* ---- cross-CPU ---- */

TEST(test_free_on_other_cpu_balances_charge)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_RC1, SS_OBJEXT_SEPARATE, 64, 4096, true);
	void *w = mk(&c);
	static void *objs[2000];
	for (int round = 0; round < 3; round++) {
		ss_cpu_id = 0;
		for (int i = 0; i < 2000; i++)
			objs[i] = ss_alloc_slab.alloc(w, 0);
		ss_cpu_id = 1;
		for (int i = 0; i < 2000; i++)
			ss_alloc_slab.free(w, objs[i]);
	}
	ss_cpu_id = 0;
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
	EXPECT_EQ(memcg_page_counter(slab_world_memcg(w), 0), 0);
	EXPECT_EQ(memcg_page_counter(slab_world_memcg(w), 1), 0);
	EXPECT_EQ(total_fails(), 0);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_random_workload_on_four_cpus_keeps_invariants)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_WMB_RMB, SS_OBJEXT_LEFTOVER, 48, 4096, false);
	void *w = mk(&c);
	static void *live[1500];
	int n = 0;
	unsigned long long x = 42;
	for (int step = 0; step < 200000; step++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		ss_cpu_id = (int)((x >> 33) % 4);
		if (n < 1500 && (n == 0 || (x >> 40) % 3)) {
			void *o = ss_alloc_slab.alloc(w, (x >> 50) & 1 ? SS_GFP_ACCOUNT : 0);
			EXPECT(o != NULL);
			if (o)
				live[n++] = o;
		} else {
			int k = (int)((x >> 20) % (unsigned)n);
			ss_alloc_slab.free(w, live[k]);
			live[k] = live[--n];
		}
	}
	ss_cpu_id = 0;
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0); /* with live objects still out */
	while (n)
		ss_alloc_slab.free(w, live[--n]);
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
	EXPECT_EQ(memcg_page_counter(slab_world_memcg(w), 0), 0);
	EXPECT_EQ(total_fails(), 0);
	ss_alloc_slab.world_destroy(w);
}

/* ---- lazy obj_exts ---- */

TEST(test_lazy_install_uses_cmpxchg_and_sets_stride_per_variant)
{
	for (int v = 0; v < SS_NVARIANTS; v++) {
		struct ss_alloc_config c = cfg_of(v, SS_OBJEXT_SEPARATE, 64, 4096, false);
		void *w = mk(&c);
		void *b = ss_alloc_slab.alloc(w, 0);
		struct slab *slab = virt_to_slab(w, b);
		EXPECT_EQ(slab->obj_exts, 0);
		/* early-stride/wmb-rmb/fixed set it at creation; rc1 only when installing. */
		EXPECT_EQ(stride_of(w, b), v == SS_VARIANT_RC1 ? 0 : 16);
		void *a = ss_alloc_slab.alloc(w, SS_GFP_ACCOUNT);
		EXPECT(virt_to_slab(w, a) == slab);
		EXPECT(slab->obj_exts & MEMCG_DATA_OBJEXTS);
		EXPECT_EQ(stride_of(w, a), 16);
		EXPECT(slab_own_ext(w, a)->objcg == &slab_world_memcg(w)->objcgs[0]);
		EXPECT(slab_own_ext(w, b)->objcg == NULL); /* b stays uncharged */
		ss_alloc_slab.free(w, b);
		ss_alloc_slab.free(w, a);
		EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
		EXPECT_EQ(total_fails(), 0);
		ss_alloc_slab.world_destroy(w);
	}
}

TEST(test_reserved_objects_from_new_slab_then_lazy_install)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_RC1, SS_OBJEXT_SEPARATE, 64, 4096, false);
	void *w = mk(&c);
	void *objs[2];
	struct slab *slab = slab_reserve_from_new_slab(w, objs, 2);
	EXPECT(slab != NULL);
	EXPECT(virt_to_slab(w, objs[0]) == slab && virt_to_slab(w, objs[1]) == slab);
	EXPECT_EQ((char *)objs[1] - (char *)objs[0], 64);
	EXPECT_EQ(slab->obj_exts, 0);
	EXPECT_EQ(stride_of(w, objs[0]), 0); /* fresh world, rc1 */
	ss_cpu_id = 1;
	slab_alloc_reserved(w, objs[1], 0); /* B: uncharged */
	ss_cpu_id = 0;
	slab_alloc_reserved(w, objs[0], SS_GFP_ACCOUNT); /* A: installs obj_exts */
	EXPECT(slab->obj_exts != 0);
	EXPECT_EQ(stride_of(w, objs[0]), 16);
	ss_cpu_id = 1;
	ss_alloc_slab.free(w, objs[1]);
	ss_cpu_id = 0;
	ss_alloc_slab.free(w, objs[0]);
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
	EXPECT_EQ(total_fails(), 0);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_stale_stride_0_maps_every_object_to_ext_0)
{
	/* What a freer sees under the rc1 hole: new obj_exts, stale stride 0. */
	struct ss_alloc_config c = cfg_of(SS_VARIANT_RC1, SS_OBJEXT_SEPARATE, 64, 4096, false);
	void *w = mk(&c);
	void *objs[2];
	slab_reserve_from_new_slab(w, objs, 2);
	struct slab *slab = virt_to_slab(w, objs[0]);
	slab_alloc_reserved(w, objs[1], 0);
	slab_alloc_reserved(w, objs[0], SS_GFP_ACCOUNT);
	slab->stride16 = 0; /* the stale value */
	ss_cpu_id = 1;
	ss_alloc_slab.free(w, objs[1]);
	EXPECT_EQ(fails[SS_FAIL_WRONG_METADATA], 1);
	slab->stride16 = 16;
	ss_cpu_id = 0;
	ss_alloc_slab.free(w, objs[0]); /* its objcg was already taken: nothing to uncharge */
	ss_alloc_slab.quiesce(w);
	ss_alloc_slab.world_destroy(w);
}

/* ---- checks on broken worlds ---- */

TEST(test_free_twice_reports_double_free)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4096, true);
	void *w = mk(&c);
	void *o = ss_alloc_slab.alloc(w, 0);
	ss_alloc_slab.free(w, o);
	ss_alloc_slab.free(w, o);
	EXPECT_EQ(fails[SS_FAIL_DOUBLE_FREE], 1);
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0); /* the second free was refused */
	EXPECT_EQ(fails[SS_FAIL_DOUBLE_FREE], 1);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_write_after_free_reports_use_after_free)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4096, false);
	void *w = mk(&c);
	unsigned long *o = ss_alloc_slab.alloc(w, 0);
	EXPECT(slab_check_live(w, o));
	ss_alloc_slab.free(w, o);
	EXPECT(!slab_check_live(w, o));
	EXPECT_EQ(fails[SS_FAIL_USE_AFTER_FREE], 1);
	o[1] = 0x1234; /* the write after free */
	void *again = ss_alloc_slab.alloc(w, 0);
	EXPECT(again == o); /* the sheaf is LIFO */
	EXPECT_EQ(fails[SS_FAIL_USE_AFTER_FREE], 2);
	ss_alloc_slab.free(w, again);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_lost_uncharge_reports_charge_leak_at_quiesce)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4096, true);
	void *w = mk(&c);
	void *o = ss_alloc_slab.alloc(w, 0);
	slab_own_ext(w, o)->objcg = NULL; /* the free hook will find nothing */
	ss_alloc_slab.free(w, o);
	EXPECT(ss_alloc_slab.quiesce(w) > 0);
	EXPECT(fails[SS_FAIL_CHARGE_LEAK] >= 1);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_extra_uncharge_reports_counter_underflow)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4096, true);
	void *w = mk(&c);
	void *o = ss_alloc_slab.alloc(w, 0);
	struct memcg_ctx *m = slab_world_memcg(w);
	obj_cgroup_uncharge_pages(&m->objcgs[0], 2);
	EXPECT_EQ(fails[SS_FAIL_COUNTER_UNDERFLOW], 1);
	ss_alloc_slab.free(w, o);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_objcg_put_twice_reports_refcount_underflow)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4096, true);
	c.objcg_atomic = true; /* killed percpu_ref: the underflow is caught at once */
	void *w = mk(&c);
	struct obj_cgroup *cg = &slab_world_memcg(w)->objcgs[0];
	obj_cgroup_get(cg);
	obj_cgroup_put(cg);
	obj_cgroup_put(cg);
	EXPECT_EQ(fails[SS_FAIL_REFCOUNT_UNDERFLOW], 1);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_corrupt_freelist_reported_by_walker)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4096, false);
	void *w = mk(&c);
	void *o = ss_alloc_slab.alloc(w, 0);
	struct slab *slab = virt_to_slab(w, o);
	ss_alloc_slab.free(w, o);
	ss_alloc_slab.quiesce(w);
	EXPECT_EQ(total_fails(), 0);
	/* Point the freelist's first object at itself: a cycle. */
	void **first = slab->freelist;
	if (first) {
		*first = first;
		EXPECT(slab_check_invariants(w) > 0);
		EXPECT(fails[SS_FAIL_INVARIANT] > 0);
	}
	ss_alloc_slab.world_destroy(w);
}

TEST(test_free_of_foreign_pointer_is_refused)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4096, false);
	void *w = mk(&c);
	long x;
	ss_alloc_slab.free(w, &x);
	void *o = ss_alloc_slab.alloc(w, 0);
	ss_alloc_slab.free(w, (char *)o + 8);
	EXPECT_EQ(fails[SS_FAIL_INVARIANT], 2);
	ss_alloc_slab.free(w, o);
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
	ss_alloc_slab.world_destroy(w);
}

/* ---- reset and reuse ---- */

TEST(test_reset_gives_the_same_addresses_and_fresh_strides)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_RC1, SS_OBJEXT_SEPARATE, 64, 4096, true);
	void *w = mk(&c);
	void *first[300], *second[300];
	for (int pass = 0; pass < 2; pass++) {
		void **v = pass ? second : first;
		for (int i = 0; i < 300; i++) {
			ss_cpu_id = i % 3;
			v[i] = ss_alloc_slab.alloc(w, 0);
		}
		for (int i = 0; i < 300; i++) {
			ss_cpu_id = (i + 1) % 3;
			ss_alloc_slab.free(w, v[i]);
		}
		ss_cpu_id = 0;
		EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
		ss_alloc_slab.world_reset(w);
		struct slab_world *sw = w;
		EXPECT_EQ(sw->slabs[0].stride16, 0);
		EXPECT_EQ(sw->pages_hwm, 0);
		EXPECT_EQ(memcg_page_counter(slab_world_memcg(w), 0), 0);
	}
	EXPECT(memcmp(first, second, sizeof(first)) == 0);
	EXPECT_EQ(total_fails(), 0);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_discarded_slab_reused_keeps_stale_stride)
{
	struct ss_alloc_config c = cfg_of(SS_VARIANT_RC1, SS_OBJEXT_SEPARATE, 64, 4096, false);
	void *w = mk(&c);
	struct slab_world *sw = w;
	static void *objs[64 * 20];
	for (int i = 0; i < 64 * 20; i++)
		objs[i] = ss_alloc_slab.alloc(w, SS_GFP_ACCOUNT); /* lazy: stride 16 */
	for (int i = 0; i < 64 * 20; i++)
		ss_alloc_slab.free(w, objs[i]);
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
	struct slab *freed = NULL;
	for (unsigned long i = 0; i < sw->pages_hwm && !freed; i++)
		if (!sw->slabs[i].allocated)
			freed = &sw->slabs[i];
	EXPECT(freed != NULL);
	if (freed) {
		EXPECT_EQ(freed->obj_exts, 0);
		EXPECT_EQ(freed->stride16, 16); /* stale: never cleared */
	}
	/* The next new slab reuses a discarded descriptor with its old stride. */
	void *o[2];
	struct slab *slab = slab_reserve_from_new_slab(w, o, 2);
	EXPECT(slab && slab->allocated && slab->obj_exts == 0 && slab->stride16 == 16);
	slab_alloc_reserved(w, o[0], 0);
	slab_alloc_reserved(w, o[1], 0);
	ss_alloc_slab.free(w, o[0]);
	ss_alloc_slab.free(w, o[1]);
	EXPECT_EQ(ss_alloc_slab.quiesce(w), 0);
	EXPECT_EQ(total_fails(), 0);
	ss_alloc_slab.world_destroy(w);
}

TEST(test_world_create_rejects_bad_config)
{
	char err[200];
	struct ss_alloc_config c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4000, false);
	EXPECT(ss_alloc_slab.world_create(&c, err, sizeof(err)) == NULL);
	EXPECT(strstr(err, "4000") != NULL);
	c = cfg_of(SS_VARIANT_FIXED, SS_OBJEXT_SEPARATE, 64, 4096, false);
	c.stride_bits = 8;
	EXPECT(ss_alloc_slab.world_create(&c, err, sizeof(err)) == NULL);
	EXPECT(strstr(err, "stride") != NULL);
}

int main(void)
{
	ss_set_fail_hook(count_fail, NULL);
	RUN(test_in_object_131072_on_64k_pages_gets_262144_slots_two_per_slab);
	RUN(test_small_objects_fill_an_order_0_slab);
	RUN(test_rc1_in_object_131072_truncates_stride_to_0_and_reports_on_one_cpu);
	RUN(test_fixed_in_object_131072_reports_nothing);
	RUN(test_early_stride_with_u16_still_truncates_in_object);
	RUN(test_each_placement_gets_its_stride);
	RUN(test_free_on_other_cpu_balances_charge);
	RUN(test_random_workload_on_four_cpus_keeps_invariants);
	RUN(test_lazy_install_uses_cmpxchg_and_sets_stride_per_variant);
	RUN(test_reserved_objects_from_new_slab_then_lazy_install);
	RUN(test_stale_stride_0_maps_every_object_to_ext_0);
	RUN(test_free_twice_reports_double_free);
	RUN(test_write_after_free_reports_use_after_free);
	RUN(test_lost_uncharge_reports_charge_leak_at_quiesce);
	RUN(test_extra_uncharge_reports_counter_underflow);
	RUN(test_objcg_put_twice_reports_refcount_underflow);
	RUN(test_corrupt_freelist_reported_by_walker);
	RUN(test_free_of_foreign_pointer_is_refused);
	RUN(test_reset_gives_the_same_addresses_and_fresh_strides);
	RUN(test_discarded_slab_reused_keeps_stale_stride);
	RUN(test_world_create_rejects_bad_config);
	TEST_SUMMARY();
}
