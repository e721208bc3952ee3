/* tests/unit/test_matrix.c - the verdict table (fuzz/matrix.h): the expectation
 * rule cell by cell, the cell text, and a small table run end to end with its
 * observer, saved reproducers and JSON document. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/matrix.h"
#include "results/repro.h"
#include "results/stop.h"
#include "test.h"

/* A line as `slabstress matrix` resolves it (cmd/cli.c defaults). */
static struct ss_matrix_line line(const char *scn, enum ss_variant v, bool big)
{
	struct ss_matrix_line l;
	memset(&l, 0, sizeof(l));
	l.scenario = scn;
	l.label = scn;
	l.variant = ss_variant_name(v);
	l.big = big;
	l.scn = ss_scenario_find(scn);
	l.alloc = &ss_alloc_slab;
	l.acfg.variant = v;
	l.acfg.stride_bits = ss_variant_default_stride_bits(v);
	l.acfg.objext = big ? SS_OBJEXT_IN_OBJECT : SS_OBJEXT_SEPARATE;
	l.acfg.object_size = big ? 131072 : 64;
	l.acfg.page_size = big ? 65536 : 4096;
	l.acfg.account = l.scn->needs_account || l.scn->handoff != SS_HANDOFF_ALLOCATOR;
	l.acfg.ncpus = l.scn->nroles;
	l.acfg.nobjcgs = 2;
	l.acfg.max_objects = 4096;
	return l;
}

static bool want(const char *scn, enum ss_variant v, bool big, enum wmm_model m)
{
	struct ss_matrix_line l = line(scn, v, big);
	return ss_matrix_expect_found(l.scn, &l.acfg, big, m);
}

TEST(test_expectation_big_row_with_16_bit_stride_fails_under_every_model)
{
	EXPECT(want("same-cpu", SS_VARIANT_RC1, true, WMM_SC));
	EXPECT(want("same-cpu", SS_VARIANT_WMB_RMB, true, WMM_TSO));
	EXPECT(want("same-cpu", SS_VARIANT_EARLY_STRIDE, true, WMM_LKMM));
	EXPECT(!want("same-cpu", SS_VARIANT_FIXED, true, WMM_SC));
	EXPECT(!want("same-cpu", SS_VARIANT_FIXED, true, WMM_LKMM));
	EXPECT(!want("same-cpu", SS_VARIANT_RC1, false, WMM_SC));
}

TEST(test_expectation_broken_handoff_fails_under_lkmm_only)
{
	EXPECT(want("once", SS_VARIANT_FIXED, false, WMM_LKMM));
	EXPECT(want("once", SS_VARIANT_RC1, false, WMM_LKMM));
	EXPECT(!want("once", SS_VARIANT_RC1, false, WMM_TSO));
	EXPECT(!want("once", SS_VARIANT_RC1, false, WMM_SC));
	EXPECT(!want("release-acquire", SS_VARIANT_RC1, false, WMM_LKMM));
}

TEST(test_expectation_lazy_objexts_fails_under_lkmm_with_rc1_only)
{
	EXPECT(want("lazy-objexts", SS_VARIANT_RC1, false, WMM_LKMM));
	EXPECT(!want("lazy-objexts", SS_VARIANT_RC1, false, WMM_TSO));
	EXPECT(!want("lazy-objexts", SS_VARIANT_FIXED, false, WMM_LKMM));
	EXPECT(!want("lazy-objexts", SS_VARIANT_WMB_RMB, false, WMM_LKMM));
}

TEST(test_cell_text_marks_unexpected_and_missed)
{
	struct ss_matrix_cell c;
	char t[64];
	memset(&c, 0, sizeof(c));
	ss_matrix_cell_text(&c, t, sizeof(t));
	EXPECT(!strcmp(t, "Clean"));
	c.missed = true;
	ss_matrix_cell_text(&c, t, sizeof(t));
	EXPECT(!strcmp(t, "Clean ?"));
	memset(&c, 0, sizeof(c));
	c.found = c.unexpected = true;
	c.kind = SS_FAIL_STALE_CONTENT;
	ss_matrix_cell_text(&c, t, sizeof(t));
	EXPECT(!strcmp(t, "Found stale-content !"));
	memset(&c, 0, sizeof(c));
	c.unfinished = true;
	ss_matrix_cell_text(&c, t, sizeof(t));
	EXPECT(!strcmp(t, "unfinished"));
}

struct seen {
	int lines, cells, ends;
};

static void on_line(void *ctx, const struct ss_matrix_line *l)
{
	(void)l;
	((struct seen *)ctx)->lines++;
}

static void on_cell(void *ctx, const struct ss_matrix_cell *c, const struct emu *e)
{
	(void)c;
	(void)e;
	((struct seen *)ctx)->cells++;
}

