/* Where a traced task stops for its tracer (Linux's ptrace_stop and its
 * callers in kernel/signal.c, the entry code and ptrace.h): signal
 * delivery, group stops and PTRACE_INTERRUPT (STOP traps), system call
 * entry and exit, single steps, and the PTRACE_EVENT_* stops of fork,
 * exec and exit. A stopped tracee sleeps in TASK_TRACED until the tracer
 * resumes it (ptrace.c) or SIGKILL comes. */
#include <umk/internal.h>
#include <umk/ptrace.h>
#include <umk/arch.h>
#include <asm/siginfo.h>

/* Stop current for its tracer: exit_code is what the tracer's wait
 * reports (status >> 8), why the SIGCHLD code, info what GETSIGINFO
 * shows. Returns what the tracer resumed it with. No stop without a
 * tracer or with SIGKILL pending. */
int ptrace_stop(int exit_code, int why, uint64_t message, struct ksiginfo *info)
{
	struct task *t = current;
	if (!t->ptrace || fatal_signal_pending(t))
		return exit_code;
	t->ptrace_message = message;
	t->last_siginfo = info;
	t->ptrace_code = exit_code;
	t->state = TASK_TRACED;
	/* a STOP trap taken for the group stop counts as stopping for it */
	bool gstop_done = false;
	if (why == CLD_STOPPED && (t->jobctl & JOBCTL_STOP_PENDING))
		gstop_done = task_participate_group_stop(t);
	/* any trap ends a pending STOP trap; a STOP trap a NOTIFY */
	task_clear_jobctl_pending(t, JOBCTL_TRAP_STOP);
	if (info && info->si_code >> 8 == PTRACE_EVENT_STOP)
		task_clear_jobctl_pending(t, JOBCTL_TRAP_NOTIFY);
	task_clear_jobctl_trapping(t);
	/* the tracer hears of every stop, the real parent of the group's */
	do_notify_parent_cldstop(t, true, why);
	if (gstop_done && ptrace_reparented(t))
		do_notify_parent_cldstop(t, false, why);
	while (t->state == TASK_TRACED)
		schedule();
	exit_code = t->ptrace_code;
	t->last_siginfo = NULL;
	t->ptrace_message = 0;
	t->ptrace_code = 0;
	t->jobctl &= ~JOBCTL_LISTENING;
	return exit_code;
}

static int ptrace_do_notify(int signr, int exit_code, int why, uint64_t message)
{
	struct ksiginfo info = { 0 };
	info.si_signo = signr;
	info.si_code = exit_code;
	info.kill.pid = current->pid;
	info.kill.uid = current->cred.uid;
	return ptrace_stop(exit_code, why, message, &info);
}

void ptrace_notify(int exit_code, uint64_t message)
{
	ptrace_do_notify(SIGTRAP, exit_code, CLD_TRAPPED, message);
}

void ptrace_event(int event, uint64_t message)
{
	struct task *t = current;
	if (ptrace_event_enabled(t, event)) {
		ptrace_notify((event << 8) | SIGTRAP, message);
	} else if (event == PTRACE_EVENT_EXEC && (t->ptrace & (PT_PTRACED | PT_SEIZED)) == PT_PTRACED) {
		/* the old way to hear of an exec: a plain SIGTRAP after it */
		struct ksiginfo info = { .si_signo = SIGTRAP, .si_code = SI_USER };
		info.kill.pid = t->tgid;
		info.kill.uid = t->cred.uid;
		send_signal(t, SIGTRAP, &info);
	}
}

/* Linux's ptrace_signal: the tracer sees sig before it is delivered and
 * may cancel it, or deliver another (with the siginfo it set). */
int ptrace_signal(int sig, struct ksiginfo *info, bool shared)
{
	struct task *t = current;
	/* a SIGCONT while stopped here must cancel a stop signal */
	t->jobctl |= JOBCTL_STOP_DEQUEUED;
	sig = ptrace_stop(sig, CLD_TRAPPED, 0, info);
	if (!sig)
		return 0;
	if (sig != info->si_signo) {
		struct task *tracer = t->ptracer;
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_USER;
		info->kill.pid = tracer ? tracer->tgid : 0;
		info->kill.uid = tracer ? tracer->cred.uid : 0;
	}
	/* blocked now, or SIGKILL came: back to the queue */
	if (ksigismember(&t->blocked, sig) || fatal_signal_pending(t)) {
		signal_requeue(t, sig, info, shared);
		return 0;
	}
	return sig;
}

