/* fuzz/campaign.c - the explore driver: emulator, strategy loop, saved
 * reproducers, attribution of the first failure, result document
 * (fuzz/campaign.h). */
#include "fuzz/campaign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/repro_emu.h"
#include "results/json.h"
#include "results/stop.h"
#include "scenarios/plugin.h"

/* One failing execution of e as a reproducer under c->save_dir, until one
 * cannot be written (reported once) or SS_CAMPAIGN_MAX_SAVED. */
static void save_one(struct ss_campaign *c, const struct emu *e, const struct emu_result *r,
		     const u8 *sched, size_t len)
{
	char path[512];
	if (c->save_error[0] || c->nsaved >= SS_CAMPAIGN_MAX_SAVED)
		return;
	if (ss_save_failure(c->save_dir, e, r, sched, len, path, sizeof(path), c->save_error,
			    sizeof(c->save_error))) {
		if (!c->save_error[0])
			snprintf(c->save_error, sizeof(c->save_error), "cannot save a reproducer");
		return;
	}
	if (!c->nsaved++)
		snprintf(c->first_saved, sizeof(c->first_saved), "%s", path);
}

/* explore's on_failure: every failing schedule. */
static void save_failure(void *ctx, const struct emu_result *r, const u8 *sched, size_t len)
{
	struct ss_campaign *c = ctx;
	save_one(c, c->e, r, sched, len);
}

/* The first failure's schedule as hex, and (when asked and the replay
 * matched) which reordering it needs: attribution runs its own emulators, so
 * the trace of c->e stays. */
static void explain_first_failure(struct ss_campaign *c)
{
	const struct explore_stats *st = &c->st;
	c->schedule_hex = malloc(2 * st->first_len + 1);
	if (c->schedule_hex)
		emu_hex(c->schedule_hex, st->first_sched, st->first_len);
	char err[256];
	if (c->explain && st->replay_ok &&
	    ss_attribute(&c->ec, st->first_sched, st->first_len, st->first.kind, c->explain_search,
			 &c->at, err, sizeof(err)) == 0)
		c->attributed = true;
}

/* --races fail --save: the first race as a reproducer of kind data-race. */
static void save_race(struct ss_campaign *c)
{
	const struct ss_race_finding *fd = &c->race_list.v[0];
	struct emu_result r;
	memset(&r, 0, sizeof(r));
	ss_race_failure(fd, &r.fail);
	r.kind = SS_FAIL_DATA_RACE;
	r.nfail = 1;
	char err[256];
	if (ss_save_failure(c->save_dir, c->e, &r, fd->sched, fd->len, c->race_saved,
			    sizeof(c->race_saved), err, sizeof(err)) != 0)
		snprintf(c->save_error, sizeof(c->save_error), "%s", err);
}

/* The candidates the search collected, confirmed one by one. */
static int check_races(struct ss_campaign *c, char *err, size_t errlen)
{
	if (ss_races_check(&c->ec, emu_races(c->e), c->judge, &c->race_list, err, errlen) != 0)
		return -1;
	c->races_checked = true;
	if (c->races == SS_RACES_FAIL && c->race_list.n && c->save_dir)
		save_race(c);
	return 0;
}

/* gexplore's on_failure: every failing graph (in the emulator that ran it). */
static void save_graph_failure(void *ctx, const struct emu *e, const struct emu_result *r,
			       const u8 *graph, size_t len)
{
	ss_emu_name_regions((struct emu *)e);
	save_one(ctx, e, r, graph, len);
}

/* --engine graph --races: the races the exploration kept, as findings (each
 * with its graph where the emulator's have a schedule). */
static void take_graph_races(struct ss_campaign *c)
{
	struct gexplore_stats *g = &c->gst;
	struct ss_races *r = &c->race_list;
	memset(r, 0, sizeof(*r));
	r->graph = true;
	r->v = calloc(g->nraces ? g->nraces : 1, sizeof(*r->v));
	if (!r->v)
		return;
	for (size_t i = 0; i < g->nraces; i++) {
		r->v[i] = (struct ss_race_finding){.a = g->races[i].a,
						   .b = g->races[i].b,
						   .sched = g->races[i].graph,
						   .len = g->races[i].len};
		g->races[i].graph = NULL; /* race_list owns it now */
	}
	r->n = g->nraces;
	r->candidates = g->consistent;
	r->skipped = g->race_unchecked;
	r->dropped = g->race_dropped;
	snprintf(r->skip_why, sizeof(r->skip_why), "more events than the model's check takes");
	c->races_checked = true;
}

/* --races fail --save under --engine graph: the first race's graph replayed
 * (it must show the race again) and saved as a reproducer of kind data-race. */
