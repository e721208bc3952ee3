/* litmus/report.c - the reports of a litmus result: slabstress's herd7-style text
 * (lit_print), JSON (lit_result_json), and herd7's own block (lit_print_herd),
 * which prints only from struct lit_result so that either engine (the cat engine
 * has herd7's execution counts) can feed it.
 */
#include <stdlib.h>
#include <string.h>

#include "litmus/litmus.h"

const char *lit_expect_name(enum lit_expect x)
{
	switch (x) {
	case EXP_NEVER: return "Never";
	case EXP_SOMETIMES: return "Sometimes";
	case EXP_ALWAYS: return "Always";
	case EXP_DEADLOCK: return "DEADLOCK";
	case EXP_NONE: break;
	}
	return "none";
}

const char *lit_obs_name(enum lit_obs_verdict v)
{
	return v == OBS_NEVER ? "Never" : v == OBS_ALWAYS ? "Always" : "Sometimes";
}

const char *lit_cmp_name(enum lit_cmp c)
{
	switch (c) {
	case CMP_AGREE: return "agree";
	case CMP_DISAGREE: return "DISAGREE";
	case CMP_NONE: return "not compared";
	case CMP_UNSUPPORTED: return "unsupported";
	case CMP_INCOMPLETE: return "incomplete";
	case CMP_ERROR: return "error";
	}
	return "?";
}

static void fmt_value(const struct lit_test *t, long long v, char *buf, size_t n)
{
	long long k = (v - LIT_ADDR_BASE) / LIT_ADDR_STRIDE;
	if (v >= LIT_ADDR_BASE && (v - LIT_ADDR_BASE) % LIT_ADDR_STRIDE == 0 && k < t->nlocs)
		snprintf(buf, n, "%s", t->locs[k].name);
	else
		snprintf(buf, n, "%lld", v);
}

static void fmt_key(const struct lit_test *t, const struct lit_val *v, char *buf, size_t n)
{
	if (v->kind == 1)
		snprintf(buf, n, "%s", t->locs[v->idx].name);
	else
		snprintf(buf, n, "%d:%s", v->t, t->th[v->t]->regname[v->idx]);
}

/* herd7 prints registers first (by thread), then memory. */
static int obs_order(const struct lit_test *t, int *ord)
{
	int n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < t->nobs; k++)
			if ((pass == 0) == (t->obs[k].kind == 2))
				ord[n++] = k;
	/* stable sort registers by thread */
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0; b--) {
			const struct lit_val *x = &t->obs[ord[b - 1]], *y = &t->obs[ord[b]];
			if (x->kind == 2 && y->kind == 2 && x->t > y->t) {
				int tmp = ord[b];
				ord[b] = ord[b - 1];
				ord[b - 1] = tmp;
			}
		}
	return n;
}

