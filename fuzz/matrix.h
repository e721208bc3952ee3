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
};

/* What one cell showed. */
struct ss_matrix_cell {
	const struct ss_matrix_line *line;
	enum wmm_model model;
	bool found;	 /* a failing schedule within the budget */
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
};

/* Told about the table as it fills (every member may be NULL).  cell_done gets
 * the cell's emulator, for its dependency disagreements; it is destroyed after. */
struct ss_matrix_observer {
	void (*line_start)(void *ctx, const struct ss_matrix_line *line);
	void (*cell_done)(void *ctx, const struct ss_matrix_cell *cell, const struct emu *e);
	void (*line_end)(void *ctx, const struct ss_matrix_line *line);
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

/* Runs every line under every model of o.  Returns 0; -1 on an internal error,
 * -2 when a reproducer cannot be saved (err says which; the table is cut
 * there and *res holds the cells so far).  Free *res with
 * ss_matrix_result_free in every case. */
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

/* The table's result document (schema slabstress-matrix). */
json_t *ss_matrix_json(const struct ss_matrix_result *res, const struct ss_matrix_opts *o, int argc,
		       char **argv);

#endif /* SS_FUZZ_MATRIX_H */
