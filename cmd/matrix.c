/* cmd/matrix.c - `slabstress matrix`: variants x scenarios x models in the
 * emulator, one bounded search per cell (random, then pct), as a verdict
 * table.  Its default is the seed email's question set.  The lists are parsed
 * and the table printed here (also one slice of it, --shard I/N, and the
 * join of the slices' documents, --merge); the runner, its expectation rule,
 * the split into slices and the checks of a merge are fuzz/matrix.c. */
#include <stdio.h>
#include <stdlib.h>
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
	OPT_EXPECT,
	OPT_SHARD,
	OPT_MERGE,
	OPT_ENGINE
};

#define DEFAULT_VARIANTS "rc1,early-stride,wmb-rmb,fixed"
#define DEFAULT_SCENARIOS                                                                          \
	"lazy-objexts,release-acquire,once,pid-fastpath,tty-flush-old,tty-flush,same-cpu@big"
#define DEFAULT_MODELS "sc,tso,lkmm"
/* At most this many shard documents in one --merge. */
#define MAX_MERGE SS_MATRIX_MAX_SHARDS

#define MAXL SS_MATRIX_MAX_ITEMS

struct matrix_cli {
	const char *variants, *scenarios, *models, *json, *save;
	bool expect_clean; /* --expect clean: every cell */
	double duration;
	unsigned long long executions;
	int deps;
	int shard, nshards;	/* --shard I/N */
	bool merge;		/* --merge: the arguments are shard documents */
	const char *engine;	/* --engine lkvm|graph */
	const char *run_option; /* the last option that sets up a run (refused by --merge) */
	char *files[MAX_MERGE];
	int nfiles;
};

static const struct argp_option options[] = {
    {"variants", OPT_VARIANTS, "LIST", 0,
     "slab variants, comma-separated (default: rc1,early-stride,wmb-rmb,fixed); a column "
     "NAME:SW=VAL+SW=VAL changes slab switches of NAME as --set does",
     0},
    {"scenarios", OPT_SCENARIOS, "LIST", 0,
     "scenarios, comma-separated; NAME@big runs NAME with --objext in-object --object-size "
     "131072 --page-size 65536 (default: lazy-objexts,release-acquire,once,pid-fastpath,"
     "tty-flush-old,tty-flush,same-cpu@big)",
     0},
    {"models", OPT_MODELS, "LIST", 0, "memory models (default: sc,tso,lkmm)", 0},
    {"deps", OPT_DEPS, "MODE", 0, CLI_DEPS_HELP, 0},
    {"engine", OPT_ENGINE, "E", 0,
     "lkvm (random and pct schedules on the operational model) or graph (each cell a "
     "complete search of execution graphs, at most --executions graphs: a cell that "
     "completes clean is Proved) (default: lkvm, a clean lkmm cell then checked on the "
     "graphs for at most 1 s)",
     0},
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
    {"shard", OPT_SHARD, "I/N", 0,
     "run only slice I of N disjoint slices of the cells, balanced by expected cost, and "
     "write its JSON (default: every cell; the JSON goes to matrix-shard-I-of-N.json "
     "without --json)",
     0},
    {"merge", OPT_MERGE, 0, 0,
     "join the JSON documents of all N shards, given as arguments, into one table and "
     "report (default: run the table)",
     0},
    {0},
};

