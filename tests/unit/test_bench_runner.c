/* tests/unit/test_bench_runner.c - bench/ without the command line: the cells a
 * bench sets up, the document it writes (read back by the compare judge, the
 * contract between `bench --json` and `compare`), a short real run, and the native
 * run's config checks and document (bench/run.h). */
#include <stdlib.h>

#include "bench/bench.h"
#include "bench/run.h"
#include "results/compare.h"
#include "tests/unit/test.h"

static struct ss_alloc_config slab_config(void)
{
	struct ss_alloc_config a;
	memset(&a, 0, sizeof(a));
	a.variant = (enum ss_variant)ss_variant_from_name("fixed");
	a.stride_bits = 32;
	a.object_size = 64;
	a.page_size = 4096;
	a.account = true;
	a.ncpus = 2;
	a.nobjcgs = 2;
	a.max_objects = 4096;
	return a;
}

/* release-acquire and lazy-objexts (slab only) under slab and libc, sizes 64 and
 * 256, batch 1. */
static void two_by_two(struct ss_bench *b)
{
	memset(b, 0, sizeof(*b));
	b->scn[b->nscn++] = ss_scenario_find("release-acquire");
	b->scn[b->nscn++] = ss_scenario_find("lazy-objexts");
	b->alloc[b->nalloc++] = ss_alloc_find("slab");
	b->alloc[b->nalloc++] = ss_alloc_find("libc");
	b->size[b->nsize++] = 64;
	b->size[b->nsize++] = 256;
	b->batch[b->nbatch++] = 1;
	b->cpu[0] = 0;
	b->cpu[1] = 1;
	b->ncpu = 2;
	b->acfg = slab_config();
	b->repeat = 3;
	b->warmup = 1;
	b->pairs = 1;
	b->iters = 100;
	b->duration = 0.01;
}

/* Fills a cell's measured runs with x[i] = base + i. */
static void fake_runs(struct ss_bench_cell *c, double base, unsigned n, double rtt)
{
	for (unsigned i = 0; i < n; i++) {
		c->hps[i] = base + i;
		c->rtt[i] = rtt;
	}
	c->n = n;
	c->handoffs = 1000;
}

TEST(test_setup_makes_one_cell_per_applicable_allocator)
{
	struct ss_bench b;
	two_by_two(&b);
	EXPECT_EQ(ss_bench_setup(&b), 0);
	/* release-acquire: 2 sizes x 2 allocators; lazy-objexts: 2 sizes x slab only */
	EXPECT_EQ(b.ncells, 6);
	EXPECT_EQ(b.nceil, 2);
	EXPECT(ss_bench_cell_for(&b, b.scn[1], b.alloc[1], 64, 1) == NULL);
	const struct ss_bench_cell *c = ss_bench_cell_for(&b, b.scn[0], b.alloc[1], 256, 1);
	EXPECT(c == &b.cells[3]); /* scenario, size, batch, allocator order */
	EXPECT(c && c->pinned[0] == 0 && c->pinned[1] == 1);
	EXPECT(ss_bench_ceiling_for(&b, 256, 1) == &b.ceil[1]);
	EXPECT(ss_bench_ceiling_for(&b, 128, 1) == NULL);
	EXPECT(!ss_bench_alloc_applies(b.scn[1], b.alloc[1]));
	EXPECT(ss_bench_alloc_applies(b.scn[0], b.alloc[1]));
	EXPECT_EQ(ss_bench_runs(&b), 0);
	ss_bench_free(&b);
	EXPECT(b.cells == NULL && b.ncells == 0);
}

