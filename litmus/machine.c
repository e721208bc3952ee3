/* litmus/machine.c - the register machine and final-state helpers both litmus
 * engines share (litmus/machine.h).
 */
#include <stdlib.h>
#include <string.h>

#include "litmus/machine.h"

/* The register machine's binary operators (LOP_BINOP sub-codes); shared by both
 * engines. */
long long lit_binop(int sub, long long a, long long b)
{
	switch (sub) {
	case 0: return a || b;
	case 1: return a && b;
	case 2: return a | b;
	case 3: return a ^ b;
	case 4: return a & b;
	case 5: return a == b;
	case 6: return a != b;
	case 7: return a < b;
	case 8: return a > b;
	case 9: return a <= b;
	case 10: return a >= b;
	case 11: return (long long)((unsigned long long)a << (b & 63));
	case 12: return a >> (b & 63);
	case 13: return (long long)((unsigned long long)a + (unsigned long long)b);
	case 14: return (long long)((unsigned long long)a - (unsigned long long)b);
	case 15: return (long long)((unsigned long long)a * (unsigned long long)b);
	case 16: return b ? a / b : 0;
	case 17: return b ? a % b : 0;
	}
	return 0;
}

bool lit_exec_local(const struct lit_ins *in, long long *reg, uint64_t *dep)
{
	switch (in->op) {
	case LOP_CONST:
		reg[in->dst] = in->imm;
		dep[in->dst] = 0;
		return true;
	case LOP_MOV:
		reg[in->dst] = reg[in->a];
		dep[in->dst] = dep[in->a];
		return true;
	case LOP_BIN:
		reg[in->dst] = lit_binop(in->sub, reg[in->a], reg[in->b]);
		dep[in->dst] = dep[in->a] | dep[in->b];
		return true;
	case LOP_UN: {
		long long a = reg[in->a];
		reg[in->dst] = in->sub == 0   ? !a
			       : in->sub == 1 ? !!a
			       : in->sub == 2 ? (long long)(0ull - (unsigned long long)a)
					      : ~a;
		dep[in->dst] = dep[in->a];
		return true;
	}
	}
	return false;
}

int lit_addr_loc(const struct lit_test *t, long long a)
{
	long long k = (a - LIT_ADDR_BASE) / LIT_ADDR_STRIDE;
	if (a < LIT_ADDR_BASE || (a - LIT_ADDR_BASE) % LIT_ADDR_STRIDE || k >= t->nlocs)
		return -1;
	return (int)k; /* locations are registered in index order */
}

bool lit_prop_eval(const struct lit_test *t, int k, lit_val_fn val, void *ctx)
{
	const struct lit_prop *p = &t->props[k];
	switch (p->kind) {
	case PK_TRUE: return true;
	case PK_FALSE: return false;
	case PK_ATOM: return val(ctx, &p->lhs) == val(ctx, &p->rhs);
	case PK_NOT: return !lit_prop_eval(t, p->l, val, ctx);
	case PK_AND: return lit_prop_eval(t, p->l, val, ctx) && lit_prop_eval(t, p->r, val, ctx);
	case PK_OR: return lit_prop_eval(t, p->l, val, ctx) || lit_prop_eval(t, p->r, val, ctx);
	case PK_IMPL: return !lit_prop_eval(t, p->l, val, ctx) || lit_prop_eval(t, p->r, val, ctx);
	}
	return false;
}

bool lit_outcome_of(const struct lit_test *t, lit_val_fn val, void *ctx, struct lit_outcome *o)
{
	if (t->filter >= 0 && !lit_prop_eval(t, t->filter, val, ctx))
		return false;
	memset(o, 0, sizeof(*o));
	for (int k = 0; k < t->nobs; k++)
		o->v[k] = val(ctx, &t->obs[k]);
	o->sat = t->cond >= 0 ? lit_prop_eval(t, t->cond, val, ctx) : true;
	return true;
}

int lit_outcome_find(const struct lit_result *r, const struct lit_outcome *o)
{
	for (int k = 0; k < r->nout; k++)
		if (!memcmp(r->out[k].v, o->v, sizeof(o->v)))
			return k;
	return -1;
}

void lit_outcome_append(struct lit_result *r, const struct lit_outcome *o)
{
	if (r->nout == r->capout) {
		r->capout = r->capout ? 2 * r->capout : 16;
		r->out = realloc(r->out, (size_t)r->capout * sizeof(*r->out));
		if (!r->out)
			abort();
	}
	r->out[r->nout++] = *o;
}
