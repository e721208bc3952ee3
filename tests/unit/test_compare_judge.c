/* tests/unit/test_compare_judge.c - the regression judge of `slabstress compare`
 * (results/compare.h) on small bench documents built here: a regression, no
 * change, an improvement, a run that starts failing, disturbed runs, too few
 * repeats, and input it must refuse (foreign schema, a missing field, nothing
 * that pairs). */
#include <stdlib.h>
#include <unistd.h>

#include "results/compare.h"
#include "tests/unit/test.h"

/* One results[] entry of a bench document. */
static json_t *run_json(const char *scenario, const char *alloc, const double *hps, size_t n,
			long long failures, int disturbed)
{
	json_t *h = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(h, json_real(hps[i]));
	json_t *r =
	    json_pack("{s:s, s:s, s:i, s:i, s:b, s:s, s:{s:I}, s:{s:o, s:f}, s:b}", "scenario",
		      scenario, "alloc", alloc, "size", 64, "batch", 1, "cold", 0, "variant",
		      "fixed", "failures", "total", (json_int_t)failures, "timing",
		      "handoffs_per_s", h, "rtt_ns_median", 100.0, "disturbed", disturbed);
	json_object_set_new(r, "disturbance", json_pack("{s:s}", "reasons", "steal 9%"));
	return r;
}

static json_t *bench_doc(json_t *run)
{
	json_t *doc = json_pack("{s:s, s:[]}", "schema", RES_CMP_BENCH_SCHEMA, "results");
	json_array_append_new(json_object_get(doc, "results"), run);
	return doc;
}

static const double base5[] = {100, 101, 102, 103, 104};
static const double slow5[] = {80, 81, 82, 83, 84};
static const double fast5[] = {120, 121, 122, 123, 124};

static const struct res_cmp_options defaults = {5, 0.05, true, false};

/* One run of a bench document as a test writes it. */
struct sample {
	const char *scenario, *alloc;
	const double *hps;
	size_t n;
	long long failures;
	int disturbed;
};

static char err[512];

/* Judges base against new (one run each); returns the judge's status, err in err. */
static int judge(struct res_cmp *c, struct sample base, struct sample new,
		 const struct res_cmp_options *o)
{
	memset(c, 0, sizeof(*c));
	err[0] = 0;
	int rc = res_cmp_parse(&c->f[0], "base.json",
			       bench_doc(run_json(base.scenario, base.alloc, base.hps, base.n,
						  base.failures, base.disturbed)),
			       err, sizeof(err));
	if (!rc)
		rc = res_cmp_parse(&c->f[1], "new.json",
				   bench_doc(run_json(new.scenario, new.alloc, new.hps, new.n,
						      new.failures, new.disturbed)),
				   err, sizeof(err));
	if (!rc)
		rc = res_cmp_judge(c, o, err, sizeof(err));
	return rc;
}

#define RA(x)	      ((struct sample){"ra", "slab", x, 5, 0, 0})
#define RA_FAILING(x) ((struct sample){"ra", "slab", x, 5, 3, 0})

TEST(test_slower_beyond_threshold_and_noise_is_a_regression)
{
	struct res_cmp c;
	EXPECT_EQ(judge(&c, RA(base5), RA(slow5), &defaults), 0);
	EXPECT_EQ(c.np, 1);
	EXPECT_EQ(c.pairs[0].v, RES_CMP_SLOWER);
	EXPECT(c.pairs[0].change < -19 && c.pairs[0].change > -21);
	EXPECT_EQ(c.nreg, 1);
	EXPECT(!strcmp(res_cmp_overall(&c), "regression"));
	json_t *doc = res_cmp_doc(&c, &defaults, 0, NULL);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "regression"));
	json_t *p0 = json_array_get(json_object_get(doc, "pairs"), 0);
	EXPECT(!strcmp(json_string_value(json_object_get(p0, "verdict")), "slower"));
	EXPECT(json_is_true(json_object_get(p0, "regression")));
	json_decref(doc);
	res_cmp_free(&c);
}

TEST(test_same_numbers_are_no_change)
{
	struct res_cmp c;
	EXPECT_EQ(judge(&c, RA(base5), RA(base5), &defaults), 0);
	EXPECT_EQ(c.pairs[0].v, RES_CMP_SAME);
	EXPECT_EQ(c.nreg + c.nimp, 0);
	EXPECT_EQ(c.nsame, 1);
	EXPECT(!strcmp(res_cmp_overall(&c), "no change"));
	res_cmp_free(&c);
}

TEST(test_faster_is_an_improvement_and_below_threshold_is_same)
{
	struct res_cmp c;
	EXPECT_EQ(judge(&c, RA(base5), RA(fast5), &defaults), 0);
	EXPECT_EQ(c.pairs[0].v, RES_CMP_FASTER);
	EXPECT(!strcmp(res_cmp_overall(&c), "improvement"));
	res_cmp_free(&c);
	struct res_cmp_options wide = defaults;
	wide.threshold = 50; /* a 20% change is under it */
	EXPECT_EQ(judge(&c, RA(base5), RA(fast5), &wide), 0);
	EXPECT_EQ(c.pairs[0].v, RES_CMP_SAME);
	res_cmp_free(&c);
}

TEST(test_clean_to_failing_is_a_regression_whatever_the_speed)
{
	struct res_cmp c;
	EXPECT_EQ(judge(&c, RA(base5), RA_FAILING(fast5), &defaults), 0);
	EXPECT_EQ(c.pairs[0].v, RES_CMP_NOW_FAILING);
	EXPECT(res_cmp_is_regression(c.pairs[0].v));
	EXPECT(!strcmp(res_cmp_verdict_name(c.pairs[0].v), "NOW FAILING"));
	res_cmp_free(&c);
}

