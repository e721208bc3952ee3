/* cmd/bench.c - `slabstress bench`: handoffs/s of one scenario (or every correct
 * two-role scenario) under several allocators, measured so that two results can be
 * compared (`slabstress compare`) and read against what the hardware allows.
 *
 * The method, the runner and the result document are bench/bench.h; this file
 * parses the options and prints.  A run that finds a failure is reported loudly
 * and makes the exit status 1: a fast allocator that is wrong is not fast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/run.h"
#include "cmd/cli.h"
#include "engine/ceiling.h"
#include "results/json.h"
#include "results/report.h"
#include "results/stats.h"

enum {
	OPT_ALL = 0x2000,
	OPT_REPEAT,
	OPT_WARMUP,
	OPT_DURATION,
	OPT_ITERS,
	OPT_SIZE,
	OPT_BATCH,
	OPT_PAIRS,
	OPT_COLD,
	OPT_CPUS,
	OPT_NO_CEILINGS,
	OPT_JSON,
	OPT_REPORT,
	OPT_PIN,
	OPT_RTT_MATRIX,
};

struct bench_opts {
	struct cli_scenario_opts sc;
	const char *cpus_arg, *json_path, *report_path, *size_arg, *batch_arg, *pin_arg;
	unsigned long repeat, warmup, pairs, iters;
	double duration;
	int all, cold, no_ceilings, quiet, rtt_matrix;
};

static const struct argp_option options[] = {
    {0, 0, 0, 0, "What to measure:", 3},
    {"all", OPT_ALL, 0, 0,
     "every scenario that applies: two roles, correct handoff (instead of -s)", 3},
    {"size", OPT_SIZE, "LIST", 0,
     "object sizes in bytes, e.g. 64,256 (default: --object-size, i.e. 64)", 3},
    {"batch", OPT_BATCH, "LIST", 0,
     "pointers per publish, e.g. 1,32, where the scenario supports it (default: 1)", 3},
    {"pairs", OPT_PAIRS, "N", 0,
     "producer/consumer thread pairs sharing the allocator, on 2N CPUs (default: 1)", 3},
    {"cold-consumer", OPT_COLD, 0, 0,
     "skip the warm-up allocation of each thread, so a free-only consumer runs without "
     "a thread cache (default: warm)",
     3},
    {0, 0, 0, 0, "Repeats and time:", 4},
    {"repeat", OPT_REPEAT, "N", 0, "measured runs per allocator (default: 5)", 4},
    {"warmup", OPT_WARMUP, "N", 0,
     "discarded interleaved rounds before the measured ones (default: 1)", 4},
    {"duration", OPT_DURATION, "T", 0, "length of each run (10, 1s, 500ms; default: 1s)", 4},
    {"iters", OPT_ITERS, "N", 0, "handoffs per role per engine round (default: 1000)", 4},
    {"cpus", OPT_CPUS, "A,B", 0,
     "the two CPUs: producer on A, consumer on B (default: the first two this process "
     "may use)",
     4},
    {"pin", OPT_PIN, "MODE", 0,
     "choose the CPUs by topology: spread, compact, smt (a pair on SMT siblings of one "
     "core), cross-package (a pair on two packages) or random, from --cpus or every CPU "
     "this process may use (default: --cpus in the order given)",
     4},
    {"no-ceilings", OPT_NO_CEILINGS, 0, 0,
     "skip the ring and pool ceilings (default: measured, interleaved with the runs)", 4},
    {0, 0, 0, 0, "Output:", 5},
    {"json", OPT_JSON, "FILE", 0,
     "write the result (schema slabstress-bench/1) to FILE, - for stdout (default: none)", 5},
    {"report", OPT_REPORT, "FILE", 0,
     "write a self-contained HTML page with a chart per scenario (default: none)", 5},
    {"rtt-matrix", OPT_RTT_MATRIX, 0, 0,
     "measure and print the cache-line round trip in ns between every two CPUs used "
     "(default: off)",
     5},
    {"quiet", 'q', 0, 0, "print only failures and the verdict (default: full table)", 5},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct bench_opts *o = state->input;
	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->sc;
		o->sc.alloc_list_ok = true;
		break;
	case OPT_ALL: o->all = 1; break;
	case OPT_REPEAT: o->repeat = cli_parse_ull("--repeat", arg, 1, 1000); break;
	case OPT_WARMUP: o->warmup = cli_parse_ull("--warmup", arg, 0, 100); break;
	case OPT_DURATION: o->duration = cli_parse_duration("--duration", arg); break;
	case OPT_ITERS: o->iters = cli_parse_ull("--iters", arg, 1, 1ULL << 30); break;
	case OPT_SIZE: o->size_arg = arg; break;
	case OPT_BATCH: o->batch_arg = arg; break;
	case OPT_PAIRS: o->pairs = cli_parse_ull("--pairs", arg, 1, SS_MAX_CPUS / 2); break;
	case OPT_COLD: o->cold = 1; break;
	case OPT_CPUS: o->cpus_arg = arg; break;
	case OPT_NO_CEILINGS: o->no_ceilings = 1; break;
	case OPT_JSON: o->json_path = arg; break;
	case OPT_REPORT: o->report_path = arg; break;
	case OPT_PIN: o->pin_arg = arg; break;
	case OPT_RTT_MATRIX: o->rtt_matrix = 1; break;
	case 'q': o->quiet = 1; break;
	case ARGP_KEY_ARG: cli_usage_error("bench: unexpected argument '%s' (options only)", arg);
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Measure handoffs/s of a scenario under several allocators: interleaved runs on two "
    "fixed CPUs, after a warm-up, with the cache-line round trip and the ring and pool "
    "ceilings of the same run.\v"
    "USAGE\n"
    "  slabstress bench -s SCENARIO [--alloc A,B,...] [--size LIST] [--batch LIST] "
    "[--repeat N] [--json FILE] [--report FILE]\n"
    "  slabstress bench --all [--alloc A,B,...] ...\n\n"
    "--alloc takes a comma list (default: slab,jemalloc,libc); ratios are to the first.\n\n"
    "EXAMPLES\n"
    "  slabstress bench -s release-acquire --alloc slab,jemalloc,libc --repeat 5 --json "
    "base.json\n"
    "  slabstress bench -s release-acquire --size 64,256 --batch 1,32 --report ra.html\n"
    "  slabstress bench --all --alloc slab,jemalloc --report report.html\n"
    "  slabstress bench -s release-acquire --alloc slab --pin spread --rtt-matrix\n"
    "  slabstress compare base.json new.json\n\n"
    "Exit status: 0 every run clean, 1 a run found a failure, 2 bad input, 3 internal "
    "error.";

static const struct argp_child children[] = {{&cli_scenario_argp, 0, 0, 0}, {0}};

/* ---- parameters ------------------------------------------------------------------ */

