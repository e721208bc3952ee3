/* engine/native.c - the native engine: one real thread per scenario role, pinned with
 * pthread_setaffinity_np, rounds started together on a spin barrier (as litmus7
 * does) so the roles overlap in time.
 *
 * Round protocol (workers W0..Wn-1, the main thread only watches the clock):
 *
 *     W0: scenario reset ............ start barrier ... role ... end barrier ... check
 *     Wi:                             start barrier ... role ... end barrier
 *
 * W0 decides at the end of each round whether another one starts (rounds/duration
 * reached, a failure seen without --keep-going, SIGINT) and publishes that before
 * the start barrier.  The main thread sleeps, draws the progress line and sets
 * `stop` when the duration is over; roles notice it in ss_spin_wait() and return.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/world.h"

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sense-reversing spin barrier; workers are pinned, so spinning is what keeps the
 * start of a round tight. */
struct spin_barrier {
	int count __attribute__((aligned(64)));
	int sense;
	int n;
};

static void barrier_wait(struct spin_barrier *b, int *local_sense)
{
	*local_sense = !*local_sense;
	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == b->n) {
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&b->sense, *local_sense, __ATOMIC_RELEASE);
		return;
	}
	unsigned spins = 0;
	while (__atomic_load_n(&b->sense, __ATOMIC_ACQUIRE) != *local_sense) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		/* Unpinned or oversubscribed: let the others run. */
		if (++spins % 4096 == 0)
			sched_yield();
	}
}

struct native_run {
	const struct ss_run_config *cfg;
	struct ss_world *w[SS_MAX_CPUS]; /* one per pair; w[0] owns the allocator world */
	int npairs;
	struct ss_failure_log *log;
	struct spin_barrier start, end;
	volatile int done;
	volatile int stop;
	volatile unsigned long rounds_done;
	int host_cpu[SS_MAX_CPUS];
	unsigned long long ivcsw[SS_MAX_CPUS], vcsw[SS_MAX_CPUS]; /* per thread, at its end */
	int pin_error;
	char pin_msg[160];
	double t_start;
};

struct worker_arg {
	struct native_run *run;
	int role; /* role within its pair's scenario instance */
	int pair;
	int cpu; /* the CPU index the allocator sees: pair * nroles + role */
	pthread_t thread;
	int pin_errno; /* set by the worker: 0, or why pin_self() failed */
};

/* The contract says pthread_setaffinity_np: the worker does it itself, on its own
 * thread (the thread was already created pinned), and checks that the kernel agrees.
 * Done from inside the thread because a pthread_t that has exited may name no
 * thread: glibc then passes tid 0, and the call acts on the caller (the main thread
 * got pinned, or "failed" when its mask differed).  0, or an errno (EINVAL when the
 * kernel reports another mask). */
static int pin_self(int host_cpu)
{
	cpu_set_t set, got;
	CPU_ZERO(&set);
	CPU_SET(host_cpu, &set);
	CPU_ZERO(&got);
	int e = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (!e)
		e = pthread_getaffinity_np(pthread_self(), sizeof(got), &got);
	if (!e && !CPU_EQUAL(&got, &set))
		e = EINVAL;
	return e;
}

static void *worker_main(void *p)
{
	struct worker_arg *wa = p;
	struct native_run *run = wa->run;
	const struct ss_run_config *cfg = run->cfg;
	struct ss_world *w = run->w[wa->pair];
	bool coordinator = wa->cpu == 0;
	/* Each barrier flips its own sense, so each needs its own local copy. */
	int start_sense = 0, end_sense = 0;

	ss_cpu_id = wa->cpu;
	char name[16];
	const char *rn = cfg->scn->role_names[wa->role] ? cfg->scn->role_names[wa->role] : "role";
	if (run->npairs > 1)
		snprintf(name, sizeof(name), "ss-%s%d", rn, wa->pair);
	else
		snprintf(name, sizeof(name), "ss-%s", rn);
	pthread_setname_np(pthread_self(), name);
	if (run->host_cpu[wa->cpu] >= 0) {
		wa->pin_errno = pin_self(run->host_cpu[wa->cpu]);
		if (wa->pin_errno)
			run->stop = 1; /* one round, then the main thread reports it */
	}

	if (!cfg->cold) {
		/* Warm-up: one real, touched allocation per thread before the timed part,
		 * so allocators with thread caches (jemalloc, tcmalloc) run with them; a
		 * free-only consumer would measure a lock per free, not the allocator
		 * (reference/alloc-bench.md §2.4). */
		void *o = cfg->alloc->alloc(w->alloc_world, SS_GFP_ACCOUNT);
		if (o) {
			memset(o, 0x5a, 8);
			cfg->alloc->free(w->alloc_world, o);
		}
	}
	for (;;) {
		if (coordinator) {
			run->log->cur_round = run->rounds_done;
			for (int i = 0; i < run->npairs; i++) {
				run->w[i]->round = run->rounds_done;
				if (cfg->scn->reset)
					cfg->scn->reset(run->w[i]);
			}
		}
		barrier_wait(&run->start, &start_sense);
		if (run->done) {
			/* What took this pinned thread off its CPU during the run. */
			struct rusage ru;
			if (getrusage(RUSAGE_THREAD, &ru) == 0) {
				run->ivcsw[wa->cpu] = (unsigned long long)ru.ru_nivcsw;
				run->vcsw[wa->cpu] = (unsigned long long)ru.ru_nvcsw;
			}
			break;
		}
		cfg->scn->role[wa->role](w, wa->role);
		barrier_wait(&run->end, &end_sense);
		if (!coordinator)
			continue;
		/* Quiescent: only the coordinator runs until the next start barrier. */
		for (int i = 0; i < run->npairs; i++)
			if (cfg->scn->check)
				cfg->scn->check(run->w[i]);
		unsigned long r = run->rounds_done + 1;
		__atomic_store_n(&run->rounds_done, r, __ATOMIC_RELEASE);
		if ((cfg->rounds && r >= cfg->rounds) || run->stop || ss_interrupted ||
		    (!cfg->keep_going && __atomic_load_n(&run->log->total, __ATOMIC_RELAXED)))
			run->done = 1;
	}
	return NULL;
}

