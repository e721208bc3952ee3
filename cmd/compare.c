/* cmd/compare.c - `slabstress compare BASE NEW`: did throughput or correctness change
 * between two bench results?
 *
 * The judge (reading, pairing, statistics, verdicts, the comparison document) is
 * results/compare.h; this file parses the options and prints the table.
 *
 * Exit status: 1 any regression, 0 none, 2 unreadable, foreign or mismatched input
 * (one line naming the file and the field).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "results/compare.h"
#include "results/json.h"

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

/* A judge error: usage (exit 2) or internal (exit 3). */
static void judge_error(int rc, const char *err)
{
	if (rc == RES_CMP_NO_MEMORY)
		cli_internal_error("%s", err);
	cli_usage_error("%s", err);
}

/* The table: aligned, one row per pair, widest scenario name first. */
static void print_pairs(FILE *out, const struct res_cmp *c, bool quiet)
{
	int wsc = 8, wal = 5;
	for (size_t i = 0; i < c->np; i++) {
		int l = (int)strlen(c->pairs[i].a->scenario);
		wsc = l > wsc ? l : wsc;
		char al[96];
		res_cmp_alloc_label(&c->pairs[i], al, sizeof(al));
		l = (int)strlen(al);
		wal = l > wal ? l : wal;
	}
	fprintf(out, "%-*s %-*s %6s %5s %4s %10s %10s %8s %7s  %-13s %s\n", wsc, "SCENARIO", wal,
		"ALLOC", "SIZE", "BATCH", "COLD", "BASE M/s", "NEW M/s", "CHANGE", "P", "VERDICT",
		"NOTE");
	for (size_t i = 0; i < c->np; i++) {
		const struct res_cmp_pair *p = &c->pairs[i];
		if (quiet && p->v == RES_CMP_SAME)
			continue;
		char al[96], pv[16] = "-", ch[16] = "-";
		res_cmp_alloc_label(p, al, sizeof(al));
		if (p->u.p > 0 || p->v == RES_CMP_SAME || p->v == RES_CMP_FASTER ||
		    p->v == RES_CMP_SLOWER)
			snprintf(pv, sizeof(pv), "%.3f", p->u.p);
		if (p->med_a > 0)
			snprintf(ch, sizeof(ch), "%+.1f%%", p->change);
		fprintf(out, "%-*s %-*s %6lld %5lld %4s %10.3f %10.3f %8s %7s  %-13s %s\n", wsc,
			p->a->scenario, wal, al, p->a->size, p->a->batch, p->a->cold ? "yes" : "no",
			p->med_a / 1e6, p->med_b / 1e6, ch, pv, res_cmp_verdict_name(p->v),
			p->note);
	}
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < c->f[s].n; i++) {
			const struct res_cmp_run *x = &c->f[s].r[i];
			if (!x->matched)
				fprintf(out, "only in %s: %s, %s, size %lld, batch %lld%s\n",
					c->f[s].path, x->scenario, x->alloc, x->size, x->batch,
					x->cold ? ", cold" : "");
		}
}

static void print_verdict(FILE *out, const struct res_cmp *c, const struct cmp_opts *o)
{
	size_t np = c->np;
	if (c->nreg)
		fprintf(out, "REGRESSION: %d of %zu pair%s (threshold %g%%, alpha %g)\n", c->nreg,
			np, np == 1 ? "" : "s", o->threshold, o->alpha);
	else if (c->nimp)
		fprintf(out,
			"no regression: %d of %zu pair%s improved (threshold %g%%, alpha %g)\n",
			c->nimp, np, np == 1 ? "" : "s", o->threshold, o->alpha);
	else
		fprintf(out, "no change: %zu pair%s within %g%% or within the noise (alpha %g)\n",
			np, np == 1 ? "" : "s", o->threshold, o->alpha);
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

	struct res_cmp c;
	memset(&c, 0, sizeof(c));
	struct res_cmp_options jo = {o.threshold, o.alpha, !strcmp(o.match, "full"),
				     o.allow_disturbed};
	char err[8192];
	int rc;
	if ((rc = res_cmp_load(&c.f[0], o.path[0], err, sizeof(err))) != 0 ||
	    (rc = res_cmp_load(&c.f[1], o.path[1], err, sizeof(err))) != 0 ||
	    (rc = res_cmp_judge(&c, &jo, err, sizeof(err))) != 0)
		judge_error(rc, err);

	/* With --json -, stdout carries the JSON: the table goes to stderr. */
	FILE *out = o.json_path && !strcmp(o.json_path, "-") ? stderr : stdout;
	if (c.auto_scenario)
		fprintf(out,
			"note: %s holds only %s and %s only %s: runs paired by scenario and "
			"parameters\n",
			o.path[0], c.f[0].one_alloc, o.path[1], c.f[1].one_alloc);
	print_pairs(out, &c, o.quiet);
	print_verdict(out, &c, &o);

	if (o.json_path) {
		json_t *doc = res_cmp_doc(&c, &jo, cli_argc, cli_argv);
		if (res_write_atomic(doc, o.json_path, err, sizeof(err)) != 0)
			cli_usage_error("%s", err);
		json_decref(doc);
	}
	int ret = c.nreg ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
	res_cmp_free(&c);
	return ret;
}
