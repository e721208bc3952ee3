/* engine/gexplore_jobs.c - `explore --engine graph --jobs N`: one exhaustive
 * exploration over N forked worker processes.
 *
 * TruSt reaches each execution along one path only (engine/gx.h), so the
 * graphs on a stack are the roots of parts of the exploration that do not
 * overlap, and may be explored apart.  gexplore.c explores until its stack
 * holds a graph per job; here its graphs go to a pool in shared memory and the
 * workers are forked.  A worker takes a graph from the pool, explores all that
 * grows from it, and takes another.  While a worker waits for one, the others
 * give theirs: each, between two graphs, puts the bottom graph of its stack
 * (the first pushed: in a depth-first search the largest part left) into the
 * pool.  When every worker waits and the pool is empty, the exploration is
 * complete.
 *
 * The sets of graphs pushed and of executions seen are each worker's own
 * after the fork: a graph two workers both reached would be visited twice, but
 * none is (that set is a safety net that never finds a graph again on the
 * GenMC-shape proofs), so the counts are the sum of the workers' and the same
 * as one process's.
 *
 * The shared mapping also holds a stop flag (a failure when not --keep-going,
 * an internal error, the --executions budget, a stop signal the parent got)
 * and a slot of counters per worker, which the parent sums for its progress
 * line and at the end.  A worker writes its failing graphs and its races
 * (gx_save bytes) to a temporary file of its own; the parent replays each
 * failing graph in an emulator of its own, where the reproducer, o->on_failure
 * and the failure's record are made as in one process, and keeps the races.
 * A worker that dies is an internal error: the run is not complete. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "engine/gexplore_impl.h"

/* One worker's counters (those of struct gexplore_stats it adds to). */
struct job_slot {
	unsigned long long executions, consistent, distinct, inconsistent, diverged, too_big;
	unsigned long long refused, blocked, pruned, full, events;
	unsigned long long race_graphs, race_unchecked, race_dropped;
	int max_events;
	size_t max_stack;
	bool overflowed, interrupted;
	bool finished; /* took graphs until none was left, and explored each */
	bool error;
	char msg[200];
};

/* A graph in the pool (len 0: none). */
struct pool_graph {
	size_t len;
	unsigned char bytes[GX_GIVEN_MAX];
};

/* __atomic builtins only (kernel/kernel.h has the kernel's atomic_*). */
struct job_shared {
	int lock;		       /* the pool's and idle's */
	int stop;		       /* every worker stops after its graph */
	int idle;		       /* workers waiting for a graph */
	int nworkers, npool, nfull;    /* pool: npool places, nfull graphs */
	unsigned long long executions; /* every worker's graphs (--executions) */
	struct pool_graph *pool;       /* after the slots, in the same mapping */
	struct job_slot slot[];
};

