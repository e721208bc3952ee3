/* cmd/herd7.c - slabstress run under the name herd7 (argv[0]'s basename, e.g.
 * the link `make install` puts in PREFIX/libexec/slabstress/herd7), or as
 * `slabstress herd7`: herd7's command line and output, so the kernel's
 * tools/memory-model/scripts (checkalllitmus.sh, checklitmus.sh, judgelitmus.sh,
 * ...) run on slabstress unchanged with that directory first on PATH.
 *
 * Taken: -conf FILE (read: its model must be linux-kernel.cat, the LKMM; its
 * macros file gives the names herd7 would know), -model/-cat, -bell, -macros,
 * -I DIR, -set-libdir DIR, -timeout SECONDS, -version, -q, -v.  Every other
 * herd7 option (drawing: -show, -gv, -o, -graph, ...; -variant and the like) is
 * accepted and ignored.  Output: herd7's block per test on stdout; a file herd7
 * would refuse gets herd7's line on stderr ("Warning: File "F": Unknown macro
 * NAME (User error)"), a construct the engine cannot run "Warning: File "F":
 * unsupported by slabstress: WHAT"; a test past -timeout prints nothing, as in
 * herd7.  Exit status 0 after the files, as herd7; 2 for a bad command line or
 * configuration.  The -conf file and macro reading are litmus/herd7_conf.c, the
 * file loop litmus/batch.c (lit_batch_herd7).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "litmus/batch.h"
#include "litmus/herd7_conf.h"

static void h7_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void h7_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "herd7 (slabstress): ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(SS_EXIT_USAGE);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void h7_usage(FILE *f)
{
	fprintf(f,
		"Usage: herd7 [-conf linux-kernel.cfg] [options] FILE.litmus...\n"
		"slabstress %s standing in for herd7 with the Linux-kernel memory model "
		"(LKMM).\n"
		"Taken: -conf FILE, -model FILE, -bell FILE, -macros FILE, -I DIR, "
		"-set-libdir DIR,\n"
		"-timeout SECONDS, -version, -q, -v; herd7's other options are ignored.\n"
		"See slabstress(1), HERD7 COMPATIBILITY.\n",
		SS_VERSION);
}

/* herd7's options without an argument; every other one takes one. */
static bool h7_no_arg(const char *o)
{
	static const char *const w[] = {"-v",	   "-q",       "-web",	   "-c11",    "-gv",
					"-evince", "-preview", "-version", "-libdir", NULL};
	for (int i = 0; w[i]; i++)
		if (!strcmp(o, w[i]))
			return true;
	return false;
}

/* One option with its value (a bad -timeout is a usage error). */
static void h7_option(struct lit_herd7_conf *h, const char *a, const char *v, const char **conf)
{
	if (!strcmp(a, "-conf"))
		*conf = v;
	else if (!strcmp(a, "-model") || !strcmp(a, "-cat"))
		snprintf(h->model, sizeof(h->model), "%s", v);
	else if (!strcmp(a, "-bell"))
		snprintf(h->bell, sizeof(h->bell), "%s", v);
	else if (!strcmp(a, "-macros"))
		snprintf(h->macros, sizeof(h->macros), "%s", v);
	else if (!strcmp(a, "-I")) {
		if (h->ndirs < LIT_HERD7_MAX_DIRS)
			h->dirs[h->ndirs++] = v;
	} else if (!strcmp(a, "-set-libdir"))
		h->libdir = v;
	else if (!strcmp(a, "-timeout")) {
		char *e;
		errno = 0;
		h->timeout_s = strtod(v, &e);
		if (errno || *e || h->timeout_s < 0)
			h7_error("cannot parse -timeout '%s': expected seconds, like 30 or 0.5", v);
	}
	/* anything else: herd7's drawing and tuning options, ignored */
}

/* herd7's command line into h and files[]; returns the file count, or -1 when
 * an informational option (-help, -version, -libdir) has answered already. */
static int h7_parse_args(struct lit_herd7_conf *h, int argc, char **argv, char **files,
			 const char **conf)
{
	int nfiles = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1]) {
			files[nfiles++] = argv[i];
			continue;
		}
		if (!strcmp(a, "-help") || !strcmp(a, "--help")) {
			h7_usage(stdout);
			return -1;
		}
		if (!strcmp(a, "-version")) {
			printf("7.58+1 (slabstress %s)\n", SS_VERSION);
			return -1;
		}
		if (h7_no_arg(a)) {
			if (!strcmp(a, "-libdir")) {
				printf("%s\n", h->libdir ? h->libdir : ".");
				return -1;
			}
			continue;
		}
		if (i + 1 >= argc)
			h7_error("option %s needs an argument", a);
		h7_option(h, a, argv[++i], conf);
	}
	return nfiles;
}

/* The -conf file's settings, under those of the command line. */
static void h7_apply_conf(struct lit_herd7_conf *h, const char *conf)
{
	char m[512], b[512], mc[512];
	snprintf(m, sizeof(m), "%s", h->model);
	snprintf(b, sizeof(b), "%s", h->bell);
	snprintf(mc, sizeof(mc), "%s", h->macros);
	char err[1024];
	if (lit_herd7_read_conf(h, conf, err, sizeof(err)))
		h7_error("%s", err);
	if (m[0])
		snprintf(h->model, sizeof(h->model), "%s", m);
	if (b[0])
		snprintf(h->bell, sizeof(h->bell), "%s", b);
	if (mc[0])
		snprintf(h->macros, sizeof(h->macros), "%s", mc);
}

/* Only the LKMM: its cat file, its bell file. */
static void h7_check_model(const struct lit_herd7_conf *h, const char *conf)
{
	if (!h->model[0])
		h7_error("no model: pass -conf linux-kernel.cfg (from the kernel's "
			 "tools/memory-model) or -model linux-kernel.cat");
	if (strcmp(base_name(h->model), "linux-kernel.cat"))
		h7_error("model '%s'%s%s: only the Linux-kernel memory model (linux-kernel.cat, "
			 "as selected by linux-kernel.cfg) is supported",
			 h->model, conf ? " from -conf " : "", conf ? conf : "");
	if (h->bell[0] && strcmp(base_name(h->bell), "linux-kernel.bell"))
		h7_error("bell file '%s': only linux-kernel.bell (the LKMM's) is supported",
			 h->bell);
}

int cmd_herd7(int argc, char **argv)
{
	struct lit_herd7_conf h = {0};
	char **files = calloc((size_t)argc + 1, sizeof(char *));
	if (!files)
		cli_internal_error("out of memory");
	const char *conf = NULL;
	int nfiles = h7_parse_args(&h, argc, argv, files, &conf);
	if (nfiles < 0)
		return 0;
	if (conf) /* command-line -model/-bell/-macros win over the file's */
		h7_apply_conf(&h, conf);
	h7_check_model(&h, conf);
	if (!nfiles)
		h7_error("expected FILE.litmus arguments (reading test names from stdin is not "
			 "supported)");
	lit_herd7_read_macros(&h);
	struct lit_parse_opts po = {
	    .macros = h.nmacros ? (const char *const *)h.macro_names : NULL,
	    .nmacros = h.nmacros,
	};
	struct lit_files fl = {0};
	for (int i = 0; i < nfiles; i++)
		lit_files_add(&fl, files[i]);
	lit_batch_herd7(&fl, &po, h.timeout_s, stdout, stderr);
	lit_files_free(&fl);
	lit_herd7_conf_free(&h);
	free(files);
	return 0;
}
