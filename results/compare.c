/* results/compare.c - the regression judge of `slabstress compare` (results/compare.h):
 * reading bench results, pairing their runs, the statistics and the verdicts, and
 * the comparison document.  Printing stays with the command. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/compare.h"
#include "results/json.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return RES_CMP_BAD_INPUT;
}

static int no_memory(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return RES_CMP_NO_MEMORY;
}

/* ---- reading ----------------------------------------------------------------------- */

/* obj.key of the given type (JSON_REAL takes integers, JSON_TRUE either boolean),
 * else NULL with err naming the file, where and what was expected. */
static const json_t *field(const struct res_cmp_file *f, const json_t *obj, const char *where,
			   const char *key, json_type type, const char *expect, char *err,
			   size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	bool ok = v && (json_typeof(v) == type || (type == JSON_REAL && json_is_integer(v)) ||
			(type == JSON_TRUE && json_is_boolean(v)));
	if (!ok) {
		fail(err, errlen, "%s: %s%s%s: %s %s", f->path, where, *where ? "." : "", key,
		     v ? "expected" : "missing, expected", expect);
		return NULL;
	}
	return v;
}

static int check_schema(const char *path, const json_t *doc, char *err, size_t errlen)
{
	if (!json_is_object(doc))
		return fail(err, errlen,
			    "%s: not a slabstress bench result (top level is not an object)", path);
	const json_t *schema = json_object_get(doc, "schema");
	if (!json_is_string(schema))
		return fail(err, errlen,
			    "%s: not a slabstress bench result (no \"schema\" string, expected "
			    "\"%s\")",
			    path, RES_CMP_BENCH_SCHEMA);
	const char *s = json_string_value(schema);
	if (!strcmp(s, RES_CMP_BENCH_SCHEMA))
		return 0;
	if (!strncmp(s, "slabstress-bench/", 17))
		return fail(err, errlen,
			    "%s: schema \"%s\" is not one this slabstress reads (expected \"%s\")",
			    path, s, RES_CMP_BENCH_SCHEMA);
	return fail(err, errlen,
		    "%s: not a slabstress bench result (schema \"%s\", expected \"%s\")", path, s,
		    RES_CMP_BENCH_SCHEMA);
}

/* results[i].timing.handoffs_per_s and rtt_ns_median into x. */
static int read_timing(const struct res_cmp_file *f, const json_t *r, const char *where,
		       struct res_cmp_run *x, char *err, size_t errlen)
{
	char twhere[80];
	snprintf(twhere, sizeof(twhere), "%s.timing", where);
	const json_t *t = field(f, r, where, "timing", JSON_OBJECT, "an object", err, errlen);
	const json_t *h = t ? field(f, t, twhere, "handoffs_per_s", JSON_ARRAY,
				    "an array of numbers", err, errlen)
			    : NULL;
	if (!h)
		return RES_CMP_BAD_INPUT;
	x->n = json_array_size(h);
	if (!x->n)
		return fail(err, errlen,
			    "%s: %s.handoffs_per_s is empty (runs %lld): no data to compare (an "
			    "interrupted bench?)",
			    f->path, twhere,
			    (long long)json_integer_value(json_object_get(r, "runs")));
	x->hps = calloc(x->n, sizeof(double));
	if (!x->hps)
		return no_memory(err, errlen);
	for (size_t k = 0; k < x->n; k++) {
		const json_t *v = json_array_get(h, k);
		if (!json_is_number(v) || json_number_value(v) < 0)
			return fail(err, errlen,
				    "%s: %s.handoffs_per_s[%zu]: expected a number >= 0", f->path,
				    twhere, k);
		x->hps[k] = json_number_value(v);
	}
	const json_t *rtt = json_object_get(t, "rtt_ns_median");
	x->rtt = json_is_number(rtt) ? json_number_value(rtt) : 0;
	return 0;
}

static bool same_params(const struct res_cmp_run *x, const struct res_cmp_run *y, bool by_alloc)
{
	return !strcmp(x->scenario, y->scenario) && (!by_alloc || !strcmp(x->alloc, y->alloc)) &&
	       x->size == y->size && x->batch == y->batch && x->cold == y->cold;
}

