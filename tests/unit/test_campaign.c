/* tests/unit/test_campaign.c - the explore driver (fuzz/campaign.h): it finds
 * the `once` handoff's failure under lkmm with a fixed seed, saves reproducers
 * that replay to the same failure, explains it, keeps going when asked, and
 * writes its result document. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/campaign.h"
#include "fuzz/repro_emu.h"
#include "results/repro.h"
#include "test.h"

static void setup(struct ss_campaign *c, const char *scn, enum ss_variant v, enum wmm_model m)
{
	memset(c, 0, sizeof(*c));
	struct emu_config *ec = &c->ec;
	ec->scn = ss_scenario_find(scn);
	ec->alloc = &ss_alloc_slab;
	ec->acfg.variant = v;
	ec->acfg.stride_bits = ss_variant_default_stride_bits(v);
	ec->acfg.objext = SS_OBJEXT_SEPARATE;
	ec->acfg.object_size = 64;
	ec->acfg.page_size = 4096;
	ec->acfg.account = ec->scn->needs_account || ec->scn->handoff != SS_HANDOFF_ALLOCATOR;
	ec->acfg.ncpus = ec->scn->nroles;
	ec->acfg.nobjcgs = 2;
	ec->acfg.max_objects = 4096;
	ec->model = m;
	ec->iters = 1;
	ec->seed = SS_EMU_WORLD_SEED;
	ec->max_steps = 200000;
	c->xo.seed = 11;
	c->xo.max_execs = 20000;
	c->xo.stale_prob = 0.3;
}

/* The reproducer at path replays to the failure it records. */
static bool replays(const char *path)
{
	struct ss_repro r;
	struct emu_config ec;
	char err[256];
	if (ss_repro_load(&r, path, err, sizeof(err)) != 0)
		return false;
	bool ok = false;
	if (ss_emu_config_from_repro(&ec, &r, NULL, err, sizeof(err)) == 0) {
		struct emu *e = emu_create(&ec, err, sizeof(err));
		struct emu_result res;
		if (e && emu_execute(e, r.schedule, r.schedule_len, &res) == 0)
			ok = res.kind != SS_FAIL_NONE && ss_repro_matches(&r, &res);
		if (e)
			emu_destroy(e);
	}
	ss_repro_free(&r);
	return ok;
}

static int remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[1024];
	int n = 0;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			n += unlink(p) == 0;
		}
	if (d)
		closedir(d);
	rmdir(dir);
	return n;
}

TEST(test_once_rc1_fails_under_lkmm_and_the_saved_reproducer_replays)
{
	char dir[] = "/tmp/ss-campaign-XXXXXX";
	EXPECT(mkdtemp(dir) != NULL);
	static struct ss_campaign c;
	setup(&c, "once", SS_VARIANT_RC1, WMM_LKMM);
	c.save_dir = dir;
	char err[256] = "";
	EXPECT_EQ(ss_campaign_run(&c, err, sizeof(err)), 0);
	EXPECT(c.st.found);
	EXPECT(c.st.replay_ok);
	EXPECT_EQ(c.st.failed_execs, 1); /* stops at the first */
	EXPECT_EQ(c.nsaved, 1);
	EXPECT(!c.save_error[0]);
	EXPECT(c.schedule_hex && strlen(c.schedule_hex) == 2 * c.st.first_len);
	EXPECT(!c.attributed); /* not asked */
	EXPECT(replays(c.first_saved));
	EXPECT_EQ(ss_campaign_exit_status(&c), 1);

	char *argv[] = {"slabstress", "explore", NULL};
	json_t *doc = ss_campaign_json(&c, 2, argv);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "failed"));
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "reproducer")), c.first_saved));
	json_t *ff = json_object_get(doc, "first_failure");
	EXPECT(!strcmp(json_string_value(json_object_get(ff, "schedule")), c.schedule_hex));
	EXPECT(json_is_true(json_object_get(ff, "replay_ok")));
	json_decref(doc);
	ss_campaign_free(&c);
	EXPECT_EQ(remove_dir(dir), 1);
}

