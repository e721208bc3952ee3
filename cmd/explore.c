/* cmd/explore.c - `slabstress explore`: a scenario in the weak-memory emulator
 * under many schedules; stops at the first failing schedule (unless
 * --keep-going), prints its schedule bytes and interleaving, writes JSON.
 * The options are parsed and the report printed here; the run itself is
 * fuzz/campaign.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "fuzz/campaign.h"
#include "fuzz/repro_emu.h"
#include "litmus/race_check.h"
#include "results/json.h"
#include "results/stop.h"

enum {
	OPT_MODEL = 0x2000,
	OPT_STRATEGY,
	OPT_EXECUTIONS,
	OPT_DURATION,
	OPT_JSON,
	OPT_KEEP_GOING,
	OPT_STALE_PROB,
	OPT_MAX_STEPS,
	OPT_ITERS,
	OPT_NO_PROGRESS,
	OPT_FULL_TRACE,
	OPT_DEPTH,
	OPT_HISTORY,
	OPT_PREEMPTIONS,
	OPT_STALENESS,
	OPT_SAVE,
	OPT_NO_EXPLAIN,
	OPT_DEPS,
	OPT_RACES,
	OPT_ENGINE,
	OPT_RESUME,
	OPT_JOBS,
};

struct explore_cli {
	struct cli_scenario_opts sc;
	const char *model_arg, *strategy_arg, *json_path, *engine_arg;
	unsigned long long executions;
	double duration, stale_prob;
	unsigned long max_steps, iters;
	int keep_going, no_progress, quiet, full_trace, stale_set, no_explain;
	unsigned depth, history, preemptions, staleness;
	int preemptions_set, staleness_set;
	const char *save_dir;
	int deps;
	const char *races_arg;
	const char *resume_path;
	unsigned jobs; /* --jobs (0: not given) */
};

