/* cmd/compare.c - `slabstress compare BASE NEW`: did throughput or correctness change
 * between two bench results?
 *
 * Runs are matched by scenario, allocator and parameters (size, batch, cold).  For
 * each pair: the change of the median handoffs/s, and a two-sided Mann-Whitney U
 * test over the repeats (results/stats.h).  A change counts when it is at least
 * --threshold percent AND the test says it is outside the noise (p <= --alpha); with
 * too few repeats for the test ever to reach alpha, non-overlapping min..max ranges
 * stand in for it, and the row says so.  clean -> failing is always a regression.
 *
 * Exit status: 1 any regression, 0 none, 2 unreadable, foreign or mismatched input
 * (one line naming the file and the field).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "results/json.h"
#include "results/stats.h"

#define BENCH_SCHEMA "slabstress-bench/1"
/* Limits of a bench result read by compare: its size and its JSON nesting. */
#define BENCH_MAX_BYTES (64u << 20)
#define BENCH_MAX_DEPTH 32

enum { OPT_THRESHOLD = 0x2000, OPT_ALPHA, OPT_MATCH, OPT_JSON, OPT_ALLOW_DISTURBED };

struct cmp_opts {
	const char *path[2];
	int npaths;
	const char *json_path, *match;
	double threshold, alpha;
	int quiet;
	int allow_disturbed;
};

static const struct argp_option options[] = {
    {"threshold", OPT_THRESHOLD, "PCT", 0,
     "smallest change of the median, in percent, that counts (default: 5)", 0},
    {"alpha", OPT_ALPHA, "P", 0, "significance level of the Mann-Whitney U test (default: 0.05)",
     0},
    {"match", OPT_MATCH, "MODE", 0,
     "full: pair runs by scenario, allocator, size, batch, cold; scenario: ignore the "
     "allocator, to compare two allocators (default: full; when nothing pairs and each "
     "file holds one allocator, scenario)",
     0},
    {"json", OPT_JSON, "FILE", 0,
     "also write the comparison (schema slabstress-compare/1) to FILE, - for stdout "
     "(default: none)",
     0},
    {"quiet", 'q', 0, 0, "print only changed rows and the verdict (default: every pair)", 0},
    {"allow-disturbed", OPT_ALLOW_DISTURBED, 0, 0,
     "call a regression even when its runs were disturbed (context switches of the pinned "
     "threads, steal, load above the CPUs, round-trip spread; default: refuse, exit 2)",
     0},
    {0},
};

