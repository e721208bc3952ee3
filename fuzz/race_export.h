/* fuzz/race_export.h - a data-race candidate of a traced emulator execution as
 * a kernel C-litmus test, for the exact check (litmus/race_check.h) and for
 * `replay --litmus` of a race reproducer.
 *
 * The test is the execution up to the later access of the pair, projected on
 * the locations two or more CPUs touch (the checkers' bookkeeping never), with
 * every fence, lock, RCU marker and the loads the kept accesses depend on; each
 * load pinned to the store it read by a `filter` clause (stores renumbered
 * 1, 2, ... per location, 0 the initial value).  Only the two accesses of the
 * pair keep their plain-ness: every other access is written marked, so a
 * `Flag data-race` of the test is a race of one of the two (see race_export.c
 * for why the projection does not invent orderings or races).
 */
#ifndef SS_FUZZ_RACE_EXPORT_H
#define SS_FUZZ_RACE_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/emu.h"
#include "engine/race.h"

/* Events the exact checker holds (litmus/rel.h REL_MAX), initial writes
 * included; a bigger projection is "too big". */
#define SS_RACE_MAX_EVENTS 64

/* In e's last traced execution: the first pair of accesses matching p (its two
 * sites, CPUs and kinds, either order, one word): *ia the earlier, *ib the
 * later.  0, or -1 when the trace has no such pair. */
int ss_race_locate(const struct emu *e, const struct race_pair *p, size_t *ia, size_t *ib);

/* Writes the test for trace entries ia < ib of e's last traced execution.
 * source: shown in the test's comment.  0, or -1 with err (starting "too big"
 * when past the checker's limits). */
int ss_race_export(FILE *f, const struct emu *e, size_t ia, size_t ib, const char *source,
		   char *err, size_t errlen);

#endif /* SS_FUZZ_RACE_EXPORT_H */
