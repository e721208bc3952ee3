/* cmd/matrix.c - `slabstress matrix`: variants x scenarios x models in the
 * emulator, one bounded search per cell (random, then pct), as a verdict
 * table.  Its default is the seed email's question set.  The lists are parsed
 * and the table printed here; the runner and its expectation rule are
 * fuzz/matrix.c. */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "fuzz/matrix.h"
#include "results/json.h"
#include "results/stop.h"

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

#define MAXL SS_MATRIX_MAX_ITEMS

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

/* The three comma lists, split in place (usage error for an empty item or too
 * many).  Returns the counts in n[3]: variants, scenarios, models. */
static void split_lists(const struct matrix_cli *o, char *buf[3], char **items[3], int n[3])
{
	static const char *const opt[3] = {"variants", "scenarios", "models"};
	static const char *const like[3] = {"rc1,fixed", "once,lazy-objexts", "tso,lkmm"};
	const char *given[3] = {o->variants, o->scenarios, o->models};
	for (int i = 0; i < 3; i++)
		n[i] = split(buf[i], items[i], MAXL);
	for (int i = 0; i < 3; i++)
		if (n[i] == -2)
			cli_usage_error("--%s: more than %d items (limit)", opt[i], MAXL);
	for (int i = 0; i < 3; i++)
		if (n[i] <= 0)
			cli_usage_error(
			    "cannot parse --%s '%s': empty item, expected a comma list like %s",
			    opt[i], given[i] ? given[i] : "", like[i]);
}

/* A scenario item: NAME or NAME@big (cut at the @), known by the table. */
static bool scenario_item(char *item)
{
	char *at = strchr(item, '@');
	if (at) {
		if (strcmp(at, "@big"))
			cli_usage_error(
			    "bad scenario '%s' in --scenarios: expected NAME or NAME@big", item);
		*at = 0;
	}
	if (!ss_scenario_find(item))
		cli_usage_error("unknown scenario '%s' in --scenarios (see slabstress list "
				"scenarios)",
				item);
	return at != NULL;
}

/* One table line: the scenario under the variant, its slab knobs resolved. */
static void resolve_line(struct ss_matrix_line *l, const char *scenario, const char *label,
			 const char *variant, bool big)
{
	struct cli_scenario_opts so;
	cli_scenario_defaults(&so);
	so.scenario_name = scenario;
	so.variant_name = variant;
	if (big) {
		so.objext_name = "in-object";
		so.object_size = 131072;
		so.page_size = 65536;
	}
	cli_scenario_finish(&so, true);
	*l = (struct ss_matrix_line){.scenario = scenario,
				     .label = label,
				     .variant = variant,
				     .big = big,
				     .scn = so.scn,
				     .alloc = so.alloc,
				     .acfg = so.acfg};
}

/* The lists as table lines (scenario-major) and models; returns the line count.
 * Names are checked here: a bad one is a usage error before anything runs. */
static int table_lines(const struct matrix_cli *o, struct ss_matrix_opts *mo,
		       struct ss_matrix_line *lines, int *nvariants, int *nscenarios)
{
	static char vbuf[512], sbuf[1024], mbuf[128], labels[MAXL][64];
	snprintf(vbuf, sizeof(vbuf), "%s",
		 o->variants ? o->variants : "rc1,early-stride,wmb-rmb,fixed");
	snprintf(sbuf, sizeof(sbuf), "%s",
		 o->scenarios
		     ? o->scenarios
		     : "lazy-objexts,release-acquire,once,pid-fastpath,tty-flush-old,tty-flush,"
		       "same-cpu@big");
	snprintf(mbuf, sizeof(mbuf), "%s", o->models ? o->models : "sc,tso,lkmm");
	char *vl[MAXL], *sl[MAXL], *ml[MAXL], *buf[3] = {vbuf, sbuf, mbuf};
	char **items[3] = {vl, sl, ml};
	int n[3];
	split_lists(o, buf, items, n);
	for (int i = 0; i < n[2]; i++)
		if (wmm_model_parse(ml[i], &mo->models[i]) != 0)
			cli_usage_error("unknown model '%s' in --models: expected sc, tso, lkmm",
					ml[i]);
	mo->nmodels = n[2];
	for (int i = 0; i < n[0]; i++)
		if (ss_variant_from_name(vl[i]) < 0)
			cli_usage_error("unknown variant '%s' in --variants: expected rc1, "
					"early-stride, wmb-rmb, fixed",
					vl[i]);
	bool big[MAXL];
	for (int s = 0; s < n[1]; s++) {
		big[s] = scenario_item(sl[s]);
		snprintf(labels[s], sizeof(labels[s]), "%s%s", sl[s],
			 big[s] ? " (in-object 128K/64K)" : "");
	}
	int nl = 0;
	for (int s = 0; s < n[1]; s++)
		for (int v = 0; v < n[0]; v++)
			resolve_line(&lines[nl++], sl[s], labels[s], vl[v], big[s]);
	*nvariants = n[0];
	*nscenarios = n[1];
	return nl;
}