TEST(test_all_scenarios_are_two_role_correct_handoffs)
{
	const struct ss_scenario *s[SS_BENCH_MAX_SCENARIOS];
	int n = ss_bench_all_scenarios(s, SS_BENCH_MAX_SCENARIOS);
	EXPECT(n > 3);
	bool has_ra = false;
	for (int i = 0; i < n; i++) {
		EXPECT_EQ(s[i]->nroles, 2);
		EXPECT_EQ(s[i]->handoff, SS_HANDOFF_CORRECT);
		has_ra |= !strcmp(s[i]->name, "release-acquire");
	}
	EXPECT(has_ra);
	EXPECT_EQ(ss_bench_all_scenarios(s, 2), 2);
}

TEST(test_rtt_spread_marks_a_cell_disturbed)
{
	struct ss_bench b;
	two_by_two(&b);
	EXPECT_EQ(ss_bench_setup(&b), 0);
	struct ss_bench_cell *c = &b.cells[0];
	fake_runs(c, 100, 3, 200);
	char why[200];
	EXPECT(!ss_bench_cell_disturbed(c, why, sizeof(why)));
	EXPECT(!strcmp(why, ""));
	c->rtt[2] = 400; /* (400 - 200) / 200 = 1 > 0.5 */
	EXPECT(ss_bench_rtt_spread(c) > 0.99 && ss_bench_rtt_spread(c) < 1.01);
	EXPECT(ss_bench_cell_disturbed(c, why, sizeof(why)));
	EXPECT(!strcmp(why, "round-trip spread"));
	c->disturbed_runs = 1;
	snprintf(c->reasons, sizeof(c->reasons), "load 5.0 > 2 CPUs");
	EXPECT(ss_bench_cell_disturbed(c, why, sizeof(why)));
	EXPECT(!strcmp(why, "load 5.0 > 2 CPUs; round-trip spread"));
	ss_bench_free(&b);
}

static json_t *result_for(json_t *doc, const char *scenario, const char *alloc, int size)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(doc, "results"), i, r)
	{
		if (!strcmp(json_string_value(json_object_get(r, "scenario")), scenario) &&
		    !strcmp(json_string_value(json_object_get(r, "alloc")), alloc) &&
		    json_integer_value(json_object_get(r, "size")) == size)
			return r;
	}
	return NULL;
}

TEST(test_document_holds_ratios_ceilings_and_failures)
{
	struct ss_bench b;
	two_by_two(&b);
	EXPECT_EQ(ss_bench_setup(&b), 0);
	fake_runs(ss_bench_cell_for(&b, b.scn[0], b.alloc[0], 64, 1), 100, 3, 200);
	fake_runs(ss_bench_cell_for(&b, b.scn[0], b.alloc[1], 64, 1), 50, 3, 200);
	struct ss_bench_ceiling *cc = ss_bench_ceiling_for(&b, 64, 1);
	for (unsigned i = 0; i < 3; i++) {
		cc->pool[i] = 404;
		cc->ring[i] = 1010;
		cc->rtt[i] = 200;
	}
	cc->n = 3;
	struct ss_bench_cell *bad = ss_bench_cell_for(&b, b.scn[1], b.alloc[0], 256, 1);
	bad->failures = 2;
	bad->by_kind[SS_FAIL_WRONG_METADATA] = 2;
	b.failures = 2;
	json_t *doc = ss_bench_doc(&b, 0, NULL);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "schema")), RES_CMP_BENCH_SCHEMA));
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "failed"));
	EXPECT_EQ(json_integer_value(json_object_get(doc, "failures_total")), 2);
	EXPECT_EQ(json_array_size(json_object_get(doc, "results")), 6);
	EXPECT_EQ(json_array_size(json_object_get(doc, "ceilings")), 1); /* only measured ones */
	json_t *libc = result_for(doc, "release-acquire", "libc", 64);
	json_t *t = json_object_get(libc, "timing");
	EXPECT(json_real_value(json_object_get(t, "median")) == 51);
	EXPECT(json_real_value(json_object_get(t, "ratio_to_first")) == 51.0 / 101);
	EXPECT(json_real_value(json_object_get(t, "fraction_of_pool")) == 51.0 / 404);
	EXPECT_EQ(json_array_size(json_object_get(t, "handoffs_per_s")), 3);
	EXPECT(!strcmp(json_string_value(json_object_get(libc, "verdict")), "clean"));
	json_t *lazy = result_for(doc, "lazy-objexts", "slab", 256);
	json_t *f = json_object_get(lazy, "failures");
	EXPECT_EQ(json_integer_value(json_object_get(f, "total")), 2);
	EXPECT_EQ(
	    json_integer_value(json_object_get(json_object_get(f, "by_kind"), "wrong-metadata")),
	    2);
	EXPECT(!strcmp(json_string_value(json_object_get(lazy, "verdict")), "failed"));
	json_t *p = json_object_get(doc, "parameters");
	EXPECT_EQ(json_integer_value(json_object_get(p, "repeat")), 3);
	EXPECT_EQ(json_array_size(json_object_get(p, "allocators")), 2);
	json_decref(doc);
	ss_bench_free(&b);
}

