/* fuzz/matrix.c - the verdict table: one bounded search per cell (random, then
 * pct), the expectation rule, the table's JSON document, and its shards: the
 * cost-balanced split and the merge of shard documents (fuzz/matrix.h). */
#include "fuzz/matrix.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/explore.h"
#include "engine/gexplore.h"
#include "fuzz/campaign.h"
#include "fuzz/repro_emu.h"
#include "results/json.h"
#include "results/stop.h"

bool ss_matrix_expect_found(const struct ss_scenario *scn, const struct ss_alloc_config *acfg,
			    bool big, enum wmm_model model)
{
	if (big && acfg->stride_bits == 16)
		return true;
	if (model != WMM_LKMM)
		return false;
	if (scn->handoff == SS_HANDOFF_BROKEN)
		return true;
	/* The rc1 hole (lazy-objexts): a stride stored late, loaded with nothing
	 * ordering it after obj_exts.  Of the named variants only rc1 has it. */
	unsigned sw = ss_config_switches(acfg);
	bool hole = !(sw & SS_SW(SS_SW_STRIDE_EARLY)) &&
		    !(sw & (SS_SW(SS_SW_RMB_BEFORE_STRIDE) | SS_SW(SS_SW_OBJEXTS_ACQUIRE)));
	return scn->handoff == SS_HANDOFF_ALLOCATOR && hole;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Half the budget random, then (nothing found yet) half pct; st holds the last
 * search.  Returns explore's status. */
static int search_cell(struct emu *e, const struct ss_matrix_opts *o, struct explore_stats *st,
		       unsigned long long *total)
{
	struct explore_opts xo;
	memset(&xo, 0, sizeof(xo));
	xo.seed = 1;
	xo.stale_prob = 0.3;
	xo.max_execs = o->executions / 2;
	xo.duration = o->duration / 2;
	int rc = explore_random(e, &xo, st);
	*total = st->executions;
	if (rc == 0 && !st->found && !ss_interrupted) {
		explore_stats_free(st);
		xo.strategy = EXPLORE_PCT;
		rc = explore_pct(e, &xo, st);
		*total += st->executions;
	}
	return rc;
}

/* --engine graph: the cell's graph search into c; *ep: the emulator holding
 * the failing graph's replay (NULL when clean).  Returns as run_cell. */
static int graph_cell(const struct emu_config *ec, const struct ss_matrix_opts *o,
		      struct ss_matrix_cell *c, struct emu **ep, char *err, size_t errlen)
{
	struct gexplore_opts go;
	memset(&go, 0, sizeof(go));
	go.max_execs = o->executions;
	go.duration = o->duration;
	struct gexplore_stats st;
	if (gexplore_run(ec, &go, &st, ep) != 0) {
		snprintf(err, errlen, "%s", st.error);
		gexplore_stats_free(&st);
		return -1;
	}
	c->executions = st.executions;
	c->found = st.found;
	c->kind = st.found ? st.first.kind : SS_FAIL_NONE;
	c->proved = st.complete && !st.found;
	c->unfinished = !st.found && ss_interrupted;
	int rc = 0;
	if (st.found && o->save_dir && *ep) {
		ss_emu_name_regions(*ep);
		if (ss_save_failure(o->save_dir, *ep, &st.first, st.first_graph, st.first_len,
				    c->reproducer, sizeof(c->reproducer), err, errlen) != 0)
			rc = -2;
	}
	gexplore_stats_free(&st);
	return rc;
}

/* A clean lkvm cell under lkmm, decided on the execution graphs for at most
 * SS_CAMPAIGN_GRAPH_CHECK_SECONDS (explore's check): c becomes Proved, or
 * Found with the failing graph's emulator in *ep (saved with --save); an
 * unfinished search leaves it Clean.  The executions stay lkvm's.  Returns as
 * run_cell. */
static int check_graphs(const struct emu_config *ec, const struct ss_matrix_opts *o,
			struct ss_matrix_cell *c, struct emu **ep, char *err, size_t errlen)
{
	struct ss_matrix_opts go = *o;
	go.executions = 2000000;
	go.duration = SS_CAMPAIGN_GRAPH_CHECK_SECONDS;
	unsigned long long lkvm_execs = c->executions;
	int rc = graph_cell(ec, &go, c, ep, err, errlen);
	c->executions = lkvm_execs;
	c->unfinished = false; /* an unfinished check leaves lkvm's Clean */
	return rc;
}

/* Runs one cell into c (its emulator handed to the observer).  Returns as
 * ss_matrix_run. */
static int run_cell(const struct ss_matrix_line *l, enum wmm_model model,
		    const struct ss_matrix_opts *o, const struct ss_matrix_observer *obs,
		    struct ss_matrix_cell *c, char *err, size_t errlen)
{
	struct emu_config ec;
	memset(&ec, 0, sizeof(ec));
	ec.scn = l->scn;
	ec.alloc = l->alloc;
	ec.acfg = l->acfg;
	ec.model = model;
	ec.iters = 1;
	ec.seed = SS_EMU_WORLD_SEED;
	ec.max_steps = 200000;
	ec.deps = o->deps;
	memset(c, 0, sizeof(*c));
	c->line = l;
	c->model = model;
	if (o->graph) {
		double c0 = now();
		struct emu *ge = NULL;
		int rc = graph_cell(&ec, o, c, &ge, err, errlen);
		if (rc == 0) {
			c->want_found = !o->expect_clean &&
					ss_matrix_expect_found(l->scn, &l->acfg, l->big, model);
			c->unexpected = c->found && !c->want_found;
			c->missed = !c->found && !c->unfinished && c->want_found;
			if (obs && obs->cell_done)
				obs->cell_done(obs->ctx, c, ge);
			c->elapsed = now() - c0;
		}
		gexplore_free_emu(ge);
		return rc;
	}
	struct emu *e = emu_create(&ec, err, errlen);
	if (!e)
		return -1;
	ss_emu_name_regions(e);
	struct explore_stats st;
	double c0 = now();
	int rc = search_cell(e, o, &st, &c->executions);
	if (rc != 0) {
		snprintf(err, errlen, "%s", st.error);
		emu_destroy(e);
		return -1;
	}
	c->found = st.found;
	c->kind = st.found ? st.first.kind : SS_FAIL_NONE;
	c->unfinished = !st.found && ss_interrupted;
	struct emu *ge = NULL;
	if (!c->found && !c->unfinished && model == WMM_LKMM && o->graph_check &&
	    o->deps != EMU_DEPS_CHECK) {
		int grc = check_graphs(&ec, o, c, &ge, err, errlen);
		if (grc != 0) {
			explore_stats_free(&st);
			emu_destroy(e);
			gexplore_free_emu(ge);
			return grc;
		}
	}
	if (st.found && o->save_dir &&
	    ss_save_failure(o->save_dir, e, &st.first, st.first_sched, st.first_len, c->reproducer,
			    sizeof(c->reproducer), err, errlen) != 0) {
		explore_stats_free(&st);
		emu_destroy(e);
		return -2;
	}
	c->want_found = !o->expect_clean && ss_matrix_expect_found(l->scn, &l->acfg, l->big, model);
	c->unexpected = c->found && !c->want_found;
	c->missed = !c->found && !c->unfinished && c->want_found;
	if (o->deps == EMU_DEPS_CHECK)
		emu_dep_disagreements(e, &c->dep_sites);
	if (obs && obs->cell_done)
		obs->cell_done(obs->ctx, c, ge ? ge : e);
	c->elapsed = now() - c0;
	explore_stats_free(&st);
	emu_destroy(e);
	gexplore_free_emu(ge);
	return 0;
}

static void add_cell(struct ss_matrix_result *res, const struct ss_matrix_cell *c)
{
	res->ncells++;
	res->unexpected += c->unexpected;
	res->missed += c->missed;
	res->dep_sites += c->dep_sites;
}

int ss_matrix_cell_cost(const struct ss_matrix_line *l, enum wmm_model model)
{
	int weight = model == WMM_SC ? 2 : model == WMM_TSO ? 3 : 4;
	int roles = l->scn && l->scn->nroles > 0 ? l->scn->nroles : 2;
	bool stops_early = l->scn && ss_matrix_expect_found(l->scn, &l->acfg, l->big, model);
	return weight * roles * (stops_early ? 1 : 2);
}

struct costed_cell {
	int index, cost;
};

static int by_falling_cost(const void *a, const void *b)
{
	const struct costed_cell *x = a, *y = b;
	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	return x->index - y->index;
}

int ss_matrix_shard_assign(const struct ss_matrix_line *lines, int nlines, int nmodels,
			   const enum wmm_model *models, int nshards, int *shard_of)
{
	if (nshards < 1 || nshards > SS_MATRIX_MAX_SHARDS)
		return -1;
	int n = nlines * nmodels;
	struct costed_cell *cells = calloc((size_t)n + 1, sizeof(*cells));
	long long *load = calloc((size_t)nshards, sizeof(*load));
	if (!cells || !load) {
		free(cells);
		free(load);
		return -1;
	}
	for (int i = 0; i < n; i++)
		cells[i] = (struct costed_cell){
		    i, ss_matrix_cell_cost(&lines[i / nmodels], models[i % nmodels])};
	qsort(cells, (size_t)n, sizeof(*cells), by_falling_cost);
	for (int i = 0; i < n; i++) {
		int least = 0;
		for (int k = 1; k < nshards; k++)
			if (load[k] < load[least])
				least = k;
		load[least] += cells[i].cost;
		shard_of[cells[i].index] = least + 1;
	}
	free(cells);
	free(load);
	return 0;
}

/* The cells of slice o->shard into res->planned; shard_of gets every cell's
 * slice.  Returns 0, or -1 (out of memory). */
static int plan_shard(const struct ss_matrix_line *lines, int nlines,
		      const struct ss_matrix_opts *o, struct ss_matrix_result *res, int *shard_of)
{
	res->total_cells = nlines * o->nmodels;
	res->planned = calloc((size_t)res->total_cells + 1, sizeof(*res->planned));
	if (!res->planned ||
	    ss_matrix_shard_assign(lines, nlines, o->nmodels, o->models, o->nshards, shard_of))
		return -1;
	for (int i = 0; i < res->total_cells; i++)
		if (shard_of[i] == o->shard)
			res->planned[res->nplanned++] = i;
	return 0;
}

/* Runs line i's cells (those of this slice) into res.  Returns as run_cell. */
static int run_line(const struct ss_matrix_line *lines, int i, const struct ss_matrix_opts *o,
		    const struct ss_matrix_observer *obs, const int *shard_of,
		    struct ss_matrix_result *res, char *err, size_t errlen)
{
	for (int m = 0; m < o->nmodels; m++) {
		int index = i * o->nmodels + m;
		if (shard_of && shard_of[index] != o->shard) {
			if (obs && obs->cell_elsewhere)
				obs->cell_elsewhere(obs->ctx, &lines[i], o->models[m],
						    shard_of[index]);
			continue;
		}
		struct ss_matrix_cell *c = &res->cells[res->ncells];
		int rc = run_cell(&lines[i], o->models[m], o, obs, c, err, errlen);
		if (rc)
			return rc;
		c->index = index;
		add_cell(res, c);
		if (ss_interrupted)
			break; /* one unfinished cell, not a line of them */
	}
	return 0;
}

int ss_matrix_run(const struct ss_matrix_line *lines, int nlines, const struct ss_matrix_opts *o,
		  const struct ss_matrix_observer *obs, struct ss_matrix_result *res, char *err,
		  size_t errlen)
{
	memset(res, 0, sizeof(*res));
	size_t total = (size_t)nlines * (size_t)o->nmodels;
	res->cells = calloc(total + 1, sizeof(*res->cells));
	int *shard_of = o->nshards ? calloc(total + 1, sizeof(*shard_of)) : NULL;
	if (!res->cells ||
	    (o->nshards && (!shard_of || plan_shard(lines, nlines, o, res, shard_of)))) {
		free(shard_of);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	double t0 = now();
	int rc = 0;
	for (int i = 0; i < nlines && !ss_interrupted && !rc; i++) {
		if (obs && obs->line_start)
			obs->line_start(obs->ctx, &lines[i]);
		rc = run_line(lines, i, o, obs, shard_of, res, err, errlen);
		if (!rc && obs && obs->line_end)
			obs->line_end(obs->ctx, &lines[i]);
	}
	free(shard_of);
	res->interrupted = ss_interrupted != 0;
	res->elapsed = now() - t0;
	return rc;
}

void ss_matrix_result_free(struct ss_matrix_result *res)
{
	free(res->cells);
	free(res->planned);
	memset(res, 0, sizeof(*res));
}

void ss_matrix_cell_text(const struct ss_matrix_cell *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s",
		 c->found	 ? "Found "
		 : c->unfinished ? "unfinished"
		 : c->proved	 ? "Proved"
				 : "Clean",
		 c->found ? ss_fail_kind_name(c->kind) : "",
		 c->unexpected ? " !"
		 : c->missed   ? " ?"
			       : "");
}

int ss_matrix_exit_status(const struct ss_matrix_result *res, const struct ss_matrix_opts *o)
{
	if (o->deps == EMU_DEPS_CHECK && res->dep_sites)
		return 1;
	return res->unexpected ? 1 : 0;
}

static json_t *cell_json(const struct ss_matrix_cell *c, enum emu_deps deps)
{
	json_t *jc = json_pack("{s:s, s:s, s:b, s:s, s:s, s:I, s:f}", "scenario", c->line->scenario,
			       "variant", c->line->variant, "in_object_128k", c->line->big, "model",
			       wmm_model_name(c->model), "verdict",
			       c->found	       ? "found"
			       : c->unfinished ? "unfinished"
					       : "clean",
			       "executions", (json_int_t)c->executions, "elapsed_s", c->elapsed);
	json_object_set_new(jc, "expected", json_string(c->want_found ? "found" : "clean"));
	json_object_set_new(jc, "unexpected", json_boolean(c->unexpected));
	if (c->proved)
		json_object_set_new(jc, "proved", json_true());
	if (c->found)
		json_object_set_new(jc, "kind", json_string(ss_fail_kind_name(c->kind)));
	if (c->reproducer[0])
		json_object_set_new(jc, "reproducer", json_string(c->reproducer));
	json_object_set_new(jc, "deps", json_string(emu_deps_name(deps)));
	if (deps == EMU_DEPS_CHECK)
		json_object_set_new(jc, "dep_disagreement_sites",
				    json_integer((json_int_t)c->dep_sites));
	return jc;
}

static json_t *params_json(const struct ss_matrix_opts *o)
{
	json_t *pa =
	    json_pack("{s:I, s:f, s:s, s:s, s:s}", "executions", (json_int_t)o->executions,
		      "duration", o->duration, "deps", emu_deps_name(o->deps), "expect",
		      o->expect_clean ? "clean" : "rule", "engine", o->graph ? "graph" : "lkvm");
	if (o->variants)
		json_object_set_new(pa, "variants", json_string(o->variants));
	if (o->scenarios)
		json_object_set_new(pa, "scenarios", json_string(o->scenarios));
	if (o->models_list)
		json_object_set_new(pa, "models", json_string(o->models_list));
	return pa;
}

static json_t *shard_json(const struct ss_matrix_result *res, const struct ss_matrix_opts *o)
{
	json_t *planned = json_array();
	for (int i = 0; i < res->nplanned; i++)
		json_array_append_new(planned, json_integer(res->planned[i]));
	return json_pack("{s:i, s:i, s:i, s:o}", "index", o->shard, "count", o->nshards,
			 "total_cells", res->total_cells, "cells", planned);
}

json_t *ss_matrix_json(const struct ss_matrix_result *res, const struct ss_matrix_opts *o, int argc,
		       char **argv)
{
	json_t *doc = res_doc_new("matrix", argc, argv);
	json_object_set_new(doc, "parameters", params_json(o));
	if (o->nshards)
		json_object_set_new(doc, "shard", shard_json(res, o));
	json_t *cells = json_array();
	for (int i = 0; i < res->ncells; i++)
		json_array_append_new(cells, cell_json(&res->cells[i], o->deps));
	json_object_set_new(doc, "cells", cells);
	json_object_set_new(doc, "interrupted", json_boolean(res->interrupted));
	json_object_set_new(doc, "unexpected_found", json_integer(res->unexpected));
	json_object_set_new(doc, "missed", json_integer(res->missed));
	json_object_set_new(doc, "verdict",
			    json_string(res->unexpected ? "unexpected-found" : "as-expected"));
	json_object_set_new(doc, "executions_per_cell", json_integer((json_int_t)o->executions));
	json_object_set_new(doc, "deps", json_string(emu_deps_name(o->deps)));
	json_object_set_new(doc, "timing", json_pack("{s:f}", "elapsed_s", res->elapsed));
	return doc;
}

/* ---- merging shard documents ---- */

static int merge_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int merge_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *str_field(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* A string member of the parameters into buf; -1 when absent. */
static int param_string(const json_t *pa, const char *key, char *buf, size_t n)
{
	const char *v = str_field(pa, key);
	if (!v || strlen(v) >= n)
		return -1;
	snprintf(buf, n, "%s", v);
	return 0;
}

int ss_matrix_shard_params(const json_t *doc, const char *name, struct ss_matrix_params *p,
			   char *err, size_t errlen)
{
	char schema[64];
	snprintf(schema, sizeof(schema), "slabstress-matrix/%d", SS_SCHEMA_VERSION);
	const char *got = str_field(doc, "schema");
	if (!json_is_object(doc) || !got || strcmp(got, schema))
		return merge_error(err, errlen,
				   "%s: not a matrix shard: field 'schema' is '%s', expected '%s'",
				   name, got ? got : "(none)", schema);
	if (!json_is_object(json_object_get(doc, "shard")))
		return merge_error(err, errlen,
				   "%s: not a matrix shard: no field 'shard' (written by matrix "
				   "--shard I/N --json FILE)",
				   name);
	const char *version = str_field(doc, "version");
	if (!version || strcmp(version, SS_VERSION))
		return merge_error(err, errlen,
				   "%s: field 'version' is '%s' where this slabstress is '%s': "
				   "merge with the version that ran the shards",
				   name, version ? version : "(none)", SS_VERSION);
	memset(p, 0, sizeof(*p));
	const json_t *pa = json_object_get(doc, "parameters");
	static const char *const keys[] = {"variants", "scenarios", "models", "deps", "expect"};
	char deps[32], expect[16];
	char *bufs[] = {p->variants, p->scenarios, p->models, deps, expect};
	size_t sizes[] = {sizeof(p->variants), sizeof(p->scenarios), sizeof(p->models),
			  sizeof(deps), sizeof(expect)};
	for (int i = 0; i < 5; i++)
		if (param_string(pa, keys[i], bufs[i], sizes[i]))
			return merge_error(err, errlen,
					   "%s: not a matrix shard: field 'parameters.%s' missing",
					   name, keys[i]);
	const json_t *ex = json_object_get(pa, "executions"), *du = json_object_get(pa, "duration");
	if (!json_is_integer(ex) || !json_is_number(du))
		return merge_error(err, errlen,
				   "%s: not a matrix shard: field 'parameters.executions' or "
				   "'parameters.duration' missing",
				   name);
	p->executions = (unsigned long long)json_integer_value(ex);
	p->duration = json_number_value(du);
	p->deps = !strcmp(deps, "provenance") ? EMU_DEPS_PROVENANCE
		  : !strcmp(deps, "check")    ? EMU_DEPS_CHECK
					      : EMU_DEPS_EXPLICIT;
	p->expect_clean = !strcmp(expect, "clean");
	return 0;
}

/* Where shard document b differs from a (first) in version or parameters: the
 * field's name, or NULL. */
static const char *differing_field(const json_t *a, const json_t *b)
{
	static const char *const top[] = {"tool", "version", "schema"};
	for (int i = 0; i < 3; i++)
		if (!json_equal(json_object_get(a, top[i]), json_object_get(b, top[i])))
			return top[i];
	static const char *const pars[] = {"parameters.variants", "parameters.scenarios",
					   "parameters.models",	  "parameters.executions",
					   "parameters.duration", "parameters.deps",
					   "parameters.expect"};
	const json_t *pa = json_object_get(a, "parameters"), *pb = json_object_get(b, "parameters");
	for (int i = 0; i < 7; i++)
		if (!json_equal(json_object_get(pa, pars[i] + 11),
				json_object_get(pb, pars[i] + 11)))
			return pars[i];
	if (!json_equal(json_object_get(json_object_get(a, "shard"), "count"),
			json_object_get(json_object_get(b, "shard"), "count")))
		return "shard.count";
	return NULL;
}

/* The value of field (dotted) in doc, printed for a message. */
static void field_text(const json_t *doc, const char *field, char *buf, size_t n)
{
	const char *dot = strchr(field, '.');
	const json_t *v = json_object_get(doc, field);
	if (dot) {
		char outer[16];
		snprintf(outer, sizeof(outer), "%.*s", (int)(dot - field), field);
		v = json_object_get(json_object_get(doc, outer), dot + 1);
	}
	char *t = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
	snprintf(buf, n, "%s", t ? t : "(none)");
	free(t);
}

/* Checks every document against the first and that each shard 1..N comes once;
 * order[k] = the document of shard k+1 (order holds SS_MATRIX_MAX_SHARDS). */
static int check_shard_set(json_t *const *docs, const char *const *names, int ndocs, int *order,
			   char *err, size_t errlen)
{
	json_int_t count =
	    json_integer_value(json_object_get(json_object_get(docs[0], "shard"), "count"));
	if (count < 1 || count > SS_MATRIX_MAX_SHARDS)
		return merge_error(err, errlen, "%s: field 'shard.count' is %lld, expected 1..%d",
				   names[0], (long long)count, SS_MATRIX_MAX_SHARDS);
	for (int k = 0; k < count; k++)
		order[k] = -1;
	for (int i = 0; i < ndocs; i++) {
		const char *f = differing_field(docs[0], docs[i]);
		if (f) {
			char va[128], vb[128];
			field_text(docs[i], f, vb, sizeof(vb));
			field_text(docs[0], f, va, sizeof(va));
			return merge_error(err, errlen,
					   "%s: field '%s' is %s where %s has %s: shards of "
					   "different runs",
					   names[i], f, vb, names[0], va);
		}
		json_int_t idx =
		    json_integer_value(json_object_get(json_object_get(docs[i], "shard"), "index"));
		if (idx < 1 || idx > count)
			return merge_error(err, errlen,
					   "%s: field 'shard.index' is %lld, expected 1..%lld",
					   names[i], (long long)idx, (long long)count);
		if (order[idx - 1] >= 0)
			return merge_error(err, errlen,
					   "%s: field 'shard.index': shard %lld/%lld again (%s "
					   "has it): a duplicate shard",
					   names[i], (long long)idx, (long long)count,
					   names[order[idx - 1]]);
		order[idx - 1] = i;
	}
	for (int k = 0; k < count; k++)
		if (order[k] < 0)
			return merge_error(err, errlen,
					   "%s: field 'shard.count' is %lld but shard %d/%lld is "
					   "missing",
					   names[0], (long long)count, k + 1, (long long)count);
	return 0;
}

/* Cell j of a shard document into c (table cell index of line l). */
static int cell_from_json(const json_t *jc, const struct ss_matrix_line *l, enum wmm_model model,
			  int index, const struct ss_matrix_opts *o, struct ss_matrix_cell *c)
{
	const char *scn = str_field(jc, "scenario"), *var = str_field(jc, "variant");
	const char *mod = str_field(jc, "model"), *verdict = str_field(jc, "verdict");
	if (!scn || !var || !mod || !verdict || strcmp(scn, l->scenario) ||
	    strcmp(var, l->variant) || strcmp(mod, wmm_model_name(model)) ||
	    json_is_true(json_object_get(jc, "in_object_128k")) != l->big)
		return -1;
	memset(c, 0, sizeof(*c));
	c->line = l;
	c->index = index;
	c->model = model;
	c->found = !strcmp(verdict, "found");
	c->unfinished = !strcmp(verdict, "unfinished");
	c->proved = json_is_true(json_object_get(jc, "proved"));
	c->kind = c->found
		      ? ss_fail_kind_from_name(str_field(jc, "kind") ? str_field(jc, "kind") : "")
		      : SS_FAIL_NONE;
	c->executions = (unsigned long long)json_integer_value(json_object_get(jc, "executions"));
	c->elapsed = json_number_value(json_object_get(jc, "elapsed_s"));
	const char *rep = str_field(jc, "reproducer");
	snprintf(c->reproducer, sizeof(c->reproducer), "%s", rep ? rep : "");
	c->dep_sites = (size_t)json_integer_value(json_object_get(jc, "dep_disagreement_sites"));
	c->want_found = !o->expect_clean && ss_matrix_expect_found(l->scn, &l->acfg, l->big, model);
	c->unexpected = c->found && !c->want_found;
	c->missed = !c->found && !c->unfinished && c->want_found;
	return 0;
}

/* The cells of one shard document into table (indexed by cell number), checked
 * against the slice shard_of gives it. */
static int take_shard_cells(const json_t *doc, const char *name, const struct ss_matrix_line *lines,
			    const struct ss_matrix_opts *o, const int *shard_of,
			    struct ss_matrix_cell *table, bool *have, char *err, size_t errlen)
{
	const json_t *sh = json_object_get(doc, "shard"), *planned = json_object_get(sh, "cells");
	int index = (int)json_integer_value(json_object_get(sh, "index"));
	int total = (int)json_integer_value(json_object_get(sh, "total_cells"));
	int nlines_cells = (int)(json_array_size(planned));
	int want = 0, k = 0;
	for (int i = 0; i < total; i++)
		want += shard_of[i] == index;
	bool same = json_is_array(planned) && nlines_cells == want;
	for (int i = 0; same && i < total; i++)
		if (shard_of[i] == index)
			same = json_integer_value(json_array_get(planned, (size_t)k++)) == i;
	if (!same)
		return merge_error(err, errlen,
				   "%s: field 'shard.cells' is not slice %d of these parameters",
				   name, index);
	const json_t *cells = json_object_get(doc, "cells");
	size_t n = json_array_size(cells);
	if (!json_is_array(cells) || n > (size_t)want ||
	    (n < (size_t)want && !json_is_true(json_object_get(doc, "interrupted"))))
		return merge_error(err, errlen,
				   "%s: field 'cells' holds %zu of the slice's %d cells and the "
				   "shard was not interrupted",
				   name, n, want);
	for (size_t j = 0; j < n; j++) {
		int ci = (int)json_integer_value(json_array_get(planned, j));
		if (cell_from_json(json_array_get(cells, j), &lines[ci / o->nmodels],
				   o->models[ci % o->nmodels], ci, o, &table[ci]))
			return merge_error(err, errlen,
					   "%s: field 'cells[%zu]' is not cell %d of the table "
					   "(scenario, variant, model)",
					   name, j, ci);
		have[ci] = true;
	}
	return 0;
}

/* Fills res from the cells the shards held; the rest are unfinished. */
static void fill_result(struct ss_matrix_result *res, const struct ss_matrix_line *lines,
			const struct ss_matrix_opts *o, int total, struct ss_matrix_cell *table,
			const bool *have)
{
	for (int i = 0; i < total; i++) {
		if (!have[i]) {
			memset(&table[i], 0, sizeof(table[i]));
			table[i].line = &lines[i / o->nmodels];
			table[i].model = o->models[i % o->nmodels];
			table[i].index = i;
			table[i].unfinished = true;
			table[i].want_found =
			    !o->expect_clean &&
			    ss_matrix_expect_found(table[i].line->scn, &table[i].line->acfg,
						   table[i].line->big, table[i].model);
			res->interrupted = true;
		}
		add_cell(res, &table[i]);
	}
}

int ss_matrix_merge(json_t *const *docs, const char *const *names, int ndocs,
		    const struct ss_matrix_line *lines, int nlines, const struct ss_matrix_opts *o,
		    struct ss_matrix_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	int total = nlines * o->nmodels;
	res->cells = calloc((size_t)total + 1, sizeof(*res->cells));
	int *order = calloc(SS_MATRIX_MAX_SHARDS + 1, sizeof(*order));
	int *shard_of = calloc((size_t)total + 1, sizeof(*shard_of));
	bool *have = calloc((size_t)total + 1, sizeof(*have));
	int rc = !res->cells || !order || !shard_of || !have
		     ? merge_error(err, errlen, "out of memory")
		     : check_shard_set(docs, names, ndocs, order, err, errlen);
	int count = rc ? 0 : ndocs;
	for (int i = 0; !rc && i < ndocs; i++) {
		const json_t *sh = json_object_get(docs[i], "shard");
		if (json_integer_value(json_object_get(sh, "total_cells")) != total)
			rc = merge_error(
			    err, errlen, "%s: field 'shard.total_cells' is %lld, expected %d",
			    names[i],
			    (long long)json_integer_value(json_object_get(sh, "total_cells")),
			    total);
	}
	if (!rc && ss_matrix_shard_assign(lines, nlines, o->nmodels, o->models, count, shard_of))
		rc = merge_error(err, errlen, "out of memory");
	for (int k = 0; !rc && k < count; k++)
		rc = take_shard_cells(docs[order[k]], names[order[k]], lines, o, shard_of,
				      res->cells, have, err, errlen);
	if (!rc) {
		fill_result(res, lines, o, total, res->cells, have);
		for (int i = 0; i < ndocs; i++) {
			res->interrupted |= json_is_true(json_object_get(docs[i], "interrupted"));
			res->elapsed += json_number_value(
			    json_object_get(json_object_get(docs[i], "timing"), "elapsed_s"));
		}
	}
	free(order);
	free(shard_of);
	free(have);
	return rc;
}
