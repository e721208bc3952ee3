/* cmd/cli.c - shared front-end pieces: the scenario/knob option group, strict value
 * parsers, and the one-line usage errors of the exit-status contract. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "engine/emu.h"
#include "results/json.h"
#include "results/parse.h"
#include "scenarios/plugin.h"

int cli_argc;
char **cli_argv;

/* The real stderr while argp's output is being captured (see cli_parse). */
static FILE *real_stderr;

static FILE *err_stream(void)
{
	return real_stderr ? real_stderr : stderr;
}

/* Longest error line printed whole: a longer one (a huge bad value echoed) keeps
 * its start (the option, the value's head) and its end (what was expected). */
#define CLI_ERROR_MAX 600

/* "slabstress: <prefix><message>" on the error stream as one line (control
 * characters of an echoed value become '?'), then exit(status). */
static __attribute__((noreturn)) void die(int status, const char *prefix, const char *fmt,
					  va_list ap)
{
	FILE *f = err_stream();
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	fprintf(f, "slabstress: %s", prefix);
	if (msg) {
		size_t n = strlen(msg);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
				msg[i] = '?';
		if (n > CLI_ERROR_MAX)
			fprintf(f, "%.*s [... %zu bytes cut ...] %s", CLI_ERROR_MAX / 2, msg,
				n - CLI_ERROR_MAX / 2 - CLI_ERROR_MAX / 3,
				msg + n - CLI_ERROR_MAX / 3);
		else
			fputs(msg, f);
		free(msg);
	} else {
		fputs("(out of memory formatting the message)", f);
	}
	fputc('\n', f);
	exit(status);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	die(SS_EXIT_USAGE, "", fmt, ap);
}

void cli_internal_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	die(SS_EXIT_INTERNAL, "internal error: ", fmt, ap);
}

unsigned long long cli_parse_ull(const char *opt, const char *arg, unsigned long long min,
				 unsigned long long max)
{
	char *end;
	errno = 0;
	if (!arg || !*arg || !isdigit((unsigned char)arg[0]))
		cli_usage_error("cannot parse %s '%s': expected a whole number from %llu to %llu",
				opt, arg ? arg : "", min, max);
	unsigned long long v = strtoull(arg, &end, 0);
	if (errno || *end || v < min || v > max)
		cli_usage_error("cannot parse %s '%s': expected a whole number from %llu to %llu",
				opt, arg, min, max);
	return v;
}

double cli_parse_duration(const char *opt, const char *arg)
{
	char *end;
	errno = 0;
	double v = arg && *arg ? strtod(arg, &end) : -1;
	double mult = 1;
	if (arg && *arg && !errno) {
		if (!strcmp(end, "") || !strcmp(end, "s"))
			mult = 1;
		else if (!strcmp(end, "ms"))
			mult = 1e-3;
		else if (!strcmp(end, "m"))
			mult = 60;
		else if (!strcmp(end, "h"))
			mult = 3600;
		else
			v = -1;
	}
	if (errno || !(v > 0) || v * mult > 7 * 86400.0)
		cli_usage_error("cannot parse %s '%s': expected a positive duration like 10, 10s, "
				"500ms, 2m or 1h (at most a week)",
				opt, arg ? arg : "");
	return v * mult;
}

unsigned long long cli_parse_size(const char *opt, const char *arg)
{
	unsigned long long v;
	char err[512];
	if (ss_parse_size(opt, arg, &v, err, sizeof(err)))
		cli_usage_error("%s", err);
	return v;
}

int cli_parse_cpus(const char *opt, const char *arg, int *cpus, int max)
{
	cpu_set_t allowed;
	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		cli_internal_error("sched_getaffinity: %s", strerror(errno));
	char err[512];
	int n = ss_parse_cpu_list(opt, arg, &allowed, cpus, max, err, sizeof(err));
	if (n < 0)
		cli_usage_error("%s", err);
	return n;
}

int cli_parse_list(const char *opt, const char *arg, unsigned long long *out, int max,
		   unsigned long long min, unsigned long long hi, bool is_size)
{
	char err[512];
	int n = ss_parse_list(opt, arg, out, max, min, hi, is_size, err, sizeof(err));
	if (n < 0)
		cli_usage_error("%s", err);
	return n;
}

/* Can a file be created in dir?  Tried, not guessed: access(2) says yes to root on
 * any directory, and /proc says yes to access but no to creat.  0, or an errno. */