TEST(test_short_real_bench_is_read_back_by_the_judge)
{
	int cpus[2];
	if (ss_run_allowed_cpus(cpus, 2) < 2) {
		printf("skipped test_short_real_bench_is_read_back_by_the_judge: needs 2 CPUs\n");
		return;
	}
	struct ss_bench b;
	two_by_two(&b);
	b.nscn = 1;
	b.nsize = 1;
	b.repeat = 2;
	b.no_ceilings = true;
	b.cpu[0] = cpus[0];
	b.cpu[1] = cpus[1];
	EXPECT_EQ(ss_bench_setup(&b), 0);
	EXPECT_EQ(ss_bench_run(&b), 0);
	EXPECT_EQ(ss_bench_runs(&b), 4); /* 2 allocators x 2 measured, warm-up not counted */
	EXPECT(b.cells[0].hps[0] > 0 && b.cells[0].rtt[0] > 0);
	EXPECT_EQ(b.failures, 0);
	struct res_cmp c;
	memset(&c, 0, sizeof(c));
	char err[512] = "";
	EXPECT_EQ(res_cmp_parse(&c.f[0], "a", ss_bench_doc(&b, 0, NULL), err, sizeof(err)), 0);
	EXPECT_EQ(res_cmp_parse(&c.f[1], "b", ss_bench_doc(&b, 0, NULL), err, sizeof(err)), 0);
	struct res_cmp_options o = {5, 0.05, true, true};
	EXPECT_EQ(res_cmp_judge(&c, &o, err, sizeof(err)), 0);
	EXPECT_EQ(c.np, 2);
	EXPECT_EQ(c.nreg, 0); /* the same numbers */
	res_cmp_free(&c);
	ss_bench_free(&b);
}

static void run_request(struct ss_run_request *req, const char *scenario)
{
	memset(req, 0, sizeof(*req));
	req->scn = ss_scenario_find(scenario);
	req->alloc = ss_alloc_find("slab");
	req->acfg = slab_config();
}

