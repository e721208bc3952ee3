/* results/failure.h - the vocabulary of a check failure, shared by the code that
 * reports one (kernel/bug.h: ss_fail_at, SS_FAIL) and the code that records, saves
 * and prints it (results/): the code site, the failure kinds and their names, the
 * failure record, and the settable hook every failure goes to.  It lives in
 * results/ so that results/ depends on no other directory.
 */
#ifndef SS_RES_FAILURE_H
#define SS_RES_FAILURE_H

#include <stdbool.h>

/* A code site: where an access or a check is (SS_SITE in kernel/kernel.h). */
struct ss_site {
	const char *file;
	int line;
	const char *func;
	const char *expr; /* source text of the accessed location or the primitive */
};

enum ss_fail_kind {
	SS_FAIL_NONE = 0,
	SS_FAIL_COUNTER_UNDERFLOW,  /* page counter / nr_charged_bytes below zero */
	SS_FAIL_REFCOUNT_UNDERFLOW, /* objcg or object refcount put below zero / get after release
				     */
	SS_FAIL_WRONG_METADATA,	    /* free/charge hook used an ext other than the object's own */
	SS_FAIL_CHARGE_LEAK,	    /* charges left at quiescence */
	SS_FAIL_STALE_CONTENT,	    /* freeing CPU saw object content older than the handoff */
	SS_FAIL_DOUBLE_FREE,
	SS_FAIL_USE_AFTER_FREE,
	SS_FAIL_INVARIANT, /* allocator's own structures corrupt (freelist, inuse) */
	SS_FAIL_DEADLOCK,
	SS_FAIL_STEP_LIMIT,
	SS_FAIL_DATA_RACE,	/* plain accesses race (LKMM), reported with --races fail */
	SS_FAIL_SCENARIO_CRASH, /* a role crashed (SIGSEGV, abort, ...) in the emulator */
	SS_FAIL_NKINDS
};

struct ss_failure {
	enum ss_fail_kind kind;
	int cpu;
	const struct ss_site *site;
	char msg[240];
};

/* Called for every failure; must be safe to call from several threads at once. */
typedef void (*ss_fail_hook_fn)(const struct ss_failure *f, void *arg);

void ss_set_fail_hook(ss_fail_hook_fn fn, void *arg);
/* Hands f to the hook.  Returns false when no hook is set (the reporter then
 * prints it). */
bool ss_fail_deliver(const struct ss_failure *f);

const char *ss_fail_kind_name(enum ss_fail_kind kind);
/* Returns SS_FAIL_NONE for an unknown name. */
enum ss_fail_kind ss_fail_kind_from_name(const char *name);

#endif /* SS_RES_FAILURE_H */
