/* engine/ceiling.c - pinned-thread micro benchmarks that bound a handoff from above
 * (see ceiling.h).
 *
 * Ring protocol (both ceilings): single producer, single consumer, capacity a power
 * of two.  The producer writes slots, then publishes `head` with a release store
 * every `batch` items; the consumer reads `head` with an acquire load, takes every
 * visible item, then publishes `tail` with a release store.  Each side keeps a
 * cached copy of the other's index and re-reads it only when it runs out, so the
 * index lines move once per batch, not once per item.  A side that is about to
 * spin first publishes what it holds (a partial batch): without that, producer
 * and consumer of the pool could each wait for the other's unpublished half batch.
 *
 * The pool payload is written and checked word by word over the whole object (not
 * only the first words as scenarios do): that is the memory traffic a handoff of a
 * `size`-byte object costs at least.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/ceiling.h"

#define CACHELINE 64

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* ---- two pinned threads ---------------------------------------------------------- */

struct pair {
	void (*fn[2])(void *arg);
	void *arg;
	int go;	   /* both started: run */
	int ready; /* threads that reached the start line */
};

struct pair_thread {
	struct pair *p;
	int side;
};

static void *pair_main(void *a)
{
	struct pair_thread *t = a;
	__atomic_add_fetch(&t->p->ready, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&t->p->go, __ATOMIC_ACQUIRE))
		relax();
	t->p->fn[t->side](t->p->arg);
	return NULL;
}

/* Starts fn[0] on cpu_a and fn[1] on cpu_b, releases them together, and returns
 * once both are running (stop them through their arg), or -1 with err. */
