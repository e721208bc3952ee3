/* engine/gexplore.c - `--engine graph` (engine/gexplore.h): the loop that runs
 * the scenario once per graph the explorer hands out, checks each finished
 * graph against the model, and keeps the first failing graph for its
 * reproducer and its replay. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/gexplore_impl.h"
#include "engine/gx.h"
#include "engine/pct.h"
#include "engine/run_clock.h"
#include "model/lkmm.h"
#include "results/knobs.h"
#include "results/stop.h"

#define GEXPLORE_STACK ((size_t)16 << 20)

static unsigned gpct_pick(struct gpct *p, const struct emu_pick_info *pi);
static struct gpct *gpct_create(struct gx *gx, const struct emu_config *cfg,
				const struct gexplore_opts *o);
static void gpct_finish(struct gpct *p, struct gexplore_stats *st);

static unsigned no_front(void *ctx)
{
	(void)ctx;
	return 0;
}

static unsigned no_back(void *ctx, enum wmm_choice_kind kind, unsigned n)
{
	(void)ctx, (void)kind, (void)n;
	return 0;
}

/* The emulator asks who runs next: the explorer's pick, one step at a time. */
static unsigned graph_pick(void *ctx, const struct emu_pick_info *pi)
{
	struct gdrive *d = ctx;
	if (d->pct)
		return gpct_pick(d->pct, pi);
	unsigned ready = 0;
	for (int i = 0; i < pi->n; i++)
		ready |= 1u << pi->cpus[i];
	int t = gx_pick(d->gx, ready);
	for (int i = 0; i < pi->n; i++)
		if (pi->cpus[i] == t)
			return (unsigned)i << 5;
	return 0;
}

/* The model's verdict on the current graph: 1 consistent, 0 not, -1 too big.
 * Under lkmm the quick verdicts come first (engine/gx_quick.c): most graphs
 * refused in scenario code are a read in a critical section offered a write
 * from before the previous holder's, and most allowed ones are sequentially
 * consistent; only the rest are built as model graphs and checked whole. */
static int model_check(struct gx *gx, enum wmm_model m, struct exg *x)
{
	char err[160];
	int quick = m == WMM_LKMM ? gx_quick_verdict(gx) : -1;
	if (quick >= 0)
		return quick;
	if (gx_to_exg(gx, x, err, sizeof(err)) < 0)
		return -1;
	switch (m) {
	case WMM_SC: return ax_sc_check(x);
	case WMM_TSO: return ax_tso_check(x);
	default: break;
	}
	return lkmm_consistent(x);
}

static struct emu *make(const struct emu_config *cfg, struct gx **gxp, char *err, size_t n)
{
	int nroles = cfg->scn ? cfg->scn->nroles : 0;
	struct gx *gx = gx_create(nroles, 0);
	if (!gx) {
		snprintf(err, n, "graph engine: %d roles (1 to %d supported)", nroles,
			 GX_MAX_THREADS);
		return NULL;
	}
	struct emu_config c = *cfg;
	c.graph = gx;
	/* the model's check of a re-created graph runs on the role's stack (see
	 * check_prefix): room for the checker's relations */
	if (c.stack_size < GEXPLORE_STACK)
		c.stack_size = GEXPLORE_STACK;
	struct emu *e = emu_create(&c, err, n);
	if (!e) {
		gx_destroy(gx);
		return NULL;
	}
	*gxp = gx;
	return e;
}

void gexplore_free_emu(struct emu *e)
{
	if (!e)
		return;
	struct gx *gx = emu_config_of(e)->graph;
	emu_destroy(e);
	gx_destroy(gx);
}

/* An execution that ended with every unfinished CPU waiting: a deadlock (or a
 * hang) when each waits for good in this graph - a lock whose co-latest value
 * is held, a poll with no newer write - else a graph the spin assumption cuts
 * (a later write, on another graph, gives the waiter its value). */
static bool waits_for_good(const struct emu *e, struct gx *gx)
{
	int n = emu_config_of(e)->acfg.ncpus;
	for (int c = 0; c < n; c++) {
		enum emu_waits w = emu_cpu_waits(e, c);
		if (w == EMU_WAITS_RCU ||
		    ((w == EMU_WAITS_LOCK || w == EMU_WAITS_POLL) && !gx_waits_for_good(gx, c)))
			return false;
	}
	return true;
}

