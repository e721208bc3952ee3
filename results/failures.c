/* results/failures.c - thread-safe collection of check failures (see failures.h). */
#include <string.h>

#include "results/failures.h"

void ss_failure_log_init(struct ss_failure_log *log)
{
	memset(log, 0, sizeof(*log));
	pthread_mutex_init(&log->lock, NULL);
}

void ss_failure_log_add(struct ss_failure_log *log, const struct ss_failure *f, unsigned long round)
{
	log->total++;
	log->by_kind[f->kind < SS_FAIL_NKINDS ? f->kind : SS_FAIL_NONE]++;
	if (log->kept < SS_LOG_KEEP) {
		log->round_of[log->kept] = round;
		log->first[log->kept++] = *f;
	}
}

static void log_hook(const struct ss_failure *f, void *arg)
{
	struct ss_failure_log *log = arg;

	pthread_mutex_lock(&log->lock);
	ss_failure_log_add(log, f, log->cur_round);
	pthread_mutex_unlock(&log->lock);
}

void ss_failure_log_attach(struct ss_failure_log *log)
{
	if (log)
		ss_set_fail_hook(log_hook, log);
	else
		ss_set_fail_hook(NULL, NULL);
}
