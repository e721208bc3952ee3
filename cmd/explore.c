/* cmd/explore.c - `slabstress explore`: a scenario in the weak-memory emulator
 * under many schedules; stops at the first failing schedule (unless
 * --keep-going), prints its schedule bytes and interleaving, writes JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/emu.h"
#include "engine/engine.h"
#include "engine/explore.h"
#include "results/json.h"

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
};

struct explore_cli {
	struct cli_scenario_opts sc;
	const char *model_arg, *strategy_arg, *json_path;
	unsigned long long executions;
	double duration, stale_prob;
	unsigned long max_steps, iters;
	int keep_going, no_progress, quiet, full_trace, stale_set;
};

static const struct argp_option options[] = {
	{0, 0, 0, 0, "Emulation:", 3},
	{"model", OPT_MODEL, "M", 0, "memory model: sc, tso, lkmm (default: lkmm)", 3},
	{"strategy", OPT_STRATEGY, "S", 0, "exploration strategy: random (default: random)", 3},
	{"executions", OPT_EXECUTIONS, "N", 0,
	 "stop after N executions (default: 100000, or unlimited with --duration)", 3},
	{"duration", OPT_DURATION, "T", 0,
	 "stop after T (10, 10s, 500ms, 2m; default: none, --executions bounds the run)", 3},
	{"stale-prob", OPT_STALE_PROB, "P", 0,
	 "probability that a memory-model choice is weak: a load reads an older permitted "
	 "value, a store stays buffered (default: 0.3)",
	 3},
	{"max-steps", OPT_MAX_STEPS, "N", 0,
	 "step bound of one execution; beyond it: step-limit failure (default: 200000)", 3},
	{"iters", OPT_ITERS, "N", 0, "handoffs per role per execution (default: 1)", 3},
	{"depth", OPT_DEPTH, "D", OPTION_HIDDEN, "preemption bound (pct/exhaustive only)", 3},
	{0, 0, 0, 0, "Output:", 4},
	{"json", OPT_JSON, "FILE", 0, "write the result as JSON to FILE (- for stdout; default: none)",
	 4},
	{"keep-going", OPT_KEEP_GOING, 0, 0,
	 "keep exploring after a failing execution (default: stop at the first)", 4},
	{"full-trace", OPT_FULL_TRACE, 0, 0,
	 "print every step of the failing execution (default: the interesting ones)", 4},
	{"no-progress", OPT_NO_PROGRESS, 0, 0,
	 "no live progress line (default: shown when stderr is a terminal)", 4},
	{"quiet", 'q', 0, 0, "print only the verdict and the failure (default: full summary)", 4},
	{0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct explore_cli *o = state->input;
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &o->sc; break;
	case OPT_MODEL: o->model_arg = arg; break;
	case OPT_STRATEGY: o->strategy_arg = arg; break;
	case OPT_EXECUTIONS:
		o->executions = cli_parse_ull("--executions", arg, 1, 1ULL << 50);
		break;
	case OPT_DURATION: o->duration = cli_parse_duration("--duration", arg); break;
	case OPT_STALE_PROB: {
		char *end;
		double v = strtod(arg, &end);
		if (!*arg || *end || !(v >= 0 && v <= 1))
			cli_usage_error("cannot parse --stale-prob '%s': expected a probability from 0 "
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
	case OPT_DEPTH: (void)cli_parse_ull("--depth", arg, 0, 1000); break;
	case OPT_JSON: o->json_path = arg; break;
	case OPT_KEEP_GOING: o->keep_going = 1; break;
	case OPT_FULL_TRACE: o->full_trace = 1; break;
	case OPT_NO_PROGRESS: o->no_progress = 1; break;
	case 'q': o->quiet = 1; break;
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
	"  slabstress explore -s SCENARIO [--variant V] [--model sc|tso|lkmm] [--strategy random]\n"
	"                     [--executions N | --duration T] [--seed N] [--stale-prob P]\n"
	"                     [--keep-going] [--json FILE] [slab knobs]\n\n"
	"Examples:\n"
	"  slabstress explore -s lazy-objexts --variant rc1 --model lkmm\n"
	"  slabstress explore -s lazy-objexts --variant wmb-rmb --model lkmm --duration 10s\n"
	"  slabstress explore -s once --variant fixed --model tso --executions 20000 --json out.json\n\n"
	"Exit status: 0 no failure, 1 a failing schedule was found, 2 bad input, 3 internal "
	"error.";

static const struct argp_child children[] = {{&cli_scenario_argp, 0, 0, 0}, {0}};

static void progress_line(void *ctx, unsigned long long execs, unsigned long long failed,
			  double elapsed)
{
	(void)ctx;
	fprintf(stderr, "\r  %llu executions, %.0f exec/s, %llu failing   ", execs,
		elapsed > 0 ? execs / elapsed : 0.0, failed);
	fflush(stderr);
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

int cmd_explore(int argc, char **argv)
{
	struct explore_cli o;
	memset(&o, 0, sizeof(o));
	cli_scenario_defaults(&o.sc);
	struct argp argp = {options, parse, 0, doc, children, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	cli_scenario_finish(&o.sc, true);

	enum wmm_model model = WMM_LKMM;
	if (o.model_arg && wmm_model_parse(o.model_arg, &model) != 0)
		cli_usage_error("unknown --model '%s': expected one of sc, tso, lkmm", o.model_arg);
	if (o.strategy_arg && strcmp(o.strategy_arg, "random")) {
		if (!strcmp(o.strategy_arg, "pct") || !strcmp(o.strategy_arg, "exhaustive"))
			cli_usage_error("--strategy '%s' is not available yet: expected random",
					o.strategy_arg);
		cli_usage_error("unknown --strategy '%s': expected random", o.strategy_arg);
	}
	if (o.executions && o.duration > 0)
		cli_usage_error("--executions and --duration both given: expected one of them");
	cli_check_output_path("--json", o.json_path);

	struct emu_config ec;
	memset(&ec, 0, sizeof(ec));
	ec.scn = o.sc.scn;
	ec.alloc = o.sc.alloc;
	ec.acfg = o.sc.acfg;
	ec.model = model;
	ec.iters = o.iters ? o.iters : 1;
	ec.seed = o.sc.seed;
	ec.max_steps = o.max_steps ? o.max_steps : 200000;

	struct explore_opts xo;
	memset(&xo, 0, sizeof(xo));
	xo.seed = o.sc.seed;
	xo.duration = o.duration;
	xo.max_execs = o.executions ? o.executions : o.duration > 0 ? 0 : 100000;
	xo.stale_prob = o.stale_set ? o.stale_prob : 0.3;
	xo.keep_going = o.keep_going;
	bool progress = !o.no_progress && !o.quiet && cli_stderr_is_tty();
	if (progress)
		xo.progress = progress_line;

	const struct ss_alloc_config *a = &ec.acfg;
	if (!o.quiet) {
		printf("slabstress explore: scenario %s, variant %s, alloc %s, model %s, strategy "
		       "random, seed %llu\n",
		       ec.scn->name, ss_variant_name(a->variant), ec.alloc->name,
		       wmm_model_name(model), xo.seed);
		printf("  slab: stride-bits %u, objext %s, object-size %zu, page-size %zu, account %s\n",
		       a->stride_bits, ss_objext_name(a->objext), a->object_size, a->page_size,
		       a->account ? "SLAB_ACCOUNT" : "__GFP_ACCOUNT only");
		if (xo.max_execs)
			printf("  %d virtual CPUs, %llu executions of %lu handoff%s, stale-prob %.2f, "
			       "max-steps %lu\n",
			       ec.scn->nroles, xo.max_execs, ec.iters, ec.iters == 1 ? "" : "s",
			       xo.stale_prob, ec.max_steps);
		else
			printf("  %d virtual CPUs, %.1f s of executions of %lu handoff%s, stale-prob "
			       "%.2f, max-steps %lu\n",
			       ec.scn->nroles, xo.duration, ec.iters, ec.iters == 1 ? "" : "s",
			       xo.stale_prob, ec.max_steps);
		fflush(stdout);
	}

	char err[256] = "";
	struct emu *e = emu_create(&ec, err, sizeof(err));
	if (!e)
		cli_internal_error("%s", err);
	struct explore_stats *st = calloc(1, sizeof(*st));
	if (!st)
		cli_internal_error("out of memory");
	ss_install_sigint();
	int rc = explore_random(e, &xo, st);
	if (progress)
		fprintf(stderr, "\r%*s\r", 60, "");
	if (rc != 0) {
		fprintf(stderr, "slabstress: internal error: %s\n", st->error);
		explore_stats_free(st);
		emu_destroy(e);
		free(st);
		return SS_EXIT_INTERNAL;
	}

	double eps = st->elapsed > 0 ? st->executions / st->elapsed : 0;
	double aps = st->elapsed > 0 ? st->accesses / st->elapsed : 0;
	if (!o.quiet)
		printf("  %llu executions in %.2f s = %.0f exec/s, %.2f M accesses/s, %llu stale "
		       "reads%s\n",
		       st->executions, st->elapsed, eps, aps / 1e6, st->stale_reads,
		       st->interrupted ? " (interrupted)" : "");

	char *hex = NULL;
	if (st->found) {
		hex = malloc(2 * st->first_len + 1);
		if (hex)
			emu_hex(hex, st->first_sched, st->first_len);
		printf("FAILED: %llu failing execution%s (", st->failed_execs,
		       st->failed_execs == 1 ? "" : "s");
		print_kinds(&st->log);
		printf(")\n");
		const struct ss_failure *f = &st->first.fail;
		printf("first failure: execution %llu, step %lu: %s on CPU %d at %s:%d (%s): %s\n",
		       st->first_exec, st->first.fail_step, ss_fail_kind_name(f->kind), f->cpu,
		       f->site ? f->site->file : "?", f->site ? f->site->line : 0,
		       f->site && f->site->func ? f->site->func : "?", f->msg);
		printf("schedule (%zu bytes): %s\n", st->first_len, hex ? hex : "?");
		if (!st->replay_ok)
			printf("warning: replaying the schedule gave %s at step %lu, not the same "
			       "failure (nondeterminism: please report)\n",
			       ss_fail_kind_name(st->replay.kind), st->replay.fail_step);
		printf("\n");
		emu_print_trace(stdout, e, &st->replay, o.full_trace);
	} else {
		printf("clean: no failure in %llu executions under %s\n", st->executions,
		       wmm_model_name(model));
	}

	if (o.json_path) {
		json_t *doc = res_doc_new("explore", cli_argc, cli_argv);
		json_object_set_new(
			doc, "parameters",
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:f, s:f, "
				  "s:I, s:I, s:b, s:b}",
				  "scenario", ec.scn->name, "variant", ss_variant_name(a->variant),
				  "alloc", ec.alloc->name, "model", wmm_model_name(model), "strategy",
				  "random", "stride_bits", a->stride_bits, "objext",
				  ss_objext_name(a->objext), "object_size", (json_int_t)a->object_size,
				  "page_size", (json_int_t)a->page_size, "seed", (json_int_t)xo.seed,
				  "executions", (json_int_t)xo.max_execs, "duration", xo.duration,
				  "stale_prob", xo.stale_prob, "max_steps", (json_int_t)ec.max_steps,
				  "iters", (json_int_t)ec.iters, "keep_going", xo.keep_going,
				  "account", a->account));
		json_object_set_new(doc, "engine", json_string("emu"));
		json_object_set_new(doc, "counters",
				    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "executions",
					      (json_int_t)st->executions, "failing_executions",
					      (json_int_t)st->failed_execs, "steps",
					      (json_int_t)st->steps, "accesses",
					      (json_int_t)st->accesses, "stale_reads",
					      (json_int_t)st->stale_reads, "preemptions",
					      (json_int_t)st->preemptions));
		json_object_set_new(doc, "timing",
				    json_pack("{s:f, s:f, s:f}", "elapsed_s", st->elapsed,
					      "executions_per_s", eps, "accesses_per_s", aps));
		json_object_set_new(doc, "interrupted", json_boolean(st->interrupted));
		json_object_set_new(doc, "failures", res_failure_log_json(&st->log));
		if (st->found) {
			json_t *ff = res_failure_json(&st->first.fail);
			json_object_set_new(ff, "execution", json_integer((json_int_t)st->first_exec));
			json_object_set_new(ff, "step", json_integer((json_int_t)st->first.fail_step));
			json_object_set_new(ff, "schedule", json_string(hex ? hex : ""));
			json_object_set_new(ff, "replay_ok", json_boolean(st->replay_ok));
			json_object_set_new(doc, "first_failure", ff);
		}
		json_object_set_new(doc, "verdict", json_string(st->found ? "failed" : "clean"));
		if (res_write_atomic(doc, o.json_path, err, sizeof(err)) != 0) {
			json_decref(doc);
			cli_usage_error("%s", err);
		}
		json_decref(doc);
	}
	int ret = st->found ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
	free(hex);
	explore_stats_free(st);
	free(st);
	emu_destroy(e);
	return ret;
}
