/* cmd/run.c - `slabstress run`: a scenario natively, on real threads pinned to
 * real CPUs; prints a short summary and writes a JSON result.  The run's config and
 * its document are bench/run.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run.h"
#include "cmd/cli.h"
#include "results/json.h"
#include "results/report.h"
#include "scenarios/plugin.h"

enum {
	OPT_CPUS = 0x2000,
	OPT_PIN,
	OPT_ROUNDS,
	OPT_DURATION,
	OPT_ITERS,
	OPT_BATCH,
	OPT_PAIRS,
	OPT_JITTER,
	OPT_JSON,
	OPT_KEEP_GOING,
	OPT_NO_PROGRESS,
	OPT_HISTOGRAM,
	OPT_RTT_MATRIX,
	OPT_REPORT,
};

struct run_opts {
	struct cli_scenario_opts sc;
	const char *cpus_arg, *pin_arg, *json_path, *report_path;
	unsigned long rounds, iters;
	unsigned batch, pairs;
	double duration;
	unsigned jitter;
	int keep_going, no_progress, quiet, histogram, rtt_matrix;
};

static const struct argp_option options[] = {
    {0, 0, 0, 0, "Threads and time:", 3},
    {"cpus", OPT_CPUS, "LIST", 0,
     "CPUs to run the roles on, e.g. 0,1 or 0-3,8 (default: every CPU this process may use)", 3},
    {"pin", OPT_PIN, "MODE", 0,
     "spread (one role per physical core, packages alternating), compact (as close as "
     "possible), smt (a pair's roles on SMT siblings of one core), cross-package (a pair's "
     "roles on different packages), random, none; smt and cross-package fall back to "
     "compact and spread, with a note, where the machine cannot (default: spread)",
     3},
    {"rounds", OPT_ROUNDS, "N", 0, "stop after N rounds (default: run for --duration)", 3},
    {"duration", OPT_DURATION, "T", 0, "run for T (10, 10s, 500ms, 2m; default: 3s)", 3},
    {"iters", OPT_ITERS, "N", 0, "handoffs per role per round, between barriers (default: 1000)",
     3},
    {"pairs", OPT_PAIRS, "N", 0,
     "independent instances of the scenario's roles sharing one allocator, e.g. 4 "
     "producer/consumer pairs on 8 CPUs (default: 1)",
     3},
    {"batch", OPT_BATCH, "N", 0,
     "objects per publish, 1 to 64, in scenarios that batch (release-acquire; default: 1)", 3},
    {"jitter", OPT_JITTER, "N", OPTION_ARG_OPTIONAL,
     "random delay of up to N spins between accesses (default: off; N defaults to 64)", 3},
    {0, 0, 0, 0, "Output:", 4},
    {"json", OPT_JSON, "FILE", 0, "write the result as JSON to FILE (- for stdout; default: none)",
     4},
    {"keep-going", OPT_KEEP_GOING, 0, 0,
     "keep running after a failure (default: stop after the round that found one)", 4},
    {"no-progress", OPT_NO_PROGRESS, 0, 0,
     "no live progress line (default: shown when stderr is a terminal)", 4},
    {"histogram", OPT_HISTOGRAM, 0, 0,
     "witness counts like litmus7: per failure kind seen, its count and rate per million "
     "rounds (default: off)",
     4},
    {"rtt-matrix", OPT_RTT_MATRIX, 0, 0,
     "measure and print the cache-line round trip in ns between every two chosen CPUs "
     "(default: off)",
     4},
    {"report", OPT_REPORT, "FILE", 0,
     "write a self-contained HTML page of the result (default: none)", 4},
    {"quiet", 'q', 0, 0, "print only failures and the verdict (default: full summary)", 4},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct run_opts *o = state->input;
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &o->sc; break;
	case OPT_CPUS: o->cpus_arg = arg; break;
	case OPT_PIN: o->pin_arg = arg; break;
	case OPT_ROUNDS: o->rounds = cli_parse_ull("--rounds", arg, 1, 1ULL << 40); break;
	case OPT_DURATION: o->duration = cli_parse_duration("--duration", arg); break;
	case OPT_ITERS: o->iters = cli_parse_ull("--iters", arg, 1, 1ULL << 30); break;
	case OPT_BATCH: o->batch = (unsigned)cli_parse_ull("--batch", arg, 1, 64); break;
	case OPT_PAIRS:
		o->pairs = (unsigned)cli_parse_ull("--pairs", arg, 1, SS_MAX_CPUS / 2);
		break;
	case OPT_JITTER:
		o->jitter = arg ? (unsigned)cli_parse_ull("--jitter", arg, 1, 1u << 20) : 64;
		break;
	case OPT_JSON: o->json_path = arg; break;
	case OPT_KEEP_GOING: o->keep_going = 1; break;
	case OPT_NO_PROGRESS: o->no_progress = 1; break;
	case OPT_HISTOGRAM: o->histogram = 1; break;
	case OPT_RTT_MATRIX: o->rtt_matrix = 1; break;
	case OPT_REPORT: o->report_path = arg; break;
	case 'q': o->quiet = 1; break;
	case ARGP_KEY_ARG: cli_usage_error("run: unexpected argument '%s' (options only)", arg);
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Run a handoff scenario natively: one real thread per role, pinned with "
    "pthread_setaffinity_np, rounds started together on a spin barrier.\v"
    "The default scenario is release-acquire with variant fixed and the slab allocator.\n\n"
    "Examples:\n"
    "  slabstress run -s release-acquire --variant early-stride --cpus 0,1 --duration 10 "
    "--json out.json\n"
    "  slabstress run -s same-cpu --variant rc1 --objext in-object --object-size 131072 "
    "--page-size 65536\n"
    "  slabstress run -s llist --alloc jemalloc --rounds 1000 --jitter\n"
    "  slabstress run --pin compact --rounds 200 --histogram --rtt-matrix\n\n"
    "On an x86-64 host (TSO) run says once at the start which failures it cannot show "
    "natively and points to `slabstress explore --model lkmm`.\n\n"
    "Exit status: 0 no failure, 1 a check failed, 2 bad input, 3 internal error.";

static const struct argp_child children[] = {{&cli_scenario_argp, 0, 0, 0}, {0}};

static void print_failures(const struct ss_failure_log *log)
{
	for (int i = 0; i < log->kept; i++) {
		const struct ss_failure *f = &log->first[i];
		printf("  %s on cpu %d at %s:%d (%s): %s\n", ss_fail_kind_name(f->kind), f->cpu,
		       f->site ? f->site->file : "?", f->site ? f->site->line : 0,
		       f->site && f->site->func ? f->site->func : "?", f->msg);
	}
	if (log->total > (unsigned long long)log->kept)
		printf("  ... and %llu more\n", log->total - (unsigned long long)log->kept);
}

/* The options into a checked config (usage error otherwise). */
static void build_config(struct ss_run_config *cfg, const struct run_opts *o)
{
	struct ss_run_request req = {
	    .scn = o->sc.scn,
	    .alloc = o->sc.alloc,
	    .acfg = o->sc.acfg,
	    .pairs = o->pairs,
	    .rounds = o->rounds,
	    .duration = o->duration,
	    .iters = o->iters,
	    .batch = o->batch,
	    .jitter = o->jitter,
	    .seed = o->sc.seed,
	    .keep_going = o->keep_going,
	    .progress = !o->no_progress && !o->quiet && cli_stderr_is_tty(),
	};
	char err[512];
	if (ss_run_config_build(cfg, &req, err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
	if (o->pin_arg && ss_pin_parse(o->pin_arg, &cfg->pin) != 0)
		cli_usage_error("unknown --pin '%s': expected one of spread, compact, smt, "
				"cross-package, random, none",
				o->pin_arg);
	if (o->cpus_arg)
		cfg->ncpus = cli_parse_cpus("--cpus", o->cpus_arg, cfg->cpus, SS_MAX_CPUS);
	else
		cfg->ncpus = ss_run_allowed_cpus(cfg->cpus, SS_MAX_CPUS);
	if (ss_run_check_cpus(cfg, o->cpus_arg, err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
}

static void print_header(const struct ss_run_config *cfg)
{
	const struct ss_alloc_config *a = &cfg->acfg;
	printf("slabstress run: scenario %s, variant %s, alloc %s, seed %llu\n", cfg->scn->name,
	       ss_variant_name(a->variant), cfg->alloc->name, cfg->seed);
	printf("  slab: stride-bits %u, objext %s, object-size %zu, page-size %zu, account %s\n",
	       a->stride_bits, ss_objext_name(a->objext), a->object_size, a->page_size,
	       a->account ? "SLAB_ACCOUNT" : "__GFP_ACCOUNT only");
	cli_print_switches(a);
	if (cfg->rounds)
		printf("  %d threads (%d pair%s), pin %s, %lu rounds of %lu handoffs\n",
		       cfg->nthreads, cfg->pairs, cfg->pairs == 1 ? "" : "s", ss_pin_name(cfg->pin),
		       cfg->rounds, cfg->iters);
	else
		printf("  %d threads (%d pair%s), pin %s, %.1f s, rounds of %lu handoffs\n",
		       cfg->nthreads, cfg->pairs, cfg->pairs == 1 ? "" : "s", ss_pin_name(cfg->pin),
		       cfg->duration, cfg->iters);
	fflush(stdout);
}

static void print_summary(const struct ss_run_config *cfg, const struct ss_run_stats *st)
{
	printf("  roles:");
	for (int t = 0; t < cfg->nthreads; t++) {
		int r = t % cfg->scn->nroles;
		printf(" %s", cfg->scn->role_names[r] ? cfg->scn->role_names[r] : "role");
		if (cfg->pairs > 1)
			printf("%d", t / cfg->scn->nroles);
		printf("@cpu%d", st->pinned_cpu[t]);
	}
	printf("\n  rounds %lu, handoffs %llu in %.2f s = %.3f M handoffs/s%s\n", st->rounds,
	       st->handoffs, st->elapsed, ss_run_handoffs_per_s(st) / 1e6,
	       st->interrupted ? " (interrupted)" : "");
	printf("  disturbance: %llu involuntary, %llu voluntary context switches of the pinned "
	       "threads, steal %.1f%%, load %.2f on %d CPUs\n",
	       st->dist.ivcsw, st->dist.vcsw, st->dist.steal_pct, st->dist.loadavg1,
	       st->dist.cpus_online);
}

static void print_verdict(const struct ss_run_config *cfg, const struct ss_run_stats *st,
			  const struct ss_failure_log *log)
{
	if (!log->total) {
		printf("clean: no failure in %llu handoffs\n", st->handoffs);
		return;
	}
	printf("FAILED: %llu failure%s (", log->total, log->total == 1 ? "" : "s");
	const char *sep = "";
	for (int k = 1; k < SS_FAIL_NKINDS; k++)
		if (log->by_kind[k]) {
			printf("%s%s %llu", sep, ss_fail_kind_name(k), log->by_kind[k]);
			sep = ", ";
		}
	printf(")\n");
	print_failures(log);
	/* Native runs are not replayable; the emulator's are. */
	const struct ss_alloc_config *a = &cfg->acfg;
	const char *file = ss_plugin_source(cfg->scn, NULL);
	char set[560] = "";
	if (a->variant == SS_VARIANT_CUSTOM) {
		strcpy(set, " --set ");
		ss_switches_format(a->switches, a->stride_bits, set + 7, sizeof(set) - 7);
	}
	printf("to reproduce it deterministically, with its interleaving: slabstress explore -s %s "
	       "--variant %s%s --alloc %s --stride-bits %u --objext %s --object-size %zu "
	       "--page-size %zu --model sc --save found/ (then --model tso, lkmm)\n",
	       file ? file : cfg->scn->name, ss_variant_name(a->variant), set, cfg->alloc->name,
	       a->stride_bits, ss_objext_name(a->objext), a->object_size, a->page_size);
}

/* Once, at the start, on stderr: what a TSO host cannot show, and a pinning request
 * the machine cannot meet. */
static void print_notices(const struct ss_run_config *cfg, const struct run_opts *o, char *pin_note,
			  size_t n)
{
	char buf[1024];
	int host_cpu[SS_MAX_CPUS];
	if (!o->quiet) {
		ss_tso_notice(buf, sizeof(buf));
		fputs(buf, stderr);
	}
	ss_run_plan_cpus(cfg, host_cpu, pin_note, n);
	if (pin_note[0])
		fprintf(stderr, "slabstress: note: %s\n", pin_note);
}

static void print_histogram(const struct ss_run_stats *st, const struct ss_failure_log *log)
{
	printf("  histogram (witnesses per million rounds, %lu rounds):\n", st->rounds);
	if (!log->total)
		printf("    no failure seen\n");
	for (int k = 1; k < SS_FAIL_NKINDS; k++)
		if (log->by_kind[k])
			printf("    %-20s %12llu  %14.1f per million rounds\n",
			       ss_fail_kind_name((enum ss_fail_kind)k), log->by_kind[k],
			       st->rounds ? (double)log->by_kind[k] * 1e6 / (double)st->rounds : 0);
}

/* The round-trip matrix between the CPUs the threads ran on: measured, printed,
 * returned as JSON (NULL when there is none to measure). */
static json_t *rtt_matrix(const struct ss_run_config *cfg, const struct ss_run_stats *st)
{
	char *text = NULL;
	json_t *j = ss_run_rtt_matrix(st->pinned_cpu, cfg->nthreads, &text);
	fputs(text ? text : "", stdout);
	free(text);
	return j;
}

/* The JSON and the HTML page, where asked. */
static void write_outputs(const struct run_opts *o, json_t *doc)
{
	char err[512];
	if (o->json_path && res_write_atomic(doc, o->json_path, err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
	if (o->report_path && res_report_write(doc, o->report_path, err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	memset(&o, 0, sizeof(o));
	cli_scenario_defaults(&o.sc);
	struct argp argp = {options, parse, 0, doc, children, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	if (!o.sc.scenario_name)
		o.sc.scenario_name = "release-acquire";
	cli_scenario_finish(&o.sc, true);
	struct ss_run_config cfg;
	build_config(&cfg, &o);
	cli_check_output_path("--json", o.json_path);
	cli_json_stdout(o.json_path);
	cli_check_output_path("--report", o.report_path);
	if (o.report_path && !strcmp(o.report_path, "-"))
		cli_usage_error("--report '-': expected a file path (the page is HTML)");
	char pin_note[256];
	print_notices(&cfg, &o, pin_note, sizeof(pin_note));
	if (!o.quiet)
		print_header(&cfg);

	struct ss_failure_log *log = malloc(sizeof(*log));
	struct ss_run_stats st;
	char err[256] = "";
	ss_failure_log_init(log);
	ss_install_sigint();
	if (ss_native_run(&cfg, log, &st, err, sizeof(err)) != 0)
		cli_internal_error("%s", err);
	if (!o.quiet)
		print_summary(&cfg, &st);
	if (st.dist.disturbed)
		printf("DISTURBED: %s: the throughput measures the machine, not the code\n",
		       st.dist.reasons);
	if (o.histogram)
		print_histogram(&st, log);
	json_t *matrix = o.rtt_matrix ? rtt_matrix(&cfg, &st) : NULL;
	print_verdict(&cfg, &st, log);
	json_t *doc = ss_run_doc(&cfg, &st, log, cli_argc, cli_argv);
	if (o.histogram)
		json_object_set_new(doc, "histogram", ss_run_histogram_json(&st, log));
	if (matrix)
		json_object_set_new(doc, "rtt_matrix", matrix);
	if (pin_note[0])
		json_object_set_new(doc, "pin_note", json_string(pin_note));
	write_outputs(&o, doc);
	json_decref(doc);
	int found = log->total ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
	free(log);
	return found;
}