/* results[i] into f->r[i]. */
static int read_run(struct res_cmp_file *f, size_t i, const json_t *r, char *err, size_t errlen)
{
	char where[64], fwhere[80];
	snprintf(where, sizeof(where), "results[%zu]", i);
	if (!json_is_object(r))
		return fail(err, errlen, "%s: %s: expected an object", f->path, where);
	struct res_cmp_run *x = &f->r[i];
	const json_t *sc, *al, *sz, *bt, *cold, *fl, *total;
	if (!(sc = field(f, r, where, "scenario", JSON_STRING, "a string", err, errlen)) ||
	    !(al = field(f, r, where, "alloc", JSON_STRING, "a string", err, errlen)) ||
	    !(sz = field(f, r, where, "size", JSON_INTEGER, "an integer", err, errlen)) ||
	    !(bt = field(f, r, where, "batch", JSON_INTEGER, "an integer", err, errlen)) ||
	    !(cold = field(f, r, where, "cold", JSON_TRUE, "true or false", err, errlen)))
		return RES_CMP_BAD_INPUT;
	x->scenario = json_string_value(sc);
	x->alloc = json_string_value(al);
	x->size = json_integer_value(sz);
	x->batch = json_integer_value(bt);
	x->cold = json_is_true(cold);
	const json_t *var = json_object_get(r, "variant");
	x->variant = json_is_string(var) ? json_string_value(var) : "";
	snprintf(fwhere, sizeof(fwhere), "%s.failures", where);
	if (!(fl = field(f, r, where, "failures", JSON_OBJECT, "an object", err, errlen)) ||
	    !(total = field(f, fl, fwhere, "total", JSON_INTEGER, "an integer", err, errlen)))
		return RES_CMP_BAD_INPUT;
	x->failures = json_integer_value(total);
	int rc = read_timing(f, r, where, x, err, errlen);
	if (rc)
		return rc;
	x->disturbed = json_is_true(json_object_get(r, "disturbed"));
	const json_t *dr = json_object_get(json_object_get(r, "disturbance"), "reasons");
	x->reasons = json_is_string(dr) ? json_string_value(dr) : "";
	for (size_t j = 0; j < i; j++)
		if (same_params(x, &f->r[j], true))
			return fail(
			    err, errlen,
			    "%s: results[%zu] repeats results[%zu] (%s, %s, size %lld, batch "
			    "%lld): expected one entry each",
			    f->path, i, j, x->scenario, x->alloc, x->size, x->batch);
	return 0;
}

int res_cmp_parse(struct res_cmp_file *f, const char *path, json_t *doc, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->doc = doc;
	int rc = check_schema(path, doc, err, errlen);
	if (rc)
		return rc;
	const json_t *results = field(f, doc, "", "results", JSON_ARRAY, "an array", err, errlen);
	if (!results)
		return RES_CMP_BAD_INPUT;
	size_t n = json_array_size(results);
	f->r = calloc(n ? n : 1, sizeof(*f->r));
	if (!f->r)
		return no_memory(err, errlen);
	size_t i;
	const json_t *r;
	json_array_foreach(results, i, r)
	{
		f->n = i + 1; /* so res_cmp_file_free sees this run's hps */
		if ((rc = read_run(f, i, r, err, errlen)) != 0)
			return rc;
		if (i == 0)
			f->one_alloc = f->r[i].alloc;
		else if (f->one_alloc && strcmp(f->one_alloc, f->r[i].alloc))
			f->one_alloc = NULL;
	}
	if (!f->n)
		return fail(err, errlen, "%s: results: empty, expected at least one run", path);
	return 0;
}

int res_cmp_load(struct res_cmp_file *f, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	char lerr[512];
	memset(f, 0, sizeof(*f));
	f->path = path;
	json_t *doc = res_json_load_limited(path, "bench result", RES_CMP_MAX_BYTES,
					    RES_CMP_MAX_DEPTH, &jerr, lerr, sizeof(lerr));
	if (!doc && lerr[0])
		return fail(err, errlen, "%s", lerr);
	if (!doc && jerr.line > 0)
		return fail(err, errlen, "%s:%d:%d: not valid JSON: %s", path, jerr.line,
			    jerr.column, jerr.text);
	if (!doc)
		return fail(err, errlen, "%s: %s", path, jerr.text);
	return res_cmp_parse(f, path, doc, err, errlen);
}

