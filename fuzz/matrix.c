/* fuzz/matrix.c - the verdict table: one bounded search per cell (random, then
 * pct), the expectation rule, and the table's JSON document (fuzz/matrix.h). */
#include "fuzz/matrix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/explore.h"
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
	return scn->handoff == SS_HANDOFF_ALLOCATOR && acfg->variant == SS_VARIANT_RC1;
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
	struct emu *e = emu_create(&ec, err, errlen);
	if (!e)
		return -1;
	ss_emu_name_regions(e);
	memset(c, 0, sizeof(*c));
	c->line = l;
	c->model = model;
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
		obs->cell_done(obs->ctx, c, e);
	c->elapsed = now() - c0;
	explore_stats_free(&st);
	emu_destroy(e);
	return 0;
}

static void add_cell(struct ss_matrix_result *res, const struct ss_matrix_cell *c)
{
	res->ncells++;
	res->unexpected += c->unexpected;
	res->missed += c->missed;
	res->dep_sites += c->dep_sites;
}

int ss_matrix_run(const struct ss_matrix_line *lines, int nlines, const struct ss_matrix_opts *o,
		  const struct ss_matrix_observer *obs, struct ss_matrix_result *res, char *err,
		  size_t errlen)
{
	memset(res, 0, sizeof(*res));
	res->cells = calloc((size_t)nlines * (size_t)o->nmodels + 1, sizeof(*res->cells));
	if (!res->cells) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	double t0 = now();
	int rc = 0;
	for (int i = 0; i < nlines && !ss_interrupted && !rc; i++) {
		if (obs && obs->line_start)
			obs->line_start(obs->ctx, &lines[i]);
		for (int m = 0; m < o->nmodels && !rc; m++) {
			struct ss_matrix_cell *c = &res->cells[res->ncells];
			rc = run_cell(&lines[i], o->models[m], o, obs, c, err, errlen);
			if (rc)
				break;
			add_cell(res, c);
			if (ss_interrupted)
				break; /* one unfinished cell, not a line of them */
		}
		if (!rc && obs && obs->line_end)
			obs->line_end(obs->ctx, &lines[i]);
	}
	res->interrupted = ss_interrupted != 0;
	res->elapsed = now() - t0;
	return rc;
}

void ss_matrix_result_free(struct ss_matrix_result *res)
{
	free(res->cells);
	memset(res, 0, sizeof(*res));
}

void ss_matrix_cell_text(const struct ss_matrix_cell *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s",
		 c->found	 ? "Found "
		 : c->unfinished ? "unfinished"
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

json_t *ss_matrix_json(const struct ss_matrix_result *res, const struct ss_matrix_opts *o, int argc,
		       char **argv)
{
	json_t *doc = res_doc_new("matrix", argc, argv);
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
