/* fuzz/fuzz.h - libFuzzer over emulator schedules: the in-process worker, the
 * target description passed to it, and what the campaign does with a failing
 * input (replay, minimize, deduplicate, save).
 *
 * Process layout of `slabstress fuzz` (fuzz/supervisor.c is the supervisor):
 *
 *   slabstress fuzz ...                 supervisor: options, status line, SIGINT,
 *    |                                  artifacts -> minimized reproducers, JSON
 *    +- slabstress fuzz --ss-worker     worker: LLVMFuzzerRunDriver in-process; the
 *        |  -artifact_prefix=...        input is the schedule; a failing schedule
 *        |                              abort()s so libFuzzer writes crash-<sha1>
 *        +- (-fork=N jobs: libFuzzer re-runs argv[0] = "slabstress fuzz --ss-worker")
 *
 * The target (scenario, variant, knobs, model, feedback) reaches every worker
 * through the environment variable SS_FUZZ_ENV, so libFuzzer's fork mode, which
 * re-executes the worker with its own flags, needs nothing else.
 */
#ifndef SS_FUZZ_FUZZ_H
#define SS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/emu.h"
#include "fuzz/coverage.h"

#define SS_FUZZ_ENV	   "SLABSTRESS_FUZZ_TARGET"
#define SS_FUZZ_WORKER_ARG "--ss-worker"

/* Was this binary linked with libFuzzer (clang builds)? */
bool ss_fuzz_have_libfuzzer(void);

/* Counters shared by all workers of a campaign (a MAP_SHARED page). */
struct ss_fuzz_shared {
	unsigned long long execs;
	unsigned long long failures;
	unsigned long long steps;
	unsigned long long consistent; /* --engine graph: executions the model allows */
};

struct ss_fuzz_target {
	struct emu_config ec; /* scn, alloc, acfg, model, iters, max_steps, seed */
	enum ss_cov_mode cov;
	char stats_path[512]; /* file holding struct ss_fuzz_shared ("" none) */
	bool graph;	      /* --engine graph: the input drives gx (fuzz/fuzz_graph.h) */
};

/* "scenario=... variant=... ..." for SS_FUZZ_ENV.  Returns 0 or -1 (too long). */
int ss_fuzz_target_encode(const struct ss_fuzz_target *t, char *buf, size_t n);
/* Returns 0, or -1 with a one-line message in err. */
int ss_fuzz_target_decode(struct ss_fuzz_target *t, const char *s, char *err, size_t errlen);
/* The standalone target's configuration: SLABSTRESS_SCENARIO, SLABSTRESS_VARIANT,
 * SLABSTRESS_MODEL, SLABSTRESS_ITERS, SLABSTRESS_FEEDBACK (default lazy-objexts,
 * rc1, lkmm, 1, interleaving).  Returns 0, or -1 with err. */
int ss_fuzz_target_from_env(struct ss_fuzz_target *t, char *err, size_t errlen);

/* One fuzz input: executes the schedule, folds its trace into the extra
 * counters.  Returns the execution's verdict in *res; -1 on internal error. */
int ss_fuzz_execute(struct emu *e, enum ss_cov_mode cov, const u8 *data, size_t len,
		    struct emu_result *res);

/* The worker: argv = {"fuzz", "--ss-worker", libFuzzer flags and corpus dirs...}.
 * Runs LLVMFuzzerRunDriver; returns its exit status. */
int ss_fuzz_worker_main(int argc, char **argv);

/* Does sched fail on e with this kind at this file:line (file NULL: any site)? */
int ss_fuzz_fails_same(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
		       const char *file, int line);

/* Shrinks a failing schedule: fuzz/minimize.h's ss_minimize_schedule when it
 * is linked in, else ss_fuzz_minimize_fallback.  Same contract. */
int ss_fuzz_minimize(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
		     const char *file, int line, unsigned long max_execs, u8 **out,
		     size_t *out_len);
/* Interim minimizer (kept until fuzz/minimize.c lands): keeps only the bytes
 * the run consumed, shortens the scheduling stream from its end, zeroes single
 * bytes; every step keeps the failure's kind and site. */
int ss_fuzz_minimize_fallback(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
			      const char *file, int line, unsigned long max_execs, u8 **out,
			      size_t *out_len);
/* Non-zero bytes (ss_schedule_decisions when linked in). */
size_t ss_fuzz_decisions(const u8 *sched, size_t len);

#endif /* SS_FUZZ_FUZZ_H */
