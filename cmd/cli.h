/* cmd/cli.h - what the subcommand front ends share: the scenario/knob options
 * (an argp child parser used by run, explore, fuzz and bench), value parsers,
 * and the one-line usage error (exit 2).
 *
 * Each subcommand is a file cmd/<name>.c defining  int cmd_<name>(int argc, char **argv)
 * (argv[0] is the subcommand name) and registered in cmd/main.c.
 */
#ifndef SS_CLI_H
#define SS_CLI_H

#include <argp.h>
#include <stdbool.h>

#include "alloc/alloc.h"
#include "fuzz/race_check.h"
#include "scenarios/scenario.h"

/* Exit status contract (DESIGN.md, slabstress.1). */
#define SS_EXIT_CLEAN	 0
#define SS_EXIT_FOUND	 1
#define SS_EXIT_USAGE	 2
#define SS_EXIT_INTERNAL 3

/* Options every scenario-running subcommand takes:
 *   -s/--scenario, --variant, --set, --alloc, --stride-bits, --objext, --object-size,
 *   --page-size, --seed.  Filled by cli_scenario_argp, checked by cli_scenario_finish. */
struct cli_scenario_opts {
	const char *scenario_name;
	const char *variant_name, *alloc_name, *objext_name;
	const char *set_switches;  /* --set NAME=VALUE,...: slab switches over the variant's */
	unsigned stride_bits;	   /* 0: the variant's */
	unsigned long object_size; /* 0: default */
	unsigned long page_size;   /* 0: default */
	bool objcg_atomic;	   /* --objcg-refs atomic */
	unsigned long long seed;
	bool seed_set;
	bool alloc_list_ok; /* bench: --alloc may be a comma list (kept in alloc_name) */
	/* Resolved by cli_scenario_finish(): */
	const struct ss_scenario *scn;
	const struct ss_alloc_ops *alloc;
	struct ss_alloc_config acfg;
};

/* argp child: set state->child_inputs[i] to a struct cli_scenario_opts * in the
 * parent's ARGP_KEY_INIT (or use cli_scenario_child(&opts) helper below). */
extern const struct argp cli_scenario_argp;

/* Defaults, then validation: unknown names and out-of-range knobs are usage errors
 * (message + exit 2).  need_scenario: -s is mandatory.  ncpus: how many CPUs the
 * world will have (roles). */
void cli_scenario_defaults(struct cli_scenario_opts *o);
void cli_scenario_finish(struct cli_scenario_opts *o, bool need_scenario);

/* argp_parse with the exit-status contract: --help/--usage as usual; any parse
 * error becomes one line "slabstress: <what> (see slabstress CMD --help)", exit 2. */
void cli_parse(const struct argp *argp, int argc, char **argv, void *input);

/* "slabstress: <message>" on stderr, exit 2. */
void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* "slabstress: <message>" on stderr, exit 3. */
void cli_internal_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Strict parsers: the whole string must be a value in range, else usage error
 * naming the option and the value. */
unsigned long long cli_parse_ull(const char *opt, const char *arg, unsigned long long min,
				 unsigned long long max);
/* Durations: "10", "10s", "500ms", "2m", "1h". */
double cli_parse_duration(const char *opt, const char *arg);
/* A size with optional K/M/G suffix (powers of two). */
unsigned long long cli_parse_size(const char *opt, const char *arg);
/* CPU list "0-3,8,10-11" into cpus[]; returns the count.  Bad syntax, a CPU this
 * process may not run on, or more than max entries: usage error. */
int cli_parse_cpus(const char *opt, const char *arg, int *cpus, int max);
/* A comma list of sizes (is_size) or numbers from min to hi, at most max, no empty
 * item, none twice (results/parse.h): usage error otherwise. */
int cli_parse_list(const char *opt, const char *arg, unsigned long long *out, int max,
		   unsigned long long min, unsigned long long hi, bool is_size);

/* The output path must be creatable: checked before a long run starts, so a bad
 * --json gets exit 2 at once instead of losing the run. */
void cli_check_output_path(const char *opt, const char *path);
/* The same for an output directory (--save, --corpus): an existing directory we
 * can create files in, or a path whose deepest existing ancestor is one. */
void cli_check_output_dir(const char *opt, const char *path);

/* `--json -`: the JSON document alone goes to stdout, the human report to stderr
 * (call before printing anything).  No-op for any other path. */
void cli_json_stdout(const char *json_path);

/* --deps explicit|provenance|check (emulator dependency source): usage error on
 * anything else.  CLI_DEPS_HELP is the option's help text. */
#define CLI_DEPS_HELP                                                                              \
	"where address dependencies come from: explicit (declared by the code), provenance "       \
	"(inferred from pointer ranges), check (explicit, and report every load where the two "    \
	"disagree; exit 1 if any) (default: explicit)"
int cli_parse_deps(const char *arg);

/* Is stderr a terminal (for live progress lines)? */
bool cli_stderr_is_tty(void);

/* The header line "  switches: ..." of a custom variant (nothing for a named one,
 * whose name says it all). */
void cli_print_switches(const struct ss_alloc_config *a);

/* --races MODE (NULL: report); a bad value is a usage error (exit 2). */
enum ss_races_mode cli_parse_races(const char *arg);

extern int cli_argc; /* the whole command line, for result records */
extern char **cli_argv;

#endif /* SS_CLI_H */