void res_cmp_file_free(struct res_cmp_file *f)
{
	for (size_t i = 0; f->r && i < f->n; i++)
		free(f->r[i].hps);
	free(f->r);
	json_decref(f->doc);
	memset(f, 0, sizeof(*f));
}

/* ---- judging ----------------------------------------------------------------------- */

static const char *const verdict_names[] = {"same",  "faster",	      "SLOWER", "NOW FAILING",
					    "fixed", "still failing", "no data"};
static const char *const verdict_json[] = {"same",  "faster",	     "slower", "now-failing",
					   "fixed", "still-failing", "no-data"};

const char *res_cmp_verdict_name(enum res_cmp_verdict v)
{
	return verdict_names[v];
}

const char *res_cmp_verdict_json(enum res_cmp_verdict v)
{
	return verdict_json[v];
}

bool res_cmp_is_regression(enum res_cmp_verdict v)
{
	return v == RES_CMP_SLOWER || v == RES_CMP_NOW_FAILING;
}

static double minv(const double *x, size_t n)
{
	double m = INFINITY;
	for (size_t i = 0; i < n; i++)
		m = x[i] < m ? x[i] : m;
	return m;
}

static double maxv(const double *x, size_t n)
{
	double m = -INFINITY;
	for (size_t i = 0; i < n; i++)
		m = x[i] > m ? x[i] : m;
	return m;
}

/* Slower, faster or the same, for two clean runs with data. */
static enum res_cmp_verdict judge_speed(struct res_cmp_pair *p, const struct res_cmp_options *o)
{
	const struct res_cmp_run *a = p->a, *b = p->b;
	ss_mann_whitney(a->hps, a->n, b->hps, b->n, &p->u);
	p->separated =
	    maxv(b->hps, b->n) < minv(a->hps, a->n) || minv(b->hps, b->n) > maxv(a->hps, a->n);
	bool significant;
	if (p->u.exact && p->u.p_min > o->alpha) {
		p->by_ranges = true;
		significant = p->separated;
	} else {
		significant = p->u.p <= o->alpha;
	}
	if (significant && fabs(p->change) >= o->threshold)
		return p->change < 0 ? RES_CMP_SLOWER : RES_CMP_FASTER;
	return RES_CMP_SAME;
}

/* Notes, most important first; one line. */
static void pair_note(struct res_cmp_pair *p, const struct res_cmp_options *o)
{
	const struct res_cmp_run *a = p->a, *b = p->b;
	size_t len = 0;
	p->note[0] = 0;
	if (strcmp(a->alloc, b->alloc))
		len += snprintf(p->note + len, sizeof(p->note) - len,
				"allocator differs: %s -> %s; ", a->alloc, b->alloc);
	if (*a->variant && *b->variant && strcmp(a->variant, b->variant) && len < sizeof(p->note))
		len += snprintf(p->note + len, sizeof(p->note) - len, "variant %s -> %s; ",
				a->variant, b->variant);
	if (p->by_ranges && fabs(p->change) >= o->threshold && len < sizeof(p->note))
		len += snprintf(p->note + len, sizeof(p->note) - len,
				"%zu vs %zu runs: too few for the U test, judged by ranges; ", a->n,
				b->n);
	if (a->rtt > 0 && b->rtt > 0 && (b->rtt > a->rtt * 1.25 || b->rtt < a->rtt * 0.8) &&
	    len < sizeof(p->note))
		len +=
		    snprintf(p->note + len, sizeof(p->note) - len,
			     "round trip %.0f -> %.0f ns: the machine moved too; ", a->rtt, b->rtt);
	if (len >= 2 && len < sizeof(p->note))
		p->note[len - 2] = 0;
}

void res_cmp_judge_pair(struct res_cmp_pair *p, const struct res_cmp_options *o)
{
	const struct res_cmp_run *a = p->a, *b = p->b;
	p->med_a = ss_median(a->hps, a->n);
	p->med_b = ss_median(b->hps, b->n);
	p->change = p->med_a > 0 ? (p->med_b - p->med_a) / p->med_a * 100 : 0;
	if (a->failures == 0 && b->failures > 0)
		p->v = RES_CMP_NOW_FAILING;
	else if (a->failures > 0 && b->failures == 0)
		p->v = RES_CMP_FIXED;
	else if (a->failures > 0 && b->failures > 0)
		p->v = RES_CMP_STILL_FAILING;
	else if (!a->n || !b->n || p->med_a <= 0)
		p->v = RES_CMP_NO_DATA;
	else
		p->v = judge_speed(p, o);
	pair_note(p, o);
}

