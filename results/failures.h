/* results/failures.h - the failures a run found, collected thread-safely.
 *
 * Engines point the failure hook (results/failure.h) at a log; the log keeps the first
 * SS_LOG_KEEP failures in full and counts all of them by kind.
 */
#ifndef SS_FAILURES_H
#define SS_FAILURES_H

#include <pthread.h>

#include "results/failure.h"

#define SS_LOG_KEEP 32

struct ss_failure_log {
	pthread_mutex_t lock;
	unsigned long long total;
	unsigned long long by_kind[SS_FAIL_NKINDS];
	int kept;
	struct ss_failure first[SS_LOG_KEEP];
	unsigned long round_of[SS_LOG_KEEP]; /* round in which each kept failure happened */
	volatile unsigned long cur_round;
};

void ss_failure_log_init(struct ss_failure_log *log);
/* Counts f and keeps it (the first SS_LOG_KEEP) with its round; not locked:
 * for one thread (the explorers), the attached hook locks around it. */
void ss_failure_log_add(struct ss_failure_log *log, const struct ss_failure *f,
			unsigned long round);
/* Installs the log as the failure hook (NULL: uninstall). */
void ss_failure_log_attach(struct ss_failure_log *log);

#endif /* SS_FAILURES_H */