static void save_graph_race(struct ss_campaign *c)
{
	const struct ss_race_finding *fd = &c->race_list.v[0];
	struct emu_result r;
	bool consistent;
	struct emu *e = NULL;
	char err[256];
	if (gexplore_replay(&c->ec, fd->sched, fd->len, &r, &consistent, &e, err, sizeof(err))) {
		snprintf(c->save_error, sizeof(c->save_error), "%s", err);
		return;
	}
	ss_emu_name_regions(e);
	memset(&r, 0, sizeof(r));
	ss_race_failure(fd, &r.fail);
	r.kind = SS_FAIL_DATA_RACE;
	r.nfail = 1;
	if (ss_save_failure(c->save_dir, e, &r, fd->sched, fd->len, c->race_saved,
			    sizeof(c->race_saved), err, sizeof(err)) != 0)
		snprintf(c->save_error, sizeof(c->save_error), "%s", err);
	gexplore_free_emu(e);
}

/* --engine graph: the exploration, and what it found in explore's terms. */
static int run_graph(struct ss_campaign *c, char *err, size_t errlen)
{
	struct gexplore_opts go;
	memset(&go, 0, sizeof(go));
	go.max_execs = c->xo.max_execs;
	go.duration = c->xo.duration;
	go.keep_going = c->xo.keep_going;
	go.progress = c->xo.progress;
	go.progress_ctx = c->xo.progress_ctx;
	go.sample = c->xo.strategy == EXPLORE_RANDOM;
	go.pct = c->xo.strategy == EXPLORE_PCT;
	go.pct_depth = c->xo.depth;
	go.pct_history = c->xo.history;
	go.seed = c->xo.seed;
	go.resume_path = c->resume_path;
	go.jobs = c->jobs;
	go.races = c->races != SS_RACES_IGNORE;
	if (c->save_dir) {
		go.on_failure = save_graph_failure;
		go.failure_ctx = c;
	}
	struct gexplore_stats *g = &c->gst;
	if (gexplore_run(&c->ec, &go, g, &c->e) != 0) {
		snprintf(err, errlen, "%s", g->error);
		return -1;
	}
	if (c->e)
		ss_emu_name_regions(c->e);
	if (go.races) {
		take_graph_races(c);
		if (c->races == SS_RACES_FAIL && c->race_list.n && c->save_dir)
			save_graph_race(c);
	}
	struct explore_stats *st = &c->st;
	memset(st, 0, sizeof(*st));
	st->executions = g->executions;
	st->failed_execs = g->failed;
	st->log = g->log;
	st->found = g->found;
	st->first_exec = g->first_exec;
	st->first = g->first;
	st->first_sched = g->first_graph;
	st->first_len = g->first_len;
	g->first_graph = NULL; /* st owns it now */
	st->replay_ok = g->replay_ok;
	st->replay = g->replay;
	st->elapsed = g->elapsed;
	st->interrupted = g->interrupted;
	st->complete = g->complete;
	if (st->found) {
		c->schedule_hex = malloc(2 * st->first_len + 1);
		if (c->schedule_hex)
			emu_hex(c->schedule_hex, st->first_sched, st->first_len);
	}
	char why[256];
	if (st->found && c->explain && st->replay_ok &&
	    ss_attribute_graph(&c->ec, st->first_sched, st->first_len, st->first.kind, 0, &c->at,
			       why, sizeof(why)) == 0)
		c->attributed = true;
	return 0;
}

/* A clean LKVM search under lkmm, checked on every execution graph (briefly):
 * a proof when that finishes, or a failure only non-multicopy atomicity (or
 * another LKMM freedom LKVM lacks) reaches, saved as a graph reproducer. */
static void check_graphs(struct ss_campaign *c)
{
	if (!c->graph_check || c->ec.model != WMM_LKMM || c->st.found || c->st.interrupted ||
	    ss_interrupted || c->ec.deps == EMU_DEPS_CHECK)
		return;
	struct gexplore_opts o;
	memset(&o, 0, sizeof(o));
	o.max_execs = 2000000;
	o.duration = SS_CAMPAIGN_GRAPH_CHECK_SECONDS;
	if (c->save_dir) {
		o.on_failure = save_graph_failure;
		o.failure_ctx = c;
	}
	struct gexplore_stats g;
	if (gexplore_run(&c->ec, &o, &g, NULL) == 0) {
		struct ss_graph_check *k = &c->gcheck;
		k->ran = true;
		k->complete = g.complete;
		k->found = g.found;
		k->graphs = g.executions;
		k->first = g.first;
	}
	gexplore_stats_free(&g);
}

