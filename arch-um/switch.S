/* Kernel-stack context switch: save callee-saved registers on the old
 * stack, store its rsp, load the new one, restore, return into it. */
	.text
	.globl um_switch_stacks
	/* void um_switch_stacks(uint64_t *save_rsp, uint64_t new_rsp) */
um_switch_stacks:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

	/* first return of a new task lands here; r12 = entry function */
	.globl um_task_trampoline
um_task_trampoline:
	xor %ebp, %ebp
	call *%r12
	ud2

	/* void um_call_on_stack(void (*fn)(void *), void *arg, void *top):
	 * fn(arg) on the stack below top (16-aligned), back on ours after */
	.globl um_call_on_stack
um_call_on_stack:
	push %rbp
	mov %rsp, %rbp
	mov %rdx, %rsp
	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
	mov %rbp, %rsp
	pop %rbp
	ret
	.section .note.GNU-stack,"",@progbits
