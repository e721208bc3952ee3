/* fuzz/coverage.h - interleaving-aware feedback for libFuzzer.
 *
 * Nothing in slabstress is compiled with -fsanitize=fuzzer: code coverage of the
 * allocator model says little about schedules (every schedule runs the same
 * code).  Instead, after each execution, the emulator's trace is folded into
 * libFuzzer's "extra counters" (a u8 array in the __libfuzzer_extra_counters
 * section, cleared by libFuzzer before each input and read after it), one
 * counter per hashed event of what changes between schedules:
 *
 *   reads-from     a load at site L read the store of site S (stale or newest,
 *                  own store forwarded or another CPU's)
 *   handover       two consecutive accesses to one location (same site->expr)
 *                  came from different CPUs: (first site, second site)
 *   interposed     two consecutive accesses to one location by CPU c with
 *                  another CPU d running in between: (first, second, d)
 *   fence-crossed  a barrier (fence, release, full RMW) at site F issued by a
 *                  CPU with stores since its previous barrier: (F, last store
 *                  site, how many: 1, 2, 3+)
 *
 * Hashes use the site's file, line and expression text, never its address, so
 * feature numbers agree between processes (libFuzzer's fork mode compares them).
 * Repeats of one event bump its counter; libFuzzer buckets counts (1, 2, 3,
 * 4-7, ...), so "the same stale read twice" is new too.
 */
#ifndef SS_FUZZ_COVERAGE_H
#define SS_FUZZ_COVERAGE_H

#include <stddef.h>

#include "engine/emu.h"

/* A power of two.  libFuzzer scans and clears the whole array for every input:
 * at 64 KiB that was half the run of a small scenario (the seed scenario fuzzed
 * at 21,000 exec/s, 41,700 at 16 KiB, the same inputs to rc1's failure).  A
 * scenario shows hundreds to a few thousand distinct events, so 16,384
 * counters keep collisions rare. */
#define SS_COV_COUNTERS (1u << 14)

enum ss_cov_mode {
	SS_COV_NONE,	     /* one constant counter: libFuzzer mutates blind */
	SS_COV_SITES,	     /* which access sites ran: like code coverage */
	SS_COV_INTERLEAVING, /* the events above (default) */
};

extern unsigned char ss_cov_counters[SS_COV_COUNTERS];

/* Folds a trace into ss_cov_counters (adds to what is there). */
void ss_cov_record(const struct emu_trace_ent *tr, size_t n, enum ss_cov_mode mode);

/* Number of non-zero counters (tests, stats). */
size_t ss_cov_count(void);
void ss_cov_clear(void);

const char *ss_cov_mode_name(enum ss_cov_mode m);
/* -1 when unknown. */
int ss_cov_mode_from_name(const char *name);

#endif /* SS_FUZZ_COVERAGE_H */
