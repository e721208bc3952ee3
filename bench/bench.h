/* bench/bench.h - the runner behind `slabstress bench` and its result document
 * (schema slabstress-bench/1): handoffs/s of scenarios under several allocators,
 * measured so that two results can be compared (results/compare.h) and read
 * against what the hardware allows.
 *
 * Method (reference/alloc-bench.md §2.1):
 *   - fixed pinning: producer (role 0) and consumer (role 1) on the same two CPUs in
 *     every run, never moved;
 *   - allocators interleaved, A B C A B C ..., after warmup discarded rounds, so a
 *     drift of the machine (a noisy neighbour, a vCPU moved by the host) hits every
 *     allocator alike;
 *   - before every run, a cache-line ping-pong between the two CPUs: its round trip
 *     is stored with the run, since on a shared VM it moves and throughput with it;
 *   - ceilings in the same interleaving: the bare SPSC ring and the recycled pool
 *     (engine/ceiling.h), per size and batch;
 *   - every consumer thread warm (the native engine makes one touched allocation per
 *     thread before the timed part) unless cold.
 * A run that finds a failure counts in the failures: a fast allocator that is wrong
 * is not fast.
 *
 * Use: fill the lists and the parameters of a zeroed struct ss_bench, then
 * ss_bench_setup, ss_bench_run, ss_bench_doc, ss_bench_free.
 */
#ifndef SS_BENCH_BENCH_H
#define SS_BENCH_BENCH_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/engine.h"

#define SS_BENCH_MAX_ALLOCS    8
#define SS_BENCH_MAX_SIZES     16
#define SS_BENCH_MAX_BATCHES   16
#define SS_BENCH_MAX_SCENARIOS 32
/* Round-trip spread ((max - min) / median) above which a cell counts as disturbed. */
#define SS_BENCH_RTT_SPREAD_MAX 0.5

/* One scenario, allocator, size and batch: its measured runs. */
struct ss_bench_cell {
	const struct ss_scenario *scn;
	const struct ss_alloc_ops *alloc;
	size_t size;
	unsigned batch;
	double *hps, *rtt; /* per measured run: handoffs/s, round trip in ns */
	unsigned n;	   /* measured runs */
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

/* The ring and pool ceilings of one size and batch. */
struct ss_bench_ceiling {
	size_t size;
	unsigned batch;
	double *ring, *pool, *rtt;
	unsigned n;
	unsigned long long bad; /* objects the pool got back wrong (a harness bug) */
	bool done;
};

/* What the runner tells its caller as it goes (each may be NULL). */
struct ss_bench_hooks {
	/* After each round of configuration config (0-based) of nconfigs. */
	void (*round)(void *arg, int config, int nconfigs, const struct ss_scenario *scn,
		      size_t size, unsigned batch, unsigned round, unsigned rounds, bool warmup);
	/* A run that found failures, at once. */
	void (*failure)(void *arg, const struct ss_bench_cell *c, const struct ss_failure_log *log);
	void *arg;
};

struct ss_bench {
	/* Filled by the caller: */
	const struct ss_scenario *scn[SS_BENCH_MAX_SCENARIOS];
	int nscn;
	const struct ss_alloc_ops *alloc[SS_BENCH_MAX_ALLOCS]; /* ratios are to the first */
	int nalloc;
	unsigned long long size[SS_BENCH_MAX_SIZES], batch[SS_BENCH_MAX_BATCHES];
	int nsize, nbatch;
	int cpu[SS_MAX_CPUS]; /* producer, consumer of pair 0, then of pair 1, ... */
	int ncpu;
	enum ss_pin pin;	/* how the runner pins: 0 (spread) keeps cpu[] as given on
				 * distinct cores; SS_PIN_FIXED after --pin chose them */
	const char *pin_policy; /* --pin as asked, for the document (NULL: "fixed") */
	struct ss_alloc_config acfg;
	unsigned long repeat, warmup, pairs, iters;
	double duration; /* of each run, seconds */
	unsigned long long seed;
	bool cold, no_ceilings;
	struct ss_bench_hooks hooks;
	/* Filled by ss_bench_setup and ss_bench_run: */
	struct ss_bench_cell *cells; /* scenario, size, batch, allocator order */
	int ncells;
	struct ss_bench_ceiling *ceil; /* size, batch order */
	int nceil;
	unsigned long long failures;
	char err[256]; /* an internal error */
};

/* Scenarios --all measures: two roles, a correct handoff; at most max.  Returns
 * the count. */
int ss_bench_all_scenarios(const struct ss_scenario **out, int max);
/* Whether scn runs under allocator a (slab-only scenarios need slab). */
bool ss_bench_alloc_applies(const struct ss_scenario *scn, const struct ss_alloc_ops *a);

/* The cells and the ceilings, in the order they are printed.  0, or -1 (b->err). */
int ss_bench_setup(struct ss_bench *b);
/* Every configuration (scenario, size, batch): warmup rounds then repeat measured
 * ones, each round every allocator once and the ceilings once (the first time a
 * size and batch come up).  Stops early on ss_interrupted.  0, or -1 on an internal
 * error (b->err). */
int ss_bench_run(struct ss_bench *b);
void ss_bench_free(struct ss_bench *b);

struct ss_bench_cell *ss_bench_cell_for(const struct ss_bench *b, const struct ss_scenario *scn,
					const struct ss_alloc_ops *a, size_t size, unsigned batch);
struct ss_bench_ceiling *ss_bench_ceiling_for(const struct ss_bench *b, size_t size,
					      unsigned batch);
/* Round-trip spread over a cell's runs: (max - min) / median. */
double ss_bench_rtt_spread(const struct ss_bench_cell *c);
/* Was this cell's throughput measured on a disturbed machine?  Its reasons into
 * why (may be NULL). */
bool ss_bench_cell_disturbed(const struct ss_bench_cell *c, char *why, size_t n);
/* Runs measured over all cells. */
unsigned ss_bench_runs(const struct ss_bench *b);

/* The result document (schema slabstress-bench/1). */
json_t *ss_bench_doc(const struct ss_bench *b, int argc, char **argv);

#endif /* SS_BENCH_BENCH_H */