int gexplore_one_graph(struct emu *e, struct gdrive *d, enum wmm_model m, struct exg *x,
		       struct gexplore_stats *st, struct emu_result *r)
{
	if (emu_execute_pick(e, &d->gen, graph_pick, r) < 0)
		return -1;
	bool waiting = r->kind == SS_FAIL_DEADLOCK && !waits_for_good(e, d->gx);
	if (!gx_end(d->gx, waiting)) {
		if (gx_diverged(d->gx))
			st->diverged++;
		return 0;
	}
	int c = model_check(d->gx, m, x);
	if (c < 0) {
		st->too_big++;
		return 0;
	}
	if (!c) {
		st->inconsistent++;
		return 0;
	}
	return 1;
}

/* gx's check of a graph before it is pushed: the model's verdict (a graph too
 * big for the checker is let through: the end decides).  Checking only the
 * quick refutation here and the rest at the end is no faster: the
 * inconsistent graphs let through grow into many blocked and pruned ones. */
static bool check_prefix(void *ctx, struct gx *gx)
{
	struct gdrive *d = ctx;
	return model_check(gx, d->model, d->x) != 0;
}

void gexplore_finish_stats(struct gexplore_stats *st, struct gx *gx)
{
	const struct gx_stats *gs = gx_stats(gx);
	st->refused = gs->refused;
	st->blocked = gs->blocked;
	st->pruned = gs->pruned;
	st->full = gs->full;
	st->events = gs->events;
	st->max_events = gs->max_events;
	st->max_stack = gs->max_stack;
	st->overflowed = gx_overflowed(gx);
}

static int resume_start(struct gx *gx, const struct emu_config *cfg, const char *path,
			struct gexplore_stats *st, struct gx_state *base);
static int resume_finish(struct gx *gx, const struct emu_config *cfg, const char *path,
			 struct gexplore_stats *st, const struct gx_state *base);

void gexplore_count_consistent(struct gx *gx, const struct gexplore_opts *o,
			       struct gexplore_stats *st)
{
	st->consistent++;
	st->distinct += gx_exec_new(gx);
	if (o->races)
		gexplore_note_races(gx, st);
}

void gexplore_record_failure(struct emu *e, struct gx *gx, const struct gexplore_opts *o,
			     const struct emu_result *r, struct gexplore_stats *st)
{
	st->failed++;
	ss_failure_log_add(&st->log, &r->fail, (unsigned long)st->executions - 1);
	size_t glen = 0;
	u8 *graph = gx_save(gx, &glen);
	if (graph && o->on_failure)
		o->on_failure(o->failure_ctx, e, r, graph, glen);
	if (st->found) {
		free(graph);
		return;
	}
	st->found = true;
	st->first_exec = st->executions - 1;
	st->first = *r;
	st->first_graph = graph;
	st->first_len = glen;
}

/* The driver's strategy (pct, sampling, or every graph checked when pushed)
 * and its model graphs; returns the one the loop checks with, NULL when out of
 * memory. */
static struct exg *setup_drive(struct gdrive *d, const struct emu_config *cfg,
			       const struct gexplore_opts *o)
{
	d->gen = (struct emu_gen){no_front, no_back, d};
	struct exg *x = malloc(sizeof(*x));
	d->model = cfg->model;
	gx_set_cycles_refused(d->gx, d->model != WMM_LKMM);
	d->x = malloc(sizeof(*d->x));
	if (o->pct)
		d->pct = gpct_create(d->gx, cfg, o);
	if (o->pct && !d->pct)
		free(x), x = NULL;
	else if (o->sample)
		gx_set_sample(d->gx, o->seed);
	else if (d->x)
		gx_set_check(d->gx, check_prefix, d);
	return x;
}

