/* fuzz/matrix.h - the verdict table behind `slabstress matrix`: scenarios x
 * variants x memory models in the emulator, one bounded search per cell
 * (random schedules, then pct), the expectation rule that says which cells
 * should be Found, and the table's JSON document.
 *
 * The caller resolves each line's allocator configuration (scenario, variant,
 * slab knobs) and prints; ss_matrix_run runs the cells in table order and tells
 * an observer about each as it finishes, so the table fills while it runs.  It
 * stops at a stop request (ss_interrupted, results/stop.h): the cell in hand is
 * "unfinished", no later cell runs.
 *
 * Shards: the cells split into N disjoint slices by expected cost
 * (ss_matrix_shard_assign); a run with o.shard = I runs only slice I and its
 * document says so ("shard": index, count, the table's cell numbers).
 * ss_matrix_merge joins the documents of all N slices back into the result one
 * unsharded run gives, refusing anything that does not fit.  A cell's number is
 * its place in table order: line * nmodels + model.
 */
#ifndef SS_FUZZ_MATRIX_H
#define SS_FUZZ_MATRIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "alloc/alloc.h"
#include "engine/emu.h"
#include "scenarios/scenario.h"

/* At most this many variants, scenarios or models in one table. */
#define SS_MATRIX_MAX_ITEMS 32

/* One line of the table: a scenario under one variant. */
struct ss_matrix_line {
	const char *scenario; /* the scenario's name */
	const char *label;    /* the row as printed ("same-cpu (in-object 128K/64K)") */
	const char *variant;  /* the variant's name, as given */
	bool big;	      /* NAME@big: in-object obj_exts, 131072-byte objects, 64K pages */
	const struct ss_scenario *scn;
	const struct ss_alloc_ops *alloc;
	struct ss_alloc_config acfg;
};

struct ss_matrix_opts {
	unsigned long long executions; /* per cell, half random, half pct; 0: by duration */
	double duration;	       /* seconds per cell when executions is 0 */
	enum emu_deps deps;
	bool expect_clean;    /* --expect clean: every cell should be Clean */
	const char *save_dir; /* a reproducer per Found cell under it; NULL: none */
	int nmodels;
	enum wmm_model models[SS_MATRIX_MAX_ITEMS];
	/* The lists as given (defaults filled in), stored in the document so a
	 * merge can rebuild the table; NULL: left out. */
	const char *variants, *scenarios, *models_list;
	int shard, nshards; /* run only slice shard (1..nshards); nshards 0: every cell */
	bool graph; /* --engine graph: each cell a complete graph search (engine/gexplore.h),
		     * at most executions graphs; a cell that completes clean is Proved */
	/* lkvm cells under lkmm that come out clean are checked on every execution
	 * graph, as explore does (at most SS_CAMPAIGN_GRAPH_CHECK_SECONDS): Proved,
	 * or Found (a failure only the graphs reach, non-multicopy atomicity) */
	bool graph_check;
};

/* At most this many shards. */
#define SS_MATRIX_MAX_SHARDS 1000

/* What one cell showed. */
struct ss_matrix_cell {
	const struct ss_matrix_line *line;
	int index; /* in table order: line * nmodels + model */
	enum wmm_model model;
	bool found;	 /* a failing schedule within the budget */
	bool proved;	 /* --engine graph: every graph visited, none failed */
	bool unfinished; /* a stop request came inside this cell: no verdict */
	enum ss_fail_kind kind;
	bool want_found; /* what the expectation says */
	bool unexpected; /* Found where Clean is expected: a regression */
	bool missed;	 /* Clean where Found is expected: a miss of the bounded search */
	unsigned long long executions;
	double elapsed;
	char reproducer[512]; /* saved under save_dir, or "" */
	size_t dep_sites;     /* deps check: sites where the two sources disagree */
};

struct ss_matrix_result {
	struct ss_matrix_cell *cells; /* in table order; free with ss_matrix_result_free */
	int ncells;
	int unexpected, missed;
	unsigned long dep_sites; /* summed over the cells (deps check) */
	bool interrupted;
	double elapsed;
	/* Sharded runs: the cell numbers of the slice (in table order), all of
	 * them planned, whether or not a stop request cut the run short. */
	int *planned;
	int nplanned, total_cells;
};

/* Told about the table as it fills (every member may be NULL).  cell_done gets
 * the cell's emulator, for its dependency disagreements; it is destroyed after. */
