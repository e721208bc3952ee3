/* fuzz/supervisor.h - the supervisor of a `slabstress fuzz` campaign: the work
 * directory, the libFuzzer worker processes, and what becomes of their failing
 * inputs.
 *
 * The supervisor runs this binary again as the worker ("fuzz --ss-worker",
 * fuzz/fuzz.h), which runs libFuzzer in-process on the schedule bytes.  A failing
 * schedule makes the worker abort, libFuzzer writes it to a private artifact
 * directory, and the supervisor replays it, minimizes it, deduplicates it by
 * failure kind and code site, and saves a reproducer and its rendered trace.
 * keep_going restarts the worker from the corpus (or, with jobs > 1, lets
 * libFuzzer's fork mode ignore crashes); a stop request (results/stop.h) stops the
 * worker, and what was found is still saved.
 *
 * Life cycle: ss_fuzz_campaign_prepare (work directory, shared counters, the
 * target in the environment, an emulator for replays), ss_fuzz_campaign_run,
 * ss_fuzz_campaign_finish (totals), ss_fuzz_campaign_doc, ss_fuzz_campaign_destroy
 * (removes the work directory).  ss_fuzz_campaign_merge runs libFuzzer's corpus
 * merge through the same machinery in place of ss_fuzz_campaign_run.  The work directory is
 * registered with results/stop.h, so it goes however the process ends.
 */
#ifndef SS_FUZZ_SUPERVISOR_H
#define SS_FUZZ_SUPERVISOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/emu.h"
#include "engine/gexplore.h"
#include "fuzz/fuzz.h"

/* Returned by ss_fuzz_campaign_prepare: a path too long (the caller's usage
 * error, exit 2) or anything else that failed (internal error, exit 3). */
enum { SS_FUZZ_SUP_USAGE = -1, SS_FUZZ_SUP_INTERNAL = -2 };

/* Defaults of the campaign's knobs (0 in the config means these). */
#define SS_FUZZ_DEFAULT_DURATION  60.0
#define SS_FUZZ_DEFAULT_MAX_LEN	  512
#define SS_FUZZ_DEFAULT_MIN_EXECS 20000

struct ss_fuzz_campaign_config {
	struct ss_fuzz_target target; /* stats_path is filled in by prepare */
	double duration;	      /* seconds */
	unsigned long jobs;	      /* libFuzzer -fork=N when > 1 */
	unsigned long long runs;      /* stop after this many executions (0: none) */
	bool keep_going;
	unsigned long max_len;	 /* longest schedule in bytes */
	unsigned long min_execs; /* executions spent minimizing each unique failure */
	bool seed_set;		 /* libFuzzer's -seed= */
	unsigned long long seed;
	const char *corpus; /* an existing directory, or NULL: a temporary one */
	const char *save;   /* an existing directory for the reproducers */
	char **pass;	    /* libFuzzer flags given after -- */
	int npass;
	const char *tmpdir; /* where the work directory goes; NULL: $TMPDIR or /tmp */
	const char *exe;    /* the worker binary; NULL: this one (/proc/self/exe) */
};

struct ss_fuzz_campaign;

/* What the campaign tells its caller as it goes (each may be NULL). */
struct ss_fuzz_hooks {
	/* About once a second while a worker runs. */
	void (*status)(void *arg, const struct ss_fuzz_campaign *c, double elapsed);
	/* A one-line warning ("libFuzzer: WARNING: unrecognized flag ...", "cannot save
	 * reproducer: ..."). */
	void (*warn)(void *arg, const char *msg);
	void *arg;
};

/* One unique failure (kind and code site). */
struct ss_fuzz_failure {
	enum ss_fail_kind kind;
	char file[128];
	int line;
	unsigned long count;   /* failing inputs with this kind and site */
	struct emu_result res; /* of the minimized schedule */
	u8 *sched;	       /* minimized */
	size_t len, raw_len, decisions;
	char path[4096], trace_path[4096]; /* the reproducer and its trace */
	char *hex;			   /* the schedule in hex */
	double found_s;			   /* since the start */
	bool saved;
	bool graph; /* --engine graph: sched is the failing graph, not minimized */
};

/* u's trace file, <reproducer>.txt (u->trace_path set), opened for writing;
 * NULL when it cannot be. */
FILE *ss_fuzz_open_trace(struct ss_fuzz_failure *u);

