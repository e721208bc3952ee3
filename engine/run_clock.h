/* engine/run_clock.h - the clock of an exploration loop, shared by the
 * schedule engine (engine/explore.c) and the graph engine (engine/gexplore.c):
 * its start, its --duration deadline, SIGINT/SIGTERM, and a progress call
 * about every 100 ms. */
#ifndef SS_ENGINE_RUN_CLOCK_H
#define SS_ENGINE_RUN_CLOCK_H

#include <stdbool.h>
#include <time.h>

#include "results/stop.h"

struct run_clock {
	double t0, next_tick, deadline; /* deadline 0: none */
};

static inline double run_clock_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Starts the clock; duration in seconds, 0: no deadline. */
static inline void run_clock_start(struct run_clock *c, double duration)
{
	c->t0 = run_clock_now();
	c->next_tick = c->t0 + 0.1;
	c->deadline = duration > 0 ? c->t0 + duration : 0;
}

/* Between executions: true when the loop must stop (a stop signal, which
 * sets *interrupted, or the deadline); otherwise calls progress (when not
 * NULL) if 100 ms have passed since the last call. */
static inline bool run_clock_stop(struct run_clock *c, bool *interrupted,
				  void (*progress)(void *ctx, unsigned long long execs,
						   unsigned long long failed, double elapsed),
				  void *ctx, unsigned long long execs, unsigned long long failed)
{
	double t = run_clock_now();
	if (ss_interrupted) {
		*interrupted = true;
		return true;
	}
	if (c->deadline && t >= c->deadline)
		return true;
	if (progress && t >= c->next_tick) {
		progress(ctx, execs, failed, t - c->t0);
		c->next_tick = t + 0.1;
	}
	return false;
}

/* Seconds since the start. */
static inline double run_clock_elapsed(const struct run_clock *c)
{
	return run_clock_now() - c->t0;
}

#endif /* SS_ENGINE_RUN_CLOCK_H */