static const struct argp_option options[] = {
    {0, 0, 0, 0, "Emulation:", 3},
    {"model", OPT_MODEL, "M", 0, "memory model: sc, tso, lkmm (default: lkmm)", 3},
    {"engine", OPT_ENGINE, "E", 0,
     "lkvm (the operational model: schedules and a strategy) or graph (execution graphs, "
     "each checked against the model's axioms: every one with --strategy exhaustive, the "
     "default there, a proof when the search completes; random ones with --strategy random, "
     "PCT's CPU order with --strategy pct) "
     "(default: lkvm, whose clean under lkmm is then checked on every execution graph for at "
     "most 1 s; --engine lkvm given: LKVM alone)",
     3},
    {"strategy", OPT_STRATEGY, "S", 0,
     "exploration strategy: random, pct (priorities with d-1 change points), exhaustive "
     "(bounded depth-first search; a verification result within its bounds) (default: random)",
     3},
    {"executions", OPT_EXECUTIONS, "N", 0,
     "stop after N executions (default: 100000; exhaustive: 2000000, a safety net, the "
     "bounds end the search; unlimited with --duration)",
     3},
    {"duration", OPT_DURATION, "T", 0,
     "stop after T (10, 10s, 500ms, 2m; default: none, --executions bounds the run)", 3},
    {"stale-prob", OPT_STALE_PROB, "P", 0,
     "probability that a memory-model choice is weak: a load reads an older permitted "
     "value, a store stays buffered (default: 0.3)",
     3},
    {"max-steps", OPT_MAX_STEPS, "N", 0,
     "step bound of one execution; beyond it: step-limit failure (default: 200000)", 3},
    {"iters", OPT_ITERS, "N", 0, "handoffs per role per execution (default: 1)", 3},
    {"deps", OPT_DEPS, "MODE", 0, CLI_DEPS_HELP, 3},
    {"races", OPT_RACES, "MODE", 0,
     "data races of plain accesses (LKMM, exact check): report (shown, exit status unchanged), "
     "fail (a race is a failure: exit 1, saved with --save) or ignore (not checked) (default: "
     "report; with --engine graph it is decided on every consistent graph; with --resume: "
     "ignore)",
     3},
    {"depth", OPT_DEPTH, "D", 0,
     "pct: bug depth d, d-1 priority change points per execution (default: 3); exhaustive: "
     "the same as --preemptions",
     3},
    {"history", OPT_HISTORY, "H", 0,
     "pct: a load reads one of the H+1 newest permitted values (default: 1)", 3},
    {"preemptions", OPT_PREEMPTIONS, "N", 0,
     "exhaustive: at most N switches away from a CPU that could go on (default: 1)", 3},
    {"staleness", OPT_STALENESS, "N", 0,
     "exhaustive: at most N weak memory-model choices (stale reads, store buffers kept a "
     "step) per execution (default: 1)",
     3},
    {0, 0, 0, 0, "Output:", 4},
    {"json", OPT_JSON, "FILE", 0, "write the result as JSON to FILE (- for stdout; default: none)",
     4},
    {"save", OPT_SAVE, "DIR", 0,
     "save each failing schedule as a reproducer DIR/<scenario>-<variant>-<model>-<kind>-"
     "<hash>.json for `slabstress replay` (default: none)",
     4},
    {"resume", OPT_RESUME, "STATE", 0,
     "--engine graph: go on from STATE when it exists; when the run stops before the "
     "exploration is complete (a signal, --duration, --executions), write the graphs still to "
     "visit and the counts so far to STATE; when it completes, remove STATE (default: none)",
     4},
    {"jobs", OPT_JOBS, "N", 0,
     "--engine graph --strategy exhaustive: once the first graphs are visited, go on in N "
     "forked worker processes, each exploring the graphs that grow from those it takes; the "
     "counts and the verdict are one process's (default: 1; not with --resume)",
     4},
    {"keep-going", OPT_KEEP_GOING, 0, 0,
     "keep exploring after a failing execution (default: stop at the first)", 4},
    {"full-trace", OPT_FULL_TRACE, 0, 0,
     "print every step of the failing execution (default: the interesting ones)", 4},
    {"no-progress", OPT_NO_PROGRESS, 0, 0,
     "no live progress line (default: shown when stderr is a terminal)", 4},
    {"quiet", 'q', 0, 0, "print only the verdict and the failure (default: full summary)", 4},
    {"no-explain", OPT_NO_EXPLAIN, 0, 0,
     "after a failure, skip the attribution (re-runs under sc/tso/lkmm, candidate barriers; "
     "default: explain, unless -q)",
     4},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct explore_cli *o = state->input;
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &o->sc; break;
	case OPT_MODEL: o->model_arg = arg; break;
	case OPT_ENGINE: o->engine_arg = arg; break;
	case OPT_RACES: o->races_arg = arg; break;
	case OPT_STRATEGY: o->strategy_arg = arg; break;
	case OPT_EXECUTIONS:
		o->executions = cli_parse_ull("--executions", arg, 1, 1ULL << 50);
		break;
	case OPT_DURATION: o->duration = cli_parse_duration("--duration", arg); break;
	case OPT_STALE_PROB: {
		char *end;
		double v = strtod(arg, &end);
		if (!*arg || *end || !(v >= 0 && v <= 1))
			cli_usage_error(
			    "cannot parse --stale-prob '%s': expected a probability from 0 "
			    "to 1, like 0.3",
			    arg);
		o->stale_prob = v;
		o->stale_set = 1;
		break;
	}
	case OPT_MAX_STEPS:
		o->max_steps = (unsigned long)cli_parse_ull("--max-steps", arg, 100, 1UL << 26);
		break;
	case OPT_ITERS: o->iters = (unsigned long)cli_parse_ull("--iters", arg, 1, 1 << 20); break;
	case OPT_DEPTH: o->depth = (unsigned)cli_parse_ull("--depth", arg, 1, 16); break;
	case OPT_HISTORY: o->history = (unsigned)cli_parse_ull("--history", arg, 1, 64); break;
	case OPT_PREEMPTIONS:
		o->preemptions = (unsigned)cli_parse_ull("--preemptions", arg, 0, 1000);
		o->preemptions_set = 1;
		break;
	case OPT_STALENESS:
		o->staleness = (unsigned)cli_parse_ull("--staleness", arg, 0, 1000);
		o->staleness_set = 1;
		break;
	case OPT_SAVE: o->save_dir = arg; break;
	case OPT_JSON: o->json_path = arg; break;
	case OPT_RESUME: o->resume_path = arg; break;
	case OPT_JOBS:
		o->jobs = (unsigned)cli_parse_ull("--jobs", arg, 1, GEXPLORE_MAX_JOBS);
		break;
	case OPT_KEEP_GOING: o->keep_going = 1; break;
	case OPT_FULL_TRACE: o->full_trace = 1; break;
	case OPT_NO_PROGRESS: o->no_progress = 1; break;
	case 'q': o->quiet = 1; break;
	case OPT_NO_EXPLAIN: o->no_explain = 1; break;
	case OPT_DEPS: o->deps = cli_parse_deps(arg); break;
	case ARGP_KEY_ARG: cli_usage_error("explore: unexpected argument '%s' (options only)", arg);
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Run a handoff scenario in the deterministic weak-memory emulator: the roles become "
    "virtual CPUs, every kernel access is a scheduling point, and a memory model (sc, "
    "tso, lkmm) decides which value each load may return.  Each execution follows a "
    "schedule (a byte string); the first failing one is printed with its bytes (hex) and "
    "the interleaving, stale reads marked.\v"
    "A failure under sc is not an ordering bug at all; one under lkmm but not tso needs a "
    "reordering x86 never does.\n\n"
    "Usage:\n"
    "  slabstress explore -s SCENARIO [--variant V] [--model sc|tso|lkmm] [--engine lkvm|graph]\n"
    "                     [--strategy random|pct|exhaustive] [--depth D] [--history H]\n"
    "                     [--preemptions N] [--staleness N]\n"
    "                     [--executions N | --duration T] [--seed N] [--stale-prob P]\n"
    "                     [--keep-going] [--save DIR] [--json FILE] [slab knobs]\n"
    "                     [--races report|fail|ignore] [--resume STATE]\n\n"
    "Examples:\n"
    "  slabstress explore -s lazy-objexts --variant rc1 --model lkmm\n"
    "  slabstress explore -s lazy-objexts --variant rc1 --model lkmm --races fail\n"
    "  slabstress explore -s lazy-objexts --variant rc1 --strategy pct --depth 3 --save found/\n"
    "  slabstress explore -s release-acquire --variant fixed --strategy exhaustive\n"
    "  slabstress explore -s lazy-objexts --variant wmb-rmb --engine graph\n"
    "  slabstress explore -s lazy-objexts --variant fixed --engine graph --iters 5 --duration "
    "10s --resume lazy.state\n"
    "  slabstress explore -s lazy-objexts --variant wmb-rmb --model lkmm --duration 10s\n"
    "  slabstress explore -s once --variant fixed --model tso --executions 20000 --json "
    "out.json\n\n"
    "Exit status: 0 no failure, 1 a failure was found (a schedule, a graph, or with --races "
    "fail a data race), 2 bad input, 3 internal error.";

static const struct argp_child children[] = {{&cli_scenario_argp, 0, 0, 0}, {0}};

static void progress_line(void *ctx, unsigned long long execs, unsigned long long failed,
			  double elapsed)
{
	(void)ctx;
	fprintf(stderr, "\r  %llu executions, %.0f exec/s, %llu failing   ", execs,
		elapsed > 0 ? execs / elapsed : 0.0, failed);
	fflush(stderr);
}

/* The options as the campaign's emulator config and explore options. */
static void campaign_setup(struct ss_campaign *c, const struct explore_cli *o)
{
	enum wmm_model model = WMM_LKMM;
	if (o->model_arg && wmm_model_parse(o->model_arg, &model) != 0)
		cli_usage_error("unknown --model '%s': expected one of sc, tso, lkmm",
				o->model_arg);
	c->graph = false;
	if (o->engine_arg && strcmp(o->engine_arg, "lkvm") && strcmp(o->engine_arg, "graph"))
		cli_usage_error("unknown --engine '%s': expected lkvm or graph", o->engine_arg);
	c->graph = o->engine_arg && !strcmp(o->engine_arg, "graph");
	enum explore_strategy strategy = c->graph ? EXPLORE_EXHAUSTIVE : EXPLORE_RANDOM;
	if (o->strategy_arg && explore_strategy_parse(o->strategy_arg, &strategy) != 0)
		cli_usage_error("unknown --strategy '%s': expected one of random, pct, exhaustive",
				o->strategy_arg);
	if (o->executions && o->duration > 0)
		cli_usage_error("--executions and --duration both given: expected one of them");
	struct emu_config *ec = &c->ec;
	ec->scn = o->sc.scn;
	ec->alloc = o->sc.alloc;
	ec->acfg = o->sc.acfg;
	ec->model = model;
	ec->iters = o->iters ? o->iters : 1;
	ec->seed = SS_EMU_WORLD_SEED; /* runs depend on the schedule only (reproducers) */
	ec->max_steps = o->max_steps ? o->max_steps : 200000;
	ec->deps = (enum emu_deps)o->deps;
	struct explore_opts xo;
	memset(&xo, 0, sizeof(xo));
	xo.seed = o->sc.seed;
	xo.duration = o->duration;
	xo.max_execs = o->executions ? o->executions : o->duration > 0 ? 0 : 100000;
	if (strategy == EXPLORE_EXHAUSTIVE && !o->executions && !(o->duration > 0))
		xo.max_execs = 2000000; /* the bounds end the search; this is a safety net */
	xo.strategy = strategy;
	xo.depth = o->depth;
	xo.history = o->history;
	xo.preemptions = o->preemptions_set ? o->preemptions : o->depth;
	xo.zero_preemptions = o->preemptions_set && !o->preemptions;
	xo.staleness = o->staleness;
	xo.zero_staleness = o->staleness_set && !o->staleness;
	xo.stale_prob = o->stale_set ? o->stale_prob : 0.3;
	xo.keep_going = o->keep_going;
	if (!o->no_progress && !o->quiet && cli_stderr_is_tty())
		xo.progress = progress_line;
	c->xo = xo;
	c->save_dir = o->save_dir;
	/* the default engine's clean is checked on the graphs; --engine lkvm: LKVM alone */
	c->graph_check = !o->engine_arg;
	c->explain = !o->quiet && !o->no_explain;
	c->races = cli_parse_races(o->races_arg);
	c->judge = lit_race_judge;
	/* Under --engine graph the check is exact, on every consistent graph (a filter
	 * spares most: engine/gexplore_races.c); a state file keeps no races, so a
	 * resumable search does not check them unless asked (and then refuses). */
	if (c->graph && !o->races_arg && o->resume_path)
		c->races = SS_RACES_IGNORE;
	if (c->graph && c->races != SS_RACES_IGNORE && o->resume_path)
		cli_usage_error("--races %s with --resume: expected ignore (a state file does not "
				"keep the races found)",
				o->races_arg);
	if (o->jobs > 1 && !c->graph)
		cli_usage_error("--jobs %u with the lkvm engine (the default): expected --engine "
				"graph (its exhaustive search is what the workers share)",
				o->jobs);
	if (o->jobs > 1 && strategy != EXPLORE_EXHAUSTIVE)
		cli_usage_error("--jobs %u with --strategy %s: expected exhaustive (random and pct "
				"graphs are one process's)",
				o->jobs, explore_strategy_name(strategy));
	if (o->jobs > 1 && o->resume_path)
		cli_usage_error("--jobs %u with --resume: expected one or the other (a state file "
				"holds one process's stack)",
				o->jobs);
	c->jobs = o->jobs;
	if (c->graph && o->deps == EMU_DEPS_CHECK)
		cli_usage_error("--deps check with --engine graph: expected explicit or provenance "
				"(the check compares lkvm's floors)");
}

static void print_header(const struct ss_campaign *c)
{
	const struct emu_config *ec = &c->ec;
	const struct explore_opts *xo = &c->xo;
	const struct ss_alloc_config *a = &ec->acfg;
	if (c->graph)
		printf("slabstress explore: scenario %s, variant %s, alloc %s, model %s, engine "
		       "graph, deps %s\n",
		       ec->scn->name, ss_variant_name(a->variant), ec->alloc->name,
		       wmm_model_name(ec->model), emu_deps_name(ec->deps));
	else
		printf("slabstress explore: scenario %s, variant %s, alloc %s, model %s, "
		       "strategy %s, seed %llu, deps %s\n",
		       ec->scn->name, ss_variant_name(a->variant), ec->alloc->name,
		       wmm_model_name(ec->model), explore_strategy_name(xo->strategy), xo->seed,
		       emu_deps_name(ec->deps));
	printf("  slab: stride-bits %u, objext %s, object-size %zu, page-size %zu, account "
	       "%s\n",
	       a->stride_bits, ss_objext_name(a->objext), a->object_size, a->page_size,
	       a->account ? "SLAB_ACCOUNT" : "__GFP_ACCOUNT only");
	cli_print_switches(a);
	const char *handoffs = ec->iters == 1 ? "" : "s";
	if (c->graph && xo->strategy == EXPLORE_RANDOM) {
		printf(
		    "  %d virtual CPUs, %lu handoff%s, random execution graphs (%llu, seed %llu), "
		    "max-steps %lu\n",
		    ec->scn->nroles, ec->iters, handoffs, xo->max_execs, xo->seed, ec->max_steps);
		fflush(stdout);
		return;
	}
	if (c->graph && xo->strategy == EXPLORE_PCT) {
		printf("  %d virtual CPUs, %lu handoff%s, pct execution graphs (%llu, depth %u, "
		       "seed %llu), max-steps %lu\n",
		       ec->scn->nroles, ec->iters, handoffs, xo->max_execs,
		       xo->depth ? xo->depth : 3, xo->seed, ec->max_steps);
		fflush(stdout);
		return;
	}
	if (c->graph) {
		char most[48] = "no limit";
		if (xo->max_execs)
			snprintf(most, sizeof(most), "at most %llu", xo->max_execs);
		char jobs[40] = "";
		if (c->jobs > 1)
			snprintf(jobs, sizeof(jobs), ", %u worker processes", c->jobs);
		printf("  %d virtual CPUs, %lu handoff%s, every execution graph (%s%s), "
		       "max-steps %lu\n",
		       ec->scn->nroles, ec->iters, handoffs, most, jobs, ec->max_steps);
		fflush(stdout);
		return;
	}
	if (xo->max_execs)
		printf("  %d virtual CPUs, %llu executions of %lu handoff%s, stale-prob %.2f, "
		       "max-steps %lu\n",
		       ec->scn->nroles, xo->max_execs, ec->iters, handoffs, xo->stale_prob,
		       ec->max_steps);
	else
		printf("  %d virtual CPUs, %.1f s of executions of %lu handoff%s, stale-prob "
		       "%.2f, max-steps %lu\n",
		       ec->scn->nroles, xo->duration, ec->iters, handoffs, xo->stale_prob,
		       ec->max_steps);
	fflush(stdout);
}

static void print_exhaustive(const struct ss_campaign *c)
{
	const struct explore_stats *st = &c->st;
	if (st->complete && !st->bound_hit)
		printf("  exhaustive: complete: every execution explored (no bound was reached; "
		       "history %d messages per location, step bound %lu)\n",
		       4, c->ec.max_steps);
	else if (st->complete)
		printf("  exhaustive: complete within bounds (preemptions <= %u, weak choices "
		       "<= %u): a verification result for those bounds, not a sample\n",
		       st->bound_p, st->bound_s);
	else
		printf("  exhaustive: %s before the search ended: a partial search, not a "
		       "verification result (bounds: preemptions <= %u, weak choices <= %u)\n",
		       st->interrupted ? "interrupted" : "budget exhausted", st->bound_p,
		       st->bound_s);
}

/* --resume: what became of the state file. */
static void print_resume_state(const struct ss_campaign *c)
{
	const struct gexplore_stats *g = &c->gst;
	if (g->state_saved)
		printf("  state: %zu graph%s still to visit saved in %s (the same command goes on "
		       "from them)\n",
		       g->state_graphs, g->state_graphs == 1 ? "" : "s", c->resume_path);
	else if (c->resume_path && g->state_removed)
		printf("  state: the exploration is complete, %s removed\n", c->resume_path);
}

/* --resume: only --engine graph's exhaustive exploration has a stack to save;
 * a state file that exists must be one for this run (else exit 2, before
 * anything is printed).  Returns what to print under the header ("" none). */
static const char *resume_setup(struct ss_campaign *c, const struct explore_cli *o)
{
	static char line[4400];
	line[0] = 0;
	if (!o->resume_path)
		return line;
	if (!c->graph)
		cli_usage_error("--resume with --engine lkvm: expected --engine graph (its "
				"exploration is what a state file saves)");
	if (c->xo.strategy != EXPLORE_EXHAUSTIVE)
		cli_usage_error("--resume with --strategy %s: expected exhaustive (random graphs "
				"leave nothing to go on from)",
				explore_strategy_name(c->xo.strategy));
	cli_check_output_path("--resume", o->resume_path);
	unsigned long long graphs, before, resumed;
	char err[300];
	if (gexplore_resume_check(&c->ec, o->resume_path, &graphs, &before, &resumed, err,
				  sizeof(err)) < 0)
		cli_usage_error("--resume %s: %s", o->resume_path, err);
	c->resume_path = o->resume_path;
	if (before)
		snprintf(line, sizeof(line),
			 "  resuming from %s: %llu graphs visited in %llu run%s before, %llu "
			 "still to visit\n",
			 o->resume_path, before, resumed + 1, resumed ? "s" : "", graphs);
	return line;
}

/* --engine graph: what was covered, and what it proves. */
static void print_graph(const struct ss_campaign *c, bool quiet)
{
	const struct gexplore_stats *g = &c->gst;
	const char *model = wmm_model_name(c->ec.model);
	if (!quiet) {
		printf("  %llu graphs in %.2f s = %.0f graphs/s: %llu consistent under %s (%llu "
		       "distinct), %llu refused by %s as soon as built, %llu inconsistent at the "
		       "end, %llu blocked (a spin loop or lock cut: its value comes in another "
		       "graph), %llu cut "
		       "at an atomicity violation; most events in a graph: %d\n",
		       g->executions, g->elapsed, g->elapsed > 0 ? g->executions / g->elapsed : 0,
		       g->consistent, model, g->distinct, g->refused, model, g->inconsistent,
		       g->blocked, g->pruned, g->max_events);
		if (c->xo.strategy == EXPLORE_PCT)
			printf("  pct over graphs: n=%u CPUs, d=%u: %u change points per execution "
			       "among its first k=%lu steps; h=%u: a load reads one of the h+1 "
			       "co-latest writes it may, a store takes one of the h+1 last co "
			       "places\n",
			       g->pct_n, g->pct_d, g->pct_d - 1, g->pct_k, g->pct_h);
		if (g->diverged || g->full || g->too_big || g->overflowed)
			printf(
			    "  not covered: %llu graphs the scenario did not re-create, %llu over "
			    "the event bound, %llu too big for the checker%s\n",
			    g->diverged, g->full, g->too_big,
			    g->overflowed
				? ", graphs dropped (out of memory, or more reads a write "
				  "could revisit at once than load buffering's bound)"
				: "");
	}
	if (c->nsaved)
		printf("  saved %lu reproducer%s under %s/ (first: %s)\n", c->nsaved,
		       c->nsaved == 1 ? "" : "s", c->save_dir, c->first_saved);
	print_resume_state(c);
	if (g->found)
		return;
	char resumed[160] = "";
	if (g->resumed)
		snprintf(resumed, sizeof(resumed), " (resumed %llu time%s)", g->resumed,
			 g->resumed == 1 ? "" : "s");
	if (g->complete && g->failed)
		printf("complete: %llu failing graph%s found before a resume, reported then (not "
		       "a proof)%s\n",
		       g->failed, g->failed == 1 ? "" : "s", resumed);
	else if (g->complete)
		printf("proof: all %llu consistent executions under %s explored, no failure (%lu "
		       "handoff%s per role; spin loops cut when they re-read a value; %s)%s\n",
		       g->distinct, model, c->ec.iters, c->ec.iters == 1 ? "" : "s",
		       c->ec.scn->branches_declared
			   ? "load buffering included: a store depends on the loads of its CPU "
			     "before its last declared branch (BRANCH_ON), inside opaque code "
			     "(the allocator) on all of them"
			   : "executions where po | rf is acyclic and every load orders the later "
			     "stores of its CPU",
		       resumed);
	else
		printf("clean: no failure in %llu graphs under %s (%s: not a proof)\n",
		       g->executions, model, ss_campaign_graph_result(c));
}

/* Throughput, the strategy's own lines, reproducers saved. */
static void print_summary(const struct ss_campaign *c, bool quiet)
{
	const struct explore_stats *st = &c->st;
	if (c->graph) {
		print_graph(c, quiet);
		return;
	}
	enum explore_strategy strategy = c->xo.strategy;
	double eps = st->elapsed > 0 ? st->executions / st->elapsed : 0;
	double aps = st->elapsed > 0 ? st->accesses / st->elapsed : 0;
	if (!quiet)
		printf("  %llu executions in %.2f s = %.0f exec/s, %.2f M accesses/s, %llu stale "
		       "reads%s\n",
		       st->executions, st->elapsed, eps, aps / 1e6, st->stale_reads,
		       st->interrupted ? " (interrupted)" : "");
	if (!quiet && strategy == EXPLORE_PCT)
		printf("  pct: n=%u CPUs, k=%lu steps, d=%u, h=%u: one execution finds a depth-%u "
		       "bug with probability >= 1/(n*k^(d-1)) = %.3g (scheduling; each stale read "
		       "it needs adds a factor 1/(h+1))\n",
		       st->pct_n, st->pct_k, st->pct_d, st->pct_h, st->pct_d, st->pct_bound);
	if (strategy == EXPLORE_EXHAUSTIVE && !st->found)
		print_exhaustive(c);
	if (c->nsaved)
		printf("  saved %lu reproducer%s under %s/ (first: %s)\n", c->nsaved,
		       c->nsaved == 1 ? "" : "s", c->save_dir, c->first_saved);
}

static void print_kinds(const struct ss_failure_log *log)
{
	const char *sep = "";
	for (int k = 1; k < SS_FAIL_NKINDS; k++)
		if (log->by_kind[k]) {
			printf("%s%s %llu", sep, ss_fail_kind_name(k), log->by_kind[k]);
			sep = ", ";
		}
}

static void print_failure(const struct ss_campaign *c, bool full_trace)
{
	const struct explore_stats *st = &c->st;
	const char *model = wmm_model_name(c->ec.model), *deps = emu_deps_name(c->ec.deps);
	printf("FAILED: %llu failing execution%s (", st->failed_execs,
	       st->failed_execs == 1 ? "" : "s");
	print_kinds(&st->log);
	printf(") under %s, %s dependencies\n", model, deps);
	const struct ss_failure *f = &st->first.fail;
	char nmsg[300];
	emu_name_message(c->e, f->msg, nmsg, sizeof(nmsg));
	printf("first failure: execution %llu, step %lu: %s on CPU %d at %s:%d (%s): %s\n",
	       st->first_exec, st->first.fail_step, ss_fail_kind_name(f->kind), f->cpu,
	       f->site ? f->site->file : "?", f->site ? f->site->line : 0,
	       f->site && f->site->func ? f->site->func : "?", nmsg);
	if (c->graph)
		printf("graph: %zu bytes, in the reproducer%s\n", st->first_len,
		       c->nsaved ? "" : " (--save DIR writes it)");
	else
		printf("schedule (%zu bytes): %s\n", st->first_len,
		       c->schedule_hex ? c->schedule_hex : "?");
	if (!st->replay_ok)
		printf("warning: replaying the schedule gave %s at step %lu, not the same "
		       "failure (nondeterminism: please report)\n",
		       ss_fail_kind_name(st->replay.kind), st->replay.fail_step);
	printf("\n");
	emu_print_trace(stdout, c->e, &st->replay, full_trace);
	if (c->attributed) {
		printf("\n");
		ss_attribution_print(stdout, &c->at);
	}
}

/* The data races after the verdict (-q: only with --races fail). */
static void print_races(const struct ss_campaign *c, bool quiet)
{
	if (!c->races_checked || (quiet && c->races != SS_RACES_FAIL))
		return;
	ss_races_print(stdout, &c->race_list);
	if (c->races == SS_RACES_FAIL && c->race_list.n)
		printf("FAILED: %zu data race%s (--races fail) under %s\n", c->race_list.n,
		       c->race_list.n == 1 ? "" : "s", wmm_model_name(c->ec.model));
	if (c->race_saved[0])
		printf("  saved the race reproducer as %s\n", c->race_saved);
}

/* After a clean LKVM search under lkmm: what every execution graph says. */
static void print_graph_check(const struct ss_campaign *c, bool quiet)
{
	const struct ss_graph_check *k = &c->gcheck;
	if (!k->ran || (quiet && !k->found))
		return;
	if (k->found) {
		char at[300];
		const struct ss_failure *f = &k->first.fail;
		snprintf(at, sizeof(at), "%s:%d", f->site && f->site->file ? f->site->file : "?",
			 f->site ? f->site->line : 0);
		printf("FAILED under lkmm on the execution graphs: %s on CPU %d at %s (%s) in an "
		       "execution LKVM cannot produce (load buffering, a non-multicopy-atomic "
		       "one, or another freedom of linux-kernel.cat), %llu graphs in; explore "
		       "--engine graph "
		       "shows its trace\n",
		       ss_fail_kind_name(k->first.kind), f->cpu, at, f->msg, k->graphs);
		if (c->first_saved[0])
			printf("  saved its graph reproducer as %s\n", c->first_saved);
	} else if (k->complete) {
		printf("proof: every execution graph under lkmm has no failure (%llu graphs, "
		       "--engine graph; LKVM's clean alone is no proof)\n",
		       k->graphs);
	} else {
		printf("not a proof: the execution graphs were not all visited in %.0f s "
		       "(explore --engine graph proves or refutes it)\n",
		       SS_CAMPAIGN_GRAPH_CHECK_SECONDS);
	}
}

static void write_json(const struct ss_campaign *c, const char *path)
{
	char err[256];
	json_t *doc = ss_campaign_json(c, cli_argc, cli_argv);
	if (res_write_atomic(doc, path, err, sizeof(err)) != 0) {
		json_decref(doc);
		cli_usage_error("%s", err);
	}
	json_decref(doc);
}

int cmd_explore(int argc, char **argv)
{
	struct explore_cli o;
	memset(&o, 0, sizeof(o));
	cli_scenario_defaults(&o.sc);
	struct argp argp = {options, parse, 0, doc, children, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	cli_scenario_finish(&o.sc, true);
	static struct ss_campaign c;
	campaign_setup(&c, &o);
	cli_check_output_path("--json", o.json_path);
	cli_check_output_dir("--save", o.save_dir);
	cli_json_stdout(o.json_path);
	const char *resuming = resume_setup(&c, &o);
	if (!o.quiet) {
		print_header(&c);
		fputs(resuming, stdout);
	}

	char err[256] = "";
	ss_install_sigint();
	int rc = ss_campaign_run(&c, err, sizeof(err));
	if (rc != 0)
		cli_internal_error("%s", err);
	if (c.save_error[0])
		fprintf(stderr, "slabstress: %s\n", c.save_error);
	if (c.xo.progress)
		fprintf(stderr, "\r%*s\r", 60, "");
	print_summary(&c, o.quiet);
	if (c.st.found)
		print_failure(&c, o.full_trace);
	else if (!c.graph)
		printf("clean: no failure in %llu executions under %s, %s dependencies\n",
		       c.st.executions, wmm_model_name(c.ec.model), emu_deps_name(c.ec.deps));
	print_graph_check(&c, o.quiet);
	if (c.ec.deps == EMU_DEPS_CHECK)
		emu_print_dep_disagreements(stdout, c.e);
	print_races(&c, o.quiet);
	if (o.json_path)
		write_json(&c, o.json_path);
	int ret = ss_campaign_exit_status(&c);
	ss_campaign_free(&c);
	return ret;
}
