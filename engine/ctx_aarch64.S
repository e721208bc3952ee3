/* engine/ctx_aarch64.S - context switch for arm64 AAPCS64 (see ctx.h).
 *
 * Frame of a suspended context (176 bytes, sp 16-byte aligned):
 *   [0] x19 x20  [16] x21 x22  [32] x23 x24  [48] x25 x26  [64] x27 x28
 *   [80] x29 x30 [96] d8 d9    [112] d10 d11 [128] d12 d13 [144] d14 d15
 * A fresh context holds fn in x19, arg in x20 and x30 = ss_ctx_trampoline.
 */
#if defined(__aarch64__)
	.text
	.globl ss_ctx_switch
	.type ss_ctx_switch, %function
	.p2align 4
ss_ctx_switch:			/* x0 = from, x1 = to */
	sub sp, sp, #176
	stp x19, x20, [sp, #0]
	stp x21, x22, [sp, #16]
	stp x23, x24, [sp, #32]
	stp x25, x26, [sp, #48]
	stp x27, x28, [sp, #64]
	stp x29, x30, [sp, #80]
	stp d8, d9, [sp, #96]
	stp d10, d11, [sp, #112]
	stp d12, d13, [sp, #128]
	stp d14, d15, [sp, #144]
	mov x9, sp
	str x9, [x0]
	ldr x9, [x1]
	mov sp, x9
	ldp x19, x20, [sp, #0]
	ldp x21, x22, [sp, #16]
	ldp x23, x24, [sp, #32]
	ldp x25, x26, [sp, #48]
	ldp x27, x28, [sp, #64]
	ldp x29, x30, [sp, #80]
	ldp d8, d9, [sp, #96]
	ldp d10, d11, [sp, #112]
	ldp d12, d13, [sp, #128]
	ldp d14, d15, [sp, #144]
	add sp, sp, #176
	ret
	.size ss_ctx_switch, .-ss_ctx_switch

	.globl ss_ctx_trampoline
	.hidden ss_ctx_trampoline
	.type ss_ctx_trampoline, %function
	.p2align 4
ss_ctx_trampoline:
	mov x0, x20
	blr x19
	brk #0			/* fn must not return */
	.size ss_ctx_trampoline, .-ss_ctx_trampoline
#endif
	.section .note.GNU-stack,"",%progbits