int gexplore_run(const struct emu_config *cfg, const struct gexplore_opts *o,
		 struct gexplore_stats *st, struct emu **ep)
{
	memset(st, 0, sizeof(*st));
	ss_failure_log_init(&st->log);
	if (ep)
		*ep = NULL;
	struct gdrive d = {0};
	struct emu *e = make(cfg, &d.gx, st->error, sizeof(st->error));
	if (!e)
		return -1;
	struct exg *x = setup_drive(&d, cfg, o);
	int rc = 0;
	static __thread struct gx_state base; /* --resume: the counters before this run */
	bool resume = o->resume_path && !o->sample;
	if (resume)
		rc = resume_start(d.gx, cfg, o->resume_path, st, &base);
	unsigned long long execs0 = st->executions;
	struct run_clock clk;
	run_clock_start(&clk, o->duration);
	struct emu_result r;
	/* --jobs: the graphs on the stack once there are enough go to the workers */
	size_t split_at = o->jobs > 1 && !o->sample && !o->pct && !resume ? (size_t)o->jobs : 0;
	bool split = false;
	while (!rc && x && (!o->max_execs || st->executions - execs0 < o->max_execs)) {
		if (!gx_begin(d.gx)) {
			st->complete = true;
			break;
		}
		st->executions++;
		int k = gexplore_one_graph(e, &d, cfg->model, x, st, &r);
		if (k < 0) {
			snprintf(st->error, sizeof(st->error), "graph %llu: %s", st->executions,
				 r.internal_msg);
			rc = -1;
			break;
		}
		if (k > 0)
			gexplore_count_consistent(d.gx, o, st);
		if (k > 0 && r.kind &&
		    (gexplore_record_failure(e, d.gx, o, &r, st), !o->keep_going))
			break;
		if (((st->executions & 63) == 0 || clk.deadline) &&
		    run_clock_stop(&clk, &st->interrupted, o->progress, o->progress_ctx,
				   st->executions, st->failed))
			break;
		if (split_at && gx_stack_size(d.gx) >= split_at) {
			split = true;
			break;
		}
	}
	if (!x)
		snprintf(st->error, sizeof(st->error), "out of memory"), rc = -1;
	gexplore_finish_stats(st, d.gx);
	if (split && !rc)
		rc = gexplore_jobs_run(cfg, e, &d, x, o, st, &clk);
	gpct_finish(d.pct, st);
	st->elapsed = run_clock_elapsed(&clk);
	if (resume && !rc)
		rc = resume_finish(d.gx, cfg, o->resume_path, st, &base);
	if (st->complete && (st->overflowed || st->diverged || st->full || st->too_big))
		st->complete = false;
	free(x);
	free(d.x);
	gexplore_free_emu(e);
	if (rc == 0 && st->found && st->first_graph) {
		bool cons;
		char err[200];
		if (gexplore_replay(cfg, st->first_graph, st->first_len, &st->replay, &cons, ep,
				    err, sizeof(err)) == 0)
			st->replay_ok = cons && st->replay.kind == st->first.kind &&
					st->replay.fail_step == st->first.fail_step;
		/* --jobs: the failure was re-run in an emulator since freed; its
		 * addresses are those of the one kept (named by the caller) */
		if (split && st->replay_ok)
			st->first = st->replay;
	}
	return rc;
}

void gexplore_stats_free(struct gexplore_stats *st)
{
	free(st->first_graph);
	st->first_graph = NULL;
	gexplore_races_free(st);
}

int gexplore_replay_races(const struct emu *e, struct race_access (*pairs)[2], int max)
{
	const struct gx *gx = e ? emu_config_of(e)->graph : NULL;
	return gx ? gexplore_graph_races(gx, pairs, max) : -1;
}

int gexplore_replay(const struct emu_config *cfg, const u8 *graph, size_t len,
		    struct emu_result *res, bool *consistent, struct emu **ep, char *err,
		    size_t errlen)
{
	if (ep)
		*ep = NULL;
	struct gdrive d = {0};
	struct emu *e = make(cfg, &d.gx, err, errlen);
	if (!e)
		return -1;
	if (gx_load(d.gx, graph, len) < 0 || !gx_begin(d.gx)) {
		snprintf(err, errlen, "not a graph this version saved");
		gexplore_free_emu(e);
		return -2;
	}
	d.gen = (struct emu_gen){no_front, no_back, &d};
	emu_set_trace(e, true);
	struct gexplore_stats st;
	memset(&st, 0, sizeof(st));
	struct exg *x = malloc(sizeof(*x));
	int k = x ? gexplore_one_graph(e, &d, cfg->model, x, &st, res) : -1;
	/* a read of a later write took the saved value, an address of the
	 * process that saved it: once more with this run's (gx_reload) */
	for (int again = 0; k >= 0 && st.diverged && again < 2 && gx_reload(d.gx) && gx_begin(d.gx);
	     again++) {
		memset(&st, 0, sizeof(st));
		k = gexplore_one_graph(e, &d, cfg->model, x, &st, res);
	}
	free(x);
	if (k < 0 || st.diverged) {
		snprintf(err, errlen, "%s",
			 k < 0 ? res->internal_msg
			       : "the scenario did not re-create the saved graph (an edited "
				 "reproducer, or another scenario, variant or version)");
		gexplore_free_emu(e);
		return k < 0 ? -1 : -2;
	}
	*consistent = k > 0;
	if (ep)
		*ep = e;
	else
		gexplore_free_emu(e);
	return 0;
}