static int parse_allocs(const char *arg, const struct ss_alloc_ops **out)
{
	char *copy = strdup(arg), *save = NULL;
	int n = 0;
	if (!*arg || arg[strlen(arg) - 1] == ',' || arg[0] == ',' || strstr(arg, ",,"))
		cli_usage_error("cannot parse --alloc '%s': empty item; expected a comma list "
				"like slab,jemalloc,libc",
				arg);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct ss_alloc_ops *a = ss_alloc_find(t);
		if (!a) {
			char names[256] = "";
			for (int i = 0; ss_allocators[i]; i++) {
				strncat(names, ss_allocators[i]->name,
					sizeof(names) - strlen(names) - 3);
				if (ss_allocators[i + 1])
					strcat(names, ", ");
			}
			cli_usage_error(
			    "unknown allocator '%s' in --alloc '%s': expected one of: %s", t, arg,
			    names);
		}
		for (int i = 0; i < n; i++)
			if (out[i] == a)
				cli_usage_error("--alloc '%s': '%s' is listed twice", arg, t);
		if (n == SS_BENCH_MAX_ALLOCS)
			cli_usage_error("--alloc '%s': more than %d allocators", arg,
					SS_BENCH_MAX_ALLOCS);
		out[n++] = a;
	}
	free(copy);
	return n;
}

