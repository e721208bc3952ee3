/* cmd/fuzz.c - `slabstress fuzz`: a libFuzzer campaign over emulator schedules.
 *
 * This process supervises (fuzz/supervisor.h: the work directory, the worker
 * processes, artifacts -> minimized reproducers, the result document); a worker
 * process (this binary again, with "fuzz --ss-worker") runs libFuzzer in-process
 * on the schedule bytes (fuzz/fuzz.h).  `fuzz --merge OUT DIR...` runs
 * libFuzzer's corpus merge through the same supervisor.  This file parses the
 * options and prints.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cli.h"
#include "engine/emu.h"
#include "engine/engine.h"
#include "engine/gexplore.h"
#include "fuzz/fuzz.h"
#include "fuzz/race_check.h"
#include "fuzz/repro_emu.h"
#include "fuzz/supervisor.h"
#include "litmus/race_check.h"
#include "results/json.h"

enum {
	OPT_MODEL = 0x2000,
	OPT_DURATION,
	OPT_CORPUS,
	OPT_SAVE,
	OPT_JOBS,
	OPT_KEEP_GOING,
	OPT_NO_EXTRA,
	OPT_FEEDBACK,
	OPT_JSON,
	OPT_NO_PROGRESS,
	OPT_ITERS,
	OPT_MAX_STEPS,
	OPT_MAX_LEN,
	OPT_RUNS,
	OPT_MIN_EXECS,
	OPT_DEPS,
	OPT_MERGE,
	OPT_RACES,
	OPT_ENGINE,
};

struct fuzz_cli {
	struct cli_scenario_opts sc;
	const char *model_arg, *corpus, *save, *json_path, *feedback;
	double duration;
	unsigned long jobs, iters, max_steps, max_len, min_execs;
	unsigned long long runs;
	int keep_going, no_extra, no_progress, quiet;
	int deps;
	const char *races_arg;
	const char *engine_arg;
	const char *merge_out;	     /* --merge OUT */
	const char *campaign_option; /* the last option --merge has no use for */
	char **dirs;		     /* the arguments: corpus directories for --merge */
	int ndirs;
};

