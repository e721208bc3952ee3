/* tests/unit/test_matrix.c - the verdict table (fuzz/matrix.h): the expectation
 * rule cell by cell, the cell text, a small table run end to end with its
 * observer, saved reproducers and JSON document, the split into shards and the
 * merge of shard documents with its refusals. */
#include <stdio.h>
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

/* The default table's lines (scenario-major, as cmd/matrix.c builds them). */
static int default_lines(struct ss_matrix_line *ls)
{
	static const char *const scn[] = {"lazy-objexts", "release-acquire", "once",
					  "pid-fastpath", "tty-flush-old",   "tty-flush",
					  "same-cpu"};
	static const enum ss_variant var[] = {SS_VARIANT_RC1, SS_VARIANT_EARLY_STRIDE,
					      SS_VARIANT_WMB_RMB, SS_VARIANT_FIXED};
	int n = 0;
	for (int s = 0; s < 7; s++)
		for (int v = 0; v < 4; v++)
			ls[n++] = line(scn[s], var[v], s == 6);
	return n;
}

static const enum wmm_model three_models[3] = {WMM_SC, WMM_TSO, WMM_LKMM};

TEST(test_shards_are_disjoint_covering_stable_and_balanced)
{
	struct ss_matrix_line ls[28];
	int nl = default_lines(ls), ncells = nl * 3;
	int a[84], b[84], maxcost = 0;
	for (int i = 0; i < ncells; i++) {
		int c = ss_matrix_cell_cost(&ls[i / 3], three_models[i % 3]);
		EXPECT(c > 0);
		maxcost = c > maxcost ? c : maxcost;
	}
	for (int n = 1; n <= 9; n++) {
		EXPECT_EQ(ss_matrix_shard_assign(ls, nl, 3, three_models, n, a), 0);
		EXPECT_EQ(ss_matrix_shard_assign(ls, nl, 3, three_models, n, b), 0);
		long long load[10] = {0};
		int cells[10] = {0};
		for (int i = 0; i < ncells; i++) {
			EXPECT(a[i] >= 1 && a[i] <= n); /* each cell in exactly one shard */
			EXPECT_EQ(a[i], b[i]);		/* the same shard every time */
			load[a[i]] += ss_matrix_cell_cost(&ls[i / 3], three_models[i % 3]);
			cells[a[i]]++;
		}
		long long lo = load[1], hi = load[1];
		for (int k = 1; k <= n; k++) {
			EXPECT(cells[k] > 0); /* 84 cells: no slice empty */
			lo = load[k] < lo ? load[k] : lo;
			hi = load[k] > hi ? load[k] : hi;
		}
		EXPECT(hi - lo <= maxcost); /* balanced within one cell's cost */
	}
}

TEST(test_shard_count_out_of_range_is_refused)
{
	struct ss_matrix_line l = line("once", SS_VARIANT_RC1, false);
	int s[3];
	EXPECT_EQ(ss_matrix_shard_assign(&l, 1, 3, three_models, 0, s), -1);
	EXPECT_EQ(ss_matrix_shard_assign(&l, 1, 3, three_models, SS_MATRIX_MAX_SHARDS + 1, s), -1);
	EXPECT_EQ(ss_matrix_shard_assign(&l, 1, 3, three_models, SS_MATRIX_MAX_SHARDS, s), 0);
}

/* The small table of the merge tests. */
static int small_lines(struct ss_matrix_line *ls)
{
	ls[0] = line("once", SS_VARIANT_RC1, false);
	ls[1] = line("once", SS_VARIANT_FIXED, false);
	ls[2] = line("release-acquire", SS_VARIANT_RC1, false);
	ls[3] = line("release-acquire", SS_VARIANT_FIXED, false);
	return 4;
}

static struct ss_matrix_opts small_opts(int shard, int nshards)
{
	struct ss_matrix_opts o = {.executions = 200,
				   .nmodels = 3,
				   .variants = "rc1,fixed",
				   .scenarios = "once,release-acquire",
				   .models_list = "sc,tso,lkmm",
				   .shard = shard,
				   .nshards = nshards};
	memcpy(o.models, three_models, sizeof(three_models));
	return o;
}

/* Shard I/N of the small table as a document. */
static json_t *shard_doc(int shard, int nshards)
{
	struct ss_matrix_line ls[4];
	int nl = small_lines(ls);
	struct ss_matrix_opts o = small_opts(shard, nshards);
	struct ss_matrix_result res;
	char err[256];
	char *argv[] = {"slabstress", "matrix", NULL};
	EXPECT_EQ(ss_matrix_run(ls, nl, &o, NULL, &res, err, sizeof(err)), 0);
	EXPECT_EQ(res.ncells, res.nplanned);
	json_t *doc = ss_matrix_json(&res, &o, 2, argv);
	ss_matrix_result_free(&res);
	return doc;
}

static int merge(json_t **docs, int n, struct ss_matrix_result *res, char *err, size_t errlen)
{
	static struct ss_matrix_line ls[4];
	static const char *const names[] = {"a.json", "b.json", "c.json", "d.json"};
	int nl = small_lines(ls);
	struct ss_matrix_params p;
	memset(res, 0, sizeof(*res));
	if (ss_matrix_shard_params(docs[0], names[0], &p, err, errlen) != 0)
		return -1;
	struct ss_matrix_opts o = small_opts(0, 0);
	o.executions = p.executions;
	return ss_matrix_merge(docs, names, n, ls, nl, &o, res, err, errlen);
}

