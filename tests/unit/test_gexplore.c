/* tests/unit/test_gexplore.c - `--engine graph` on the scenarios
 * (engine/gexplore.c): correct handoffs are proved clean (the search
 * completes, no failure), the seed's rc1 race and the broken handoffs are found
 * in a graph the model allows, and the failing graph, saved, replays in a new
 * emulator (another world, other addresses) to the same failure. */
#include <stdlib.h>

#include "alloc/alloc.h"
#include "engine/gexplore.h"
#include "scenarios/scenario.h"
#include "tests/unit/test.h"

static struct emu_config cfg_for(const char *scn, enum ss_variant v, enum wmm_model m)
{
	struct emu_config c;
	memset(&c, 0, sizeof(c));
	c.scn = ss_scenario_find(scn);
	c.alloc = &ss_alloc_slab;
	c.acfg.variant = v;
	c.acfg.stride_bits = ss_variant_default_stride_bits(v);
	c.acfg.objext = SS_OBJEXT_SEPARATE;
	c.acfg.object_size = 64;
	c.acfg.page_size = 4096;
	c.acfg.account = c.scn && (c.scn->needs_account || c.scn->handoff != SS_HANDOFF_ALLOCATOR);
	c.acfg.ncpus = c.scn ? c.scn->nroles : 1;
	c.acfg.nobjcgs = 2;
	c.acfg.max_objects = 4096;
	c.model = m;
	c.iters = 1;
	c.seed = 1;
	return c;
}

static int explore(const char *scn, enum ss_variant v, enum wmm_model m, struct gexplore_stats *st)
{
	struct emu_config c = cfg_for(scn, v, m);
	struct gexplore_opts o = {.max_execs = 200000};
	int rc = gexplore_run(&c, &o, st, NULL);
	printf("  # %s/%s/%s: %llu graphs, %llu consistent, %llu refused, %llu failed%s\n", scn,
	       ss_variant_name(v), wmm_model_name(m), st->executions, st->consistent, st->refused,
	       st->failed, st->complete ? ", complete" : "");
	return rc;
}

TEST(correct_handoffs_are_proved_clean)
{
	static const char *const scn[] = {"lazy-objexts", "release-acquire", "xchg",
					  "spinlock",	  "cmpxchg",	     "llist"};
	for (size_t i = 0; i < sizeof(scn) / sizeof(scn[0]); i++) {
		struct gexplore_stats st;
		EXPECT_EQ(explore(scn[i], SS_VARIANT_FIXED, WMM_LKMM, &st), 0);
		EXPECT(st.complete);
		EXPECT(!st.found);
		EXPECT(st.consistent > 0);
		EXPECT_EQ(st.diverged, 0);
		gexplore_stats_free(&st);
	}
}

TEST(the_seed_race_is_found_and_replays)
{
	struct gexplore_stats st;
	EXPECT_EQ(explore("lazy-objexts", SS_VARIANT_RC1, WMM_LKMM, &st), 0);
	EXPECT(st.found);
	EXPECT_EQ(st.first.kind, SS_FAIL_WRONG_METADATA);
	EXPECT(st.replay_ok);
	EXPECT(st.first_graph && st.first_len > 0);
	/* once more from the saved bytes, in yet another emulator */
	struct emu_config c = cfg_for("lazy-objexts", SS_VARIANT_RC1, WMM_LKMM);
	struct emu_result r;
	bool consistent = false;
	char err[200];
	EXPECT_EQ(gexplore_replay(&c, st.first_graph, st.first_len, &r, &consistent, NULL, err,
				  sizeof(err)),
		  0);
	EXPECT(consistent);
	EXPECT_EQ(r.kind, st.first.kind);
	EXPECT_EQ(r.fail_step, st.first.fail_step);
	/* corrupt bytes are refused, not replayed */
	u8 junk[64] = {1, 2, 3};
	EXPECT_EQ(gexplore_replay(&c, junk, sizeof(junk), &r, &consistent, NULL, err, sizeof(err)),
		  -2);
	/* a graph of another variant is not re-created: a bad reproducer too */
	struct emu_config cf = cfg_for("lazy-objexts", SS_VARIANT_FIXED, WMM_LKMM);
	EXPECT_EQ(gexplore_replay(&cf, st.first_graph, st.first_len, &r, &consistent, NULL, err,
				  sizeof(err)),
		  -2);
	gexplore_stats_free(&st);
}

TEST(the_fixed_seed_is_clean_under_every_model)
{
	static const enum wmm_model models[] = {WMM_SC, WMM_TSO, WMM_LKMM};
	for (size_t i = 0; i < 3; i++) {
		struct gexplore_stats st;
		EXPECT_EQ(explore("lazy-objexts", SS_VARIANT_WMB_RMB, models[i], &st), 0);
		EXPECT(st.complete && !st.found);
		gexplore_stats_free(&st);
	}
}

TEST(broken_handoffs_fail)
{
	static const char *const scn[] = {"once", "plain"};
	for (size_t i = 0; i < 2; i++) {
		struct gexplore_stats st;
		EXPECT_EQ(explore(scn[i], SS_VARIANT_FIXED, WMM_LKMM, &st), 0);
		EXPECT(st.found);
		EXPECT(st.replay_ok);
		gexplore_stats_free(&st);
	}
}

TEST(once_is_clean_under_sc)
{
	/* the missing barrier matters only under weaker models */
	struct gexplore_stats st;
	EXPECT_EQ(explore("once", SS_VARIANT_FIXED, WMM_SC, &st), 0);
	EXPECT(st.complete && !st.found);
	gexplore_stats_free(&st);
}

TEST(sampling_finds_the_non_multicopy_atomic_relay)
{
	/* reads from later writes are sampled too: the WRC-shaped relay fails */
	struct emu_config c = cfg_for("relay-wrc", SS_VARIANT_FIXED, WMM_LKMM);
	struct gexplore_opts o = {.max_execs = 20000, .sample = true, .seed = 7};
	struct gexplore_stats st;
	EXPECT_EQ(gexplore_run(&c, &o, &st, NULL), 0);
	EXPECT(st.found);
	EXPECT(st.replay_ok);
	EXPECT(!st.complete);
	gexplore_stats_free(&st);
	/* and a correct handoff stays clean */
	struct emu_config f = cfg_for("relay-wrc-release", SS_VARIANT_FIXED, WMM_LKMM);
	o.max_execs = 2000;
	EXPECT_EQ(gexplore_run(&f, &o, &st, NULL), 0);
	EXPECT(!st.found);
	gexplore_stats_free(&st);
}

int main(void)
{
	RUN(correct_handoffs_are_proved_clean);
	RUN(the_seed_race_is_found_and_replays);
	RUN(the_fixed_seed_is_clean_under_every_model);
	RUN(broken_handoffs_fail);
	RUN(once_is_clean_under_sc);
	RUN(sampling_finds_the_non_multicopy_atomic_relay);
	TEST_SUMMARY();
}
