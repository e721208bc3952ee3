/* litmus/write_graph.h - a consistent model graph (model/exec.h), or a part of
 * it, written as a C-litmus test whose condition is that graph's outcome.
 *
 * The test is straight-line code, one thread per thread of the graph that has
 * events in it, each event as the kernel primitive with its annotations:
 * READ_ONCE / WRITE_ONCE, smp_load_acquire / smp_store_release, plain C, xchg
 * of the RMW's flavour for an RMW (a failed one as a cmpxchg that cannot
 * succeed), spin_lock / spin_unlock / spin_trylock, the fences by name.  The
 * dependencies are the graph's, written so that herd7 and `slabstress litmus`
 * derive exactly them: an address x + (r ^ r), a stored value v + (r ^ r), a
 * ctrl dependency as an if on (r ^ r) == 0 around the one write it reaches.
 * Values are renumbered per location (the initial value is 0), so equal values
 * stay equal and the test's rf choices are the graph's.  The condition names
 * every read's value and each location's final value, so the graph is one of
 * the executions that satisfy it: `slabstress litmus` and herd7 must call it
 * Sometimes (model/exec_slice.h says why a part of a consistent graph is
 * consistent too).
 */
#ifndef SS_LITMUS_WRITE_GRAPH_H
#define SS_LITMUS_WRITE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/exec.h"

struct lit_graph_text {
	const char *name;	     /* the test's name (the "C name" line) */
	const char *const *loc_name; /* [loc]: a name for each location, or NULL (x<loc>) */
	const char *const *thr_name; /* [thread < g->nthreads]: said in the comment, or NULL */
	const char *comment;	     /* lines for the test's comment (each ends in \n), or NULL */
	const char *result;	     /* the "Result:" line's verdict (NULL: Sometimes) */
};

/* Writes the events keep marks (NULL: all) of g, a finished graph, to f.
 * Returns 0, or -1 with err (n > 0 bytes): an event the dialect has no
 * primitive for (srcu), more events than a litmus candidate holds (REL_MAX),
 * or a non-value-returning RMW that an smp_rmb() would order once it returns
 * its value. */
int lit_write_graph(FILE *f, const struct exg *g, const bool *keep,
		    const struct lit_graph_text *text, char *err, size_t n);

#endif /* SS_LITMUS_WRITE_GRAPH_H */