static const struct argp_option options[] = {
    {0, 0, 0, 0, "Fuzzing:", 3},
    {"model", OPT_MODEL, "M", 0, "memory model: sc, tso, lkmm (default: lkmm)", 3},
    {"engine", OPT_ENGINE, "E", 0,
     "lkvm (the input is an emulator schedule) or graph (the input makes the execution "
     "graph's choices: thread order, the write each read reads, co; only graphs the model "
     "allows count; reproducers are graphs, not minimized) (default: lkvm)",
     3},
    {"duration", OPT_DURATION, "T", 0, "stop after T (10, 10s, 2m, 1h; default: 60s)", 3},
    {"runs", OPT_RUNS, "N", 0, "stop after N executions (default: none, --duration bounds)", 3},
    {"corpus", OPT_CORPUS, "DIR", 0,
     "keep the corpus in DIR; a later run resumes from it (default: a temporary one)", 3},
    {"jobs", OPT_JOBS, "N", 0, "N fuzzing processes (libFuzzer -fork=N; default: 1)", 3},
    {"keep-going", OPT_KEEP_GOING, 0, 0,
     "keep fuzzing after a failing schedule until the duration ends (default: stop at the "
     "first)",
     3},
    {"no-extra-counters", OPT_NO_EXTRA, 0, 0,
     "no interleaving feedback: libFuzzer mutates blind (default: reads-from, handover and "
     "barrier counters)",
     3},
    {"feedback", OPT_FEEDBACK, "F", OPTION_HIDDEN, "none, sites, interleaving", 3},
    {"max-len", OPT_MAX_LEN, "N", 0, "longest schedule in bytes (default: 512)", 3},
    {"max-steps", OPT_MAX_STEPS, "N", 0,
     "step bound of one execution; beyond it: step-limit failure (default: 200000)", 3},
    {"iters", OPT_ITERS, "N", 0, "handoffs per role per execution (default: 1)", 3},
    {"deps", OPT_DEPS, "MODE", 0,
     "where address dependencies come from: explicit, provenance, check (check runs "
     "explicit here; use explore --deps check for the report) (default: explicit)",
     3},
    {"races", OPT_RACES, "MODE", 0,
     "data races of plain accesses (LKMM, exact check) over the corpus after the run: report, "
     "fail (a race is a failure: exit 1, saved under --save) or ignore (default: report; with "
     "--engine graph the corpus runs again as graphs, each consistent one decided)",
     3},
    {"minimize-execs", OPT_MIN_EXECS, "N", 0,
     "executions spent minimizing each unique failure (default: 20000)", 3},
    {0, 0, 0, 0, "Output:", 4},
    {"save", OPT_SAVE, "DIR", 0,
     "write each unique failure as DIR/<scenario>-<variant>-<model>-<kind>-<hash>.json "
     "(reproducer) and .txt (its interleaving) (default: crashes)",
     4},
    {"json", OPT_JSON, "FILE", 0, "write the result as JSON to FILE (- for stdout; default: none)",
     4},
    {"no-progress", OPT_NO_PROGRESS, 0, 0,
     "no live status line (default: shown when stderr is a terminal)", 4},
    {"quiet", 'q', 0, 0, "print only the verdict and the failures (default: full summary)", 4},
    {0, 0, 0, 0, "Corpora:", 5},
    {"merge", OPT_MERGE, "OUT", 0,
     "merge the corpus directories given as arguments into OUT (created if missing) with "
     "libFuzzer's -merge=1, for the scenario, variant and model given, and stop: only the "
     "inputs that add coverage are kept (default: fuzz)",
     5},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct fuzz_cli *o = state->input;
	static const struct {
		int key;
		const char *name;
	} campaign_only[] = {{OPT_DURATION, "--duration"}, {OPT_RUNS, "--runs"},
			     {OPT_CORPUS, "--corpus"},	   {OPT_SAVE, "--save"},
			     {OPT_JOBS, "--jobs"},	   {OPT_KEEP_GOING, "--keep-going"},
			     {OPT_JSON, "--json"},	   {OPT_MIN_EXECS, "--minimize-execs"}};
	for (size_t i = 0; i < sizeof(campaign_only) / sizeof(campaign_only[0]); i++)
		if (key == campaign_only[i].key)
			o->campaign_option = campaign_only[i].name;
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &o->sc; break;
	case OPT_MODEL: o->model_arg = arg; break;
	case OPT_DURATION: o->duration = cli_parse_duration("--duration", arg); break;
	case OPT_RUNS: o->runs = cli_parse_ull("--runs", arg, 1, 1ULL << 50); break;
	case OPT_CORPUS:
		if (!*arg)
			cli_usage_error("--corpus '': expected a directory");
		o->corpus = arg;
		break;
	case OPT_SAVE:
		if (!*arg)
			cli_usage_error("--save '': expected a directory");
		o->save = arg;
		break;
	case OPT_JOBS: o->jobs = (unsigned long)cli_parse_ull("--jobs", arg, 1, 256); break;
	case OPT_KEEP_GOING: o->keep_going = 1; break;
	case OPT_NO_EXTRA: o->no_extra = 1; break;
	case OPT_FEEDBACK: o->feedback = arg; break;
	case OPT_MAX_LEN:
		o->max_len = (unsigned long)cli_parse_ull("--max-len", arg, 4, 1 << 20);
		break;
	case OPT_MAX_STEPS:
		o->max_steps = (unsigned long)cli_parse_ull("--max-steps", arg, 100, 1UL << 26);
		break;
	case OPT_ITERS: o->iters = (unsigned long)cli_parse_ull("--iters", arg, 1, 1 << 20); break;
	case OPT_DEPS: o->deps = cli_parse_deps(arg); break;
	case OPT_RACES: o->races_arg = arg; break;
	case OPT_ENGINE: o->engine_arg = arg; break;
	case OPT_MIN_EXECS:
		o->min_execs = (unsigned long)cli_parse_ull("--minimize-execs", arg, 1, 1UL << 30);
		break;
	case OPT_JSON: o->json_path = arg; break;
	case OPT_NO_PROGRESS: o->no_progress = 1; break;
	case 'q': o->quiet = 1; break;
	case OPT_MERGE:
		if (!*arg)
			cli_usage_error("--merge '': expected the output corpus directory");
		o->merge_out = arg;
		break;
	case ARGP_KEY_ARG: o->dirs[o->ndirs++] = arg; break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Search the schedules of a scenario in the deterministic emulator with libFuzzer, "
    "in-process: the fuzz input is the schedule (which CPU runs next, which value each load "
    "reads), the feedback is which store each load read from, which CPU ran between two "
    "accesses to one location and which barriers were crossed with stores pending.  Each "
    "unique failure (kind and code site) is minimized to its fewest decisions and saved as "
    "a reproducer for `slabstress replay`.\v"
    "Arguments after -- go to libFuzzer unchanged (-seed=N, -max_len=N, -dict=FILE, ...).\n\n"
    "Usage:\n"
    "  slabstress fuzz -s SCENARIO [--variant V] [--model M] [--duration T] [--corpus DIR]\n"
    "                  [--save DIR] [--jobs N] [--keep-going] [--json FILE] [-- "
    "LIBFUZZER_FLAGS]\n"
    "  slabstress fuzz -s SCENARIO [--variant V] [--model M] --merge OUT DIR...\n\n"
    "Examples:\n"
    "  slabstress fuzz -s lazy-objexts --variant rc1 --model lkmm --duration 60 --save crashes/\n"
    "  slabstress fuzz -s once --variant fixed --duration 600 --corpus corpus/ -- -fork=2\n"
    "  slabstress replay crashes/lazy-objexts-rc1-lkmm-wrong-metadata-1a2b3c4d.json\n"
    "  slabstress fuzz -s once --variant fixed --merge merged/ corpus/\n"
    "  slabstress fuzz -s lazy-objexts --variant rc1 --engine graph --save graphs/\n\n"
    "--engine graph: the input makes the execution graph's choices instead (one byte each, "
    "byte % n: which CPU adds the next event, which write a load reads, where a store goes "
    "in coherence order; past the end 0: the same CPU, the newest write, last), one execution "
    "from the empty graph per input; only graphs the model allows count, so failures that "
    "need non-multicopy atomicity (relay-wrc) are in reach; failures are saved as graph "
    "reproducers, not minimized.\n\n"
    "Corpora from several machines: fuzz with the same -s, --variant and --model on each "
    "(--corpus DIR), copy the directories to one machine and --merge them: the inputs that "
    "add coverage go to OUT, which the next campaign takes as its --corpus.\n\n"
    "Exit status: 0 no failure in the whole duration (--merge: merged), 1 a failing "
    "schedule was found, 2 bad input (or a build without libFuzzer), 3 internal error.";

static const struct argp_child children[] = {{&cli_scenario_argp, 0, 0, 0}, {0}};

/* Everything after "--" belongs to libFuzzer: *pass, *npass; returns how many
 * arguments are ours. */
static int split_libfuzzer_args(int argc, char **argv, char ***pass, int *npass)
{
	*pass = NULL;
	*npass = 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			*pass = argv + i + 1;
			*npass = argc - i - 1;
			return i;
		}
	return argc;
}

