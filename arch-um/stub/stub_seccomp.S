/* mode=seccomp's half of the stub (arch-um/stub_seccomp.h has the
 * layout, arch-um/trap_seccomp.c the kernel's half).
 *
 * Two host threads share the stub process:
 *   the guest thread runs guest code under a filter that traps every
 *   system call (SIGSYS) except the handler's own futex, arch_prctl and
 *   rt_sigreturn, each allowed only from its one instruction and with
 *   fixed arguments. It holds no file descriptor at all.
 *   the mapper thread (its own fd table: only the memory file, fd 3) runs
 *   the kernel's queued mmap/munmap/mprotect, read from the read-only
 *   region, and nothing else (its filter kills the process otherwise).
 *
 * Every instruction here may be reached by guest code with registers of
 * its choosing. So the code after each syscall reloads what it needs from
 * constants and the read-only region, and the kernel trusts nothing but
 * what it checks itself (trap_seccomp.c). */
#include "../stub_seccomp.h"
#include "stub_ops.inc"

#define SYS_rt_sigaction 13
#define SYS_rt_sigprocmask 14
#define SYS_rt_sigreturn 15
#define SYS_getpid 39
#define SYS_clone 56
#define SYS_sigaltstack 131
#define SYS_prctl 157
#define SYS_arch_prctl 158
#define SYS_futex 202
#define SYS_exit_group 231
#define SYS_seccomp 317
#define SYS_close_range 436
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define PR_SET_NO_NEW_PRIVS 38
#define SECCOMP_SET_MODE_FILTER 1
#define CLONE_VM 0x100
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000

/* Load the TLS base the kernel asks for (bit of SC_TLS) with arch_prctl;
 * \ip: the address after its syscall, which the filter allows. */
.macro set_tls bit, code, field, ip
	mov $STUB_DATA, %rbp
	testl $\bit, SC_TLS(%rbp)
	jz 88f
	mov $\code, %edi
	mov \field(%rbp), %rsi
	mov $SYS_arch_prctl, %eax
	syscall
	.globl \ip
\ip:
88:
.endm

	.text
/* Reached from _start (stub.S) with the RW region's physmem offset in
 * r13. Reports to the tracer with int3: rax 0, or the failing call's
 * -errno. After the tracer detaches, the first trap parks the thread. */
	.globl stub_sc_init
stub_sc_init:
	mov $STUB_SC_RW, %rdi
	mov $STUB_SC_RW_SIZE, %esi
	mov $3, %edx			/* PROT_READ|PROT_WRITE */
	mov $0x11, %r10d		/* MAP_SHARED|MAP_FIXED */
	mov $STUB_PHYSMEM_FD, %r8d
	mov %r13, %r9
	mov $9, %eax
	syscall
	mov $STUB_SC_RW, %rcx
	cmp %rcx, %rax
	jne 9f
	mov $(STUB_SC_RW + STUB_SC_RW_SIZE), %rsp
	mov $STUB_DATA, %rbp
	/* no new privileges: required for an unprivileged filter */
	mov $PR_SET_NO_NEW_PRIVS, %edi
	mov $1, %esi
	xor %edx, %edx
	xor %r10d, %r10d
	xor %r8d, %r8d
	mov $SYS_prctl, %eax
	syscall
	test %rax, %rax
	jnz 9f
	lea SC_SS(%rbp), %rdi
	xor %esi, %esi
	mov $SYS_sigaltstack, %eax
	syscall
	test %rax, %rax
	jnz 9f
	lea trap_signals(%rip), %r12
1:	movzbl (%r12), %edi
	test %edi, %edi
	jz 2f
	lea SC_SA(%rbp), %rsi
	xor %edx, %edx
	mov $8, %r10d
	mov $SYS_rt_sigaction, %eax
	syscall
	test %rax, %rax
	jnz 9f
	inc %r12
	jmp 1b
2:	/* the mapper starts with every signal blocked */
	mov $2, %edi			/* SIG_SETMASK */
	lea SC_ALLSIGS(%rbp), %rsi
	xor %edx, %edx
	mov $8, %r10d
	mov $SYS_rt_sigprocmask, %eax
	syscall
	/* a thread of this process with a copy of the fd table */
	mov $(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM), %edi
	xor %esi, %esi			/* same rsp: the mapper uses no stack */
	xor %edx, %edx
	xor %r10d, %r10d
	xor %r8d, %r8d
	mov $SYS_clone, %eax
	syscall
	test %rax, %rax
	js 9f
	jz mapper_init
	/* the guest thread: no descriptors, signals open, then its filter */
	xor %edi, %edi
	mov $-1, %esi
	xor %edx, %edx
	mov $SYS_close_range, %eax
	syscall
	test %rax, %rax
	jnz 9f
	mov $2, %edi
	lea SC_NOSIGS(%rbp), %rsi
	xor %edx, %edx
	mov $8, %r10d
	mov $SYS_rt_sigprocmask, %eax
	syscall
	mov $SECCOMP_SET_MODE_FILTER, %edi
	xor %esi, %esi
	lea SC_GPROG(%rbp), %rdx
	mov $SYS_seccomp, %eax
	syscall
	test %rax, %rax
	jnz 9f
	xor %eax, %eax
	int3
	/* detached: this call traps, and the handler parks us */
	mov $SYS_getpid, %eax
	syscall
	ud2