static int pair_start(struct pair *p, pthread_t th[2], struct pair_thread pt[2], int cpu_a,
		      int cpu_b, char *err, size_t errlen)
{
	int cpus[2] = {cpu_a, cpu_b};
	for (int i = 0; i < 2; i++) {
		pthread_attr_t attr;
		cpu_set_t set;
		pthread_attr_init(&attr);
		CPU_ZERO(&set);
		CPU_SET(cpus[i], &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		pt[i] = (struct pair_thread){p, i};
		int e = pthread_create(&th[i], &attr, pair_main, &pt[i]);
		pthread_attr_destroy(&attr);
		if (!e)
			e = pthread_setaffinity_np(th[i], sizeof(set), &set);
		if (e) {
			snprintf(err, errlen, "ceiling: cannot start a thread pinned to CPU %d: %s",
				 cpus[i], strerror(e));
			/* Let a started sibling run to completion on an empty job. */
			__atomic_store_n(&p->go, 1, __ATOMIC_RELEASE);
			if (i == 1)
				pthread_join(th[0], NULL);
			return -1;
		}
	}
	while (__atomic_load_n(&p->ready, __ATOMIC_ACQUIRE) < 2)
		relax();
	__atomic_store_n(&p->go, 1, __ATOMIC_RELEASE);
	return 0;
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ---- round trip ------------------------------------------------------------------ */

struct rtt_job {
	int line __attribute__((aligned(CACHELINE))); /* the one line that moves */
	char pad[CACHELINE - sizeof(int)];
	unsigned trips, samples;
	double *ns;
	int abort;
};

/* Side A writes odd values and waits for the even reply; B answers each odd value
 * with the next even one.  One round trip = two line transfers. */
static void rtt_a(void *arg)
{
	struct rtt_job *j = arg;
	int v = 0;
	for (unsigned s = 0; s < j->samples; s++) {
		double t0 = now_s();
		for (unsigned i = 0; i < j->trips; i++) {
			__atomic_store_n(&j->line, ++v, __ATOMIC_RELEASE);
			++v;
			while (__atomic_load_n(&j->line, __ATOMIC_ACQUIRE) != v)
				;
		}
		j->ns[s] = (now_s() - t0) * 1e9 / j->trips;
	}
	__atomic_store_n(&j->line, -1, __ATOMIC_RELEASE);
}

static void rtt_b(void *arg)
{
	struct rtt_job *j = arg;
	for (;;) {
		int v;
		while (!((v = __atomic_load_n(&j->line, __ATOMIC_ACQUIRE)) & 1) && v >= 0)
			;
		if (v < 0)
			return;
		__atomic_store_n(&j->line, v + 1, __ATOMIC_RELEASE);
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double ss_ceiling_rtt_ns(int cpu_a, int cpu_b, unsigned trips, unsigned samples, char *err,
			 size_t errlen)
{
	if (!trips)
		trips = 2000;
	if (!samples)
		samples = 5;
	struct rtt_job *j = aligned_alloc(CACHELINE, sizeof(*j));
	double *ns = calloc(samples, sizeof(*ns));
	if (!j || !ns) {
		free(j);
		free(ns);
		snprintf(err, errlen, "ceiling: out of memory");
		return -1;
	}
	memset(j, 0, sizeof(*j));
	j->trips = trips;
	j->samples = samples;
	j->ns = ns;
	struct pair p = {{rtt_a, rtt_b}, j, 0, 0};
	pthread_t th[2];
	struct pair_thread pt[2];
	if (pair_start(&p, th, pt, cpu_a, cpu_b, err, errlen) != 0) {
		free(j);
		free(ns);
		return -1;
	}
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	qsort(ns, samples, sizeof(*ns), cmp_d);
	double med = samples % 2 ? ns[samples / 2] : (ns[samples / 2 - 1] + ns[samples / 2]) / 2;
	free(j);
	free(ns);
	return med;
}

/* ---- SPSC ring ------------------------------------------------------------------- */

struct ring {
	unsigned long head __attribute__((aligned(CACHELINE))); /* written by the producer */
	unsigned long tail __attribute__((aligned(CACHELINE))); /* written by the consumer */
	void **slot __attribute__((aligned(CACHELINE)));
	unsigned long mask;
};

/* Producer-side view: private, on the producer's own line. */
struct ring_prod {
	struct ring *r;
	unsigned long head, tail_cache, published;
};

struct ring_cons {
	struct ring *r;
	unsigned long tail, head_cache;
};

static inline void prod_publish(struct ring_prod *p)
{
	if (p->published != p->head) {
		__atomic_store_n(&p->r->head, p->head, __ATOMIC_RELEASE);
		p->published = p->head;
	}
}

/* Returns 0 when the ring stays full until *stop. */
static inline int prod_push(struct ring_prod *p, void *v, unsigned batch, const int *stop)
{
	if (p->head - p->tail_cache > p->r->mask) {
		p->tail_cache = __atomic_load_n(&p->r->tail, __ATOMIC_ACQUIRE);
		if (p->head - p->tail_cache > p->r->mask) {
			prod_publish(p);
			while (p->head - (p->tail_cache =
					      __atomic_load_n(&p->r->tail, __ATOMIC_ACQUIRE)) >
			       p->r->mask) {
				if (__atomic_load_n(stop, __ATOMIC_RELAXED))
					return 0;
				relax();
			}
		}
	}
	p->r->slot[p->head & p->r->mask] = v;
	p->head++;
	if (p->head - p->published >= batch)
		prod_publish(p);
	return 1;
}

/* Items visible to the consumer, waiting (after publishing its tail) until there
 * is one or *stop. */
static inline unsigned long cons_avail(struct ring_cons *c, const int *stop)
{
	if (c->head_cache != c->tail)
		return c->head_cache - c->tail;
	c->head_cache = __atomic_load_n(&c->r->head, __ATOMIC_ACQUIRE);
	while (c->head_cache == c->tail) {
		if (__atomic_load_n(stop, __ATOMIC_RELAXED))
			return 0;
		relax();
		c->head_cache = __atomic_load_n(&c->r->head, __ATOMIC_ACQUIRE);
	}
	return c->head_cache - c->tail;
}

static inline void cons_release(struct ring_cons *c)
{
	__atomic_store_n(&c->r->tail, c->tail, __ATOMIC_RELEASE);
}

static struct ring *ring_new(unsigned cap)
{
	struct ring *r = aligned_alloc(CACHELINE, sizeof(*r));
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->slot = aligned_alloc(CACHELINE, cap * sizeof(void *));
	if (!r->slot) {
		free(r);
		return NULL;
	}
	memset(r->slot, 0, cap * sizeof(void *));
	r->mask = cap - 1;
	return r;
}

static void ring_free(struct ring *r)
{
	if (r) {
		free(r->slot);
		free(r);
	}
}

/* ---- ring and pool jobs ------------------------------------------------------------ */

struct flow_job {
	int stop __attribute__((aligned(CACHELINE)));
	struct ring *fwd, *back; /* producer -> consumer; consumer -> producer (pool) */
	unsigned batch;
	size_t words; /* pool: payload words per object */
	unsigned long long produced __attribute__((aligned(CACHELINE)));
	unsigned long long consumed __attribute__((aligned(CACHELINE)));
	unsigned long long bad;
};

static void ring_producer(void *arg)
{
	struct flow_job *j = arg;
	struct ring_prod p = {j->fwd, 0, 0, 0};
	unsigned long long n = 0;
	while (!__atomic_load_n(&j->stop, __ATOMIC_RELAXED)) {
		/* A token, never dereferenced: its value lets the consumer check order. */
		if (!prod_push(&p, (void *)(uintptr_t)(n + 1), j->batch, &j->stop))
			break;
		n++;
	}
	prod_publish(&p);
	__atomic_store_n(&j->produced, n, __ATOMIC_RELEASE);
}

static void ring_consumer(void *arg)
{
	struct flow_job *j = arg;
	struct ring_cons c = {j->fwd, 0, 0};
	unsigned long long n = 0, bad = 0;
	for (;;) {
		unsigned long k = cons_avail(&c, &j->stop);
		if (!k)
			break;
		for (unsigned long i = 0; i < k; i++) {
			void *v = c.r->slot[(c.tail + i) & c.r->mask];
			bad += (uintptr_t)v != n + i + 1;
		}
		c.tail += k;
		n += k;
		cons_release(&c);
	}
	j->bad = bad;
	__atomic_store_n(&j->consumed, n, __ATOMIC_RELEASE);
}

static void pool_producer(void *arg)
{
	struct flow_job *j = arg;
	struct ring_prod p = {j->fwd, 0, 0, 0};
	struct ring_cons back = {j->back, 0, 0};
	unsigned long long n = 0;
	size_t words = j->words;
	while (!__atomic_load_n(&j->stop, __ATOMIC_RELAXED)) {
		if (back.head_cache == back.tail &&
		    __atomic_load_n(&back.r->head, __ATOMIC_ACQUIRE) == back.tail) {
			/* About to wait for free objects: hand over what is pending first. */
			cons_release(&back);
			prod_publish(&p);
		}
		if (!cons_avail(&back, &j->stop))
			break;
		uint64_t *o = back.r->slot[back.tail & back.r->mask];
		back.tail++;
		if (back.tail % j->batch == 0)
			cons_release(&back);
		uint64_t tag = n + 1;
		for (size_t w = 0; w < words; w++)
			o[w] = tag ^ (w * 0x9e3779b97f4a7c15ULL);
		if (!prod_push(&p, o, j->batch, &j->stop))
			break;
		n++;
	}
	prod_publish(&p);
	__atomic_store_n(&j->produced, n, __ATOMIC_RELEASE);
}

static void pool_consumer(void *arg)
{
	struct flow_job *j = arg;
	struct ring_cons c = {j->fwd, 0, 0};
	struct ring_prod back = {j->back, 0, 0, 0};
	/* The pool starts in the return ring: the consumer "returned" every object. */
	back.head = back.published = __atomic_load_n(&j->back->head, __ATOMIC_ACQUIRE);
	unsigned long long n = 0, bad = 0;
	size_t words = j->words;
	for (;;) {
		unsigned long k = cons_avail(&c, &j->stop);
		if (!k)
			break;
		for (unsigned long i = 0; i < k; i++) {
			uint64_t *o = c.r->slot[(c.tail + i) & c.r->mask];
			uint64_t tag = n + i + 1;
			uint64_t diff = 0;
			for (size_t w = 0; w < words; w++)
				diff |= o[w] ^ (tag ^ (w * 0x9e3779b97f4a7c15ULL));
			bad += diff != 0;
			if (!prod_push(&back, o, j->batch, &j->stop))
				goto out;
		}
		c.tail += k;
		n += k;
		cons_release(&c);
		/* Nothing more visible: return the partial batch before waiting. */
		if (__atomic_load_n(&c.r->head, __ATOMIC_ACQUIRE) == c.tail)
			prod_publish(&back);
	}
out:
	prod_publish(&back);
	j->bad = bad;
	__atomic_store_n(&j->consumed, n, __ATOMIC_RELEASE);
}

static int flow_run(void (*prod)(void *), void (*cons)(void *), struct flow_job *j, int cpu_a,
		    int cpu_b, double duration, struct ss_ceiling_result *res, char *err,
		    size_t errlen)
{
	struct pair p = {{prod, cons}, j, 0, 0};
	pthread_t th[2];
	struct pair_thread pt[2];
	memset(res, 0, sizeof(*res));
	if (pair_start(&p, th, pt, cpu_a, cpu_b, err, errlen) != 0)
		return -1;
	double t0 = now_s();
	sleep_s(duration);
	__atomic_store_n(&j->stop, 1, __ATOMIC_RELAXED);
	double t1 = now_s();
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	res->elapsed = t1 - t0;
	res->items = j->consumed;
	res->bad = j->bad;
	res->per_s = res->elapsed > 0 ? (double)res->items / res->elapsed : 0;
	return 0;
}

static unsigned clamp_batch(unsigned batch)
{
	if (batch < 1)
		return 1;
	return batch > SS_CEILING_RING_CAP / 4 ? SS_CEILING_RING_CAP / 4 : batch;
}

int ss_ceiling_ring(int cpu_a, int cpu_b, unsigned batch, double duration,
		    struct ss_ceiling_result *res, char *err, size_t errlen)
{
	struct flow_job *j = aligned_alloc(CACHELINE, sizeof(*j));
	struct ring *r = ring_new(SS_CEILING_RING_CAP);
	if (!j || !r) {
		free(j);
		ring_free(r);
		snprintf(err, errlen, "ceiling: out of memory");
		return -1;
	}
	memset(j, 0, sizeof(*j));
	j->fwd = r;
	j->batch = clamp_batch(batch);
	int rc =
	    flow_run(ring_producer, ring_consumer, j, cpu_a, cpu_b, duration, res, err, errlen);
	ring_free(r);
	free(j);
	return rc;
}

int ss_ceiling_pool(int cpu_a, int cpu_b, size_t size, unsigned batch, double duration,
		    struct ss_ceiling_result *res, char *err, size_t errlen)
{
	size_t words = (size + 7) / 8;
	size_t stride = (words * 8 + CACHELINE - 1) & ~(size_t)(CACHELINE - 1);
	/* As many objects as the forward ring holds: the producer can never be
	 * short of objects while the ring has room, and the return ring (same
	 * capacity) never overflows. */
	size_t nobj = SS_CEILING_RING_CAP;
	struct flow_job *j = aligned_alloc(CACHELINE, sizeof(*j));
	struct ring *fwd = ring_new(SS_CEILING_RING_CAP), *back = ring_new(SS_CEILING_RING_CAP);
	char *pool = aligned_alloc(CACHELINE, nobj * stride);
	if (!j || !fwd || !back || !pool) {
		free(j);
		ring_free(fwd);
		ring_free(back);
		free(pool);
		snprintf(err, errlen, "ceiling: out of memory");
		return -1;
	}
	memset(j, 0, sizeof(*j));
	memset(pool, 0, nobj * stride);
	for (size_t i = 0; i < nobj; i++)
		back->slot[i] = pool + i * stride;
	back->head = nobj;
	j->fwd = fwd;
	j->back = back;
	j->batch = clamp_batch(batch);
	j->words = words ? words : 1;
	int rc =
	    flow_run(pool_producer, pool_consumer, j, cpu_a, cpu_b, duration, res, err, errlen);
	ring_free(fwd);
	ring_free(back);
	free(pool);
	free(j);
	return rc;
}
