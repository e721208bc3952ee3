/* litmus/run.c - the dispatch point between the two engines of `slabstress litmus`
 * (litmus/lkvm.c, litmus/graph.c) and the comparison of a result with the file's
 * Result: line.
 */
#include <stdlib.h>
#include <string.h>

#include "litmus/graph.h"
#include "litmus/machine.h"

static void lit_compare(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r);

void lit_run(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r)
{
	if (o->engine == LIT_ENGINE_CAT)
		lit_cat_run(t, o, r); /* litmus/graph.c */
	else
		lit_lkvm_run(t, o, r); /* litmus/lkvm.c */
	lit_compare(t, o, r);
}

int lit_engine_parse(const char *name, enum lit_engine *e)
{
	if (!strcmp(name, "cat"))
		*e = LIT_ENGINE_CAT;
	else if (!strcmp(name, "lkvm"))
		*e = LIT_ENGINE_LKVM;
	else
		return -1;
	return 0;
}

const char *lit_engine_name(enum lit_engine e)
{
	return e == LIT_ENGINE_CAT ? "cat" : "lkvm";
}

const char *lit_unsupported(const struct lit_test *t, enum lit_engine e)
{
	if (t->unsupported[0])
		return t->unsupported;
	if (e == LIT_ENGINE_LKVM && t->lkvm_unsupported[0])
		return t->lkvm_unsupported;
	return NULL;
}

/* Compare with the file's Result: line.  The lkvm models under-approximate
 * LKMM (sc ⊆ tso ⊆ LKMM; lkmm mode = LKVM), so an outcome shown that LKMM
 * forbids is a disagreement under every model; a missing outcome is one only
 * under lkmm (sc and tso are meant to be stronger).  The cat engine's lkmm is
 * LKMM itself: there every difference is a disagreement, the data-race flag
 * included. */
static void lit_compare(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r)
{
	bool lk = o->model == WMM_LKMM;
	if (r->error) {
		r->cmp = CMP_ERROR;
	} else if (r->gave_up) {
		r->cmp = CMP_INCOMPLETE;
		r->why = "gave up at --max-candidates";
	} else if (t->expect == EXP_NONE) {
		r->cmp = CMP_NONE;
	} else {
		bool unsound = false, miss = false;
		switch (t->expect) {
		case EXP_NEVER: unsound = r->pos > 0; break;
		case EXP_ALWAYS:
			unsound = r->neg > 0;
			miss = r->pos == 0 && r->nout;
			break;
		case EXP_SOMETIMES: miss = r->pos == 0 || r->neg == 0; break;
		case EXP_DEADLOCK: unsound = r->nout > 0; break;
		case EXP_NONE: break;
		}
		if (unsound) {
			r->cmp = CMP_DISAGREE;
			r->why = "false alarm: shows an outcome LKMM forbids";
		} else if (miss && lk) {
			r->cmp = r->complete ? CMP_DISAGREE : CMP_INCOMPLETE;
			r->why = "miss: the model is stronger than LKMM here";
		} else if (!r->complete) {
			r->cmp = CMP_INCOMPLETE;
		} else if (miss) {
			r->cmp = CMP_NONE; /* sc/tso stronger than LKMM: expected */
		} else if (lk && o->engine == LIT_ENGINE_CAT && r->datarace != t->datarace) {
			r->cmp = CMP_DISAGREE;
			r->why = r->datarace ? "data race flagged, Result: has no DATARACE"
					     : "Result: says DATARACE, no data race found";
		} else {
			r->cmp = CMP_AGREE;
		}
	}
}

void lit_result_free(struct lit_result *r)
{
	free(r->out);
	r->out = NULL;
}