static int probe_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	char tmp[4200];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.slabstress-probe.XXXXXX", dir) >= sizeof(tmp))
		return ENAMETOOLONG;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return errno;
	close(fd);
	unlink(tmp);
	return 0;
}

/* The deepest existing ancestor of path (path itself included) into buf. */
static void existing_ancestor(const char *path, char *buf, size_t n)
{
	snprintf(buf, n, "%s", path);
	for (;;) {
		size_t l = strlen(buf);
		while (l > 1 && buf[l - 1] == '/')
			buf[--l] = 0;
		struct stat st;
		if (stat(buf, &st) == 0 || (errno != ENOENT && errno != ENOTDIR))
			return;
		char *slash = strrchr(buf, '/');
		if (!slash) {
			snprintf(buf, n, ".");
			return;
		}
		if (slash == buf)
			slash[1] = 0;
		else
			*slash = 0;
	}
}

static void output_dir_error(const char *opt, const char *path, const char *dir, int e)
{
	if (e == ENOTDIR)
		cli_usage_error("cannot write %s '%s': '%s' is not a directory", opt, path, dir);
	cli_usage_error("cannot write %s '%s': cannot create files in directory '%s' (%s)", opt,
			path, dir, strerror(e));
}

void cli_check_output_path(const char *opt, const char *path)
{
	if (!path || !strcmp(path, "-"))
		return;
	if (!*path)
		cli_usage_error("%s '': expected a file path", opt);
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		cli_usage_error("cannot write %s '%s': it is a directory, expected a file", opt,
				path);
	char *copy = strdup(path);
	if (!copy)
		cli_internal_error("out of memory");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	free(copy);
	struct stat ds;
	if (stat(dir, &ds) != 0 && errno == ENOENT) {
		char anc[4096];
		existing_ancestor(dir, anc, sizeof(anc));
		struct stat as;
		if (stat(anc, &as) == 0 && !S_ISDIR(as.st_mode))
			output_dir_error(opt, path, anc, ENOTDIR);
		cli_usage_error("cannot write %s '%s': directory '%s' does not exist", opt, path,
				dir);
	}
	int e = probe_dir(dir);
	if (e)
		output_dir_error(opt, path, dir, e);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		cli_usage_error("cannot write %s '%s': not a regular file (it is replaced by "
				"rename)",
				opt, path);
}