/* --engine graph: the options that do not apply to it (usage errors). */
static void check_graph_options(const struct fuzz_cli *o, bool graph)
{
	if (!graph)
		return;
	if (o->deps == EMU_DEPS_CHECK)
		cli_usage_error("--deps check with --engine graph: expected explicit or provenance "
				"(the check compares lkvm's floors)");
	if (o->min_execs)
		cli_usage_error("--minimize-execs with --engine graph: graph reproducers are not "
				"minimized (use --engine lkvm)");
}

/* The options into the campaign's config (usage error otherwise); the output
 * directories exist afterwards. */
static void configure(struct ss_fuzz_campaign_config *cfg, struct fuzz_cli *o, char **pass,
		      int npass)
{
	for (int i = 0; i < npass; i++)
		if (pass[i][0] != '-')
			cli_usage_error(
			    "fuzz: unexpected argument '%s' after --: expected libFuzzer "
			    "flags like -seed=1 (use --corpus DIR for the corpus)",
			    pass[i]);
	struct ss_fuzz_target *t = &cfg->target;
	t->ec.model = WMM_LKMM;
	if (o->model_arg && wmm_model_parse(o->model_arg, &t->ec.model) != 0)
		cli_usage_error("unknown --model '%s': expected one of sc, tso, lkmm",
				o->model_arg);
	t->cov = o->no_extra ? SS_COV_NONE : SS_COV_INTERLEAVING;
	if (o->feedback) {
		int m = ss_cov_mode_from_name(o->feedback);
		if (m < 0)
			cli_usage_error(
			    "unknown --feedback '%s': expected none, sites, interleaving",
			    o->feedback);
		t->cov = (enum ss_cov_mode)m;
	}
	if (o->engine_arg && strcmp(o->engine_arg, "lkvm") && strcmp(o->engine_arg, "graph"))
		cli_usage_error("unknown --engine '%s': expected lkvm or graph", o->engine_arg);
	t->graph = o->engine_arg && !strcmp(o->engine_arg, "graph");
	check_graph_options(o, t->graph);
	cli_check_output_path("--json", o->json_path);
	cli_json_stdout(o->json_path);
	cfg->save = o->save ? o->save : "crashes";
	cli_check_output_dir("--save", cfg->save);
	cli_check_output_dir("--corpus", o->corpus);
	if (!ss_fuzz_have_libfuzzer())
		cli_usage_error("fuzz: built without libFuzzer (CC=gcc): rebuild with clang");
	if (!o->merge_out && ss_fuzz_mkdir_p(cfg->save) != 0)
		cli_usage_error("cannot create --save directory '%s': %s", cfg->save,
				strerror(errno));
	if (o->corpus && ss_fuzz_mkdir_p(o->corpus) != 0)
		cli_usage_error("cannot create --corpus directory '%s': %s", o->corpus,
				strerror(errno));
	t->ec.scn = o->sc.scn;
	t->ec.alloc = o->sc.alloc;
	t->ec.acfg = o->sc.acfg;
	t->ec.iters = o->iters ? o->iters : 1;
	t->ec.seed = SS_EMU_WORLD_SEED;
	t->ec.max_steps = o->max_steps ? o->max_steps : 200000;
	t->ec.deps = (enum emu_deps)o->deps;
	cfg->duration = o->duration ? o->duration : SS_FUZZ_DEFAULT_DURATION;
	cfg->jobs = o->jobs;
	cfg->runs = o->runs;
	cfg->keep_going = o->keep_going;
	cfg->max_len = o->max_len;
	cfg->min_execs = o->min_execs;
	cfg->seed_set = o->sc.seed_set;
	cfg->seed = o->sc.seed;
	cfg->corpus = o->corpus;
	cfg->pass = pass;
	cfg->npass = npass;
}