static void on_end(void *ctx, const struct ss_matrix_line *l)
{
	(void)l;
	((struct seen *)ctx)->ends++;
}

TEST(test_small_table_finds_once_under_lkmm_and_saves_a_reproducer)
{
	char dir[] = "/tmp/ss-matrix-XXXXXX";
	EXPECT(mkdtemp(dir) != NULL);
	struct ss_matrix_line lines[2] = {line("once", SS_VARIANT_RC1, false),
					  line("release-acquire", SS_VARIANT_FIXED, false)};
	struct ss_matrix_opts o = {.executions = 400, .save_dir = dir, .nmodels = 2};
	o.models[0] = WMM_TSO;
	o.models[1] = WMM_LKMM;
	struct seen s = {0, 0, 0};
	struct ss_matrix_observer obs = {on_line, on_cell, on_end, NULL, &s};
	struct ss_matrix_result res;
	char err[256] = "";
	EXPECT_EQ(ss_matrix_run(lines, 2, &o, &obs, &res, err, sizeof(err)), 0);
	EXPECT_EQ(res.ncells, 4);
	EXPECT_EQ(s.lines, 2);
	EXPECT_EQ(s.cells, 4);
	EXPECT_EQ(s.ends, 2);
	EXPECT(!res.cells[0].found); /* once, tso */
	EXPECT(res.cells[1].found);  /* once, lkmm */
	EXPECT(res.cells[1].want_found && !res.cells[1].unexpected);
	EXPECT(!res.cells[2].found && !res.cells[3].found);
	EXPECT_EQ(res.unexpected, 0);
	EXPECT_EQ(ss_matrix_exit_status(&res, &o), 0);
	EXPECT(res.cells[1].reproducer[0] != 0);
	struct ss_repro r;
	EXPECT_EQ(ss_repro_load(&r, res.cells[1].reproducer, err, sizeof(err)), 0);
	EXPECT(!strcmp(r.scenario, "once"));
	EXPECT_EQ(r.kind, res.cells[1].kind);
	ss_repro_free(&r);
	unlink(res.cells[1].reproducer);
	rmdir(dir);

	char *argv[] = {"slabstress", "matrix", NULL};
	json_t *doc = ss_matrix_json(&res, &o, 2, argv);
	EXPECT_EQ(json_array_size(json_object_get(doc, "cells")), 4);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "as-expected"));
	json_t *c1 = json_array_get(json_object_get(doc, "cells"), 1);
	EXPECT(!strcmp(json_string_value(json_object_get(c1, "verdict")), "found"));
	EXPECT(!strcmp(json_string_value(json_object_get(c1, "expected")), "found"));
	json_decref(doc);
	ss_matrix_result_free(&res);
}

TEST(test_expect_clean_makes_a_found_cell_unexpected)
{
	struct ss_matrix_line l = line("once", SS_VARIANT_RC1, false);
	struct ss_matrix_opts o = {.executions = 400, .expect_clean = true, .nmodels = 1};
	o.models[0] = WMM_LKMM;
	struct ss_matrix_result res;
	char err[256];
	EXPECT_EQ(ss_matrix_run(&l, 1, &o, NULL, &res, err, sizeof(err)), 0);
	EXPECT(res.cells[0].found && res.cells[0].unexpected);
	EXPECT_EQ(ss_matrix_exit_status(&res, &o), 1);
	ss_matrix_result_free(&res);
}

TEST(test_stop_request_before_the_table_runs_no_cell)
{
	struct ss_matrix_line lines[2] = {line("release-acquire", SS_VARIANT_FIXED, false),
					  line("release-acquire", SS_VARIANT_RC1, false)};
	struct ss_matrix_opts o = {.executions = 400, .nmodels = 2};
	o.models[0] = WMM_SC;
	o.models[1] = WMM_LKMM;
	struct ss_matrix_result res;
	char err[256];
	ss_interrupted = 2;
	EXPECT_EQ(ss_matrix_run(lines, 2, &o, NULL, &res, err, sizeof(err)), 0);
	ss_interrupted = 0;
	EXPECT(res.interrupted);
	EXPECT_EQ(res.ncells, 0); /* asked to stop before the first line */
	ss_matrix_result_free(&res);
}

int main(void)
{
	RUN(test_expectation_big_row_with_16_bit_stride_fails_under_every_model);
	RUN(test_expectation_broken_handoff_fails_under_lkmm_only);
	RUN(test_expectation_lazy_objexts_fails_under_lkmm_with_rc1_only);
	RUN(test_cell_text_marks_unexpected_and_missed);
	RUN(test_small_table_finds_once_under_lkmm_and_saves_a_reproducer);
	RUN(test_expect_clean_makes_a_found_cell_unexpected);
	RUN(test_stop_request_before_the_table_runs_no_cell);
	TEST_SUMMARY();
}
