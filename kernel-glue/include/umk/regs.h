/* Guest register state (x86-64 user_regs_struct order, as ptrace uses it)
 * and the arch-um kernel context saved by the context switch. */
#ifndef UMK_REGS_H
#define UMK_REGS_H
#include <umk/types.h>

struct guest_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10;
	uint64_t r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax;
	uint64_t rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};

/* Extended FPU state: XSAVE layout (first 512 bytes = FXSAVE). */
struct guest_fpstate {
	uint32_t size;		/* bytes valid in data */
	uint32_t __pad[3];
	uint8_t data[] __attribute__((aligned(64)));
};

/* What the arch keeps per task for ptrace (arch-um/kernel/ptrace_arch.c):
 * whether the debugger set TF (Linux's TIF_FORCED_TF, hidden from the
 * registers it reads), and the debug registers DR0-DR7 as the tracer
 * wrote them (dr_gen counts changes, so the trap mode knows when to
 * load them into the host thread). */
struct arch_thread {
	bool forced_tf;
	uint64_t debugreg[8];
	uint64_t dr_gen;
};

/* Callee-saved state of a kernel stack, saved by arch_switch_to. */
struct arch_kctx { uint64_t rsp; };

#define syscall_nr(r) ((r)->orig_rax)
#endif
