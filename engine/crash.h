/* engine/crash.h - a scenario that crashes inside the emulator (a NULL
 * dereference, abort(), a stack overflow in a role of a scenario file) becomes a
 * failure of the scenario, kind scenario-crash, instead of a crash of slabstress.
 *
 * The emulator runs roles as coroutines on its own thread.  While it runs them it
 * arms the guard; a crash signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
 * SIGTRAP) on that thread then runs the handler on an alternate signal stack,
 * which restores the thread's signal mask and calls the armed function: the
 * emulator reports the failure on the crashing CPU and switches back to its host
 * context, abandoning the role's coroutine exactly as it abandons a CPU after any
 * failure (its stack is re-initialised for the next execution, the world reset
 * puts the allocator back).  A signal while the guard is not armed, or on another
 * thread, goes to the handler that was installed before (libFuzzer's, ASan's) or
 * gets the default action, as if this file did not exist.
 *
 * Why in-process and not a forked child: the emulator is deterministic, so a
 * crash is a property of the schedule; handled here it is an ordinary failure
 * with a reproducer that `replay` runs to the same crash, and the --json result
 * is written by the same code as for any failure.  The risk is a crash inside a
 * non-reentrant function (malloc, stdio) called by the role, which would leave
 * its lock held: roles only call kernel/ primitives and the object calls, which
 * take no such lock, so the run goes on (or stops at its first failure, as
 * usual).
 */
#ifndef SS_CRASH_H
#define SS_CRASH_H

#include <stddef.h>
#include <stdint.h>

#include "results/failure.h"

struct ss_crash {
	int sig;
	uintptr_t addr;	      /* the faulting address (SIGSEGV, SIGBUS), else 0 */
	struct ss_site *site; /* the module and offset of the faulting instruction
			       * ("x.so+0x11d9"), its symbol if exported, or NULL */
};

/* Must not return: switches away from the crashed coroutine. */
typedef void (*ss_crash_fn)(void *arg, const struct ss_crash *c);

/* Installs the handlers (once per process) and this thread's alternate signal
 * stack (once per thread), then arms: until ss_crash_disarm(), a crash signal on
 * this thread calls fn(arg, crash) on the alternate stack. */
void ss_crash_arm(ss_crash_fn fn, void *arg);
void ss_crash_disarm(void);

/* "SIGSEGV (address 0x0)", "SIGABRT (abort)", ... into buf. */
void ss_crash_describe(const struct ss_crash *c, char *buf, size_t n);

#endif /* SS_CRASH_H */
