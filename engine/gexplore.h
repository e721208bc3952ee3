/* engine/gexplore.h - `--engine graph`: scenario code explored on execution
 * graphs.  The emulator runs the roles in graph mode (engine/wmm_graph.c), the
 * graph explorer (engine/gx.h) decides every interleaving and every value read,
 * and each finished graph is checked against the model (model/lkmm.h: lkmm,
 * or sc / tso); a failure counts only in a consistent graph.
 *
 * What a complete run proves: every execution of the scenario (with its
 * --iters, on this world) whose po | rf is acyclic and that is consistent under
 * the model, with every read ordering the later writes of its CPU (gx.h), was
 * run and none failed; stats->complete says it, and the reasons a run is not
 * complete are counted (diverged, full, stack overflow, too big).
 */
#ifndef SS_GEXPLORE_H
#define SS_GEXPLORE_H

#include <stdbool.h>

#include "engine/emu.h"
#include "engine/race.h"
#include "results/failures.h"

struct gx;

struct gexplore_opts {
	unsigned long long max_execs; /* 0: until the graphs run out */
	double duration;	      /* seconds; 0: no bound */
	bool keep_going;	      /* do not stop at the first failure */
	size_t max_stack_bytes;	      /* graphs waiting on the stack (0: 1 GiB) */
	/* Sample random graphs instead (gx_set_sample, seeded by seed): never
	 * complete, bounded by max_execs or duration. */
	bool sample;
	unsigned long long seed;
	/* Called for every failing consistent graph (may be NULL): e is the
	 * emulator that ran it (names its addresses), graph its gx_save bytes. */
	void (*on_failure)(void *ctx, const struct emu *e, const struct emu_result *r,
			   const u8 *graph, size_t len);
	void *failure_ctx;
	/* Called about every 100 ms (may be NULL). */
	void (*progress)(void *ctx, unsigned long long execs, unsigned long long failed,
			 double elapsed);
	void *progress_ctx;
	/* --resume: a state file (NULL: none).  When it exists the run goes on
	 * from it (gexplore_resume_check first); when the run stops before it is
	 * complete, it is written (atomically) with the graphs still to visit and
	 * the counters so far; when the exploration completes, it is removed.
	 * max_execs and duration bound this run, not the sum. */
	const char *resume_path;
	/* PCT over graphs instead (explore --strategy pct, seeded by seed): each
	 * execution from the empty graph, the CPU that adds the next event the
	 * runnable one of highest priority (random distinct priorities, pct_depth
	 * - 1 change points among the steps of the longest execution so far; the
	 * first execution has none and measures it), each read one of the
	 * pct_history + 1 co-latest writes it may read and each write one of the
	 * pct_history + 1 last co places it may take, at random.  Never complete,
	 * like sample. */
	bool pct;
	unsigned pct_depth;   /* d (0: 3) */
	unsigned pct_history; /* h (0: 1) */
	/* --races report|fail: LKMM's data-race flag decided on every consistent
	 * graph (engine/gexplore_races.c), the races kept in stats->races.  Not
	 * with resume_path (a state file does not keep them). */
	bool races;
	/* --jobs: an exhaustive exploration (not sample, pct or resume_path) goes
	 * on in this many forked worker processes once its stack holds a graph
	 * per job (engine/gexplore_jobs.c); the counts are the sum, the same as
	 * one process's.  0 or 1: one process. */
	unsigned jobs;
};
#define GEXPLORE_MAX_JOBS 256

#define GEXPLORE_MAX_RACES 256 /* pairs of code sites kept */

/* A data race LKMM flags in a consistent graph: a the access co-, rf- or
 * fr-before b (ww-race, wr-race, rw-race), graph the gx_save bytes of the first
 * graph that showed this pair of code sites (a reproducer). */
struct gexplore_race {
	struct race_access a, b;
	u8 *graph;
	size_t len;
};

struct gexplore_stats {
	unsigned long long executions; /* programs run (graphs visited) */
	unsigned long long consistent; /* finished graphs the model allows */
	unsigned long long distinct;   /* ... counted once each */
	unsigned long long inconsistent, blocked, pruned, diverged, full, too_big;
	unsigned long long refused; /* graphs the model refused as soon as re-created */
	unsigned long long failed;  /* consistent graphs with a failure */
	unsigned long long events;  /* events added, replays included */
	int max_events;
	size_t max_stack;
	bool complete;	  /* every graph visited, none lost: the proof holds */
	bool overflowed;  /* the stack ran out of memory */
	bool interrupted; /* SIGINT / SIGTERM */
	double elapsed;
	struct ss_failure_log log;
	bool found;
	unsigned long long first_exec;
	struct emu_result first;
	u8 *first_graph; /* the failing graph (gx_save), malloc'ed */
	size_t first_len;
	bool replay_ok; /* replaying first_graph gave the same failure, and the
			 * emulator then holds its trace */
	struct emu_result replay;
	char error[200];
	/* --resume: the runs before this one (0: a fresh start), and what became
	 * of the state file.  Every counter above is the sum over those runs and
	 * this one (elapsed too); the sets of graphs pushed and executions seen
	 * are saved with the stack, so the runs together visit and count what one
	 * uninterrupted run does (max_stack: this run's). */
	unsigned long long resumed;
	bool state_saved, state_removed;
	size_t state_graphs; /* graphs in the state saved */
	/* --races: one per pair of code sites, in the order found */
	struct gexplore_race *races;
	size_t nraces;
	unsigned long long race_graphs; /* consistent graphs that showed a race not seen before */
	unsigned long long race_unchecked; /* ... too big for the model's check */
	unsigned long long race_dropped;   /* races past GEXPLORE_MAX_RACES pairs */
	unsigned pct_n, pct_d, pct_h;	   /* pct: CPUs, depth, history; k: the longest execution */
	unsigned long pct_k;
};