/* ---- --resume: the exploration over several runs (engine/gx_state.c) --------------- */

struct stat_count {
	const char *name;
	size_t off;
};

#define STAT_COUNT(f)                                                                              \
	{                                                                                          \
#f, offsetof(struct gexplore_stats, f)                                             \
	}
/* counted by this loop: they start from the state's values */
static const struct stat_count loop_counts[] = {
    STAT_COUNT(executions), STAT_COUNT(consistent), STAT_COUNT(distinct), STAT_COUNT(inconsistent),
    STAT_COUNT(diverged),   STAT_COUNT(too_big),    STAT_COUNT(failed),
};
/* counted by gx (gexplore_finish_stats): the state's values are added at the end */
static const struct stat_count gx_counts[] = {
    STAT_COUNT(blocked), STAT_COUNT(pruned), STAT_COUNT(full),
    STAT_COUNT(refused), STAT_COUNT(events),
};
#define NCOUNTS(a) (sizeof(a) / sizeof((a)[0]))

static unsigned long long *stat_at(struct gexplore_stats *st, const struct stat_count *c)
{
	return (unsigned long long *)((char *)st + c->off);
}

/* The parameters a state must have been written with. */
static void state_params(const struct emu_config *cfg, struct gx_state *s)
{
	const struct ss_alloc_config *a = &cfg->acfg;
	char v[512];
	memset(s, 0, sizeof(*s));
	gx_state_add_param(s, "scenario", cfg->scn->name);
	gx_state_add_param(s, "variant", ss_variant_name(a->variant));
	ss_switches_format(ss_config_switches(a), a->stride_bits, v, sizeof(v));
	gx_state_add_param(s, "switches", v);
	gx_state_add_param(s, "alloc", cfg->alloc->name);
	gx_state_add_param(s, "objext", ss_objext_name(a->objext));
	snprintf(v, sizeof(v), "%zu %zu %s %d %s", a->object_size, a->page_size,
		 a->account ? "account" : "no-account", a->nobjcgs,
		 a->objcg_atomic ? "atomic" : "percpu");
	gx_state_add_param(s, "object-size,page-size,account,objcgs,objcg-mode", v);
	gx_state_add_param(s, "model", wmm_model_name(cfg->model));
	gx_state_add_param(s, "deps", emu_deps_name(cfg->deps));
	snprintf(v, sizeof(v), "%lu", cfg->iters ? cfg->iters : 1);
	gx_state_add_param(s, "iters", v);
	snprintf(v, sizeof(v), "%lu", cfg->max_steps);
	gx_state_add_param(s, "max-steps", v);
}

/* Reads path for cfg into *s (the run's parameters checked): 1 read, 0 none, -1 err. */
static int state_open(const struct emu_config *cfg, const char *path, struct gx_state *s, char *err,
		      size_t n)
{
	if (access(path, F_OK) != 0)
		return 0;
	static __thread struct gx_state run;
	state_params(cfg, &run);
	int nroles = cfg->scn ? cfg->scn->nroles : 0;
	if (gx_state_read(path, nroles, s, err, n) < 0 || gx_state_match(s, &run, err, n) < 0) {
		gx_state_free(s);
		return -1;
	}
	return 1;
}

int gexplore_resume_check(const struct emu_config *cfg, const char *path,
			  unsigned long long *graphs, unsigned long long *before,
			  unsigned long long *resumed, char *err, size_t n)
{
	static __thread struct gx_state s;
	*graphs = *before = *resumed = 0;
	int k = state_open(cfg, path, &s, err, n);
	if (k <= 0)
		return k;
	*graphs = s.ngraphs;
	*before = gx_state_count(&s, "executions");
	*resumed = gx_state_count(&s, "resumed");
	gx_state_free(&s);
	return 0;
}

