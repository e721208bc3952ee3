/* engine/explore.h - exploration strategies over the emulator's schedules.
 *
 * random: every execution draws its schedule from a PRNG seeded by --seed and
 * the execution number: uniform scheduling (each front byte uniform: runs of 1 to
 * 32 steps, then a uniformly chosen runnable CPU), and each memory-model choice
 * weak with probability stale_prob (a load reads an older permitted message
 * chosen uniformly; a store buffer keeps or commits a single store) and strong
 * otherwise.  The bytes each execution consumed are recorded, so a failing
 * execution is replayed exactly from its schedule bytes alone.
 */
#ifndef SS_EXPLORE_H
#define SS_EXPLORE_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/emu.h"
#include "results/failures.h"

enum explore_strategy {
	EXPLORE_RANDOM,
	EXPLORE_PCT,
	EXPLORE_EXHAUSTIVE,
};

const char *explore_strategy_name(enum explore_strategy s);
/* "random", "pct", "exhaustive" -> 0 and *s; else -1. */
int explore_strategy_parse(const char *name, enum explore_strategy *s);

struct explore_opts {
	unsigned long long seed;
	unsigned long long max_execs; /* 0: until duration */
	double duration;	      /* seconds; 0: until max_execs */
	double stale_prob;	      /* 0..1 */
	bool keep_going;	      /* do not stop at the first failing execution */
	/* Called about every 100 ms of run time (may be NULL). */
	void (*progress)(void *ctx, unsigned long long execs, unsigned long long failed,
			 double elapsed);
	void *progress_ctx;
	/* Added for pct / exhaustive; zero values select the defaults. */
	enum explore_strategy strategy;
	unsigned depth;	      /* pct: bug depth d (0: 3) */
	unsigned history;     /* pct: a read goes back at most h messages (0: 1) */
	unsigned preemptions; /* exhaustive: preemption bound (0: 1, unless zero_preemptions) */
	unsigned staleness;   /* exhaustive: weak-choice bound (0: 1, unless zero_staleness) */
	bool zero_preemptions, zero_staleness; /* the bounds really are 0 */
	/* Called for every failing execution with its schedule (--save); may be NULL. */
	void (*on_failure)(void *ctx, const struct emu_result *r, const u8 *sched, size_t len);
	void *failure_ctx;
};

#define EXPLORE_PCT_DEPTH      3
#define EXPLORE_PCT_HISTORY    1
#define EXPLORE_EX_PREEMPTIONS 1
#define EXPLORE_EX_STALENESS   1

struct explore_stats {
	unsigned long long executions, failed_execs;
	unsigned long long steps, accesses, stale_reads, preemptions;
	double elapsed;
	bool interrupted;
	/* Failures by kind (one entry per failing execution: its first failure). */
	struct ss_failure_log log;
	/* The first failing execution. */
	bool found;
	unsigned long long first_exec; /* its number (0-based) */
	struct emu_result first;
	u8 *first_sched; /* malloc'ed schedule bytes */
	size_t first_len;
	/* Replaying first_sched gave the same failure kind (determinism check);
	 * the emulator then holds its trace for emu_print_trace(). */
	bool replay_ok;
	struct emu_result replay;
	char error[200]; /* internal error, if the return was -1 */
	/* pct: the parameters of the probability bound. */
	unsigned pct_n, pct_d, pct_h;
	unsigned long pct_k;
	double pct_bound; /* 1 / (n k^(d-1)) */
	/* exhaustive */
	bool complete;	/* the search space within the bounds is done */
	bool bound_hit; /* some alternatives were cut by the bounds */
	unsigned bound_p, bound_s;
	unsigned long max_decisions; /* longest decision sequence */
};

/* ---- the explorers ---------------------------------------------------------------
 *
 * Each runs executions of e (engine/emu.h) until o->max_execs (0: no bound),
 * o->duration seconds (0: no bound), the first failing execution (unless
 * o->keep_going), the end of the search space (exhaustive: st->complete) or
 * ss_interrupted (SIGINT: st->interrupted).  The first failing execution's
 * schedule is kept (st->first_sched) and replayed with the trace on
 * (st->replay, st->replay_ok): e then holds that trace for emu_print_trace().
 *
 * Pre: e from emu_create(), no execution of it running (its trace should be
 * off: the explorer turns it on for the replay only); a bound (max_execs or
 * duration) set unless the strategy ends by itself.  *st is overwritten.
 * Returns 0 (the findings in *st, failing or not), or -1 on an internal error
 * of an execution or out of memory (message in st->error).  Either way free
 * *st with explore_stats_free().  Deterministic: the same (e's config, o)
 * gives the same executions in the same order (durations aside). */

/* random: each execution's decisions from a PRNG seeded by (o->seed, its
 * number); a model choice is weak with probability o->stale_prob. */
int explore_random(struct emu *e, const struct explore_opts *o, struct explore_stats *st);
/* pct: PCT over the roles (o->depth, o->history); st->pct_* give the bound. */
int explore_pct(struct emu *e, const struct explore_opts *o, struct explore_stats *st);
/* exhaustive: depth-first over every schedule within o->preemptions
 * preemptions and o->staleness weak choices; st->complete when done. */
int explore_exhaustive(struct emu *e, const struct explore_opts *o, struct explore_stats *st);
/* o->strategy picks one of the three. */
int explore_run(struct emu *e, const struct explore_opts *o, struct explore_stats *st);
/* Frees what an explorer allocated in *st (first_sched); st stays usable. */
void explore_stats_free(struct explore_stats *st);

#endif /* SS_EXPLORE_H */
