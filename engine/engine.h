/* engine/engine.h - what every engine takes and gives back.
 *
 * An engine runs a scenario in a world: native.c on real pinned threads, emu.c on
 * virtual CPUs under a schedule.  Engines know nothing of slabs: they see a
 * scenario descriptor, an allocator ops struct and a config.
 */
#ifndef SS_ENGINE_H
#define SS_ENGINE_H

#include <stdbool.h>

#include "engine/disturb.h"
#include "engine/topology.h"
#include "kernel/bug.h"
#include "results/failures.h"
#include "scenarios/scenario.h"

struct ss_run_config {
	const struct ss_scenario *scn;
	const struct ss_alloc_ops *alloc;
	struct ss_alloc_config acfg;
	int nthreads;	       /* threads: pairs * scn->nroles */
	int pairs;	       /* independent instances of the scenario sharing one
				* allocator world (0 or 1: one); thread t runs role
				* t % nroles of instance t / nroles on CPU index t */
	int cpus[SS_MAX_CPUS]; /* --cpus, as given (host CPU numbers) */
	int ncpus;	       /* entries in cpus[] */
	enum ss_pin pin;       /* engine/topology.h */
	unsigned long rounds;  /* 0: run for duration */
	double duration;       /* seconds; used when rounds == 0 */
	unsigned long iters;   /* handoffs per role per round */
	unsigned long long seed;
	unsigned jitter; /* 0 = off */
	bool progress;	 /* live one-line progress on stderr */
	bool keep_going; /* don't stop at the first failure */
	unsigned batch;	 /* pointers per publish (0 or 1: one) */
	bool cold;	 /* skip the per-thread warm-up allocation */
};

struct ss_run_stats {
	unsigned long rounds;
	unsigned long long handoffs, allocs, frees;
	double elapsed;		     /* seconds of the timed part */
	int pinned_cpu[SS_MAX_CPUS]; /* host CPU each thread ran on, -1 when unpinned */
	bool interrupted;	     /* SIGINT */
	struct ss_disturbance dist;  /* what disturbed the pinned threads */
};

/* ---- the native engine (engine/native.c) -------------------------------------------
 *
 * Runs the scenario on real threads: nthreads workers, thread t running role
 * t % nroles of pair t / nroles, pinned per cfg->pin to cfg->cpus (chosen by
 * ss_pin_choose over the sysfs topology, engine/topology.h), rounds
 * started together on a spin barrier, until cfg->rounds rounds (0: for
 * cfg->duration seconds), the first failure (unless keep_going) or SIGINT.
 * Every round ends with the scenario's check hook, the run with the allocator's
 * quiesce.
 *
 * Pre: cfg->scn and cfg->alloc set; nthreads = max(pairs, 1) * scn->nroles <=
 * SS_MAX_CPUS; ncpus >= 1 unless pin is SS_PIN_NONE; *log initialised
 * (ss_failure_log_init); ss_kops NULL (no emulator execution running).
 * Failures are recorded in *log (attached for the run); *stats is overwritten.
 * Returns 0 when the run happened (failures or not), 3 with a one-line message
 * in err when it could not (out of memory, threads that do not make pairs of
 * the scenario's roles, the world could not be made, a worker could not be
 * started or pinned).  Config errors (2) are the front end's: never returned. */
int ss_native_run(const struct ss_run_config *cfg, struct ss_failure_log *log,
		  struct ss_run_stats *stats, char *err, size_t errlen);

/* ss_interrupted: set by the stop handler (SIGINT, SIGTERM, SIGHUP); engines poll it. */
#include "results/stop.h"

#endif /* SS_ENGINE_H */
