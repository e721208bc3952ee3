/* cmd/bench.c - `slabstress bench`: handoffs/s of one scenario (or every correct
 * two-role scenario) under several allocators, measured so that two results can be
 * compared (`slabstress compare`) and read against what the hardware allows.
 *
 * Method (reference/alloc-bench.md §2.1):
 *   - fixed pinning: producer (role 0) and consumer (role 1) on the same two CPUs in
 *     every run, never moved;
 *   - allocators interleaved, A B C A B C ..., after --warmup discarded rounds, so a
 *     drift of the machine (a noisy neighbour, a vCPU moved by the host) hits every
 *     allocator alike;
 *   - before every run, a cache-line ping-pong between the two CPUs: its round trip
 *     is stored with the run, since on a shared VM it moves and throughput with it;
 *   - ceilings in the same interleaving: the bare SPSC ring and the recycled pool
 *     (engine/ceiling.h), per size and batch;
 *   - every consumer thread warm (the native engine makes one touched allocation per
 *     thread before the timed part) unless --cold-consumer.
 * A run that finds a failure is reported loudly and makes the exit status 1: a fast
 * allocator that is wrong is not fast.
 */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "engine/ceiling.h"
#include "engine/engine.h"
#include "results/json.h"
#include "results/report.h"
#include "results/stats.h"

#define BENCH_MAX_ALLOCS    8
#define BENCH_MAX_SIZES	    16
#define BENCH_MAX_BATCHES   16
#define BENCH_MAX_SCENARIOS 32

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
};

