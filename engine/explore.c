/* engine/explore.c - exploration strategies: random, pct, exhaustive (see
 * explore.h).  All three drive the emulator through a generator of schedule
 * bytes, so every execution, failing or not, replays from its bytes alone. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/explore.h"
#include "engine/pct.h"
#include "engine/run_clock.h"

static inline u64 splitmix(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

const char *explore_strategy_name(enum explore_strategy s)
{
	switch (s) {
	case EXPLORE_PCT: return "pct";
	case EXPLORE_EXHAUSTIVE: return "exhaustive";
	default: return "random";
	}
}

int explore_strategy_parse(const char *name, enum explore_strategy *s)
{
	static const enum explore_strategy all[] = {EXPLORE_RANDOM, EXPLORE_PCT,
						    EXPLORE_EXHAUSTIVE};
	for (unsigned i = 0; i < 3; i++)
		if (!strcmp(name, explore_strategy_name(all[i]))) {
			*s = all[i];
			return 0;
		}
	return -1;
}

void explore_stats_free(struct explore_stats *st)
{
	free(st->first_sched);
	st->first_sched = NULL;
}

/* One execution of a strategy: 0 ran (verdict in *r), 1 nothing left to run,
 * -1 internal error (r->internal_msg). */
typedef int (*exec_fn)(void *ctx, struct emu *e, unsigned long long i, struct emu_result *r);

/* The loop every strategy shares: budget, stop at the first failure, SIGINT,
 * progress, and the determinism check of the first failing schedule. */