static void pool_lock(struct job_shared *sh)
{
	while (__atomic_exchange_n(&sh->lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void pool_unlock(struct job_shared *sh)
{
	__atomic_store_n(&sh->lock, 0, __ATOMIC_RELEASE);
}

static bool stopped(struct job_shared *sh)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE) != 0;
}

/* A worker between two graphs: when another waits, the bottom graph of its
 * stack (if it has two or more) goes to the pool. */
static void maybe_give(struct job_shared *sh, struct gx *gx)
{
	if (!__atomic_load_n(&sh->idle, __ATOMIC_RELAXED) || gx_stack_size(gx) < 2)
		return;
	pool_lock(sh);
	for (int k = 0; k < sh->npool && sh->nfull < sh->idle; k++)
		if (!sh->pool[k].len &&
		    (sh->pool[k].len = gx_give_bottom(gx, sh->pool[k].bytes, 1)))
			sh->nfull++;
	pool_unlock(sh);
}

/* A worker with an empty stack: a graph from the pool onto it (1), or 0 when
 * every worker waits and the pool is empty (the exploration is complete), -1
 * on a stop or out of memory (*oom). */
static int take_graph(struct job_shared *sh, struct gx *gx, bool *oom)
{
	bool waiting = false;
	for (;;) {
		pool_lock(sh);
		for (int k = 0; k < sh->npool && sh->nfull; k++) {
			if (!sh->pool[k].len)
				continue;
			*oom = !gx_take_given(gx, sh->pool[k].bytes, sh->pool[k].len);
			sh->pool[k].len = 0;
			sh->nfull--;
			sh->idle -= waiting;
			pool_unlock(sh);
			return *oom ? -1 : 1;
		}
		if (!waiting)
			sh->idle++, waiting = true;
		bool all = sh->idle == sh->nworkers;
		pool_unlock(sh);
		if (all)
			return 0;
		if (stopped(sh))
			return -1;
		usleep(200);
	}
}

enum { REC_FAILURE = 1, REC_RACE = 2 };

/* A record of a worker's file: its type, the race's two sides (REC_RACE),
 * then the graph's length and bytes. */
static void write_record(FILE *f, unsigned char type, const struct race_access *pair,
			 const u8 *graph, size_t len)
{
	fwrite(&type, 1, 1, f);
	if (type == REC_RACE)
		fwrite(pair, sizeof(*pair), 2, f);
	fwrite(&len, sizeof(len), 1, f);
	fwrite(graph, 1, len, f);
}

/* The worker's counters into its slot: its own, and the explorer's since the
 * fork (base: the explorer's at the fork). */
static void publish(struct job_slot *s, const struct gexplore_stats *st, struct gx *gx,
		    const struct gx_stats *base)
{
	const struct gx_stats *gs = gx_stats(gx);
	s->executions = st->executions;
	s->consistent = st->consistent;
	s->distinct = st->distinct;
	s->inconsistent = st->inconsistent;
	s->diverged = st->diverged;
	s->too_big = st->too_big;
	s->race_graphs = st->race_graphs;
	s->race_unchecked = st->race_unchecked;
	s->race_dropped = st->race_dropped;
	s->refused = gs->refused - base->refused;
	s->blocked = gs->blocked - base->blocked;
	s->pruned = gs->pruned - base->pruned;
	s->full = gs->full - base->full;
	s->events = gs->events - base->events;
	s->max_events = gs->max_events;
	s->max_stack = gs->max_stack;
	s->overflowed = gx_overflowed(gx);
}

/* One graph of a worker: 0 go on, 1 stop. */
static int worker_graph(int w, const struct emu_config *cfg, struct emu *e, struct gdrive *d,
			struct exg *x, const struct gexplore_opts *o, struct job_shared *sh,
			struct gexplore_stats *st, FILE *out)
{
	struct job_slot *slot = &sh->slot[w];
	struct emu_result r;
	st->executions++;
	int k = gexplore_one_graph(e, d, cfg->model, x, st, &r);
	if (k < 0) {
		slot->error = true;
		snprintf(slot->msg, sizeof(slot->msg), "graph %llu of worker %d: %s",
			 st->executions, w + 1, r.internal_msg);
		return 1;
	}
	if (k > 0)
		gexplore_count_consistent(d->gx, o, st);
	if (k > 0 && r.kind) {
		size_t len = 0;
		u8 *graph = gx_save(d->gx, &len);
		if (graph)
			write_record(out, REC_FAILURE, NULL, graph, len);
		free(graph);
		if (!o->keep_going)
			return 1;
	}
	return 0;
}

/* Worker w: graphs from the pool until the exploration is complete or a
 * stop. */
static void worker_run(int w, const struct emu_config *cfg, struct emu *e, struct gdrive *d,
		       struct exg *x, const struct gexplore_opts *o, struct job_shared *sh,
		       unsigned long long budget, struct run_clock *clk, FILE *out)
{
	struct job_slot *slot = &sh->slot[w];
	struct gexplore_stats st;
	memset(&st, 0, sizeof(st));
	const struct gx_stats base = *gx_stats(d->gx);
	bool stop = false, oom = false;
	while (!stop) {
		int t = take_graph(sh, d->gx, &oom);
		if (t <= 0) {
			slot->finished = t == 0;
			break;
		}
		while (!stop && gx_begin(d->gx)) {
			if (budget &&
			    __atomic_fetch_add(&sh->executions, 1, __ATOMIC_SEQ_CST) >= budget)
				stop = true;
			else if (worker_graph(w, cfg, e, d, x, o, sh, &st, out))
				stop = true;
			if (stop)
				__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
			stop |= stopped(sh);
			maybe_give(sh, d->gx);
			if ((st.executions & 63) == 0) {
				publish(slot, &st, d->gx, &base);
				stop |= run_clock_stop(clk, &slot->interrupted, NULL, NULL, 0, 0);
			}
		}
	}
	if (oom) {
		slot->error = true;
		snprintf(slot->msg, sizeof(slot->msg), "worker %d: out of memory", w + 1);
	}
	/* its graphs are lost (a deadline, a signal, a failure): no other may
	 * wait for them */
	if (!slot->finished)
		__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (size_t i = 0; i < st.nraces; i++) {
		struct race_access pair[2] = {st.races[i].a, st.races[i].b};
		write_record(out, REC_RACE, pair, st.races[i].graph, st.races[i].len);
	}
	publish(slot, &st, d->gx, &base);
	if (fflush(out) != 0) {
		slot->error = true;
		snprintf(slot->msg, sizeof(slot->msg), "worker %d: cannot write its findings",
			 w + 1);
		slot->finished = false;
	}
}

/* The workers' counters into st. */
static void add_slots(struct gexplore_stats *st, const struct job_shared *sh, int n)
{
	for (int w = 0; w < n; w++) {
		const struct job_slot *s = &sh->slot[w];
		st->executions += s->executions;
		st->consistent += s->consistent;
		st->distinct += s->distinct;
		st->inconsistent += s->inconsistent;
		st->diverged += s->diverged;
		st->too_big += s->too_big;
		st->refused += s->refused;
		st->blocked += s->blocked;
		st->pruned += s->pruned;
		st->full += s->full;
		st->events += s->events;
		st->race_graphs += s->race_graphs;
		st->race_unchecked += s->race_unchecked;
		st->race_dropped += s->race_dropped;
		if (s->max_events > st->max_events)
			st->max_events = s->max_events;
		if (s->max_stack > st->max_stack)
			st->max_stack = s->max_stack;
		st->overflowed |= s->overflowed;
		st->interrupted |= s->interrupted;
	}
}

/* The parent while the workers run: progress, a stop signal passed on,
 * their ends (status[w]: as waitpid gives it). */
static void wait_workers(const pid_t *pid, int *status, int n, struct job_shared *sh,
			 const struct gexplore_opts *o, const struct gexplore_stats *st,
			 struct run_clock *clk, bool *interrupted)
{
	bool alive[GEXPLORE_MAX_JOBS];
	int left = 0;
	for (int w = 0; w < n; w++)
		left += alive[w] = pid[w] > 0;
	while (left) {
		for (int w = 0; w < n; w++)
			if (alive[w] && waitpid(pid[w], &status[w], WNOHANG) == pid[w]) {
				alive[w] = false, left--;
				/* one that died leaves the others waiting for its graphs */
				if (!WIFEXITED(status[w]) || WEXITSTATUS(status[w]) != 0)
					__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
			}
		if (ss_interrupted && !stopped(sh)) {
			*interrupted = true;
			__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
		}
		if (o->progress && left) {
			unsigned long long execs = st->executions;
			for (int w = 0; w < n; w++)
				execs += sh->slot[w].executions;
			o->progress(o->progress_ctx, execs, st->failed, run_clock_elapsed(clk));
		}
		if (left)
			usleep(50 * 1000);
	}
}

/* A worker's file: its failing graphs replayed here and recorded, its races
 * kept.  0, or -1 with st->error. */
static int take_findings(int w, FILE *f, const struct emu_config *cfg,
			 const struct gexplore_opts *o, struct gexplore_stats *st)
{
	unsigned char type;
	rewind(f);
	while (fread(&type, 1, 1, f) == 1) {
		struct race_access pair[2];
		size_t len;
		if ((type == REC_RACE && fread(pair, sizeof(pair[0]), 2, f) != 2) ||
		    fread(&len, sizeof(len), 1, f) != 1 || len > ((size_t)1 << 24))
			break;
		u8 *graph = malloc(len ? len : 1);
		if (!graph || fread(graph, 1, len, f) != len) {
			free(graph);
			break;
		}
		if (type == REC_RACE) {
			gexplore_keep_race(st, pair, graph, len);
			free(graph);
			continue;
		}
		struct emu_result res;
		struct emu *e = NULL;
		bool consistent = false;
		char err[200];
		int rc = gexplore_replay(cfg, graph, len, &res, &consistent, &e, err, sizeof(err));
		free(graph);
		if (rc != 0 || !consistent || !res.kind) {
			snprintf(st->error, sizeof(st->error),
				 "worker %d's failing graph did not fail when replayed: %s", w + 1,
				 rc ? err : "no failure");
			gexplore_free_emu(e);
			return -1;
		}
		gexplore_record_failure(e, emu_config_of(e)->graph, o, &res, st);
		gexplore_free_emu(e);
	}
	if (!feof(f)) {
		snprintf(st->error, sizeof(st->error), "worker %d's findings are cut short", w + 1);
		return -1;
	}
	return 0;
}

int gexplore_jobs_run(const struct emu_config *cfg, struct emu *e, struct gdrive *d, struct exg *x,
		      const struct gexplore_opts *o, struct gexplore_stats *st,
		      struct run_clock *clk)
{
	int n = o->jobs > GEXPLORE_MAX_JOBS ? GEXPLORE_MAX_JOBS : (int)o->jobs;
	int npool = 2 * n > (int)gx_stack_size(d->gx) ? 2 * n : (int)gx_stack_size(d->gx);
	size_t slots = sizeof(struct job_shared) + (size_t)n * sizeof(struct job_slot);
	slots = (slots + 63) & ~(size_t)63;
	size_t shbytes = slots + (size_t)npool * sizeof(struct pool_graph);
	struct job_shared *sh =
	    mmap(NULL, shbytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		snprintf(st->error, sizeof(st->error), "--jobs: no shared memory");
		return -1;
	}
	sh->pool = (struct pool_graph *)((char *)sh + slots);
	sh->nworkers = n;
	sh->npool = npool;
	for (int k = 0; k < npool; k++)
		if ((sh->pool[k].len = gx_give_bottom(d->gx, sh->pool[k].bytes, 0)))
			sh->nfull++;
	unsigned long long budget = o->max_execs ? o->max_execs - st->executions : 0;
	FILE *out[GEXPLORE_MAX_JOBS] = {0};
	pid_t pid[GEXPLORE_MAX_JOBS];
	int status[GEXPLORE_MAX_JOBS] = {0}, rc = 0;
	pid_t parent = getpid();
	fflush(stdout);
	fflush(stderr);
	for (int w = 0; w < n; w++) {
		pid[w] = -1;
		if (!(out[w] = tmpfile()) || (pid[w] = fork()) < 0) {
			snprintf(st->error, sizeof(st->error), "--jobs: cannot start worker %d",
				 w + 1);
			__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
			rc = -1;
			break;
		}
		if (pid[w] == 0) {
#ifdef __linux__
			prctl(PR_SET_PDEATHSIG, SIGKILL); /* no worker outlives a killed parent */
#endif
			if (getppid() == parent)
				worker_run(w, cfg, e, d, x, o, sh, budget, clk, out[w]);
			_exit(0);
		}
	}
	bool interrupted = false;
	wait_workers(pid, status, n, sh, o, st, clk, &interrupted);
	add_slots(st, sh, n);
	st->interrupted |= interrupted;
	bool finished = rc == 0;
	for (int w = 0; w < n && pid[w] > 0; w++) {
		const struct job_slot *s = &sh->slot[w];
		finished &= s->finished;
		if (rc == 0 && s->error) {
			snprintf(st->error, sizeof(st->error), "%s", s->msg);
			rc = -1;
		} else if (rc == 0 && !(WIFEXITED(status[w]) && WEXITSTATUS(status[w]) == 0)) {
			snprintf(st->error, sizeof(st->error), "--jobs: worker %d %s %d", w + 1,
				 WIFSIGNALED(status[w]) ? "was killed by signal" : "exited with",
				 WIFSIGNALED(status[w]) ? WTERMSIG(status[w])
							: WEXITSTATUS(status[w]));
			rc = -1;
		}
	}
	for (int w = 0; w < n && rc == 0 && pid[w] > 0; w++)
		rc = take_findings(w, out[w], cfg, o, st);
	for (int w = 0; w < n; w++)
		if (out[w])
			fclose(out[w]);
	st->complete = rc == 0 && finished;
	munmap(sh, shbytes);
	return rc;
}