static int resume_start(struct gx *gx, const struct emu_config *cfg, const char *path,
			struct gexplore_stats *st, struct gx_state *base)
{
	char err[300];
	memset(base, 0, sizeof(*base));
	int k = state_open(cfg, path, base, err, sizeof(err));
	if (k < 0 || (k > 0 && gx_state_load(gx, base) < 0)) {
		snprintf(st->error, sizeof(st->error), "--resume %s: %s", path,
			 k < 0 ? err : "out of memory");
		gx_state_free(base);
		return -1;
	}
	gx_state_free(base);
	if (!k)
		return 0;
	for (size_t i = 0; i < NCOUNTS(loop_counts); i++)
		*stat_at(st, &loop_counts[i]) = gx_state_count(base, loop_counts[i].name);
	st->resumed = gx_state_count(base, "resumed") + 1;
	char name[40];
	for (int k = 1; k < SS_FAIL_NKINDS; k++) { /* the failure log's counts by kind */
		snprintf(name, sizeof(name), "failed.%s", ss_fail_kind_name(k));
		st->log.by_kind[k] = gx_state_count(base, name);
		st->log.total += st->log.by_kind[k];
	}
	return 0;
}

/* After the loop: the state's counters added; the state written when graphs
 * are left, removed when the exploration is over. */
static int resume_finish(struct gx *gx, const struct emu_config *cfg, const char *path,
			 struct gexplore_stats *st, const struct gx_state *base)
{
	for (size_t i = 0; i < NCOUNTS(gx_counts); i++)
		*stat_at(st, &gx_counts[i]) += gx_state_count(base, gx_counts[i].name);
	unsigned long long me = gx_state_count(base, "max_events");
	st->max_events = (unsigned long long)st->max_events > me ? st->max_events : (int)me;
	st->overflowed |= gx_state_count(base, "overflowed") != 0;
	st->elapsed += (double)gx_state_count(base, "elapsed_us") * 1e-6;
	if (st->complete) { /* the stack ran out: nothing to go on from */
		st->state_removed = unlink(path) == 0;
		return 0;
	}
	static __thread struct gx_state s;
	state_params(cfg, &s);
	for (size_t i = 0; i < NCOUNTS(loop_counts); i++)
		gx_state_set_count(&s, loop_counts[i].name, *stat_at(st, &loop_counts[i]));
	for (size_t i = 0; i < NCOUNTS(gx_counts); i++)
		gx_state_set_count(&s, gx_counts[i].name, *stat_at(st, &gx_counts[i]));
	gx_state_set_count(&s, "max_events", (unsigned long long)st->max_events);
	gx_state_set_count(&s, "overflowed", st->overflowed);
	gx_state_set_count(&s, "elapsed_us", (unsigned long long)(st->elapsed * 1e6));
	gx_state_set_count(&s, "resumed", st->resumed);
	char name[40];
	for (int k = 1; k < SS_FAIL_NKINDS; k++)
		if (st->log.by_kind[k]) {
			snprintf(name, sizeof(name), "failed.%s", ss_fail_kind_name(k));
			gx_state_set_count(&s, name, st->log.by_kind[k]);
		}
	char err[300];
	if (gx_state_save(gx, &s, path, err, sizeof(err)) < 0) {
		snprintf(st->error, sizeof(st->error), "--resume: %s", err);
		return -1;
	}
	st->state_saved = true;
	st->state_graphs = gx_stack_size(gx);
	return 0;
}

/* ---- fuzzing graphs ---------------------------------------------------------------- */

struct gexplore_fuzz {
	struct gdrive d;
	struct emu *e;
	const u8 *data;
	size_t len, pos;
	struct gexplore_stats st;
};

/* gx's chooser: the input's next byte, 0 past its end. */
static unsigned input_choice(void *ctx, unsigned n)
{
	struct gexplore_fuzz *f = ctx;
	return f->pos < f->len ? f->data[f->pos++] % n : 0;
}

struct gexplore_fuzz *gexplore_fuzz_create(const struct emu_config *cfg, char *err, size_t n)
{
	struct gexplore_fuzz *f = calloc(1, sizeof(*f));
	struct exg *x = malloc(sizeof(*x));
	if (!f || !x) {
		snprintf(err, n, "out of memory");
		free(f);
		free(x);
		return NULL;
	}
	f->e = make(cfg, &f->d.gx, err, n);
	if (!f->e) {
		free(f);
		free(x);
		return NULL;
	}
	f->d.gen = (struct emu_gen){no_front, no_back, &f->d};
	f->d.model = cfg->model;
	f->d.x = x;
	gx_set_chooser(f->d.gx, input_choice, f);
	return f;
}

void gexplore_fuzz_destroy(struct gexplore_fuzz *f)
{
	if (!f)
		return;
	gexplore_free_emu(f->e);
	free(f->d.x);
	free(f);
}

struct emu *gexplore_fuzz_emu(struct gexplore_fuzz *f)
{
	return f->e;
}