struct bench_opts {
	struct cli_scenario_opts sc;
	const char *cpus_arg, *json_path, *report_path, *size_arg, *batch_arg;
	unsigned long repeat, warmup, pairs, iters;
	double duration;
	int all, cold, no_ceilings, quiet;
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
    {"no-ceilings", OPT_NO_CEILINGS, 0, 0,
     "skip the ring and pool ceilings (default: measured, interleaved with the runs)", 4},
    {0, 0, 0, 0, "Output:", 5},
    {"json", OPT_JSON, "FILE", 0,
     "write the result (schema slabstress-bench/1) to FILE, - for stdout (default: none)", 5},
    {"report", OPT_REPORT, "FILE", 0,
     "write a self-contained HTML page with a chart per scenario (default: none)", 5},
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
    "  slabstress compare base.json new.json\n\n"
    "Exit status: 0 every run clean, 1 a run found a failure, 2 bad input, 3 internal "
    "error.";

static const struct argp_child children[] = {{&cli_scenario_argp, 0, 0, 0}, {0}};

/* ---- parameters ------------------------------------------------------------------ */

static int parse_allocs(const char *arg, const struct ss_alloc_ops **out)
{
	char *copy = strdup(arg), *save = NULL;
	int n = 0;
	if (!*arg || arg[strlen(arg) - 1] == ',' || arg[0] == ',')
		cli_usage_error("cannot parse --alloc '%s': expected a comma list like "
				"slab,jemalloc,libc",
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
		if (n == BENCH_MAX_ALLOCS)
			cli_usage_error("--alloc '%s': more than %d allocators", arg,
					BENCH_MAX_ALLOCS);
		out[n++] = a;
	}
	free(copy);
	return n;
}

/* Whether --batch changes what the scenario does (struct ss_scenario.batches). */
static bool scenario_declares_batch(const struct ss_scenario *scn)
{
	return scn->batches;
}

/* ---- measurements ----------------------------------------------------------------- */

struct cell {
	const struct ss_scenario *scn;
	const struct ss_alloc_ops *alloc;
	size_t size;
	unsigned batch;
	double *hps, *rtt;
	unsigned n;
	unsigned long long handoffs, failures;
	unsigned long long by_kind[SS_FAIL_NKINDS];
	json_t *first_failures; /* res_failure_log_json of the first failing run */
	int pinned[2];
	bool interrupted;
	/* What disturbed its runs (engine/disturb.h), over all of them. */
	unsigned long long ivcsw, vcsw;
	double steal_max, load_max;
	unsigned disturbed_runs;
	char reasons[160];
};

struct ceil_cell {
	size_t size;
	unsigned batch;
	double *ring, *pool, *rtt;
	unsigned n;
	unsigned long long bad;
	bool done;
};

struct bench {
	struct bench_opts *o;
	const struct ss_scenario *scn[BENCH_MAX_SCENARIOS];
	int nscn;
	const struct ss_alloc_ops *alloc[BENCH_MAX_ALLOCS];
	int nalloc;
	unsigned long long size[BENCH_MAX_SIZES], batch[BENCH_MAX_BATCHES];
	int nsize, nbatch;
	int cpu[SS_MAX_CPUS]; /* producer, consumer of pair 0, then of pair 1, ... */
	int ncpu;
	struct ss_alloc_config acfg;
	struct cell *cells;
	int ncells;
	struct ceil_cell *ceil;
	int nceil;
	unsigned long long failures;
	char err[256];
};

static double rtt_now(struct bench *b)
{
	double ns = ss_ceiling_rtt_ns(b->cpu[0], b->cpu[1], 1000, 3, b->err, sizeof(b->err));
	if (ns < 0)
		cli_internal_error("%s", b->err);
	return ns;
}

static void run_cell(struct bench *b, struct cell *c, bool record)
{
	struct ss_run_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.scn = c->scn;
	cfg.alloc = c->alloc;
	cfg.acfg = b->acfg;
	cfg.acfg.object_size = c->size;
	cfg.acfg.account = c->scn->needs_account || c->scn->handoff != SS_HANDOFF_ALLOCATOR;
	cfg.pairs = (int)b->o->pairs;
	cfg.nthreads = cfg.pairs * c->scn->nroles;
	cfg.acfg.ncpus = cfg.nthreads;
	cfg.acfg.max_objects *= b->o->pairs;
	for (int i = 0; i < b->ncpu; i++)
		cfg.cpus[i] = b->cpu[i];
	cfg.ncpus = b->ncpu;
	/* Two CPUs, two roles: spread keeps the given order unless both are SMT
	 * siblings of one core, where it still uses both; the CPUs actually used are
	 * recorded from the engine. */
	cfg.pin = SS_PIN_SPREAD;
	cfg.duration = b->o->duration;
	cfg.iters = b->o->iters;
	cfg.seed = b->o->sc.seed;
	cfg.batch = c->batch;
	cfg.cold = b->o->cold;

	double rtt = rtt_now(b);
	struct ss_failure_log *log = malloc(sizeof(*log));
	struct ss_run_stats st;
	if (!log)
		cli_internal_error("out of memory");
	ss_failure_log_init(log);
	char err[256] = "";
	if (ss_native_run(&cfg, log, &st, err, sizeof(err)) != 0)
		cli_internal_error("%s", err);
	c->pinned[0] = st.pinned_cpu[0];
	c->pinned[1] = st.pinned_cpu[1];
	c->interrupted |= st.interrupted;
	c->ivcsw += st.dist.ivcsw;
	c->vcsw += st.dist.vcsw;
	c->steal_max = st.dist.steal_pct > c->steal_max ? st.dist.steal_pct : c->steal_max;
	c->load_max = st.dist.loadavg1 > c->load_max ? st.dist.loadavg1 : c->load_max;
	if (st.dist.disturbed && record && !c->disturbed_runs++)
		snprintf(c->reasons, sizeof(c->reasons), "%s", st.dist.reasons);
	if (log->total) {
		/* Loud at once, not only in the table at the end. */
		fprintf(stderr,
			"slabstress: FAILURE: %s with %s, size %zu, batch %u: %llu failure%s",
			c->scn->name, c->alloc->name, c->size, c->batch, log->total,
			log->total == 1 ? "" : "s");
		if (log->kept)
			fprintf(stderr, ", first: %s: %s", ss_fail_kind_name(log->first[0].kind),
				log->first[0].msg);
		fputc('\n', stderr);
		c->failures += log->total;
		b->failures += log->total;
		for (int k = 0; k < SS_FAIL_NKINDS; k++)
			c->by_kind[k] += log->by_kind[k];
		if (!c->first_failures)
			c->first_failures = res_failure_log_json(log);
	}
	free(log);
	if (!record)
		return;
	c->hps[c->n] = st.elapsed > 0 ? (double)st.handoffs / st.elapsed : 0;
	c->rtt[c->n] = rtt;
	c->n++;
	c->handoffs += st.handoffs;
}

static void run_ceilings(struct bench *b, struct ceil_cell *cc, bool record)
{
	struct ss_ceiling_result ring, pool;
	double rtt = rtt_now(b);
	if (ss_ceiling_ring(b->cpu[0], b->cpu[1], cc->batch, b->o->duration, &ring, b->err,
			    sizeof(b->err)) != 0 ||
	    ss_ceiling_pool(b->cpu[0], b->cpu[1], cc->size, cc->batch, b->o->duration, &pool,
			    b->err, sizeof(b->err)) != 0)
		cli_internal_error("%s", b->err);
	cc->bad += ring.bad + pool.bad;
	if (!record)
		return;
	cc->ring[cc->n] = ring.per_s;
	cc->pool[cc->n] = pool.per_s;
	cc->rtt[cc->n] = rtt;
	cc->n++;
}

static struct ceil_cell *ceil_for(struct bench *b, size_t size, unsigned batch)
{
	for (int i = 0; i < b->nceil; i++)
		if (b->ceil[i].size == size && b->ceil[i].batch == batch)
			return &b->ceil[i];
	return NULL;
}

static struct cell *cell_for(struct bench *b, const struct ss_scenario *scn,
			     const struct ss_alloc_ops *a, size_t size, unsigned batch)
{
	for (int i = 0; i < b->ncells; i++) {
		struct cell *c = &b->cells[i];
		if (c->scn == scn && c->alloc == a && c->size == size && c->batch == batch)
			return c;
	}
	return NULL;
}

static bool alloc_applies(const struct ss_scenario *scn, const struct ss_alloc_ops *a)
{
	return !scn->slab_only || !strcmp(a->name, "slab");
}

/* One configuration (scenario, size, batch): warm-up rounds, then measured rounds,
 * each round every allocator once and the ceilings once (the first time this size
 * and batch come up). */
static void run_config(struct bench *b, const struct ss_scenario *scn, size_t size, unsigned batch,
		       int *done, int total)
{
	struct ceil_cell *cc = b->o->no_ceilings ? NULL : ceil_for(b, size, batch);
	bool with_ceil = cc && !cc->done;
	unsigned rounds = (unsigned)(b->o->warmup + b->o->repeat);
	for (unsigned r = 0; r < rounds && !ss_interrupted; r++) {
		bool record = r >= b->o->warmup;
		for (int a = 0; a < b->nalloc && !ss_interrupted; a++) {
			struct cell *c = cell_for(b, scn, b->alloc[a], size, batch);
			if (!c)
				continue;
			run_cell(b, c, record);
		}
		if (with_ceil && !ss_interrupted)
			run_ceilings(b, cc, record);
		if (!b->o->quiet && cli_stderr_is_tty()) {
			fprintf(stderr, "\r[%d/%d] %s size %zu batch %u: round %u/%u%s   ",
				*done + 1, total, scn->name, size, batch, r + 1, rounds,
				record ? "" : " (warm-up)");
			fflush(stderr);
		}
	}
	if (cc)
		cc->done = true;
	(*done)++;
}

/* ---- output ------------------------------------------------------------------------ */

/* Round-trip spread over a cell's runs: (max - min) / median. */
static double rtt_spread(const struct cell *c)
{
	if (c->n < 2)
		return 0;
	double lo = c->rtt[0], hi = c->rtt[0], med = ss_median(c->rtt, c->n);
	for (unsigned i = 1; i < c->n; i++) {
		lo = c->rtt[i] < lo ? c->rtt[i] : lo;
		hi = c->rtt[i] > hi ? c->rtt[i] : hi;
	}
	return med > 0 ? (hi - lo) / med : 0;
}

#define BENCH_RTT_SPREAD_MAX 0.5

/* Was this cell's throughput measured on a disturbed machine?  Its reasons into
 * why (may be NULL). */
static bool cell_disturbed(const struct cell *c, char *why, size_t n)
{
	double sp = rtt_spread(c);
	if (why)
		snprintf(why, n, "%s%s", c->disturbed_runs ? c->reasons : "",
			 sp > BENCH_RTT_SPREAD_MAX
			     ? (c->disturbed_runs ? "; round-trip spread" : "round-trip spread")
			     : "");
	return c->disturbed_runs > 0 || sp > BENCH_RTT_SPREAD_MAX;
}

static double cell_median(const struct cell *c)
{
	return ss_median(c->hps, c->n);
}

static json_t *dbl_array(const double *x, unsigned n)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_real(x[i]));
	return a;
}

