/* fuzz/campaign.h - the explore driver behind `slabstress explore`: one
 * scenario in the emulator under one strategy (engine/explore.h), reproducers
 * saved for the failing schedules, the first failure explained (which
 * reordering it needs, which barrier removes it: fuzz/attribute.h), and the
 * run's JSON document.
 *
 * The caller parses and prints: it fills the emulator config and the explore
 * options (progress callback included), runs, then reads the campaign's fields.
 * A stop request (ss_interrupted, results/stop.h) ends the search after the
 * execution in hand; what was found so far is kept.
 */
#ifndef SS_FUZZ_CAMPAIGN_H
#define SS_FUZZ_CAMPAIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/emu.h"
#include "engine/explore.h"
#include "engine/gexplore.h"
#include "fuzz/attribute.h"
#include "fuzz/race_check.h"

/* Reproducers one campaign saves at most. */
#define SS_CAMPAIGN_MAX_SAVED 1000

struct ss_campaign {
	/* Inputs, set before ss_campaign_run. */
	struct emu_config ec;
	struct explore_opts xo; /* on_failure is the campaign's own when save_dir is set */
	const char *save_dir;	/* a reproducer per failing execution under it; NULL: none */
	bool explain;		/* attribute the first failure (re-runs, candidate barriers) */
	unsigned long explain_search; /* its random executions per model (0: 2000) */
	/* --races: data races checked after the search (judge: the exact check;
	 * NULL: no race checking, as with SS_RACES_IGNORE). */
	enum ss_races_mode races;
	ss_race_judge_fn judge;
	/* --engine graph: the scenario on execution graphs (engine/gexplore.h)
	 * instead of the strategy on LKVM; st is then filled from gst, its
	 * first_sched being the failing graph (no attribution, no races yet). */
	bool graph;
	const char *resume_path; /* --engine graph --resume STATE (gexplore_opts) */
	unsigned jobs;		 /* --engine graph --jobs N (gexplore_opts) */
	/* After a clean LKVM search under lkmm (LKVM cannot show non-multicopy-
	 * atomic outcomes, so its clean is no proof): every execution graph, at
	 * most SS_CAMPAIGN_GRAPH_CHECK_SECONDS; gcheck says what it found. */
	bool graph_check;
	/* Results. */
	struct gexplore_stats gst; /* --engine graph */
	struct emu *e;		   /* holds the first failure's trace (emu_print_trace) */
	struct explore_stats st;
	unsigned long nsaved;
	char first_saved[512]; /* the first reproducer written */
	char save_error[256];  /* non-empty: saving failed once and stopped */
	char *schedule_hex;    /* the first failure's schedule as hex, or NULL */
	bool attributed;       /* at holds the explanation */
	struct ss_attribution at;
	bool races_checked; /* race_list holds the confirmed races */
	struct ss_races race_list;
	char race_saved[512]; /* --races fail --save: the race reproducer */
	struct ss_graph_check {
		bool ran, complete, found; /* found: a failure LKVM did not show */
		unsigned long long graphs;
		struct emu_result first;
	} gcheck;
};

#define SS_CAMPAIGN_GRAPH_CHECK_SECONDS 1.0

/* Creates the emulator and runs the search.  Returns 0; -1 when the emulator
 * cannot be made or the search hits an internal error (err).  Free with
 * ss_campaign_free in every case. */
int ss_campaign_run(struct ss_campaign *c, char *err, size_t errlen);
void ss_campaign_free(struct ss_campaign *c);

/* What the exhaustive strategy's search amounts to: "failure found",
 * "complete", "complete within bounds" or "budget exhausted". */
const char *ss_campaign_exhaustive_result(const struct explore_stats *st);

/* --engine graph: "failure found", "proof" (every graph visited, none
 * failed), "interrupted" or "incomplete". */
const char *ss_campaign_graph_result(const struct ss_campaign *c);

/* The run's result document (schema slabstress-explore). */
json_t *ss_campaign_json(const struct ss_campaign *c, int argc, char **argv);

/* The exit status it earns: 1 for a failing schedule, a failing graph of the
 * graph check, (deps check) a dependency disagreement or (--races fail) a
 * data race, else 0. */
int ss_campaign_exit_status(const struct ss_campaign *c);

#endif /* SS_FUZZ_CAMPAIGN_H */