/* "I/N" with 1 <= I <= N <= SS_MATRIX_MAX_SHARDS, else a usage error. */
static void parse_shard(const char *arg, int *shard, int *nshards)
{
	char *end;
	unsigned long i = 0, n = 0;
	bool ok = arg[0] >= '0' && arg[0] <= '9';
	if (ok) {
		i = strtoul(arg, &end, 10);
		ok = *end == '/' && end[1] >= '0' && end[1] <= '9';
	}
	if (ok) {
		n = strtoul(end + 1, &end, 10);
		ok = !*end && i >= 1 && n >= 1 && i <= n && n <= SS_MATRIX_MAX_SHARDS;
	}
	if (!ok)
		cli_usage_error("cannot parse --shard '%s': expected I/N with 1 <= I <= N <= %d "
				"(like 2/4)",
				arg, SS_MATRIX_MAX_SHARDS);
	*shard = (int)i;
	*nshards = (int)n;
}

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct matrix_cli *o = state->input;
	static const char *const run_options[] = {
	    "--variants", "--scenarios", "--models", "--duration", "--executions",
	    NULL,	  "--save",	 "--deps",   "--expect",   "--shard"};
	if (key >= OPT_VARIANTS && key <= OPT_SHARD && run_options[key - OPT_VARIANTS])
		o->run_option = run_options[key - OPT_VARIANTS];
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
	case OPT_ENGINE:
		if (strcmp(arg, "lkvm") && strcmp(arg, "graph"))
			cli_usage_error("unknown --engine '%s': expected lkvm or graph", arg);
		o->engine = arg;
		o->run_option = "--engine";
		break;
	case OPT_EXPECT:
		if (strcmp(arg, "rule") && strcmp(arg, "clean"))
			cli_usage_error("unknown --expect '%s': expected rule or clean", arg);
		o->expect_clean = !strcmp(arg, "clean");
		break;
	case OPT_SHARD: parse_shard(arg, &o->shard, &o->nshards); break;
	case OPT_MERGE: o->merge = true; break;
	case ARGP_KEY_ARG:
		if (o->nfiles == MAX_MERGE)
			cli_usage_error("matrix --merge: more than %d files (limit)", MAX_MERGE);
		o->files[o->nfiles++] = arg;
		break;
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
    "fixed is clean everywhere.  Clean means none found within the budget, not verified; "
    "under lkmm such a cell is then checked on every execution graph for at most 1 s, as "
    "explore does: Proved when that finishes, Found when a graph fails (a non-multicopy-"
    "atomic failure lkvm cannot reach).  --engine lkvm skips that check; --engine graph "
    "decides every cell on the graphs.\v"
    "Usage:\n"
    "  slabstress matrix [--variants LIST] [--scenarios LIST] [--models LIST] [--engine E]\n"
    "                    [--executions N | --duration T] [--json FILE] [--save DIR]\n"
    "                    [--shard I/N]\n"
    "  slabstress matrix --merge SHARD.json...\n\n"
    "Examples:\n"
    "  slabstress matrix\n"
    "  slabstress matrix --engine graph\n"
    "  slabstress matrix --scenarios lazy-objexts --variants rc1,fixed --duration 2s\n"
    "  slabstress matrix --json matrix.json --save found/\n"
    "  slabstress matrix --scenarios once,release-acquire --variants rc1,fixed "
    "--executions 200 --shard 1/2 --json s1.json\n"
    "  slabstress matrix --scenarios once,release-acquire --variants rc1,fixed "
    "--executions 200 --shard 2/2 --json s2.json\n"
    "  slabstress matrix --merge s1.json s2.json\n\n"
    "Shards: --shard I/N runs slice I of N (cells split by expected cost, the same "
    "split on every machine for the same parameters); its table marks the cells of "
    "other slices \"shard K\" and its JSON says which cells it ran.  Run the N slices "
    "anywhere (a CI job matrix, a Slurm array: --shard $((SLURM_ARRAY_TASK_ID))/N), "
    "collect the documents and --merge them: the same table, JSON and exit status as "
    "one unsharded run.  --merge refuses (exit 2) documents of another version or "
    "other parameters, a missing or repeated shard, or a file that is no shard.\n\n"
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
	mo->variants = o->variants ? o->variants : DEFAULT_VARIANTS;
	mo->scenarios = o->scenarios ? o->scenarios : DEFAULT_SCENARIOS;
	mo->models_list = o->models ? o->models : DEFAULT_MODELS;
	snprintf(vbuf, sizeof(vbuf), "%s", mo->variants);
	snprintf(sbuf, sizeof(sbuf), "%s", mo->scenarios);
	snprintf(mbuf, sizeof(mbuf), "%s", mo->models_list);
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
		if (!strchr(vl[i], ':') && ss_variant_from_name(vl[i]) < 0)
			cli_usage_error(
			    "unknown variant '%s' in --variants: expected rc1, "
			    "early-stride, wmb-rmb, fixed, custom, or NAME:SW=VAL+SW=VAL",
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
	if (mo->nshards)
		printf("slabstress matrix: shard %d/%d: only the cells of this slice run; a cell "
		       "marked \"shard K\" is slice K's\n",
		       mo->shard, mo->nshards);
	int nm = mo->nmodels;
	char budget[96];
	if (mo->graph && mo->executions)
		snprintf(budget, sizeof(budget),
			 "engine graph: every execution graph (at most %llu "
			 "per cell)",
			 mo->executions);
	else if (mo->graph)
		snprintf(budget, sizeof(budget),
			 "engine graph: every execution graph (%.3g s per "
			 "cell at most)",
			 mo->duration);
	else if (mo->executions)
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
	if (c->dep_sites && e) {
		printf("\n");
		emu_print_dep_disagreements(stdout, e);
	} else if (c->dep_sites) {
		printf("\n  %zu site%s where the dependency sources disagree (listed in the "
		       "shard's own output)\n",
		       c->dep_sites, c->dep_sites == 1 ? "" : "s");
	}
}