static json_t *summary_json(const double *x, unsigned n)
{
	struct ss_summary s;
	ss_summarize(x, n, &s);
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "median", s.median, "min", s.min, "max",
			 s.max, "q1", s.q1, "q3", s.q3, "mad", s.mad);
}

static json_t *bench_json(struct bench *b)
{
	struct bench_opts *o = b->o;
	json_t *doc = res_doc_new("bench", cli_argc, cli_argv);
	json_t *scns = json_array(), *allocs = json_array(), *sizes = json_array(),
	       *batches = json_array();
	for (int i = 0; i < b->nscn; i++)
		json_array_append_new(scns, json_string(b->scn[i]->name));
	for (int i = 0; i < b->nalloc; i++)
		json_array_append_new(allocs, json_string(b->alloc[i]->name));
	for (int i = 0; i < b->nsize; i++)
		json_array_append_new(sizes, json_integer((json_int_t)b->size[i]));
	for (int i = 0; i < b->nbatch; i++)
		json_array_append_new(batches, json_integer((json_int_t)b->batch[i]));
	json_object_set_new(
	    doc, "parameters",
	    json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:f, s:I, s:b, s:s, s:i, s:s, s:I, "
		      "s:I, s:[i,i], s:s, s:s, s:b}",
		      "scenarios", scns, "allocators", allocs, "sizes", sizes, "batches", batches,
		      "pairs", (json_int_t)o->pairs, "repeat", (json_int_t)o->repeat, "warmup",
		      (json_int_t)o->warmup, "duration", o->duration, "iters", (json_int_t)o->iters,
		      "cold", o->cold, "variant", ss_variant_name(b->acfg.variant), "stride_bits",
		      b->acfg.stride_bits, "objext", ss_objext_name(b->acfg.objext), "page_size",
		      (json_int_t)b->acfg.page_size, "seed", (json_int_t)o->sc.seed, "cpus",
		      b->cpu[0], b->cpu[1], "pin", "fixed", "order", "interleaved", "ceilings",
		      !o->no_ceilings));
	json_object_set_new(doc, "engine", json_string("native"));

	json_t *results = json_array();
	for (int i = 0; i < b->ncells; i++) {
		struct cell *c = &b->cells[i];
		struct cell *first = NULL;
		for (int a = 0; a < b->nalloc && !first; a++)
			first = cell_for(b, c->scn, b->alloc[a], c->size, c->batch);
		double med = cell_median(c), fmed = first ? cell_median(first) : 0;
		struct ceil_cell *cc = ceil_for(b, c->size, c->batch);
		json_t *timing = summary_json(c->hps, c->n);
		json_object_set_new(timing, "handoffs_per_s", dbl_array(c->hps, c->n));
		json_object_set_new(timing, "rtt_ns", dbl_array(c->rtt, c->n));
		json_object_set_new(timing, "rtt_ns_median", json_real(ss_median(c->rtt, c->n)));
		json_object_set_new(timing, "ratio_to_first",
				    fmed > 0 ? json_real(med / fmed) : json_null());
		double pool = cc && cc->n ? ss_median(cc->pool, cc->n) : 0;
		double ring = cc && cc->n ? ss_median(cc->ring, cc->n) : 0;
		json_object_set_new(timing, "fraction_of_pool",
				    pool > 0 ? json_real(med / pool) : json_null());
		json_object_set_new(timing, "fraction_of_ring",
				    ring > 0 ? json_real(med / ring) : json_null());
		json_t *fail = c->first_failures
				   ? json_incref(c->first_failures)
				   : json_pack("{s:i, s:{}, s:[]}", "total", 0, "by_kind", "first");
		/* The first failing run's log, but the total over all runs. */
		json_object_set_new(fail, "total", json_integer((json_int_t)c->failures));
		json_t *bk = json_object();
		for (int k = 1; k < SS_FAIL_NKINDS; k++)
			if (c->by_kind[k])
				json_object_set_new(bk, ss_fail_kind_name(k),
						    json_integer((json_int_t)c->by_kind[k]));
		json_object_set_new(fail, "by_kind", bk);
		json_t *r = json_pack(
		    "{s:s, s:s, s:I, s:I, s:b, s:I, s:s, s:s, s:[i,i], s:I, s:I, s:b, s:o, s:s, "
		    "s:o}",
		    "scenario", c->scn->name, "alloc", c->alloc->name, "size", (json_int_t)c->size,
		    "batch", (json_int_t)c->batch, "cold", o->cold, "pairs", (json_int_t)o->pairs,
		    "variant", ss_variant_name(b->acfg.variant), "batch_support",
		    scenario_declares_batch(c->scn) ? "declared" : "not-declared", "cpus",
		    c->pinned[0], c->pinned[1], "runs", (json_int_t)c->n, "handoffs",
		    (json_int_t)c->handoffs, "interrupted", c->interrupted, "failures", fail,
		    "verdict", c->failures ? "failed" : "clean", "timing", timing);
		char why[200];
		bool dist = cell_disturbed(c, why, sizeof(why));
		json_object_set_new(r, "disturbed", json_boolean(dist));
		json_object_set_new(
		    r, "disturbance",
		    json_pack("{s:I, s:I, s:f, s:f, s:I, s:f, s:s}", "involuntary_ctx_switches",
			      (json_int_t)c->ivcsw, "voluntary_ctx_switches", (json_int_t)c->vcsw,
			      "steal_pct_max", c->steal_max, "loadavg1_max", c->load_max,
			      "disturbed_runs", (json_int_t)c->disturbed_runs, "rtt_spread",
			      rtt_spread(c), "reasons", why));
		json_array_append_new(results, r);
	}
	json_object_set_new(doc, "results", results);

	json_t *ceilings = json_array();
	for (int i = 0; i < b->nceil; i++) {
		struct ceil_cell *cc = &b->ceil[i];
		if (!cc->n)
			continue;
		json_t *t = json_pack(
		    "{s:o, s:o, s:o, s:f, s:f, s:f}", "ring_per_s", dbl_array(cc->ring, cc->n),
		    "pool_per_s", dbl_array(cc->pool, cc->n), "rtt_ns", dbl_array(cc->rtt, cc->n),
		    "ring_median", ss_median(cc->ring, cc->n), "pool_median",
		    ss_median(cc->pool, cc->n), "rtt_ns_median", ss_median(cc->rtt, cc->n));
		json_object_set_new(t, "ring", summary_json(cc->ring, cc->n));
		json_object_set_new(t, "pool", summary_json(cc->pool, cc->n));
		json_array_append_new(
		    ceilings, json_pack("{s:I, s:I, s:[i,i], s:I, s:I, s:I, s:o}", "size",
					(json_int_t)cc->size, "batch", (json_int_t)cc->batch,
					"cpus", b->cpu[0], b->cpu[1], "ring_capacity",
					(json_int_t)SS_CEILING_RING_CAP, "runs", (json_int_t)cc->n,
					"bad", (json_int_t)cc->bad, "timing", t));
	}
	json_object_set_new(doc, "ceilings", ceilings);
	json_object_set_new(doc, "interrupted", json_boolean(ss_interrupted));
	json_object_set_new(doc, "failures_total", json_integer((json_int_t)b->failures));
	json_object_set_new(doc, "verdict", json_string(b->failures ? "failed" : "clean"));
	return doc;
}

