/* kernel/bug.h - check failures: what the model reports when an invariant breaks.
 *
 * The kernel's WARN/BUG, reshaped for a test tool: a failure carries a kind (one
 * word from a fixed list, used by tests, reproducers and dedup), the CPU that saw
 * it, the code site, and a one-line description with the values seen.  Failures
 * go to a settable hook (ss_fail_hook); the engines install one that records them
 * in the run's result, tests install one that counts them.  Nothing here aborts.
 */
#ifndef SS_BUG_H
#define SS_BUG_H

#include <stdarg.h>

#include "kernel/kernel.h"

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
void ss_fail_at(enum ss_fail_kind kind, const struct ss_site *site, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *ss_fail_kind_name(enum ss_fail_kind kind);
/* Returns SS_FAIL_NONE for an unknown name. */
enum ss_fail_kind ss_fail_kind_from_name(const char *name);

#define SS_FAIL(kind, ...) ss_fail_at((kind), SS_SITE(#kind), __VA_ARGS__)

#endif /* SS_BUG_H */