struct ss_matrix_observer {
	void (*line_start)(void *ctx, const struct ss_matrix_line *line);
	void (*cell_done)(void *ctx, const struct ss_matrix_cell *cell, const struct emu *e);
	void (*line_end)(void *ctx, const struct ss_matrix_line *line);
	/* A cell another shard runs (sharded runs only). */
	void (*cell_elsewhere)(void *ctx, const struct ss_matrix_line *line, enum wmm_model model,
			       int shard);
	void *ctx;
};

/* The expectation rule, the seed email's answers:
 *  - a NAME@big line with a 16-bit stride (rc1, early-stride, wmb-rmb): Found under
 *    every model (131072 truncates to 0: not an ordering bug at all);
 *  - a broken user handoff (scenario handoff SS_HANDOFF_BROKEN): Found under lkmm;
 *  - the allocator's own handoff (lazy-objexts) under rc1: Found under lkmm;
 *  - anything else: Clean. */
bool ss_matrix_expect_found(const struct ss_scenario *scn, const struct ss_alloc_config *acfg,
			    bool big, enum wmm_model model);

/* What a cell is expected to cost, in arbitrary units: the model's weight (sc
 * 2, tso 3, lkmm 4: more choices per access) times the scenario's roles, halved
 * when the rule expects Found (the search stops at the first failure). */
int ss_matrix_cell_cost(const struct ss_matrix_line *l, enum wmm_model model);

/* Splits the nlines x nmodels cells into nshards slices: cells in order of
 * falling cost (ties: table order), each to the least loaded slice (ties: the
 * lowest).  Deterministic, so the same parameters give the same slices on every
 * machine; the loads differ by at most one cell's cost.  shard_of[cell] gets
 * 1..nshards.  Returns 0, or -1 when nshards is out of 1..SS_MATRIX_MAX_SHARDS
 * or memory runs out. */
int ss_matrix_shard_assign(const struct ss_matrix_line *lines, int nlines, int nmodels,
			   const enum wmm_model *models, int nshards, int *shard_of);

/* Runs every line under every model of o (only slice o->shard when sharded).  Returns 0; -1 on an
 * internal error, -2 when a reproducer cannot be saved (err says which; the table is cut there and
 * *res holds the cells so far).  Free *res with ss_matrix_result_free in every case. */
int ss_matrix_run(const struct ss_matrix_line *lines, int nlines, const struct ss_matrix_opts *o,
		  const struct ss_matrix_observer *obs, struct ss_matrix_result *res, char *err,
		  size_t errlen);
void ss_matrix_result_free(struct ss_matrix_result *res);

/* A cell as the table prints it: "Found KIND", "Clean" or "unfinished", then
 * " !" (unexpected) or " ?" (missed). */
void ss_matrix_cell_text(const struct ss_matrix_cell *c, char *buf, size_t n);

/* The exit status the table earns: 1 when a cell is Found where Clean is
 * expected or (deps check) a dependency disagreement was seen, else 0. */
int ss_matrix_exit_status(const struct ss_matrix_result *res, const struct ss_matrix_opts *o);

/* The table's result document (schema slabstress-matrix): its parameters, the
 * cells that ran and, sharded, "shard": {index, count, total_cells, cells}. */
json_t *ss_matrix_json(const struct ss_matrix_result *res, const struct ss_matrix_opts *o, int argc,
		       char **argv);

/* A shard document's parameters, as ss_matrix_json stored them. */
struct ss_matrix_params {
	char variants[512], scenarios[1024], models[128];
	unsigned long long executions;
	double duration;
	enum emu_deps deps;
	bool expect_clean;
};

/* Reads the parameters of shard document doc (named name in messages).  Returns
 * 0, or -1 with err one line naming the file and the field ("not a matrix
 * shard" when it is no sharded matrix document). */
int ss_matrix_shard_params(const json_t *doc, const char *name, struct ss_matrix_params *p,
			   char *err, size_t errlen);

/* Joins the ndocs shard documents (names[i] in messages) into *res, the result
 * one unsharded run of lines/o gives (o->nshards 0, the parameters of the first
 * document): every document a shard of the same tool version, schema and
 * parameters, each of the N shards exactly once, each holding the cells its
 * slice assigns.  A shard cut short by a stop request leaves its missing cells
 * "unfinished" and res->interrupted set.  Expectations are worked out again.
 * Returns 0, or -1 with err one line naming the file and the field; free *res
 * with ss_matrix_result_free in every case. */
int ss_matrix_merge(json_t *const *docs, const char *const *names, int ndocs,
		    const struct ss_matrix_line *lines, int nlines, const struct ss_matrix_opts *o,
		    struct ss_matrix_result *res, char *err, size_t errlen);

#endif /* SS_FUZZ_MATRIX_H */
