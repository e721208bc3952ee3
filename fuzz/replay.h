/* fuzz/replay.h - re-running a reproducer file: load it, build its emulator
 * (optionally under another model or dependency mode), run its schedule byte
 * for byte with the trace on, say whether the saved failure happened again,
 * explain it (fuzz/attribute.h), and the replay's result document
 * (results/replay_doc.h).  `slabstress replay` and `minimize` open reproducers
 * through here. */
#ifndef SS_FUZZ_REPLAY_H
#define SS_FUZZ_REPLAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/emu.h"
#include "fuzz/attribute.h"
#include "fuzz/race_check.h"
#include "results/repro.h"

/* ss_replay_open's failures: the file (exit 2) or the emulator (exit 3). */
#define SS_REPLAY_BAD_FILE (-2)
#define SS_REPLAY_INTERNAL (-1)

struct ss_replay {
	const char *path;
	struct ss_repro r;
	struct emu_config ec;
	struct emu *e;	       /* regions named */
	struct emu_result res; /* after ss_replay_run */
	bool same;	       /* res shows the saved failure (ss_repro_matches) */
	bool graph;	       /* a graph engine reproducer (engine/gexplore.h) */
	bool graph_consistent; /* its graph is consistent under the model */
	bool attributed;       /* at holds the explanation */
	struct ss_attribution at;
	/* --races (set before ss_replay_run; judge NULL: no race check).  A
	 * confirmed race is the replay's failure (kind data-race) under fail, and
	 * under report when the reproducer saved a data race. */
	enum ss_races_mode races;
	ss_race_judge_fn judge;
	bool races_checked;
	struct ss_races race_list;
};

/* Loads path and creates its emulator; model (NULL: the saved one) and deps
 * (-1: the saved one) override the file's.  Returns 0; SS_REPLAY_BAD_FILE with
 * err (a load error as it is, a bad value as "PATH: what") or SS_REPLAY_INTERNAL
 * with err.  Free with ss_replay_close in every case. */
int ss_replay_open(struct ss_replay *p, const char *path, const char *model, int deps, char *err,
		   size_t errlen);
/* Runs the schedule (or re-creates the graph) with the trace on.  Returns 0,
 * SS_REPLAY_BAD_FILE with err (a graph reproducer whose graph the scenario
 * does not re-create), or -1 with err (an internal error of the emulator). */
int ss_replay_run(struct ss_replay *p, char *err, size_t errlen);
/* Attributes a failing replay (its own emulators: the trace stays).  Returns
 * whether p->at now holds an explanation.  search: random executions per model
 * (0: 2000). */
bool ss_replay_explain(struct ss_replay *p, unsigned long search);
void ss_replay_close(struct ss_replay *p);

/* ss_replay_minimize's outcomes besides 0 and SS_REPLAY_INTERNAL. */
#define SS_REPLAY_NOT_FAILING (1)  /* the schedule does not fail as saved */
#define SS_REPLAY_CHECK_ERROR (-3) /* checking that it fails hit an internal error */

/* Shrinks the reproducer's schedule to the fewest decisions that keep the
 * saved failure (fuzz/minimize.h), at most max_execs trial executions (0: the
 * default), and makes *m, the minimized reproducer (free with ss_repro_free).
 * Returns 0; SS_REPLAY_NOT_FAILING or SS_REPLAY_CHECK_ERROR (nothing to
 * minimize); SS_REPLAY_INTERNAL with err. */
int ss_replay_minimize(struct ss_replay *p, unsigned long max_execs, struct ss_repro *m, char *err,
		       size_t errlen);

/* The trace entries emu_print_trace would show (all with full) as JSON. */
json_t *ss_replay_trace_json(const struct ss_replay *p, bool full);
/* The result document of `replay --format json`. */
json_t *ss_replay_json(const struct ss_replay *p, bool full, int argc, char **argv);

#endif /* SS_FUZZ_REPLAY_H */