static void print_header(const struct ss_fuzz_campaign_config *cfg)
{
	const struct emu_config *ec = &cfg->target.ec;
	const struct ss_alloc_config *a = &ec->acfg;
	printf("slabstress fuzz: scenario %s, variant %s, alloc %s, model %s, feedback %s, deps "
	       "%s\n",
	       ec->scn->name, ss_variant_name(a->variant), ec->alloc->name,
	       wmm_model_name(ec->model), ss_cov_mode_name(cfg->target.cov),
	       emu_deps_name(ec->deps));
	if (cfg->target.graph)
		printf(
		    "  engine graph: the input makes the graph's choices, one execution from the "
		    "empty graph each; only graphs %s allows count\n",
		    wmm_model_name(ec->model));
	printf("  slab: stride-bits %u, objext %s, object-size %zu, page-size %zu\n",
	       a->stride_bits, ss_objext_name(a->objext), a->object_size, a->page_size);
	cli_print_switches(a);
	printf("  libFuzzer in-process, %lu job%s, %.0f s%s, corpus %s, save %s\n",
	       cfg->jobs ? cfg->jobs : 1, cfg->jobs > 1 ? "s" : "", cfg->duration,
	       cfg->keep_going ? ", keep going" : "", cfg->corpus ? cfg->corpus : "(temporary)",
	       cfg->save);
	fflush(stdout);
}

static void show_status(void *arg, const struct ss_fuzz_campaign *c, double elapsed)
{
	(void)arg;
	unsigned long long x = c->sh->execs;
	fprintf(stderr, "\r  %5.0fs  %llu execs  %.0f exec/s  corpus %zu  unique failures %d   ",
		elapsed, x, elapsed > 0 ? x / elapsed : 0.0, ss_fuzz_campaign_corpus_now(c), c->nu);
	fflush(stderr);
}

