/* cmd/replay.c - `slabstress replay`: re-run a saved failing schedule
 * (reproducer file) byte for byte, show its interleaving one column per CPU,
 * say whether the saved failure happened again, explain which reordering it
 * needs (--model to try another model), or export it as a C-litmus test.
 * The replay itself and its JSON document are fuzz/replay.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/repro_arg.h"
#include "fuzz/litmus_export.h"
#include "fuzz/race_export.h"
#include "litmus/export_graph.h"
#include "litmus/race_check.h"
#include "fuzz/minimize.h"
#include "fuzz/replay.h"
#include "fuzz/repro_emu.h"
#include "results/json.h"
#include "results/replay_doc.h"

enum {
	OPT_MODEL = 0x2100,
	OPT_FORMAT,
	OPT_FULL,
	OPT_LITMUS,
	OPT_NO_EXPLAIN,
	OPT_DEPS,
	OPT_FORCE,
	OPT_RACES
};

struct replay_cli {
	const char *file, *model, *format;
	int full, no_explain;
	enum { LITMUS_OFF, LITMUS_AUTO, LITMUS_CHAIN, LITMUS_GRAPH } litmus;
	const char *races_arg;
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
    {"races", OPT_RACES, "MODE", 0,
     "data races of plain accesses (LKMM, exact check): report, fail (a race is the replay's "
     "failure) or ignore (default: report; a reproducer of a data race replays to it)",
     0},
    {"litmus", OPT_LITMUS, "FROM", OPTION_ARG_OPTIONAL,
     "print the failure as a C-litmus test for herd7 / `slabstress litmus` instead of the "
     "trace: FROM chain (the message-passing chain the failure rests on, from the trace), "
     "graph (the failing execution graph, as the exact checker saw it or, for a schedule, "
     "built from its trace: all of it, or its shortest po|rf|co|fr cycle when it is too "
     "big) or auto (chain, else graph) "
     "(default: off; --litmus alone: auto)",
     0},
    {"no-explain", OPT_NO_EXPLAIN, 0, 0,
     "skip the attribution (sc/tso/lkmm re-runs and candidate barriers) (default: explain "
     "a failure)",
     0},
    {"force", OPT_FORCE, 0, 0,
     "replay even when the reproducer's scenario file changed since it was saved (default: "
     "exit 2)",
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
	case OPT_LITMUS:
		if (!arg || !strcmp(arg, "auto"))
			o->litmus = LITMUS_AUTO;
		else if (!strcmp(arg, "chain"))
			o->litmus = LITMUS_CHAIN;
		else if (!strcmp(arg, "graph"))
			o->litmus = LITMUS_GRAPH;
		else
			cli_usage_error("unknown --litmus '%s': expected chain, graph or auto",
					arg);
		break;
	case OPT_RACES: o->races_arg = arg; break;
	case OPT_NO_EXPLAIN: o->no_explain = 1; break;
	case OPT_FORCE: ss_repro_allow_changed_scenario(true); break;
	default:
		if (key == ARGP_KEY_ARG && o->file && o->litmus &&
		    (!strcmp(arg, "chain") || !strcmp(arg, "graph") || !strcmp(arg, "auto")))
			cli_usage_error("--litmus takes its value after '=': --litmus=%s", arg);
		return cli_reproducer_arg("replay", key, arg, &o->file);
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
    "  slabstress replay FILE [--model sc|tso|lkmm] [--format text|json] [--full]\n"
    "                    [--litmus[=chain|graph|auto]]\n\n"
    "Examples:\n"
    "  slabstress replay found/lazy-objexts-rc1-lkmm-wrong-metadata-1a2b3c4d.json\n"
    "  slabstress replay found/X.json --model tso     # does it still fail on x86?\n"
    "  slabstress replay small.json --litmus > bug.litmus && slabstress litmus bug.litmus\n"
    "  slabstress replay graph-found/X.json --litmus=graph   # the failing graph as a test\n\n"
    "Exit status: 0 the replay is clean, 1 it fails, 2 bad or corrupt reproducer, 3 "
    "internal error.  With --litmus: 0 the test was written, 2 nothing to export (the "
    "reproducer does not fail under the model, or its failure touches no location two CPUs "
    "use), 3 no test could be written.";

/* The race test of the first race: a schedule's re-run, a graph's from the
 * trace of the graph just re-created.  0, or -1 with err. */
static int write_race_test(const struct ss_replay *p, char *err, size_t n)
{
	const struct ss_race_finding *fd = &p->race_list.v[0];
	if (!p->graph)
		return ss_race_write_test(stdout, &p->ec, fd, p->path, err, n);
	struct race_pair pair = {.a = fd->a, .b = fd->b};
	size_t ia, ib;
	if (ss_race_locate(p->e, &pair, &ia, &ib) != 0) {
		snprintf(err, n, "the pair is not in the replayed trace");
		return -1;
	}
	return ss_race_export(stdout, p->e, ia, ib, p->path, err, n);
}

/* --litmus: 0 when the test was written, so that
 * `replay X --litmus > f && slabstress litmus f` reaches its second step. */