/* The scenarios: -s NAME, or every one --all applies to. */
static void choose_scenarios(struct ss_bench *b, const struct bench_opts *o)
{
	if (o->all) {
		b->nscn = ss_bench_all_scenarios(b->scn, SS_BENCH_MAX_SCENARIOS);
		if (!b->nscn)
			cli_usage_error("bench --all: no registered scenario has 2 roles and a "
					"correct handoff");
		return;
	}
	const struct ss_scenario *scn = o->sc.scn;
	if (scn->nroles != 2)
		cli_usage_error("bench: scenario '%s' has %d role%s: expected a handoff scenario "
				"with 2 roles (producer, consumer)",
				scn->name, scn->nroles, scn->nroles == 1 ? "" : "s");
	b->scn[b->nscn++] = scn;
}

/* --pin: the CPUs of the threads chosen by topology from the candidates in
 * b->cpu[0..b->ncpu), then run in that order. */
static void pin_by_topology(struct ss_bench *b, const struct bench_opts *o, int want)
{
	enum ss_pin pin;
	if (ss_pin_parse(o->pin_arg, &pin) != 0 || pin == SS_PIN_NONE)
		cli_usage_error("unknown --pin '%s' for bench: expected one of spread, compact, "
				"smt, cross-package, random",
				o->pin_arg);
	struct ss_topology topo;
	int chosen[SS_MAX_CPUS];
	char note[256];
	ss_topology_read(SS_TOPOLOGY_SYSFS, b->cpu, b->ncpu, &topo);
	ss_pin_choose(&topo, pin, 2, want, o->sc.seed, chosen, note, sizeof(note));
	if (note[0])
		fprintf(stderr, "slabstress: note: %s\n", note);
	memcpy(b->cpu, chosen, (size_t)want * sizeof(int));
	b->ncpu = want;
	b->pin = SS_PIN_FIXED;
	b->pin_policy = ss_pin_name(pin);
}

/* The two CPUs per pair: --cpus, or the first this process may use (with --pin:
 * chosen by topology among all it may use). */
static void choose_cpus(struct ss_bench *b, const struct bench_opts *o)
{
	int want = 2 * (int)o->pairs;
	if (!o->cpus_arg) {
		b->ncpu = ss_run_allowed_cpus(b->cpu, o->pin_arg ? SS_MAX_CPUS : want);
		if (b->ncpu < want)
			cli_usage_error("bench needs %d CPUs (a producer and a consumer CPU per "
					"pair), but this process may use only %d",
					want, b->ncpu);
	} else {
		int n = cli_parse_cpus("--cpus", o->cpus_arg, b->cpu, SS_MAX_CPUS);
		if (n != want)
			cli_usage_error(
			    "--cpus '%s': expected exactly %lu CPUs, producer then consumer for "
			    "each of --pairs %lu (e.g. 0,1)",
			    o->cpus_arg, 2 * o->pairs, o->pairs);
		b->ncpu = n;
	}
	if (o->pin_arg)
		pin_by_topology(b, o, want);
}

