/* Signal numbers, sigaction and sigaltstack flags as the x86-64 ABI has
 * them, and what the arch's signal frame code needs from the generic
 * signal code (kernel/signal.c). */
#ifndef UMK_SIGNAL_H
#define UMK_SIGNAL_H
#include <umk/sched.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGWINCH 28
#define SIGSYS 31

#define SA_NOCLDSTOP 0x1
#define SA_NOCLDWAIT 0x2
#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTORER 0x04000000
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define MINSIGSTKSZ 2048
#define SIG_DFL 0
#define SIG_IGN 1

#define KERNEL_ONLY_MASK (ksigmask(SIGKILL) | ksigmask(SIGSTOP))
#define STOP_MASK (ksigmask(SIGSTOP) | ksigmask(SIGTSTP) | ksigmask(SIGTTIN) | ksigmask(SIGTTOU))

/* signal_struct.flags: the group stop's state, as Linux's SIGNAL_*.
 * CLD_* are notifications owed to the parent, sent by the first thread
 * that runs again (do_signal). */
#define SIGNAL_STOP_STOPPED	0x1	/* every thread has stopped */
#define SIGNAL_STOP_CONTINUED	0x2	/* SIGCONT since: WCONTINUED reports it */
#define SIGNAL_CLD_STOPPED	0x10
#define SIGNAL_CLD_CONTINUED	0x20
#define SIGNAL_CLD_MASK		(SIGNAL_CLD_STOPPED | SIGNAL_CLD_CONTINUED)
#define SIGNAL_STOP_MASK	(SIGNAL_CLD_MASK | SIGNAL_STOP_STOPPED | SIGNAL_STOP_CONTINUED)

/* task.jobctl: a thread's part in group stops and ptrace traps, as
 * Linux's JOBCTL_* (the low bits: the stop signal of the group stop). */
#define JOBCTL_STOP_SIGMASK	0xffffUL
#define JOBCTL_STOP_DEQUEUED	(1UL << 16)	/* a stop signal was dequeued */
#define JOBCTL_STOP_PENDING	(1UL << 17)	/* take part in the group stop */
#define JOBCTL_STOP_CONSUME	(1UL << 18)	/* counted in group_stop_count */
#define JOBCTL_TRAP_STOP	(1UL << 19)	/* ptrace: trap for a STOP event */
#define JOBCTL_TRAP_NOTIFY	(1UL << 20)	/* ptrace: trap to report a change */
#define JOBCTL_TRAPPING		(1UL << 21)	/* the attacher waits for the trap */
#define JOBCTL_LISTENING	(1UL << 22)	/* PTRACE_LISTEN */
#define JOBCTL_TRAP_MASK	(JOBCTL_TRAP_STOP | JOBCTL_TRAP_NOTIFY)
#define JOBCTL_PENDING_MASK	(JOBCTL_STOP_PENDING | JOBCTL_TRAP_MASK)

/* stack_t (sigaltstack, uc_stack) */
struct ksigaltstack { uint64_t ss_sp; int32_t ss_flags; int32_t __pad; uint64_t ss_size; };

/* Is sp on t's alternate signal stack; its SS_* state as sigaltstack
 * reports it. */
bool on_sig_stack(struct task *t, uint64_t sp);
int sas_ss_flags(struct task *t, uint64_t sp);
/* A synchronous signal for current (fault, bad frame): delivered even if
 * blocked or ignored, as Linux's force_sig_fault. */
void force_sig_fault(int sig, int code, uaddr_t addr, int trapno);
void force_sig_fault_regs(int sig, int code, uaddr_t addr);
/* seccomp's SECCOMP_RET_TRAP: SIGSYS (SYS_SECCOMP) for syscall nr of
 * arch at the current rip, si_errno data; forced as a fault is. */
void force_sig_seccomp(int nr, uint32_t data, uint32_t arch, bool exit);
/* SIGKILL is pending for t (it dies at its next safe point). */
bool fatal_signal_pending(struct task *t);
#endif
