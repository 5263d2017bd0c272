/* Job control: a group stop (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) and the
 * SIGCONT that ends it, thread by thread as Linux does it (task.jobctl,
 * signal_struct.flags and group_stop_count), and what the parent and a
 * tracer hear of them. The parent's wait reports the stop once every
 * thread has stopped; a traced thread takes part by stopping for its
 * tracer instead (ptrace_stops.c: do_jobctl_trap), so a debugger sees
 * group stops as Linux shows them. */
#include <umk/internal.h>
#include <umk/signal.h>
#include <umk/ptrace.h>
#include <asm/siginfo.h>

/* Give t a job-control duty; not to a task that is dying. */
bool task_set_jobctl_pending(struct task *t, unsigned long mask)
{
	if (fatal_signal_pending(t) || (t->flags & PF_EXITING))
		return false;
	if (mask & JOBCTL_STOP_SIGMASK)
		t->jobctl &= ~JOBCTL_STOP_SIGMASK;
	t->jobctl |= mask;
	return true;
}

/* The tracer that attached to a stopped task waits until it trapped. */
void task_clear_jobctl_trapping(struct task *t)
{
	if (t->jobctl & JOBCTL_TRAPPING) {
		t->jobctl &= ~JOBCTL_TRAPPING;
		wake_up(&t->ptrace_wait);
	}
}

void task_clear_jobctl_pending(struct task *t, unsigned long mask)
{
	if (mask & JOBCTL_STOP_PENDING)
		mask |= JOBCTL_STOP_CONSUME | JOBCTL_STOP_DEQUEUED;
	t->jobctl &= ~mask;
	if (!(t->jobctl & JOBCTL_TRAP_MASK))
		task_clear_jobctl_trapping(t);
}

static void signal_set_stop_flags(struct signal_struct *sig, unsigned flags)
{
	sig->flags = (sig->flags & ~SIGNAL_STOP_MASK) | flags;
}

/* t stops for the group stop: true when it is the last one of a fresh
 * stop, and so the one to tell the parent. */
bool task_participate_group_stop(struct task *t)
{
	struct signal_struct *sig = t->signal;
	bool consume = t->jobctl & JOBCTL_STOP_CONSUME;
	task_clear_jobctl_pending(t, JOBCTL_STOP_PENDING);
	if (!consume)
		return false;
	if (sig->group_stop_count)
		sig->group_stop_count--;
	if (!sig->group_stop_count && !(sig->flags & SIGNAL_STOP_STOPPED)) {
		signal_set_stop_flags(sig, SIGNAL_STOP_STOPPED);
		return true;
	}
	return false;
}

/* A signal for t: wake it from an interruptible sleep, and for SIGKILL
 * from a stop too. */
void signal_wake_up(struct task *t, bool fatal)
{
	if (t->state == TASK_INTERRUPTIBLE)
		wake_up_task(t);
	else if (fatal)
		wake_up_stopped(t);
}

/* As above, resume also ends a ptrace stop (not a job-control stop). */
void ptrace_signal_wake_up(struct task *t, bool resume)
{
	if (t->state == TASK_INTERRUPTIBLE)
		wake_up_task(t);
	else if (resume && t->state == TASK_TRACED)
		wake_up_stopped(t);
}

/* A seized tracee reports a change of the group stop by a new STOP trap
 * (at once if its tracer is listening). */
void ptrace_trap_notify(struct task *t)
{
	task_set_jobctl_pending(t, JOBCTL_TRAP_NOTIFY);
	ptrace_signal_wake_up(t, t->jobctl & JOBCTL_LISTENING);
}

/* Linux's do_notify_parent_cldstop: SIGCHLD with CLD_STOPPED,
 * CLD_CONTINUED or CLD_TRAPPED to t's tracer, or to the real parent of
 * its process's leader, and a wakeup of their waits. */
void do_notify_parent_cldstop(struct task *t, bool for_ptracer, int why)
{
	struct task *parent;
	if (for_ptracer) {
		parent = t->ptracer;
	} else {
		t = t->signal->leader;
		parent = t->parent;
	}
	if (!parent || !parent->signal)
		return;
	struct ksiginfo info = { 0 };
	info.si_signo = SIGCHLD;
	info.si_code = why;
	info.chld.pid = t->pid;
	info.chld.uid = t->cred.uid;
	info.chld.utime = t->utime_ns / 10000000;
	info.chld.stime = t->stime_ns / 10000000;
	switch (why) {
	case CLD_CONTINUED:
		info.chld.status = SIGCONT;
		break;
	case CLD_STOPPED:
		info.chld.status = t->signal->group_stop_code & 0x7f;
		break;
	default:
		info.chld.status = t->ptrace_code & 0x7f;
	}
	struct k_sigaction *ka = parent->sighand ? &parent->sighand->action[SIGCHLD - 1] : NULL;
	if (ka && ka->handler != SIG_IGN && !(ka->flags & SA_NOCLDSTOP))
		send_signal(parent, SIGCHLD, &info);
	wake_up(&parent->signal->wait_chldexit);
}

