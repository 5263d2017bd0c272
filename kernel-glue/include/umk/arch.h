/* The arch-um interface: everything kernel-glue and drivers may ask of the
 * host port. Nothing here exposes a host type. Errors are -errno. */
#ifndef UMK_ARCH_H
#define UMK_ARCH_H
#include <umk/types.h>
#include <umk/sigset.h>

struct task;
struct mm;

/* Guest user space is [0, TASK_SIZE); the stub lives just above it. */
#define TASK_SIZE 0x7fc000000000ULL

/* Physical memory: one shared file mapped at physmem_base. */
extern uint8_t *physmem_base;
extern uint64_t physmem_size;
static inline void *pfn_to_virt(uint64_t pfn) { return physmem_base + (pfn << 12); }
/* Give freed frames' memory back to the host (they read back as zeroes). */
void arch_physmem_release(uint64_t pfn, uint64_t npages);
/* Map n frames side by side into the kernel's address space (the heap's
 * vmalloc); NULL if the host refuses. The pages stay physmem: no host
 * memory beyond the mapping itself. */
void *arch_vmap(const uint64_t *pfns, uint64_t n);
void arch_vunmap(const void *addr, uint64_t n);

/* Kernel stacks and context switch */
void arch_task_init_kstack(struct task *t, void (*entry)(void));
void arch_switch_to(struct task *prev, struct task *next);
/* The arch's per-task state (FPU, kernel stack): a fork's child starts
 * with a copy of the parent's, an exec starts afresh, free releases it. */
void arch_task_fork(struct task *child, struct task *parent);
void arch_task_exec(struct task *t);
void arch_task_free(struct task *t);

/* Guest address spaces (one host stub process per mm) */
int arch_mm_create(struct mm *mm);		/* start a stub process */
void arch_mm_destroy(struct mm *mm);
void arch_mm_task_leave(struct mm *mm, struct task *t);	/* t stops using mm */
/* Queue host-mapping changes; applied before the guest next runs. */
void arch_mm_map(struct mm *mm, uaddr_t va, uint64_t pfn, uint64_t npages, int prot);
void arch_mm_unmap(struct mm *mm, uaddr_t va, uint64_t len);
void arch_mm_protect(struct mm *mm, uaddr_t va, uint64_t len, int prot);

/* Run the current task in guest mode until it traps back. */
enum trap_kind { TRAP_SYSCALL, TRAP_FAULT, TRAP_IRQ, TRAP_DIED };
struct trap_info {
	enum trap_kind kind;
	int signo;		/* TRAP_FAULT/TRAP_SIGNAL: host signal */
	int code;		/* si_code */
	uaddr_t addr;		/* fault address */
	int trapno;
};
void arch_run_user(struct task *t, struct trap_info *ti);
/* The guest's extended FPU state (XSAVE layout) in t->fpstate: get
 * makes it current there; after changing it (signal delivery/return)
 * the kernel says so, and the arch loads it before t runs again. */
int arch_fpstate_get(struct task *t);
void arch_fpstate_changed(struct task *t);
size_t arch_fpstate_size(void);

/* The guest's signal frame (arch-um/kernel/signal_frame.c): build it on
 * t's stack for handler ka of sig and point t's registers at the
 * handler; -EFAULT if the stack cannot take it. rt_sigreturn is the
 * arch's too. */
struct k_sigaction;
struct ksiginfo;
int arch_setup_rt_frame(struct task *t, int sig, const struct k_sigaction *ka, const struct ksiginfo *info,
			const ksigset_t *oldset);

/* ptrace's view of a stopped task (arch-um/kernel/ptrace_arch.c). Its
 * register sets by ELF note type (NT_PRSTATUS: user_regs_struct,
 * NT_PRFPREG: user_fpregs_struct, NT_X86_XSTATE: the XSAVE area) to and
 * from kernel buffers: the size of a set (0: none such), or the bytes
 * copied, or -errno for a value the set refuses. */
size_t arch_regset_size(unsigned type);
long arch_regset_get(struct task *t, unsigned type, void *buf, size_t len);
long arch_regset_set(struct task *t, unsigned type, const void *buf, size_t len);
/* PTRACE_PEEKUSER / POKEUSER: the word of struct user at off. */
int arch_ptrace_peekuser(struct task *t, unsigned long off, uint64_t *val);
int arch_ptrace_pokeuser(struct task *t, unsigned long off, uint64_t val);
/* Stepping by the trap flag: the guest traps (SIGTRAP, TRAP_TRACE)
 * after one instruction; the flag the debugger set is hidden from the
 * registers it reads. disable also ends what detach must end. */
void arch_user_enable_single_step(struct task *t);
void arch_user_disable_single_step(struct task *t);
void arch_ptrace_disable(struct task *t);
/* arch_prctl(2) on t's registers (PTRACE_ARCH_PRCTL). */
long arch_prctl_task(struct task *t, int code, uint64_t addr);
/* A new program starts with no debug registers set. */
void arch_ptrace_exec(struct task *t);
/* What the host's ptrace reports of its XSAVE support: the feature word
 * of NT_X86_XSTATE and FXSAVE's mxcsr_mask (arch-um/fpu.c). */
uint64_t arch_fpstate_xfeatures(void);
uint32_t arch_fpstate_mxcsr_mask(void);
/* Load debug registers DR0-DR7 (DR6 unused) for t into the host thread
 * that runs it: 0, or the host's -errno for a set it refuses
 * (arch-um/debugreg.c). A debug trap updates t->thread.debugreg[6]. */
int arch_debugregs_set(struct task *t, const uint64_t dr[8]);

/* Timers and idle. Deadlines are CLOCK_MONOTONIC ns. */
int64_t arch_clock_ns(int clockid);
void arch_timer_program(int64_t deadline_ns);	/* <0: no timer */
void arch_idle(void);		/* sleep until an interrupt is pending */
/* Pending-interrupt bits, raised by host signals, consumed by the kernel. */
#define IRQ_TIMER 1
#define IRQ_IO 2
#define IRQ_POWER 4	/* the host asks the machine to stop (SIGTERM, SIGHUP, SIGINT) */
unsigned arch_irq_take(void);

/* Host fd readiness as an interrupt: handler runs in kernel context at a
 * safe point after the host fd became readable (or writable). */
int arch_irq_register_fd(int hostfd, bool want_write, void (*handler)(void *), void *data);
void arch_irq_unregister_fd(int hostfd);
void arch_irq_dispatch_fds(void);	/* run handlers of ready fds (after IRQ_IO) */

void arch_get_random(void *buf, size_t n);
uint64_t arch_hwcap(void);		/* AT_HWCAP: CPUID leaf 1 edx, as Linux */
void arch_console_write_raw(const char *s, size_t n);	/* host stderr, for printk */
__attribute__((noreturn)) void arch_halt(int status);	/* power off: exit umk */
bool arch_halting(void);	/* arch_halt has begun: exit hooks are running */
int64_t arch_host_total_cpu_ns(void);
#endif
