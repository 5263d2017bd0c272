/* ptrace: a task tracing another, with Linux's model and names
 * (Documentation/debugging-guest.md). kernel/ptrace.c has the requests,
 * attaching and detaching; kernel/ptrace_stops.c the places where a
 * tracee stops (signal delivery, group stop, system calls, events);
 * kernel/ptrace_regs.c the register requests over the arch's register
 * sets. Kernel code may trace too (the gdbstub): the calls below act for
 * current as the tracer. */
#ifndef UMK_PTRACE_H
#define UMK_PTRACE_H
#include <umk/sched.h>
#include <linux/ptrace.h>

/* task->ptrace, as Linux's PT_*: the PTRACE_O_* options sit above bit 3 */
#define PT_PTRACED		0x00000001
#define PT_SEIZED		0x00010000
#define PT_OPT_FLAG_SHIFT	3
#define PT_EVENT_FLAG(event)	(1U << (PT_OPT_FLAG_SHIFT + (event)))
#define PT_TRACESYSGOOD		PT_EVENT_FLAG(0)
#define PT_EXITKILL		((unsigned)PTRACE_O_EXITKILL << PT_OPT_FLAG_SHIFT)
#define PT_TRACE_MASK		((unsigned)PTRACE_O_MASK << PT_OPT_FLAG_SHIFT)

/* task->syscall_work */
#define SYSCALL_WORK_TRACE	0x1	/* PTRACE_SYSCALL: stop at entry and exit */
#define SYSCALL_WORK_EMU	0x2	/* PTRACE_SYSEMU: stop at entry, skip the call */
#define SYSCALL_WORK_EXIT_TRAP	0x4	/* single-stepping: a trap after the call */

static inline bool ptrace_event_enabled(struct task *t, int event)
{
	return t->ptrace & PT_EVENT_FLAG(event);
}

/* Traced by another process than the one that forked it (Linux's
 * ptrace_reparented): its tracer hears what its real parent would. */
static inline bool ptrace_reparented(struct task *t)
{
	return t->ptracer && t->ptracer->signal != (t->parent ? t->parent->signal : NULL);
}

/* The task that wait(2) reports t to: its tracer, else its parent. */
static inline struct task *task_wait_parent(struct task *t)
{
	return t->ptracer ? t->ptracer : t->parent;
}

/* ptrace_stops.c: where current stops for its tracer. Each returns what
 * the tracer resumed it with (a signal, or 0). */
int ptrace_stop(int exit_code, int why, uint64_t message, struct ksiginfo *info);
void ptrace_notify(int exit_code, uint64_t message);	/* SIGTRAP | event << 8 */
void ptrace_event(int event, uint64_t message);		/* if the option asks for it */
int ptrace_signal(int sig, struct ksiginfo *info, bool shared);	/* signal-delivery-stop: what to deliver, or 0 */
void do_jobctl_trap(void);				/* group stop, INTERRUPT, LISTEN's notifications */
bool ptrace_report_syscall_entry(void);			/* true: skip the call */
void ptrace_report_syscall_exit(void);
bool ptrace_step_off(void);				/* a handler is set up: stepping ends */
/* fork: the child of a traced parent is traced too when event is
 * reported (or CLONE_PTRACE asked); starts with SIGSTOP or a STOP trap. */
void ptrace_init_task(struct task *child, struct task *parent, bool trace);

/* ptrace.c */
void ptrace_unlink(struct task *child);
void exit_ptrace(struct task *tracer);			/* tracer's thread exits: detach all */
/* A tracee that exited is reaped by (or detached from) its tracer; true
 * if it is to be released now (Linux's __ptrace_detach). */
bool ptrace_detach_zombie(struct task *tracer, struct task *p);
/* PTRACE_MODE_ATTACH_REALCREDS: may current trace (or inspect) t. */
int ptrace_may_access(struct task *t);

/* For a kernel tracer (current is the tracer): 0 or -errno, as the
 * requests of the same names. */
int ptrace_attach(struct task *t, long request, unsigned long flags);
int ptrace_check_attach(struct task *child, bool ignore_state);
int ptrace_resume(struct task *child, long request, unsigned long data);
int ptrace_interrupt(struct task *child);
int ptrace_detach(struct task *child, unsigned long data);
/* Guest memory of a tracee as ptrace sees it (FOLL_FORCE: breakpoints
 * go into read-only text): bytes done. */
long ptrace_access_vm(struct task *t, uaddr_t addr, void *buf, size_t n, bool write);

/* exit.c: wait(2) from kernel code (status as wait4 stores it). */
long kernel_wait4(pid_t pid, int *status, int options);

/* ptrace_regs.c: the register requests (GETREGS ... SETREGSET,
 * PEEKUSER, POKEUSER, ARCH_PRCTL): false if request is not one of
 * them, else true with the result in *ret. */
bool ptrace_regs_request(struct task *child, long request, uaddr_t addr, uaddr_t data, long *ret);
#endif