static void show_warning(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "slabstress: %s\n", msg);
}

static void clear_status(bool progress)
{
	if (progress)
		fprintf(stderr, "\r%*s\r", 78, "");
}

static void print_result(const struct ss_fuzz_campaign *c, bool quiet)
{
	const struct emu_config *ec = &c->cfg.target.ec;
	double eps = c->elapsed > 0 ? c->execs / c->elapsed : 0;
	if (!quiet)
		printf("  %llu executions in %.1f s = %.0f exec/s, corpus %zu%s\n", c->execs,
		       c->elapsed, eps, c->corpus_size, ss_interrupted ? " (interrupted)" : "");
	if (c->gf && !quiet)
		printf("  %llu of them consistent graphs under %s (the others dropped)\n",
		       c->sh ? c->sh->consistent : 0, wmm_model_name(ec->model));
	if (!c->nu) {
		printf("clean: no failure in %llu executions (%.0f s) under %s, %s dependencies\n",
		       c->execs, c->elapsed, wmm_model_name(ec->model), emu_deps_name(ec->deps));
		return;
	}
	printf("FAILED: %d unique failure%s in %lu failing input%s (first after %.2f s, %llu "
	       "executions) under %s, %s dependencies\n",
	       c->nu, c->nu == 1 ? "" : "s", c->artifacts_seen, c->artifacts_seen == 1 ? "" : "s",
	       c->first_fail_s, c->first_fail_execs, wmm_model_name(ec->model),
	       emu_deps_name(ec->deps));
	for (int i = 0; i < c->nu; i++) {
		const struct ss_fuzz_failure *u = &c->u[i];
		if (u->graph) {
			printf("  %s at %s:%d: %s (a graph, not minimized: %zu non-default "
			       "choice%s in %zu input bytes)\n",
			       ss_fail_kind_name(u->kind), u->file, u->line,
			       u->saved ? u->path : "(not saved)", u->decisions,
			       u->decisions == 1 ? "" : "s", u->raw_len);
			continue;
		}
		printf("  %s at %s:%d: %s (%zu non-default decision%s, %zu bytes)\n",
		       ss_fail_kind_name(u->kind), u->file, u->line,
		       u->saved ? u->path : "(not saved)", u->decisions,
		       u->decisions == 1 ? "" : "s", u->len);
	}
}

/* The corpus directories of --merge: each an existing directory (usage error
 * otherwise), and some given; OUT may be created. */
static void check_merge_dirs(const struct fuzz_cli *o)
{
	if (o->campaign_option)
		cli_usage_error("fuzz --merge: %s not allowed: a merge runs no campaign",
				o->campaign_option);
	if (!o->ndirs)
		cli_usage_error("fuzz --merge %s: no corpus directories given: expected --merge "
				"OUT DIR...",
				o->merge_out);
	for (int i = 0; i < o->ndirs; i++) {
		struct stat st;
		if (stat(o->dirs[i], &st) != 0)
			cli_usage_error("fuzz --merge: cannot read corpus directory '%s': %s",
					o->dirs[i], strerror(errno));
		if (!S_ISDIR(st.st_mode))
			cli_usage_error("fuzz --merge: '%s' is not a directory: expected a corpus "
					"directory",
					o->dirs[i]);
	}
	cli_check_output_dir("--merge", o->merge_out);
}

/* fuzz --merge OUT DIR...: libFuzzer's merge in a worker.  Returns the exit
 * status. */
