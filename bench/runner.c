/* bench/runner.c - the measurements of `slabstress bench` (bench/bench.h): the
 * cells, the interleaved rounds, the round trips and the ceilings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "engine/ceiling.h"
#include "results/json.h"

int ss_bench_all_scenarios(const struct ss_scenario **out, int max)
{
	int n = 0;
	for (int i = 0; ss_scenarios[i] && n < max; i++)
		if (ss_scenarios[i]->nroles == 2 && ss_scenarios[i]->handoff == SS_HANDOFF_CORRECT)
			out[n++] = ss_scenarios[i];
	return n;
}

bool ss_bench_alloc_applies(const struct ss_scenario *scn, const struct ss_alloc_ops *a)
{
	return !scn->slab_only || !strcmp(a->name, "slab");
}

static int out_of_memory(struct ss_bench *b)
{
	snprintf(b->err, sizeof(b->err), "out of memory");
	return -1;
}

static int add_cell(struct ss_bench *b, const struct ss_scenario *scn, const struct ss_alloc_ops *a,
		    size_t size, unsigned batch, unsigned slots)
{
	struct ss_bench_cell *c = &b->cells[b->ncells++];
	c->scn = scn;
	c->alloc = a;
	c->size = size;
	c->batch = batch;
	c->hps = calloc(slots, sizeof(double));
	c->rtt = calloc(slots, sizeof(double));
	c->pinned[0] = b->cpu[0];
	c->pinned[1] = b->cpu[1];
	return c->hps && c->rtt ? 0 : out_of_memory(b);
}

int ss_bench_setup(struct ss_bench *b)
{
	unsigned slots = (unsigned)(b->warmup + b->repeat);
	b->cells = calloc((size_t)b->nscn * b->nalloc * b->nsize * b->nbatch, sizeof(*b->cells));
	b->ceil = calloc((size_t)b->nsize * b->nbatch, sizeof(*b->ceil));
	if (!b->cells || !b->ceil)
		return out_of_memory(b);
	for (int s = 0; s < b->nscn; s++)
		for (int z = 0; z < b->nsize; z++)
			for (int bt = 0; bt < b->nbatch; bt++)
				for (int a = 0; a < b->nalloc; a++)
					if (ss_bench_alloc_applies(b->scn[s], b->alloc[a]) &&
					    add_cell(b, b->scn[s], b->alloc[a], b->size[z],
						     (unsigned)b->batch[bt], slots) != 0)
						return -1;
	for (int z = 0; z < b->nsize; z++)
		for (int bt = 0; bt < b->nbatch; bt++) {
			struct ss_bench_ceiling *cc = &b->ceil[b->nceil++];
			cc->size = b->size[z];
			cc->batch = (unsigned)b->batch[bt];
			cc->ring = calloc(slots, sizeof(double));
			cc->pool = calloc(slots, sizeof(double));
			cc->rtt = calloc(slots, sizeof(double));
			if (!cc->ring || !cc->pool || !cc->rtt)
				return out_of_memory(b);
		}
	return 0;
}

void ss_bench_free(struct ss_bench *b)
{
	for (int i = 0; i < b->ncells; i++) {
		free(b->cells[i].hps);
		free(b->cells[i].rtt);
		json_decref(b->cells[i].first_failures);
	}
	for (int i = 0; i < b->nceil; i++) {
		free(b->ceil[i].ring);
		free(b->ceil[i].pool);
		free(b->ceil[i].rtt);
	}
	free(b->cells);
	free(b->ceil);
	b->cells = NULL;
	b->ceil = NULL;
	b->ncells = b->nceil = 0;
}

struct ss_bench_ceiling *ss_bench_ceiling_for(const struct ss_bench *b, size_t size, unsigned batch)
{
	for (int i = 0; i < b->nceil; i++)
		if (b->ceil[i].size == size && b->ceil[i].batch == batch)
			return &b->ceil[i];
	return NULL;
}

struct ss_bench_cell *ss_bench_cell_for(const struct ss_bench *b, const struct ss_scenario *scn,
					const struct ss_alloc_ops *a, size_t size, unsigned batch)
{
	for (int i = 0; i < b->ncells; i++) {
		struct ss_bench_cell *c = &b->cells[i];
		if (c->scn == scn && c->alloc == a && c->size == size && c->batch == batch)
			return c;
	}
	return NULL;
}

/* The cache-line round trip between the two CPUs now, or -1 (b->err). */
static double rtt_now(struct ss_bench *b)
{
	return ss_ceiling_rtt_ns(b->cpu[0], b->cpu[1], 1000, 3, b->err, sizeof(b->err));
}

static void cell_config(const struct ss_bench *b, const struct ss_bench_cell *c,
			struct ss_run_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->scn = c->scn;
	cfg->alloc = c->alloc;
	cfg->acfg = b->acfg;
	cfg->acfg.object_size = c->size;
	cfg->acfg.account = c->scn->needs_account || c->scn->handoff != SS_HANDOFF_ALLOCATOR;
	cfg->pairs = (int)b->pairs;
	cfg->nthreads = cfg->pairs * c->scn->nroles;
	cfg->acfg.ncpus = cfg->nthreads;
	cfg->acfg.max_objects *= b->pairs;
	for (int i = 0; i < b->ncpu; i++)
		cfg->cpus[i] = b->cpu[i];
	cfg->ncpus = b->ncpu;
	/* Two CPUs, two roles: spread keeps the given order unless both are SMT
	 * siblings of one core, where it still uses both; after --pin (b->pin fixed) the
	 * order chosen.  The CPUs actually used are recorded from the engine. */
	cfg->pin = b->pin;
	cfg->duration = b->duration;
	cfg->iters = b->iters;
	cfg->seed = b->seed;
	cfg->batch = c->batch;
	cfg->cold = b->cold;
}