/* Picks a host CPU for each role from the given list, by pinning policy and the
 * topology in sysfs (the front end has already shown any fallback note). */
static void choose_cpus(const struct ss_run_config *cfg, int *out)
{
	struct ss_topology topo;
	char note[256];
	ss_topology_read(SS_TOPOLOGY_SYSFS, cfg->cpus, cfg->ncpus, &topo);
	ss_pin_choose(&topo, cfg->pin, cfg->scn->nroles, cfg->nthreads, cfg->seed, out, note,
		      sizeof(note));
}

static void print_progress(struct native_run *run, double elapsed, bool final)
{
	unsigned long long h = 0;
	for (int i = 0; i < run->npairs; i++)
		for (int r = 0; r < run->cfg->scn->nroles; r++)
			h += run->w[i]->ctr[r].handoffs;
	unsigned long rounds = run->rounds_done;
	double rate = elapsed > 0 ? (double)h / elapsed : 0;
	fprintf(stderr, "\r[%6.1fs] rounds %lu (%.0f/s)  handoffs %llu (%.2fM/s)  failures %llu%s",
		elapsed, rounds, elapsed > 0 ? rounds / elapsed : 0, h, rate / 1e6,
		(unsigned long long)run->log->total, final ? "\n" : "   ");
	fflush(stderr);
}

/* The worlds: w[0] with the allocator, one sibling per further pair.  Returns 0,
 * or -1 with err (nothing left allocated). */
static int create_worlds(struct native_run *run, char *err, size_t errlen)
{
	const struct ss_run_config *cfg = run->cfg;
	run->w[0] =
	    ss_world_create(cfg->scn, cfg->alloc, &cfg->acfg, cfg->iters, cfg->seed, err, errlen);
	for (int i = 1; run->w[0] && i < run->npairs; i++) {
		run->w[i] = ss_world_create_sibling(run->w[0], cfg->seed + (unsigned long long)i,
						    err, errlen);
		if (!run->w[i]) {
			for (int j = i - 1; j >= 0; j--)
				ss_world_destroy(run->w[j]);
			run->w[0] = NULL;
		}
	}
	if (!run->w[0])
		return -1;
	for (int i = 0; i < run->npairs; i++) {
		run->w[i]->stop = &run->stop;
		run->w[i]->jitter = cfg->jitter;
		run->w[i]->batch = cfg->batch ? cfg->batch : 1;
	}
	return 0;
}

/* Starts one pinned worker per thread.  Returns how many started; *rc becomes 3
 * (with err) when one could not start or be pinned. */
static int start_workers(struct native_run *run, struct worker_arg *args,
			 struct ss_run_stats *stats, int *rc, char *err, size_t errlen)
{
	const struct ss_run_config *cfg = run->cfg;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	int started = 0;
	for (int r = 0; r < cfg->nthreads; r++) {
		args[r].run = run;
		args[r].role = r % cfg->scn->nroles;
		args[r].pair = r / cfg->scn->nroles;
		args[r].cpu = r;
		args[r].pin_errno = 0;
		cpu_set_t set;
		CPU_ZERO(&set);
		if (run->host_cpu[r] >= 0) {
			CPU_SET(run->host_cpu[r], &set);
			/* Pinned before it starts: the thread never runs anywhere else. */
			pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		}
		int e = pthread_create(&args[r].thread, &attr, worker_main, &args[r]);
		if (e) {
			snprintf(err, errlen, "cannot start worker thread %d: %s", r, strerror(e));
			run->stop = 1;
			run->done = 1;
			*rc = 3;
			break;
		}
		started++;
		stats->pinned_cpu[r] = run->host_cpu[r];
	}
	pthread_attr_destroy(&attr);
	return started;
}