static int run_merge(struct fuzz_cli *o, struct ss_fuzz_campaign_config *cfg)
{
	if (ss_fuzz_mkdir_p(o->merge_out) != 0)
		cli_usage_error("cannot create --merge directory '%s': %s", o->merge_out,
				strerror(errno));
	cfg->duration = 24 * 3600.0; /* a merge runs until done or stopped */
	struct ss_fuzz_campaign c;
	char err[4400] = "";
	ss_install_sigint();
	int rc = ss_fuzz_campaign_prepare(&c, cfg, err, sizeof(err));
	if (rc == SS_FUZZ_SUP_USAGE)
		cli_usage_error("%s", err);
	if (rc)
		cli_internal_error("%s", err);
	const struct emu_config *ec = &cfg->target.ec;
	if (!o->quiet)
		printf("slabstress fuzz --merge: scenario %s, variant %s, model %s: %d corpus "
		       "director%s into %s (libFuzzer -merge=1)\n",
		       ec->scn->name, ss_variant_name(ec->acfg.variant), wmm_model_name(ec->model),
		       o->ndirs, o->ndirs == 1 ? "y" : "ies", o->merge_out);
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);
	c.hooks = (struct ss_fuzz_hooks){NULL, show_warning, NULL};
	struct ss_fuzz_merge_counts n;
	rc = ss_fuzz_campaign_merge(&c, o->merge_out, o->dirs, o->ndirs, &n);
	if (rc != 0) {
		if (c.log_worth_showing)
			ss_fuzz_log_tail(stderr, c.log_path);
		fprintf(stderr, "slabstress: internal error: %s\n", c.internal);
		ss_fuzz_campaign_destroy(&c);
		return SS_EXIT_INTERNAL;
	}
	printf("merged: %zu input%s in from %d director%s; %s holds %zu input%s (%zu before, %zu "
	       "new) in %.1f s%s\n",
	       n.inputs, n.inputs == 1 ? "" : "s", o->ndirs, o->ndirs == 1 ? "y" : "ies",
	       o->merge_out, n.out_after, n.out_after == 1 ? "" : "s", n.out_before,
	       n.out_after > n.out_before ? n.out_after - n.out_before : 0, c.elapsed,
	       ss_interrupted ? " (interrupted)" : "");
	ss_fuzz_campaign_destroy(&c);
	return SS_EXIT_CLEAN;
}

/* Inputs of the corpus the race check runs at most. */
#define FUZZ_RACE_MAX_INPUTS 20000

/* The first race as a data-race reproducer: a graph is replayed first (the
 * reproducer is made from the emulator that re-created it). */
static void save_race(const struct ss_fuzz_campaign *c, const struct ss_races *r)
{
	const struct emu_config *ec = &c->cfg.target.ec;
	char err[512] = "", path[4400];
	struct emu *e = NULL;
	struct emu_result res;
	bool consistent;
	if (r->graph)
		gexplore_replay(ec, r->v[0].sched, r->v[0].len, &res, &consistent, &e, err,
				sizeof(err));
	else
		e = emu_create(ec, err, sizeof(err));
	if (e)
		ss_emu_name_regions(e);
	memset(&res, 0, sizeof(res));
	ss_race_failure(&r->v[0], &res.fail);
	res.kind = SS_FAIL_DATA_RACE;
	res.nfail = 1;
	if (e && ss_save_failure(c->cfg.save, e, &res, r->v[0].sched, r->v[0].len, path,
				 sizeof(path), err, sizeof(err)) == 0)
		printf("  saved the race reproducer as %s\n", path);
	else
		fprintf(stderr, "slabstress: cannot save the race reproducer: %s\n", err);
	if (r->graph)
		gexplore_free_emu(e);
	else
		emu_destroy(e);
}

/* --races after the campaign: the corpus run again with the candidates noted,
 * each confirmed by the exact check (--engine graph: the corpus run again as
 * graphs, each consistent one's races decided on it).  Returns 1 when a race
 * counts as a failure (--races fail), else 0; adds "data_races" to doc (may be
 * NULL). */
static int check_races(const struct ss_fuzz_campaign *c, enum ss_races_mode mode, bool quiet,
		       json_t *doc)
{
	struct ss_races r;
	size_t nfiles = 0;
	char err[512] = "";
	const struct emu_config *ec = &c->cfg.target.ec;
	int rc = c->cfg.target.graph
		     ? ss_races_check_graph_dir(ec, c->corpus, FUZZ_RACE_MAX_INPUTS, &r, &nfiles,
						err, sizeof(err))
		     : ss_races_check_dir(ec, c->corpus, FUZZ_RACE_MAX_INPUTS, lit_race_judge, &r,
					  &nfiles, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "slabstress: race check skipped: %s\n", err);
		return 0;
	}
	if (!quiet || mode == SS_RACES_FAIL)
		ss_races_print(stdout, &r);
	bool failed = mode == SS_RACES_FAIL && r.n;
	if (failed)
		printf("FAILED: %zu data race%s (--races fail) in %zu corpus input%s\n", r.n,
		       r.n == 1 ? "" : "s", nfiles, nfiles == 1 ? "" : "s");
	if (failed && c->cfg.save)
		save_race(c, &r);
	if (doc) {
		json_object_set_new(doc, "races", json_string(ss_races_name(mode)));
		json_object_set_new(doc, "data_races", ss_races_json(&r));
	}
	ss_races_free(&r);
	return failed;
}

