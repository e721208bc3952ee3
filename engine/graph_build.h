/* engine/graph_build.h - one traced emulator execution as an execution graph
 * of the memory models (model/exec.h), checked by the exact LKMM checker
 * (model/lkmm.h).  The seam for exploring scenario code on execution graphs
 * (issue 13): today it checks executions the operational models produced.
 *
 * The graph (engine/graph_build.c says how each trace entry maps):
 *  - events: an initial write per location (an 8-byte word) touched, then every
 *    kernel access and fence of the trace, in trace order; thread = CPU, po =
 *    trace order within a CPU;
 *  - rf: from the store id each read records (0: the initial value);
 *  - co: per location, the order the writes reached memory, rebuilt from what
 *    the trace shows (program order, reads-from, the newest message each read
 *    saw, RMW atomicity), ties by trace order (the trace does not record when
 *    a buffered store commits);
 *  - addr: the explicit dependencies of loads; data: those of stores; no ctrl
 *    (the emulator does not track it).
 * Stores to words that one CPU alone writes and nobody reads get no events
 * (graph_build.c says why that changes no verdict).
 * What the graph leaves out only makes the checker accept more: spinlock
 * operations (the trace has no lock address), acquire/release orders of RMWs
 * (the trace records only full ones), ctrl dependencies.  A graph from an
 * execution LKVM produced must therefore be LKMM-consistent (LKVM is stronger
 * than LKMM); one that is not is a bug in one of the two.
 *
 * Conventions: e is an emulator whose last execution ran with emu_set_trace(e,
 * true) (engine/trace.h); g is caller-owned (about 330 KB: not on a small
 * stack); err of n > 0 bytes gets one line on failure.
 */
#ifndef SS_GRAPH_BUILD_H
#define SS_GRAPH_BUILD_H

#include <stddef.h>

#include "engine/emu.h"
#include "model/lkmm.h"

struct graph_build_stats {
	int events, locations, reads, writes, fences;
	int omitted_locks;	    /* spin_lock / trylock / unlock entries left out */
	int omitted_private_writes; /* stores to words only their CPU touches, no reads */
	int rf_outside;	    /* reads of a store id the trace does not hold (read as initial) */
	int co_ties;	    /* writes whose co place the trace order decided */
	int co_cycles;	    /* locations whose co constraints had a cycle (trace order used) */
	int newest_guessed; /* reads of the newest message whose store the trace omits */
};

/* Builds g from e's last traced execution.  0, or -1 with err: more events
 * than REL_MAX_BIG, or the store ids of the trace out of step (a write the
 * builder does not know about).  st may be NULL. */
int graph_build(const struct emu *e, struct exg *g, struct graph_build_stats *st, char *err,
		size_t n);

/* graph_build, then lkmm_check(g, all = false, v): 1 consistent, 0 not (v
 * names the first axiom that fails), -1 the graph could not be built (err). */
int graph_check_lkmm(const struct emu *e, struct exg *g, struct lkmm_verdict *v,
		     struct graph_build_stats *st, char *err, size_t n);

#endif /* SS_GRAPH_BUILD_H */