/* Explores cfg (its graph field is set here) under cfg->model until every
 * graph is visited, a bound, the first failure (unless o->keep_going) or
 * SIGINT.  0 with the findings in *st, -1 with st->error.  Free *st with
 * gexplore_stats_free().  The emulator it made is kept in *ep when ep is not
 * NULL (its trace holds the failing execution's replay); free it with
 * gexplore_free_emu(). */
int gexplore_run(const struct emu_config *cfg, const struct gexplore_opts *o,
		 struct gexplore_stats *st, struct emu **ep);
void gexplore_stats_free(struct gexplore_stats *st);

/* The data races of gx's current graph (a finished, consistent one), at most
 * max pairs of code sites, each once, in the model graph's order: pairs[i][0]
 * the earlier access.  How many, or -1 when the graph is too big for the check
 * (or out of memory). */
int gexplore_graph_races(const struct gx *gx, struct race_access (*pairs)[2], int max);
/* The same for the graph just visited, kept in st (races, race_graphs,
 * race_unchecked, race_dropped). */
void gexplore_note_races(const struct gx *gx, struct gexplore_stats *st);
void gexplore_races_free(struct gexplore_stats *st);
/* The races of the graph a gexplore_replay left in e (-1: none checked). */
int gexplore_replay_races(const struct emu *e, struct race_access (*pairs)[2], int max);
/* Frees an emulator gexplore_run left, with its graph explorer. */
void gexplore_free_emu(struct emu *e);

/* Replays a saved failing graph (gx_save's bytes) on a new emulator for cfg:
 * 0 with the verdict in *res and consistent set (the graph checked under
 * cfg->model again); -2 with err when the bytes are no graph or the program
 * did not re-create it (a bad reproducer); -1 with err on an internal error.
 * The emulator is kept in *ep for its trace when ep is not NULL. */
int gexplore_replay(const struct emu_config *cfg, const u8 *graph, size_t len,
		    struct emu_result *res, bool *consistent, struct emu **ep, char *err,
		    size_t errlen);

/* --resume: checks a state file before a run for cfg (the run's parameters,
 * its format and bytes).  0 when it does not exist (*graphs = *before = 0) or
 * is fine (*graphs: on its stack; *before: graphs visited; *resumed: runs so
 * far), -1 with err: one line on what is wrong (the caller exits 2). */
int gexplore_resume_check(const struct emu_config *cfg, const char *path,
			  unsigned long long *graphs, unsigned long long *before,
			  unsigned long long *resumed, char *err, size_t n);
/* ---- fuzzing graphs (fuzz --engine graph) ----------------------------------------
 *
 * One execution per input, from the empty graph, every choice of the graph
 * explorer (gx_set_chooser: which thread adds the next event, which write a
 * read reads, where a write goes in co) from the input's bytes in turn: choice
 * = byte % n, and past the end of the input 0 (the thread of the last event,
 * the co-latest write, co-last), so an empty input is the in-order execution
 * and a byte changed is one decision changed.  A read reads only writes
 * already in the graph; every execution with an acyclic po | rf (those
 * gexplore_run visits) has inputs that reach it.  A finished graph counts only
 * when the model allows it. */
struct gexplore_fuzz;

struct gexplore_fuzz *gexplore_fuzz_create(const struct emu_config *cfg, char *err, size_t n);
void gexplore_fuzz_destroy(struct gexplore_fuzz *f);
/* The emulator the inputs run on (its trace: emu_set_trace, emu_trace). */
struct emu *gexplore_fuzz_emu(struct gexplore_fuzz *f);
/* Runs one input: 1 for a graph the model allows (r->kind says whether it
 * failed), 0 for no result (inconsistent, blocked, pruned, too big: counted in
 * the stats), -1 on an internal error (r->internal_msg). */
int gexplore_fuzz_run(struct gexplore_fuzz *f, const u8 *data, size_t len, struct emu_result *r);
/* The last input's graph as gx_save bytes (a reproducer's; malloc'ed). */
u8 *gexplore_fuzz_graph(struct gexplore_fuzz *f, size_t *len);
/* Input bytes the last run consumed. */
size_t gexplore_fuzz_used(const struct gexplore_fuzz *f);

#endif /* SS_GEXPLORE_H */
