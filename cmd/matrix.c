/* cmd/matrix.c - `slabstress matrix`: variants x scenarios x models in the
 * emulator, one bounded search per cell (random, then pct), as a verdict
 * table.  Its default is the seed email's question set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cli.h"
#include "engine/emu.h"
#include "engine/engine.h"
#include "engine/explore.h"
#include "fuzz/repro_emu.h"
#include "results/json.h"

enum {
	OPT_VARIANTS = 0x2300,
	OPT_SCENARIOS,
	OPT_MODELS,
	OPT_DURATION,
	OPT_EXECUTIONS,
	OPT_JSON,
	OPT_SAVE,
	OPT_DEPS,
	OPT_EXPECT
};

#define MAXL 32

struct row {
	char name[64]; /* scenario, or scenario@in-object for the stride row */
	const char *scn;
	bool big; /* --objext in-object --object-size 131072 --page-size 65536 */
};

struct matrix_cli {
	const char *variants, *scenarios, *models, *json, *save;
	bool expect_clean; /* --expect clean: every cell */
	double duration;
	unsigned long long executions;
	int deps;
};

static const struct argp_option options[] = {
    {"variants", OPT_VARIANTS, "LIST", 0,
     "slab variants, comma-separated (default: rc1,early-stride,wmb-rmb,fixed)", 0},
    {"scenarios", OPT_SCENARIOS, "LIST", 0,
     "scenarios, comma-separated; NAME@big runs NAME with --objext in-object --object-size "
     "131072 --page-size 65536 (default: lazy-objexts,release-acquire,once,pid-fastpath,"
     "tty-flush-old,tty-flush,same-cpu@big)",
     0},
    {"models", OPT_MODELS, "LIST", 0, "memory models (default: sc,tso,lkmm)", 0},
    {"deps", OPT_DEPS, "MODE", 0, CLI_DEPS_HELP, 0},
    {"executions", OPT_EXECUTIONS, "N", 0,
     "executions per cell: half random, half pct (default: 4000)", 0},
    {"duration", OPT_DURATION, "T", 0,
     "time per cell instead of --executions (half random, half pct) (default: none)", 0},
    {"json", OPT_JSON, "FILE", 0, "write the table as JSON to FILE (- for stdout; default: none)",
     0},
    {"save", OPT_SAVE, "DIR", 0, "save a reproducer for each Found cell under DIR (default: none)",
     0},
    {"expect", OPT_EXPECT, "E", 0,
     "what each cell should show: rule (the known bugs Found, see below) or clean (every "
     "cell Clean: check a fix across the table) (default: rule)",
     0},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct matrix_cli *o = state->input;
	switch (key) {
	case OPT_VARIANTS: o->variants = arg; break;
	case OPT_SCENARIOS: o->scenarios = arg; break;
	case OPT_MODELS: o->models = arg; break;
	case OPT_EXECUTIONS:
		o->executions = cli_parse_ull("--executions", arg, 2, 1ULL << 40);
		break;
	case OPT_DURATION: o->duration = cli_parse_duration("--duration", arg); break;
	case OPT_JSON: o->json = arg; break;
	case OPT_SAVE: o->save = arg; break;
	case OPT_DEPS: o->deps = cli_parse_deps(arg); break;
	case OPT_EXPECT:
		if (strcmp(arg, "rule") && strcmp(arg, "clean"))
			cli_usage_error("unknown --expect '%s': expected rule or clean", arg);
		o->expect_clean = !strcmp(arg, "clean");
		break;
	case ARGP_KEY_ARG: cli_usage_error("matrix: unexpected argument '%s' (options only)", arg);
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Run every scenario x variant under every memory model in the deterministic emulator, "
    "with a bounded search per cell (random schedules, then pct), and print the verdict "
    "table: Found (with the failure kind) or Clean.  The default set answers the seed "
    "email's questions: the rc1 lazy obj_exts hole is lkmm-only (an ordering bug x86 never "
    "shows); the in-object 131072-byte row fails under sc too (the 16-bit stride "
    "truncation: not an ordering bug); the broken user handoffs fail under lkmm only; "
    "fixed is clean everywhere.  Clean means none found within the budget, not verified "
    "(use explore --strategy exhaustive for that).\v"
    "Usage:\n"
    "  slabstress matrix [--variants LIST] [--scenarios LIST] [--models LIST]\n"
    "                    [--executions N | --duration T] [--json FILE] [--save DIR]\n\n"
    "Examples:\n"
    "  slabstress matrix\n"
    "  slabstress matrix --scenarios lazy-objexts --variants rc1,fixed --duration 2s\n"
    "  slabstress matrix --json matrix.json --save found/\n\n"
    "Expectation: a NAME@big row with a 16-bit stride (rc1, early-stride, wmb-rmb) is "
    "Found under every model; a broken user handoff (see `slabstress list scenarios`) is "
    "Found under lkmm; lazy-objexts with rc1 is Found under lkmm; every other cell is "
    "Clean.  A cell Found where Clean is expected is marked !, one expected Found but "
    "Clean within the budget is marked ?.\n\n"
    "Exit status: 0 no cell Found where Clean is expected, 1 at least one (a regression), "
    "2 bad input, 3 internal error.";

/* What the table expects of a cell: the seed email's answers, as one rule.
 *  - a NAME@big row with a 16-bit stride (rc1, early-stride, wmb-rmb): Found under
 *    every model (131072 truncates to 0: not an ordering bug at all);
 *  - a broken user handoff (scenario table: handoff "broken"): Found under lkmm;
 *  - the allocator's own handoff (lazy-objexts) under rc1: Found under lkmm;
 *  - anything else: Clean.
 * Found where Clean is expected is a regression: matrix exits 1.  Clean where
 * Found is expected is a miss of the bounded search, shown but not an error. */
static bool expect_found(const struct cli_scenario_opts *so, bool big, enum wmm_model m)
{
	if (big && so->acfg.stride_bits == 16)
		return true;
	if (m != WMM_LKMM)
		return false;
	if (so->scn->handoff == SS_HANDOFF_BROKEN)
		return true;
	return so->scn->handoff == SS_HANDOFF_ALLOCATOR && so->acfg.variant == SS_VARIANT_RC1;
}

static int split(char *s, char **out, int max)
{
	size_t l = strlen(s);
	if (!l || s[0] == ',' || s[l - 1] == ',' || strstr(s, ",,"))
		return -1; /* an empty item: refused, not skipped */
	int items = 1;
	for (const char *p = s; *p; p++)
		items += *p == ',';
	if (items > max)
		return -2; /* more than the table takes: refused, not cut */
	int n = 0;
	for (char *t = strtok(s, ","); t && n < max; t = strtok(NULL, ","))
		if (*t)
			out[n++] = t;
	return n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cmd_matrix(int argc, char **argv)
{
	struct matrix_cli o;
	memset(&o, 0, sizeof(o));
	struct argp argp = {options, parse, 0, doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	if (o.executions && o.duration > 0)
		cli_usage_error("--executions and --duration both given: expected one of them");
	cli_check_output_path("--json", o.json);
	cli_check_output_dir("--save", o.save);
	cli_json_stdout(o.json);

	char vbuf[512], sbuf[1024], mbuf[128];
	snprintf(vbuf, sizeof(vbuf), "%s",
		 o.variants ? o.variants : "rc1,early-stride,wmb-rmb,fixed");
	snprintf(sbuf, sizeof(sbuf), "%s",
		 o.scenarios
		     ? o.scenarios
		     : "lazy-objexts,release-acquire,once,pid-fastpath,tty-flush-old,tty-flush,"
		       "same-cpu@big");
	snprintf(mbuf, sizeof(mbuf), "%s", o.models ? o.models : "sc,tso,lkmm");
	char *vl[MAXL], *sl[MAXL], *ml[MAXL];
	int nv = split(vbuf, vl, MAXL), ns = split(sbuf, sl, MAXL), nm = split(mbuf, ml, MAXL);
	if (nv == -2 || ns == -2 || nm == -2)
		cli_usage_error("--%s: more than %d items (limit)",
				nv == -2   ? "variants"
				: ns == -2 ? "scenarios"
					   : "models",
				MAXL);
	if (nv <= 0 || ns <= 0 || nm <= 0)
		cli_usage_error("cannot parse --%s '%s': empty item, expected a comma list like %s",
				nv <= 0	  ? "variants"
				: ns <= 0 ? "scenarios"
					  : "models",
				nv <= 0	  ? (o.variants ? o.variants : "")
				: ns <= 0 ? (o.scenarios ? o.scenarios : "")
					  : (o.models ? o.models : ""),
				nv <= 0	  ? "rc1,fixed"
				: ns <= 0 ? "once,lazy-objexts"
					  : "tso,lkmm");
	enum wmm_model models[MAXL];
	for (int i = 0; i < nm; i++)
		if (wmm_model_parse(ml[i], &models[i]) != 0)
			cli_usage_error("unknown model '%s' in --models: expected sc, tso, lkmm",
					ml[i]);
	for (int i = 0; i < nv; i++)
		if (ss_variant_from_name(vl[i]) < 0)
			cli_usage_error("unknown variant '%s' in --variants: expected rc1, "
					"early-stride, wmb-rmb, fixed",
					vl[i]);
	struct row rows[MAXL];
	for (int i = 0; i < ns; i++) {
		char *at = strchr(sl[i], '@');
		rows[i].big = false;
		if (at) {
			if (strcmp(at, "@big"))
				cli_usage_error(
				    "bad scenario '%s' in --scenarios: expected NAME or NAME@big",
				    sl[i]);
			*at = 0;
			rows[i].big = true;
		}
		if (!ss_scenario_find(sl[i]))
			cli_usage_error("unknown scenario '%s' in --scenarios (see slabstress list "
					"scenarios)",
					sl[i]);
		rows[i].scn = sl[i];
		snprintf(rows[i].name, sizeof(rows[i].name), "%s%s", sl[i],
			 rows[i].big ? " (in-object 128K/64K)" : "");
	}
	unsigned long long execs = o.executions ? o.executions : o.duration > 0 ? 0 : 4000;

	char budget[96];
	if (execs)
		snprintf(budget, sizeof(budget), "%llu executions per cell (%llu random, %llu pct)",
			 execs, execs / 2, execs / 2);
	else
		snprintf(budget, sizeof(budget), "%.3g s per cell (half random, half pct)",
			 o.duration);
	printf("slabstress matrix: %d scenario%s x %d variant%s x %d model%s = %d cells, %s, %s "
	       "dependencies\n\n",
	       ns, ns == 1 ? "" : "s", nv, nv == 1 ? "" : "s", nm, nm == 1 ? "" : "s", ns * nv * nm,
	       budget, emu_deps_name((enum emu_deps)o.deps));
	unsigned long ndis = 0;
	printf("%-34s %-13s", "scenario", "variant");
	for (int m = 0; m < nm; m++)
		printf(" %-22s", wmm_model_name(models[m]));
	printf("\n");

	json_t *cells = json_array();
	ss_install_sigint();
	double t0 = now();
	int ret = SS_EXIT_CLEAN;
	int unexpected = 0, missed = 0, ncells = 0;
	for (int s = 0; s < ns && !ss_interrupted; s++)
		for (int v = 0; v < nv && !ss_interrupted; v++) {
			struct cli_scenario_opts so;
			cli_scenario_defaults(&so);
			so.scenario_name = rows[s].scn;
			so.variant_name = vl[v];
			if (rows[s].big) {
				so.objext_name = "in-object";
				so.object_size = 131072;
				so.page_size = 65536;
			}
			cli_scenario_finish(&so, true);
			printf("%-34s %-13s", rows[s].name, vl[v]);
			fflush(stdout);
			for (int m = 0; m < nm; m++) {
				struct emu_config ec;
				memset(&ec, 0, sizeof(ec));
				ec.scn = so.scn;
				ec.alloc = so.alloc;
				ec.acfg = so.acfg;
				ec.model = models[m];
				ec.iters = 1;
				ec.seed = SS_EMU_WORLD_SEED;
				ec.max_steps = 200000;
				ec.deps = (enum emu_deps)o.deps;
				char err[256];
				struct emu *e = emu_create(&ec, err, sizeof(err));
				if (!e)
					cli_internal_error("%s", err);
				ss_emu_name_regions(e);
				struct explore_opts xo;
				memset(&xo, 0, sizeof(xo));
				xo.seed = 1;
				xo.stale_prob = 0.3;
				xo.max_execs = execs / 2;
				xo.duration = o.duration / 2;
				struct explore_stats st;
				unsigned long long total = 0;
				double c0 = now();
				int rc = explore_random(e, &xo, &st);
				total += st.executions;
				if (rc == 0 && !st.found && !ss_interrupted) {
					explore_stats_free(&st);
					xo.strategy = EXPLORE_PCT;
					rc = explore_pct(e, &xo, &st);
					total += st.executions;
				}
				if (rc != 0)
					cli_internal_error("%s", st.error);
				char cell[64], path[512] = "";
				if (st.found) {
					snprintf(cell, sizeof(cell), "Found %s",
						 ss_fail_kind_name(st.first.kind));
					if (o.save &&
					    ss_save_failure(o.save, e, &st.first, st.first_sched,
							    st.first_len, path, sizeof(path), err,
							    sizeof(err)) != 0)
						cli_usage_error("%s", err);
				} else if (ss_interrupted) {
					/* Stopped inside this cell: not a verdict. */
					snprintf(cell, sizeof(cell), "unfinished");
				} else {
					snprintf(cell, sizeof(cell), "Clean");
				}
				const char *verdict = st.found	       ? "found"
						      : ss_interrupted ? "unfinished"
								       : "clean";
				bool want =
				    !o.expect_clean && expect_found(&so, rows[s].big, models[m]);
				bool unexp = st.found && !want;
				bool miss = !st.found && !ss_interrupted && want;
				unexpected += unexp;
				missed += miss;
				ncells++;
				if (unexp || miss)
					strncat(cell, unexp ? " !" : " ?",
						sizeof(cell) - strlen(cell) - 1);
				printf(" %-22s", cell);
				fflush(stdout);
				json_t *jc = json_pack(
				    "{s:s, s:s, s:b, s:s, s:s, s:I, s:f}", "scenario", rows[s].scn,
				    "variant", vl[v], "in_object_128k", rows[s].big, "model",
				    wmm_model_name(models[m]), "verdict", verdict, "executions",
				    (json_int_t)total, "elapsed_s", now() - c0);
				json_object_set_new(jc, "expected",
						    json_string(want ? "found" : "clean"));
				json_object_set_new(jc, "unexpected", json_boolean(unexp));
				if (st.found)
					json_object_set_new(
					    jc, "kind",
					    json_string(ss_fail_kind_name(st.first.kind)));
				if (path[0])
					json_object_set_new(jc, "reproducer", json_string(path));
				json_object_set_new(jc, "deps",
						    json_string(emu_deps_name(ec.deps)));
				if (ec.deps == EMU_DEPS_CHECK) {
					size_t nd;
					emu_dep_disagreements(e, &nd);
					ndis += nd;
					json_object_set_new(jc, "dep_disagreement_sites",
							    json_integer((json_int_t)nd));
					if (nd) {
						printf("\n");
						emu_print_dep_disagreements(stdout, e);
					}
				}
				json_array_append_new(cells, jc);
				explore_stats_free(&st);
				emu_destroy(e);
				if (ss_interrupted)
					break; /* one unfinished cell, not a row of them */
			}
			printf("\n");
		}
	double el = now() - t0;
	printf("\n%s in %.1f s.  Found under sc: not an ordering bug.  Found under lkmm only: a "
	       "reordering x86 (tso) never does.  Clean: none found within the budget.  Verdicts "
	       "rest on %s dependencies.\n",
	       ss_interrupted ? "interrupted" : "done", el, emu_deps_name((enum emu_deps)o.deps));
	if ((enum emu_deps)o.deps == EMU_DEPS_CHECK) {
		printf("deps check: %lu site%s where explicit and provenance dependencies "
		       "disagree\n",
		       ndis, ndis == 1 ? "" : "s");
		if (ndis)
			ret = SS_EXIT_FOUND;
	}
	printf("expectation: %d of %d cells as expected; %d Found where Clean was expected "
	       "(marked !)%s; %d expected Found but none found within the budget (marked ?)\n",
	       ncells - unexpected - missed, ncells, unexpected,
	       unexpected ? ": exit status 1" : "", missed);
	if (unexpected)
		ret = SS_EXIT_FOUND;
	if (o.json) {
		json_t *doc = res_doc_new("matrix", cli_argc, cli_argv);
		json_object_set_new(doc, "cells", cells);
		json_object_set_new(doc, "interrupted", json_boolean(ss_interrupted));
		json_object_set_new(doc, "unexpected_found", json_integer(unexpected));
		json_object_set_new(doc, "missed", json_integer(missed));
		json_object_set_new(doc, "verdict",
				    json_string(unexpected ? "unexpected-found" : "as-expected"));
		json_object_set_new(doc, "executions_per_cell", json_integer((json_int_t)execs));
		json_object_set_new(doc, "deps", json_string(emu_deps_name((enum emu_deps)o.deps)));
		json_object_set_new(doc, "timing", json_pack("{s:f}", "elapsed_s", el));
		char err[256];
		if (res_write_atomic(doc, o.json, err, sizeof(err)) != 0) {
			json_decref(doc);
			cli_usage_error("%s", err);
		}
		json_decref(doc);
	} else {
		json_decref(cells);
	}
	return ret;
}
