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

#endif /* SS_LITMUS_EXPORT_H */
