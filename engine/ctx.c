/* engine/ctx.c - preparing a coroutine context (see ctx.h): the initial frame for
 * the assembly switch on x86-64 and arm64, ucontext everywhere else. */
#include <stdint.h>
#include <string.h>

#include "engine/ctx.h"

#if defined(__x86_64__)

void ss_ctx_trampoline(void);

void ss_ctx_init(struct ss_ctx *ctx, void *stack, size_t size, ss_ctx_fn fn, void *arg)
{
	/* After the six pops and the ret into the trampoline, rsp must be 16-byte
	 * aligned so that its call gives fn the ABI's entry alignment. */
	uintptr_t top = ((uintptr_t)stack + size - 16) & ~(uintptr_t)15;
	void **sp = (void **)(top - 7 * sizeof(void *));
	sp[0] = 0;			   /* r15 */
	sp[1] = 0;			   /* r14 */
	sp[2] = arg;			   /* r13 */
	sp[3] = (void *)fn;		   /* r12 */
	sp[4] = 0;			   /* rbx */
	sp[5] = 0;			   /* rbp */
	sp[6] = (void *)ss_ctx_trampoline; /* return address */
	ctx->sp = sp;
	ctx->stack = stack;
	ctx->size = size;
}

#elif defined(__aarch64__)

void ss_ctx_trampoline(void);

void ss_ctx_init(struct ss_ctx *ctx, void *stack, size_t size, ss_ctx_fn fn, void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size - 16) & ~(uintptr_t)15;
	void **sp = (void **)(top - 176);
	memset(sp, 0, 176);
	sp[0] = (void *)fn;		    /* x19 */
	sp[1] = arg;			    /* x20 */
	sp[11] = (void *)ss_ctx_trampoline; /* x30 */
	ctx->sp = sp;
	ctx->stack = stack;
	ctx->size = size;
}

#else /* ucontext fallback */

#include <stdlib.h>

/* makecontext passes int arguments only: split the pointers. */
static void uc_entry(unsigned fhi, unsigned flo, unsigned ahi, unsigned alo)
{
	ss_ctx_fn fn = (ss_ctx_fn)(((uintptr_t)fhi << 16 << 16) | flo);
	void *arg = (void *)(((uintptr_t)ahi << 16 << 16) | alo);
	fn(arg);
	abort(); /* fn must not return */
}

void ss_ctx_init(struct ss_ctx *ctx, void *stack, size_t size, ss_ctx_fn fn, void *arg)
{
	uintptr_t f = (uintptr_t)fn, a = (uintptr_t)arg;
	getcontext(&ctx->uc);
	ctx->uc.uc_stack.ss_sp = stack;
	ctx->uc.uc_stack.ss_size = size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, (void (*)(void))uc_entry, 4, (unsigned)(f >> 16 >> 16), (unsigned)f,
		    (unsigned)(a >> 16 >> 16), (unsigned)a);
	ctx->stack = stack;
	ctx->size = size;
}

void ss_ctx_switch(struct ss_ctx *from, struct ss_ctx *to)
{
	swapcontext(&from->uc, &to->uc);
}

#endif