static int check_unique_for_scenario_match(const struct res_cmp_file *f, char *err, size_t errlen)
{
	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < i; j++)
			if (same_params(&f->r[i], &f->r[j], false))
				return fail(
				    err, errlen,
				    "%s: --match scenario: results[%zu] (%s) and results[%zu] "
				    "(%s) are both %s size %lld batch %lld: expected one "
				    "allocator per scenario and parameters",
				    f->path, j, f->r[j].alloc, i, f->r[i].alloc, f->r[i].scenario,
				    f->r[i].size, f->r[i].batch);
	return 0;
}

/* --match full that pairs nothing between two single-allocator files of different
 * allocators means "compare the allocators": pair by scenario instead. */
static int choose_matching(struct res_cmp *c, const struct res_cmp_options *o, char *err,
			   size_t errlen)
{
	const struct res_cmp_file *f = c->f;
	c->by_alloc = o->by_alloc;
	if (c->by_alloc) {
		bool any = false;
		for (size_t i = 0; i < f[0].n && !any; i++)
			for (size_t j = 0; j < f[1].n && !any; j++)
				any = same_params(&f[0].r[i], &f[1].r[j], true);
		if (!any && f[0].one_alloc && f[1].one_alloc &&
		    strcmp(f[0].one_alloc, f[1].one_alloc)) {
			c->by_alloc = false;
			c->auto_scenario = true;
		}
	}
	if (c->by_alloc)
		return 0;
	int rc = check_unique_for_scenario_match(&f[0], err, errlen);
	return rc ? rc : check_unique_for_scenario_match(&f[1], err, errlen);
}

static int pair_runs(struct res_cmp *c, const struct res_cmp_options *o, char *err, size_t errlen)
{
	struct res_cmp_file *f = c->f;
	c->pairs = calloc(f[0].n ? f[0].n : 1, sizeof(*c->pairs));
	if (!c->pairs)
		return no_memory(err, errlen);
	for (size_t i = 0; i < f[0].n; i++)
		for (size_t j = 0; j < f[1].n; j++)
			if (!f[1].r[j].matched &&
			    same_params(&f[0].r[i], &f[1].r[j], c->by_alloc)) {
				f[0].r[i].matched = f[1].r[j].matched = 1;
				c->pairs[c->np].a = &f[0].r[i];
				c->pairs[c->np].b = &f[1].r[j];
				res_cmp_judge_pair(&c->pairs[c->np], o);
				c->np++;
				break;
			}
	if (!c->np)
		return fail(err, errlen,
			    "%s: no run matches one in %s by scenario, allocator, size, batch and "
			    "cold (first: %s, %s, size %lld, batch %lld): expected results of the "
			    "same bench, or --match scenario",
			    f[1].path, f[0].path, f[0].r[0].scenario, f[0].r[0].alloc,
			    f[0].r[0].size, f[0].r[0].batch);
	return 0;
}

/* A slower median measured on a disturbed machine measures the machine. */
static int refuse_disturbed(const struct res_cmp *c, char *err, size_t errlen)
{
	int ndist = 0;
	const struct res_cmp_pair *firstd = NULL;
	for (size_t i = 0; i < c->np; i++)
		if (c->pairs[i].v == RES_CMP_SLOWER &&
		    (c->pairs[i].a->disturbed || c->pairs[i].b->disturbed)) {
			ndist++;
			firstd = firstd ? firstd : &c->pairs[i];
		}
	if (!ndist)
		return 0;
	const struct res_cmp_run *d = firstd->b->disturbed ? firstd->b : firstd->a;
	return fail(err, errlen,
		    "compare: %d slower result%s measured on disturbed runs (first: %s %s size "
		    "%lld batch %lld in %s: %s): not called a regression; rerun on a quiet "
		    "machine or pass --allow-disturbed",
		    ndist, ndist == 1 ? "" : "s", d->scenario, d->alloc, d->size, d->batch,
		    d == firstd->b ? c->f[1].path : c->f[0].path,
		    *d->reasons ? d->reasons : "disturbed");
}

