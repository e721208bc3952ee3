/* cmd/replay.c - `slabstress replay`: re-run a saved failing schedule
 * (reproducer file) byte for byte, show its interleaving one column per CPU,
 * say whether the saved failure happened again, explain which reordering it
 * needs (--model to try another model), or export it as a C-litmus test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/emu.h"
#include "fuzz/attribute.h"
#include "fuzz/litmus_export.h"
#include "fuzz/minimize.h"
#include "fuzz/repro_emu.h"
#include "results/json.h"
#include "results/repro.h"

enum { OPT_MODEL = 0x2100, OPT_FORMAT, OPT_FULL, OPT_LITMUS, OPT_NO_EXPLAIN, OPT_DEPS };

struct replay_cli {
	const char *file, *model, *format;
	int full, litmus, no_explain;
	int deps; /* -1: the reproducer's */
};

static const struct argp_option options[] = {
    {"model", OPT_MODEL, "M", 0,
     "replay under memory model M instead of the saved one: sc, tso, lkmm (default: the "
     "reproducer's)",
     0},
    {"deps", OPT_DEPS, "MODE", 0,
     "dependency mode: explicit, provenance or check (default: the reproducer's; files "
     "without one: provenance)",
     0},
    {"format", OPT_FORMAT, "F", 0, "output format: text or json (default: text)", 0},
    {"full", OPT_FULL, 0, 0, "show every step (default: only the accesses that matter)", 0},
    {"litmus", OPT_LITMUS, 0, 0,
     "print the failing interleaving's shared accesses as a C-litmus test for herd7 / "
     "`slabstress litmus` instead of the trace (default: off)",
     0},
    {"no-explain", OPT_NO_EXPLAIN, 0, 0,
     "skip the attribution (sc/tso/lkmm re-runs and candidate barriers) (default: explain "
     "a failure)",
     0},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct replay_cli *o = state->input;
	switch (key) {
	case OPT_MODEL: o->model = arg; break;
	case OPT_DEPS: o->deps = cli_parse_deps(arg); break;
	case OPT_FORMAT:
		if (strcmp(arg, "text") && strcmp(arg, "json"))
			cli_usage_error("unknown --format '%s': expected text or json", arg);
		o->format = arg;
		break;
	case OPT_FULL: o->full = 1; break;
	case OPT_LITMUS: o->litmus = 1; break;
	case OPT_NO_EXPLAIN: o->no_explain = 1; break;
	case ARGP_KEY_ARG:
		if (o->file)
			cli_usage_error("replay: unexpected second argument '%s' (one reproducer)",
					arg);
		o->file = arg;
		break;
	case ARGP_KEY_END:
		if (!o->file)
			cli_usage_error("replay: no reproducer file given");
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Re-run a reproducer saved by `explore --save` (or `minimize`) byte for byte on this "
    "host and print its interleaving, one column per CPU: only the accesses that matter "
    "(stale loads with the store they missed, the reordered pair, fences, the failing "
    "CPU's last accesses) unless --full.  Addresses are printed relative to the world's "
    "regions (&page[0].obj[1], &vec[0].ext[1]), so the output is the same on every run "
    "and host.  Then it says which reordering the failure needs and which single barrier "
    "removes it.\v"
    "Usage:\n"
    "  slabstress replay FILE [--model sc|tso|lkmm] [--format text|json] [--full] [--litmus]\n\n"
    "Examples:\n"
    "  slabstress replay found/lazy-objexts-rc1-lkmm-wrong-metadata-1a2b3c4d.json\n"
    "  slabstress replay found/X.json --model tso     # does it still fail on x86?\n"
    "  slabstress replay small.json --litmus > bug.litmus && slabstress litmus bug.litmus\n\n"
    "Exit status: 0 the replay is clean, 1 it fails, 2 bad or corrupt reproducer, 3 "
    "internal error.  With --litmus: 0 the test was written, 2 the reproducer does not fail "
    "under the model (nothing to export).";

struct jctx {
	const struct emu *e;
	json_t *arr;
};

static void add_json_ent(void *ctx, size_t i)
{
	struct jctx *j = ctx;
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
	if (t->flags & EMU_TR_STALE) {
		long m = emu_trace_missed(j->e, i), p = emu_trace_newer_po(j->e, i);
		json_object_set_new(o, "stale",
				    json_pack("{s:s, s:i, s:i, s:i}", "missed_value",
					      emu_name_value(j->e, t->newest_val, v, sizeof(v)),
					      "missed_cpu", t->newest_cpu, "missed_step",
					      m >= 0 ? (int)emu_trace(j->e, &n)[m].step : -1,
					      "reordered_with_step",
					      p >= 0 ? (int)emu_trace(j->e, &n)[p].step : -1));
	}
	json_array_append_new(j->arr, o);
}

int cmd_replay(int argc, char **argv)
{
	struct replay_cli o;
	memset(&o, 0, sizeof(o));
	o.deps = -1;
	struct argp argp = {options, parse, "FILE", doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	bool json = o.format && !strcmp(o.format, "json");

	struct ss_repro r;
	char err[512];
	if (ss_repro_load(&r, o.file, err, sizeof(err)) != 0) {
		fprintf(stderr, "slabstress: %s\n", err);
		return SS_EXIT_USAGE;
	}
	struct emu_config ec;
	if (ss_emu_config_from_repro(&ec, &r, o.model, err, sizeof(err)) != 0) {
		ss_repro_free(&r);
		cli_usage_error("%s: %s", o.file, err);
	}
	if (o.deps >= 0)
		ec.deps = (enum emu_deps)o.deps;
	const char *deps = emu_deps_name(ec.deps);
	struct emu *e = emu_create(&ec, err, sizeof(err));
	if (!e) {
		ss_repro_free(&r);
		cli_internal_error("%s", err);
	}
	ss_emu_name_regions(e);
	emu_set_trace(e, true);
	struct emu_result res;
	if (emu_execute(e, r.schedule, r.schedule_len, &res) != 0) {
		fprintf(stderr, "slabstress: internal error: %s\n", res.internal_msg);
		emu_destroy(e);
		ss_repro_free(&r);
		return SS_EXIT_INTERNAL;
	}
	bool same = ss_repro_matches(&r, &res);
	const char *model = wmm_model_name(ec.model);
	int ret = res.kind ? SS_EXIT_FOUND : SS_EXIT_CLEAN;

	if (o.litmus) {
		/* An export: 0 when the test was written, so that
		 * `replay X --litmus > f && slabstress litmus f` reaches its second step. */
		ret = SS_EXIT_CLEAN;
		if (!res.kind) {
			fprintf(stderr,
				"slabstress: %s does not fail under %s: nothing to export\n",
				o.file, model);
			ret = SS_EXIT_USAGE;
		} else if (ss_litmus_export(stdout, e, &res, o.file, err, sizeof(err)) != 0) {
			fprintf(stderr, "slabstress: cannot export a litmus test: %s\n", err);
			ret = SS_EXIT_INTERNAL;
		}
		emu_destroy(e);
		ss_repro_free(&r);
		return ret;
	}

	struct ss_attribution at;
	bool explain = res.kind && !o.no_explain;
	if (explain) {
		/* attribution runs its own emulators; the trace of e stays */
		if (ss_attribute(&ec, r.schedule, r.schedule_len, res.kind, 0, &at, err,
				 sizeof(err)) != 0)
			explain = false;
	}
	char saved[400];
	snprintf(saved, sizeof(saved), "%s at %s:%d (%s)", ss_fail_kind_name(r.kind), r.file,
		 r.line, r.func);
	const char *match = same       ? "matches the saved failure"
			    : res.kind ? "a DIFFERENT failure than the saved one"
				       : "clean: the saved failure did not happen";

	if (json) {
		json_t *doc = res_doc_new("replay", cli_argc, cli_argv);
		json_object_set_new(doc, "reproducer", json_string(o.file));
		json_object_set_new(doc, "scenario", json_string(r.scenario));
		json_object_set_new(doc, "variant", json_string(ss_variant_name(r.acfg.variant)));
		json_object_set_new(doc, "model", json_string(model));
		json_object_set_new(doc, "saved_model", json_string(r.model));
		/* the dependency mode the verdict rests on */
		json_object_set_new(doc, "deps", json_string(deps));
		json_object_set_new(doc, "saved_deps", json_string(r.deps));
		if (ec.deps == EMU_DEPS_CHECK)
			json_object_set_new(doc, "dep_disagreements",
					    json_integer((json_int_t)res.dep_disagreements));
		json_object_set_new(doc, "schedule_bytes",
				    json_integer((json_int_t)r.schedule_len));
		json_object_set_new(doc, "saved_failure", json_string(saved));
		json_object_set_new(doc, "matches_saved", json_boolean(same));
		json_object_set_new(doc, "verdict", json_string(res.kind ? "failed" : "clean"));
		if (res.kind) {
			char msg[300];
			emu_name_message(e, res.fail.msg, msg, sizeof(msg));
			json_t *ff = json_pack(
			    "{s:s, s:i, s:s, s:i, s:s, s:I, s:s}", "kind",
			    ss_fail_kind_name(res.kind), "cpu", res.fail.cpu, "file",
			    res.fail.site ? res.fail.site->file : "?", "line",
			    res.fail.site ? res.fail.site->line : 0, "func",
			    res.fail.site && res.fail.site->func ? res.fail.site->func : "?",
			    "step", (json_int_t)res.fail_step, "message", msg);
			json_object_set_new(doc, "failure", ff);
		}
		struct jctx j = {e, json_array()};
		emu_trace_select(e, &res, o.full, add_json_ent, &j);
		json_object_set_new(doc, "trace", j.arr);
		if (explain) {
			json_t *fx = json_array();
			for (int i = 0; i < at.nfix; i++)
				json_array_append_new(
				    fx,
				    json_pack("{s:s, s:b, s:s, s:I}", "fence", at.fix[i].what,
					      "fixes", at.fix[i].fixes, "checked_by",
					      at.fix[i].exhaustive ? "exhaustive within bounds"
								   : "bounded random + pct search",
					      "executions", (json_int_t)at.fix[i].execs));
			json_object_set_new(
			    doc, "attribution",
			    json_pack("{s:b, s:b, s:b, s:s, s:o, s:s?}", "fails_sc", at.fails[0],
				      "fails_tso", at.fails[1], "fails_lkmm", at.fails[2],
				      "verdict", at.verdict, "candidate_fixes", fx, "suggested_fix",
				      at.best >= 0 ? at.fix[at.best].what : NULL));
		}
		if (res_write_atomic(doc, "-", err, sizeof(err)) != 0)
			fprintf(stderr, "slabstress: %s\n", err);
		json_decref(doc);
	} else {
		printf("slabstress replay: %s\n", o.file);
		printf("  scenario %s, variant %s, model %s%s%s, %lu handoff%s, schedule %zu bytes "
		       "(%zu decisions)\n",
		       r.scenario, ss_variant_name(r.acfg.variant), model,
		       strcmp(model, r.model) ? " (saved under " : "",
		       strcmp(model, r.model) ? r.model : "", r.iters, r.iters == 1 ? "" : "s",
		       r.schedule_len, ss_schedule_decisions(r.schedule, r.schedule_len));
		printf("  dependencies %s%s%s%s\n", deps,
		       strcmp(deps, r.deps) ? " (saved under " : "",
		       strcmp(deps, r.deps) ? r.deps : "", strcmp(deps, r.deps) ? ")" : "");
		printf("  saved failure: %s\n", saved);
		printf("  replay: %s\n\n", match);
		if (res.kind)
			emu_print_trace(stdout, e, &res, o.full);
		else
			printf("clean under %s, %s dependencies: no failure (%lu steps)\n", model,
			       deps, res.steps);
		if (ec.deps == EMU_DEPS_CHECK)
			emu_print_dep_disagreements(stdout, e);
		if (explain) {
			printf("\n");
			ss_attribution_print(stdout, &at);
		}
	}
	emu_destroy(e);
	ss_repro_free(&r);
	return ret;
}
