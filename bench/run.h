/* bench/run.h - one native run of a scenario (`slabstress run`): its config built
 * from the command's options and checked, and its result document (schema
 * slabstress-run/1).  The command parses and prints; this is what it runs.
 *
 * Errors: functions that check return 0, or -1 with one line in err (the caller's
 * usage error, exit 2).
 */
#ifndef SS_BENCH_RUN_H
#define SS_BENCH_RUN_H

#include <jansson.h>
#include <stddef.h>

#include "engine/engine.h"

/* What the command was asked, before defaults (0 = the default). */
struct ss_run_request {
	const struct ss_scenario *scn;
	const struct ss_alloc_ops *alloc;
	struct ss_alloc_config acfg;
	unsigned pairs;	      /* default 1 */
	unsigned long rounds; /* 0: run for duration */
	double duration;      /* default 3 s */
	unsigned long iters;  /* default 1000 */
	unsigned batch;	      /* default 1 */
	unsigned jitter;
	unsigned long long seed;
	bool keep_going, progress;
};

/* Fills cfg from req with the defaults (pin spread, no CPUs yet) and checks what
 * the scenario allows: pairs * roles threads at most SS_MAX_CPUS, one instance of a
 * slab-only scenario, --batch only where the scenario batches. */
int ss_run_config_build(struct ss_run_config *cfg, const struct ss_run_request *req, char *err,
			size_t errlen);
/* The pinned threads need a CPU each (unless pin none); cpus_arg names the list in
 * the message ("(default)" when NULL). */
int ss_run_check_cpus(const struct ss_run_config *cfg, const char *cpus_arg, char *err,
		      size_t errlen);

/* Every CPU this process may run on, in order, at most max; returns the count. */
int ss_run_allowed_cpus(int *cpus, int max);

/* Handoffs per second of a run (0 when it took no time). */
double ss_run_handoffs_per_s(const struct ss_run_stats *st);

/* Chooses the host CPU of each thread as the engine will (cfg->pin over cfg->cpus
 * and the sysfs topology), with the one-line fallback note ("" when none). */
void ss_run_plan_cpus(const struct ss_run_config *cfg, int *host_cpu, char *note, size_t notelen);

/* The host's memory model: "tso" on x86-64 (and i386), "weak" elsewhere. */
const char *ss_host_memory_model(void);
/* On a TSO host, what a native run cannot show (the reorderings x86 never makes and
 * the failures that need them), NULL-terminated; on other hosts an empty list. */
extern const char *const ss_tso_hidden[];
/* The notice run prints once on a TSO host (several lines, each ending in \n), or
 * "" on a weak host. */
void ss_tso_notice(char *buf, size_t n);

/* Witness counts like litmus7's: rounds, and per failure kind seen its count and
 * its rate per million rounds. */
json_t *ss_run_histogram_json(const struct ss_run_stats *st, const struct ss_failure_log *log);
/* The round-trip matrix as {"cpus": [...], "ns": [[...], ...]}. */
json_t *ss_rtt_matrix_json(const int *cpus, int n, const double *ns);
/* Measures the round-trip matrix between the distinct CPUs among cpus[0..n)
 * (negative ones dropped, the first SS_RTT_MATRIX_MAX): returns it as JSON, NULL
 * when it could not be measured (fewer than two CPUs, a thread not started), and
 * in *text (malloc'd, the caller frees) its table in ns, or why not, for printing. */
json_t *ss_run_rtt_matrix(const int *cpus, int n, char **text);

/* A native run's disturbance as JSON (run, bench). */
json_t *ss_disturbance_json(const struct ss_disturbance *d);

/* The run's result document: parameters, roles and their CPUs, counters, timing,
 * disturbance, failures and the verdict. */
json_t *ss_run_doc(const struct ss_run_config *cfg, const struct ss_run_stats *st,
		   const struct ss_failure_log *log, int argc, char **argv);

#endif /* SS_BENCH_RUN_H */