static void fmt_state(const struct lit_test *t, const struct lit_outcome *o, char *buf, size_t n)
{
	int ord[LIT_MAX_OBS], no = obs_order(t, ord);
	size_t used = 0;
	buf[0] = 0;
	for (int j = 0; j < no; j++) {
		char key[LIT_NAME * 2], val[LIT_NAME];
		fmt_key(t, &t->obs[ord[j]], key, sizeof(key));
		fmt_value(t, o->v[ord[j]], val, sizeof(val));
		int w = snprintf(buf + used, n - used, "%s%s=%s;", j ? " " : "", key, val);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

static int outcome_cmp_t(const void *a, const void *b, void *ctx)
{
	const struct lit_test *t = ctx;
	const struct lit_outcome *x = a, *y = b;
	int ord[LIT_MAX_OBS], no = obs_order(t, ord);
	for (int j = 0; j < no; j++)
		if (x->v[ord[j]] != y->v[ord[j]])
			return x->v[ord[j]] < y->v[ord[j]] ? -1 : 1;
	return 0;
}

static void fmt_prop(const struct lit_test *t, int k, char *buf, size_t n)
{
	const struct lit_prop *p = &t->props[k];
	char a[512], b[512];
	switch (p->kind) {
	case PK_TRUE: snprintf(buf, n, "true"); return;
	case PK_FALSE: snprintf(buf, n, "false"); return;
	case PK_ATOM:
		fmt_key(t, &p->lhs, a, sizeof(a));
		if (p->rhs.kind)
			fmt_key(t, &p->rhs, b, sizeof(b));
		else
			fmt_value(t, p->rhs.c, b, sizeof(b));
		snprintf(buf, n, "%s=%s", a, b);
		return;
	case PK_NOT:
		fmt_prop(t, p->l, a, sizeof(a));
		snprintf(buf, n, "~%s%s%s", t->props[p->l].kind == PK_ATOM ? "" : "(", a,
			 t->props[p->l].kind == PK_ATOM ? "" : ")");
		return;
	default:
		fmt_prop(t, p->l, a, sizeof(a));
		fmt_prop(t, p->r, b, sizeof(b));
		snprintf(buf, n, "(%s %s %s)", a,
			 p->kind == PK_AND  ? "/\\"
			 : p->kind == PK_OR ? "\\/"
					    : "=>",
			 b);
		return;
	}
}

static const char *quant_kind(enum lit_quant q)
{
	/* no condition at all: herd7 reads "forall (true)" */
	return q == Q_NOT_EXISTS	      ? "Forbidden"
	       : q == Q_FORALL || q == Q_NONE ? "Required"
					      : "Allowed";
}

static bool quant_ok(const struct lit_test *t, const struct lit_result *r)
{
	switch (t->quant) {
	case Q_NOT_EXISTS: return r->pos == 0;
	case Q_NONE:
	case Q_FORALL: return r->neg == 0;
	default: return r->pos > 0;
	}
}

static void sort_outcomes(const struct lit_test *t, const struct lit_result *r)
{
	if (r->nout > 1) /* no state at all (a deadlocked test): out may be NULL */
		qsort_r(r->out, (size_t)r->nout, sizeof(*r->out), outcome_cmp_t, (void *)t);
}

void lit_print(FILE *f, const struct lit_test *t, const struct lit_result *r, bool quiet)
{
	char cond[2048] = "true";
	if (t->cond >= 0)
		fmt_prop(t, t->cond, cond, sizeof(cond));
	if (quiet) {
		fprintf(f, "%-56s %-9s %s", t->name, r->error ? "error" : lit_obs_name(r->obs),
			t->expect == EXP_NONE ? "" : lit_expect_name(t->expect));
		fprintf(f, " %s%s%s\n", lit_cmp_name(r->cmp),
			r->error			   ? ": "
			: r->why && r->cmp == CMP_DISAGREE ? ": "
							   : "",
			r->error			   ? r->err
			: r->why && r->cmp == CMP_DISAGREE ? r->why
							   : "");
		return;
	}
	fprintf(f, "Test %s %s\n", t->name, quant_kind(t->quant));
	if (r->error) {
		fprintf(f, "Error %s\n", r->err);
	} else {
		sort_outcomes(t, r);
		fprintf(f, "States %d\n", r->nout);
		for (int k = 0; k < r->nout; k++) {
			char buf[2048];
			fmt_state(t, &r->out[k], buf, sizeof(buf));
			fprintf(f, "%s\n", buf);
		}
		fprintf(f, "%s\n", quant_ok(t, r) ? "Ok" : "No");
		fprintf(f, "Witnesses\nPositive: %u Negative: %u\n", r->pos, r->neg);
		if (r->datarace)
			fprintf(f, "Flag data-race\n");
	}
	fprintf(f, "Condition %s %s\n",
		t->quant == Q_NOT_EXISTS ? "~exists"
		: t->quant == Q_FORALL	 ? "forall"
					 : "exists",
		cond);
	if (!r->error)
		fprintf(f, "Observation %s %s %u %u\n", t->name, lit_obs_name(r->obs), r->pos,
			r->neg);
	fprintf(f,
		"Model %s: %llu executions, %llu states, %llu pruned, %llu deadlocked%s, %.3fs\n",
		wmm_model_name(r->model), r->executions, r->states, r->pruned, r->deadlocks,
		r->complete ? "" : " (INCOMPLETE: state limit)", r->seconds);
	if (t->expect != EXP_NONE)
		fprintf(f, "Expected (Result: %s%s) -> %s%s%s\n", lit_expect_name(t->expect),
			t->datarace ? " DATARACE" : "", lit_cmp_name(r->cmp),
			r->why && r->cmp == CMP_DISAGREE ? ": " : "",
			r->why && r->cmp == CMP_DISAGREE ? r->why : "");
	fprintf(f, "\n");
}

json_t *lit_result_json(const struct lit_test *t, const struct lit_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "file", json_string(t->path));
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "model", json_string(wmm_model_name(r->model)));
	json_object_set_new(o, "expected",
			    t->expect == EXP_NONE ? json_null()
						  : json_string(lit_expect_name(t->expect)));
	json_object_set_new(o, "kind", json_string(quant_kind(t->quant)));
	char cond[2048] = "true";
	if (t->cond >= 0)
		fmt_prop(t, t->cond, cond, sizeof(cond));
	json_object_set_new(o, "condition", json_string(cond));
	if (r->error) {
		json_object_set_new(o, "error", json_string(r->err));
	} else {
		sort_outcomes(t, r);
		json_t *st = json_array();
		for (int k = 0; k < r->nout; k++) {
			json_t *s = json_object();
			int ord[LIT_MAX_OBS], no = obs_order(t, ord);
			json_t *vals = json_object();
			for (int j = 0; j < no; j++) {
				char key[LIT_NAME * 2], val[LIT_NAME];
				fmt_key(t, &t->obs[ord[j]], key, sizeof(key));
				fmt_value(t, r->out[k].v[ord[j]], val, sizeof(val));
				json_object_set_new(vals, key, json_string(val));
			}
			json_object_set_new(s, "values", vals);
			json_object_set_new(s, "condition", json_boolean(r->out[k].sat));
			json_array_append_new(st, s);
		}
		json_object_set_new(o, "states", st);
		json_object_set_new(o, "observation", json_string(lit_obs_name(r->obs)));
		json_object_set_new(o, "positive", json_integer(r->pos));
		json_object_set_new(o, "negative", json_integer(r->neg));
		json_object_set_new(o, "datarace", json_boolean(r->datarace));
	}
	json_object_set_new(o, "verdict", json_string(lit_cmp_name(r->cmp)));
	if (r->why && r->cmp == CMP_DISAGREE)
		json_object_set_new(o, "reason", json_string(r->why));
	json_object_set_new(o, "complete", json_boolean(r->complete));
	json_t *tm = json_object();
	json_object_set_new(tm, "seconds", json_real(r->seconds));
	json_object_set_new(tm, "executions", json_integer((json_int_t)r->executions));
	json_object_set_new(tm, "states", json_integer((json_int_t)r->states));
	json_object_set_new(tm, "pruned", json_integer((json_int_t)r->pruned));
	json_object_set_new(tm, "deadlocked", json_integer((json_int_t)r->deadlocks));
	json_object_set_new(o, "timing", tm);
	return o;
}

