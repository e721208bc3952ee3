/* results/compare.h - the regression judge behind `slabstress compare`: reads two
 * bench results (schema slabstress-bench/1), pairs their runs and says, per pair
 * and overall, whether throughput or correctness changed.
 *
 * Runs pair by scenario, allocator and parameters (size, batch, cold); with
 * by_alloc false the allocator is ignored (to compare two allocators).  Per pair:
 * the change of the median handoffs/s and a two-sided Mann-Whitney U test over the
 * repeats (results/stats.h).  A change counts when it is at least threshold percent
 * AND the test puts it outside the noise (p <= alpha); when the sample sizes are too
 * small for the test ever to reach alpha, non-overlapping min..max ranges stand in
 * for it and the pair's note says so.  clean -> failing is always a regression.
 *
 * Errors: every function that can fail returns 0, RES_CMP_BAD_INPUT (unreadable,
 * foreign or mismatched input: the caller's exit 2) or RES_CMP_NO_MEMORY, with one
 * line in err naming the file and the field.  Depends on results/ and jansson only.
 */
#ifndef SS_RES_COMPARE_H
#define SS_RES_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "results/stats.h"

#define RES_CMP_BENCH_SCHEMA "slabstress-bench/1"
/* Limits of a bench result read by compare: its size and its JSON nesting. */
#define RES_CMP_MAX_BYTES (64u << 20)
#define RES_CMP_MAX_DEPTH 32

enum { RES_CMP_BAD_INPUT = -1, RES_CMP_NO_MEMORY = -2 };

/* One run (results[i]) of a bench result. */
struct res_cmp_run {
	const char *scenario, *alloc, *variant; /* variant: "" when absent */
	long long size, batch;
	int cold;
	double *hps; /* timing.handoffs_per_s, n > 0 values */
	size_t n;
	double rtt; /* timing.rtt_ns_median; 0 when absent */
	long long failures;
	int matched;	     /* paired with a run of the other file */
	bool disturbed;	     /* "disturbed": true in the result */
	const char *reasons; /* its "disturbance"."reasons", "" when absent */
};

/* One bench result; the strings point into doc. */
struct res_cmp_file {
	const char *path;
	json_t *doc;
	struct res_cmp_run *r;
	size_t n;
	const char *one_alloc; /* the allocator when all runs use one, else NULL */
};

enum res_cmp_verdict {
	RES_CMP_SAME,
	RES_CMP_FASTER,
	RES_CMP_SLOWER,
	RES_CMP_NOW_FAILING,
	RES_CMP_FIXED,
	RES_CMP_STILL_FAILING,
	RES_CMP_NO_DATA,
};

struct res_cmp_pair {
	struct res_cmp_run *a, *b;   /* base, new */
	double med_a, med_b, change; /* change in percent */
	struct ss_mwu u;
	bool by_ranges; /* too few runs for the test: judged by non-overlapping ranges */
	bool separated; /* ranges do not overlap */
	enum res_cmp_verdict v;
	char note[160];
};

struct res_cmp_options {
	double threshold; /* percent */
	double alpha;
	bool by_alloc;	      /* --match full (else scenario) */
	bool allow_disturbed; /* call a slower disturbed pair a regression anyway */
};

/* Two files judged. */
struct res_cmp {
	struct res_cmp_file f[2]; /* base, new */
	struct res_cmp_pair *pairs;
	size_t np;
	bool by_alloc;	    /* the matching used */
	bool auto_scenario; /* --match full paired nothing: fell back to scenario */
	int nreg, nimp, nsame;
};

/* Reads path as a bench result into *f (zeroed first).  f->doc is owned. */
int res_cmp_load(struct res_cmp_file *f, const char *path, char *err, size_t errlen);
/* The same for a document already in memory (its reference is taken over: the
 * caller's is released with res_cmp_file_free, also on error). */
int res_cmp_parse(struct res_cmp_file *f, const char *path, json_t *doc, char *err, size_t errlen);
void res_cmp_file_free(struct res_cmp_file *f);

/* Pairs c->f[0] with c->f[1] (both loaded) and judges every pair; counts the
 * regressions, improvements and unchanged pairs.  A slower pair measured on
 * disturbed runs is refused (RES_CMP_BAD_INPUT) unless o->allow_disturbed. */
int res_cmp_judge(struct res_cmp *c, const struct res_cmp_options *o, char *err, size_t errlen);
/* Judges one pair (a and b set). */
void res_cmp_judge_pair(struct res_cmp_pair *p, const struct res_cmp_options *o);
/* Frees the pairs and both files. */
void res_cmp_free(struct res_cmp *c);

bool res_cmp_is_regression(enum res_cmp_verdict v);
/* "SLOWER", "NOW FAILING", ... for the table; "slower", "now-failing" for JSON. */
const char *res_cmp_verdict_name(enum res_cmp_verdict v);
const char *res_cmp_verdict_json(enum res_cmp_verdict v);
/* "regression", "improvement" or "no change". */
const char *res_cmp_overall(const struct res_cmp *c);
/* The allocator column of a pair: "slab", or "slab>libc" when they differ. */
void res_cmp_alloc_label(const struct res_cmp_pair *p, char *buf, size_t n);

/* The comparison as a document (schema slabstress-compare/1). */
json_t *res_cmp_doc(const struct res_cmp *c, const struct res_cmp_options *o, int argc,
		    char **argv);

#endif /* SS_RES_COMPARE_H */
