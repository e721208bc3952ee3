/* engine/ctx_x86_64.S - context switch for x86-64 System V (see ctx.h).
 *
 * Frame of a suspended context, from its saved stack pointer upwards:
 *   r15 r14 r13 r12 rbx rbp <return address>
 * A fresh context (ss_ctx_init) holds fn in r12, arg in r13 and returns into
 * ss_ctx_trampoline, which calls fn(arg) on a 16-byte aligned stack.
 */
#if defined(__x86_64__)
	.text
	.globl ss_ctx_switch
	.type ss_ctx_switch, @function
	.p2align 4
ss_ctx_switch:			/* rdi = from, rsi = to */
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size ss_ctx_switch, .-ss_ctx_switch

	.globl ss_ctx_trampoline
	.hidden ss_ctx_trampoline
	.type ss_ctx_trampoline, @function
	.p2align 4
ss_ctx_trampoline:
	movq %r13, %rdi
	callq *%r12
	ud2			/* fn must not return */
	.size ss_ctx_trampoline, .-ss_ctx_trampoline
#endif
	.section .note.GNU-stack,"",@progbits
