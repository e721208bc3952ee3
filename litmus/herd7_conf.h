/* litmus/herd7_conf.h - herd7's configuration as the herd7 stand-in
 * (cmd/herd7.c) reads it: where herd7 looks for a named file (as given, next
 * to the -conf file, each -I directory, the library directory), the settings a
 * -conf file makes ("key value" lines: model/cat, bell, macros), and the macro
 * names a linux-kernel.def defines (lit_parse_opts.macros). */
#ifndef SS_LITMUS_HERD7_CONF_H
#define SS_LITMUS_HERD7_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define LIT_HERD7_MAX_DIRS   16
#define LIT_HERD7_MAX_MACROS 512

struct lit_herd7_conf {
	const char *dirs[LIT_HERD7_MAX_DIRS]; /* -I, in order */
	int ndirs;
	const char *libdir; /* -set-libdir, or NULL */
	char conf_dir[512]; /* the -conf file's directory, once read */
	char model[512], bell[512], macros[512];
	double timeout_s;			 /* -timeout; 0: none */
	char *macro_names[LIT_HERD7_MAX_MACROS]; /* lit_herd7_read_macros; malloc'ed */
	int nmacros;
};

/* herd7's search for name; out gets the path found (or name itself).
 * Returns whether it is a regular file. */
bool lit_herd7_find(const struct lit_herd7_conf *h, const char *name, char *out, size_t n);
/* Reads the -conf file name (found by lit_herd7_find): its model/cat, bell and
 * macros settings replace h's; (* ... *) and # comments are skipped.  Returns
 * 0, or -1 with a one-line message in err. */
int lit_herd7_read_conf(struct lit_herd7_conf *h, const char *name, char *err, size_t errlen);
/* The names h->macros (a linux-kernel.def) defines: "NAME(args) body" lines.
 * No file set or found: none (the parser's built-in list applies). */
void lit_herd7_read_macros(struct lit_herd7_conf *h);
void lit_herd7_conf_free(struct lit_herd7_conf *h);

#endif /* SS_LITMUS_HERD7_CONF_H */
