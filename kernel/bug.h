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
#include "results/failure.h" /* the kinds, the record, the hook */

void ss_fail_at(enum ss_fail_kind kind, const struct ss_site *site, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define SS_FAIL(kind, ...) ss_fail_at((kind), SS_SITE(#kind), __VA_ARGS__)

#endif /* SS_BUG_H */