static void print_header(const struct ss_matrix_opts *mo, int ns, int nv)
{
	int nm = mo->nmodels;
	char budget[96];
	if (mo->executions)
		snprintf(budget, sizeof(budget), "%llu executions per cell (%llu random, %llu pct)",
			 mo->executions, mo->executions / 2, mo->executions / 2);
	else
		snprintf(budget, sizeof(budget), "%.3g s per cell (half random, half pct)",
			 mo->duration);
	printf("slabstress matrix: %d scenario%s x %d variant%s x %d model%s = %d cells, %s, %s "
	       "dependencies\n\n",
	       ns, ns == 1 ? "" : "s", nv, nv == 1 ? "" : "s", nm, nm == 1 ? "" : "s", ns * nv * nm,
	       budget, emu_deps_name(mo->deps));
	printf("%-34s %-13s", "scenario", "variant");
	for (int m = 0; m < nm; m++)
		printf(" %-22s", wmm_model_name(mo->models[m]));
	printf("\n");
}

static void print_line_start(void *ctx, const struct ss_matrix_line *l)
{
	(void)ctx;
	printf("%-34s %-13s", l->label, l->variant);
	fflush(stdout);
}

static void print_cell(void *ctx, const struct ss_matrix_cell *c, const struct emu *e)
{
	(void)ctx;
	char text[64];
	ss_matrix_cell_text(c, text, sizeof(text));
	printf(" %-22s", text);
	fflush(stdout);
	if (c->dep_sites) {
		printf("\n");
		emu_print_dep_disagreements(stdout, e);
	}
}

static void print_line_end(void *ctx, const struct ss_matrix_line *l)
{
	(void)ctx;
	(void)l;
	printf("\n");
}

static void print_footer(const struct ss_matrix_result *res, const struct ss_matrix_opts *mo)
{
	printf("\n%s in %.1f s.  Found under sc: not an ordering bug.  Found under lkmm only: a "
	       "reordering x86 (tso) never does.  Clean: none found within the budget.  Verdicts "
	       "rest on %s dependencies.\n",
	       ss_interrupted ? "interrupted" : "done", res->elapsed, emu_deps_name(mo->deps));
	if (mo->deps == EMU_DEPS_CHECK)
		printf("deps check: %lu site%s where explicit and provenance dependencies "
		       "disagree\n",
		       res->dep_sites, res->dep_sites == 1 ? "" : "s");
	int unexpected = res->unexpected, missed = res->missed, ncells = res->ncells;
	printf("expectation: %d of %d cells as expected; %d Found where Clean was expected "
	       "(marked !)%s; %d expected Found but none found within the budget (marked ?)\n",
	       ncells - unexpected - missed, ncells, unexpected,
	       unexpected ? ": exit status 1" : "", missed);
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

	struct ss_matrix_opts mo = {
	    .executions = o.executions	   ? o.executions
			  : o.duration > 0 ? 0
					   : 4000,
	    .duration = o.duration,
	    .deps = (enum emu_deps)o.deps,
	    .expect_clean = o.expect_clean,
	    .save_dir = o.save,
	};
	static struct ss_matrix_line lines[MAXL * MAXL];
	int nv, ns, nl = table_lines(&o, &mo, lines, &nv, &ns);
	print_header(&mo, ns, nv);

	struct ss_matrix_observer obs = {print_line_start, print_cell, print_line_end, NULL};
	struct ss_matrix_result res;
	char err[256];
	ss_install_sigint();
	int rc = ss_matrix_run(lines, nl, &mo, &obs, &res, err, sizeof(err));
	if (rc == -1)
		cli_internal_error("%s", err);
	if (rc == -2)
		cli_usage_error("%s", err);
	print_footer(&res, &mo);
	if (o.json) {
		json_t *jd = ss_matrix_json(&res, &mo, cli_argc, cli_argv);
		if (res_write_atomic(jd, o.json, err, sizeof(err)) != 0) {
			json_decref(jd);
			cli_usage_error("%s", err);
		}
		json_decref(jd);
	}
	int ret = ss_matrix_exit_status(&res, &mo);
	ss_matrix_result_free(&res);
	return ret;
}