/* The main thread while workers run: the clock, SIGINT, the progress line. */
static void watch_run(struct native_run *run)
{
	const struct ss_run_config *cfg = run->cfg;
	double next_progress = run->t_start + 0.25;
	for (;;) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
		double t = now_seconds();
		if (ss_interrupted)
			run->stop = 1;
		if (cfg->rounds == 0 && t - run->t_start >= cfg->duration)
			run->stop = 1;
		if (cfg->progress && t >= next_progress) {
			print_progress(run, t - run->t_start, false);
			next_progress = t + 0.25;
		}
		if (__atomic_load_n(&run->done, __ATOMIC_ACQUIRE))
			break;
	}
}

/* After the join: disturbance, the allocator's quiescence checks, the counters,
 * and the worlds destroyed. */
static void finish_run(struct native_run *run, struct ss_run_stats *stats, int started,
		       unsigned long long steal0, unsigned long long total0)
{
	const struct ss_run_config *cfg = run->cfg;
	stats->elapsed = now_seconds() - run->t_start;
	unsigned long long steal1, total1;
	ss_cpu_ticks(run->host_cpu, cfg->nthreads, &steal1, &total1);
	memset(&stats->dist, 0, sizeof(stats->dist));
	for (int r = 0; r < started; r++) {
		stats->dist.ivcsw += run->ivcsw[r];
		stats->dist.vcsw += run->vcsw[r];
	}
	ss_disturbance_judge(&stats->dist, steal1 - steal0, total1 - total0, stats->elapsed,
			     started);
	if (cfg->progress)
		print_progress(run, stats->elapsed, true);

	/* Quiescent: drain per-CPU caches, look for leaks and broken invariants. */
	ss_cpu_id = 0;
	cfg->alloc->quiesce(run->w[0]->alloc_world);

	stats->rounds = run->rounds_done;
	for (int i = 0; i < run->npairs; i++)
		for (int r = 0; r < cfg->scn->nroles; r++) {
			stats->handoffs += run->w[i]->ctr[r].handoffs;
			stats->allocs += run->w[i]->ctr[r].allocs;
			stats->frees += run->w[i]->ctr[r].frees;
		}
	stats->interrupted = ss_interrupted;
	ss_failure_log_attach(NULL);
	for (int i = run->npairs - 1; i >= 0; i--)
		ss_world_destroy(run->w[i]);
}

int ss_native_run(const struct ss_run_config *cfg, struct ss_failure_log *log,
		  struct ss_run_stats *stats, char *err, size_t errlen)
{
	struct native_run *run = aligned_alloc(64, (sizeof(*run) + 63) & ~(size_t)63);
	struct worker_arg args[SS_MAX_CPUS];
	int rc = 0;

	if (!run) {
		snprintf(err, errlen, "out of memory");
		return 3;
	}
	memset(run, 0, sizeof(*run));
	memset(stats, 0, sizeof(*stats));
	run->cfg = cfg;
	run->log = log;
	run->start.n = run->end.n = cfg->nthreads;
	choose_cpus(cfg, run->host_cpu);

	run->npairs = cfg->pairs > 1 ? cfg->pairs : 1;
	if (run->npairs * cfg->scn->nroles != cfg->nthreads || cfg->nthreads > SS_MAX_CPUS) {
		snprintf(err, errlen, "%d threads do not make %d pairs of %d roles", cfg->nthreads,
			 run->npairs, cfg->scn->nroles);
		free(run);
		return 3;
	}
	if (create_worlds(run, err, errlen) != 0) {
		free(run);
		return 3;
	}
	ss_failure_log_attach(log);

	int started = start_workers(run, args, stats, &rc, err, errlen);
	unsigned long long steal0, total0;
	ss_cpu_ticks(run->host_cpu, cfg->nthreads, &steal0, &total0);
	run->t_start = now_seconds();
	if (started == cfg->nthreads && rc == 0) {
		watch_run(run);
	} else if (started < cfg->nthreads) {
		/* A worker is missing: the barrier would never fill.  Nothing to join
		 * cleanly; report and leave (the process exits next). */
		free(run);
		return 3;
	} else {
		run->stop = 1;
		run->done = 1;
	}
	for (int r = 0; r < started; r++) {
		pthread_join(args[r].thread, NULL);
		if (args[r].pin_errno && rc == 0) {
			snprintf(err, errlen, "cannot pin role %d to CPU %d: %s", r,
				 run->host_cpu[r], strerror(args[r].pin_errno));
			rc = 3;
		}
	}
	finish_run(run, stats, started, steal0, total0);
	free(run);
	return rc;
}
