/* cmd/litmus.c - `slabstress litmus`: judge C-litmus tests like herd7 does, on
 * the cat engine (the kernel's linux-kernel.cat, model/lkmm.c) or on the
 * emulator's own memory models (--engine lkvm, engine/wmm.h), so the model the
 * emulator uses to look for slab bugs is checked against the kernel's verdicts.
 *
 * Over many files or a directory (a batch) a file that cannot be read, parsed
 * or supported gets one line of its own and is counted apart; the others
 * still run.  --format herd prints herd7's own block per test (see also
 * cmd/herd7.c, the binary run under the name herd7).  The batch runner, its
 * tally and its JSON document are litmus/batch.c.
 */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "litmus/batch.h"
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

static enum lit_format format_of(const char *name)
{
	return !strcmp(name, "json")   ? LIT_FORMAT_JSON
	       : !strcmp(name, "herd") ? LIT_FORMAT_HERD
				       : LIT_FORMAT_TEXT;
}

static void write_json(const struct opts *o, json_t *doc)
{
	char err[512];
	bool json_out = !strcmp(o->format, "json");
	if (json_out && res_write_atomic(doc, "-", err, sizeof(err)))
		cli_internal_error("%s", err);
	if (o->json_path && !(json_out && !strcmp(o->json_path, "-")) &&
	    res_write_atomic(doc, o->json_path, err, sizeof(err)))
		cli_usage_error("%s", err);
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
	struct lit_batch_opts bo = {
	    .run = {.model = o.model,
		    .max_states = o.max_states,
		    .timeout_s = o.timeout_s,
		    .engine = o.engine,
		    .max_candidates = o.max_candidates},
	    .format = format_of(o.format),
	    .quiet = o.quiet,
	    .diag = stderr,
	};
	/* --json - puts the JSON document alone on stdout: the report goes to
	 * stderr then; with --format herd, lines that are not herd7's do. */
	bo.out = o.json_path && !strcmp(o.json_path, "-") && bo.format != LIT_FORMAT_JSON ? stderr
											  : stdout;
	bo.rep = bo.format == LIT_FORMAT_HERD ? stderr : bo.out;

	struct lit_files fl = {0};
	for (int i = 0; i < o.nfiles; i++)
		lit_files_add(&fl, o.files[i]);
	bo.batch = fl.n != 1 || fl.dirs > 0;
	if (!fl.n)
		cli_usage_error("litmus: no *.litmus file under %s", o.files[0]);
	if (o.json_path || bo.format == LIT_FORMAT_JSON)
		bo.tests = json_array();
	struct lit_tally c = {0};
	char err[800];
	if (lit_batch_run(&fl, &bo, &c, err, sizeof(err)))
		cli_usage_error("%s", err);
	if (bo.format != LIT_FORMAT_JSON)
		lit_batch_print_summary(bo.rep, &c, o.model, o.misses_ok);
	int rc = lit_batch_exit_status(&c, o.misses_ok);
	if (bo.tests) {
		json_t *jd = lit_batch_json(&bo.run, bo.tests, &c, rc, cli_argc ? cli_argc : argc,
					    cli_argv ? cli_argv : argv);
		write_json(&o, jd);
		json_decref(jd);
	}
	lit_files_free(&fl);
	free(o.files);
	return rc;
}
