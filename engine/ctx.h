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

#if defined(__x86_64__) || defined(__aarch64__)
#define SS_CTX_ASM 1
struct ss_ctx {
	void *sp;
};
#else
#include <ucontext.h>
struct ss_ctx {
	ucontext_t uc;
};
#endif

typedef void (*ss_ctx_fn)(void *arg);

/* Prepares ctx so that the first switch to it calls fn(arg) on the given stack
 * (stack: lowest address, size: bytes; 16-byte alignment is applied here). */
void ss_ctx_init(struct ss_ctx *ctx, void *stack, size_t size, ss_ctx_fn fn, void *arg);
/* Saves the running context in *from, resumes *to. Returns when someone switches
 * back to *from. */
void ss_ctx_switch(struct ss_ctx *from, struct ss_ctx *to);

#endif /* SS_CTX_H */