int ss_campaign_run(struct ss_campaign *c, char *err, size_t errlen)
{
	if (c->graph)
		return run_graph(c, err, errlen);
	c->e = emu_create(&c->ec, err, errlen);
	if (!c->e)
		return -1;
	ss_emu_name_regions(c->e);
	bool races = c->races != SS_RACES_IGNORE && c->judge;
	if (races && emu_set_races(c->e, true) != 0) {
		snprintf(err, errlen, "out of memory for the race log");
		return -1;
	}
	if (c->save_dir) {
		c->xo.on_failure = save_failure;
		c->xo.failure_ctx = c;
	}
	if (explore_run(c->e, &c->xo, &c->st) != 0) {
		snprintf(err, errlen, "%s", c->st.error);
		return -1;
	}
	if (c->st.found)
		explain_first_failure(c);
	check_graphs(c);
	if (races)
		return check_races(c, err, errlen);
	return 0;
}

void ss_campaign_free(struct ss_campaign *c)
{
	explore_stats_free(&c->st);
	free(c->schedule_hex);
	c->schedule_hex = NULL;
	ss_races_free(&c->race_list);
	if (c->e && c->graph)
		gexplore_free_emu(c->e);
	else if (c->e)
		emu_destroy(c->e);
	c->e = NULL;
	gexplore_stats_free(&c->gst);
}

const char *ss_campaign_exhaustive_result(const struct explore_stats *st)
{
	return st->found			? "failure found"
	       : st->complete && !st->bound_hit ? "complete"
	       : st->complete			? "complete within bounds"
						: "budget exhausted";
}

const char *ss_campaign_graph_result(const struct ss_campaign *c)
{
	const struct gexplore_stats *g = &c->gst;
	return g->found || g->failed		      ? "failure found"
	       : g->complete			      ? "proof"
	       : g->interrupted			      ? "interrupted"
	       : c->xo.strategy != EXPLORE_EXHAUSTIVE ? "sample"
						      : "incomplete";
}

int ss_campaign_exit_status(const struct ss_campaign *c)
{
	size_t ndis = 0;
	if (c->ec.deps == EMU_DEPS_CHECK && c->e)
		emu_dep_disagreements(c->e, &ndis);
	bool race = c->races == SS_RACES_FAIL && c->race_list.n;
	return c->st.found || c->gcheck.found || ndis || race ? 1 : 0;
}

static json_t *parameters_json(const struct ss_campaign *c)
{
	const struct emu_config *ec = &c->ec;
	const struct ss_alloc_config *a = &ec->acfg;
	const struct explore_opts *xo = &c->xo;
	const char *hash = NULL, *file = ss_plugin_source(ec->scn, &hash);
	json_t *pa = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:I, s:b, s:b, "
	    "s:s}",
	    "scenario", ec->scn->name, "variant", ss_variant_name(a->variant), "alloc",
	    ec->alloc->name, "model", wmm_model_name(ec->model), "strategy",
	    explore_strategy_name(xo->strategy), "stride_bits", a->stride_bits, "objext",
	    ss_objext_name(a->objext), "object_size", (json_int_t)a->object_size, "page_size",
	    (json_int_t)a->page_size, "seed", (json_int_t)xo->seed, "executions",
	    (json_int_t)xo->max_execs, "duration", xo->duration, "stale_prob", xo->stale_prob,
	    "max_steps", (json_int_t)ec->max_steps, "iters", (json_int_t)ec->iters, "keep_going",
	    xo->keep_going, "account", a->account, "deps", emu_deps_name(ec->deps));
	ss_repro_params_add(pa, a, file, hash); /* switches; a scenario file's path + hash */
	return pa;
}

static json_t *counters_json(const struct explore_stats *st)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "executions", (json_int_t)st->executions,
			 "failing_executions", (json_int_t)st->failed_execs, "steps",
			 (json_int_t)st->steps, "accesses", (json_int_t)st->accesses, "stale_reads",
			 (json_int_t)st->stale_reads, "preemptions", (json_int_t)st->preemptions);
}

static json_t *first_failure_json(const struct ss_campaign *c)
{
	const struct explore_stats *st = &c->st;
	json_t *ff = res_failure_json(&st->first.fail);
	json_object_set_new(ff, "execution", json_integer((json_int_t)st->first_exec));
	json_object_set_new(ff, "step", json_integer((json_int_t)st->first.fail_step));
	json_object_set_new(ff, "schedule", json_string(c->schedule_hex ? c->schedule_hex : ""));
	json_object_set_new(ff, "replay_ok", json_boolean(st->replay_ok));
	return ff;
}

