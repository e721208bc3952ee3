/* cmd/litmus.c - `slabstress litmus`: judge C-litmus tests like herd7 does, on
 * the cat engine (the kernel's linux-kernel.cat, litmus/lkmm.c) or on the
 * emulator's own memory models (--engine lkvm, engine/wmm.h), so the model the
 * emulator uses to look for slab bugs is checked against the kernel's verdicts.
 *
 * Over many files or a directory (a batch) a file that cannot be read, parsed
 * or supported gets one line of its own and is counted apart; the others
 * still run.  --format herd prints herd7's own block per test (see also
 * cmd/herd7.c, the binary run under the name herd7).
 */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "litmus/litmus.h"
#include "results/json.h"

enum {
	OPT_JSON = 1000,
	OPT_MAX_STATES,
	OPT_MISSES_OK,
	OPT_TIMEOUT,
	OPT_ENGINE,
	OPT_MAX_CANDIDATES
};

struct opts {
	enum wmm_model model;
	const char *format;
	const char *json_path;
	bool quiet, misses_ok;
	unsigned long long max_states;
	double timeout_s;
	enum lit_engine engine;
	unsigned long long max_candidates;
	char **files;
	int nfiles;
};

static const struct argp_option options[] = {
    {"model", 'm', "MODEL", 0, "memory model: lkmm, tso or sc (default: lkmm)", 0},
    {"format", 'f', "FMT", 0,
     "report on stdout: text, json, or herd (herd7's own block per test; the summary goes to "
     "stderr) (default: text)",
     0},
    {"json", OPT_JSON, "OUT", 0, "also write the JSON report to OUT ('-': stdout; default: none)",
     0},
    {"quiet", 'q', 0, 0,
     "text: one line per test plus the summary (default: full herd7-style report)", 0},
    {"engine", OPT_ENGINE, "ENGINE", 0,
     "cat: check every candidate execution against the model's axioms (lkmm: the kernel's "
     "linux-kernel.cat, exact); lkvm: the emulator's operational models (default: cat)",
     0},
    {"max-candidates", OPT_MAX_CANDIDATES, "N", 0,
     "engine cat: give up on a test after N candidate executions and path combinations, exit 3 "
     "(default: 5000000)",
     0},
    {"max-states", OPT_MAX_STATES, "N", 0,
     "engine lkvm: give up on a test after N distinct states, verdict 'incomplete' (default: "
     "20000000)",
     0},
    {"timeout", OPT_TIMEOUT, "T", 0,
     "give up on a test after T (10, 10s, 500ms, 2m), verdict 'incomplete' (default: none)", 0},
    {"misses-ok", OPT_MISSES_OK, 0, 0,
     "exit 0 even if a Sometimes test comes out Never (model stronger than LKMM); false alarms "
     "still exit 1 (default: off)",
     0},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	switch (key) {
	case 'm':
		if (wmm_model_parse(arg, &o->model))
			cli_usage_error(
			    "litmus: unknown --model '%s': expected one of lkmm, tso, sc", arg);
		break;
	case 'f':
		if (strcmp(arg, "text") && strcmp(arg, "json") && strcmp(arg, "herd"))
			cli_usage_error(
			    "litmus: unknown --format '%s': expected text, json or herd", arg);
		o->format = arg;
		break;
	case OPT_JSON: o->json_path = arg; break;
	case 'q': o->quiet = true; break;
	case OPT_MAX_STATES:
		o->max_states = cli_parse_ull("--max-states", arg, 1, 1ULL << 40);
		break;
	case OPT_MISSES_OK: o->misses_ok = true; break;
	case OPT_TIMEOUT: o->timeout_s = cli_parse_duration("--timeout", arg); break;
	case OPT_ENGINE:
		if (lit_engine_parse(arg, &o->engine))
			cli_usage_error("litmus: unknown --engine '%s': expected cat or lkvm", arg);
		break;
	case OPT_MAX_CANDIDATES:
		o->max_candidates = cli_parse_ull("--max-candidates", arg, 1, 1ULL << 50);
		break;
	case ARGP_KEY_ARG: o->files[o->nfiles++] = arg; break;
	case ARGP_KEY_END:
		if (!o->nfiles)
			cli_usage_error("litmus: expected at least one litmus FILE or DIR (see "
					"slabstress litmus --help)");
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Judge C-litmus tests (the Linux kernel's tools/memory-model dialect, as herd7 reads it) "
    "like herd7: explore every execution the chosen model allows, print the final states and "
    "the Observation line, and compare it with the test's '* Result:' line."
    "\v"
    "FILE may be a directory: every *.litmus under it runs (recursively, in name order). "
    "Engines: cat (default) enumerates candidate executions (per-thread paths with the "
    "values each read can see, then rf and co) and keeps those the model's axioms allow: "
    "--model lkmm is the kernel's linux-kernel.cat with linux-kernel.bell, .def and lock.cat "
    "(exact: every herd7 verdict, Positive/Negative counted in executions as herd7 does, "
    "'Flag data-race' when a consistent execution has a data race on plain accesses, RCU "
    "grace periods and SRCU); --model tso is x86-TSO, --model sc sequential consistency (both "
    "keep LKMM's RCU axiom). lkvm is the emulator's operational model (engine/wmm.c), as "
    "explore and replay use it: built to show only outcomes LKMM allows, and known to be "
    "stronger than LKMM (Sometimes comes out Never) on load buffering (LB), S+wmb+po, "
    "2+2W+wmbs/rels and the non-multicopy-atomic WRC variants; its counts are distinct final "
    "states, and it refuses synchronize_rcu and SRCU.\n\n"
    "Unsupported constructs (loops, more than 8 threads) give 'FILE: unsupported: WHAT' and "
    "are counted apart. A call that the kernel's linux-kernel.def does not define is herd7's "
    "'FILE:LINE: Unknown macro NAME (User error)'. A test the cat engine cannot finish within "
    "--max-candidates says 'gave up' and the run exits 3.\n\n"
    "Batches: with several files or a directory, a file that cannot be read or parsed, "
    "exceeds an input limit or names an unknown macro gets one line of its own and is "
    "counted in the summary; every other file still runs.\n\n"
    "Exit status: 0 every verdict agrees (or has no Result line; unsupported files do not "
    "count), 1 some verdict disagrees or is incomplete, or (in a batch) some file failed, "
    "2 bad input for a single FILE (missing, a parse error, an unknown macro, past a limit) "
    "or a bad option, 3 internal error or a test gave up (--max-candidates).\n\n"
    "Limits: a file of at most 1 MiB, lines of at most 4096 characters, nesting (parentheses, "
    "'!', '~', blocks) at most 256 deep, threads P0..P63, 48 locations.\n\n"
    "herd7 stand-in: run as 'herd7' (the link 'make install' puts in "
    "PREFIX/libexec/slabstress), slabstress takes herd7's command line and prints its "
    "output; see slabstress(1), HERD7 COMPATIBILITY.\n\n"
    "Examples:\n"
    "  slabstress litmus ../shared/litmus/kernel-tools/*.litmus --quiet\n"
    "  slabstress litmus ../shared/litmus/ --quiet --misses-ok\n"
    "  slabstress litmus --model tso ../shared/litmus/shapes/SB.litmus\n"
    "  slabstress litmus --format herd ../shared/litmus/shapes/MP.litmus\n"
    "  slabstress litmus --engine lkvm --misses-ok ../shared/litmus/shapes\n"
    "  slabstress litmus --json out.json --misses-ok ../shared/litmus/random";

/* What happened to the files of a run. */
struct tally {
	unsigned agree, disagree, unsup, none, incomplete, errors, misses, alarms;
	unsigned failed, unreadable, syntax, macros, limits, gave_up;
};

static void count_failure(struct tally *c, enum lit_err_kind k)
{
	c->failed++;
	switch (k) {
	case LIT_ERR_READ: c->unreadable++; break;
	case LIT_ERR_MACRO: c->macros++; break;
	case LIT_ERR_LIMIT: c->limits++; break;
	default: c->syntax++; break;
	}
}

static const char *err_kind_name(enum lit_err_kind k)
{
	switch (k) {
	case LIT_ERR_READ: return "unreadable";
	case LIT_ERR_MACRO: return "unknown macro";
	case LIT_ERR_LIMIT: return "limit";
	default: return "parse error";
	}
}

int cmd_litmus(int argc, char **argv)
{
	struct opts o = {.model = WMM_LKMM, .format = "text", .engine = LIT_ENGINE_CAT};
	o.files = calloc((size_t)argc + 1, sizeof(char *));
	if (!o.files)
		cli_internal_error("out of memory");
	struct argp argp = {options, parse, "FILE...|DIR...", doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	if (o.json_path && strcmp(o.json_path, "-"))
		cli_check_output_path("--json", o.json_path);
	bool text = !strcmp(o.format, "text"), herd = !strcmp(o.format, "herd");
	/* --json - puts the JSON document alone on stdout: the report goes to
	 * stderr then; with --format herd, lines that are not herd7's do. */
	FILE *out =
	    o.json_path && !strcmp(o.json_path, "-") && strcmp(o.format, "json") ? stderr : stdout;
	FILE *rep = herd ? stderr : out;

	struct lit_files fl = {0};
	for (int i = 0; i < o.nfiles; i++)
		lit_files_add(&fl, o.files[i]);
	bool batch = fl.n != 1 || fl.dirs > 0;
	if (!fl.n)
		cli_usage_error("litmus: no *.litmus file under %s", o.files[0]);

	json_t *doc = NULL, *arr = NULL;
	if (o.json_path || !strcmp(o.format, "json")) {
		doc = res_doc_new("litmus", cli_argc ? cli_argc : argc, cli_argv ? cli_argv : argv);
		json_object_set_new(doc, "model", json_string(wmm_model_name(o.model)));
		json_object_set_new(doc, "engine", json_string(lit_engine_name(o.engine)));
		arr = json_array();
	}
	struct tally c = {0};
	for (int i = 0; i < fl.n; i++) {
		struct lit_test *t;
		struct lit_error e;
		if (lit_parse(fl.path[i], NULL, &t, &e)) {
			/* one file alone: bad input, exit 2; in a batch: its own line */
			if (!batch)
				cli_usage_error("%s", e.text);
			count_failure(&c, e.kind);
			if (text || herd)
				fprintf(rep, "%s\n", e.text);
			if (arr) {
				json_t *j = json_object();
				json_object_set_new(j, "file", json_string(fl.path[i]));
				json_object_set_new(j, "verdict", json_string("failed"));
				json_object_set_new(j, "failure",
						    json_string(err_kind_name(e.kind)));
				json_object_set_new(j, "error", json_string(e.text));
				json_array_append_new(arr, j);
			}
			continue;
		}
		const char *uns = lit_unsupported(t, o.engine);
		if (uns) {
			c.unsup++;
			if (text || herd)
				fprintf(rep, "%s: unsupported: %s\n", t->path, uns);
			if (arr) {
				json_t *j = json_object();
				json_object_set_new(j, "file", json_string(t->path));
				json_object_set_new(j, "name", json_string(t->name));
				json_object_set_new(j, "verdict", json_string("unsupported"));
				json_object_set_new(j, "unsupported", json_string(uns));
				json_array_append_new(arr, j);
			}
			lit_free(t);
			continue;
		}
		struct lit_result r;
		struct lit_opts lo = {.model = o.model,
				      .max_states = o.max_states,
				      .timeout_s = o.timeout_s,
				      .engine = o.engine,
				      .max_candidates = o.max_candidates};
		lit_run(t, &lo, &r);
		if (r.gave_up) {
			c.gave_up++;
			fprintf(
			    stderr,
			    "slabstress: %s: gave up after %llu candidates (--max-candidates)\n",
			    t->path, r.candidates);
		}
		switch (r.cmp) {
		case CMP_AGREE: c.agree++; break;
		case CMP_DISAGREE:
			c.disagree++;
			if (r.why && !strncmp(r.why, "miss", 4))
				c.misses++;
			else
				c.alarms++;
			break;
		case CMP_NONE: c.none++; break;
		case CMP_INCOMPLETE: c.incomplete++; break;
		case CMP_ERROR: c.errors++; break;
		case CMP_UNSUPPORTED: c.unsup++; break;
		}
		if (text)
			lit_print(out, t, &r, o.quiet);
		else if (herd && !r.error && r.complete)
			lit_print_herd(out, t, &r);
		else if (herd)
			fprintf(rep, "%s: %s\n", t->path,
				r.error ? r.err : "incomplete (state or time limit)");
		fflush(out);
		if (arr)
			json_array_append_new(arr, lit_result_json(t, &r));
		lit_result_free(&r);
		lit_free(t);
	}
	unsigned n = (unsigned)fl.n;
	char summary[640];
	snprintf(summary, sizeof(summary),
		 "%u tests: %u agree, %u disagree, %u unsupported (model %s; %u false alarms, %u "
		 "misses; %u not compared, %u incomplete, %u errors; %u failed: %u unreadable, %u "
		 "parse errors, %u unknown macros, %u over a limit)",
		 n, c.agree, c.disagree, c.unsup, wmm_model_name(o.model), c.alarms, c.misses,
		 c.none, c.incomplete, c.errors, c.failed, c.unreadable, c.syntax, c.macros,
		 c.limits);
	if (text || herd)
		fprintf(rep, "%s\n", summary);
	if ((text || herd) && c.misses && !c.alarms && !c.incomplete && !c.errors && !c.failed &&
	    !o.misses_ok)
		fprintf(rep, "only misses disagree (Sometimes shapes the model cannot produce, "
			     "listed in --help): --misses-ok exits 0 on them\n");
	int rc = SS_EXIT_CLEAN;
	if (c.alarms || c.incomplete || c.errors || c.failed || (c.misses && !o.misses_ok))
		rc = SS_EXIT_FOUND;
	if (c.gave_up)
		rc = SS_EXIT_INTERNAL; /* a verdict we could not reach: never a silent hour */
	if (doc) {
		json_object_set_new(doc, "tests", arr);
		json_t *s = json_object();
		json_object_set_new(s, "tests", json_integer(n));
		json_object_set_new(s, "agree", json_integer(c.agree));
		json_object_set_new(s, "disagree", json_integer(c.disagree));
		json_object_set_new(s, "false_alarms", json_integer(c.alarms));
		json_object_set_new(s, "misses", json_integer(c.misses));
		json_object_set_new(s, "unsupported", json_integer(c.unsup));
		json_object_set_new(s, "not_compared", json_integer(c.none));
		json_object_set_new(s, "incomplete", json_integer(c.incomplete));
		json_object_set_new(s, "errors", json_integer(c.errors));
		json_object_set_new(s, "failed", json_integer(c.failed));
		json_object_set_new(s, "unreadable", json_integer(c.unreadable));
		json_object_set_new(s, "parse_errors", json_integer(c.syntax));
		json_object_set_new(s, "unknown_macros", json_integer(c.macros));
		json_object_set_new(s, "over_limit", json_integer(c.limits));
		json_object_set_new(doc, "summary", s);
		json_object_set_new(doc, "exit_status", json_integer(rc));
		char err[512];
		bool json_out = !strcmp(o.format, "json");
		if (json_out && res_write_atomic(doc, "-", err, sizeof(err)))
			cli_internal_error("%s", err);
		if (o.json_path && !(json_out && !strcmp(o.json_path, "-")) &&
		    res_write_atomic(doc, o.json_path, err, sizeof(err)))
			cli_usage_error("%s", err);
		json_decref(doc);
	}
	lit_files_free(&fl);
	free(o.files);
	return rc;
}
