/* tests/unit/test_replay.c - re-running a reproducer (fuzz/replay.h) and the
 * replay result document (results/replay_doc.h): a saved failure replays to
 * itself, another model can make it vanish, a bad file is a file error, and
 * the document holds the verdict, the trace and the attribution. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/explore.h"
#include "fuzz/minimize.h"
#include "fuzz/replay.h"
#include "fuzz/repro_emu.h"
#include "results/replay_doc.h"
#include "test.h"

static char dir[] = "/tmp/ss-replay-XXXXXX";
static char saved[512];

/* A reproducer of the `once` handoff failing under lkmm (rc1), found with a
 * fixed seed and saved under dir. */
static int make_reproducer(void)
{
	struct emu_config c;
	memset(&c, 0, sizeof(c));
	c.scn = ss_scenario_find("once");
	c.alloc = &ss_alloc_slab;
	c.acfg.variant = SS_VARIANT_RC1;
	c.acfg.stride_bits = 16;
	c.acfg.objext = SS_OBJEXT_SEPARATE;
	c.acfg.object_size = 64;
	c.acfg.page_size = 4096;
	c.acfg.account = true;
	c.acfg.ncpus = c.scn->nroles;
	c.acfg.nobjcgs = 2;
	c.acfg.max_objects = 4096;
	c.model = WMM_LKMM;
	c.iters = 1;
	c.seed = SS_EMU_WORLD_SEED;
	c.max_steps = 200000;
	char err[256];
	struct emu *e = emu_create(&c, err, sizeof(err));
	if (!e)
		return -1;
	ss_emu_name_regions(e);
	struct explore_opts o = {.seed = 11, .max_execs = 20000, .stale_prob = 0.3};
	struct explore_stats st;
	int rc = explore_random(e, &o, &st);
	if (rc == 0 && st.found)
		rc = ss_save_failure(dir, e, &st.first, st.first_sched, st.first_len, saved,
				     sizeof(saved), err, sizeof(err));
	else
		rc = -1;
	explore_stats_free(&st);
	emu_destroy(e);
	return rc;
}

TEST(test_saved_failure_replays_to_itself)
{
	static struct ss_replay p;
	char err[512];
	EXPECT_EQ(ss_replay_open(&p, saved, NULL, -1, err, sizeof(err)), 0);
	EXPECT_EQ(ss_replay_run(&p, err, sizeof(err)), 0);
	EXPECT(p.res.kind != SS_FAIL_NONE);
	EXPECT_EQ(p.res.kind, p.r.kind);
	EXPECT(p.same);
	EXPECT(!strcmp(res_replay_match_text(p.same, true), "matches the saved failure"));
	ss_replay_close(&p);
}

TEST(test_under_tso_the_saved_failure_does_not_happen)
{
	static struct ss_replay p;
	char err[512];
	EXPECT_EQ(ss_replay_open(&p, saved, "tso", -1, err, sizeof(err)), 0);
	EXPECT_EQ(p.ec.model, WMM_TSO);
	EXPECT_EQ(ss_replay_run(&p, err, sizeof(err)), 0);
	EXPECT_EQ(p.res.kind, SS_FAIL_NONE);
	EXPECT(!p.same);
	EXPECT(!ss_replay_explain(&p, 100)); /* nothing to explain */
	char *argv[] = {"slabstress", "replay", NULL};
	json_t *doc = ss_replay_json(&p, false, 2, argv);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "clean"));
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "model")), "tso"));
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "saved_model")), "lkmm"));
	EXPECT(json_object_get(doc, "failure") == NULL);
	EXPECT(json_object_get(doc, "attribution") == NULL);
	json_decref(doc);
	ss_replay_close(&p);
}

TEST(test_bad_files_and_values_are_file_errors)
{
	static struct ss_replay p;
	char err[512];
	EXPECT_EQ(ss_replay_open(&p, "/nonexistent/r.json", NULL, -1, err, sizeof(err)),
		  SS_REPLAY_BAD_FILE);
	EXPECT(strstr(err, "/nonexistent/r.json") != NULL);
	ss_replay_close(&p);
	EXPECT_EQ(ss_replay_open(&p, saved, "arm", -1, err, sizeof(err)), SS_REPLAY_BAD_FILE);
	EXPECT(!strncmp(err, saved, strlen(saved))); /* "PATH: what" */
	EXPECT(strstr(err, "arm") != NULL);
	ss_replay_close(&p);
}

