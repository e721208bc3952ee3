/* fuzz/litmus_export.h - a failing emulator execution as a kernel C-litmus test.
 *
 * From the traced failing execution: the stale load, the store it missed and
 * the earlier load of the same CPU whose value came after that store (the
 * reordered pair), plus the chain the failure rests on - every load of the
 * reading CPU the two depend on (the load that produced the pointer, the slab
 * metadata loads), with each dependency written as an address computed from the
 * source register, the fences in program order, and the producer's barriers
 * between its two stores.  The checkers' own bookkeeping words are never used.
 * Dialect: ../shared/litmus/FORMAT.md; shared variables named after the
 * locations, values renumbered small, an `exists` clause for the failing
 * outcome (the earlier load saw the new value, the stale load the old one).
 * `slabstress litmus` (or herd7) should find it Sometimes under lkmm.
 */
#ifndef SS_LITMUS_EXPORT_H
#define SS_LITMUS_EXPORT_H

#include <stdio.h>

#include "engine/emu.h"

/* e: the emulator after a traced failing execution res.  source: shown in the
 * test's comment.  Returns 0, or -1 with err (no stale load to export). */
int ss_litmus_export(FILE *f, const struct emu *e, const struct emu_result *res, const char *source,
		     char *err, size_t errlen);

/* Helpers shared with the race export (fuzz/race_export.c). */

/* The entry is the checkers' own bookkeeping ("checker:" site text). */
bool ss_lx_is_checker(const struct emu_trace_ent *t);
/* The entry wrote memory (a store, a successful RMW). */
bool ss_lx_is_write(const struct emu_trace_ent *t);
/* The trace index of the store load k read; -1 for the initial value or unknown. */
long ss_lx_rf_store(const struct emu_trace_ent *tr, size_t k);
/* The trace index of cpu's load with dependency handle h before index before. */
long ss_lx_load_of_handle(const struct emu_trace_ent *tr, size_t before, int cpu, uint32_t h);
/* Marks entry i (keep[i] = 1) and, transitively, every load it depends on
 * (explicit dependency handles; the checkers' bookkeeping never). */
void ss_lx_mark_chain(const struct emu_trace_ent *tr, char *keep, size_t i, int depth);

#endif /* SS_LITMUS_EXPORT_H */