static void print_cell_elsewhere(void *ctx, const struct ss_matrix_line *l, enum wmm_model model,
				 int shard)
{
	(void)ctx;
	(void)l;
	(void)model;
	char text[32];
	snprintf(text, sizeof(text), "shard %d", shard);
	printf(" %-22s", text);
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
	       "reordering x86 (tso) never does.  Clean: none found within the budget.%s  Verdicts "
	       "rest on %s dependencies.\n",
	       ss_interrupted ? "interrupted" : "done", res->elapsed,
	       mo->graph || mo->graph_check
		   ? "  Proved: every execution graph visited, none failed (see explore "
		     "--engine graph)."
		   : "",
	       emu_deps_name(mo->deps));
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

/* The result as JSON into path (usage error when it cannot be written). */
static void write_json(const struct ss_matrix_result *res, const struct ss_matrix_opts *mo,
		       const char *path, char *const *merged, int nmerged)
{
	char err[256];
	json_t *jd = ss_matrix_json(res, mo, cli_argc, cli_argv);
	if (nmerged) {
		json_t *from = json_array();
		for (int i = 0; i < nmerged; i++)
			json_array_append_new(from, json_string(merged[i]));
		json_object_set_new(jd, "merged_from", from);
	}
	if (res_write_atomic(jd, path, err, sizeof(err)) != 0) {
		json_decref(jd);
		cli_usage_error("%s", err);
	}
	json_decref(jd);
}

static struct ss_matrix_line table[MAXL * MAXL];

/* Runs the table (or its slice) and prints it.  Returns the exit status. */
static int run_table(struct matrix_cli *o)
{
	static char shard_json[64];
	if (o->nshards && !o->json) {
		snprintf(shard_json, sizeof(shard_json), "matrix-shard-%d-of-%d.json", o->shard,
			 o->nshards);
		o->json = shard_json;
	}
	cli_check_output_path("--json", o->json);
	cli_check_output_dir("--save", o->save);
	cli_json_stdout(o->json);
	struct ss_matrix_opts mo = {
	    .executions = o->executions	    ? o->executions
			  : o->duration > 0 ? 0
					    : 4000,
	    .duration = o->duration,
	    .deps = (enum emu_deps)o->deps,
	    .expect_clean = o->expect_clean,
	    .save_dir = o->save,
	    .shard = o->shard,
	    .nshards = o->nshards,
	    .graph = o->engine && !strcmp(o->engine, "graph"),
	    /* the default engine's clean lkmm cells are checked on the graphs;
	     * --engine lkvm: lkvm alone */
	    .graph_check = !o->engine,
	};
	if (mo.graph && mo.deps == EMU_DEPS_CHECK)
		cli_usage_error("--deps check with --engine graph: expected explicit or provenance "
				"(the check compares lkvm's floors)");
	int nv, ns, nl = table_lines(o, &mo, table, &nv, &ns);
	print_header(&mo, ns, nv);

	struct ss_matrix_observer obs = {print_line_start, print_cell, print_line_end,
					 print_cell_elsewhere, NULL};
	struct ss_matrix_result res;
	char err[256];
	ss_install_sigint();
	int rc = ss_matrix_run(table, nl, &mo, &obs, &res, err, sizeof(err));
	if (rc == -1)
		cli_internal_error("%s", err);
	if (rc == -2)
		cli_usage_error("%s", err);
	print_footer(&res, &mo);
	if (o->nshards)
		printf("shard %d/%d: %d of its %d cells run (of %d in the table)%s; join the %d "
		       "shard documents with slabstress matrix --merge\n",
		       o->shard, o->nshards, res.ncells, res.nplanned, res.total_cells,
		       res.interrupted ? ", interrupted" : "", o->nshards);
	if (o->json) {
		write_json(&res, &mo, o->json, NULL, 0);
		if (o->nshards && strcmp(o->json, "-"))
			printf("shard document: %s\n", o->json);
	}
	int ret = ss_matrix_exit_status(&res, &mo);
	ss_matrix_result_free(&res);
	return ret;
}