int res_cmp_judge(struct res_cmp *c, const struct res_cmp_options *o, char *err, size_t errlen)
{
	int rc = choose_matching(c, o, err, errlen);
	if (!rc)
		rc = pair_runs(c, o, err, errlen);
	if (!rc && !o->allow_disturbed)
		rc = refuse_disturbed(c, err, errlen);
	if (rc)
		return rc;
	c->nreg = c->nimp = c->nsame = 0;
	for (size_t i = 0; i < c->np; i++) {
		enum res_cmp_verdict v = c->pairs[i].v;
		if (res_cmp_is_regression(v))
			c->nreg++;
		else if (v == RES_CMP_FASTER || v == RES_CMP_FIXED)
			c->nimp++;
		else
			c->nsame++;
	}
	return 0;
}

void res_cmp_free(struct res_cmp *c)
{
	res_cmp_file_free(&c->f[0]);
	res_cmp_file_free(&c->f[1]);
	free(c->pairs);
	c->pairs = NULL;
	c->np = 0;
}

const char *res_cmp_overall(const struct res_cmp *c)
{
	return c->nreg ? "regression" : c->nimp ? "improvement" : "no change";
}

void res_cmp_alloc_label(const struct res_cmp_pair *p, char *buf, size_t n)
{
	bool differ = strcmp(p->a->alloc, p->b->alloc) != 0;
	snprintf(buf, n, "%s%s%s", p->a->alloc, differ ? ">" : "", differ ? p->b->alloc : "");
}

/* ---- the document ------------------------------------------------------------------ */

static json_t *pair_json(const struct res_cmp_pair *p)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:I, s:I, s:b, s:s, s:b, s:{s:f, s:f, s:f, s:f, s:f, "
	    "s:b, s:b, s:I, s:I, s:f, s:f}, s:I, s:I, s:s}",
	    "scenario", p->a->scenario, "base_alloc", p->a->alloc, "new_alloc", p->b->alloc, "size",
	    (json_int_t)p->a->size, "batch", (json_int_t)p->a->batch, "cold", p->a->cold, "verdict",
	    verdict_json[p->v], "regression", res_cmp_is_regression(p->v), "timing", "base_median",
	    p->med_a, "new_median", p->med_b, "change_pct", p->change, "u", p->u.u, "p", p->u.p,
	    "exact", p->u.exact, "judged_by_ranges", p->by_ranges, "base_runs", (json_int_t)p->a->n,
	    "new_runs", (json_int_t)p->b->n, "base_rtt_ns", p->a->rtt, "new_rtt_ns", p->b->rtt,
	    "base_failures", (json_int_t)p->a->failures, "new_failures", (json_int_t)p->b->failures,
	    "note", p->note);
}

static json_t *unmatched_json(const struct res_cmp *c)
{
	json_t *only = json_array();
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < c->f[s].n; i++) {
			const struct res_cmp_run *x = &c->f[s].r[i];
			if (!x->matched)
				json_array_append_new(
				    only,
				    json_pack("{s:s, s:s, s:s, s:I, s:I, s:b}", "file",
					      s ? "new" : "base", "scenario", x->scenario, "alloc",
					      x->alloc, "size", (json_int_t)x->size, "batch",
					      (json_int_t)x->batch, "cold", x->cold));
		}
	return only;
}

json_t *res_cmp_doc(const struct res_cmp *c, const struct res_cmp_options *o, int argc, char **argv)
{
	json_t *doc = res_doc_new("compare", argc, argv);
	json_t *arr = json_array();
	for (size_t i = 0; i < c->np; i++)
		json_array_append_new(arr, pair_json(&c->pairs[i]));
	json_object_set_new(doc, "parameters",
			    json_pack("{s:s, s:s, s:f, s:f, s:s}", "base", c->f[0].path, "new",
				      c->f[1].path, "threshold_pct", o->threshold, "alpha",
				      o->alpha, "match", c->by_alloc ? "full" : "scenario"));
	json_object_set_new(doc, "pairs", arr);
	json_object_set_new(doc, "unmatched", unmatched_json(c));
	json_object_set_new(doc, "summary",
			    json_pack("{s:i, s:i, s:i}", "regressions", c->nreg, "improvements",
				      c->nimp, "same", c->nsame));
	json_object_set_new(doc, "verdict", json_string(res_cmp_overall(c)));
	return doc;
}
