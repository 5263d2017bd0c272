/* The stub: the only host code inside a guest address space. It maps its
 * shared data page, clears out every host mapping above the guest range
 * (stack, vdso, vvar), then parks in int3. The kernel makes it run queued
 * mmap/munmap/mprotect requests by pointing its rip at stub_run_ops.
 * mode=seccomp continues instead into stub_sc_init (stub_seccomp.S). */
#include "../stub_layout.h"
#include "stub_ops.inc"

	.text
	.globl _start
_start:
	/* r9 = physmem offset of this mm's data pages, r12 = their
	 * protection (0: read-write), r13 = mode=seccomp's RW region (0:
	 * none); all set by the tracer */
	mov $STUB_DATA, %rdi
	mov $STUB_DATA_SIZE, %rsi
	mov $3, %edx			/* PROT_READ|PROT_WRITE */
	test %r12, %r12
	cmovnz %r12, %rdx
	mov $0x11, %r10d		/* MAP_SHARED|MAP_FIXED */
	mov $STUB_PHYSMEM_FD, %r8d
	mov $9, %eax			/* mmap */
	syscall
	mov $STUB_DATA, %rcx
	cmp %rcx, %rax
	jne 9f
	mov $STUB_STACK_TOP, %rsp
	/* drop the host's stack, vdso and vvar */
	mov $STUB_END, %rdi
	mov $HOST_USER_TOP, %rsi
	sub %rdi, %rsi
	mov $11, %eax			/* munmap */
	syscall
	test %rax, %rax
	jnz 9f
	/* name the process for ps/top: umk-userspace */
	mov $15, %edi			/* PR_SET_NAME */
	lea stub_name(%rip), %rsi
	mov $157, %eax			/* prctl */
	syscall
	test %r13, %r13
	jnz stub_sc_init
	xor %eax, %eax			/* report success */
9:
	int3
	hlt
stub_name:
	.asciz "umk-userspace"

	.globl stub_run_ops
stub_run_ops:
	/* run ops[done..count), stop at the first error */
	mov $STUB_DATA, %rbx
2:
	mov STUB_OP_DONE(%rbx), %rcx
	cmp STUB_OP_COUNT(%rbx), %rcx
	jae 3f
	imul $STUB_OP_SIZE, %rcx, %rcx
	lea STUB_OPS(%rbx,%rcx), %r12
	load_op %r12
	syscall
	cmp $-4095, %rax
	jae 4f
	incq STUB_OP_DONE(%rbx)
	jmp 2b
4:
	mov %rax, STUB_OP_ERR(%rbx)
3:
	int3
	jmp stub_run_ops