TEST(test_run_config_defaults_and_checks)
{
	struct ss_run_request req;
	struct ss_run_config cfg;
	char err[256] = "";
	run_request(&req, "release-acquire");
	EXPECT_EQ(ss_run_config_build(&cfg, &req, err, sizeof(err)), 0);
	EXPECT_EQ(cfg.pairs, 1);
	EXPECT_EQ(cfg.nthreads, 2);
	EXPECT(cfg.duration == 3.0);
	EXPECT_EQ(cfg.iters, 1000);
	EXPECT_EQ(cfg.batch, 1);
	EXPECT_EQ(cfg.pin, SS_PIN_SPREAD);
	req.pairs = 4;
	EXPECT_EQ(ss_run_config_build(&cfg, &req, err, sizeof(err)), 0);
	EXPECT_EQ(cfg.nthreads, 8);
	EXPECT_EQ(cfg.acfg.ncpus, 8);
	EXPECT_EQ(cfg.acfg.max_objects, 4 * 4096);
	cfg.ncpus = 2;
	EXPECT_EQ(ss_run_check_cpus(&cfg, "0,1", err, sizeof(err)), -1);
	EXPECT(strstr(err, "runs 8 threads but --cpus '0,1' gives 2 CPUs") != NULL);
	cfg.pin = SS_PIN_NONE;
	EXPECT_EQ(ss_run_check_cpus(&cfg, "0,1", err, sizeof(err)), 0);
	run_request(&req, "once");
	req.batch = 4;
	EXPECT_EQ(ss_run_config_build(&cfg, &req, err, sizeof(err)), -1);
	EXPECT(strstr(err, "--batch 4: scenario 'once' publishes one object at a time") == err);
	run_request(&req, "lazy-objexts");
	req.pairs = 2;
	EXPECT_EQ(ss_run_config_build(&cfg, &req, err, sizeof(err)), -1);
	EXPECT(strstr(err, "sets up the slab itself") != NULL);
}

TEST(test_pin_names_round_trip)
{
	enum ss_pin p;
	EXPECT_EQ(ss_pin_parse("compact", &p), 0);
	EXPECT_EQ(p, SS_PIN_COMPACT);
	EXPECT(!strcmp(ss_pin_name(SS_PIN_NONE), "none"));
	EXPECT_EQ(ss_pin_parse("everywhere", &p), -1);
}

TEST(test_run_document_fields)
{
	struct ss_run_request req;
	struct ss_run_config cfg;
	char err[256];
	run_request(&req, "release-acquire");
	req.rounds = 10;
	EXPECT_EQ(ss_run_config_build(&cfg, &req, err, sizeof(err)), 0);
	cfg.cpus[0] = 2;
	cfg.cpus[1] = 3;
	cfg.ncpus = 2;
	struct ss_run_stats st;
	memset(&st, 0, sizeof(st));
	st.rounds = 10;
	st.handoffs = 5000;
	st.elapsed = 2.0;
	st.pinned_cpu[0] = 3;
	st.pinned_cpu[1] = 2;
	struct ss_failure_log *log = calloc(1, sizeof(*log));
	ss_failure_log_init(log);
	json_t *doc = ss_run_doc(&cfg, &st, log, 0, NULL);
	json_t *p = json_object_get(doc, "parameters");
	EXPECT(!strcmp(json_string_value(json_object_get(p, "scenario")), "release-acquire"));
	EXPECT(!strcmp(json_string_value(json_object_get(p, "pin")), "spread"));
	EXPECT(json_real_value(json_object_get(p, "duration")) == 0); /* rounds bound it */
	EXPECT_EQ(json_array_size(json_object_get(p, "cpus")), 2);
	json_t *roles = json_object_get(doc, "roles");
	EXPECT_EQ(json_array_size(roles), 2);
	EXPECT_EQ(json_integer_value(json_object_get(json_array_get(roles, 0), "cpu")), 3);
	json_t *t = json_object_get(doc, "timing");
	EXPECT(json_real_value(json_object_get(t, "handoffs_per_s")) == 2500);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "clean"));
	EXPECT(json_is_false(json_object_get(doc, "disturbed")));
	json_decref(doc);
	log->total = 1;
	doc = ss_run_doc(&cfg, &st, log, 0, NULL);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "failed"));
	json_decref(doc);
	free(log);
}

int main(void)
{
	RUN(test_setup_makes_one_cell_per_applicable_allocator);
	RUN(test_all_scenarios_are_two_role_correct_handoffs);
	RUN(test_rtt_spread_marks_a_cell_disturbed);
	RUN(test_document_holds_ratios_ceilings_and_failures);
	RUN(test_short_real_bench_is_read_back_by_the_judge);
	RUN(test_run_config_defaults_and_checks);
	RUN(test_pin_names_round_trip);
	RUN(test_run_document_fields);
	TEST_SUMMARY();
}