void cli_check_output_dir(const char *opt, const char *path)
{
	if (!path)
		return;
	if (!*path)
		cli_usage_error("%s '': expected a directory", opt);
	struct stat st;
	if (stat(path, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			cli_usage_error("cannot use %s '%s': it is a file, expected a directory",
					opt, path);
		int e = probe_dir(path);
		if (e)
			output_dir_error(opt, path, path, e);
		return;
	}
	/* Created when first needed: the deepest existing ancestor must take it. */
	char anc[4096];
	existing_ancestor(path, anc, sizeof(anc));
	int e = probe_dir(anc);
	if (e)
		output_dir_error(opt, path, anc, e);
}

void cli_json_stdout(const char *json_path)
{
	if (json_path && !strcmp(json_path, "-") && res_json_stdout_take() != 0)
		cli_internal_error("cannot keep stdout for --json -: %s", strerror(errno));
}

enum ss_races_mode cli_parse_races(const char *arg)
{
	enum ss_races_mode m = SS_RACES_REPORT;
	if (arg && ss_races_parse(arg, &m) != 0)
		cli_usage_error("unknown --races '%s': expected one of report, fail, ignore", arg);
	return m;
}

void cli_print_switches(const struct ss_alloc_config *a)
{
	if (a->variant != SS_VARIANT_CUSTOM)
		return;
	char sw[512];
	ss_switches_format(a->switches, a->stride_bits, sw, sizeof(sw));
	printf("  switches: %s\n", sw);
}

bool cli_stderr_is_tty(void)
{
	return isatty(2);
}

/* ---- the scenario option group ---- */

enum {
	OPT_VARIANT = 0x1000,
	OPT_ALLOC,
	OPT_STRIDE_BITS,
	OPT_OBJEXT,
	OPT_OBJECT_SIZE,
	OPT_PAGE_SIZE,
	OPT_SEED,
	OPT_OBJCG_REFS,
	OPT_SET,
};

static const struct argp_option scenario_options[] = {
    {0, 0, 0, 0, "Scenario and allocator:", 1},
    {"scenario", 's', "NAME", 0,
     "handoff scenario to run (see `slabstress list scenarios`), or a scenario file: ./x.c "
     "(compiled and cached) or ./x.so",
     1},
    {"variant", OPT_VARIANT, "V", 0,
     "slab code variant: rc1, early-stride, wmb-rmb, fixed, or custom (rc1's switches, to "
     "change with --set) (default: fixed)",
     1},
    {"set", OPT_SET, "SW=VAL,...", 0,
     "slab model switches over the variant's (`slabstress list variants -v`): stride=late|early, "
     "wmb-after-stride=off|on, inobj-order=exts-first|stride-first, rmb-before-stride=off|on, "
     "stride-access=plain|once, obj-exts-read=once|acquire, stride-bits=16|32; a named variant "
     "whose switches change runs as custom",
     1},
    {"alloc", OPT_ALLOC, "A", 0,
     "allocator: slab, jemalloc, libc (default: slab; bench: the comma list "
     "slab,jemalloc,libc)",
     1},
    {"seed", OPT_SEED, "N", 0,
     "seed of every random choice (default: 1; fuzz: libFuzzer's own, from the clock)", 1},
    {0, 0, 0, 0, "Slab model knobs:", 2},
    {"stride-bits", OPT_STRIDE_BITS, "16|32", 0,
     "width of slab->stride (default: 16 for rc1/early-stride/wmb-rmb, 32 for fixed)", 2},
    {"objext", OPT_OBJEXT, "P", 0,
     "obj_exts placement: separate, leftover, in-object (default: separate)", 2},
    {"object-size", OPT_OBJECT_SIZE, "BYTES", 0, "object size (default: 64)", 2},
    {"page-size", OPT_PAGE_SIZE, "BYTES", 0, "PAGE_SIZE of the modelled machine (default: 4096)",
     2},
    {"objcg-refs", OPT_OBJCG_REFS, "MODE", 0,
     "obj_cgroup refcount: percpu (percpu_ref in per-CPU mode, unordered per-CPU adds; an "
     "extra put shows at quiescence) or atomic (killed percpu_ref, as after memcg offline: "
     "fully ordered puts, underflow caught at once) (default: percpu)",
     2},
    {0},
};

static error_t scenario_parse(int key, char *arg, struct argp_state *state)
{
	struct cli_scenario_opts *o = state->input;
	switch (key) {
	case 's': o->scenario_name = arg; break;
	case OPT_VARIANT: o->variant_name = arg; break;
	case OPT_SET: o->set_switches = arg; break;
	case OPT_ALLOC: o->alloc_name = arg; break;
	case OPT_OBJEXT: o->objext_name = arg; break;
	case OPT_STRIDE_BITS:
		o->stride_bits = (unsigned)cli_parse_ull("--stride-bits", arg, 16, 32);
		if (o->stride_bits != 16 && o->stride_bits != 32)
			cli_usage_error("cannot parse --stride-bits '%s': expected 16 or 32", arg);
		break;
	case OPT_OBJECT_SIZE: o->object_size = cli_parse_size("--object-size", arg); break;
	case OPT_PAGE_SIZE: o->page_size = cli_parse_size("--page-size", arg); break;
	case OPT_OBJCG_REFS:
		if (strcmp(arg, "percpu") && strcmp(arg, "atomic"))
			cli_usage_error("unknown --objcg-refs '%s': expected percpu or atomic",
					arg);
		o->objcg_atomic = !strcmp(arg, "atomic");
		break;
	case OPT_SEED:
		o->seed = cli_parse_ull("--seed", arg, 0, ~0ULL);
		o->seed_set = true;
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cli_scenario_argp = {scenario_options, scenario_parse, 0, 0, 0, 0, 0};

void cli_scenario_defaults(struct cli_scenario_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
}

static void list_names_error(const char *opt, const char *bad, const char *what,
			     const char *const *names, int n)
{
	char buf[512] = "";
	for (int i = 0; i < n; i++) {
		strncat(buf, names[i], sizeof(buf) - strlen(buf) - 3);
		if (i + 1 < n)
			strncat(buf, ", ", sizeof(buf) - strlen(buf) - 1);
	}
	cli_usage_error("unknown %s '%s': expected %s: %s", opt, bad, what, buf);
}

/* --set over the variant's row: a named variant whose switches change becomes
 * custom (its width alone is --stride-bits, and keeps the name). */
static void apply_switches(struct ss_alloc_config *a, const char *spec, const char *where)
{
	char err[512];
	unsigned row = ss_variant_switches(a->variant), switches = row;
	if (ss_switches_apply(spec, &switches, &a->stride_bits, err, sizeof(err)))
		cli_usage_error("%s: %s", where, err);
	if (a->variant == SS_VARIANT_CUSTOM || switches != row) {
		a->variant = SS_VARIANT_CUSTOM;
		a->switches = switches;
	}
}

/* "V:SW=VAL+SW=VAL" (a matrix column: commas separate the variants there) into
 * the variant name and a --set list.  False when name has no ':'. */
static bool variant_with_switches(const char *name, char *base, size_t nb, char *set, size_t ns)
{
	const char *colon = strchr(name, ':');
	if (!colon)
		return false;
	if ((size_t)(colon - name) >= nb || strlen(colon + 1) >= ns || !colon[1])
		cli_usage_error("bad variant '%s': expected NAME or NAME:SW=VAL+SW=VAL...", name);
	snprintf(base, nb, "%.*s", (int)(colon - name), name);
	snprintf(set, ns, "%s", colon + 1);
	for (char *p = set; *p; p++)
		if (*p == '+')
			*p = ',';
	return true;
}

void cli_scenario_finish(struct cli_scenario_opts *o, bool need_scenario)
{
	const char *names[64];
	int n;

	if (o->scenario_name && ss_plugin_is_path(o->scenario_name)) {
		char err[PATH_MAX + 256];
		o->scn = ss_plugin_load(o->scenario_name, err, sizeof(err));
		if (!o->scn)
			cli_usage_error("%s", err);
	} else if (o->scenario_name) {
		o->scn = ss_scenario_find(o->scenario_name);
		if (!o->scn) {
			for (n = 0; ss_scenarios[n] && n < 64; n++)
				names[n] = ss_scenarios[n]->name;
			list_names_error("scenario", o->scenario_name, "one of", names, n);
		}
	} else if (need_scenario) {
		cli_usage_error(
		    "no scenario given: expected -s NAME (see `slabstress list scenarios`)");
	}

	int variant = SS_VARIANT_FIXED;
	char vname[64], vset[512];
	const char *set = o->set_switches, *where = "--set";
	if (o->variant_name &&
	    variant_with_switches(o->variant_name, vname, sizeof(vname), vset, sizeof(vset))) {
		if (set)
			cli_usage_error("variant '%s' carries its switches: give them there or "
					"in --set, not both",
					o->variant_name);
		where = o->variant_name;
		o->variant_name = vname;
		set = vset;
	}
	if (o->variant_name) {
		variant = ss_variant_from_name(o->variant_name);
		if (variant < 0) {
			for (n = 0; n <= SS_VARIANT_CUSTOM; n++)
				names[n] = ss_variant_name(n);
			list_names_error("variant", o->variant_name, "one of", names, n);
		}
	}
	if (!o->alloc_list_ok || !o->alloc_name || !strchr(o->alloc_name, ',')) {
		o->alloc = ss_alloc_find(o->alloc_name ? o->alloc_name : "slab");
		if (!o->alloc) {
			for (n = 0; ss_allocators[n]; n++)
				names[n] = ss_allocators[n]->name;
			list_names_error("allocator", o->alloc_name, "one of", names, n);
		}
	}
	int objext = SS_OBJEXT_SEPARATE;
	if (o->objext_name) {
		objext = ss_objext_from_name(o->objext_name);
		if (objext < 0) {
			for (n = 0; n <= SS_OBJEXT_IN_OBJECT; n++)
				names[n] = ss_objext_name(n);
			list_names_error("--objext", o->objext_name, "one of", names, n);
		}
	}
	struct ss_alloc_config *a = &o->acfg;
	memset(a, 0, sizeof(*a));
	a->variant = (enum ss_variant)variant;
	a->stride_bits = o->stride_bits ? o->stride_bits : ss_variant_default_stride_bits(variant);
	if (set)
		apply_switches(a, set, where);
	a->objext = (enum ss_objext_placement)objext;
	a->object_size = o->object_size ? o->object_size : 64;
	a->page_size = o->page_size ? o->page_size : 4096;
	if (a->page_size < 4096 || a->page_size > (1u << 20) || (a->page_size & (a->page_size - 1)))
		cli_usage_error("bad --page-size %zu: expected a power of two from 4096 to 1M",
				a->page_size);
	if (a->object_size < 8 || a->object_size > (1u << 22))
		cli_usage_error("bad --object-size %zu: expected 8 to 4M bytes", a->object_size);
	a->account =
	    o->scn ? o->scn->needs_account || o->scn->handoff != SS_HANDOFF_ALLOCATOR : true;
	a->ncpus = o->scn ? o->scn->nroles : 2;
	a->nobjcgs = 2;
	a->max_objects = 4096;
	a->objcg_atomic = o->objcg_atomic;
	if (o->scn && o->scn->slab_only && o->alloc && strcmp(o->alloc->name, "slab"))
		cli_usage_error(
		    "scenario '%s' needs --alloc slab (it exercises the slab model itself), "
		    "not '%s'",
		    o->scn->name, o->alloc->name);
}

/* argp wraps its post-doc text at 79 columns, breaking example commands across
 * lines.  The help filter takes the post-doc away from argp, and it is printed
 * at exit (argp's --help exits right after writing the rest of the help, so it
 * lands at the end, where argp would have put it): indented lines (usage and
 * examples) verbatim, paragraphs wrapped at word boundaries. */
static char *post_doc;

static void print_post_doc(void)
{
	if (!post_doc)
		return;
	putchar('\n');
	for (char *line = post_doc; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (line[0] == ' ' || len <= 79) {
			printf("%.*s\n", (int)len, line);
		} else {
			size_t col = 0;
			for (size_t i = 0; i < len;) {
				size_t w = 0;
				while (i + w < len && line[i + w] != ' ')
					w++;
				if (col && col + 1 + w > 79) {
					putchar('\n');
					col = 0;
				} else if (col) {
					putchar(' ');
					col++;
				}
				printf("%.*s", (int)w, line + i);
				col += w;
				i += w;
				while (i < len && line[i] == ' ')
					i++;
			}
			putchar('\n');
		}
		line = nl ? nl + 1 : NULL;
	}
	free(post_doc);
	post_doc = NULL;
}

static char *help_filter(int key, const char *text, void *input)
{
	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC || !text)
		return (char *)text;
	if (!post_doc) {
		post_doc = strdup(text);
		if (post_doc)
			atexit(print_post_doc);
	}
	return post_doc ? NULL : (char *)text;
}

void cli_parse(const struct argp *argp_in, int argc, char **argv_in, void *input)
{
	struct argp argp_copy = *argp_in;
	if (!argp_copy.help_filter)
		argp_copy.help_filter = help_filter;
	const struct argp *argp = &argp_copy;
	/* argp names the program after argv[0]: make it "slabstress CMD". */
	char name[64];
	char *argv_copy[argc + 1];
	snprintf(name, sizeof(name), "slabstress %s", argv_in[0]);
	argv_copy[0] = name;
	for (int i = 1; i <= argc; i++)
		argv_copy[i] = argv_in[i];
	char **argv = argv_copy;

	argp_err_exit_status = SS_EXIT_USAGE;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-?") || !strncmp(argv[i], "--he", 4) ||
		    !strncmp(argv[i], "--us", 4) || !strcmp(argv[i], "-V") ||
		    !strncmp(argv[i], "--vers", 6)) {
			/* Help goes to stdout and exits 0: argp as usual. */
			argp_parse(argp, argc, argv, 0, 0, input);
			return;
		}
	}
	/* argp reports a bad option in two lines (getopt's message, then "Try ...");
	 * the contract is one line, so capture its output and keep the first. */
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		argp_parse(argp, argc, argv, 0, 0, input);
		return;
	}
	real_stderr = stderr;
	stderr = mem;
	error_t e = argp_parse(argp, argc, argv, ARGP_NO_EXIT, 0, input);
	stderr = real_stderr;
	real_stderr = NULL;
	fclose(mem);
	if (e) {
		char *nl = strchr(buf, '\n');
		if (nl)
			*nl = 0;
		/* getopt's message starts with the program name: drop it. */
		char *msg = buf;
		if (!strncmp(msg, name, strlen(name)) && msg[strlen(name)] == ':')
			msg += strlen(name) + 2;
		fprintf(stderr, "slabstress: %s: %s (see slabstress %s --help)\n", argv_in[0],
			*msg ? msg : "bad arguments", argv_in[0]);
		free(buf);
		exit(SS_EXIT_USAGE);
	}
	if (len)
		fputs(buf, stderr);
	free(buf);
}

int cli_parse_deps(const char *arg)
{
	enum emu_deps d;
	if (emu_deps_parse(arg, &d) != 0)
		cli_usage_error("unknown --deps '%s': expected explicit, provenance or check",
				arg ? arg : "");
	return (int)d;
}
