/* fuzz/race_check.h - data races as findings of their own kind: the emulator's
 * candidates (engine/race.h) confirmed one by one by the exact LKMM check of
 * the exported test (fuzz/race_export.h, then a judge function: cmd/ passes
 * litmus/race_check.h's lit_race_judge), printed, as JSON, and as a failure
 * record for `--races fail`. */
#ifndef SS_FUZZ_RACE_CHECK_H
#define SS_FUZZ_RACE_CHECK_H

#include <jansson.h>
#include <stdio.h>

#include "engine/emu.h"
#include "engine/race.h"

/* --races: report (default), fail, ignore. */
enum ss_races_mode {
	SS_RACES_REPORT,
	SS_RACES_FAIL,
	SS_RACES_IGNORE,
};
/* "report", "fail", "ignore" -> 0 and *m; else -1. */
int ss_races_parse(const char *name, enum ss_races_mode *m);
const char *ss_races_name(enum ss_races_mode m);

/* The exact check of an exported test (litmus text): 1 it has a data race, 0
 * none, -1 no verdict (err; "too big..." when past the checker's limits). */
typedef int (*ss_race_judge_fn)(const char *text, char *err, size_t errlen);

/* A confirmed data race: a the earlier access, b the later one. */
struct ss_race_finding {
	struct race_access a, b;
	u8 *sched; /* the schedule of the execution that showed it */
	size_t len;
};

struct ss_races {
	struct ss_race_finding *v;
	size_t n;
	unsigned long candidates; /* site pairs checked */
	unsigned long skipped;	  /* pairs with no verdict ("too big") */
	char skip_why[200];	  /* the first such reason */
	unsigned long dropped;	  /* candidate occurrences past RACE_MAX_PAIRS site pairs */
	bool interrupted;	  /* a stop signal ended the check early (results/stop.h) */
	/* --engine graph: decided on every consistent execution graph (no
	 * candidates); sched is then a graph (gx_save bytes), candidates the
	 * consistent graphs and skipped those too big for the check */
	bool graph;
};

/* Checks every candidate of log: each kept schedule re-run under cfg on an
 * emulator of its own with the trace on, the pair exported and judged, until
 * one says race.  Returns 0, or -1 with err (the emulator cannot be made). */
int ss_races_check(const struct emu_config *cfg, const struct race_log *log, ss_race_judge_fn judge,
		   struct ss_races *out, char *err, size_t errlen);
void ss_races_free(struct ss_races *r);

/* The same over the schedules in the files of dir (a fuzz corpus: each file's
 * bytes are a schedule), at most max_files of them, each run under cfg with the
 * candidates noted, then checked.  *nfiles gets how many ran.  0, or -1 with
 * err (dir unreadable, the emulator cannot be made). */
int ss_races_check_dir(const struct emu_config *cfg, const char *dir, size_t max_files,
		       ss_race_judge_fn judge, struct ss_races *out, size_t *nfiles, char *err,
		       size_t errlen);

/* fuzz --engine graph: the inputs in dir (at most max_files) run again as
 * graphs (engine/gexplore.h's fuzzing of graphs), and LKMM's data-race flag
 * decided on each consistent one; one finding per pair of code sites, its sched
 * the graph (out->graph).  0, or -1 with err. */
int ss_races_check_graph_dir(const struct emu_config *cfg, const char *dir, size_t max_files,
			     struct ss_races *out, size_t *nfiles, char *err, size_t errlen);

/* Re-runs fd's schedule under cfg and writes its race test.  0, or -1 (err). */
int ss_race_write_test(FILE *f, const struct emu_config *cfg, const struct ss_race_finding *fd,
		       const char *source, char *err, size_t errlen);

/* The block after a run's summary: one line per race (nothing when none and
 * none skipped). */
void ss_races_print(FILE *f, const struct ss_races *r);
/* The "data_races" array. */
json_t *ss_races_json(const struct ss_races *r);
/* Finding fd as a failure record (kind data-race, on b's CPU and site). */
void ss_race_failure(const struct ss_race_finding *fd, struct ss_failure *out);

#endif /* SS_FUZZ_RACE_CHECK_H */