/* Options into the runner's lists and parameters (usage error otherwise). */
static void configure(struct ss_bench *b, struct bench_opts *o)
{
	if (o->all && o->sc.scenario_name)
		cli_usage_error("bench: -s '%s' and --all: expected one of them",
				o->sc.scenario_name);
	if (!o->all && !o->sc.scenario_name)
		cli_usage_error("bench: no scenario given: expected -s NAME or --all (see "
				"`slabstress list scenarios`)");
	if (o->size_arg && o->sc.object_size)
		cli_usage_error("bench: --size '%s' and --object-size: expected one of them",
				o->size_arg);
	cli_scenario_finish(&o->sc, !o->all);
	b->repeat = o->repeat ? o->repeat : 5;
	b->pairs = o->pairs = o->pairs ? o->pairs : 1;
	b->iters = o->iters ? o->iters : 1000;
	b->duration = o->duration > 0 ? o->duration : 1.0;
	b->warmup = o->warmup;
	b->seed = o->sc.seed;
	b->cold = o->cold;
	b->no_ceilings = o->no_ceilings;
	b->acfg = o->sc.acfg;
	if (o->sc.alloc_name && strchr(o->sc.alloc_name, ','))
		b->nalloc = parse_allocs(o->sc.alloc_name, b->alloc);
	else if (o->sc.alloc_name)
		b->alloc[b->nalloc++] = o->sc.alloc;
	else
		b->nalloc = parse_allocs("slab,jemalloc,libc", b->alloc);
	choose_scenarios(b, o);
	if (o->size_arg)
		b->nsize = cli_parse_list("--size", o->size_arg, b->size, SS_BENCH_MAX_SIZES, 8,
					  1u << 22, true);
	else
		b->size[b->nsize++] = b->acfg.object_size;
	if (o->batch_arg)
		b->nbatch = cli_parse_list("--batch", o->batch_arg, b->batch, SS_BENCH_MAX_BATCHES,
					   1, SS_CEILING_RING_CAP / 4, false);
	else
		b->batch[b->nbatch++] = 1;
	choose_cpus(b, o);
}

/* ---- output ------------------------------------------------------------------------ */

struct bench_ui {
	FILE *out; /* stdout, or stderr with --json - */
	bool quiet;
};

static void print_header(FILE *out, const struct ss_bench *b)
{
	int total = b->nscn * b->nsize * b->nbatch;
	fprintf(out, "slabstress bench: %d scenario%s, allocators", b->nscn,
		b->nscn == 1 ? "" : "s");
	for (int a = 0; a < b->nalloc; a++)
		fprintf(out, "%s%s", a ? "," : " ", b->alloc[a]->name);
	fprintf(out, " (ratios to %s), variant %s, seed %llu\n", b->alloc[0]->name,
		ss_variant_name(b->acfg.variant), b->seed);
	fprintf(out, "  producer on CPU %d, consumer on CPU %d (%s%s); consumer %s\n", b->cpu[0],
		b->cpu[1], b->pin_policy ? "--pin " : "fixed", b->pin_policy ? b->pin_policy : "",
		b->cold ? "COLD (--cold-consumer: no warm-up allocation, free-only threads)"
			: "warm (one touched allocation per thread before timing)");
	double per_round = b->duration * (b->nalloc + (b->no_ceilings ? 0 : 2));
	fprintf(out,
		"  %lu warm-up + %lu measured interleaved rounds of %.2f s per run; about %.0f s "
		"in all\n",
		b->warmup, b->repeat, b->duration,
		per_round * (double)(b->warmup + b->repeat) * total);
	for (int s = 0; s < b->nscn; s++)
		for (int bt = 0; bt < b->nbatch; bt++)
			if (b->batch[bt] > 1 && !b->scn[s]->batches) {
				fprintf(
				    out,
				    "  note: %s does not declare --batch support: batch %llu is "
				    "recorded as asked, but the scenario may hand over one "
				    "pointer per publish\n",
				    b->scn[s]->name, b->batch[bt]);
				break;
			}
	fflush(out);
}

static void show_round(void *arg, int config, int nconfigs, const struct ss_scenario *scn,
		       size_t size, unsigned batch, unsigned round, unsigned rounds, bool warmup)
{
	const struct bench_ui *ui = arg;
	if (ui->quiet || !cli_stderr_is_tty())
		return;
	fprintf(stderr, "\r[%d/%d] %s size %zu batch %u: round %u/%u%s   ", config + 1, nconfigs,
		scn->name, size, batch, round + 1, rounds, warmup ? " (warm-up)" : "");
	fflush(stderr);
}