static double parse_double(const char *opt, const char *arg, double lo, double hi)
{
	char *end;
	double v = arg && *arg ? strtod(arg, &end) : NAN;
	if (!arg || !*arg || *end || !(v >= lo && v <= hi))
		cli_usage_error("cannot parse %s '%s': expected a number from %g to %g", opt,
				arg ? arg : "", lo, hi);
	return v;
}

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct cmp_opts *o = state->input;
	switch (key) {
	case OPT_THRESHOLD: o->threshold = parse_double("--threshold", arg, 0, 1000); break;
	case OPT_ALPHA: o->alpha = parse_double("--alpha", arg, 1e-9, 1); break;
	case OPT_MATCH:
		if (strcmp(arg, "full") && strcmp(arg, "scenario"))
			cli_usage_error("unknown --match '%s': expected full or scenario", arg);
		o->match = arg;
		break;
	case OPT_JSON: o->json_path = arg; break;
	case 'q': o->quiet = 1; break;
	case OPT_ALLOW_DISTURBED: o->allow_disturbed = 1; break;
	case ARGP_KEY_ARG:
		if (o->npaths == 2)
			cli_usage_error(
			    "compare: unexpected argument '%s': expected BASE.json NEW.json", arg);
		o->path[o->npaths++] = arg;
		break;
	case ARGP_KEY_END:
		if (o->npaths != 2)
			cli_usage_error("compare: expected two files, BASE.json NEW.json (got %d)",
					o->npaths);
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Compare two bench results: per scenario, allocator, size, batch and consumer "
    "warmth, the change of the median handoffs/s with a Mann-Whitney U test over the "
    "repeats, and any change of failure status.\v"
    "USAGE\n"
    "  slabstress compare BASE.json NEW.json [--threshold PCT] [--alpha P] [--match "
    "full|scenario] [--json FILE]\n\n"
    "EXAMPLES\n"
    "  slabstress bench -s release-acquire --alloc slab,jemalloc,libc --repeat 5 --json "
    "base.json\n"
    "  (change the code, rebuild)\n"
    "  slabstress bench -s release-acquire --alloc slab,jemalloc,libc --repeat 5 --json "
    "new.json\n"
    "  slabstress compare base.json new.json\n"
    "  slabstress compare slab.json libc.json --match scenario --threshold 10\n\n"
    "A slower result measured on disturbed runs (bench marks them) is not called a "
    "regression: compare exits 2 naming the cell and why, unless --allow-disturbed.\n\n"
    "Exit status: 0 no regression (\"no change\" when nothing moved), 1 a regression "
    "(slower beyond the threshold and the noise, or clean -> failing), 2 bad or "
    "mismatched input.";

/* ---- loading ------------------------------------------------------------------------ */

struct rec {
	const char *scenario, *alloc, *variant;
	long long size, batch;
	int cold;
	double *hps;
	size_t n;
	double rtt; /* median round trip, ns; 0 when absent */
	long long failures;
	int matched;
	bool disturbed;	     /* "disturbed": true in the result */
	const char *reasons; /* its "disturbance"."reasons" */
};

struct file {
	const char *path;
	json_t *doc;
	struct rec *r;
	size_t n;
	const char *one_alloc; /* the allocator when all runs use one, else NULL */
};

static const json_t *field(const struct file *f, const json_t *obj, const char *where,
			   const char *key, json_type type, const char *expect)
{
	const json_t *v = json_object_get(obj, key);
	bool ok = v && (json_typeof(v) == type || (type == JSON_REAL && json_is_integer(v)) ||
			(type == JSON_TRUE && json_is_boolean(v)));
	if (!ok)
		cli_usage_error("%s: %s%s%s: %s %s", f->path, where, *where ? "." : "", key,
				v ? "expected" : "missing, expected", expect);
	return v;
}

static void load(struct file *f, const char *path)
{
	json_error_t jerr;
	f->path = path;
	char lerr[512];
	f->doc = res_json_load_limited(path, "bench result", BENCH_MAX_BYTES, BENCH_MAX_DEPTH,
				       &jerr, lerr, sizeof(lerr));
	if (!f->doc && lerr[0])
		cli_usage_error("%s", lerr);
	if (!f->doc) {
		if (jerr.line > 0)
			cli_usage_error("%s:%d:%d: not valid JSON: %s", path, jerr.line,
					jerr.column, jerr.text);
		cli_usage_error("%s: %s", path, jerr.text);
	}
	if (!json_is_object(f->doc))
		cli_usage_error("%s: not a slabstress bench result (top level is not an object)",
				path);
	const json_t *schema = json_object_get(f->doc, "schema");
	if (!json_is_string(schema))
		cli_usage_error("%s: not a slabstress bench result (no \"schema\" string, expected "
				"\"%s\")",
				path, BENCH_SCHEMA);
	const char *s = json_string_value(schema);
	if (strcmp(s, BENCH_SCHEMA)) {
		if (!strncmp(s, "slabstress-bench/", 17))
			cli_usage_error(
			    "%s: schema \"%s\" is not one this slabstress reads (expected "
			    "\"%s\")",
			    path, s, BENCH_SCHEMA);
		cli_usage_error(
		    "%s: not a slabstress bench result (schema \"%s\", expected \"%s\")", path, s,
		    BENCH_SCHEMA);
	}
	const json_t *results = field(f, f->doc, "", "results", JSON_ARRAY, "an array");
	f->n = json_array_size(results);
	f->r = calloc(f->n ? f->n : 1, sizeof(*f->r));
	if (!f->r)
		cli_internal_error("out of memory");
	size_t i;
	const json_t *r;
	json_array_foreach(results, i, r)
	{
		char where[64];
		snprintf(where, sizeof(where), "results[%zu]", i);
		if (!json_is_object(r))
			cli_usage_error("%s: %s: expected an object", path, where);
		struct rec *x = &f->r[i];
		x->scenario =
		    json_string_value(field(f, r, where, "scenario", JSON_STRING, "a string"));
		x->alloc = json_string_value(field(f, r, where, "alloc", JSON_STRING, "a string"));
		x->size =
		    json_integer_value(field(f, r, where, "size", JSON_INTEGER, "an integer"));
		x->batch =
		    json_integer_value(field(f, r, where, "batch", JSON_INTEGER, "an integer"));
		x->cold = json_is_true(field(f, r, where, "cold", JSON_TRUE, "true or false"));
		const json_t *var = json_object_get(r, "variant");
		x->variant = json_is_string(var) ? json_string_value(var) : "";
		const json_t *fail = field(f, r, where, "failures", JSON_OBJECT, "an object");
		char fwhere[80];
		snprintf(fwhere, sizeof(fwhere), "%s.failures", where);
		x->failures =
		    json_integer_value(field(f, fail, fwhere, "total", JSON_INTEGER, "an integer"));
		char twhere[80];
		snprintf(twhere, sizeof(twhere), "%s.timing", where);
		const json_t *t = field(f, r, where, "timing", JSON_OBJECT, "an object");
		const json_t *h =
		    field(f, t, twhere, "handoffs_per_s", JSON_ARRAY, "an array of numbers");
		x->n = json_array_size(h);
		if (!x->n)
			cli_usage_error("%s: %s.handoffs_per_s is empty (runs %lld): no data to "
					"compare (an interrupted bench?)",
					path, twhere,
					(long long)json_integer_value(json_object_get(r, "runs")));
		x->hps = calloc(x->n ? x->n : 1, sizeof(double));
		if (!x->hps)
			cli_internal_error("out of memory");
		for (size_t k = 0; k < x->n; k++) {
			const json_t *v = json_array_get(h, k);
			if (!json_is_number(v) || json_number_value(v) < 0)
				cli_usage_error(
				    "%s: %s.handoffs_per_s[%zu]: expected a number >= 0", path,
				    twhere, k);
			x->hps[k] = json_number_value(v);
		}
		x->disturbed = json_is_true(json_object_get(r, "disturbed"));
		const json_t *dr = json_object_get(json_object_get(r, "disturbance"), "reasons");
		x->reasons = json_is_string(dr) ? json_string_value(dr) : "";
		const json_t *rtt = json_object_get(t, "rtt_ns_median");
		x->rtt = json_is_number(rtt) ? json_number_value(rtt) : 0;
		for (size_t j = 0; j < i; j++) {
			struct rec *y = &f->r[j];
			if (!strcmp(x->scenario, y->scenario) && !strcmp(x->alloc, y->alloc) &&
			    x->size == y->size && x->batch == y->batch && x->cold == y->cold)
				cli_usage_error(
				    "%s: results[%zu] repeats results[%zu] (%s, %s, size %lld, "
				    "batch %lld): expected one entry each",
				    path, i, j, x->scenario, x->alloc, x->size, x->batch);
		}
		if (i == 0)
			f->one_alloc = x->alloc;
		else if (f->one_alloc && strcmp(f->one_alloc, x->alloc))
			f->one_alloc = NULL;
	}
	if (!f->n)
		cli_usage_error("%s: results: empty, expected at least one run", path);
}

/* ---- matching and judging ----------------------------------------------------------- */

enum verdict { V_SAME, V_FASTER, V_SLOWER, V_NOW_FAILING, V_FIXED, V_STILL_FAILING, V_NO_DATA };
static const char *const verdict_names[] = {"same",  "faster",	      "SLOWER", "NOW FAILING",
					    "fixed", "still failing", "no data"};
static const char *const verdict_json[] = {"same",  "faster",	     "slower", "now-failing",
					   "fixed", "still-failing", "no-data"};

struct pair {
	struct rec *a, *b;
	double med_a, med_b, change; /* change in percent */
	struct ss_mwu u;
	bool by_ranges; /* too few runs for the test: judged by non-overlapping ranges */
	bool separated; /* ranges do not overlap */
	enum verdict v;
	char note[160];
};

static bool same_params(const struct rec *x, const struct rec *y, bool by_alloc)
{
	return !strcmp(x->scenario, y->scenario) && (!by_alloc || !strcmp(x->alloc, y->alloc)) &&
	       x->size == y->size && x->batch == y->batch && x->cold == y->cold;
}

static void check_unique_for_scenario_match(const struct file *f)
{
	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < i; j++)
			if (same_params(&f->r[i], &f->r[j], false))
				cli_usage_error(
				    "%s: --match scenario: results[%zu] (%s) and results[%zu] "
				    "(%s) are both %s size %lld batch %lld: expected one "
				    "allocator per scenario and parameters",
				    f->path, j, f->r[j].alloc, i, f->r[i].alloc, f->r[i].scenario,
				    f->r[i].size, f->r[i].batch);
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

static void judge(struct pair *p, const struct cmp_opts *o)
{
	struct rec *a = p->a, *b = p->b;
	p->med_a = ss_median(a->hps, a->n);
	p->med_b = ss_median(b->hps, b->n);
	p->change = p->med_a > 0 ? (p->med_b - p->med_a) / p->med_a * 100 : 0;
	if (a->failures == 0 && b->failures > 0) {
		p->v = V_NOW_FAILING;
	} else if (a->failures > 0 && b->failures == 0) {
		p->v = V_FIXED;
	} else if (a->failures > 0 && b->failures > 0) {
		p->v = V_STILL_FAILING;
	} else if (!a->n || !b->n || p->med_a <= 0) {
		p->v = V_NO_DATA;
	} else {
		ss_mann_whitney(a->hps, a->n, b->hps, b->n, &p->u);
		p->separated = maxv(b->hps, b->n) < minv(a->hps, a->n) ||
			       minv(b->hps, b->n) > maxv(a->hps, a->n);
		bool significant;
		if (p->u.exact && p->u.p_min > o->alpha) {
			p->by_ranges = true;
			significant = p->separated;
		} else {
			significant = p->u.p <= o->alpha;
		}
		if (significant && fabs(p->change) >= o->threshold)
			p->v = p->change < 0 ? V_SLOWER : V_FASTER;
		else
			p->v = V_SAME;
	}
	/* Notes, most important first; one line each. */
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

static bool is_regression(enum verdict v)
{
	return v == V_SLOWER || v == V_NOW_FAILING;
}

int cmd_compare(int argc, char **argv)
{
	struct cmp_opts o;
	memset(&o, 0, sizeof(o));
	o.threshold = 5;
	o.alpha = 0.05;
	o.match = "full";
	struct argp argp = {options, parse, "BASE.json NEW.json", doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	cli_check_output_path("--json", o.json_path);
	cli_json_stdout(o.json_path);

	struct file f[2];
	memset(f, 0, sizeof(f));
	load(&f[0], o.path[0]);
	load(&f[1], o.path[1]);

	bool by_alloc = !strcmp(o.match, "full");
	bool auto_scenario = false;
	if (by_alloc) {
		bool any = false;
		for (size_t i = 0; i < f[0].n && !any; i++)
			for (size_t j = 0; j < f[1].n && !any; j++)
				any = same_params(&f[0].r[i], &f[1].r[j], true);
		if (!any && f[0].one_alloc && f[1].one_alloc &&
		    strcmp(f[0].one_alloc, f[1].one_alloc)) {
			by_alloc = false;
			auto_scenario = true;
		}
	}
	if (!by_alloc) {
		check_unique_for_scenario_match(&f[0]);
		check_unique_for_scenario_match(&f[1]);
	}

	struct pair *pairs = calloc(f[0].n, sizeof(*pairs));
	size_t np = 0;
	if (!pairs)
		cli_internal_error("out of memory");
	for (size_t i = 0; i < f[0].n; i++)
		for (size_t j = 0; j < f[1].n; j++)
			if (!f[1].r[j].matched && same_params(&f[0].r[i], &f[1].r[j], by_alloc)) {
				f[0].r[i].matched = f[1].r[j].matched = 1;
				pairs[np].a = &f[0].r[i];
				pairs[np].b = &f[1].r[j];
				judge(&pairs[np], &o);
				np++;
				break;
			}
	if (!np)
		cli_usage_error(
		    "%s: no run matches one in %s by scenario, allocator, size, batch and "
		    "cold (first: %s, %s, size %lld, batch %lld): expected results of the "
		    "same bench, or --match scenario",
		    o.path[1], o.path[0], f[0].r[0].scenario, f[0].r[0].alloc, f[0].r[0].size,
		    f[0].r[0].batch);

	/* A slower median measured on a disturbed machine measures the machine. */
	int ndist = 0;
	const struct pair *firstd = NULL;
	for (size_t i = 0; i < np; i++)
		if (pairs[i].v == V_SLOWER && (pairs[i].a->disturbed || pairs[i].b->disturbed)) {
			ndist++;
			firstd = firstd ? firstd : &pairs[i];
		}
	if (ndist && !o.allow_disturbed) {
		const struct rec *d = firstd->b->disturbed ? firstd->b : firstd->a;
		cli_usage_error(
		    "compare: %d slower result%s measured on disturbed runs (first: %s %s "
		    "size %lld batch %lld in %s: %s): not called a regression; rerun on "
		    "a quiet machine or pass --allow-disturbed",
		    ndist, ndist == 1 ? "" : "s", d->scenario, d->alloc, d->size, d->batch,
		    d == firstd->b ? o.path[1] : o.path[0], *d->reasons ? d->reasons : "disturbed");
	}

	int nreg = 0, nimp = 0, nsame = 0;
	for (size_t i = 0; i < np; i++) {
		if (is_regression(pairs[i].v))
			nreg++;
		else if (pairs[i].v == V_FASTER || pairs[i].v == V_FIXED)
			nimp++;
		else
			nsame++;
	}

	/* The table: aligned, one row per pair, widest scenario name first. */
	int wsc = 8, wal = 5;
	for (size_t i = 0; i < np; i++) {
		int l = (int)strlen(pairs[i].a->scenario);
		wsc = l > wsc ? l : wsc;
		char al[96];
		snprintf(al, sizeof(al), "%s%s%s", pairs[i].a->alloc,
			 strcmp(pairs[i].a->alloc, pairs[i].b->alloc) ? ">" : "",
			 strcmp(pairs[i].a->alloc, pairs[i].b->alloc) ? pairs[i].b->alloc : "");
		l = (int)strlen(al);
		wal = l > wal ? l : wal;
	}
	/* With --json -, stdout carries the JSON: the table goes to stderr. */
	FILE *out = o.json_path && !strcmp(o.json_path, "-") ? stderr : stdout;
	if (auto_scenario)
		fprintf(out,
			"note: %s holds only %s and %s only %s: runs paired by scenario and "
			"parameters\n",
			o.path[0], f[0].one_alloc, o.path[1], f[1].one_alloc);
	fprintf(out, "%-*s %-*s %6s %5s %4s %10s %10s %8s %7s  %-13s %s\n", wsc, "SCENARIO", wal,
		"ALLOC", "SIZE", "BATCH", "COLD", "BASE M/s", "NEW M/s", "CHANGE", "P", "VERDICT",
		"NOTE");
	for (size_t i = 0; i < np; i++) {
		struct pair *p = &pairs[i];
		if (o.quiet && (p->v == V_SAME))
			continue;
		char al[96], pv[16] = "-", ch[16] = "-";
		snprintf(al, sizeof(al), "%s%s%s", p->a->alloc,
			 strcmp(p->a->alloc, p->b->alloc) ? ">" : "",
			 strcmp(p->a->alloc, p->b->alloc) ? p->b->alloc : "");
		if (p->u.p > 0 || p->v == V_SAME || p->v == V_FASTER || p->v == V_SLOWER)
			snprintf(pv, sizeof(pv), "%.3f", p->u.p);
		if (p->med_a > 0)
			snprintf(ch, sizeof(ch), "%+.1f%%", p->change);
		fprintf(out, "%-*s %-*s %6lld %5lld %4s %10.3f %10.3f %8s %7s  %-13s %s\n", wsc,
			p->a->scenario, wal, al, p->a->size, p->a->batch, p->a->cold ? "yes" : "no",
			p->med_a / 1e6, p->med_b / 1e6, ch, pv, verdict_names[p->v], p->note);
	}
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < f[s].n; i++)
			if (!f[s].r[i].matched)
				fprintf(out, "only in %s: %s, %s, size %lld, batch %lld%s\n",
					o.path[s], f[s].r[i].scenario, f[s].r[i].alloc,
					f[s].r[i].size, f[s].r[i].batch,
					f[s].r[i].cold ? ", cold" : "");

	const char *overall = nreg ? "regression" : nimp ? "improvement" : "no change";
	if (nreg)
		fprintf(out, "REGRESSION: %d of %zu pair%s (threshold %g%%, alpha %g)\n", nreg, np,
			np == 1 ? "" : "s", o.threshold, o.alpha);
	else if (nimp)
		fprintf(out,
			"no regression: %d of %zu pair%s improved (threshold %g%%, alpha %g)\n",
			nimp, np, np == 1 ? "" : "s", o.threshold, o.alpha);
	else
		fprintf(out, "no change: %zu pair%s within %g%% or within the noise (alpha %g)\n",
			np, np == 1 ? "" : "s", o.threshold, o.alpha);

	if (o.json_path) {
		json_t *doc = res_doc_new("compare", cli_argc, cli_argv);
		json_t *arr = json_array();
		for (size_t i = 0; i < np; i++) {
			struct pair *p = &pairs[i];
			json_array_append_new(
			    arr,
			    json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:s, s:b, s:{s:f, s:f, s:f, "
				      "s:f, s:f, s:b, s:b, s:I, s:I, s:f, s:f}, s:I, s:I, s:s}",
				      "scenario", p->a->scenario, "base_alloc", p->a->alloc,
				      "new_alloc", p->b->alloc, "size", (json_int_t)p->a->size,
				      "batch", (json_int_t)p->a->batch, "cold", p->a->cold,
				      "verdict", verdict_json[p->v], "regression",
				      is_regression(p->v), "timing", "base_median", p->med_a,
				      "new_median", p->med_b, "change_pct", p->change, "u", p->u.u,
				      "p", p->u.p, "exact", p->u.exact, "judged_by_ranges",
				      p->by_ranges, "base_runs", (json_int_t)p->a->n, "new_runs",
				      (json_int_t)p->b->n, "base_rtt_ns", p->a->rtt, "new_rtt_ns",
				      p->b->rtt, "base_failures", (json_int_t)p->a->failures,
				      "new_failures", (json_int_t)p->b->failures, "note", p->note));
		}
		json_t *only = json_array();
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < f[s].n; i++)
				if (!f[s].r[i].matched)
					json_array_append_new(
					    only,
					    json_pack("{s:s, s:s, s:s, s:I, s:I, s:b}", "file",
						      s ? "new" : "base", "scenario",
						      f[s].r[i].scenario, "alloc", f[s].r[i].alloc,
						      "size", (json_int_t)f[s].r[i].size, "batch",
						      (json_int_t)f[s].r[i].batch, "cold",
						      f[s].r[i].cold));
		json_object_set_new(doc, "parameters",
				    json_pack("{s:s, s:s, s:f, s:f, s:s}", "base", o.path[0], "new",
					      o.path[1], "threshold_pct", o.threshold, "alpha",
					      o.alpha, "match", by_alloc ? "full" : "scenario"));
		json_object_set_new(doc, "pairs", arr);
		json_object_set_new(doc, "unmatched", only);
		json_object_set_new(doc, "summary",
				    json_pack("{s:i, s:i, s:i}", "regressions", nreg,
					      "improvements", nimp, "same", nsame));
		json_object_set_new(doc, "verdict", json_string(overall));
		char err[256];
		if (res_write_atomic(doc, o.json_path, err, sizeof(err)) != 0)
			cli_usage_error("%s", err);
		json_decref(doc);
	}
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < f[s].n; i++)
			free(f[s].r[i].hps);
		free(f[s].r);
		json_decref(f[s].doc);
	}
	free(pairs);
	return nreg ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
}
