/* cmd/minimize.c - `slabstress minimize`: shrink a reproducer's schedule to the
 * fewest decisions that keep the same failure (fuzz/minimize.c, through
 * fuzz/replay.c), write it as a new reproducer. */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/repro_arg.h"
#include "fuzz/minimize.h"
#include "fuzz/replay.h"
#include "results/repro.h"

enum { OPT_MAX_EXECS = 0x2200 };

struct minimize_cli {
	const char *file, *out;
	unsigned long max_execs;
};

static const struct argp_option options[] = {
    {"output", 'o', "OUT", 0,
     "write the minimized reproducer to OUT (default: FILE with .min.json instead of .json)", 0},
    {"max-executions", OPT_MAX_EXECS, "N", 0, "at most N trial executions (default: 20000)", 0},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct minimize_cli *o = state->input;
	switch (key) {
	case 'o': o->out = arg; break;
	case OPT_MAX_EXECS:
		o->max_execs = (unsigned long)cli_parse_ull("--max-executions", arg, 1, 1UL << 30);
		break;
	default: return cli_reproducer_arg("minimize", key, arg, &o->file);
	}
	return 0;
}

static const char doc[] =
    "Shrink a reproducer's schedule to the fewest non-default decisions (non-zero bytes) "
    "that still give the same failure kind at the same code site: delta debugging that "
    "zeroes chunks of decisions, then single ones, deletes bytes, and drops what the run "
    "never reads; then the same from up to six other schedules of that failure found by a "
    "short pct search, keeping the smallest (the result is the same failure, not always "
    "the same interleaving).  Prints the decision counts before and after and writes a "
    "new reproducer.\v"
    "Usage:\n"
    "  slabstress minimize FILE [-o OUT] [--max-executions N]\n\n"
    "Examples:\n"
    "  slabstress minimize found/lazy-objexts-rc1-lkmm-wrong-metadata-1a2b3c4d.json -o small.json\n"
    "  slabstress replay small.json\n\n"
    "Exit status: 0 written, 2 bad reproducer or it does not fail as saved, 3 internal "
    "error.";

int cmd_minimize(int argc, char **argv)
{
	struct minimize_cli o;
	memset(&o, 0, sizeof(o));
	struct argp argp = {options, parse, "FILE", doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	char outbuf[4096];
	if (!o.out) {
		size_t l = strlen(o.file);
		if (l > 5 && !strcmp(o.file + l - 5, ".json"))
			snprintf(outbuf, sizeof(outbuf), "%.*s.min.json", (int)(l - 5), o.file);
		else
			snprintf(outbuf, sizeof(outbuf), "%s.min.json", o.file);
		o.out = outbuf;
	}
	cli_check_output_path("-o", o.out);

	static struct ss_replay p;
	char err[512];
	int rc = ss_replay_open(&p, o.file, NULL, -1, err, sizeof(err));
	if (rc == SS_REPLAY_BAD_FILE)
		cli_usage_error("%s", err);
	if (rc != 0)
		cli_internal_error("%s", err);
	const struct ss_repro *r = &p.r;
	if (p.graph) {
		ss_replay_close(&p);
		cli_usage_error("%s: a graph engine reproducer (one execution graph, no schedule "
				"to shrink): expected one the lkvm engine saved",
				o.file);
	}
	struct ss_repro m;
	rc = ss_replay_minimize(&p, o.max_execs, &m, err, sizeof(err));
	if (rc == SS_REPLAY_NOT_FAILING || rc == SS_REPLAY_CHECK_ERROR) {
		fprintf(stderr,
			"slabstress: %s does not fail with %s at %s:%d when replayed: nothing to "
			"minimize\n",
			o.file, ss_fail_kind_name(r->kind), r->file, r->line);
		ss_replay_close(&p);
		return rc == SS_REPLAY_CHECK_ERROR ? SS_EXIT_INTERNAL : SS_EXIT_USAGE;
	}
	if (rc != 0) {
		ss_replay_close(&p);
		cli_internal_error("%s", err);
	}
	printf("slabstress minimize: %s\n", o.file);
	printf("  %s at %s:%d under %s\n", ss_fail_kind_name(r->kind), r->file, r->line, r->model);
	printf("  before: %zu bytes, %zu decisions\n", r->schedule_len,
	       ss_schedule_decisions(r->schedule, r->schedule_len));
	printf("  after:  %zu bytes, %zu decisions\n", m.schedule_len,
	       ss_schedule_decisions(m.schedule, m.schedule_len));
	int ret = SS_EXIT_CLEAN;
	if (ss_repro_save(&m, o.out, err, sizeof(err)) != 0) {
		fprintf(stderr, "slabstress: %s\n", err);
		ret = SS_EXIT_USAGE;
	} else {
		printf("  wrote %s\n", o.out);
	}
	ss_repro_free(&m);
	ss_replay_close(&p);
	return ret;
}
