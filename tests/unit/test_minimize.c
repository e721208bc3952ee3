/* tests/unit/test_minimize.c - the schedule minimizer keeps the failure and
 * drops decisions; pct and exhaustive find / clear what they should. */
#include <stdlib.h>
#include <string.h>

#include "engine/explore.h"
#include "fuzz/minimize.h"
#include "fuzz/repro_emu.h"
#include "test.h"

static struct emu *mk(const char *scn, enum ss_variant v, enum wmm_model m)
{
	struct emu_config c;
	memset(&c, 0, sizeof(c));
	c.scn = ss_scenario_find(scn);
	c.alloc = &ss_alloc_slab;
	c.acfg.variant = v;
	c.acfg.stride_bits = v == SS_VARIANT_FIXED ? 32 : 16;
	c.acfg.objext = SS_OBJEXT_SEPARATE;
	c.acfg.object_size = 64;
	c.acfg.page_size = 4096;
	c.acfg.account = !c.scn->slab_only;
	c.acfg.nobjcgs = 2;
	c.acfg.max_objects = 4096;
	c.model = m;
	c.seed = SS_EMU_WORLD_SEED;
	char err[256];
	struct emu *e = emu_create(&c, err, sizeof(err));
	if (!e)
		printf("# %s\n", err);
	return e;
}

TEST(test_decisions_count_non_zero_bytes)
{
	u8 b[6] = {0, 3, 0, 0, 0xff, 0};
	EXPECT_EQ(ss_schedule_decisions(b, 6), 2);
	EXPECT_EQ(ss_schedule_decisions(b, 0), 0);
}

TEST(test_minimized_schedule_keeps_the_failure_with_fewer_decisions)
{
	struct emu *e = mk("lazy-objexts", SS_VARIANT_RC1, WMM_LKMM);
	struct explore_opts o;
	memset(&o, 0, sizeof(o));
	o.seed = 5;
	o.max_execs = 20000;
	o.stale_prob = 0.3;
	struct explore_stats st;
	EXPECT_EQ(explore_random(e, &o, &st), 0);
	EXPECT(st.found);
	const struct ss_site *s = st.first.fail.site;
	u8 *out = NULL;
	size_t olen = 0;
	EXPECT_EQ(ss_minimize_schedule(e, st.first_sched, st.first_len, st.first.kind, s->file,
				       s->line, 0, &out, &olen),
		  0);
	EXPECT(ss_schedule_decisions(out, olen) <
	       ss_schedule_decisions(st.first_sched, st.first_len));
	printf("# decisions %zu -> %zu\n", ss_schedule_decisions(st.first_sched, st.first_len),
	       ss_schedule_decisions(out, olen));
	EXPECT_EQ(ss_schedule_fails(e, out, olen, st.first.kind, s->file, s->line), 1);
	/* 1-minimal: zeroing any remaining decision loses the failure */
	for (size_t i = 0; i < olen; i++)
		if (out[i]) {
			u8 keep = out[i];
			out[i] = 0;
			EXPECT_EQ(ss_schedule_fails(e, out, olen, st.first.kind, s->file, s->line),
				  0);
			out[i] = keep;
		}
	free(out);
	explore_stats_free(&st);
	emu_destroy(e);
}

TEST(test_minimize_refuses_a_schedule_that_does_not_fail)
{
	struct emu *e = mk("lazy-objexts", SS_VARIANT_RC1, WMM_LKMM);
	u8 *out = (u8 *)1;
	size_t olen;
	EXPECT_EQ(
	    ss_minimize_schedule(e, NULL, 0, SS_FAIL_WRONG_METADATA, NULL, 0, 100, &out, &olen),
	    -1);
	EXPECT(out == NULL);
	emu_destroy(e);
}

TEST(test_pct_finds_the_rc1_stale_stride_only_under_lkmm)
{
	for (int m = WMM_SC; m <= WMM_LKMM; m++) {
		struct emu *e = mk("lazy-objexts", SS_VARIANT_RC1, (enum wmm_model)m);
		struct explore_opts o;
		memset(&o, 0, sizeof(o));
		o.seed = 1;
		o.max_execs = m == WMM_LKMM ? 2000 : 1000;
		o.strategy = EXPLORE_PCT;
		struct explore_stats st;
		EXPECT_EQ(explore_run(e, &o, &st), 0);
		EXPECT_EQ(st.found, m == WMM_LKMM);
		EXPECT(st.pct_bound > 0 && st.pct_k > 10);
		if (st.found)
			EXPECT(st.replay_ok);
		explore_stats_free(&st);
		emu_destroy(e);
	}
}

TEST(test_exhaustive_completes_clean_on_a_small_bound)
{
	struct emu *e = mk("lazy-objexts", SS_VARIANT_FIXED, WMM_LKMM);
	struct explore_opts o;
	memset(&o, 0, sizeof(o));
	o.strategy = EXPLORE_EXHAUSTIVE;
	o.zero_preemptions = true; /* preemptions 0, staleness 1 */
	o.staleness = 1;
	struct explore_stats st;
	EXPECT_EQ(explore_run(e, &o, &st), 0);
	EXPECT(st.complete);
	EXPECT(!st.found);
	EXPECT(st.executions > 1);
	explore_stats_free(&st);
	emu_destroy(e);
}

TEST(test_extra_rmb_removes_the_rc1_failure_of_its_schedule)
{
	struct emu *e = mk("lazy-objexts", SS_VARIANT_RC1, WMM_LKMM);
	struct explore_opts o;
	memset(&o, 0, sizeof(o));
	o.seed = 2;
	o.max_execs = 20000;
	o.stale_prob = 0.3;
	struct explore_stats st;
	EXPECT_EQ(explore_random(e, &o, &st), 0);
	EXPECT(st.found);
	/* the stale stride load is in slab_get_stride: find its line in the trace */
	size_t n;
	const struct emu_trace_ent *tr = emu_trace(e, &n);
	int line = 0;
	for (size_t i = 0; i < n; i++)
		if ((tr[i].flags & EMU_TR_STALE) &&
		    !strcmp(emu_site_expr(tr[i].site), "slab->stride"))
			line = tr[i].site->line;
	EXPECT(line > 0);
	struct emu_config c = *emu_config_of(e);
	struct emu_extra_fence f = {1, "slab.c", line, SS_FENCE_RMB};
	c.fences = &f;
	c.nfences = 1;
	char err[128];
	struct emu *e2 = emu_create(&c, err, sizeof(err));
	struct emu_result r;
	EXPECT_EQ(emu_execute(e2, st.first_sched, st.first_len, &r), 0);
	EXPECT(r.kind != SS_FAIL_WRONG_METADATA);
	emu_destroy(e2);
	explore_stats_free(&st);
	emu_destroy(e);
}

int main(void)
{
	RUN(test_decisions_count_non_zero_bytes);
	RUN(test_minimized_schedule_keeps_the_failure_with_fewer_decisions);
	RUN(test_minimize_refuses_a_schedule_that_does_not_fail);
	RUN(test_pct_finds_the_rc1_stale_stride_only_under_lkmm);
	RUN(test_exhaustive_completes_clean_on_a_small_bound);
	RUN(test_extra_rmb_removes_the_rc1_failure_of_its_schedule);
	TEST_SUMMARY();
}