9:	int3
	hlt

trap_signals:
	.byte SC_SIGNALS, 0

/* The trap handler, for every signal in SC_SIGNALS, on the alternate
 * stack, all signals blocked: rdi signo, rsi siginfo, rdx ucontext, rsp
 * the frame. Publish the frame, wake the kernel, park until the kernel
 * (or the mapper, after the queued operations) bumps SC_KCMD, load the
 * TLS the kernel asks for, and return through the (edited) frame. */
	.globl stub_sc_handler
stub_sc_handler:
	mov $STUB_SC_RW, %rbx
	mov $STUB_DATA, %rbp
	mov %rdx, SC_UC(%rbx)
	mov SC_KCMD(%rbp), %r12d	/* the generation we trapped in */
	lock incl SC_UWORD(%rbx)
	lea SC_UWORD(%rbx), %rdi
	mov $FUTEX_WAKE, %esi
	mov $1, %edx
	mov $SYS_futex, %eax
	syscall
	.globl stub_sc_wake_ip
stub_sc_wake_ip:
1:	mov $STUB_DATA, %rbp
	lea SC_KCMD(%rbp), %rdi
	mov $FUTEX_WAIT, %esi
	mov %r12d, %edx
	xor %r10d, %r10d
	mov $SYS_futex, %eax
	syscall
	.globl stub_sc_park_ip
stub_sc_park_ip:
	mov $STUB_DATA, %rbp
	cmp SC_KCMD(%rbp), %r12d
	je 1b
	set_tls 1, ARCH_SET_FS, SC_FS_BASE, stub_sc_fs_ip
	set_tls 2, ARCH_SET_GS, SC_GS_BASE, stub_sc_gs_ip
	add $8, %rsp			/* past pretcode: rsp is the ucontext */
	mov $SYS_rt_sigreturn, %eax
	syscall
	.globl stub_sc_sigret_ip
stub_sc_sigret_ip:
	ud2
	.globl stub_sc_restorer
stub_sc_restorer:			/* SA_RESTORER is required; never used */
	ud2

/* The mapper thread: its own fd table holds only the memory file (fd 3),
 * every signal blocked, no stack. Each time the kernel bumps SC_MSEQ it
 * runs ops[0..count) from the read-only queue; a failing op ends the
 * process (the kernel sees the stub die). */
mapper_init:
	xor %edi, %edi
	mov $2, %esi
	xor %edx, %edx
	mov $SYS_close_range, %eax
	syscall
	mov $4, %edi
	mov $-1, %esi
	xor %edx, %edx
	mov $SYS_close_range, %eax
	syscall
	mov $STUB_DATA, %rbp
	mov $SECCOMP_SET_MODE_FILTER, %edi
	xor %esi, %esi
	lea SC_MPROG(%rbp), %rdx
	mov $SYS_seccomp, %eax
	syscall
	test %rax, %rax
	jnz 8f
	xor %r12d, %r12d		/* the generation done */
1:	mov $STUB_DATA, %rbp
	mov SC_MSEQ(%rbp), %edx
	cmp %edx, %r12d
	jne 2f
	lea SC_MSEQ(%rbp), %rdi
	mov $FUTEX_WAIT, %esi
	xor %r10d, %r10d
	mov $SYS_futex, %eax
	syscall
	.globl stub_sc_mwait_ip
stub_sc_mwait_ip:
	jmp 1b
2:	mov %edx, %r12d
	mov STUB_OP_COUNT(%rbp), %r14
	xor %r13d, %r13d
3:	cmp %r14, %r13
	jae 5f
	imul $STUB_OP_SIZE, %r13, %rcx
	lea STUB_OPS(%rbp,%rcx), %r15
	load_op %r15
	syscall
	.globl stub_sc_op_ip
stub_sc_op_ip:
	cmp $-4095, %rax
	jae 4f
	inc %r13
	jmp 3b
4:	mov $STUB_SC_RW, %rbx
	mov (%r15), %rcx
	mov %rcx, SC_MERR_NR(%rbx)
	mov %rax, SC_MERR_RET(%rbx)
8:	mov $1, %edi
	mov $SYS_exit_group, %eax
	syscall
	.globl stub_sc_exit_ip
stub_sc_exit_ip:
	hlt
5:	mov $STUB_DATA, %rbp
	cmpl $0, SC_MWAKE(%rbp)
	je 1b
	lea SC_KCMD(%rbp), %rdi
	mov $FUTEX_WAKE, %esi
	mov $1, %edx
	mov $SYS_futex, %eax
	syscall
	.globl stub_sc_mwake_ip
stub_sc_mwake_ip:
	jmp 1b