/* The shard documents, loaded (usage error for a file that is not JSON). */
static void load_shards(struct matrix_cli *o, json_t **docs)
{
	for (int i = 0; i < o->nfiles; i++) {
		char err[512] = "";
		json_error_t je;
		docs[i] = res_json_load_limited(o->files[i], "matrix shard", 64u << 20, 64, &je,
						err, sizeof(err));
		if (!docs[i] && err[0])
			cli_usage_error("%s", err);
		if (!docs[i])
			cli_usage_error("%s: not a matrix shard: not JSON (line %d: %s)",
					o->files[i], je.line, je.text);
	}
}

/* --merge: the shard documents joined and printed as one table.  Returns the
 * exit status. */
static int run_merge(struct matrix_cli *o)
{
	if (o->run_option)
		cli_usage_error("matrix --merge: %s not allowed: the shards' own parameters are "
				"used",
				o->run_option);
	if (!o->nfiles)
		cli_usage_error("matrix --merge: no shard documents given: expected A.json B.json "
				"...");
	cli_check_output_path("--json", o->json);
	cli_json_stdout(o->json);
	static json_t *docs[MAX_MERGE];
	static struct ss_matrix_params p;
	char err[768];
	load_shards(o, docs);
	if (ss_matrix_shard_params(docs[0], o->files[0], &p, err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
	o->variants = p.variants;
	o->scenarios = p.scenarios;
	o->models = p.models;
	struct ss_matrix_opts mo = {.executions = p.executions,
				    .duration = p.duration,
				    .deps = p.deps,
				    .expect_clean = p.expect_clean};
	int nv, ns, nl = table_lines(o, &mo, table, &nv, &ns);
	struct ss_matrix_result res;
	if (ss_matrix_merge(docs, (const char *const *)o->files, o->nfiles, table, nl, &mo, &res,
			    err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
	print_header(&mo, ns, nv);
	for (int i = 0; i < nl; i++) {
		print_line_start(NULL, &table[i]);
		for (int m = 0; m < mo.nmodels; m++)
			print_cell(NULL, &res.cells[i * mo.nmodels + m], NULL);
		print_line_end(NULL, &table[i]);
	}
	print_footer(&res, &mo);
	printf("merged %d shard%s\n", o->nfiles, o->nfiles == 1 ? "" : "s");
	if (o->json)
		write_json(&res, &mo, o->json, o->files, o->nfiles);
	int ret = ss_matrix_exit_status(&res, &mo);
	ss_matrix_result_free(&res);
	for (int i = 0; i < o->nfiles; i++)
		json_decref(docs[i]);
	return ret;
}

int cmd_matrix(int argc, char **argv)
{
	struct matrix_cli o;
	memset(&o, 0, sizeof(o));
	struct argp argp = {options, parse, 0, doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	if (o.merge)
		return run_merge(&o);
	if (o.nfiles)
		cli_usage_error("matrix: unexpected argument '%s' (options only; shard documents "
				"go with --merge)",
				o.files[0]);
	if (o.executions && o.duration > 0)
		cli_usage_error("--executions and --duration both given: expected one of them");
	return run_table(&o);
}
