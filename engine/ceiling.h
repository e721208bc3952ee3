/* engine/ceiling.h - what the hardware allows, measured on the same two pinned CPUs
 * as a benchmark, so an allocator's handoffs/s can be read as a fraction of it
 * (reference/alloc-bench.md §2: on a shared VM the figures move together).
 *
 *   round trip  one cache line ping-ponged between the two CPUs: ns per round trip
 *   ring        bare SPSC ring of pointer tokens, no payload: pointers/s
 *   pool        the whole handoff without an allocator: the producer takes an object
 *               from a fixed pool, writes its pattern, passes it through the ring; the
 *               consumer checks the pattern and returns it through a second ring:
 *               objects/s
 *
 * Harness code: raw __atomic builtins, not kernel/ (nothing here is modelled).
 */
#ifndef SS_CEILING_H
#define SS_CEILING_H

#include <stddef.h>

/* Ring capacity of the ring and pool ceilings (objects in flight at most). */
#define SS_CEILING_RING_CAP 1024u

struct ss_ceiling_result {
	double per_s;		  /* pointers/s (ring) or objects/s (pool) */
	unsigned long long items; /* handed over in the timed part */
	unsigned long long bad;	  /* pool: objects whose pattern did not check out */
	double elapsed;		  /* seconds */
};

/* Median round-trip time in ns of one cache line between cpu_a and cpu_b, over
 * `samples` samples of `trips` round trips each.  Returns a negative value with a
 * message in err when the threads cannot be started or pinned. */
double ss_ceiling_rtt_ns(int cpu_a, int cpu_b, unsigned trips, unsigned samples, char *err,
			 size_t errlen);

/* Bare SPSC ring, producer on cpu_a and consumer on cpu_b, publishing every
 * `batch` pointers (1: each), for `duration` seconds.  Returns 0, or -1 with err. */
int ss_ceiling_ring(int cpu_a, int cpu_b, unsigned batch, double duration,
		    struct ss_ceiling_result *res, char *err, size_t errlen);

/* Recycled pool of `size`-byte objects, same threads and batching.  Returns 0, or
 * -1 with err. */
int ss_ceiling_pool(int cpu_a, int cpu_b, size_t size, unsigned batch, double duration,
		    struct ss_ceiling_result *res, char *err, size_t errlen);

#endif /* SS_CEILING_H */
