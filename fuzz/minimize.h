/* fuzz/minimize.h - shrink a failing schedule to its fewest decisions.
 *
 * A schedule (engine/emu.h) is front bytes (scheduling) then back bytes
 * (memory-model choices, read from the end); a zero byte is the default
 * decision (front: stay on the current CPU, or the lowest runnable one; back:
 * the newest value / commit now), and the bytes running out means "defaults
 * from here on".  A *decision* is a non-zero byte.  Minimizing = delta
 * debugging over decisions, keeping every change after which the execution
 * still fails with the same kind at the same site: drop the bytes the run never
 * read, zero chunks of decisions (halving the chunk size down to single bytes),
 * then delete chunks of bytes outright (which shifts later decisions: the way
 * zero bytes between decisions disappear), and repeat until nothing changes;
 * then canonicalize (the unread middle dropped again).
 *
 * Delta debugging is a local search: zeroing a scheduling byte shifts where
 * the later ones apply, so it can stop at a local minimum.  When the result
 * still has more than two decisions, a short pct search (a quarter of what is
 * left of the budget) collects up to six other schedules that fail with the
 * same kind at the same site, each is minimized the same way, and the smallest
 * wins (fewest decisions, then fewest bytes).  The result is the same failure,
 * not always the same interleaving as the input.
 *
 * The result is 1-minimal with respect to zeroing single bytes: setting any
 * remaining decision to the default loses the failure (or changes its kind or
 * site).
 */
#ifndef SS_MINIMIZE_H
#define SS_MINIMIZE_H

#include <stddef.h>

#include "engine/emu.h"
#include "kernel/bug.h"

/* Number of non-default (non-zero) bytes in sched[0..len). */
size_t ss_schedule_decisions(const u8 *sched, size_t len);

/* Does sched[0..len) fail on e with this kind at this site?  site_file NULL:
 * any site (site_line ignored).  Returns 1 yes, 0 no, -1 internal error. */
int ss_schedule_fails(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
		      const char *site_file, int site_line);

/* Shrinks sched[0..len), which must fail on e (already configured for the
 * scenario, variant, knobs and model) with `kind` at site_file:site_line
 * (site_file NULL: any site of that kind).  At most max_execs executions
 * (0: 20000).  Returns 0 with *out a malloc'ed schedule (caller frees) of
 * *out_len bytes that fails the same way, or -1 when sched does not fail that
 * way to begin with or on an internal error / out of memory (*out NULL).
 * Tracing is switched off during minimization and left off. */
int ss_minimize_schedule(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
			 const char *site_file, int site_line, unsigned long max_execs, u8 **out,
			 size_t *out_len);

#endif /* SS_MINIMIZE_H */
