/* litmus/export_graph.h - a replayed failing execution's graph as a C-litmus
 * test, for failures of any shape (fuzz/litmus_export.h writes the
 * message-passing chain from the trace).
 *
 * The graph: a graph reproducer's as the exact checker saw it
 * (engine/gx_model.c: the locations two CPUs use, fences, lock operations, the
 * dependencies and the conservative ctrl); a schedule's built from its trace
 * (engine/graph_build.h: no ctrl, no lock operations).  Never the checkers'
 * bookkeeping words.  The test is the first of these that fits a litmus test
 * (REL_MAX events) and that the exact checker finishes on: the whole graph;
 * its events on locations two CPUs use; its shortest cycle of po | rf | co |
 * fr (the part no interleaving gives) with the writes its reads read, its RMW
 * halves and fewer and fewer of their dependency sources (model/exec_slice.h).
 * The condition is the graph's outcome (litmus/write_graph.h), so `slabstress
 * litmus` and herd7 must call it Sometimes; the exact checker's verdict is the
 * test's Result line, and a test it calls Never is never written.
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