static int run_loop(struct emu *e, const struct explore_opts *o, struct explore_stats *st,
		    exec_fn one, void *ctx)
{
	struct emu_result r;
	struct run_clock clk;
	run_clock_start(&clk, o->duration);
	int rc = 0;

	for (unsigned long long i = 0; !o->max_execs || i < o->max_execs; i++) {
		int x = one(ctx, e, i, &r);
		if (x == 1) {
			st->complete = true;
			break;
		}
		if (x != 0) {
			snprintf(st->error, sizeof(st->error), "execution %llu: %s", i,
				 r.internal_msg);
			rc = -1;
			break;
		}
		st->executions++;
		st->steps += r.steps;
		st->accesses += r.accesses;
		st->stale_reads += r.stale_reads;
		st->preemptions += r.preemptions;
		if (r.kind) {
			size_t len;
			const u8 *b = emu_last_schedule(e, &len);
			st->failed_execs++;
			ss_failure_log_add(&st->log, &r.fail, (unsigned long)i);
			if (o->on_failure)
				o->on_failure(o->failure_ctx, &r, b, len);
			if (!st->found) {
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
		if (((i & 63) == 63 || clk.deadline) &&
		    run_clock_stop(&clk, &st->interrupted, o->progress, o->progress_ctx,
				   st->executions, st->failed_execs))
			break;
	}
	st->elapsed = run_clock_elapsed(&clk);

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

static void stats_init(struct explore_stats *st)
{
	memset(st, 0, sizeof(*st));
	ss_failure_log_init(&st->log);
}

/* ---- random ----------------------------------------------------------------------- */

struct rgen {
	u64 s;
	u32 weak; /* P(weak choice) * 2^32 */
	u64 seed;
	struct emu_gen gen;
};

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

static int random_one(void *ctx, struct emu *e, unsigned long long i, struct emu_result *r)
{
	struct rgen *g = ctx;
	u64 sm = g->seed ^ (i * 0xd1b54a32d192ed03ULL);
	g->s = splitmix(&sm);
	return emu_execute_gen(e, &g->gen, r);
}

int explore_random(struct emu *e, const struct explore_opts *o, struct explore_stats *st)
{
	stats_init(st);
	double p = o->stale_prob < 0 ? 0 : o->stale_prob > 1 ? 1 : o->stale_prob;
	struct rgen g = {.weak = p >= 1 ? UINT32_MAX : (u32)(p * 4294967296.0), .seed = o->seed};
	g.gen = (struct emu_gen){gen_front, gen_back, &g};
	return run_loop(e, o, st, random_one, &g);
}

/* ---- pct ----------------------------------------------------------------------------- */

#define PCT_MAXD 16

struct pct {
	u64 s, seed;
	unsigned n, d, h;
	unsigned long k;
	int prio[SS_MAX_ROLES];
	unsigned long cp[PCT_MAXD]; /* change points, ascending; cp[j] lowers to d-1-j */
	unsigned ncp, next_cp;
	struct emu_gen gen;
};

static unsigned pct_front(void *ctx)
{
	(void)ctx;
	return 0;
}

static unsigned pct_pick(void *ctx, const struct emu_pick_info *pi)
{
	struct pct *p = ctx;
	/* change points reached: the CPU that was running drops below everyone */
	int best = pct_highest(p->prio, p->cp, p->ncp, &p->next_cp, p->d, pi);
	/* Run until the next change point, but only while no higher-priority CPU
	 * is blocked (it may wake up at any step and must then preempt). */
	unsigned long run = 32;
	if (p->next_cp < p->ncp && p->cp[p->next_cp] - pi->step < run)
		run = p->cp[p->next_cp] - pi->step;
	for (unsigned c = 0; c < p->n; c++) {
		bool is_runnable = false;
		for (int i = 0; i < pi->n; i++)
			is_runnable |= pi->cpus[i] == (int)c;
		if (!is_runnable && p->prio[c] > p->prio[pi->cpus[best]])
			run = 1;
	}
	if (run < 1)
		run = 1;
	return (unsigned)best << 5 | (unsigned)(run - 1);
}

static unsigned pct_back(void *ctx, enum wmm_choice_kind kind, unsigned n)
{
	struct pct *p = ctx;
	u64 r = splitmix(&p->s);
	if (n < 2)
		return 0;
	if (kind == WMM_CHOICE_READ) {
		unsigned m = n - 1 < p->h ? n - 1 : p->h;
		return (unsigned)(r % (m + 1));
	}
	return (unsigned)(r & 1); /* commit now, or keep buffered */
}

static int pct_one(void *ctx, struct emu *e, unsigned long long i, struct emu_result *r)
{
	struct pct *p = ctx;
	u64 sm = p->seed ^ (i * 0xd1b54a32d192ed03ULL);
	p->s = splitmix(&sm);
	/* random distinct initial priorities d .. d+n-1 (Fisher-Yates) */
	int perm[SS_MAX_ROLES];
	for (unsigned c = 0; c < p->n; c++)
		perm[c] = (int)c;
	for (unsigned c = p->n; c-- > 1;) {
		unsigned j = (unsigned)(splitmix(&p->s) % (c + 1));
		int t = perm[c];
		perm[c] = perm[j];
		perm[j] = t;
	}
	for (unsigned c = 0; c < p->n; c++)
		p->prio[perm[c]] = (int)(p->d + c);
	/* d-1 change points, uniform among steps 1..k, sorted */
	p->ncp = p->d - 1;
	for (unsigned j = 0; j < p->ncp; j++)
		p->cp[j] = 1 + splitmix(&p->s) % p->k;
	pct_sort_change_points(p->cp, p->ncp);
	p->next_cp = 0;
	int rc = emu_execute_pick(e, &p->gen, pct_pick, r);
	if (r->steps > p->k) /* the bound's k: the longest execution seen */
		p->k = r->steps;
	return rc;
}

int explore_pct(struct emu *e, const struct explore_opts *o, struct explore_stats *st)
{
	stats_init(st);
	struct pct *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(st->error, sizeof(st->error), "out of memory");
		return -1;
	}
	p->seed = o->seed;
	p->n = (unsigned)emu_config_of(e)->scn->nroles;
	p->d = o->depth ? o->depth : EXPLORE_PCT_DEPTH;
	if (p->d > PCT_MAXD)
		p->d = PCT_MAXD;
	p->h = o->history ? o->history : EXPLORE_PCT_HISTORY;
	p->gen = (struct emu_gen){pct_front, pct_back, p};
	/* k: the length of the default (sequentially consistent) execution */
	struct emu_result r;
	if (emu_execute(e, NULL, 0, &r) != 0) {
		snprintf(st->error, sizeof(st->error), "default execution: %s", r.internal_msg);
		free(p);
		return -1;
	}
	p->k = r.steps > 1 ? r.steps : 1;
	int rc = run_loop(e, o, st, pct_one, p);
	st->pct_n = p->n;
	st->pct_d = p->d;
	st->pct_h = p->h;
	st->pct_k = p->k;
	double b = p->n;
	for (unsigned j = 1; j < p->d; j++)
		b *= (double)p->k;
	st->pct_bound = 1.0 / b;
	free(p);
	return rc;
}

/* ---- exhaustive ------------------------------------------------------------------- */

struct dec {
	u8 n; /* alternatives */
	u8 chosen;
	u8 front;	  /* scheduling decision (else a model choice) */
	u8 cur_ok;	  /* front: the current CPU could have gone on (others = preemption) */
	u16 pre_p, pre_s; /* preemptions / weak choices used before this decision */
};

struct exh {
	struct dec *d;
	size_t nd, cap, pos; /* pos: next decision of the running execution */
	unsigned maxp, maxs;
	unsigned up, us; /* used so far in the running execution */
	bool overflow, mismatch, bound_hit;
	unsigned long maxdec;
	struct emu_gen gen;
};

static unsigned exh_front(void *ctx)
{
	(void)ctx;
	return 0;
}

/* The answer of the next decision with n alternatives: replayed from the stack,
 * or a new default (0) decision pushed. */
static unsigned exh_decide(struct exh *x, unsigned n, bool front, bool cur_ok)
{
	if (x->pos < x->nd) {
		struct dec *d = &x->d[x->pos++];
		if (d->n != n || d->front != front)
			x->mismatch = true; /* nondeterminism: should not happen */
		unsigned k = d->chosen < n ? d->chosen : 0;
		if (k && (!front || cur_ok)) {
			if (front)
				x->up++;
			else
				x->us++;
		}
		return k;
	}
	if (x->nd == x->cap) {
		size_t nc = x->cap ? 2 * x->cap : 1024;
		struct dec *nd = realloc(x->d, nc * sizeof(*nd));
		if (!nd) {
			x->overflow = true;
			return 0;
		}
		x->d = nd;
		x->cap = nc;
	}
	struct dec *d = &x->d[x->nd++];
	d->n = (u8)(n > 255 ? 255 : n);
	d->chosen = 0;
	d->front = front;
	d->cur_ok = cur_ok;
	d->pre_p = (u16)x->up;
	d->pre_s = (u16)x->us;
	x->pos++;
	return 0;
}

static unsigned exh_pick(void *ctx, const struct emu_pick_info *pi)
{
	struct exh *x = ctx;
	if (pi->n < 2)
		return 0;
	return exh_decide(x, (unsigned)pi->n, true, pi->cur_runnable) << 5;
}

static unsigned exh_back(void *ctx, enum wmm_choice_kind kind, unsigned n)
{
	struct exh *x = ctx;
	if (n < 2)
		return 0;
	/* Store buffers: commit everything now, or keep everything buffered for
	 * this step (committing one store of several is left to random/pct). */
	if (kind == WMM_CHOICE_COMMIT)
		n = 2;
	return exh_decide(x, n, false, false);
}

/* Moves to the next decision sequence in DFS order; false when none is left. */
static bool exh_next(struct exh *x)
{
	while (x->nd > 0) {
		struct dec *d = &x->d[x->nd - 1];
		bool costs = !d->front || d->cur_ok;
		bool budget = !costs || (d->front ? d->pre_p < x->maxp : d->pre_s < x->maxs);
		if (d->chosen + 1 < d->n) {
			if (budget) {
				d->chosen++;
				return true;
			}
			x->bound_hit = true;
		}
		x->nd--;
	}
	return false;
}

static int exh_one(void *ctx, struct emu *e, unsigned long long i, struct emu_result *r)
{
	struct exh *x = ctx;
	if (i > 0 && !exh_next(x))
		return 1;
	x->pos = 0;
	x->up = x->us = 0;
	int rc = emu_execute_pick(e, &x->gen, exh_pick, r);
	/* decisions beyond the replayed prefix that the run did not reach are stale */
	if (x->pos < x->nd)
		x->nd = x->pos;
	if (x->nd > x->maxdec)
		x->maxdec = x->nd;
	if (x->overflow && rc == 0) {
		snprintf(r->internal_msg, sizeof(r->internal_msg),
			 "out of memory (decision stack)");
		return -1;
	}
	if (x->mismatch && rc == 0) {
		snprintf(r->internal_msg, sizeof(r->internal_msg),
			 "replaying a decision prefix gave a different run (nondeterminism)");
		return -1;
	}
	return rc;
}

int explore_exhaustive(struct emu *e, const struct explore_opts *o, struct explore_stats *st)
{
	stats_init(st);
	struct exh x;
	memset(&x, 0, sizeof(x));
	x.maxp = o->preemptions || o->zero_preemptions ? o->preemptions : EXPLORE_EX_PREEMPTIONS;
	x.maxs = o->staleness || o->zero_staleness ? o->staleness : EXPLORE_EX_STALENESS;
	x.gen = (struct emu_gen){exh_front, exh_back, &x};
	int rc = run_loop(e, o, st, exh_one, &x);
	st->bound_hit = x.bound_hit;
	st->bound_p = x.maxp;
	st->bound_s = x.maxs;
	st->max_decisions = x.maxdec;
	/* stopped at a failure or by the budget: not complete */
	if (!st->complete)
		st->complete = false;
	free(x.d);
	return rc;
}

int explore_run(struct emu *e, const struct explore_opts *o, struct explore_stats *st)
{
	switch (o->strategy) {
	case EXPLORE_PCT: return explore_pct(e, o, st);
	case EXPLORE_EXHAUSTIVE: return explore_exhaustive(e, o, st);
	default: return explore_random(e, o, st);
	}
}
