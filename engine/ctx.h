/* engine/ctx.h - coroutine context switch for the emulator's virtual CPUs.
 *
 * A context is the saved stack pointer of a suspended coroutine; the callee-saved
 * registers live on its own stack.  ss_ctx_switch() saves the caller's callee-saved
 * registers and stack pointer in *from and resumes *to: no system call, no signal
 * mask, no floating-point environment (every coroutine runs the same code with the
 * same rounding mode).  Hand-written for x86-64 (ctx_x86_64.S) and arm64
 * (ctx_aarch64.S); other architectures fall back to ucontext (ctx.c), which is
 * slower (swapcontext saves the signal mask with a system call).
 *
 * A coroutine's entry function must never return: it ends by switching away for
 * good (the emulator re-initialises the context before the next execution).
 */
#ifndef SS_CTX_H
#define SS_CTX_H

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SS_CTX_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SS_CTX_ASAN)
#define SS_CTX_ASAN 1
#endif
#ifdef SS_CTX_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__x86_64__) || defined(__aarch64__)
#define SS_CTX_ASM 1
struct ss_ctx {
	void *sp;
	const void *stack; /* lowest address and size of the stack it runs on, for ASan */
	size_t size;	   /* (0 for the host context until a coroutine learns it) */
};
#else
#include <ucontext.h>
struct ss_ctx {
	ucontext_t uc;
	const void *stack;
	size_t size;
};
#endif

typedef void (*ss_ctx_fn)(void *arg);

/* Prepares ctx so that the first switch to it calls fn(arg) on the given stack
 * (stack: lowest address, size: bytes; 16-byte alignment is applied here). */
void ss_ctx_init(struct ss_ctx *ctx, void *stack, size_t size, ss_ctx_fn fn, void *arg);
/* Saves the running context in *from, resumes *to. Returns when someone switches
 * back to *from. */
void ss_ctx_switch(struct ss_ctx *from, struct ss_ctx *to);

/* ss_ctx_switch, telling AddressSanitizer (when built with it) that the stack
 * changes, so it neither warns nor misreads the coroutine stacks. */
static inline void ss_ctx_jump(struct ss_ctx *from, struct ss_ctx *to)
{
#ifdef SS_CTX_ASAN
	void *fake = NULL;
	__sanitizer_start_switch_fiber(&fake, to->stack, to->size);
	ss_ctx_switch(from, to);
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
	ss_ctx_switch(from, to);
#endif
}

/* The first thing a coroutine entry function does: completes the switch that
 * started it and, the first time, learns the host stack's bounds. */
static inline void ss_ctx_entered(struct ss_ctx *host)
{
#ifdef SS_CTX_ASAN
	const void *bottom = NULL;
	size_t size = 0;
	__sanitizer_finish_switch_fiber(NULL, &bottom, &size);
	if (host && !host->stack) {
		host->stack = bottom;
		host->size = size;
	}
#else
	(void)host;
#endif
}

#endif /* SS_CTX_H */