int gexplore_fuzz_run(struct gexplore_fuzz *f, const u8 *data, size_t len, struct emu_result *r)
{
	f->data = data;
	f->len = len;
	f->pos = 0;
	if (!gx_begin(f->d.gx)) {
		memset(r, 0, sizeof(*r));
		snprintf(r->internal_msg, sizeof(r->internal_msg), "the graph explorer stopped");
		return -1;
	}
	f->st.executions++;
	int k = gexplore_one_graph(f->e, &f->d, f->d.model, f->d.x, &f->st, r);
	if (k > 0) {
		f->st.consistent++;
		f->st.failed += r->kind != SS_FAIL_NONE;
	}
	gexplore_finish_stats(&f->st, f->d.gx);
	return k;
}

u8 *gexplore_fuzz_graph(struct gexplore_fuzz *f, size_t *len)
{
	return gx_save(f->d.gx, len);
}

size_t gexplore_fuzz_used(const struct gexplore_fuzz *f)
{
	return f->pos;
}

/* ---- pct over graphs (explore --engine graph --strategy pct) ------------------------ */

#define GPCT_MAXD 16

struct gpct {
	uint64_t s;
	unsigned n, d, h;
	unsigned long k, last_step; /* k: 0 until the first execution measured it */
	int prio[SS_MAX_ROLES];
	unsigned long cp[GPCT_MAXD]; /* change points, ascending; cp[j] lowers to d-1-j */
	unsigned ncp, next_cp;
};

static uint64_t gpct_rand(struct gpct *p)
{
	uint64_t z = (p->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* gx's chooser under pct (the CPUs are picked by gpct_pick): which write a
 * read reads and where a write goes, at random among the h + 1 first (the
 * co-latest writes, the last co places). */
static unsigned gpct_choice(void *ctx, unsigned n)
{
	struct gpct *p = ctx;
	unsigned m = n < p->h + 1 ? n : p->h + 1;
	return (unsigned)(gpct_rand(p) % m);
}

/* A new execution: random distinct priorities d .. d+n-1, d-1 change points
 * uniform among steps 1..k, sorted. */
static void gpct_start(struct gpct *p)
{
	int perm[SS_MAX_ROLES];
	for (unsigned c = 0; c < p->n; c++)
		perm[c] = (int)c;
	for (unsigned c = p->n; c-- > 1;) {
		unsigned j = (unsigned)(gpct_rand(p) % (c + 1));
		int t = perm[c];
		perm[c] = perm[j];
		perm[j] = t;
	}
	for (unsigned c = 0; c < p->n; c++)
		p->prio[perm[c]] = (int)(p->d + c);
	p->ncp = p->k ? p->d - 1 : 0;
	for (unsigned j = 0; j < p->ncp; j++)
		p->cp[j] = 1 + gpct_rand(p) % p->k;
	pct_sort_change_points(p->cp, p->ncp);
	p->next_cp = 0;
}

/* The emulator asks who adds the next event: the runnable CPU of highest
 * priority, after the change points reached lowered the one that ran. */
static unsigned gpct_pick(struct gpct *p, const struct emu_pick_info *pi)
{
	if (pi->step == 0) {		 /* a new execution */
		if (p->last_step > p->k) /* k: the longest execution so far */
			p->k = p->last_step;
		gpct_start(p);
	}
	p->last_step = pi->step;
	int best = pct_highest(p->prio, p->cp, p->ncp, &p->next_cp, p->d, pi);
	return (unsigned)best << 5; /* one step: a CPU of higher priority may wake */
}

static struct gpct *gpct_create(struct gx *gx, const struct emu_config *cfg,
				const struct gexplore_opts *o)
{
	struct gpct *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->s = o->seed * 0x2545f4914f6cdd1dull + 1;
	p->n = (unsigned)cfg->scn->nroles;
	p->d = o->pct_depth ? o->pct_depth : 3;
	if (p->d > GPCT_MAXD)
		p->d = GPCT_MAXD;
	p->h = o->pct_history ? o->pct_history : 1;
	gx_set_chooser(gx, gpct_choice, p);
	return p;
}

static void gpct_finish(struct gpct *p, struct gexplore_stats *st)
{
	if (!p)
		return;
	st->pct_n = p->n;
	st->pct_d = p->d;
	st->pct_h = p->h;
	st->pct_k = p->k > p->last_step ? p->k : p->last_step;
	free(p);
}
