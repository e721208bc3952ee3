/* tests/unit/test_litmus_batch.c - the litmus batch runner (litmus/batch.h):
 * its counts and exit status on files from tests/litmus/, a bad file counted
 * apart in a batch and refused alone, the reports it prints, and herd7's way
 * over the same files.  Run from the repository root (tests/run.sh does). */
#include <stdlib.h>
#include <string.h>

#include "litmus/batch.h"
#include "test.h"

#define MP_LOCK	     "tests/litmus/regress/MP+wmblock+trylockaddr.litmus"
#define HERD_DIALECT "tests/litmus/regress/herd-dialect.litmus"
#define TWO_PLUS_TWO "tests/litmus/lkmm-extra/2+2W+mbs-p0.litmus"

struct capture {
	char *text;
	size_t len;
	FILE *f;
};

static FILE *capture_open(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->f = open_memstream(&c->text, &c->len);
	return c->f;
}

static void capture_close(struct capture *c)
{
	fclose(c->f);
	free(c->text);
}

static void files(struct lit_files *fl, const char *a, const char *b)
{
	memset(fl, 0, sizeof(*fl));
	lit_files_add(fl, a);
	if (b)
		lit_files_add(fl, b);
}

/* A batch of several files on one engine and model, reports into out. */
static struct lit_batch_opts batch_opts(enum lit_engine engine, enum wmm_model model,
					enum lit_format format, FILE *out, json_t *tests)
{
	struct lit_batch_opts o = {.run = {.model = model, .engine = engine},
				   .format = format,
				   .quiet = true,
				   .batch = true,
				   .out = out,
				   .rep = out,
				   .diag = stderr,
				   .tests = tests};
	return o;
}

TEST(test_two_regress_files_agree_under_lkmm)
{
	struct lit_files fl;
	files(&fl, MP_LOCK, HERD_DIALECT);
	struct capture out;
	struct lit_batch_opts o =
	    batch_opts(LIT_ENGINE_CAT, WMM_LKMM, LIT_FORMAT_TEXT, capture_open(&out), json_array());
	struct lit_tally c = {0};
	char err[800];
	EXPECT_EQ(lit_batch_run(&fl, &o, &c, err, sizeof(err)), 0);
	EXPECT_EQ(c.tests, 2);
	EXPECT_EQ(c.agree, 2);
	EXPECT_EQ(c.disagree + c.failed + c.unsup + c.errors, 0);
	EXPECT_EQ(lit_batch_exit_status(&c, false), 0);
	EXPECT_EQ(json_array_size(o.tests), 2);
	fflush(out.f);
	EXPECT(strstr(out.text, "MP+wmblock+trylockaddr") != NULL);
	EXPECT(strstr(out.text, "herd-dialect") != NULL);
	char *argv[] = {"slabstress", "litmus", NULL};
	json_t *doc = lit_batch_json(&o.run, o.tests, &c, 0, 2, argv);
	json_t *s = json_object_get(doc, "summary");
	EXPECT_EQ(json_integer_value(json_object_get(s, "agree")), 2);
	EXPECT_EQ(json_integer_value(json_object_get(doc, "exit_status")), 0);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "engine")), "cat"));
	json_decref(doc);
	capture_close(&out);
	lit_files_free(&fl);
}

