/* litmus/export_graph.h - a replayed graph reproducer's failing graph as
 * a C-litmus test, for failures of any shape (fuzz/litmus_export.h writes the
 * message-passing ones from the trace).
 *
 * The test is the graph as the exact checker saw it (engine/gx_model.c: the
 * locations two CPUs use, fences, lock operations, the dependencies and the
 * conservative ctrl), without the checkers' bookkeeping words: the whole graph
 * when it fits a litmus test (REL_MAX events), else its shortest cycle of
 * po | rf | co | fr (the part no interleaving gives) with the writes its reads
 * read, its RMW halves and as many of their dependency sources as fit
 * (model/exec_slice.h).  The condition is the graph's outcome, so `slabstress
 * litmus` and herd7 must call it Sometimes (litmus/write_graph.h).
 */
#ifndef SS_LITMUS_EXPORT_GRAPH_H
#define SS_LITMUS_EXPORT_GRAPH_H

#include <stdio.h>

#include "engine/emu.h"

/* lit_export_graph's answer when there is nothing to show: the failing
 * execution touches no location two CPUs use (err says so). */
#define LIT_EXPORT_NOTHING (-2)

/* e: the emulator a replay left (fuzz/replay.h) after a failing execution: a
 * graph reproducer's (its graph consistent) or a schedule's (its graph built
 * from the trace, engine/graph_build.h).  source: named in the test's
 * comment.  Writes the whole test or nothing: 0; LIT_EXPORT_NOTHING; -1 with
 * err (too big, or no primitive for an event). */
int lit_export_graph(FILE *f, const struct emu *e, const char *source, char *err, size_t errlen);

#endif /* SS_LITMUS_EXPORT_GRAPH_H */