static void print_table(struct bench *b, FILE *out)
{
	fprintf(out, "\n%-16s %6s %5s %-9s %10s %8s %8s %7s %7s %6s %7s %5s\n", "SCENARIO", "SIZE",
		"BATCH", "ALLOC", "MEDIAN M/s", "MIN", "MAX", "MAD", "xFIRST", "xPOOL", "RTT ns",
		"FAIL");
	for (int s = 0; s < b->nscn; s++)
		for (int z = 0; z < b->nsize; z++)
			for (int bt = 0; bt < b->nbatch; bt++) {
				const struct ss_scenario *scn = b->scn[s];
				size_t size = b->size[z];
				unsigned batch = (unsigned)b->batch[bt];
				struct ceil_cell *cc = ceil_for(b, size, batch);
				double pool = cc && cc->n ? ss_median(cc->pool, cc->n) : 0;
				double fmed = -1;
				for (int a = 0; a < b->nalloc; a++) {
					struct cell *c = cell_for(b, scn, b->alloc[a], size, batch);
					if (!c)
						continue;
					if (!c->n) {
						/* Interrupted before its first run. */
						fprintf(out, "%-16s %6zu %5u %-9s %10s\n",
							scn->name, size, batch, c->alloc->name,
							"no runs");
						continue;
					}
					struct ss_summary sm;
					ss_summarize(c->hps, c->n, &sm);
					if (fmed < 0)
						fmed = sm.median;
					char ratio[16] = "-", xpool[16] = "-";
					if (fmed > 0)
						snprintf(ratio, sizeof(ratio), "%.2f",
							 sm.median / fmed);
					if (pool > 0)
						snprintf(xpool, sizeof(xpool), "%.2f",
							 sm.median / pool);
					fprintf(out,
						"%-16s %6zu %5u %-9s %10.2f %8.2f %8.2f %7.2f %7s "
						"%6s %7.0f %5llu%s\n",
						scn->name, size, batch, c->alloc->name,
						sm.median / 1e6, sm.min / 1e6, sm.max / 1e6,
						sm.mad / 1e6, ratio, xpool, ss_median(c->rtt, c->n),
						c->failures,
						c->failures		     ? "  <-- FAILED"
						: cell_disturbed(c, NULL, 0) ? "  <-- DISTURBED"
									     : "");
				}
				if (cc && cc->n) {
					struct ss_summary sp, sr;
					ss_summarize(cc->pool, cc->n, &sp);
					ss_summarize(cc->ring, cc->n, &sr);
					fprintf(out,
						"%-16s %6zu %5u %-9s %10.2f %8.2f %8.2f %7.2f %7s "
						"%6s %7.0f %5s\n",
						"(ceiling)", size, batch, "pool", sp.median / 1e6,
						sp.min / 1e6, sp.max / 1e6, sp.mad / 1e6, "",
						"1.00", ss_median(cc->rtt, cc->n),
						cc->bad ? "BAD" : "");
					fprintf(out,
						"%-16s %6zu %5u %-9s %10.2f %8.2f %8.2f %7.2f %7s "
						"%6s %7s %5s\n",
						"(ceiling)", size, batch, "ring", sr.median / 1e6,
						sr.min / 1e6, sr.max / 1e6, sr.mad / 1e6, "", "",
						"", "");
				}
			}
}