/* Generating sig for t's process (Linux's prepare_signal): a stop signal
 * discards pending SIGCONTs; SIGCONT discards pending stop signals, ends
 * the group stop, and owes the parent CLD_CONTINUED (or the CLD_STOPPED
 * of a stop it cut short), sent by the first thread that runs. */
void jobctl_prepare_signal(struct task *t, int sig)
{
	struct signal_struct *s = t->signal;
	if (ksigmask(sig) & STOP_MASK) {
		signal_flush_group(s, ksigmask(SIGCONT));
		return;
	}
	if (sig != SIGCONT)
		return;
	signal_flush_group(s, STOP_MASK);
	struct task *th;
	for_each_thread(s, th) {
		task_clear_jobctl_pending(th, JOBCTL_STOP_PENDING);
		if (!(th->ptrace & PT_SEIZED)) {
			if (th->state == TASK_STOPPED)
				wake_up_stopped(th);
		} else {
			ptrace_trap_notify(th);
		}
	}
	unsigned why = 0;
	if (s->flags & SIGNAL_STOP_STOPPED)
		why = SIGNAL_CLD_CONTINUED;
	else if (s->group_stop_count)
		why = SIGNAL_CLD_STOPPED;
	if (why) {
		signal_set_stop_flags(s, why | SIGNAL_STOP_CONTINUED);
		s->group_stop_count = 0;
		s->group_stop_code = 0;
	}
}

/* SIGKILL ends any stop: no thread of the process takes part any more. */
void jobctl_kill(struct signal_struct *s)
{
	struct task *th;
	s->group_stop_count = 0;
	for_each_thread(s, th)
		task_clear_jobctl_pending(th, JOBCTL_PENDING_MASK);
}

/* What do_signal owes the parent after SIGCONT (the CLD flags above);
 * true if there was something to send. */
bool jobctl_notify_parent(struct task *t)
{
	struct signal_struct *sig = t->signal;
	if (!(sig->flags & SIGNAL_CLD_MASK))
		return false;
	int why = (sig->flags & SIGNAL_CLD_CONTINUED) ? CLD_CONTINUED : CLD_STOPPED;
	sig->flags &= ~SIGNAL_CLD_MASK;
	do_notify_parent_cldstop(t, false, why);
	/* and, as Linux still does, the tracer of the leader */
	if (ptrace_reparented(sig->leader))
		do_notify_parent_cldstop(sig->leader, true, why);
	return true;
}

/* Linux's do_signal_stop: start the group stop with signr (0: take part
 * in the one under way), then stop. True if current stopped and was
 * woken again; false if it did not stop, or (traced) will stop for its
 * tracer through a STOP trap instead. */
bool do_signal_stop(int signr)
{
	struct task *t = current;
	struct signal_struct *sig = t->signal;
	if (!(t->jobctl & JOBCTL_STOP_PENDING)) {
		unsigned long gstop = JOBCTL_STOP_PENDING | JOBCTL_STOP_CONSUME;
		/* a SIGCONT since the dequeue, or the process is dying */
		if (!(t->jobctl & JOBCTL_STOP_DEQUEUED) || sig->group_exiting || sig->group_exec_task)
			return false;
		/* a second stop signal while traced and resumed: no new
		 * report to the parent of a stop it already saw */
		if (!(sig->flags & SIGNAL_STOP_STOPPED))
			sig->group_stop_code = signr;
		sig->group_stop_count = 0;
		if (task_set_jobctl_pending(t, (unsigned long)signr | gstop))
			sig->group_stop_count++;
		struct task *th;
		for_each_thread(sig, th) {
			if (th == t || th->state == TASK_STOPPED)
				continue;
			if (task_set_jobctl_pending(th, (unsigned long)signr | gstop)) {
				sig->group_stop_count++;
				if (!(th->ptrace & PT_SEIZED))
					signal_wake_up(th, false);
				else
					ptrace_trap_notify(th);
			}
		}
	}
	if (t->ptrace) {
		task_set_jobctl_pending(t, JOBCTL_TRAP_STOP);
		return false;
	}
	bool notify = task_participate_group_stop(t);
	t->state = TASK_STOPPED;
	if (notify)
		do_notify_parent_cldstop(t, false, CLD_STOPPED);
	/* until SIGCONT, SIGKILL, or a tracer attaching */
	schedule();
	return true;
}
