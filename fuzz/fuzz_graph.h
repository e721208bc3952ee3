/* fuzz/fuzz_graph.h - `slabstress fuzz --engine graph`: libFuzzer's input
 * makes the graph explorer's choices (engine/gexplore.h, gexplore_fuzz: which
 * thread adds the next event, which write a read reads, where a write goes in
 * co; one byte each, byte % n, 0 past the end) instead of being an emulator
 * schedule.  Each input is one execution from the empty graph; a finished
 * graph counts only when the model allows it.
 *
 * The worker runs the inputs (ss_fuzz_graph_execute); a failing consistent
 * graph aborts it as a failing schedule does, and the supervisor runs the
 * artifact again and saves its graph as a reproducer with "engine": "graph"
 * (the format explore --engine graph --save writes; `slabstress replay`
 * re-creates and re-checks it).  Graph reproducers are not minimized.
 */
#ifndef SS_FUZZ_GRAPH_H
#define SS_FUZZ_GRAPH_H

#include "engine/gexplore.h"
#include "fuzz/coverage.h"
#include "fuzz/supervisor.h"

/* One input: 1 for a graph the model allows, 0 for one that is no result (not
 * consistent, blocked, pruned: then SS_FAIL_NONE), with the verdict in *res;
 * -1 on an internal error.
 * The trace of a consistent graph goes into the extra counters; the others add
 * nothing, so the corpus keeps only inputs that reach consistent graphs. */
int ss_fuzz_graph_execute(struct gexplore_fuzz *gf, enum ss_cov_mode cov, const u8 *data,
			  size_t len, struct emu_result *res);

/* The supervisor's run of a failing input (an artifact): as above, without
 * counters.  0 or -1 (res->internal_msg). */
int ss_fuzz_graph_rerun(struct gexplore_fuzz *gf, const u8 *in, size_t len, struct emu_result *res);

/* Fills the new unique failure u from its failing input in[0, len): the graph
 * (u->sched, not minimized), its verdict, hex and decisions (the input's
 * non-zero bytes the run used), then saves the reproducer under c->cfg.save
 * and its trace next to it (u->path, u->trace_path, u->saved; a warning through
 * c's hooks when it cannot). */
void ss_fuzz_graph_failure(struct ss_fuzz_campaign *c, struct ss_fuzz_failure *u, const u8 *in,
			   size_t len);

#endif /* SS_FUZZ_GRAPH_H */