/* ---- herd7's block -------------------------------------------------------------- */

/* herd7 orders a final state's bindings by location: registers by thread and
 * name, then memory by name. */
static int herd_obs_cmp(const struct lit_test *t, const struct lit_val *x, const struct lit_val *y)
{
	if (x->kind != y->kind)
		return x->kind == 2 ? -1 : 1;
	if (x->kind == 2) {
		if (x->t != y->t)
			return x->t < y->t ? -1 : 1;
		return strcmp(t->th[x->t]->regname[x->idx], t->th[y->t]->regname[y->idx]);
	}
	return strcmp(t->locs[x->idx].name, t->locs[y->idx].name);
}

static int herd_obs_order(const struct lit_test *t, int *ord)
{
	int n = t->nobs;
	for (int k = 0; k < n; k++)
		ord[k] = k;
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0 && herd_obs_cmp(t, &t->obs[ord[b - 1]], &t->obs[ord[b]]) > 0;
		     b--) {
			int tmp = ord[b];
			ord[b] = ord[b - 1];
			ord[b - 1] = tmp;
		}
	return n;
}

static void herd_key(const struct lit_test *t, const struct lit_val *v, char *buf, size_t n)
{
	if (v->kind == 1)
		snprintf(buf, n, "[%s]", t->locs[v->idx].name);
	else
		snprintf(buf, n, "%d:%s", v->t, t->th[v->t]->regname[v->idx]);
}

static bool is_addr(const struct lit_test *t, long long v)
{
	return v >= LIT_ADDR_BASE && (v - LIT_ADDR_BASE) % LIT_ADDR_STRIDE == 0 &&
	       (v - LIT_ADDR_BASE) / LIT_ADDR_STRIDE < t->nlocs;
}

/* Values: numbers before addresses (printed as the location's name). */
static int herd_val_cmp(const struct lit_test *t, long long a, long long b)
{
	bool sa = is_addr(t, a), sb = is_addr(t, b);
	if (sa != sb)
		return sa ? 1 : -1;
	if (sa)
		return strcmp(t->locs[(a - LIT_ADDR_BASE) / LIT_ADDR_STRIDE].name,
			      t->locs[(b - LIT_ADDR_BASE) / LIT_ADDR_STRIDE].name);
	return a < b ? -1 : a > b;
}