/* Loud at once, not only in the table at the end. */
static void show_failure(void *arg, const struct ss_bench_cell *c, const struct ss_failure_log *log)
{
	(void)arg;
	fprintf(stderr, "slabstress: FAILURE: %s with %s, size %zu, batch %u: %llu failure%s",
		c->scn->name, c->alloc->name, c->size, c->batch, log->total,
		log->total == 1 ? "" : "s");
	if (log->kept)
		fprintf(stderr, ", first: %s: %s", ss_fail_kind_name(log->first[0].kind),
			log->first[0].msg);
	fputc('\n', stderr);
}

/* One row per allocator of a configuration. */
static void print_cells(FILE *out, const struct ss_bench *b, const struct ss_scenario *scn,
			size_t size, unsigned batch, double pool)
{
	double fmed = -1;
	for (int a = 0; a < b->nalloc; a++) {
		const struct ss_bench_cell *c = ss_bench_cell_for(b, scn, b->alloc[a], size, batch);
		if (!c)
			continue;
		if (!c->n) {
			/* Interrupted before its first run. */
			fprintf(out, "%-16s %6zu %5u %-9s %10s\n", scn->name, size, batch,
				c->alloc->name, "no runs");
			continue;
		}
		struct ss_summary sm;
		ss_summarize(c->hps, c->n, &sm);
		if (fmed < 0)
			fmed = sm.median;
		char ratio[16] = "-", xpool[16] = "-";
		if (fmed > 0)
			snprintf(ratio, sizeof(ratio), "%.2f", sm.median / fmed);
		if (pool > 0)
			snprintf(xpool, sizeof(xpool), "%.2f", sm.median / pool);
		fprintf(out, "%-16s %6zu %5u %-9s %10.2f %8.2f %8.2f %7.2f %7s %6s %7.0f %5llu%s\n",
			scn->name, size, batch, c->alloc->name, sm.median / 1e6, sm.min / 1e6,
			sm.max / 1e6, sm.mad / 1e6, ratio, xpool, ss_median(c->rtt, c->n),
			c->failures,
			c->failures			      ? "  <-- FAILED"
			: ss_bench_cell_disturbed(c, NULL, 0) ? "  <-- DISTURBED"
							      : "");
	}
}

static void print_ceilings(FILE *out, const struct ss_bench_ceiling *cc)
{
	struct ss_summary sp, sr;
	ss_summarize(cc->pool, cc->n, &sp);
	ss_summarize(cc->ring, cc->n, &sr);
	fprintf(out, "%-16s %6zu %5u %-9s %10.2f %8.2f %8.2f %7.2f %7s %6s %7.0f %5s\n",
		"(ceiling)", cc->size, cc->batch, "pool", sp.median / 1e6, sp.min / 1e6,
		sp.max / 1e6, sp.mad / 1e6, "", "1.00", ss_median(cc->rtt, cc->n),
		cc->bad ? "BAD" : "");
	fprintf(out, "%-16s %6zu %5u %-9s %10.2f %8.2f %8.2f %7.2f %7s %6s %7s %5s\n", "(ceiling)",
		cc->size, cc->batch, "ring", sr.median / 1e6, sr.min / 1e6, sr.max / 1e6,
		sr.mad / 1e6, "", "", "", "");
}

static void print_table(FILE *out, const struct ss_bench *b)
{
	fprintf(out, "\n%-16s %6s %5s %-9s %10s %8s %8s %7s %7s %6s %7s %5s\n", "SCENARIO", "SIZE",
		"BATCH", "ALLOC", "MEDIAN M/s", "MIN", "MAX", "MAD", "xFIRST", "xPOOL", "RTT ns",
		"FAIL");
	for (int s = 0; s < b->nscn; s++)
		for (int z = 0; z < b->nsize; z++)
			for (int bt = 0; bt < b->nbatch; bt++) {
				size_t size = b->size[z];
				unsigned batch = (unsigned)b->batch[bt];
				const struct ss_bench_ceiling *cc =
				    ss_bench_ceiling_for(b, size, batch);
				double pool = cc && cc->n ? ss_median(cc->pool, cc->n) : 0;
				print_cells(out, b, b->scn[s], size, batch, pool);
				if (cc && cc->n)
					print_ceilings(out, cc);
			}
}