TEST(test_too_few_runs_are_judged_by_ranges)
{
	static const double b2[] = {100, 101}, s2[] = {80, 81};
	struct res_cmp c;
	EXPECT_EQ(judge(&c, (struct sample){"ra", "slab", b2, 2, 0, 0},
			(struct sample){"ra", "slab", s2, 2, 0, 0}, &defaults),
		  0);
	EXPECT(c.pairs[0].by_ranges);
	EXPECT(c.pairs[0].separated);
	EXPECT_EQ(c.pairs[0].v, RES_CMP_SLOWER);
	EXPECT(strstr(c.pairs[0].note, "too few for the U test") != NULL);
	res_cmp_free(&c);
}

TEST(test_slower_on_disturbed_runs_is_refused_unless_allowed)
{
	struct res_cmp c;
	EXPECT_EQ(judge(&c, RA(base5), (struct sample){"ra", "slab", slow5, 5, 0, 1}, &defaults),
		  RES_CMP_BAD_INPUT);
	EXPECT(strstr(err, "disturbed runs") && strstr(err, "new.json: steal 9%"));
	res_cmp_free(&c);
	struct res_cmp_options allow = defaults;
	allow.allow_disturbed = true;
	EXPECT_EQ(judge(&c, RA(base5), (struct sample){"ra", "slab", slow5, 5, 0, 1}, &allow), 0);
	EXPECT_EQ(c.nreg, 1);
	res_cmp_free(&c);
}

TEST(test_two_single_allocator_files_pair_by_scenario)
{
	struct res_cmp c;
	EXPECT_EQ(judge(&c, RA(base5), (struct sample){"ra", "libc", base5, 5, 0, 0}, &defaults),
		  0);
	EXPECT(c.auto_scenario && !c.by_alloc);
	char label[64];
	res_cmp_alloc_label(&c.pairs[0], label, sizeof(label));
	EXPECT(!strcmp(label, "slab>libc"));
	EXPECT(strstr(c.pairs[0].note, "allocator differs: slab -> libc") != NULL);
	res_cmp_free(&c);
}

TEST(test_mismatched_runs_are_bad_input)
{
	struct res_cmp c;
	EXPECT_EQ(judge(&c, RA(base5), (struct sample){"llist", "slab", base5, 5, 0, 0}, &defaults),
		  RES_CMP_BAD_INPUT);
	EXPECT(strstr(err, "new.json: no run matches one in base.json") == err);
	res_cmp_free(&c);
}

TEST(test_foreign_schema_and_missing_field_are_named)
{
	struct res_cmp_file f;
	json_t *doc = bench_doc(run_json("ra", "slab", base5, 5, 0, 0));
	json_object_set_new(doc, "schema", json_string("slabstress-bench/9"));
	EXPECT_EQ(res_cmp_parse(&f, "x.json", doc, err, sizeof(err)), RES_CMP_BAD_INPUT);
	EXPECT(strstr(err, "schema \"slabstress-bench/9\" is not one this slabstress reads"));
	res_cmp_file_free(&f);
	doc = bench_doc(run_json("ra", "slab", base5, 5, 0, 0));
	json_object_del(json_array_get(json_object_get(doc, "results"), 0), "size");
	EXPECT_EQ(res_cmp_parse(&f, "x.json", doc, err, sizeof(err)), RES_CMP_BAD_INPUT);
	EXPECT(!strcmp(err, "x.json: results[0].size: missing, expected an integer"));
	res_cmp_file_free(&f);
}

TEST(test_load_reads_a_file_and_names_a_missing_one)
{
	char path[] = "/tmp/ss-test-compare-XXXXXX";
	int fd = mkstemp(path);
	EXPECT(fd >= 0);
	close(fd);
	json_t *doc = bench_doc(run_json("ra", "slab", base5, 5, 0, 0));
	EXPECT_EQ(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	struct res_cmp_file f;
	EXPECT_EQ(res_cmp_load(&f, path, err, sizeof(err)), 0);
	EXPECT_EQ(f.n, 1);
	EXPECT(f.r && f.r[0].n == 5 && f.r[0].hps[4] == 104);
	EXPECT(f.one_alloc && !strcmp(f.one_alloc, "slab"));
	res_cmp_file_free(&f);
	unlink(path);
	EXPECT_EQ(res_cmp_load(&f, path, err, sizeof(err)), RES_CMP_BAD_INPUT);
	EXPECT(strstr(err, path) != NULL);
	res_cmp_file_free(&f);
}

int main(void)
{
	RUN(test_slower_beyond_threshold_and_noise_is_a_regression);
	RUN(test_same_numbers_are_no_change);
	RUN(test_faster_is_an_improvement_and_below_threshold_is_same);
	RUN(test_clean_to_failing_is_a_regression_whatever_the_speed);
	RUN(test_too_few_runs_are_judged_by_ranges);
	RUN(test_slower_on_disturbed_runs_is_refused_unless_allowed);
	RUN(test_two_single_allocator_files_pair_by_scenario);
	RUN(test_mismatched_runs_are_bad_input);
	RUN(test_foreign_schema_and_missing_field_are_named);
	RUN(test_load_reads_a_file_and_names_a_missing_one);
	TEST_SUMMARY();
}