struct ss_fuzz_campaign {
	struct ss_fuzz_campaign_config cfg;
	struct ss_fuzz_hooks hooks;
	struct emu *e; /* replays the artifacts */
	struct ss_fuzz_shared *sh;
	char work[4096], artifacts[4096], corpus[4096], log_path[4096];
	int work_slot; /* results/stop.h slot of work, -1 none */
	struct ss_fuzz_failure *u;
	int nu, capu;
	unsigned long artifacts_seen, flaky;
	char warned[8][256]; /* libFuzzer's unrecognized-flag warnings, shown once */
	int nwarned;
	double t0, first_fail_s;
	unsigned long long first_fail_execs;
	size_t corpus_size;
	char internal[4400];	       /* why the campaign failed */
	bool log_worth_showing;	       /* the worker died: the tail of log_path tells why */
	unsigned long workers_started; /* worker k runs with -seed=seed+k */
	/* The worker's fixed flags (ss_fuzz_worker_argv). */
	char art_flag[4200], len_flag[64], seed_flag[64], time_flag[64], fork_flag[64],
	    runs_flag[64];
	/* After ss_fuzz_campaign_finish: */
	double elapsed;
	unsigned long long execs;
	/* --engine graph (cfg.target.graph): runs the artifacts on graphs */
	struct gexplore_fuzz *gf;
};

/* Sets c up for cfg: the work directory <tmpdir>/slabstress-fuzz.XXXXXX with
 * artifacts/, the corpus (given or work/corpus), libfuzzer.log and the shared
 * counters; the target in SS_FUZZ_ENV; the replay emulator.  Returns 0, or
 * SS_FUZZ_SUP_USAGE / SS_FUZZ_SUP_INTERNAL with err; either way
 * ss_fuzz_campaign_destroy cleans up. */
int ss_fuzz_campaign_prepare(struct ss_fuzz_campaign *c, const struct ss_fuzz_campaign_config *cfg,
			     char *err, size_t errlen);

/* The worker's command line for a run with left seconds to go: argv[0], "fuzz",
 * the worker flag, libFuzzer's flags (artifact prefix, max_len, ..., time, fork
 * mode, the executions still to make, the caller's flags) and the corpus last,
 * NULL-terminated; the strings live in c and in cfg.  Returns the count, 0 when
 * cfg.runs executions are already made, -1 when cap is too small. */
int ss_fuzz_worker_argv(struct ss_fuzz_campaign *c, double left, char **argv, int cap);

/* Runs workers until the duration ends, a failure stops the campaign, the runs
 * are made or a stop is requested.  Returns 0, or -1 on an internal error
 * (c->internal; c->log_worth_showing when the log's tail says more). */
int ss_fuzz_campaign_run(struct ss_fuzz_campaign *c);
/* What a corpus merge saw: the inputs in the directories merged, and the
 * inputs in the output directory before and after. */
struct ss_fuzz_merge_counts {
	size_t inputs, out_before, out_after;
};

/* Merges the corpora in dirs into out with libFuzzer's -merge=1, run by a worker
 * like a campaign's (the same target in the environment, work directory, log,
 * max_len, seed and flags after --; cfg.duration bounds it): each input of dirs
 * that adds coverage to what out holds is copied into out.  A prepared campaign
 * (ss_fuzz_campaign_prepare) runs it instead of ss_fuzz_campaign_run; a stop
 * request stops the worker.  Returns 0 with *n filled, or -1 on an internal
 * error (c->internal; c->log_worth_showing when the log's tail says more). */
int ss_fuzz_campaign_merge(struct ss_fuzz_campaign *c, const char *out, char *const *dirs,
			   int ndirs, struct ss_fuzz_merge_counts *n);

/* Totals after the run: elapsed, execs, corpus_size. */
void ss_fuzz_campaign_finish(struct ss_fuzz_campaign *c);
/* The corpus size for a status line: libFuzzer's last "corp:" figure, else the
 * files in a corpus directory the caller gave. */
size_t ss_fuzz_campaign_corpus_now(const struct ss_fuzz_campaign *c);
/* Frees everything and removes the work directory. */
void ss_fuzz_campaign_destroy(struct ss_fuzz_campaign *c);

/* The last lines (at most 8) of the worker's log, each prefixed "  | ". */
void ss_fuzz_log_tail(FILE *out, const char *path);
/* Creates path and its missing parents.  0, or -1 (errno). */
int ss_fuzz_mkdir_p(const char *path);

/* The campaign's result document (schema slabstress-fuzz/1). */
json_t *ss_fuzz_campaign_doc(const struct ss_fuzz_campaign *c, int argc, char **argv);

#endif /* SS_FUZZ_SUPERVISOR_H */
