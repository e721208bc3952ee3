/* engine/explore.c - the random exploration strategy (see explore.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/explore.h"

struct rgen {
	u64 s;
	u32 weak; /* P(weak choice) * 2^32 */
};

static inline u64 splitmix(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned gen_front(void *ctx)
{
	struct rgen *g = ctx;
	return (unsigned)(splitmix(&g->s) & 0xff);
}

static unsigned gen_back(void *ctx, enum wmm_choice_kind kind, unsigned n)
{
	struct rgen *g = ctx;
	u64 r = splitmix(&g->s);
	(void)kind;
	if ((u32)r >= g->weak || n < 2)
		return 0; /* newest value / commit everything now */
	/* a weak answer, uniform among the others: an older message, or (commits)
	 * keep everything buffered / commit one store */
	return 1 + (unsigned)((r >> 32) % (n - 1));
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void explore_stats_free(struct explore_stats *st)
{
	free(st->first_sched);
	st->first_sched = NULL;
}

static void log_add(struct ss_failure_log *log, const struct ss_failure *f, unsigned long exec)
{
	log->total++;
	log->by_kind[f->kind < SS_FAIL_NKINDS ? f->kind : SS_FAIL_NONE]++;
	if (log->kept < SS_LOG_KEEP) {
		log->round_of[log->kept] = exec;
		log->first[log->kept++] = *f;
	}
}

int explore_random(struct emu *e, const struct explore_opts *o, struct explore_stats *st)
{
	memset(st, 0, sizeof(*st));
	ss_failure_log_init(&st->log);
	double p = o->stale_prob < 0 ? 0 : o->stale_prob > 1 ? 1 : o->stale_prob;
	struct rgen g = {.weak = p >= 1 ? UINT32_MAX : (u32)(p * 4294967296.0)};
	struct emu_gen gen = {gen_front, gen_back, &g};
	struct emu_result r;
	double t0 = now(), next_tick = t0 + 0.1, deadline = o->duration > 0 ? t0 + o->duration : 0;
	int rc = 0;

	for (unsigned long long i = 0; !o->max_execs || i < o->max_execs; i++) {
		u64 sm = o->seed ^ (i * 0xd1b54a32d192ed03ULL);
		g.s = splitmix(&sm);
		if (emu_execute_gen(e, &gen, &r) != 0) {
			snprintf(st->error, sizeof(st->error), "execution %llu: %s", i, r.internal_msg);
			rc = -1;
			break;
		}
		st->executions++;
		st->steps += r.steps;
		st->accesses += r.accesses;
		st->stale_reads += r.stale_reads;
		st->preemptions += r.preemptions;
		if (r.kind) {
			st->failed_execs++;
			log_add(&st->log, &r.fail, (unsigned long)i);
			if (!st->found) {
				size_t len;
				const u8 *b = emu_last_schedule(e, &len);
				st->found = true;
				st->first_exec = i;
				st->first = r;
				st->first_sched = malloc(len ? len : 1);
				if (st->first_sched)
					memcpy(st->first_sched, b, len);
				st->first_len = len;
			}
			if (!o->keep_going)
				break;
		}
		if ((i & 63) == 63 || deadline) {
			double t = now();
			if (ss_interrupted) {
				st->interrupted = true;
				break;
			}
			if (deadline && t >= deadline)
				break;
			if (o->progress && t >= next_tick) {
				o->progress(o->progress_ctx, st->executions, st->failed_execs, t - t0);
				next_tick = t + 0.1;
			}
		}
	}
	st->elapsed = now() - t0;

	if (st->found && st->first_sched) {
		/* replay from the bytes alone, with the trace on */
		emu_set_trace(e, true);
		emu_execute(e, st->first_sched, st->first_len, &st->replay);
		emu_set_trace(e, false);
		st->replay_ok = st->replay.kind == st->first.kind &&
				st->replay.fail_step == st->first.fail_step;
	}
	return rc;
}
