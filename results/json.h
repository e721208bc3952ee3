/* results/json.h - result documents: one emitter (jansson), one versioned schema,
 * written atomically (temporary file in the same directory, fsync, rename).
 *
 * Every document starts with the same header:
 *   { "schema": "slabstress-<kind>/<N>", "tool": "slabstress", "version": "...",
 *     "command": [argv...], "host": { "cpu_model", "cpus_online", "kernel", "arch" },
 *     "started": ISO-8601 time, ... }
 * Stable fields (parameters, verdicts, failures) and volatile ones (timings,
 * throughput) are kept apart: volatile values go under "timing".
 */
#ifndef SS_RES_JSON_H
#define SS_RES_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "results/failure.h"
#include "results/failures.h"

#define SS_SCHEMA_VERSION 1

/* A new document with the common header; kind is "run", "explore", "litmus", ... */
json_t *res_doc_new(const char *kind, int argc, char **argv);
/* A failure as an object {kind, cpu, site{file,line,func,expr}, message}. */
json_t *res_failure_json(const struct ss_failure *f);
/* All failures of a log: {"total", "by_kind": {...}, "first": [...]} */
json_t *res_failure_log_json(const struct ss_failure_log *log);
/* Opens an input file for reading without ever blocking in open(): a FIFO that no
 * process writes to reads as empty at once (a plain fopen() would wait for a
 * writer for ever); a pipe or FIFO with a writer (`<(...)`, /dev/stdin) reads as
 * usual.  NULL with errno set if it cannot be opened. */
FILE *res_open_input(const char *path);
/* Reads a JSON document under explicit limits: path must be a file (a directory
 * is named as one), at most max_bytes long (a stream like /dev/zero is cut at the
 * limit), nested at most max_depth arrays/objects deep.  what names the kind of
 * file in messages ("reproducer", "bench result").  Returns the document, or NULL:
 * with err set for a limit or an unreadable file (one line naming the file, the
 * limit and the value), else with *je describing the JSON syntax error. */
json_t *res_json_load_limited(const char *path, const char *what, size_t max_bytes, int max_depth,
			      json_error_t *je, char *err, size_t errlen);

/* Where "-" writes: the process's stdout unless res_json_stdout_take() moved it. */
FILE *res_json_stdout(void);
/* For `--json -`: keeps the real stdout for the JSON document alone and points
 * file descriptor 1 (and so every printf of the human report) at stderr.
 * Returns 0, or -1 when the descriptors cannot be duplicated. */
int res_json_stdout_take(void);
/* Writes doc to path atomically ("-" = stdout).  Returns 0, or -1 with err set. */
int res_write_atomic(json_t *doc, const char *path, char *err, size_t errlen);

#endif /* SS_RES_JSON_H */