/* Linux's do_jobctl_trap: a seized tracee stops with PTRACE_EVENT_STOP
 * (WSTOPSIG the group stop's signal, or SIGTRAP when there is none); an
 * attached one stops for the group stop as a plain stop. */
void do_jobctl_trap(void)
{
	struct task *t = current;
	struct signal_struct *sig = t->signal;
	int signr = (int)(t->jobctl & JOBCTL_STOP_SIGMASK);
	if (t->ptrace & PT_SEIZED) {
		if (!sig->group_stop_count && !(sig->flags & SIGNAL_STOP_STOPPED))
			signr = SIGTRAP;
		ptrace_do_notify(signr, signr | (PTRACE_EVENT_STOP << 8), CLD_STOPPED, 0);
	} else {
		ptrace_stop(signr, CLD_STOPPED, 0, NULL);
	}
}

/* A signal the tracer resumed a syscall stop with is sent, as Linux's
 * ptrace_report_syscall does (not quite a signal-delivery). */
static bool ptrace_report_syscall(uint64_t message)
{
	struct task *t = current;
	if (!(t->ptrace & PT_PTRACED))
		return false;
	int sig = ptrace_do_notify(SIGTRAP, SIGTRAP | ((t->ptrace & PT_TRACESYSGOOD) ? 0x80 : 0), CLD_TRAPPED,
				   message);
	if (sig) {
		struct ksiginfo info = { .si_signo = sig, .si_code = SI_KERNEL };
		send_signal(t, sig, &info);
	}
	return fatal_signal_pending(t);
}

/* At syscall entry (PTRACE_SYSCALL or PTRACE_SYSEMU): true when the call
 * is not to run (SYSEMU, or SIGKILL came). The tracer may change the
 * number (orig_rax, -1 to skip it) and the arguments. */
bool ptrace_report_syscall_entry(void)
{
	unsigned work = current->syscall_work;
	bool fatal = ptrace_report_syscall(PTRACE_EVENTMSG_SYSCALL_ENTRY);
	return fatal || (work & SYSCALL_WORK_EMU);
}

/* At syscall exit: a syscall-exit-stop (PTRACE_SYSCALL), or, when
 * stepping, the trap the step over the syscall instruction gives. */
void ptrace_report_syscall_exit(void)
{
	struct task *t = current;
	unsigned work = t->syscall_work;
	bool step = (work & SYSCALL_WORK_EXIT_TRAP) && !(work & SYSCALL_WORK_EMU);
	if (step)
		force_sig_fault_regs(SIGTRAP, TRAP_BRKPT, t->regs.rip);
	else if (work & SYSCALL_WORK_TRACE)
		ptrace_report_syscall(PTRACE_EVENTMSG_SYSCALL_EXIT);
}

/* A handler is about to be set up: if stepping, stop stepping (so that
 * the debugger's trap flag is not saved in the signal frame) and say so:
 * the tracer hears of the handler's first instruction then. */
bool ptrace_step_off(void)
{
	struct task *t = current;
	if (!(t->syscall_work & SYSCALL_WORK_EXIT_TRAP))
		return false;
	arch_user_disable_single_step(t);
	t->syscall_work &= ~SYSCALL_WORK_EXIT_TRAP;
	return true;
}

/* Linux's ptrace_init_task: a child of a traced task is traced by the
 * same tracer when trace (an event its tracer asked for); it starts with
 * a SIGSTOP, or a STOP trap if seized. */
void ptrace_init_task(struct task *child, struct task *parent, bool trace)
{
	INIT_LIST_HEAD(&child->ptrace_entry);
	INIT_LIST_HEAD(&child->ptraced);
	init_waitqueue_head(&child->ptrace_wait);
	child->jobctl = 0;
	child->ptrace = 0;
	child->ptracer = NULL;
	child->syscall_work = 0;
	arch_user_disable_single_step(child);
	if (!trace || !parent->ptrace || !parent->ptracer)
		return;
	child->ptrace = parent->ptrace;
	child->ptracer = parent->ptracer;
	list_add_tail(&child->ptrace_entry, &parent->ptracer->ptraced);
	if (child->ptrace & PT_SEIZED) {
		task_set_jobctl_pending(child, JOBCTL_TRAP_STOP);
	} else {
		struct ksiginfo info = { .si_signo = SIGSTOP, .si_code = SI_USER };
		signal_queue_private(child, SIGSTOP, &info);
	}
}