int cmd_fuzz(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], SS_FUZZ_WORKER_ARG))
		return ss_fuzz_worker_main(argc, argv);
	char **pass;
	int npass, ours = split_libfuzzer_args(argc, argv, &pass, &npass);
	struct fuzz_cli o;
	memset(&o, 0, sizeof(o));
	cli_scenario_defaults(&o.sc);
	struct argp argp = {options, parse, 0, doc, children, 0, 0};
	char **our_argv = calloc((size_t)ours + 1, sizeof(char *));
	if (!our_argv)
		cli_internal_error("out of memory");
	memcpy(our_argv, argv, (size_t)ours * sizeof(char *));
	o.dirs = calloc((size_t)ours + 1, sizeof(char *));
	if (!o.dirs)
		cli_internal_error("out of memory");
	cli_parse(&argp, ours, our_argv, &o);
	if (o.ndirs && !o.merge_out)
		cli_usage_error("fuzz: unexpected argument '%s' (libFuzzer flags go after --; "
				"corpus directories with --merge OUT)",
				o.dirs[0]);
	cli_scenario_finish(&o.sc, true);
	if (o.merge_out)
		check_merge_dirs(&o);
	struct ss_fuzz_campaign_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	configure(&cfg, &o, pass, npass);
	if (o.merge_out) {
		int ret = run_merge(&o, &cfg);
		free(o.dirs);
		free(our_argv);
		return ret;
	}
	/* --engine graph: asked for, as explore's (a whole check per graph) */
	enum ss_races_mode races = cli_parse_races(o.races_arg);
	struct ss_fuzz_campaign c;
	char err[4400] = "";
	ss_install_sigint(); /* before the work directory exists: a stop removes it */
	int rc = ss_fuzz_campaign_prepare(&c, &cfg, err, sizeof(err));
	if (rc == SS_FUZZ_SUP_USAGE)
		cli_usage_error("%s", err);
	if (rc)
		cli_internal_error("%s", err);
	if (!o.quiet)
		print_header(&c.cfg);
	signal(SIGPIPE, SIG_IGN);
	bool progress = !o.no_progress && !o.quiet && cli_stderr_is_tty();
	c.hooks = (struct ss_fuzz_hooks){progress ? show_status : NULL, show_warning, NULL};
	rc = ss_fuzz_campaign_run(&c);
	if (rc == 0 || c.log_worth_showing)
		clear_status(progress);
	if (c.log_worth_showing)
		ss_fuzz_log_tail(stderr, c.log_path);
	ss_fuzz_campaign_finish(&c);
	if (rc != 0) {
		fprintf(stderr, "slabstress: internal error: %s\n", c.internal);
		ss_fuzz_campaign_destroy(&c);
		free(o.dirs);
		free(our_argv);
		return SS_EXIT_INTERNAL;
	}
	print_result(&c, o.quiet);
	int ret = c.nu ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
	json_t *doc = o.json_path ? ss_fuzz_campaign_doc(&c, cli_argc, cli_argv) : NULL;
	if (races != SS_RACES_IGNORE && check_races(&c, races, o.quiet, doc))
		ret = SS_EXIT_FOUND;
	if (doc) {
		if (res_write_atomic(doc, o.json_path, err, sizeof(err)) != 0) {
			fprintf(stderr, "slabstress: %s\n", err);
			ret = SS_EXIT_INTERNAL;
		}
		json_decref(doc);
	}
	ss_fuzz_campaign_destroy(&c);
	free(o.dirs);
	free(our_argv);
	return ret;
}