TEST(test_same_seed_finds_the_same_first_failure)
{
	static struct ss_campaign a, b;
	char err[256];
	setup(&a, "once", SS_VARIANT_RC1, WMM_LKMM);
	setup(&b, "once", SS_VARIANT_RC1, WMM_LKMM);
	EXPECT_EQ(ss_campaign_run(&a, err, sizeof(err)), 0);
	EXPECT_EQ(ss_campaign_run(&b, err, sizeof(err)), 0);
	EXPECT(a.st.found && b.st.found);
	EXPECT_EQ(a.st.first_exec, b.st.first_exec);
	EXPECT(a.schedule_hex && b.schedule_hex && !strcmp(a.schedule_hex, b.schedule_hex));
	ss_campaign_free(&a);
	ss_campaign_free(&b);
}

TEST(test_explain_attributes_the_first_failure_to_lkmm_only)
{
	static struct ss_campaign c;
	char err[256];
	setup(&c, "once", SS_VARIANT_RC1, WMM_LKMM);
	c.explain = true;
	c.explain_search = 300;
	EXPECT_EQ(ss_campaign_run(&c, err, sizeof(err)), 0);
	EXPECT(c.attributed);
	EXPECT(!c.at.fails[WMM_SC] && !c.at.fails[WMM_TSO] && c.at.fails[WMM_LKMM]);
	ss_campaign_free(&c);
}

TEST(test_keep_going_counts_every_failing_execution)
{
	char dir[] = "/tmp/ss-campaign-XXXXXX";
	EXPECT(mkdtemp(dir) != NULL);
	static struct ss_campaign c;
	char err[256];
	setup(&c, "once", SS_VARIANT_RC1, WMM_LKMM);
	c.xo.max_execs = 300;
	c.xo.keep_going = true;
	c.save_dir = dir;
	EXPECT_EQ(ss_campaign_run(&c, err, sizeof(err)), 0);
	EXPECT_EQ(c.st.executions, 300);
	EXPECT(c.st.failed_execs > 1);
	EXPECT_EQ(c.nsaved, c.st.failed_execs);
	ss_campaign_free(&c);
	EXPECT(remove_dir(dir) >= 1); /* equal schedules share a file */
}

TEST(test_tso_is_clean_and_a_bounded_exhaustive_search_completes)
{
	static struct ss_campaign c;
	char err[256];
	setup(&c, "once", SS_VARIANT_FIXED, WMM_TSO);
	c.xo.max_execs = 2000;
	EXPECT_EQ(ss_campaign_run(&c, err, sizeof(err)), 0);
	EXPECT(!c.st.found);
	EXPECT(c.schedule_hex == NULL);
	EXPECT_EQ(ss_campaign_exit_status(&c), 0);
	ss_campaign_free(&c);

	setup(&c, "release-acquire", SS_VARIANT_FIXED, WMM_LKMM);
	c.xo.strategy = EXPLORE_EXHAUSTIVE;
	c.xo.zero_preemptions = c.xo.zero_staleness = true; /* a small space */
	c.xo.max_execs = 2000000;
	EXPECT_EQ(ss_campaign_run(&c, err, sizeof(err)), 0);
	EXPECT(!c.st.found && c.st.complete);
	const char *r = ss_campaign_exhaustive_result(&c.st);
	EXPECT(!strcmp(r, "complete") || !strcmp(r, "complete within bounds"));
	char *argv[] = {"slabstress", "explore", NULL};
	json_t *doc = ss_campaign_json(&c, 2, argv);
	json_t *ex = json_object_get(doc, "exhaustive");
	EXPECT(ex && !strcmp(json_string_value(json_object_get(ex, "result")), r));
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "clean"));
	json_decref(doc);
	ss_campaign_free(&c);
}

TEST(test_bad_config_is_an_error_not_a_crash)
{
	static struct ss_campaign c;
	char err[256] = "";
	setup(&c, "once", SS_VARIANT_RC1, WMM_LKMM);
	c.ec.acfg.page_size = 3; /* not a page size */
	EXPECT_EQ(ss_campaign_run(&c, err, sizeof(err)), -1);
	EXPECT(err[0] != 0);
	ss_campaign_free(&c);
}

int main(void)
{
	RUN(test_once_rc1_fails_under_lkmm_and_the_saved_reproducer_replays);
	RUN(test_same_seed_finds_the_same_first_failure);
	RUN(test_explain_attributes_the_first_failure_to_lkmm_only);
	RUN(test_keep_going_counts_every_failing_execution);
	RUN(test_tso_is_clean_and_a_bounded_exhaustive_search_completes);
	RUN(test_bad_config_is_an_error_not_a_crash);
	TEST_SUMMARY();
}
