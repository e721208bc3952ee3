/* model/exec_slice.h - the part of a model graph (model/exec.h) that shows why
 * no interleaving produces it: a shortest cycle of po | rf | co | fr, with
 * what its events need to stand alone as a litmus test.
 *
 * Why a part is enough: LKMM's axioms only forbid cycles (or irreflexive and
 * empty relations) built from the graph's edges, so the events a consistent
 * graph keeps, with rf, co, rmw and the dependencies between them, form a
 * consistent graph again, provided every kept read keeps the write it reads.
 * (Lock events go or stay by location: lock.cat relates every operation of a
 * lock word.)  litmus/write_graph.h writes the part as a C-litmus test.
 */
#ifndef SS_MODEL_EXEC_SLICE_H
#define SS_MODEL_EXEC_SLICE_H

#include <stdbool.h>

#include "model/exec.h"

/* How much of the surroundings the slice takes, widest first. */
enum exg_slice_reach {
	EXG_SLICE_DEPS_ALL,   /* the addr/data sources of every kept event, transitively */
	EXG_SLICE_DEPS_CYCLE, /* the addr/data sources of the cycle's events */
	EXG_SLICE_CYCLE_ONLY, /* the cycle, the writes its reads read, its RMW halves */
};

/* Marks in keep[0, g->n) the events of a shortest po | rf | co | fr cycle of g
 * over the reads and writes that within marks (NULL: all), closed as reach says (the write each
 * kept read reads, the other half of each kept RMW, and their dependency sources), plus the fences
 * po-between kept events of one thread and, for each kept lock word, every operation on it. Initial
 * writes are never marked (a test declares its locations).  g must be finished (exg_finish).
 * Returns how many events it marked, 0 when g has no such cycle (some interleaving gives it). */
int exg_slice_sc_cycle(const struct exg *g, const bool *within, enum exg_slice_reach reach,
		       bool *keep);

/* Marks in keep[0, g->n) the reads and writes within marks (NULL: all) on
 * locations that two threads use, and the fences po-between them: what a
 * test of the threads' communication needs (a location one thread alone uses
 * shows no ordering; dependencies through it are lost, which only lets the
 * test allow more).  Returns how many events it marked. */
int exg_slice_shared(const struct exg *g, const bool *within, bool *keep);

/* The events a test of keep needs: the marked ones plus one initial write per
 * location they touch. */
int exg_slice_size(const struct exg *g, const bool *keep);

#endif /* SS_MODEL_EXEC_SLICE_H */
