/* tests/unit/test_alloc_staging.c - the optional staging ops of alloc/alloc.h
 * (drain_caches, reserve_fresh, alloc_reserved), called through the ops table only,
 * as a scenario does: who has them, and the contract their comment states. */
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"
#include "kernel/bug.h"
#include "tests/unit/test.h"

static int nfails;

static void count_fail(const struct ss_failure *f, void *arg)
{
	(void)f;
	(void)arg;
	nfails++;
}

static void *mk(const struct ss_alloc_ops *a)
{
	struct ss_alloc_config c = {
	    .variant = SS_VARIANT_RC1,
	    .stride_bits = 16,
	    .objext = SS_OBJEXT_SEPARATE,
	    .object_size = 64,
	    .page_size = 4096,
	    .ncpus = 2,
	    .nobjcgs = 2,
	    .max_objects = 64,
	};
	char err[200];
	nfails = 0;
	ss_cpu_id = 0;
	void *w = a->world_create(&c, err, sizeof(err));
	if (!w)
		printf("  world_create: %s\n", err);
	return w;
}

TEST(test_only_the_slab_model_has_the_staging_ops)
{
	for (int i = 0; ss_allocators[i]; i++) {
		const struct ss_alloc_ops *a = ss_allocators[i];
		bool has = a->drain_caches && a->reserve_fresh && a->alloc_reserved;
		bool none = !a->drain_caches && !a->reserve_fresh && !a->alloc_reserved;
		EXPECT(has || none); /* all three or none */
		EXPECT(has == !strcmp(a->name, "slab"));
	}
}

TEST(test_reserved_objects_are_one_fresh_slab_in_index_order)
{
	const struct ss_alloc_ops *a = &ss_alloc_slab;
	void *w = mk(a);
	EXPECT(w != NULL);
	if (!w)
		return;
	void *objs[2];
	EXPECT(a->reserve_fresh(w, objs, 2, 0));
	EXPECT((char *)objs[1] > (char *)objs[0]);
	/* Reserved objects are not leaks, and not live. */
	EXPECT_EQ(a->quiesce(w), 0);
	EXPECT(a->alloc_reserved(w, objs[1], 0) == objs[1]);
	EXPECT(a->alloc_reserved(w, objs[0], SS_GFP_ACCOUNT) == objs[0]);
	a->free(w, objs[0]);
	a->free(w, objs[1]);
	a->drain_caches(w);
	EXPECT_EQ(a->quiesce(w), 0);
	EXPECT_EQ(nfails, 0);
	a->world_destroy(w);
}

TEST(test_reserve_fresh_refuses_what_it_cannot_give)
{
	const struct ss_alloc_ops *a = &ss_alloc_slab;
	void *w = mk(a);
	EXPECT(w != NULL);
	if (!w)
		return;
	void *objs[1];
	EXPECT(!a->reserve_fresh(w, objs, 0, 0)); /* nothing asked */
	void **many = calloc(1 << 16, sizeof(void *));
	EXPECT(!a->reserve_fresh(w, many, 1 << 15, 0)); /* more than a slab holds */
	free(many);
	EXPECT(!a->reserve_fresh(w, objs, 1, 1UL << 30)); /* would leave too few free */
	EXPECT_EQ(a->quiesce(w), 0);			  /* nothing reserved */
	EXPECT_EQ(nfails, 0);
	a->world_destroy(w);
}

int main(void)
{
	ss_set_fail_hook(count_fail, NULL);
	RUN(test_only_the_slab_model_has_the_staging_ops);
	RUN(test_reserved_objects_are_one_fresh_slab_in_index_order);
	RUN(test_reserve_fresh_refuses_what_it_cannot_give);
	TEST_SUMMARY();
}