static int herd_state_cmp(const void *a, const void *b, void *ctx)
{
	const struct lit_test *t = ctx;
	const struct lit_outcome *x = a, *y = b;
	int ord[LIT_MAX_OBS], no = herd_obs_order(t, ord);
	for (int j = 0; j < no; j++) {
		int c = herd_val_cmp(t, x->v[ord[j]], y->v[ord[j]]);
		if (c)
			return c;
	}
	return 0;
}

enum herd_above { H_TOP, H_AND, H_OR, H_IMPL };

/* herd7's ConstrGen printing: And/Or chains flat, parenthesised only under a
 * different connective, "not (...)" for a negation. */
static void herd_prop(const struct lit_test *t, int k, enum herd_above above, char *buf, size_t n)
{
	const struct lit_prop *p = &t->props[k];
	char a[512], b[512];
	enum herd_above here = p->kind == PK_AND ? H_AND : p->kind == PK_OR ? H_OR : H_IMPL;
	switch (p->kind) {
	case PK_TRUE: snprintf(buf, n, "true"); return;
	case PK_FALSE: snprintf(buf, n, "false"); return;
	case PK_ATOM:
		herd_key(t, &p->lhs, a, sizeof(a));
		if (p->rhs.kind)
			herd_key(t, &p->rhs, b, sizeof(b));
		else
			fmt_value(t, p->rhs.c, b, sizeof(b));
		snprintf(buf, n, "%s=%s", a, b);
		return;
	case PK_NOT:
		herd_prop(t, p->l, H_TOP, a, sizeof(a));
		snprintf(buf, n, "not (%s)", a);
		return;
	default: break;
	}
	herd_prop(t, p->l, here, a, sizeof(a));
	herd_prop(t, p->r, here, b, sizeof(b));
	/* herd7's is_paren: only an And under an Or, or a chain of the same
	 * connective, goes without parentheses */
	bool paren = above != H_TOP && above != here && !(above == H_OR && here == H_AND);
	snprintf(buf, n, "%s%s%s%s%s", paren ? "(" : "", a,
		 here == H_AND	? " /\\ "
		 : here == H_OR ? " \\/ "
				: " => ",
		 b, paren ? ")" : "");
}

void lit_herd_condition(const struct lit_test *t, char *buf, size_t n)
{
	char c[2048] = "true";
	if (t->cond >= 0)
		herd_prop(t, t->cond, H_TOP, c, sizeof(c));
	snprintf(buf, n, "%s (%s)",
		 t->quant == Q_NOT_EXISTS		      ? "~exists"
		 : t->quant == Q_FORALL || t->quant == Q_NONE ? "forall"
							      : "exists",
		 c);
}

void lit_print_herd(FILE *f, const struct lit_test *t, const struct lit_result *r)
{
	fprintf(f, "Test %s %s\n", t->name, quant_kind(t->quant));
	if (r->nout > 1)
		qsort_r(r->out, (size_t)r->nout, sizeof(*r->out), herd_state_cmp, (void *)t);
	fprintf(f, "States %d\n", r->nout);
	int ord[LIT_MAX_OBS], no = herd_obs_order(t, ord);
	for (int k = 0; k < r->nout; k++) {
		for (int j = 0; j < no; j++) {
			char key[LIT_NAME * 2], val[LIT_NAME];
			herd_key(t, &t->obs[ord[j]], key, sizeof(key));
			fmt_value(t, r->out[k].v[ord[j]], val, sizeof(val));
			fprintf(f, "%s=%s;%s", key, val, j + 1 < no ? " " : "");
		}
		fprintf(f, "\n");
	}
	fprintf(f, "%s\n", quant_ok(t, r) ? "Ok" : "No");
	bool swap = t->quant == Q_NOT_EXISTS; /* herd7 counts the witnesses of ~p */
	fprintf(f, "Witnesses\nPositive: %u Negative: %u\n", swap ? r->neg : r->pos,
		swap ? r->pos : r->neg);
	if (r->race_checked && r->datarace)
		fprintf(f, "Flag data-race\n");
	char cond[2304];
	lit_herd_condition(t, cond, sizeof(cond));
	fprintf(f, "Condition %s\n", cond);
	fprintf(f, "Observation %s %s %u %u\n", t->name, lit_obs_name(r->obs), r->pos, r->neg);
	fprintf(f, "Time %s %0.2f\n", t->name, r->seconds);
	fprintf(f, "Hash=%016llx%016llx\n\n", t->digest[0], t->digest[1]);
}
