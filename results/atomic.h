/* results/atomic.h - a file written whole or not at all: the bytes go to a
 * temporary file next to PATH (DIR/.NAME.XXXXXX), which is synced and renamed
 * over PATH only when everything was written.  SIGINT, SIGTERM and SIGHUP wait
 * while the temporary file exists, so a hard stop (a second signal) never
 * leaves it behind half-written: it is either renamed or removed before a
 * handler runs.  Used for JSON results (res_write_atomic) and the graph
 * explorer's --resume state (engine/gx_state.c). */
#ifndef SS_RESULTS_ATOMIC_H
#define SS_RESULTS_ATOMIC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct res_atomic {
	FILE *f; /* write here between begin and end */
	char tmp[4200];
	const char *path;
	sigset_t old;
	int fd;
};

/* Blocks the stop signals and opens the temporary file for path: 0, or -1
 * with err (signals restored). */
int res_atomic_begin(struct res_atomic *a, const char *path, char *err, size_t errlen);
/* ok: everything was written; then the file is flushed, synced and renamed
 * over path, else (or on any error) removed.  Restores the signal mask.  0, or
 * -1 with err. */
int res_atomic_end(struct res_atomic *a, bool ok, char *err, size_t errlen);

#endif /* SS_RESULTS_ATOMIC_H */
