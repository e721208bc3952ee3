/* litmus/batch.h - judging a list of C-litmus files (a directory stands for
 * every *.litmus under it, litmus/files.c) on one engine and model, as
 * `slabstress litmus` and the herd7 stand-in do: each file parsed, run and
 * reported in text, herd7's block or JSON; a file that cannot be read, parsed
 * or supported gets one line of its own and is counted apart, and the others
 * still run.  The tally of verdicts decides the exit status.
 */
#ifndef SS_LITMUS_BATCH_H
#define SS_LITMUS_BATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "litmus/litmus.h"

enum lit_format {
	LIT_FORMAT_TEXT, /* lit_print: herd7-style report (quiet: one line per test) */
	LIT_FORMAT_JSON, /* nothing printed per test; the JSON document says it all */
	LIT_FORMAT_HERD, /* lit_print_herd: herd7's own block per test */
};

struct lit_batch_opts {
	struct lit_opts run; /* engine, model, limits */
	enum lit_format format;
	bool quiet;
	bool batch;    /* several files or a directory: a file that fails gets its own line;
			* else its parse error ends the run (usage error) */
	FILE *out;     /* the tests' reports */
	FILE *rep;     /* lines that are not a test's report (herd7's block: keep apart) */
	FILE *diag;    /* "gave up" warnings */
	json_t *tests; /* NULL, or an array that gets one object per file */
};

/* What happened to the files of a run. */
struct lit_tally {
	unsigned tests;
	unsigned agree, disagree, unsup, none, incomplete, errors, misses, alarms;
	unsigned failed, unreadable, syntax, macros, limits, gave_up;
};

/* Runs every file of fl in order, adding to *c.  Returns 0; -1 when a file
 * alone (not o->batch) cannot be parsed: err holds its one-line message. */
int lit_batch_run(const struct lit_files *fl, const struct lit_batch_opts *o, struct lit_tally *c,
		  char *err, size_t errlen);

/* "N tests: A agree, D disagree, ... (model M; ...)" */
void lit_batch_summary(char *buf, size_t n, const struct lit_tally *c, enum wmm_model model);
/* Prints the summary and, when only misses disagree, the --misses-ok hint. */
void lit_batch_print_summary(FILE *f, const struct lit_tally *c, enum wmm_model model,
			     bool misses_ok);
/* 0 every verdict agrees; 1 a false alarm, an incomplete or failed test, an
 * error, or a miss (unless misses_ok); 3 a test gave up (--max-candidates). */
int lit_batch_exit_status(const struct lit_tally *c, bool misses_ok);
/* The tally as the document's "summary" object. */
json_t *lit_tally_json(const struct lit_tally *c);
/* The run's result document (schema slabstress-litmus); takes over tests. */
json_t *lit_batch_json(const struct lit_opts *run, json_t *tests, const struct lit_tally *c,
		       int exit_status, int argc, char **argv);

/* herd7's way over the same files (the herd7 stand-in): po's macros, LKMM,
 * timeout_s per test (0: none); herd7's block on out, herd7's warnings on
 * warn ("Warning: File "F": ..."); a test past the timeout prints nothing. */
void lit_batch_herd7(const struct lit_files *fl, const struct lit_parse_opts *po, double timeout_s,
		     FILE *out, FILE *warn);

#endif /* SS_LITMUS_BATCH_H */