TEST(test_three_shards_merge_to_the_verdicts_of_one_run)
{
	struct ss_matrix_line ls[4];
	int nl = small_lines(ls);
	struct ss_matrix_opts o = small_opts(0, 0);
	struct ss_matrix_result whole, merged;
	char err[512] = "";
	EXPECT_EQ(ss_matrix_run(ls, nl, &o, NULL, &whole, err, sizeof(err)), 0);
	json_t *docs[3] = {shard_doc(3, 3), shard_doc(1, 3), shard_doc(2, 3)}; /* any order */
	EXPECT_EQ(merge(docs, 3, &merged, err, sizeof(err)), 0);
	EXPECT_EQ(merged.ncells, whole.ncells);
	EXPECT_EQ(merged.ncells, 12);
	EXPECT(!merged.interrupted);
	for (int i = 0; i < whole.ncells && i < merged.ncells; i++) {
		EXPECT_EQ(merged.cells[i].found, whole.cells[i].found);
		EXPECT_EQ(merged.cells[i].kind, whole.cells[i].kind);
		EXPECT_EQ(merged.cells[i].want_found, whole.cells[i].want_found);
		EXPECT_EQ(merged.cells[i].executions, whole.cells[i].executions);
		EXPECT_EQ(merged.cells[i].model, whole.cells[i].model);
		EXPECT(!strcmp(merged.cells[i].line->scenario, whole.cells[i].line->scenario));
		EXPECT(!strcmp(merged.cells[i].line->variant, whole.cells[i].line->variant));
	}
	EXPECT_EQ(merged.unexpected, whole.unexpected);
	EXPECT_EQ(merged.missed, whole.missed);
	EXPECT_EQ(ss_matrix_exit_status(&merged, &o), ss_matrix_exit_status(&whole, &o));
	for (int i = 0; i < 3; i++)
		json_decref(docs[i]);
	ss_matrix_result_free(&whole);
	ss_matrix_result_free(&merged);
}

/* Merging docs fails with a message naming file and field. */
static void expect_refused(json_t **docs, int n, const char *file, const char *field)
{
	struct ss_matrix_result res;
	char err[512] = "";
	EXPECT_EQ(merge(docs, n, &res, err, sizeof(err)), -1);
	EXPECT(strstr(err, file) == err);
	EXPECT(strstr(err, field) != NULL);
	if (strstr(err, file) != err || !strstr(err, field))
		fprintf(stderr, "  message: %s\n", err);
	ss_matrix_result_free(&res);
}

TEST(test_merge_refuses_missing_duplicate_foreign_and_other_parameters)
{
	json_t *d1 = shard_doc(1, 2), *d2 = shard_doc(2, 2);
	json_t *docs[3] = {d1, d2, NULL};
	expect_refused(docs, 1, "a.json", "shard.count"); /* shard 2/2 missing */
	docs[1] = d1;
	expect_refused(docs, 2, "b.json", "shard.index"); /* 1/2 twice */
	json_t *other = json_deep_copy(d2);
	json_object_set_new(json_object_get(other, "parameters"), "executions", json_integer(300));
	docs[1] = other;
	expect_refused(docs, 2, "b.json", "parameters.executions");
	json_decref(other);
	other = json_deep_copy(d2);
	json_object_set_new(json_object_get(other, "parameters"), "models", json_string("lkmm"));
	docs[1] = other;
	expect_refused(docs, 2, "b.json", "parameters.models");
	json_decref(other);
	other = json_deep_copy(d2);
	json_object_set_new(other, "version", json_string("0.0.0-other"));
	docs[1] = other;
	expect_refused(docs, 2, "b.json", "version");
	json_decref(other);
	other = json_deep_copy(d2);
	json_object_del(other, "shard"); /* an unsharded document */
	docs[0] = other;
	docs[1] = d2;
	expect_refused(docs, 2, "a.json", "shard");
	json_decref(other);
	other = json_deep_copy(d2);
	json_array_remove(json_object_get(other, "cells"), 0); /* a cell lost */
	docs[0] = d1;
	docs[1] = other;
	expect_refused(docs, 2, "b.json", "cells");
	json_decref(other);
	other = json_pack("{s:s}", "schema", "slabstress-run/1");
	docs[0] = other;
	expect_refused(docs, 2, "a.json", "schema");
	json_decref(other);
	json_decref(d1);
	json_decref(d2);
}

TEST(test_merge_of_an_interrupted_shard_leaves_its_cells_unfinished)
{
	json_t *docs[2] = {shard_doc(1, 2), shard_doc(2, 2)};
	json_array_clear(json_object_get(docs[1], "cells"));
	json_object_set_new(docs[1], "interrupted", json_true());
	struct ss_matrix_result res;
	char err[512] = "";
	EXPECT_EQ(merge(docs, 2, &res, err, sizeof(err)), 0);
	EXPECT(res.interrupted);
	EXPECT_EQ(res.ncells, 12);
	int unfinished = 0;
	for (int i = 0; i < res.ncells; i++)
		unfinished += res.cells[i].unfinished;
	EXPECT(unfinished > 0 && unfinished < 12);
	ss_matrix_result_free(&res);
	json_decref(docs[0]);
	json_decref(docs[1]);
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
	RUN(test_shards_are_disjoint_covering_stable_and_balanced);
	RUN(test_shard_count_out_of_range_is_refused);
	RUN(test_three_shards_merge_to_the_verdicts_of_one_run);
	RUN(test_merge_refuses_missing_duplicate_foreign_and_other_parameters);
	RUN(test_merge_of_an_interrupted_shard_leaves_its_cells_unfinished);
	TEST_SUMMARY();
}
