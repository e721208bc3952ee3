/* bench/doc.c - the result document of `slabstress bench` (schema
 * slabstress-bench/1, read back by results/compare.h) and what it says of each
 * cell: medians, ratios, fractions of the ceilings, disturbance. */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "engine/ceiling.h"
#include "results/json.h"
#include "results/stats.h"

double ss_bench_rtt_spread(const struct ss_bench_cell *c)
{
	if (c->n < 2)
		return 0;
	double lo = c->rtt[0], hi = c->rtt[0], med = ss_median(c->rtt, c->n);
	for (unsigned i = 1; i < c->n; i++) {
		lo = c->rtt[i] < lo ? c->rtt[i] : lo;
		hi = c->rtt[i] > hi ? c->rtt[i] : hi;
	}
	return med > 0 ? (hi - lo) / med : 0;
}

bool ss_bench_cell_disturbed(const struct ss_bench_cell *c, char *why, size_t n)
{
	double sp = ss_bench_rtt_spread(c);
	if (why)
		snprintf(why, n, "%s%s", c->disturbed_runs ? c->reasons : "",
			 sp > SS_BENCH_RTT_SPREAD_MAX
			     ? (c->disturbed_runs ? "; round-trip spread" : "round-trip spread")
			     : "");
	return c->disturbed_runs > 0 || sp > SS_BENCH_RTT_SPREAD_MAX;
}

unsigned ss_bench_runs(const struct ss_bench *b)
{
	unsigned runs = 0;
	for (int i = 0; i < b->ncells; i++)
		runs += b->cells[i].n;
	return runs;
}

static json_t *dbl_array(const double *x, unsigned n)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_real(x[i]));
	return a;
}

static json_t *summary_json(const double *x, unsigned n)
{
	struct ss_summary s;
	ss_summarize(x, n, &s);
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "median", s.median, "min", s.min, "max",
			 s.max, "q1", s.q1, "q3", s.q3, "mad", s.mad);
}

static json_t *parameters_json(const struct ss_bench *b)
{
	json_t *scns = json_array(), *allocs = json_array(), *sizes = json_array(),
	       *batches = json_array();
	for (int i = 0; i < b->nscn; i++)
		json_array_append_new(scns, json_string(b->scn[i]->name));
	for (int i = 0; i < b->nalloc; i++)
		json_array_append_new(allocs, json_string(b->alloc[i]->name));
	for (int i = 0; i < b->nsize; i++)
		json_array_append_new(sizes, json_integer((json_int_t)b->size[i]));
	for (int i = 0; i < b->nbatch; i++)
		json_array_append_new(batches, json_integer((json_int_t)b->batch[i]));
	return json_pack(
	    "{s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:f, s:I, s:b, s:s, s:i, s:s, s:I, s:I, s:[i,i], "
	    "s:s, s:s, s:b}",
	    "scenarios", scns, "allocators", allocs, "sizes", sizes, "batches", batches, "pairs",
	    (json_int_t)b->pairs, "repeat", (json_int_t)b->repeat, "warmup", (json_int_t)b->warmup,
	    "duration", b->duration, "iters", (json_int_t)b->iters, "cold", b->cold, "variant",
	    ss_variant_name(b->acfg.variant), "stride_bits", b->acfg.stride_bits, "objext",
	    ss_objext_name(b->acfg.objext), "page_size", (json_int_t)b->acfg.page_size, "seed",
	    (json_int_t)b->seed, "cpus", b->cpu[0], b->cpu[1], "pin",
	    b->pin_policy ? b->pin_policy : "fixed", "order", "interleaved", "ceilings",
	    !b->no_ceilings);
}

/* A cell's throughput: summary, every run, round trips, ratios to the first
 * allocator and to the ceilings. */
static json_t *cell_timing_json(const struct ss_bench *b, const struct ss_bench_cell *c)
{
	const struct ss_bench_cell *first = NULL;
	for (int a = 0; a < b->nalloc && !first; a++)
		first = ss_bench_cell_for(b, c->scn, b->alloc[a], c->size, c->batch);
	double med = ss_median(c->hps, c->n), fmed = first ? ss_median(first->hps, first->n) : 0;
	const struct ss_bench_ceiling *cc = ss_bench_ceiling_for(b, c->size, c->batch);
	json_t *timing = summary_json(c->hps, c->n);
	json_object_set_new(timing, "handoffs_per_s", dbl_array(c->hps, c->n));
	json_object_set_new(timing, "rtt_ns", dbl_array(c->rtt, c->n));
	json_object_set_new(timing, "rtt_ns_median", json_real(ss_median(c->rtt, c->n)));
	json_object_set_new(timing, "ratio_to_first",
			    fmed > 0 ? json_real(med / fmed) : json_null());
	double pool = cc && cc->n ? ss_median(cc->pool, cc->n) : 0;
	double ring = cc && cc->n ? ss_median(cc->ring, cc->n) : 0;
	json_object_set_new(timing, "fraction_of_pool",
			    pool > 0 ? json_real(med / pool) : json_null());
	json_object_set_new(timing, "fraction_of_ring",
			    ring > 0 ? json_real(med / ring) : json_null());
	return timing;
}

