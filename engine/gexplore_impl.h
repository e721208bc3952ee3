/* engine/gexplore_impl.h - what the files of `--engine graph` share besides
 * engine/gexplore.h: the driver of one exploration and the steps of its loop,
 * for engine/gexplore.c (one process) and engine/gexplore_jobs.c (--jobs: the
 * same loop in forked workers). */
#ifndef SS_GEXPLORE_IMPL_H
#define SS_GEXPLORE_IMPL_H

#include "engine/gexplore.h"
#include "engine/gx.h"
#include "engine/run_clock.h"
#include "model/exec.h"

struct gpct;

/* One exploration's driver: the explorer, the emulator's generator, the
 * model and the model graph the check before a push builds. */
struct gdrive {
	struct gx *gx;
	struct emu_gen gen;
	enum wmm_model model;
	struct exg *x;
	struct gpct *pct; /* --strategy pct: picks the CPUs (NULL: gx_pick) */
};

/* One graph (gx_begin already called): run it, classify it.  1 for a
 * consistent graph (failing or not: a deadlock is a failure), 0 for one that
 * is no result (counted in st), -1 on an internal error (r->internal_msg). */
int gexplore_one_graph(struct emu *e, struct gdrive *d, enum wmm_model m, struct exg *x,
		       struct gexplore_stats *st, struct emu_result *r);
/* A consistent graph, counted: once more, once more distinct when not seen
 * before, and its races noted (o->races). */
void gexplore_count_consistent(struct gx *gx, const struct gexplore_opts *o,
			       struct gexplore_stats *st);
/* A failing graph: counted, logged, saved (o->on_failure), the first kept
 * (st->first, st->first_graph). */
void gexplore_record_failure(struct emu *e, struct gx *gx, const struct gexplore_opts *o,
			     const struct emu_result *r, struct gexplore_stats *st);
/* The explorer's own counters into st (set, not added). */
void gexplore_finish_stats(struct gexplore_stats *st, struct gx *gx);
/* Keeps a race (its two sides) not kept yet, with a copy of its graph's bytes. */
void gexplore_keep_race(struct gexplore_stats *st, const struct race_access *pair, const u8 *graph,
			size_t len);

/* --jobs: the exploration, whose first graphs the caller visited in e and d
 * until the stack held enough graphs, goes on in o->jobs forked workers; their
 * counters are added to st, their failures replayed here and recorded, their
 * races kept.  0, or -1 with st->error. */
int gexplore_jobs_run(const struct emu_config *cfg, struct emu *e, struct gdrive *d, struct exg *x,
		      const struct gexplore_opts *o, struct gexplore_stats *st,
		      struct run_clock *clk);

#endif /* SS_GEXPLORE_IMPL_H */
