/* litmus/graph.h - the cat engine of `slabstress litmus`: candidate executions
 * of a parsed test, checked against a model's axioms (model/lkmm.h). */
#ifndef SS_LITMUS_GRAPH_H
#define SS_LITMUS_GRAPH_H

#include "litmus/litmus.h"

/* Enumerates t's candidate executions, keeps those o->model allows (lkmm:
 * linux-kernel.cat; tso: x86-TSO; sc) and fills r as herd7 counts: pos/neg
 * are executions, out[] the final-state histogram, datarace the lkmm flag.
 * Stops with r->gave_up (complete = false) after o->max_candidates. */
void lit_cat_run(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r);

#endif /* SS_LITMUS_GRAPH_H */
