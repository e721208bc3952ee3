/* litmus/machine.h - what the two engines of `slabstress litmus` share about the
 * register machine of litmus/litmus.h and the final states: the local
 * instructions, location addresses, conditions and the outcome histogram.
 *
 *   litmus/lkvm.c   the lkvm engine: stateless DFS over a wmm model (engine/wmm.h)
 *   litmus/graph.c  the cat engine: candidate executions checked by axioms
 *   litmus/run.c    the dispatch between them and the comparison with Result:
 */
#ifndef SS_LITMUS_MACHINE_H
#define SS_LITMUS_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "litmus/litmus.h"

/* Runs in's effect on the registers when it is a local computation (LOP_CONST,
 * LOP_MOV, LOP_BIN, LOP_UN): reg[dst] and its dependency set dep[dst] (bit i:
 * event or load i; each engine numbers them its own way).  Returns false, and
 * changes nothing, for any other instruction. */
bool lit_exec_local(const struct lit_ins *in, long long *reg, uint64_t *dep);

/* The location whose address is a (litmus.h LIT_ADDR_BASE + i * LIT_ADDR_STRIDE),
 * or -1 when a is no location's address (the caller reports it). */
int lit_addr_loc(const struct lit_test *t, long long a);

/* The value of v in a final state (a location's last value, a register, a
 * constant), as the engine at ctx knows it. */
typedef long long (*lit_val_fn)(void *ctx, const struct lit_val *v);

/* Proposition k of t (its condition or filter) on the final state at ctx. */
bool lit_prop_eval(const struct lit_test *t, int k, lit_val_fn val, void *ctx);

/* The outcome of a final state: the observed values and whether the condition
 * holds (count 0).  Returns false when t's filter rejects the state. */
bool lit_outcome_of(const struct lit_test *t, lit_val_fn val, void *ctx, struct lit_outcome *o);

/* The index of the outcome in r->out with o's values, or -1. */
int lit_outcome_find(const struct lit_result *r, const struct lit_outcome *o);
/* Appends o to r->out (growing it; aborts when memory runs out). */
void lit_outcome_append(struct lit_result *r, const struct lit_outcome *o);

/* The lkvm engine: fills r (without the comparison with Result:, lit_run's). */
void lit_lkvm_run(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r);

#endif /* SS_LITMUS_MACHINE_H */