/* What one run saw, into its cell (warm-up runs too, but for the figures). */
static void cell_account(struct ss_bench *b, struct ss_bench_cell *c, const struct ss_run_stats *st,
			 const struct ss_failure_log *log, bool record)
{
	c->pinned[0] = st->pinned_cpu[0];
	c->pinned[1] = st->pinned_cpu[1];
	c->interrupted |= st->interrupted;
	c->ivcsw += st->dist.ivcsw;
	c->vcsw += st->dist.vcsw;
	c->steal_max = st->dist.steal_pct > c->steal_max ? st->dist.steal_pct : c->steal_max;
	c->load_max = st->dist.loadavg1 > c->load_max ? st->dist.loadavg1 : c->load_max;
	if (st->dist.disturbed && record && !c->disturbed_runs++)
		snprintf(c->reasons, sizeof(c->reasons), "%s", st->dist.reasons);
	if (!log->total)
		return;
	if (b->hooks.failure)
		b->hooks.failure(b->hooks.arg, c, log);
	c->failures += log->total;
	b->failures += log->total;
	for (int k = 0; k < SS_FAIL_NKINDS; k++)
		c->by_kind[k] += log->by_kind[k];
	if (!c->first_failures)
		c->first_failures = res_failure_log_json(log);
}

static int run_cell(struct ss_bench *b, struct ss_bench_cell *c, bool record)
{
	struct ss_run_config cfg;
	cell_config(b, c, &cfg);
	double rtt = rtt_now(b);
	if (rtt < 0)
		return -1;
	struct ss_failure_log *log = malloc(sizeof(*log));
	struct ss_run_stats st;
	if (!log)
		return out_of_memory(b);
	ss_failure_log_init(log);
	if (ss_native_run(&cfg, log, &st, b->err, sizeof(b->err)) != 0) {
		free(log);
		return -1;
	}
	cell_account(b, c, &st, log, record);
	free(log);
	if (!record)
		return 0;
	c->hps[c->n] = st.elapsed > 0 ? (double)st.handoffs / st.elapsed : 0;
	c->rtt[c->n] = rtt;
	c->n++;
	c->handoffs += st.handoffs;
	return 0;
}

static int run_ceilings(struct ss_bench *b, struct ss_bench_ceiling *cc, bool record)
{
	struct ss_ceiling_result ring, pool;
	double rtt = rtt_now(b);
	if (rtt < 0 ||
	    ss_ceiling_ring(b->cpu[0], b->cpu[1], cc->batch, b->duration, &ring, b->err,
			    sizeof(b->err)) != 0 ||
	    ss_ceiling_pool(b->cpu[0], b->cpu[1], cc->size, cc->batch, b->duration, &pool, b->err,
			    sizeof(b->err)) != 0)
		return -1;
	cc->bad += ring.bad + pool.bad;
	if (!record)
		return 0;
	cc->ring[cc->n] = ring.per_s;
	cc->pool[cc->n] = pool.per_s;
	cc->rtt[cc->n] = rtt;
	cc->n++;
	return 0;
}

/* One round: every allocator once, then the ceilings when with_ceil. */
static int run_round(struct ss_bench *b, const struct ss_scenario *scn, size_t size, unsigned batch,
		     struct ss_bench_ceiling *with_ceil, bool record)
{
	for (int a = 0; a < b->nalloc && !ss_interrupted; a++) {
		struct ss_bench_cell *c = ss_bench_cell_for(b, scn, b->alloc[a], size, batch);
		if (c && run_cell(b, c, record) != 0)
			return -1;
	}
	if (with_ceil && !ss_interrupted)
		return run_ceilings(b, with_ceil, record);
	return 0;
}

/* One configuration (scenario, size, batch): warm-up rounds, then measured rounds. */
static int run_config(struct ss_bench *b, const struct ss_scenario *scn, size_t size,
		      unsigned batch, int config, int nconfigs)
{
	struct ss_bench_ceiling *cc = b->no_ceilings ? NULL : ss_bench_ceiling_for(b, size, batch);
	struct ss_bench_ceiling *with_ceil = cc && !cc->done ? cc : NULL;
	unsigned rounds = (unsigned)(b->warmup + b->repeat);
	for (unsigned r = 0; r < rounds && !ss_interrupted; r++) {
		bool record = r >= b->warmup;
		if (run_round(b, scn, size, batch, with_ceil, record) != 0)
			return -1;
		if (b->hooks.round)
			b->hooks.round(b->hooks.arg, config, nconfigs, scn, size, batch, r, rounds,
				       !record);
	}
	if (cc)
		cc->done = true;
	return 0;
}

int ss_bench_run(struct ss_bench *b)
{
	int config = 0, nconfigs = b->nscn * b->nsize * b->nbatch;
	for (int s = 0; s < b->nscn && !ss_interrupted; s++)
		for (int z = 0; z < b->nsize && !ss_interrupted; z++)
			for (int bt = 0; bt < b->nbatch && !ss_interrupted; bt++)
				if (run_config(b, b->scn[s], b->size[z], (unsigned)b->batch[bt],
					       config++, nconfigs) != 0)
					return -1;
	return 0;
}