static int default_cpus(int *cpu, int want)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	int n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < want; c++)
		if (CPU_ISSET(c, &set))
			cpu[n++] = c;
	if (n < want)
		cli_usage_error("bench needs %d CPUs (a producer and a consumer CPU per pair), but "
				"this process may use only %d",
				want, n);
	return n;
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

	if (o.all && o.sc.scenario_name)
		cli_usage_error("bench: -s '%s' and --all: expected one of them",
				o.sc.scenario_name);
	if (!o.all && !o.sc.scenario_name)
		cli_usage_error(
		    "bench: no scenario given: expected -s NAME or --all (see `slabstress "
		    "list scenarios`)");
	if (o.size_arg && o.sc.object_size)
		cli_usage_error("bench: --size '%s' and --object-size: expected one of them",
				o.size_arg);
	cli_scenario_finish(&o.sc, !o.all);
	if (!o.repeat)
		o.repeat = 5;
	if (!o.pairs)
		o.pairs = 1;
	if (!o.iters)
		o.iters = 1000;
	if (!(o.duration > 0))
		o.duration = 1.0;

	struct bench b;
	memset(&b, 0, sizeof(b));
	b.o = &o;
	b.acfg = o.sc.acfg;

	if (o.sc.alloc_name && strchr(o.sc.alloc_name, ','))
		b.nalloc = parse_allocs(o.sc.alloc_name, b.alloc);
	else if (o.sc.alloc_name)
		b.alloc[b.nalloc++] = o.sc.alloc;
	else
		b.nalloc = parse_allocs("slab,jemalloc,libc", b.alloc);

	if (o.all) {
		for (int i = 0; ss_scenarios[i] && b.nscn < BENCH_MAX_SCENARIOS; i++)
			if (ss_scenarios[i]->nroles == 2 &&
			    ss_scenarios[i]->handoff == SS_HANDOFF_CORRECT)
				b.scn[b.nscn++] = ss_scenarios[i];
		if (!b.nscn)
			cli_usage_error(
			    "bench --all: no registered scenario has 2 roles and a correct "
			    "handoff");
	} else {
		if (o.sc.scn->nroles != 2)
			cli_usage_error(
			    "bench: scenario '%s' has %d role%s: expected a handoff scenario "
			    "with 2 roles (producer, consumer)",
			    o.sc.scn->name, o.sc.scn->nroles, o.sc.scn->nroles == 1 ? "" : "s");
		b.scn[b.nscn++] = o.sc.scn;
	}

	if (o.size_arg)
		b.nsize = cli_parse_list("--size", o.size_arg, b.size, BENCH_MAX_SIZES, 8, 1u << 22,
					 true);
	else
		b.size[b.nsize++] = b.acfg.object_size;
	if (o.batch_arg)
		b.nbatch = cli_parse_list("--batch", o.batch_arg, b.batch, BENCH_MAX_BATCHES, 1,
					  SS_CEILING_RING_CAP / 4, false);
	else
		b.batch[b.nbatch++] = 1;

	if (o.cpus_arg) {
		int cpus[SS_MAX_CPUS];
		int n = cli_parse_cpus("--cpus", o.cpus_arg, cpus, SS_MAX_CPUS);
		if (n != 2 * (int)o.pairs)
			cli_usage_error(
			    "--cpus '%s': expected exactly %lu CPUs, producer then consumer "
			    "for each of --pairs %lu (e.g. 0,1)",
			    o.cpus_arg, 2 * o.pairs, o.pairs);
		for (int i = 0; i < n; i++)
			b.cpu[i] = cpus[i];
		b.ncpu = n;
	} else {
		b.ncpu = default_cpus(b.cpu, 2 * (int)o.pairs);
	}
	cli_check_output_path("--json", o.json_path);
	cli_json_stdout(o.json_path);
	cli_check_output_path("--report", o.report_path);
	if (o.report_path && !strcmp(o.report_path, "-"))
		cli_usage_error("--report '-': expected a file path (the page is HTML)");

	/* Cells, in the order they are printed. */
	unsigned slots = (unsigned)(o.warmup + o.repeat);
	b.cells = calloc((size_t)b.nscn * b.nalloc * b.nsize * b.nbatch, sizeof(*b.cells));
	b.ceil = calloc((size_t)b.nsize * b.nbatch, sizeof(*b.ceil));
	if (!b.cells || !b.ceil)
		cli_internal_error("out of memory");
	for (int s = 0; s < b.nscn; s++)
		for (int z = 0; z < b.nsize; z++)
			for (int bt = 0; bt < b.nbatch; bt++)
				for (int a = 0; a < b.nalloc; a++) {
					if (!alloc_applies(b.scn[s], b.alloc[a]))
						continue;
					struct cell *c = &b.cells[b.ncells++];
					c->scn = b.scn[s];
					c->alloc = b.alloc[a];
					c->size = b.size[z];
					c->batch = (unsigned)b.batch[bt];
					c->hps = calloc(slots, sizeof(double));
					c->rtt = calloc(slots, sizeof(double));
					c->pinned[0] = b.cpu[0];
					c->pinned[1] = b.cpu[1];
					if (!c->hps || !c->rtt)
						cli_internal_error("out of memory");
				}
	for (int z = 0; z < b.nsize; z++)
		for (int bt = 0; bt < b.nbatch; bt++) {
			struct ceil_cell *cc = &b.ceil[b.nceil++];
			cc->size = b.size[z];
			cc->batch = (unsigned)b.batch[bt];
			cc->ring = calloc(slots, sizeof(double));
			cc->pool = calloc(slots, sizeof(double));
			cc->rtt = calloc(slots, sizeof(double));
			if (!cc->ring || !cc->pool || !cc->rtt)
				cli_internal_error("out of memory");
		}

	/* With --json -, stdout carries the JSON: the human output goes to stderr. */
	FILE *out = o.json_path && !strcmp(o.json_path, "-") ? stderr : stdout;
	int total = b.nscn * b.nsize * b.nbatch;
	if (!o.quiet) {
		fprintf(out, "slabstress bench: %d scenario%s, allocators", b.nscn,
			b.nscn == 1 ? "" : "s");
		for (int a = 0; a < b.nalloc; a++)
			fprintf(out, "%s%s", a ? "," : " ", b.alloc[a]->name);
		fprintf(out, " (ratios to %s), variant %s, seed %llu\n", b.alloc[0]->name,
			ss_variant_name(b.acfg.variant), o.sc.seed);
		fprintf(out, "  producer on CPU %d, consumer on CPU %d (fixed); consumer %s\n",
			b.cpu[0], b.cpu[1],
			o.cold ? "COLD (--cold-consumer: no warm-up allocation, free-only threads)"
			       : "warm (one touched allocation per thread before timing)");
		double per_round = o.duration * (b.nalloc + (o.no_ceilings ? 0 : 2));
		fprintf(out,
			"  %lu warm-up + %lu measured interleaved rounds of %.2f s per run; about "
			"%.0f s "
			"in all\n",
			o.warmup, o.repeat, o.duration,
			per_round * (double)(o.warmup + o.repeat) * total);
		for (int s = 0; s < b.nscn; s++)
			for (int bt = 0; bt < b.nbatch; bt++)
				if (b.batch[bt] > 1 && !scenario_declares_batch(b.scn[s])) {
					fprintf(
					    out,
					    "  note: %s does not declare --batch support: batch "
					    "%llu is "
					    "recorded as asked, but the scenario may hand over one "
					    "pointer per publish\n",
					    b.scn[s]->name, b.batch[bt]);
					break;
				}
		fflush(out);
	}

	ss_install_sigint();
	int done = 0;
	for (int s = 0; s < b.nscn && !ss_interrupted; s++)
		for (int z = 0; z < b.nsize && !ss_interrupted; z++)
			for (int bt = 0; bt < b.nbatch && !ss_interrupted; bt++)
				run_config(&b, b.scn[s], b.size[z], (unsigned)b.batch[bt], &done,
					   total);
	if (!o.quiet && cli_stderr_is_tty())
		fputc('\n', stderr);

	if (!o.quiet)
		print_table(&b, out);
	if (ss_interrupted)
		fprintf(out, "interrupted: the result holds the runs made so far\n");
	for (int i = 0; i < b.nceil; i++)
		if (b.ceil[i].bad)
			fprintf(
			    out,
			    "warning: pool ceiling size %zu batch %u saw %llu bad objects (harness "
			    "bug)\n",
			    b.ceil[i].size, b.ceil[i].batch, b.ceil[i].bad);

	json_t *doc = bench_json(&b);
	char err[256];
	if (o.json_path && res_write_atomic(doc, o.json_path, err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
	if (o.report_path && res_report_write(doc, o.report_path, err, sizeof(err)) != 0)
		cli_usage_error("%s", err);
	json_decref(doc);

	if (b.failures) {
		fprintf(out, "FAILED: %llu failure%s in", b.failures, b.failures == 1 ? "" : "s");
		const char *sep = " ";
		for (int i = 0; i < b.ncells; i++)
			if (b.cells[i].failures) {
				fprintf(out, "%s%s/%s/size %zu/batch %u (%llu)", sep,
					b.cells[i].scn->name, b.cells[i].alloc->name,
					b.cells[i].size, b.cells[i].batch, b.cells[i].failures);
				sep = ", ";
			}
		fprintf(out, ": the throughput of a failing run is not a result\n");
	} else {
		unsigned runs = 0;
		for (int i = 0; i < b.ncells; i++)
			runs += b.cells[i].n;
		fprintf(out, runs ? "clean: no failure in any run\n"
				  : "no runs: interrupted before the first run ended\n");
	}
	for (int i = 0; i < b.ncells; i++) {
		free(b.cells[i].hps);
		free(b.cells[i].rtt);
		json_decref(b.cells[i].first_failures);
	}
	for (int i = 0; i < b.nceil; i++) {
		free(b.ceil[i].ring);
		free(b.ceil[i].pool);
		free(b.ceil[i].rtt);
	}
	free(b.cells);
	free(b.ceil);
	return b.failures ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
}
