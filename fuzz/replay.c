/* fuzz/replay.c - re-running a reproducer and its result document
 * (fuzz/replay.h). */
#include "fuzz/replay.h"
#include "engine/gexplore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/minimize.h"
#include "fuzz/repro_emu.h"
#include "results/replay_doc.h"

int ss_replay_open(struct ss_replay *p, const char *path, const char *model, int deps, char *err,
		   size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	if (ss_repro_load(&p->r, path, err, errlen) != 0)
		return SS_REPLAY_BAD_FILE;
	char why[400];
	if (ss_emu_config_from_repro(&p->ec, &p->r, model, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return SS_REPLAY_BAD_FILE;
	}
	if (deps >= 0)
		p->ec.deps = (enum emu_deps)deps;
	p->ec.track_deps = true; /* one execution: its trace and race tests carry them */
	p->graph = !strcmp(p->r.engine, "graph");
	if (p->graph) /* the graph engine makes its emulator when it runs */
		return 0;
	p->e = emu_create(&p->ec, err, errlen);
	if (!p->e)
		return SS_REPLAY_INTERNAL;
	ss_emu_name_regions(p->e);
	return 0;
}

static void race_verdict(struct ss_replay *p);

/* The races of the replayed execution; the first one as its failure when it
 * counts as one. */
static int replay_races(struct ss_replay *p, char *err, size_t errlen)
{
	if (ss_races_check(&p->ec, emu_races(p->e), p->judge, &p->race_list, err, errlen) != 0)
		return -1;
	race_verdict(p);
	return 0;
}

/* The replayed graph's races (decided on the graph itself), as replay_races'
 * findings, each carrying the reproducer's graph. */
static int replay_graph_races(struct ss_replay *p, char *err, size_t errlen)
{
	struct race_access pairs[16][2];
	int n = gexplore_replay_races(p->e, pairs, 16);
	struct ss_races *r = &p->race_list;
	memset(r, 0, sizeof(*r));
	r->graph = true;
	r->candidates = 1;
	if (n < 0) {
		r->skipped = 1;
		snprintf(r->skip_why, sizeof(r->skip_why),
			 "more events than the model's check takes");
		n = 0;
	}
	r->v = calloc(n ? (size_t)n : 1, sizeof(*r->v));
	if (!r->v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct ss_race_finding *fd = &r->v[r->n];
		fd->sched = malloc(p->r.schedule_len ? p->r.schedule_len : 1);
		if (!fd->sched)
			break;
		memcpy(fd->sched, p->r.schedule, p->r.schedule_len);
		fd->len = p->r.schedule_len;
		fd->a = pairs[i][0];
		fd->b = pairs[i][1];
		r->n++;
	}
	race_verdict(p);
	return 0;
}

/* The races found become the replay's failure when they count as one. */
static void race_verdict(struct ss_replay *p)
{
	p->races_checked = true;
	bool counts = p->races == SS_RACES_FAIL ||
		      (p->races == SS_RACES_REPORT && p->r.kind == SS_FAIL_DATA_RACE);
	/* a race reproducer replays to its race, whatever else the execution hit */
	bool saved_race = p->r.kind == SS_FAIL_DATA_RACE;
	if (counts && (!p->res.kind || saved_race) && p->race_list.n) {
		ss_race_failure(&p->race_list.v[0], &p->res.fail);
		p->res.kind = SS_FAIL_DATA_RACE;
		p->res.nfail = 1;
	}
}

/* A graph reproducer: its graph re-created, then checked under the model. */
static int replay_graph(struct ss_replay *p, char *err, size_t errlen)
{
	bool consistent;
	char why[300];
	int rc = gexplore_replay(&p->ec, p->r.schedule, p->r.schedule_len, &p->res, &consistent,
				 &p->e, why, sizeof(why));
	if (rc == -2) {
		snprintf(err, errlen, "%s: %s", p->path, why);
		return SS_REPLAY_BAD_FILE;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	ss_emu_name_regions(p->e);
	p->graph_consistent = consistent;
	if (!consistent) /* the model does not allow this execution: no failure under it */
		p->res.kind = SS_FAIL_NONE;
	else if (p->races != SS_RACES_IGNORE && replay_graph_races(p, err, errlen) != 0)
		return -1;
	p->same = consistent && ss_repro_matches(&p->r, &p->res);
	return 0;
}

int ss_replay_run(struct ss_replay *p, char *err, size_t errlen)
{
	if (p->graph)
		return replay_graph(p, err, errlen);
	emu_set_trace(p->e, true);
	bool races = p->races != SS_RACES_IGNORE && p->judge;
	if (races && emu_set_races(p->e, true) != 0) {
		snprintf(err, errlen, "out of memory for the race log");
		return -1;
	}
	if (emu_execute(p->e, p->r.schedule, p->r.schedule_len, &p->res) != 0) {
		snprintf(err, errlen, "%s", p->res.internal_msg);
		return -1;
	}
	if (races && replay_races(p, err, errlen) != 0)
		return -1;
	p->same = ss_repro_matches(&p->r, &p->res);
	return 0;
}

bool ss_replay_explain(struct ss_replay *p, unsigned long search)
{
	char err[512];
	if (p->graph) {
		p->attributed = p->res.kind && p->res.kind != SS_FAIL_DATA_RACE &&
				ss_attribute_graph(&p->ec, p->r.schedule, p->r.schedule_len,
						   p->res.kind, 0, &p->at, err, sizeof(err)) == 0;
		return p->attributed;
	}
	p->attributed = p->res.kind && p->res.kind != SS_FAIL_DATA_RACE &&
			ss_attribute(&p->ec, p->r.schedule, p->r.schedule_len, p->res.kind, search,
				     &p->at, err, sizeof(err)) == 0;
	return p->attributed;
}

void ss_replay_close(struct ss_replay *p)
{
	if (p->e && p->graph)
		gexplore_free_emu(p->e);
	else if (p->e)
		emu_destroy(p->e);
	p->e = NULL;
	ss_repro_free(&p->r);
	ss_races_free(&p->race_list);
}

int ss_replay_minimize(struct ss_replay *p, unsigned long max_execs, struct ss_repro *m, char *err,
		       size_t errlen)
{
	const struct ss_repro *r = &p->r;
	int f = ss_schedule_fails(p->e, r->schedule, r->schedule_len, r->kind, r->file, r->line);
	if (f != 1)
		return f < 0 ? SS_REPLAY_CHECK_ERROR : SS_REPLAY_NOT_FAILING;
	u8 *out;
	size_t olen;
	if (ss_minimize_schedule(p->e, r->schedule, r->schedule_len, r->kind, r->file, r->line,
				 max_execs, &out, &olen) != 0) {
		snprintf(err, errlen, "minimization failed");
		return SS_REPLAY_INTERNAL;
	}
	struct emu_result res;
	emu_execute(p->e, out, olen, &res);
	int rc = ss_repro_from_emu(m, p->e, &res, out, olen);
	free(out);
	if (rc != 0) {
		snprintf(err, errlen, "out of memory");
		return SS_REPLAY_INTERNAL;
	}
	return 0;
}

struct trace_json {
	const struct emu *e;
	json_t *arr;
};

static void add_stale(json_t *o, const struct emu *e, const struct emu_trace_ent *t, size_t i)
{
	size_t n;
	char v[64];
	long m = emu_trace_missed(e, i), p = emu_trace_newer_po(e, i);
	json_object_set_new(
	    o, "stale",
	    json_pack("{s:s, s:i, s:i, s:i}", "missed_value",
		      emu_name_value(e, t->newest_val, v, sizeof(v)), "missed_cpu", t->newest_cpu,
		      "missed_step", m >= 0 ? (int)emu_trace(e, &n)[m].step : -1,
		      "reordered_with_step", p >= 0 ? (int)emu_trace(e, &n)[p].step : -1));
}

static void add_entry(void *ctx, size_t i)
{
	struct trace_json *j = ctx;
	size_t n;
	const struct emu_trace_ent *t = &emu_trace(j->e, &n)[i];
	static const char *const ops[] = {"load",  "store", "rmw",     "cmpxchg128",
					  "fence", "lock",  "trylock", "unlock",
					  "relax", "block", "rcu"};
	char text[512], v[64];
	emu_trace_cell(j->e, t, text, sizeof(text));
	json_t *o = json_pack("{s:i, s:i, s:s, s:s, s:s, s:i}", "step", (int)t->step, "cpu", t->cpu,
			      "op", t->op < 11 ? ops[t->op] : "?", "text", text, "file",
			      t->site && t->site->file ? t->site->file : "?", "line",
			      t->site ? t->site->line : 0);
	if (t->op == EMU_OP_LOAD || t->op == EMU_OP_STORE || t->op == EMU_OP_RMW) {
		json_object_set_new(o, "location", json_string(emu_site_expr(t->site)));
		json_object_set_new(o, "value",
				    json_string(emu_name_value(j->e, t->val, v, sizeof(v))));
	}
	if (t->flags & EMU_TR_STALE)
		add_stale(o, j->e, t, i);
	json_array_append_new(j->arr, o);
}

json_t *ss_replay_trace_json(const struct ss_replay *p, bool full)
{
	struct trace_json j = {p->e, json_array()};
	emu_trace_select(p->e, &p->res, full, add_entry, &j);
	return j.arr;
}

static json_t *failure_json(const struct ss_replay *p)
{
	const struct emu_result *res = &p->res;
	char msg[300];
	emu_name_message(p->e, res->fail.msg, msg, sizeof(msg));
	return json_pack("{s:s, s:i, s:s, s:i, s:s, s:I, s:s}", "kind",
			 ss_fail_kind_name(res->kind), "cpu", res->fail.cpu, "file",
			 res->fail.site ? res->fail.site->file : "?", "line",
			 res->fail.site ? res->fail.site->line : 0, "func",
			 res->fail.site && res->fail.site->func ? res->fail.site->func : "?",
			 "step", (json_int_t)res->fail_step, "message", msg);
}

/* How a candidate fix was checked, for the JSON. */
static const char *fix_checked_by(const struct ss_attribution *at, const struct ss_attr_fix *x)
{
	if (at->graph || x->by_graph)
		return x->fixes	   ? "every execution graph (a proof)"
		       : x->failed ? "a failing execution graph of the fixed code"
				   : "graph search not finished (unknown)";
	return x->exhaustive ? "exhaustive within bounds" : "bounded random + pct search";
}

static json_t *attribution_json(const struct ss_attribution *at)
{
	json_t *fx = json_array();
	for (int i = 0; i < at->nfix; i++)
		json_array_append_new(fx, json_pack("{s:s, s:b, s:s, s:I}", "fence",
						    at->fix[i].what, "fixes", at->fix[i].fixes,
						    "checked_by", fix_checked_by(at, &at->fix[i]),
						    "executions", (json_int_t)at->fix[i].execs));
	return json_pack("{s:b, s:b, s:b, s:s, s:o, s:s?}", "fails_sc", at->fails[0], "fails_tso",
			 at->fails[1], "fails_lkmm", at->fails[2], "verdict", at->verdict,
			 "candidate_fixes", fx, "suggested_fix",
			 at->best >= 0 ? at->fix[at->best].what : NULL);
}

json_t *ss_replay_json(const struct ss_replay *p, bool full, int argc, char **argv)
{
	const struct ss_repro *r = &p->r;
	char saved[400];
	res_replay_saved_failure(saved, sizeof(saved), ss_fail_kind_name(r->kind), r->file, r->line,
				 r->func);
	struct res_replay_info in = {
	    .reproducer = p->path,
	    .scenario = r->scenario,
	    .variant = ss_variant_name(r->acfg.variant),
	    .model = wmm_model_name(p->ec.model),
	    .saved_model = r->model,
	    .deps = emu_deps_name(p->ec.deps),
	    .saved_deps = r->deps,
	    .deps_checked = p->ec.deps == EMU_DEPS_CHECK,
	    .dep_disagreements = p->res.dep_disagreements,
	    .schedule_bytes = r->schedule_len,
	    .saved_failure = saved,
	    .matches_saved = p->same,
	    .failed = p->res.kind != SS_FAIL_NONE,
	    .failure = p->res.kind ? failure_json(p) : NULL,
	};
	in.trace = ss_replay_trace_json(p, full);
	in.attribution = p->attributed ? attribution_json(&p->at) : NULL;
	json_t *doc = res_replay_doc(&in, argc, argv);
	json_object_set_new(doc, "races", json_string(ss_races_name(p->races)));
	json_object_set_new(doc, "emu_engine", json_string(p->graph ? "graph" : "lkvm"));
	if (p->graph)
		json_object_set_new(doc, "graph_consistent", json_boolean(p->graph_consistent));
	if (p->races_checked)
		json_object_set_new(doc, "data_races", ss_races_json(&p->race_list));
	return doc;
}