/* The first failing run's log, but the total and the kinds over all runs. */
static json_t *cell_failures_json(const struct ss_bench_cell *c)
{
	json_t *fail = c->first_failures
			   ? json_incref(c->first_failures)
			   : json_pack("{s:i, s:{}, s:[]}", "total", 0, "by_kind", "first");
	json_object_set_new(fail, "total", json_integer((json_int_t)c->failures));
	json_t *bk = json_object();
	for (int k = 1; k < SS_FAIL_NKINDS; k++)
		if (c->by_kind[k])
			json_object_set_new(bk, ss_fail_kind_name(k),
					    json_integer((json_int_t)c->by_kind[k]));
	json_object_set_new(fail, "by_kind", bk);
	return fail;
}

static json_t *cell_json(const struct ss_bench *b, const struct ss_bench_cell *c)
{
	json_t *r = json_pack(
	    "{s:s, s:s, s:I, s:I, s:b, s:I, s:s, s:s, s:[i,i], s:I, s:I, s:b, s:o, s:s, s:o}",
	    "scenario", c->scn->name, "alloc", c->alloc->name, "size", (json_int_t)c->size, "batch",
	    (json_int_t)c->batch, "cold", b->cold, "pairs", (json_int_t)b->pairs, "variant",
	    ss_variant_name(b->acfg.variant), "batch_support",
	    c->scn->batches ? "declared" : "not-declared", "cpus", c->pinned[0], c->pinned[1],
	    "runs", (json_int_t)c->n, "handoffs", (json_int_t)c->handoffs, "interrupted",
	    c->interrupted, "failures", cell_failures_json(c), "verdict",
	    c->failures ? "failed" : "clean", "timing", cell_timing_json(b, c));
	char why[200];
	bool dist = ss_bench_cell_disturbed(c, why, sizeof(why));
	json_object_set_new(r, "disturbed", json_boolean(dist));
	json_object_set_new(r, "disturbance",
			    json_pack("{s:I, s:I, s:f, s:f, s:I, s:f, s:s}",
				      "involuntary_ctx_switches", (json_int_t)c->ivcsw,
				      "voluntary_ctx_switches", (json_int_t)c->vcsw,
				      "steal_pct_max", c->steal_max, "loadavg1_max", c->load_max,
				      "disturbed_runs", (json_int_t)c->disturbed_runs, "rtt_spread",
				      ss_bench_rtt_spread(c), "reasons", why));
	return r;
}

static json_t *ceiling_json(const struct ss_bench *b, const struct ss_bench_ceiling *cc)
{
	json_t *t =
	    json_pack("{s:o, s:o, s:o, s:f, s:f, s:f}", "ring_per_s", dbl_array(cc->ring, cc->n),
		      "pool_per_s", dbl_array(cc->pool, cc->n), "rtt_ns", dbl_array(cc->rtt, cc->n),
		      "ring_median", ss_median(cc->ring, cc->n), "pool_median",
		      ss_median(cc->pool, cc->n), "rtt_ns_median", ss_median(cc->rtt, cc->n));
	json_object_set_new(t, "ring", summary_json(cc->ring, cc->n));
	json_object_set_new(t, "pool", summary_json(cc->pool, cc->n));
	return json_pack("{s:I, s:I, s:[i,i], s:I, s:I, s:I, s:o}", "size", (json_int_t)cc->size,
			 "batch", (json_int_t)cc->batch, "cpus", b->cpu[0], b->cpu[1],
			 "ring_capacity", (json_int_t)SS_CEILING_RING_CAP, "runs",
			 (json_int_t)cc->n, "bad", (json_int_t)cc->bad, "timing", t);
}

json_t *ss_bench_doc(const struct ss_bench *b, int argc, char **argv)
{
	json_t *doc = res_doc_new("bench", argc, argv);
	json_object_set_new(doc, "parameters", parameters_json(b));
	json_object_set_new(doc, "engine", json_string("native"));
	json_t *results = json_array();
	for (int i = 0; i < b->ncells; i++)
		json_array_append_new(results, cell_json(b, &b->cells[i]));
	json_object_set_new(doc, "results", results);
	json_t *ceilings = json_array();
	for (int i = 0; i < b->nceil; i++)
		if (b->ceil[i].n)
			json_array_append_new(ceilings, ceiling_json(b, &b->ceil[i]));
	json_object_set_new(doc, "ceilings", ceilings);
	json_object_set_new(doc, "interrupted", json_boolean(ss_interrupted));
	json_object_set_new(doc, "failures_total", json_integer((json_int_t)b->failures));
	json_object_set_new(doc, "verdict", json_string(b->failures ? "failed" : "clean"));
	return doc;
}
