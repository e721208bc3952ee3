/* engine/race.h - data-race candidates in the emulator (issue 12 part 3).
 *
 * While roles run, every kernel/ load, store and RMW of a model location is
 * noted (emu_ops.c); a candidate is a pair of accesses to overlapping bytes of
 * one location by two different CPUs in one execution, at least one a write
 * and at least one plain (SS_ACC_PLAIN: PLAIN_LOAD / PLAIN_STORE and their _DEP
 * forms).  RMWs are marked writes.  Only the last access of each kind (write,
 * plain write, read, plain read) per CPU and location is remembered, so the
 * candidates are a cheap over-approximation: the exact LKMM check of each one
 * (fuzz/race_check.h) decides whether it is a data race.
 *
 * Candidates are deduplicated by their pair of code sites over every execution
 * of the emulator; for each, the schedule bytes of a few executions that showed
 * it are kept (the first one, then ones where an access of the pair read a
 * stale value), so that the checker can replay them with the trace on.
 * Accesses of the checkers' own bookkeeping ("checker:" site text) are never
 * candidates.
 */
#ifndef SS_ENGINE_RACE_H
#define SS_ENGINE_RACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "results/failure.h"

#define RACE_MAX_PAIRS	256 /* distinct site pairs kept per emulator */
#define RACE_MAX_SCHEDS 2   /* executions kept per pair: the first, the first stale */

/* One side of a candidate. */
struct race_access {
	const struct ss_site *site;
	int cpu;
	bool write, plain;
};

/* The same side of a race: one code site, one kind of access. */
static inline bool race_same_side(const struct race_access *p, const struct race_access *q)
{
	return p->site == q->site && p->write == q->write && p->plain == q->plain;
}

/* Are (a1, b1) and (a2, b2) the same race: the same two sides, either way round
 * (the CPUs do not matter)? */
static inline bool race_same_pair(const struct race_access *a1, const struct race_access *b1,
				  const struct race_access *a2, const struct race_access *b2)
{
	return (race_same_side(a1, a2) && race_same_side(b1, b2)) ||
	       (race_same_side(a1, b2) && race_same_side(b1, a2));
}

struct race_pair {
	struct race_access a, b;  /* a: the earlier access in the first execution seen */
	unsigned long executions; /* executions that showed the pair */
	int nsched;
	bool stale_kept; /* a kept schedule has a stale read in the pair */
	u8 *sched[RACE_MAX_SCHEDS];
	size_t len[RACE_MAX_SCHEDS];
};

struct race_log;

/* A log for locations 0..max_locs-1 and CPUs 0..ncpus-1; NULL when out of
 * memory. */
struct race_log *race_log_create(int max_locs, int ncpus);
void race_log_destroy(struct race_log *l);
/* A new execution begins: forget the accesses of the last one. */
void race_exec_begin(struct race_log *l);
/* An access of cpu to bytes [off, off + size) of location loc (write: a store
 * or RMW; plain: SS_ACC_PLAIN; stale: a load that read an older value than the
 * newest). */
void race_note(struct race_log *l, int loc, int cpu, unsigned off, unsigned size, bool write,
	       bool plain, bool stale, const struct ss_site *site);
/* The execution ended with schedule bytes sched[0..len): kept for the pairs it
 * showed that want one more. */
void race_exec_end(struct race_log *l, const u8 *sched, size_t len);
/* The candidate pairs so far. */
const struct race_pair *race_pairs(const struct race_log *l, size_t *n);
/* Pairs not kept because RACE_MAX_PAIRS was reached. */
unsigned long race_pairs_dropped(const struct race_log *l);

#endif /* SS_ENGINE_RACE_H */
