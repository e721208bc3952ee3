/* cmd/main.c - slabstress entry point: picks the subcommand and hands over. */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_litmus(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_herd7(int argc, char **argv);
/* Weak: a subcommand whose file is not in this build is reported, not linked. */
int cmd_replay(int argc, char **argv) __attribute__((weak));
int cmd_minimize(int argc, char **argv) __attribute__((weak));
int cmd_matrix(int argc, char **argv) __attribute__((weak));
int cmd_fuzz(int argc, char **argv) __attribute__((weak));
int cmd_bench(int argc, char **argv) __attribute__((weak));
int cmd_compare(int argc, char **argv) __attribute__((weak));

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
    {"list", cmd_list, "list scenarios, variants, allocators, models"},
    {"run", cmd_run, "run a scenario natively on pinned threads"},
    {"explore", cmd_explore, "run a scenario in the weak-memory emulator under many schedules"},
    {"litmus", cmd_litmus, "judge C-litmus tests (herd7 style) under sc, tso or lkmm"},
    {"herd7", cmd_herd7, "herd7's command line and output (as when run under the name herd7)"},
    {"replay", cmd_replay, "re-run a saved failing schedule and show its interleaving"},
    {"minimize", cmd_minimize, "shrink a failing schedule to its fewest decisions"},
    {"triage", cmd_triage, "replay reproducers from many machines, group them, keep the smallest"},
    {"matrix", cmd_matrix, "variants x scenarios x models: the verdict table"},
    {"fuzz", cmd_fuzz, "search schedules with libFuzzer"},
    {"bench", cmd_bench, "handoff throughput per allocator, with statistics"},
    {"compare", cmd_compare, "compare two bench results; exit 1 on a regression"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: slabstress COMMAND [OPTION...]\n"
		   "Find, reproduce and explain memory-ordering bugs between a slab allocator\n"
		   "and its users.\n\nCommands:\n");
	for (const struct subcommand *c = subcommands; c->name; c++)
		if (c->fn)
			fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(
	    f,
	    "\n`slabstress COMMAND --help` describes each command; `man ./slabstress.1` all.\n"
	    "Exit status: 0 nothing found, 1 failure found (or verdict disagrees, or a\n"
	    "matrix cell Found where Clean is expected),\n"
	    "2 usage or input error, 3 internal error.\n\n"
	    "Examples:\n"
	    "  slabstress list scenarios\n"
	    "  slabstress run -s release-acquire --variant early-stride --cpus 0,1 --duration 10\n"
	    "  slabstress explore -s lazy-objexts --variant rc1 --model lkmm\n"
	    "  slabstress litmus ../shared/litmus/kernel-tools/*.litmus\n");
}

int main(int argc, char **argv)
{
	cli_argc = argc;
	cli_argv = argv;
	/* Run under the name herd7 (the link `make install` puts in
	 * PREFIX/libexec/slabstress): herd7's command line, for the kernel's
	 * tools/memory-model/scripts. */
	const char *slash = strrchr(argv[0], '/');
	if (!strcmp(slash ? slash + 1 : argv[0], "herd7"))
		return cmd_herd7(argc, argv);
	if (argc < 2) {
		/* `slabstress` alone: the default job, as `make run` does: the verdict
		 * table of the seed email's questions. */
		char *def[] = {"matrix", NULL};
		if (cmd_matrix)
			return cmd_matrix(1, def);
		usage(stderr);
		return SS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("slabstress %s\n", SS_VERSION);
		return 0;
	}
	for (const struct subcommand *c = subcommands; c->name; c++)
		if (!strcmp(argv[1], c->name) && c->fn)
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "slabstress: unknown command '%s': expected one of", argv[1]);
	for (const struct subcommand *c = subcommands; c->name; c++)
		if (c->fn)
			fprintf(stderr, " %s", c->name);
	fprintf(stderr, " (see slabstress --help)\n");
	return SS_EXIT_USAGE;
}