static int export_litmus(const struct ss_replay *p, int from)
{
	char err[512];
	if (!p->res.kind) {
		fprintf(stderr, "slabstress: %s does not fail under %s: nothing to export\n",
			p->path, wmm_model_name(p->ec.model));
		return SS_EXIT_USAGE;
	}
	if (p->res.kind == SS_FAIL_DATA_RACE && p->race_list.n) {
		if (write_race_test(p, err, sizeof(err)) != 0) {
			fprintf(stderr, "slabstress: cannot export the race test: %s\n", err);
			return SS_EXIT_INTERNAL;
		}
		return SS_EXIT_CLEAN;
	}
	if (from != LITMUS_GRAPH &&
	    ss_litmus_export(stdout, p->e, &p->res, p->path, err, sizeof(err)) == 0)
		return SS_EXIT_CLEAN;
	/* not message passing: the failing execution's graph goes out as it is */
	char gerr[512];
	int grc =
	    from == LITMUS_CHAIN ? -1 : lit_export_graph(stdout, p->e, p->path, gerr, sizeof(gerr));
	if (grc == 0)
		return SS_EXIT_CLEAN;
	if (grc == LIT_EXPORT_NOTHING) { /* like a replay that does not fail */
		fprintf(stderr, "slabstress: %s: nothing to export: %s\n", p->path, gerr);
		return SS_EXIT_USAGE;
	}
	if (from == LITMUS_AUTO)
		fprintf(stderr, "slabstress: cannot export a litmus test: %s; the graph: %s\n", err,
			gerr);
	else
		fprintf(stderr, "slabstress: cannot export a litmus test: %s\n",
			from == LITMUS_GRAPH ? gerr : err);
	return SS_EXIT_INTERNAL;
}

static void print_json(const struct ss_replay *p, bool full)
{
	char err[512];
	json_t *doc = ss_replay_json(p, full, cli_argc, cli_argv);
	if (res_write_atomic(doc, "-", err, sizeof(err)) != 0)
		fprintf(stderr, "slabstress: %s\n", err);
	json_decref(doc);
}

static void print_text(const struct ss_replay *p, bool full)
{
	const struct ss_repro *r = &p->r;
	const char *model = wmm_model_name(p->ec.model), *deps = emu_deps_name(p->ec.deps);
	char saved[400];
	res_replay_saved_failure(saved, sizeof(saved), ss_fail_kind_name(r->kind), r->file, r->line,
				 r->func);
	printf("slabstress replay: %s\n", p->path);
	bool other_model = strcmp(model, r->model) != 0;
	if (p->graph)
		printf("  scenario %s, variant %s, model %s%s%s%s, %lu handoff%s, engine graph "
		       "(a graph of %zu bytes)\n",
		       r->scenario, ss_variant_name(r->acfg.variant), model,
		       other_model ? " (saved under " : "", other_model ? r->model : "",
		       other_model ? ")" : "", r->iters, r->iters == 1 ? "" : "s", r->schedule_len);
	else
		printf("  scenario %s, variant %s, model %s%s%s, %lu handoff%s, schedule %zu bytes "
		       "(%zu decisions)\n",
		       r->scenario, ss_variant_name(r->acfg.variant), model,
		       other_model ? " (saved under " : "", other_model ? r->model : "", r->iters,
		       r->iters == 1 ? "" : "s", r->schedule_len,
		       ss_schedule_decisions(r->schedule, r->schedule_len));
	bool other_deps = strcmp(deps, r->deps) != 0;
	printf("  dependencies %s%s%s%s\n", deps, other_deps ? " (saved under " : "",
	       other_deps ? r->deps : "", other_deps ? ")" : "");
	printf("  saved failure: %s\n", saved);
	printf("  replay: %s\n\n", res_replay_match_text(p->same, p->res.kind != SS_FAIL_NONE));
	if (p->res.kind)
		emu_print_trace(stdout, p->e, &p->res, full);
	else if (p->graph && !p->graph_consistent)
		printf("clean under %s: the saved graph is not consistent under %s, so its failure "
		       "cannot happen there\n",
		       model, model);
	else
		printf("clean under %s, %s dependencies: no failure (%lu steps)\n", model, deps,
		       p->res.steps);
	if (p->ec.deps == EMU_DEPS_CHECK)
		emu_print_dep_disagreements(stdout, p->e);
	if (p->attributed) {
		printf("\n");
		ss_attribution_print(stdout, &p->at);
	}
	if (p->races_checked)
		ss_races_print(stdout, &p->race_list);
}

int cmd_replay(int argc, char **argv)
{
	struct replay_cli o;
	memset(&o, 0, sizeof(o));
	o.deps = -1;
	struct argp argp = {options, parse, "FILE", doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);

	static struct ss_replay p;
	char err[512];
	enum ss_races_mode races = cli_parse_races(o.races_arg); /* before the file is read */
	int rc = ss_replay_open(&p, o.file, o.model, o.deps, err, sizeof(err));
	if (rc == SS_REPLAY_BAD_FILE)
		cli_usage_error("%s", err);
	if (rc != 0)
		cli_internal_error("%s", err);
	p.races = races;
	p.judge = lit_race_judge;
	rc = ss_replay_run(&p, err, sizeof(err));
	if (rc != 0) {
		ss_replay_close(&p);
		if (rc == SS_REPLAY_BAD_FILE)
			cli_usage_error("%s", err);
		cli_internal_error("%s", err);
	}
	int ret = p.res.kind ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
	if (o.litmus) {
		ret = export_litmus(&p, o.litmus);
	} else {
		if (p.res.kind && !o.no_explain)
			ss_replay_explain(&p, 0);
		if (o.format && !strcmp(o.format, "json"))
			print_json(&p, o.full);
		else
			print_text(&p, o.full);
	}
	ss_replay_close(&p);
	return ret;
}