TEST(test_lkvm_miss_counts_and_misses_ok)
{
	struct lit_files fl;
	files(&fl, TWO_PLUS_TWO, HERD_DIALECT);
	struct capture out;
	struct lit_batch_opts o =
	    batch_opts(LIT_ENGINE_LKVM, WMM_LKMM, LIT_FORMAT_JSON, capture_open(&out), NULL);
	struct lit_tally c = {0};
	char err[800];
	EXPECT_EQ(lit_batch_run(&fl, &o, &c, err, sizeof(err)), 0);
	EXPECT_EQ(c.agree, 1);
	EXPECT_EQ(c.disagree, 1);
	EXPECT_EQ(c.misses, 1);
	EXPECT_EQ(c.alarms, 0);
	EXPECT_EQ(lit_batch_exit_status(&c, false), 1);
	EXPECT_EQ(lit_batch_exit_status(&c, true), 0);
	fflush(out.f);
	EXPECT_EQ(out.len, 0); /* json: nothing per test */
	struct capture sum;
	lit_batch_print_summary(capture_open(&sum), &c, WMM_LKMM, false);
	fflush(sum.f);
	EXPECT(!strncmp(sum.text, "2 tests: 1 agree, 1 disagree, 0 unsupported (model lkmm;", 56));
	EXPECT(strstr(sum.text, "--misses-ok exits 0") != NULL);
	capture_close(&sum);
	capture_close(&out);
	lit_files_free(&fl);
}

TEST(test_unreadable_file_is_counted_apart_in_a_batch_and_refused_alone)
{
	struct lit_files fl;
	files(&fl, "/nonexistent/x.litmus", MP_LOCK);
	struct capture out;
	struct lit_batch_opts o =
	    batch_opts(LIT_ENGINE_CAT, WMM_SC, LIT_FORMAT_TEXT, capture_open(&out), json_array());
	struct lit_tally c = {0};
	char err[800] = "";
	EXPECT_EQ(lit_batch_run(&fl, &o, &c, err, sizeof(err)), 0);
	EXPECT_EQ(c.tests, 2);
	EXPECT_EQ(c.failed, 1);
	EXPECT_EQ(c.unreadable, 1);
	EXPECT_EQ(c.agree + c.disagree, 1); /* the other file still ran */
	EXPECT_EQ(lit_batch_exit_status(&c, true), 1);
	fflush(out.f);
	EXPECT(strstr(out.text, "/nonexistent/x.litmus") != NULL);
	json_t *first = json_array_get(o.tests, 0);
	EXPECT(!strcmp(json_string_value(json_object_get(first, "verdict")), "failed"));
	EXPECT(!strcmp(json_string_value(json_object_get(first, "failure")), "unreadable"));
	json_decref(o.tests);
	lit_files_free(&fl);

	files(&fl, "/nonexistent/x.litmus", NULL);
	o.batch = false;
	o.tests = NULL;
	memset(&c, 0, sizeof(c));
	EXPECT_EQ(lit_batch_run(&fl, &o, &c, err, sizeof(err)), -1);
	EXPECT(strstr(err, "/nonexistent/x.litmus") != NULL);
	capture_close(&out);
	lit_files_free(&fl);
}

TEST(test_herd7_way_prints_herds_blocks)
{
	struct lit_files fl;
	files(&fl, MP_LOCK, "/nonexistent/y.litmus");
	struct capture out, warn;
	lit_batch_herd7(&fl, NULL, 0, capture_open(&out), capture_open(&warn));
	fflush(out.f);
	fflush(warn.f);
	EXPECT(strstr(out.text, "Test MP+wmblock+trylockaddr") != NULL);
	EXPECT(strstr(out.text, "Observation MP+wmblock+trylockaddr Never") != NULL);
	EXPECT(!strncmp(warn.text, "Warning: File \"/nonexistent/y.litmus\"", 37));
	capture_close(&out);
	capture_close(&warn);
	lit_files_free(&fl);
}

TEST(test_gave_up_exits_3)
{
	struct lit_tally c = {0};
	c.tests = c.agree = 1;
	EXPECT_EQ(lit_batch_exit_status(&c, false), 0);
	c.gave_up = 1;
	EXPECT_EQ(lit_batch_exit_status(&c, false), 3);
}

int main(void)
{
	RUN(test_two_regress_files_agree_under_lkmm);
	RUN(test_lkvm_miss_counts_and_misses_ok);
	RUN(test_unreadable_file_is_counted_apart_in_a_batch_and_refused_alone);
	RUN(test_herd7_way_prints_herds_blocks);
	RUN(test_gave_up_exits_3);
	TEST_SUMMARY();
}
