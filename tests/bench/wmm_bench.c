/* tests/bench/wmm_bench.c - micro-benchmark of engine/wmm.c alone (no
 * coroutines, no allocator): a synthetic execution shaped like the
 * lazy-objexts seed scenario, repeated with wmm_reset() in between.
 * Not built by `make all`; timings are for people, nothing asserts them.
 *
 *   cc -O2 -I. -D_GNU_SOURCE -mcx16 tests/bench/wmm_bench.c engine/wmm.c -o wmm_bench
 *   ./wmm_bench [executions] [max_locs]
 *
 * One execution: CPU 0 reads ~16 metadata words, zeroes a 128-word vector
 * (buffered stores, committed by commit_choice), publishes it with a
 * full-barrier cmpxchg and takes/releases a lock; CPU 1 polls the pointer,
 * reads a few vector words address-dependently and does a release store.
 * Choices come from a xorshift generator (about 30% "not newest / keep
 * buffered"), like explore's --stale-prob.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/wmm.h"

static uint64_t rng = 88172645463325252ull;

static unsigned chooser(void *ctx, int cpu, enum wmm_choice_kind k, unsigned n)
{
	(void)ctx;
	(void)cpu;
	(void)k;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng % 10) < 7 ? 0 : (unsigned)(rng >> 20) % n;
}

static unsigned long long ops;

static void one_execution(struct wmm *w)
{
	enum { META = 16, VEC = 128 };
	int meta[META], vec[VEC];
	for (int i = 0; i < META; i++)
		meta[i] = wmm_loc(w, 0x1000 + 8 * (uintptr_t)i, 8, (u64)i);
	int ptr = wmm_loc(w, 0x2000, 8, 0), lock = wmm_loc(w, 0x2008, 4, 0);
	int flag = wmm_loc(w, 0x2010, 8, 0);
	for (int i = 0; i < VEC; i++)
		vec[i] = wmm_loc(w, 0x10000 + 8 * (uintptr_t)i, 8, 0xdead);
	struct wmm_read_info ri;
	for (int i = 0; i < META; i++) {
		wmm_load(w, 0, meta[i], SS_ACC_ONCE, NULL, &ri, NULL);
		ops++;
	}
	for (int i = 0; i < VEC; i++) {
		wmm_store(w, 0, vec[i], 0, SS_ACC_PLAIN, NULL);
		wmm_commit_choice(w, 0);
		ops++;
		if (i % 16 == 0) { /* CPU 1 polls meanwhile */
			wmm_load(w, 1, ptr, SS_ACC_ACQUIRE, NULL, &ri, NULL);
			ops++;
		}
	}
	bool ok;
	wmm_rmw(w, 0, ptr, SS_RMW_CMPXCHG, 0x10000, 0, SS_ORD_FULL, &ok, &ri, NULL);
	ops++;
	if (wmm_lock(w, 0, lock, NULL)) {
		wmm_store(w, 0, meta[0], 1, SS_ACC_ONCE, NULL);
		wmm_unlock(w, 0, lock, NULL);
		ops += 3;
	}
	u64 p = wmm_load(w, 1, ptr, SS_ACC_ONCE, NULL, &ri, NULL);
	ops++;
	struct wmm_dep d = {.n = 1, .h = {ri.dep}};
	for (int i = 0; p && i < 8; i++) {
		wmm_load(w, 1, vec[i * 16], SS_ACC_ONCE, &d, NULL, NULL);
		ops++;
	}
	wmm_fence(w, 1, SS_FENCE_MB);
	wmm_store(w, 1, flag, 1, SS_ACC_RELEASE, NULL);
	ops += 2;
	wmm_drain_all(w);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 30000;
	int max_locs = argc > 2 ? atoi(argv[2]) : 2048;
	static const enum wmm_model models[] = {WMM_SC, WMM_TSO, WMM_LKMM};
	for (unsigned mi = 0; mi < 3; mi++) {
		struct wmm *w = wmm_create(models[mi], 2, max_locs, 4);
		if (!w)
			return 1;
		wmm_set_chooser(w, chooser, NULL);
		ops = 0;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++) {
			wmm_reset(w);
			one_execution(w);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double s =
		    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
		printf("%-4s %ld executions in %.3f s: %.0f exec/s, %.2f M model ops/s, %.0f "
		       "ns/exec\n",
		       wmm_model_name(models[mi]), n, s, (double)n / s, (double)ops / s / 1e6,
		       s / (double)n * 1e9);
		wmm_destroy(w);
	}
	return 0;
}
