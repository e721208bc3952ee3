/* fuzz/triage.h - reproducers saved on any number of machines, replayed and
 * grouped: one group per (scenario, variant, model, failure kind, function where
 * it fails), the smallest reproducer of each kept (fewest decisions, then fewest
 * bytes, then the path).  `slabstress triage` prints what this computes.
 *
 * A run is ss_triage_init, ss_triage_add_path for each file or directory (every
 * *.json under a directory, recursively, in sorted order), ss_triage_finish, then
 * read items[] and groups[], then ss_triage_free.  A file that is not a readable
 * reproducer is kept as an item with status SS_TRIAGE_UNREADABLE and its reason:
 * it never stops the batch.
 */
#ifndef SS_TRIAGE_H
#define SS_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "results/failures.h"

enum ss_triage_status {
	SS_TRIAGE_SAME,	      /* replayed its saved failure (kind and function) */
	SS_TRIAGE_DIFFERENT,  /* failed, but not as saved */
	SS_TRIAGE_CLEAN,      /* replayed clean: the saved failure is gone */
	SS_TRIAGE_UNREADABLE, /* not a reproducer, or one this build cannot run */
};

struct ss_triage_item {
	char *path;
	enum ss_triage_status status;
	char why[256]; /* UNREADABLE: the reason */
	char scenario[64], variant[32], model[16];
	enum ss_fail_kind saved_kind, kind;
	char saved_func[96], func[96], file[128];
	int line;
	size_t decisions, bytes; /* the schedule's non-default decisions, its length */
	int group;		 /* index into groups[], -1 when it did not fail */
};

struct ss_triage_group {
	char scenario[64], variant[32], model[16];
	enum ss_fail_kind kind;
	char func[96], file[128];
	int line;
	int count;
	int smallest; /* index into items[] */
};

struct ss_triage {
	struct ss_triage_item *items;
	int nitems, cap;
	struct ss_triage_group *groups;
	int ngroups;
	int nsame, ndifferent, nclean, nunreadable;
};

void ss_triage_init(struct ss_triage *t);
/* Adds path (a reproducer file, or a directory searched recursively for *.json)
 * and replays each.  Returns 0, or -1 with err when path does not exist or a
 * directory holds no *.json. */
int ss_triage_add_path(struct ss_triage *t, const char *path, char *err, size_t errlen);
/* Groups the items that failed; groups come in the order of their first item. */
void ss_triage_finish(struct ss_triage *t);
void ss_triage_free(struct ss_triage *t);
const char *ss_triage_status_name(enum ss_triage_status s);

#endif /* SS_TRIAGE_H */