static json_t *dep_disagreements_json(const struct emu *e)
{
	size_t nd;
	const struct emu_dep_disagreement *dd = emu_dep_disagreements(e, &nd);
	json_t *arr = json_array();
	for (size_t i = 0; i < nd; i++)
		json_array_append_new(
		    arr,
		    json_pack("{s:i, s:s, s:s, s:i, s:I, s:s}", "cpu", dd[i].cpu, "location",
			      emu_site_expr(dd[i].site), "file",
			      dd[i].site && dd[i].site->file ? dd[i].site->file : "?", "line",
			      dd[i].site ? dd[i].site->line : 0, "count", (json_int_t)dd[i].count,
			      "weaker", dd[i].explicit_weaker ? "explicit" : "provenance"));
	return arr;
}

/* The strategy's own section: pct's probability bound, exhaustive's bounds. */
static void strategy_json(json_t *doc, const struct explore_stats *st, enum explore_strategy s)
{
	if (s == EXPLORE_PCT)
		json_object_set_new(doc, "pct",
				    json_pack("{s:i, s:I, s:i, s:i, s:f}", "n", st->pct_n, "k",
					      (json_int_t)st->pct_k, "d", st->pct_d, "h", st->pct_h,
					      "bound", st->pct_bound));
	if (s == EXPLORE_EXHAUSTIVE)
		json_object_set_new(doc, "exhaustive",
				    json_pack("{s:b, s:b, s:i, s:i, s:s}", "complete", st->complete,
					      "bound_hit", st->bound_hit, "preemptions",
					      st->bound_p, "staleness", st->bound_s, "result",
					      ss_campaign_exhaustive_result(st)));
}

/* --engine graph: what the exploration covered, and whether it is a proof. */
static json_t *graph_json(const struct ss_campaign *c)
{
	const struct gexplore_stats *g = &c->gst;
	return json_pack(
	    "{s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:s, s:i}", "complete",
	    g->complete, "proof", g->complete && !g->failed, "graphs", (json_int_t)g->executions,
	    "consistent", (json_int_t)g->consistent, "distinct", (json_int_t)g->distinct,
	    "inconsistent", (json_int_t)g->inconsistent, "blocked", (json_int_t)g->blocked,
	    "pruned", (json_int_t)g->pruned, "diverged", (json_int_t)g->diverged, "full",
	    (json_int_t)g->full, "too_big", (json_int_t)g->too_big, "max_events", g->max_events,
	    "result", ss_campaign_graph_result(c), "jobs", c->jobs > 1 ? (int)c->jobs : 1);
}

json_t *ss_campaign_json(const struct ss_campaign *c, int argc, char **argv)
{
	const struct explore_stats *st = &c->st;
	double eps = st->elapsed > 0 ? st->executions / st->elapsed : 0;
	double aps = st->elapsed > 0 ? st->accesses / st->elapsed : 0;
	json_t *doc = res_doc_new("explore", argc, argv);
	json_object_set_new(doc, "parameters", parameters_json(c));
	json_object_set_new(doc, "engine", json_string(c->graph ? "graph" : "emu"));
	if (c->graph)
		json_object_set_new(doc, "graph", graph_json(c));
	const struct ss_graph_check *k = &c->gcheck;
	if (k->ran)
		json_object_set_new(doc, "graph_check",
				    json_pack("{s:b, s:b, s:I, s:s?}", "complete", k->complete,
					      "found", k->found, "graphs", (json_int_t)k->graphs,
					      "failure",
					      k->found ? ss_fail_kind_name(k->first.kind) : NULL));
	json_object_set_new(doc, "counters", counters_json(st));
	json_object_set_new(doc, "timing",
			    json_pack("{s:f, s:f, s:f}", "elapsed_s", st->elapsed,
				      "executions_per_s", eps, "accesses_per_s", aps));
	json_object_set_new(doc, "interrupted", json_boolean(st->interrupted));
	json_object_set_new(doc, "failures", res_failure_log_json(&st->log));
	if (st->found)
		json_object_set_new(doc, "first_failure", first_failure_json(c));
	strategy_json(doc, st, c->xo.strategy);
	if (c->nsaved)
		json_object_set_new(doc, "reproducer", json_string(c->first_saved));
	json_object_set_new(
	    doc, "verdict",
	    json_string(st->found || ss_campaign_exit_status(c) ? "failed" : "clean"));
	/* the dependency mode the verdict rests on */
	json_object_set_new(doc, "deps", json_string(emu_deps_name(c->ec.deps)));
	if (c->ec.deps == EMU_DEPS_CHECK)
		json_object_set_new(doc, "dep_disagreements", dep_disagreements_json(c->e));
	json_object_set_new(doc, "races", json_string(ss_races_name(c->races)));
	if (c->races_checked) {
		json_object_set_new(doc, "data_races", ss_races_json(&c->race_list));
		json_object_set_new(doc, "race_checks_skipped",
				    json_integer((json_int_t)c->race_list.skipped));
		if (c->race_saved[0])
			json_object_set_new(doc, "race_reproducer", json_string(c->race_saved));
	}
	return doc;
}
