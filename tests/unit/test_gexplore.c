/* tests/unit/test_gexplore.c - `--engine graph` on the scenarios
 * (engine/gexplore.c): correct handoffs are proved clean, the broken ones and
 * the seed's rc1 race are found in a graph the model allows, and the failing
 * graph replays to the same failure. */
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

static void show(const char *what, const struct gexplore_stats *st)
{
	printf("  # %s: %llu graphs, %llu consistent (%llu distinct), %llu inconsistent, %llu "
	       "blocked, %llu pruned, %llu diverged, %llu full, %llu too big, %llu failed, max %d "
	       "events, %.3f s%s\n",
	       what, st->executions, st->consistent, st->distinct, st->inconsistent, st->blocked,
	       st->pruned, st->diverged, st->full, st->too_big, st->failed, st->max_events,
	       st->elapsed, st->complete ? ", complete" : "");
}

TEST(seed_scenario)
{
	const char *only = getenv("GX_SCN");
	struct gexplore_opts o = {.keep_going = getenv("GX_KEEP") != NULL,
				  .max_execs =
				      getenv("GX_MAX") ? strtoull(getenv("GX_MAX"), 0, 10) : 20000};
	static const struct {
		const char *scn;
		enum ss_variant v;
	} runs[] = {{"lazy-objexts", SS_VARIANT_RC1},
		    {"lazy-objexts", SS_VARIANT_FIXED},
		    {"release-acquire", SS_VARIANT_FIXED},
		    {"once", SS_VARIANT_FIXED}};
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		if (only && strcmp(only, runs[i].scn))
			continue;
		struct emu_config c = cfg_for(runs[i].scn, runs[i].v, WMM_LKMM);
		struct gexplore_stats st;
		int rc = gexplore_run(&c, &o, &st, NULL);
		char what[80];
		snprintf(what, sizeof(what), "%s/%d", runs[i].scn, (int)runs[i].v);
		if (rc)
			printf("  error: %s\n", st.error);
		show(what, &st);
		if (st.found)
			printf("  # failure: %s at exec %llu step %lu, replay %s: %s step %lu\n",
			       st.first.fail.msg, st.first_exec, st.first.fail_step,
			       st.replay_ok ? "ok" : "DIFFERENT", st.replay.fail.msg,
			       st.replay.fail_step);
		for (int k = 0; k < st.log.kept && k < 5; k++)
			printf("  #   %s\n", st.log.first[k].msg);
		gexplore_stats_free(&st);
	}
}

int main(void)
{
	RUN(seed_scenario);
	TEST_SUMMARY();
}
