/* tests/unit/test_slab_switches.c - the slab model's switches (results/knobs.h):
 * every combination keeps the model's invariants on a short random workload in
 * every obj_exts placement, each named variant is exactly its row, and the
 * NAME=VALUE syntax of --set round-trips and names what it refuses. */
#include <stdlib.h>
#include <string.h>

#include "alloc/slab.h"
#include "kernel/bug.h"
#include "tests/unit/test.h"

static int nfails;

static void count_fail(const struct ss_failure *f, void *arg)
{
	(void)arg;
	nfails++;
	if (getenv("SS_TEST_VERBOSE"))
		printf("  [%s] cpu %d %s\n", ss_fail_kind_name(f->kind), f->cpu, f->msg);
}

static struct ss_alloc_config custom_cfg(unsigned switches, unsigned bits,
					 enum ss_objext_placement p, size_t object_size,
					 size_t page_size)
{
	struct ss_alloc_config c = {
	    .variant = SS_VARIANT_CUSTOM,
	    .switches = switches,
	    .stride_bits = bits,
	    .objext = p,
	    .object_size = object_size,
	    .page_size = page_size,
	    .account = false,
	    .ncpus = 4,
	    .nobjcgs = 2,
	    .max_objects = 1024,
	};
	return c;
}

static void *mk(const struct ss_alloc_config *c)
{
	char err[200];
	nfails = 0;
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

/* Random alloc/free on four CPUs, half of them charged (without SLAB_ACCOUNT:
 * lazy obj_exts installs on shared slabs), then everything freed: nothing reported, charges back to
 * 0, and every charged object's stride is the placement's. */
static void random_workload(void *w, unsigned long long seed, int steps)
{
	static void *live[400];
	int n = 0;
	unsigned long long x = seed;
	/* in-object vectors only on SLAB_ACCOUNT caches: others get lazy separate ones */
	struct kmem_cache *s = slab_world_cache(w);
	unsigned want = s->placement == SS_OBJEXT_IN_OBJECT && (s->flags & SLAB_ACCOUNT)
			    ? s->size
			    : sizeof(struct slabobj_ext);
	for (int step = 0; step < steps; step++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		ss_cpu_id = (int)((x >> 33) % 4);
		if (n < 400 && (n == 0 || (x >> 40) % 3)) {
			bool charged = (x >> 50) & 1;
			void *o = ss_alloc_slab.alloc(w, charged ? SS_GFP_ACCOUNT : 0);
			EXPECT(o != NULL);
			if (!o)
				continue;
			live[n++] = o;
			if (charged)
				EXPECT_EQ(stride_of(w, o), want);
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
	EXPECT_EQ(memcg_page_counter(slab_world_memcg(w), 1), 0);
}

/* p: placement p % 3, SLAB_ACCOUNT from 3 on. */
TEST(test_every_switch_combination_keeps_the_invariants_in_every_placement)
{
	static const enum ss_objext_placement placements[] = {
	    SS_OBJEXT_SEPARATE, SS_OBJEXT_LEFTOVER, SS_OBJEXT_IN_OBJECT};
	int worlds = 0;
	for (unsigned sw = 0; sw <= SS_SW_ALL; sw++)
		for (unsigned bits = 16; bits <= 32; bits += 16)
			for (int p = 0; p < 6; p++) {
				struct ss_alloc_config c =
				    custom_cfg(sw, bits, placements[p % 3], 100, 4096);
				c.account = p >= 3;
				void *w = mk(&c);
				EXPECT(w != NULL);
				if (!w)
					continue;
				EXPECT_EQ(slab_world_cache(w)->switches, sw);
				random_workload(w, 7 + sw, 3000);
				if (nfails)
					printf(
					    "  switches 0x%x bits %u placement %d: %d failures\n",
					    sw, bits, p, nfails);
				EXPECT_EQ(nfails, 0);
				ss_alloc_slab.world_destroy(w);
				worlds++;
			}
	EXPECT_EQ(worlds, (SS_SW_ALL + 1) * 2 * 6);
}

/* The real bug is the width, not the order: with 131072-byte objects in-object on
 * 64K pages a 16-bit stride is wrong under every combination, a 32-bit one never. */
TEST(test_in_object_131072_fails_with_16_bits_under_every_combination_never_with_32)
{
	for (unsigned sw = 0; sw <= SS_SW_ALL; sw++)
		for (unsigned bits = 16; bits <= 32; bits += 16) {
			struct ss_alloc_config c =
			    custom_cfg(sw, bits, SS_OBJEXT_IN_OBJECT, 131072, 65536);
			c.account = true;
			void *w = mk(&c);
			EXPECT(w != NULL);
			if (!w)
				continue;
			void *objs[8];
			for (int i = 0; i < 8; i++)
				objs[i] = ss_alloc_slab.alloc(w, 0);
			for (int i = 0; i < 8; i++)
				if (objs[i])
					ss_alloc_slab.free(w, objs[i]);
			ss_alloc_slab.quiesce(w);
			if (bits == 16)
				EXPECT(nfails > 0);
			else
				EXPECT_EQ(nfails, 0);
			ss_alloc_slab.world_destroy(w);
		}
}

TEST(test_named_variants_are_their_rows)
{
	for (int v = 0; v < SS_NVARIANTS; v++) {
		struct ss_alloc_config named = custom_cfg(0, 0, SS_OBJEXT_SEPARATE, 64, 4096);
		named.variant = (enum ss_variant)v;
		named.switches = SS_SW_ALL; /* ignored: a named variant has its row */
		void *w = mk(&named);
		EXPECT(w != NULL);
		if (!w)
			continue;
		EXPECT_EQ(slab_world_cache(w)->switches, ss_variant_switches(v));
		EXPECT_EQ(slab_world_cache(w)->stride_bits, ss_variant_default_stride_bits(v));
		ss_alloc_slab.world_destroy(w);
		EXPECT_EQ(ss_variant_of_switches(ss_variant_switches(v),
						 ss_variant_default_stride_bits(v)),
			  v);
	}
	EXPECT_EQ(ss_variant_switches(SS_VARIANT_RC1), 0);
	EXPECT_EQ(ss_variant_of_switches(SS_SW(SS_SW_RMB_BEFORE_STRIDE), 16), SS_VARIANT_CUSTOM);
	EXPECT_EQ(ss_variant_from_name("custom"), SS_VARIANT_CUSTOM);
	EXPECT(!strcmp(ss_variant_name(SS_VARIANT_CUSTOM), "custom"));
}

TEST(test_switch_syntax_round_trips_and_names_what_it_refuses)
{
	char buf[512], err[512];
	for (unsigned sw = 0; sw <= SS_SW_ALL; sw++)
		for (unsigned bits = 16; bits <= 32; bits += 16) {
			unsigned back = ~0u, bback = 0;
			ss_switches_format(sw, bits, buf, sizeof(buf));
			EXPECT_EQ(ss_switches_apply(buf, &back, &bback, err, sizeof(err)), 0);
			EXPECT_EQ(back & SS_SW_ALL, sw);
			EXPECT_EQ(bback, bits);
		}
	unsigned sw = 0, bits = 16;
	EXPECT_EQ(ss_switches_apply("stride=early,rmb-before-stride=on,stride-bits=32", &sw, &bits,
				    err, sizeof(err)),
		  0);
	EXPECT_EQ(sw, SS_SW(SS_SW_STRIDE_EARLY) | SS_SW(SS_SW_RMB_BEFORE_STRIDE));
	EXPECT_EQ(bits, 32);
	EXPECT_EQ(ss_switches_apply("stride=sideways", &sw, &bits, err, sizeof(err)), -1);
	EXPECT(strstr(err, "sideways") && strstr(err, "late or early"));
	EXPECT_EQ(ss_switches_apply("strid=early", &sw, &bits, err, sizeof(err)), -1);
	EXPECT(strstr(err, "'strid'") && strstr(err, "rmb-before-stride") &&
	       strstr(err, "stride-bits"));
	EXPECT_EQ(ss_switches_apply("stride=early,,", &sw, &bits, err, sizeof(err)), -1);
	EXPECT_EQ(ss_switches_apply("stride", &sw, &bits, err, sizeof(err)), -1);
	EXPECT(strstr(err, "expected late or early"));
	/* a too-small buffer gets the count, not an overflow */
	EXPECT(ss_switches_format(0, 16, buf, 8) > 8);
	EXPECT_EQ(strlen(buf), 7);
}

int main(void)
{
	ss_set_fail_hook(count_fail, NULL);
	RUN(test_every_switch_combination_keeps_the_invariants_in_every_placement);
	RUN(test_in_object_131072_fails_with_16_bits_under_every_combination_never_with_32);
	RUN(test_named_variants_are_their_rows);
	RUN(test_switch_syntax_round_trips_and_names_what_it_refuses);
	TEST_SUMMARY();
}
