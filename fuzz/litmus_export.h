/* fuzz/litmus_export.h - a failing emulator execution as a kernel C-litmus test.
 *
 * From the traced failing execution: the stale load, the store it missed and
 * the earlier load of the same CPU whose value came after that store (the
 * reordered pair), with the accesses of each CPU to those locations between
 * them and the fences / full-barrier RMWs in program order, become a litmus
 * test (dialect: /work/shared/litmus/FORMAT.md) over shared variables named
 * after the locations, values renumbered small, and an `exists` clause for the
 * failing outcome (the earlier load saw the new value, the stale load the old
 * one).  `slabstress litmus` (or herd7) should then find it Sometimes under
 * lkmm (and Never under tso when the failure needs a reordering x86 never
 * does).
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