TEST(test_json_document_holds_failure_trace_and_attribution)
{
	static struct ss_replay p;
	char err[512];
	EXPECT_EQ(ss_replay_open(&p, saved, NULL, EMU_DEPS_CHECK, err, sizeof(err)), 0);
	EXPECT_EQ(ss_replay_run(&p, err, sizeof(err)), 0);
	EXPECT(ss_replay_explain(&p, 200));
	EXPECT(p.at.fails[WMM_LKMM] && !p.at.fails[WMM_SC]);
	char *argv[] = {"slabstress", "replay", NULL};
	json_t *doc = ss_replay_json(&p, false, 2, argv);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "failed"));
	EXPECT(json_is_true(json_object_get(doc, "matches_saved")));
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "deps")), "check"));
	EXPECT(json_is_integer(json_object_get(doc, "dep_disagreements")));
	json_t *f = json_object_get(doc, "failure");
	EXPECT(f &&
	       !strcmp(json_string_value(json_object_get(f, "kind")), ss_fail_kind_name(p.r.kind)));
	size_t shown = json_array_size(json_object_get(doc, "trace"));
	EXPECT(shown > 0);
	json_t *at = json_object_get(doc, "attribution");
	EXPECT(at && json_is_true(json_object_get(at, "fails_lkmm")));
	json_decref(doc);
	json_t *all = ss_replay_trace_json(&p, true);
	EXPECT(json_array_size(all) >= shown); /* --full shows every step */
	json_decref(all);
	ss_replay_close(&p);
}

TEST(test_minimize_keeps_the_failure_with_no_more_decisions)
{
	static struct ss_replay p;
	char err[512];
	EXPECT_EQ(ss_replay_open(&p, saved, NULL, -1, err, sizeof(err)), 0);
	struct ss_repro m;
	EXPECT_EQ(ss_replay_minimize(&p, 2000, &m, err, sizeof(err)), 0);
	EXPECT(ss_schedule_decisions(m.schedule, m.schedule_len) <=
	       ss_schedule_decisions(p.r.schedule, p.r.schedule_len));
	EXPECT_EQ(m.kind, p.r.kind);
	EXPECT(!strcmp(m.func, p.r.func));
	ss_repro_free(&m);
	ss_replay_close(&p);
	/* under sc the saved failure does not happen: nothing to minimize */
	EXPECT_EQ(ss_replay_open(&p, saved, "sc", -1, err, sizeof(err)), 0);
	EXPECT_EQ(ss_replay_minimize(&p, 2000, &m, err, sizeof(err)), SS_REPLAY_NOT_FAILING);
	ss_replay_close(&p);
}

TEST(test_replay_doc_lays_out_the_given_info)
{
	char saved_text[200];
	res_replay_saved_failure(saved_text, sizeof(saved_text), "stale-content", "once.c", 56,
				 "role_consume");
	EXPECT(!strcmp(saved_text, "stale-content at once.c:56 (role_consume)"));
	struct res_replay_info in = {.reproducer = "r.json",
				     .scenario = "once",
				     .variant = "rc1",
				     .model = "lkmm",
				     .saved_model = "lkmm",
				     .deps = "explicit",
				     .saved_deps = "explicit",
				     .schedule_bytes = 12,
				     .saved_failure = saved_text,
				     .failed = false};
	char *argv[] = {"slabstress", "replay", NULL};
	json_t *doc = res_replay_doc(&in, 2, argv);
	EXPECT_EQ(json_integer_value(json_object_get(doc, "schedule_bytes")), 12);
	EXPECT(json_object_get(doc, "dep_disagreements") == NULL); /* not checked */
	EXPECT(json_is_array(json_object_get(doc, "trace")));
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "saved_failure")), saved_text));
	EXPECT(!strcmp(res_replay_match_text(false, false),
		       "clean: the saved failure did not happen"));
	EXPECT(
	    !strcmp(res_replay_match_text(false, true), "a DIFFERENT failure than the saved one"));
	json_decref(doc);
}

int main(void)
{
	if (!mkdtemp(dir) || make_reproducer() != 0) {
		printf("FAIL cannot make a reproducer under %s\n", dir);
		return 1;
	}
	RUN(test_saved_failure_replays_to_itself);
	RUN(test_under_tso_the_saved_failure_does_not_happen);
	RUN(test_bad_files_and_values_are_file_errors);
	RUN(test_json_document_holds_failure_trace_and_attribution);
	RUN(test_minimize_keeps_the_failure_with_no_more_decisions);
	RUN(test_replay_doc_lays_out_the_given_info);
	unlink(saved);
	rmdir(dir);
	TEST_SUMMARY();
}
