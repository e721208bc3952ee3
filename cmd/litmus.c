/* cmd/litmus.c - `slabstress litmus`: judge C-litmus tests like herd7 does, on
 * the cat engine (the kernel's linux-kernel.cat, litmus/lkmm.c) or on the
 * emulator's own memory models (--engine lkvm, engine/wmm.h), so the model the
 * emulator uses to look for slab bugs is checked against the kernel's verdicts.
 */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "litmus/litmus.h"
#include "results/json.h"

enum { OPT_JSON = 1000, OPT_MAX_STATES, OPT_MISSES_OK, OPT_ENGINE, OPT_MAX_CANDIDATES };

struct opts {
	enum wmm_model model;
	const char *format;
	const char *json_path;
	bool quiet, misses_ok;
	unsigned long long max_states;
	enum lit_engine engine;
	unsigned long long max_candidates;
	char **files;
	int nfiles;
};

static const struct argp_option options[] = {
    {"model", 'm', "MODEL", 0, "memory model: lkmm, tso or sc (default: lkmm)", 0},
    {"format", 'f', "FMT", 0, "report on stdout: text or json (default: text)", 0},
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
    {"misses-ok", OPT_MISSES_OK, 0, 0,
     "exit 0 even if a Sometimes test comes out Never (model stronger than LKMM; engine lkvm); "
     "false alarms still exit 1 (default: off)",
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
		if (strcmp(arg, "text") && strcmp(arg, "json"))
			cli_usage_error("litmus: unknown --format '%s': expected text or json",
					arg);
		o->format = arg;
		break;
	case OPT_JSON: o->json_path = arg; break;
	case 'q': o->quiet = true; break;
	case OPT_MAX_STATES:
		o->max_states = cli_parse_ull("--max-states", arg, 1, 1ULL << 40);
		break;
	case OPT_MISSES_OK: o->misses_ok = true; break;
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
			cli_usage_error("litmus: expected at least one litmus FILE (see slabstress "
					"litmus --help)");
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Judge C-litmus tests (the Linux kernel's tools/memory-model dialect) like herd7: "
    "explore every execution the chosen model allows, print the final states and the "
    "Observation line, and compare it with the test's '* Result:' line."
    "\v"
    "Engines: cat (default) enumerates candidate executions (per-thread paths with the "
    "values each read can see, then rf and co) and keeps those the model's axioms allow: "
    "--model lkmm is the kernel's linux-kernel.cat with linux-kernel.bell, .def and lock.cat "
    "(exact: every herd7 verdict, Positive/Negative counted in executions as herd7 does, "
    "'Flag data-race' when a consistent execution has a data race on plain accesses, RCU "
    "grace periods and SRCU); --model tso is x86-TSO, --model sc sequential consistency (both keep "
    "LKMM's RCU axiom). lkvm is the emulator's operational model (engine/wmm.c), as explore "
    "and replay use it: built to show only outcomes LKMM allows, and known to be stronger "
    "than LKMM (Sometimes comes out Never) on load buffering (LB), S+wmb+po, 2+2W+wmbs/rels "
    "and the non-multicopy-atomic WRC variants; its counts are distinct final states, and it "
    "refuses synchronize_rcu and SRCU.\n\n"
    "Unsupported constructs (loops, unknown functions) give 'unsupported: <construct>' "
    "and are counted apart. A test the cat engine cannot finish within --max-candidates says "
    "'gave up' and the run exits 3.\n\n"
    "Exit status: 0 every verdict agrees (or has no Result line), 1 some verdict disagrees "
    "(or is incomplete), 2 bad input (missing file, parse error), 3 internal error or gave "
    "up.\n\n"
    "Examples:\n"
    "  slabstress litmus ../shared/litmus/kernel-tools/*.litmus --quiet\n"
    "  slabstress litmus --model tso ../shared/litmus/shapes/SB.litmus\n"
    "  slabstress litmus --engine lkvm --misses-ok ../shared/litmus/shapes/*.litmus\n"
    "  slabstress litmus --format json shapes/MP.litmus > mp.json\n"
    "  slabstress litmus --json out.json ../shared/litmus/random/*.litmus";

int cmd_litmus(int argc, char **argv)
{
	struct opts o = {.model = WMM_LKMM, .format = "text", .engine = LIT_ENGINE_CAT};
	o.files = calloc((size_t)argc + 1, sizeof(char *));
	if (!o.files)
		cli_internal_error("out of memory");
	struct argp argp = {options, parse, "FILE...", doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	if (o.json_path && strcmp(o.json_path, "-"))
		cli_check_output_path("--json", o.json_path);
	bool text = !strcmp(o.format, "text");

	/* parse everything first: bad input is exit 2 before any long run */
	struct lit_test **tests = calloc((size_t)o.nfiles, sizeof(*tests));
	if (!tests)
		cli_internal_error("out of memory");
	for (int i = 0; i < o.nfiles; i++) {
		char err[512];
		if (lit_parse_file(o.files[i], &tests[i], err, sizeof(err)))
			cli_usage_error("%s", err);
	}

	json_t *doc = NULL, *arr = NULL;
	if (o.json_path || !text) {
		doc = res_doc_new("litmus", cli_argc ? cli_argc : argc, cli_argv ? cli_argv : argv);
		json_object_set_new(doc, "model", json_string(wmm_model_name(o.model)));
		json_object_set_new(doc, "engine", json_string(lit_engine_name(o.engine)));
		arr = json_array();
	}
	unsigned agree = 0, disagree = 0, unsup = 0, none = 0, incomplete = 0, errors = 0,
		 misses = 0, alarms = 0, gave_up = 0;
	for (int i = 0; i < o.nfiles; i++) {
		struct lit_test *t = tests[i];
		const char *uns = lit_unsupported(t, o.engine);
		if (uns) {
			unsup++;
			if (text)
				printf(o.quiet ? "%-56s unsupported: %s\n"
					       : "Test %s\nunsupported: %s\n\n",
				       t->name, uns);
			if (arr) {
				json_t *j = json_object();
				json_object_set_new(j, "file", json_string(t->path));
				json_object_set_new(j, "name", json_string(t->name));
				json_object_set_new(j, "verdict", json_string("unsupported"));
				json_object_set_new(j, "unsupported", json_string(uns));
				json_array_append_new(arr, j);
			}
			continue;
		}
		struct lit_result r;
		struct lit_opts lo = {.model = o.model,
				      .max_states = o.max_states,
				      .engine = o.engine,
				      .max_candidates = o.max_candidates};
		lit_run(t, &lo, &r);
		if (r.gave_up) {
			gave_up++;
			fprintf(
			    stderr,
			    "slabstress: %s: gave up after %llu candidates (--max-candidates)\n",
			    t->path, r.candidates);
		}
		switch (r.cmp) {
		case CMP_AGREE: agree++; break;
		case CMP_DISAGREE:
			disagree++;
			if (r.why && !strncmp(r.why, "miss", 4))
				misses++;
			else
				alarms++;
			break;
		case CMP_NONE: none++; break;
		case CMP_INCOMPLETE: incomplete++; break;
		case CMP_ERROR: errors++; break;
		case CMP_UNSUPPORTED: unsup++; break;
		}
		if (text) {
			lit_print(stdout, t, &r, o.quiet);
			fflush(stdout);
		}
		if (arr)
			json_array_append_new(arr, lit_result_json(t, &r));
		lit_result_free(&r);
	}
	unsigned n = (unsigned)o.nfiles;
	char summary[512];
	snprintf(summary, sizeof(summary),
		 "%u tests: %u agree, %u disagree, %u unsupported (model %s; %u false alarms, %u "
		 "misses; %u not compared, %u incomplete, %u errors)",
		 n, agree, disagree, unsup, wmm_model_name(o.model), alarms, misses, none,
		 incomplete, errors);
	if (text)
		printf("%s\n", summary);
	if (text && misses && !alarms && !incomplete && !errors && !o.misses_ok)
		printf("only misses disagree (Sometimes shapes the model cannot produce, listed "
		       "in --help): --misses-ok exits 0 on them\n");
	int rc = SS_EXIT_CLEAN;
	if (alarms || incomplete || errors || (misses && !o.misses_ok))
		rc = SS_EXIT_FOUND;
	if (gave_up)
		rc = SS_EXIT_INTERNAL; /* a verdict we could not reach: never a silent hour */
	if (doc) {
		json_object_set_new(doc, "tests", arr);
		json_t *s = json_object();
		json_object_set_new(s, "tests", json_integer(n));
		json_object_set_new(s, "agree", json_integer(agree));
		json_object_set_new(s, "disagree", json_integer(disagree));
		json_object_set_new(s, "false_alarms", json_integer(alarms));
		json_object_set_new(s, "misses", json_integer(misses));
		json_object_set_new(s, "unsupported", json_integer(unsup));
		json_object_set_new(s, "not_compared", json_integer(none));
		json_object_set_new(s, "incomplete", json_integer(incomplete));
		json_object_set_new(s, "errors", json_integer(errors));
		json_object_set_new(doc, "summary", s);
		json_object_set_new(doc, "exit_status", json_integer(rc));
		char err[512];
		if (!text && res_write_atomic(doc, "-", err, sizeof(err)))
			cli_internal_error("%s", err);
		if (o.json_path && (text || strcmp(o.json_path, "-")) &&
		    res_write_atomic(doc, o.json_path, err, sizeof(err)))
			cli_usage_error("%s", err);
		json_decref(doc);
	}
	for (int i = 0; i < o.nfiles; i++)
		lit_free(tests[i]);
	free(tests);
	free(o.files);
	return rc;
}