static void print_verdict(FILE *out, const struct ss_bench *b)
{
	if (!b->failures) {
		fprintf(out, ss_bench_runs(b)
				 ? "clean: no failure in any run\n"
				 : "no runs: interrupted before the first run ended\n");
		return;
	}
	fprintf(out, "FAILED: %llu failure%s in", b->failures, b->failures == 1 ? "" : "s");
	const char *sep = " ";
	for (int i = 0; i < b->ncells; i++) {
		const struct ss_bench_cell *c = &b->cells[i];
		if (c->failures) {
			fprintf(out, "%s%s/%s/size %zu/batch %u (%llu)", sep, c->scn->name,
				c->alloc->name, c->size, c->batch, c->failures);
			sep = ", ";
		}
	}
	fprintf(out, ": the throughput of a failing run is not a result\n");
}

/* --rtt-matrix: measured after the runs between every two CPUs used, printed and
 * added to the document. */
static void add_rtt_matrix(FILE *out, json_t *doc, const struct ss_bench *b)
{
	char *text = NULL;
	json_t *m = ss_run_rtt_matrix(b->cpu, b->ncpu, &text);
	fputs(text ? text : "", out);
	free(text);
	if (m)
		json_object_set_new(doc, "rtt_matrix", m);
}

int cmd_bench(int argc, char **argv)
{
	struct bench_opts o;
	memset(&o, 0, sizeof(o));
	cli_scenario_defaults(&o.sc);
	o.sc.alloc_list_ok = true;
	o.warmup = 1;
	struct argp argp = {options, parse, 0, doc, children, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	struct ss_bench b;
	memset(&b, 0, sizeof(b));
	configure(&b, &o);
	cli_check_output_path("--json", o.json_path);
	cli_json_stdout(o.json_path);
	cli_check_output_path("--report", o.report_path);
	if (o.report_path && !strcmp(o.report_path, "-"))
		cli_usage_error("--report '-': expected a file path (the page is HTML)");
	if (ss_bench_setup(&b) != 0)
		cli_internal_error("%s", b.err);

	/* With --json -, stdout carries the JSON: the human output goes to stderr. */
	struct bench_ui ui = {o.json_path && !strcmp(o.json_path, "-") ? stderr : stdout, o.quiet};
	b.hooks = (struct ss_bench_hooks){show_round, show_failure, &ui};
	if (!o.quiet)
		print_header(ui.out, &b);
	ss_install_sigint();
	if (ss_bench_run(&b) != 0)
		cli_internal_error("%s", b.err);
	if (!o.quiet && cli_stderr_is_tty())
		fputc('\n', stderr);
	if (!o.quiet)
		print_table(ui.out, &b);
	if (ss_interrupted)
		fprintf(ui.out, "interrupted: the result holds the runs made so far\n");
	for (int i = 0; i < b.nceil; i++)
		if (b.ceil[i].bad)
			fprintf(ui.out,
				"warning: pool ceiling size %zu batch %u saw %llu bad objects "
				"(harness bug)\n",
				b.ceil[i].size, b.ceil[i].batch, b.ceil[i].bad);

	json_t *doc = ss_bench_doc(&b, cli_argc, cli_argv);
	if (o.rtt_matrix)
		add_rtt_matrix(ui.out, doc, &b);
	char err[256];
	if (o.json_path && res_write_atomic(doc, o.json_path, err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
	if (o.report_path && res_report_write(doc, o.report_path, err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
	json_decref(doc);
	print_verdict(ui.out, &b);
	int ret = b.failures ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
	ss_bench_free(&b);
	return ret;
}
