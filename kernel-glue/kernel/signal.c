/* Signals: generation, queueing, default actions and delivery to guest
 * handlers (the frame itself is the arch's: arch-um/kernel/signal_frame.c).
 * Group stops are in jobctl.c, a tracer's part in ptrace_stops.c. */
#include <umk/capability.h>
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/timer.h>
#include <umk/signal.h>
#include <umk/ptrace.h>
#include <asm/siginfo.h>

struct sigqueue {
	struct list_head link;
	struct ksiginfo info;
};

enum sig_default { SD_TERM, SD_CORE, SD_STOP, SD_CONT, SD_IGN };

static enum sig_default sig_default_action(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return SD_CORE;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SD_STOP;
	case SIGCONT:
		return SD_CONT;
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return SD_IGN;
	default:
		return SD_TERM;
	}
}

struct sighand *sighand_alloc(void)
{
	struct sighand *sh = kzalloc(sizeof(*sh));
	sh->refs = 1;
	return sh;
}

void sighand_put(struct sighand *sh)
{
	if (sh && --sh->refs == 0)
		kfree(sh);
}

static void flush_queue(struct list_head *q)
{
	while (!list_empty(q)) {
		struct sigqueue *e = list_first_entry(q, struct sigqueue, link);
		list_del(&e->link);
		kfree(e);
	}
}

struct signal_struct *signal_alloc(void)
{
	struct signal_struct *s = kzalloc(sizeof(*s));
	s->refs = 1;
	INIT_LIST_HEAD(&s->shared_queue);
	INIT_LIST_HEAD(&s->threads);
	init_waitqueue_head(&s->signalfd_wqh);
	init_waitqueue_head(&s->wait_chldexit);
	return s;
}

void signal_put(struct signal_struct *s)
{
	if (!s || --s->refs)
		return;
	flush_queue(&s->shared_queue);
	if (s->it_real_timer) {
		ktimer_cancel(s->it_real_timer);
		kfree(s->it_real_timer);
	}
	kfree(s);
}

void signal_exit_task(struct task *t)
{
	if (t->signal->it_real_timer)
		ktimer_cancel(t->signal->it_real_timer);
	flush_queue(&t->sigqueue);
}

bool sig_handler_ignored(struct task *t, int sig)
{
	uint64_t h = t->sighand->action[sig - 1].handler;
	return h == SIG_IGN || (h == SIG_DFL && sig_default_action(sig) == SD_IGN);
}

static uint64_t pending_mask(struct task *t)
{
	return t->pending.sig | (t->signal ? t->signal->shared_pending.sig : 0);
}

/* Linux's TIF_SIGPENDING: a signal to take, or a job-control or ptrace
 * duty (a stop, a trap) for the way back to guest mode. */
bool signal_pending(struct task *t)
{
	return (pending_mask(t) & ~t->blocked.sig) != 0 || (t->jobctl & JOBCTL_PENDING_MASK);
}

bool fatal_signal_pending(struct task *t)
{
	return ksigismember(&t->pending, SIGKILL);
}

static void flush_queue_mask(struct list_head *q, uint64_t mask)
{
	struct sigqueue *e, *n;
	list_for_each_entry_safe(e, n, q, link)
		if (mask & ksigmask(e->info.si_signo)) {
			list_del(&e->link);
			kfree(e);
		}
}

/* Drop the pending signals of mask from the process and all its threads. */
void signal_flush_group(struct signal_struct *s, uint64_t mask)
{
	flush_queue_mask(&s->shared_queue, mask);
	s->shared_pending.sig &= ~mask;
	struct task *th;
	for_each_thread(s, th) {
		flush_queue_mask(&th->sigqueue, mask);
		th->pending.sig &= ~mask;
	}
}

static void remove_sig(struct task *t, uint64_t mask)
{
	flush_queue_mask(&t->sigqueue, mask);
	flush_queue_mask(&t->signal->shared_queue, mask);
	t->pending.sig &= ~mask;
	t->signal->shared_pending.sig &= ~mask;
}

/* Linux's sig_ignored: discarded at once, unless blocked (the handler
 * may change by then) or traced (the tracer sees every signal). */
static bool sig_ignored(struct task *t, int sig)
{
	if (ksigismember(&t->blocked, sig) || ksigismember(&t->real_blocked, sig))
		return false;
	if (t->ptrace && sig != SIGKILL)
		return false;
	return sig_handler_ignored(t, sig);
}

/* SIGKILL: every thread takes it, out of any stop. */
static void kill_group(struct signal_struct *s)
{
	jobctl_kill(s);
	struct task *th;
	for_each_thread(s, th) {
		ksigaddset(&th->pending, SIGKILL);
		signal_wake_up(th, true);
	}
}

/* Init gets no signal it has not asked for (Linux's SIGNAL_UNKILLABLE):
 * SIGKILL and SIGSTOP never, others only if it has a handler or blocks
 * them (the handler may be set by the time it unblocks; do_signal drops
 * a default action then). Its own faults get past: force_sig_fault
 * queues them directly. Whoever sends (kill, a process group, tgkill,
 * the kernel), the signal is discarded and the sender sees success. */
static bool init_ignores(struct task *t, int sig)
{
	if (!init_task || t->signal != init_task->signal)
		return false;
	if (sig == SIGKILL)
		return true;
	if (t->ptrace)	/* a traced init's tracer sees the rest (Linux's sig_ignored) */
		return false;
	if (sig == SIGSTOP)
		return true;
	if (ksigismember(&t->blocked, sig) || ksigismember(&t->real_blocked, sig))
		return false;
	return t->sighand->action[sig - 1].handler == SIG_DFL;
}

int send_signal(struct task *t, int sig, const struct ksiginfo *info)
{
	if (sig < 1 || sig > 64)
		return -EINVAL;
	if (!process_alive(t))
		return 0;
	if (!t->sighand)	/* an exited leader: a live thread stands in */
		t = list_first_entry(&t->signal->threads, struct task, thread_node);
	jobctl_prepare_signal(t, sig);
	if (init_ignores(t, sig))
		return 0;
	if (sig == SIGKILL) {
		/* every thread must see it, not just the first to dequeue */
		kill_group(t->signal);
		return 0;
	}
	if (sig_ignored(t, sig))
		return 0;
	/* Standard signals do not queue twice. */
	if (sig < 32 && ksigismember(&t->signal->shared_pending, sig))
		return 0;
	struct sigqueue *q = kzalloc(sizeof(*q));
	if (info)
		q->info = *info;
	else {
		q->info.si_code = SI_KERNEL;
	}
	q->info.si_signo = sig;
	list_add_tail(&q->link, &t->signal->shared_queue);
	ksigaddset(&t->signal->shared_pending, sig);
	wake_up(&t->signal->signalfd_wqh);
	/* any thread not blocking it may take a process-directed signal */
	struct task *th;
	for_each_thread(t->signal, th) {
		if (!ksigismember(&th->blocked, sig)) {
			signal_wake_up(th, false);
			break;
		}
	}
	return 0;
}

/* After de_thread: the SIGKILLs meant for the other threads must not
 * reach the new program. */
void remove_sig_kill_for_exec(struct task *t)
{
	remove_sig(t, ksigmask(SIGKILL));
}

/* Thread-directed (tkill, faults, ptrace's SIGSTOP): queued on the task
 * itself; SIGCONT and stop signals still act on the whole process. force
 * (a fault): init gets it too. */
static int send_signal_thread_force(struct task *t, int sig, const struct ksiginfo *info, bool force)
{
	if (!t->signal || t->state == TASK_ZOMBIE || t->state == TASK_DEAD || (t->flags & PF_EXITING))
		return 0;
	if (sig == SIGKILL)
		return send_signal(t, sig, info);
	jobctl_prepare_signal(t, sig);
	if (sig_ignored(t, sig))
		return 0;
	if (!force && init_ignores(t, sig))
		return 0;
	if (sig < 32 && ksigismember(&t->pending, sig))
		return 0;
	struct sigqueue *q = kzalloc(sizeof(*q));
	q->info = *info;
	q->info.si_signo = sig;
	list_add_tail(&q->link, &t->sigqueue);
	ksigaddset(&t->pending, sig);
	wake_up(&t->signal->signalfd_wqh);
	if (!ksigismember(&t->blocked, sig))
		signal_wake_up(t, false);
	return 0;
}

int send_signal_thread(struct task *t, int sig, const struct ksiginfo *info)
{
	return send_signal_thread_force(t, sig, info, false);
}

/* exit_group and fatal signals: every other thread dies too (SIGKILL,
 * out of any stop); current goes on to exit. */
void zap_other_threads(struct task *t)
{
	struct signal_struct *s = t->signal;
	s->group_stop_count = 0;
	struct task *th;
	for_each_thread(s, th) {
		if (th == t)
			continue;
		task_clear_jobctl_pending(th, JOBCTL_PENDING_MASK);
		ksigaddset(&th->pending, SIGKILL);
		signal_wake_up(th, true);
	}
}

int send_sig(int sig, struct task *t)
{
	struct ksiginfo info = { .si_signo = sig, .si_code = SI_KERNEL };
	return send_signal(t, sig, &info);
}

int kill_pgrp(pid_t pgrp, int sig)
{
	struct ksiginfo info = { .si_signo = sig, .si_code = SI_KERNEL };
	struct task *t;
	int found = 0;
	for_each_task(t)
		if (t->signal && t->signal->pgrp == pgrp && t->pid == t->tgid && process_alive(t)) {
			send_signal(t, sig, &info);
			found = 1;
		}
	return found ? 0 : -ESRCH;
}

/* A synchronous fault: the handler cannot be blocked or ignored away. */
void force_sig_fault(int sig, int code, uaddr_t addr, int trapno)
{
	current->regs.orig_rax = (uint64_t)-1;
	(void)trapno;
	force_sig_fault_regs(sig, code, addr);
}

/* As force_sig_fault, the registers as they are (a trap after a system
 * call still shows the call's number in orig_rax, as on Linux). */
void force_sig_fault_regs(int sig, int code, uaddr_t addr)
{
	struct task *t = current;
	struct k_sigaction *ka = &t->sighand->action[sig - 1];
	if (ksigismember(&t->blocked, sig) || ka->handler == SIG_IGN) {
		ka->handler = SIG_DFL;
		ksigdelset(&t->blocked, sig);
	}
	struct ksiginfo info = { .si_signo = sig, .si_code = code };
	info.fault.addr = addr;
	send_signal_thread_force(t, sig, &info, true);
}

/* The idx-th queued siginfo of t (shared: of its process), for
 * PTRACE_PEEKSIGINFO: 0, or -ENOENT past the end. */
int signal_peek_queued(struct task *t, bool shared, uint64_t idx, struct ksiginfo *out)
{
	struct list_head *q = shared ? &t->signal->shared_queue : &t->sigqueue;
	struct sigqueue *e;
	list_for_each_entry(e, q, link)
		if (idx-- == 0) {
			*out = e->info;
			return 0;
		}
	return -ENOENT;
}

/* Queue sig on t alone, with no side effect on the process (Linux's
 * sigaddset on a task's private pending set: ptrace's SIGSTOP for an
 * auto-attached child). */
void signal_queue_private(struct task *t, int sig, const struct ksiginfo *info)
{
	if (sig < 32 && ksigismember(&t->pending, sig))
		return;
	struct sigqueue *q = kzalloc(sizeof(*q));
	q->info = *info;
	q->info.si_signo = sig;
	list_add_tail(&q->link, &t->sigqueue);
	ksigaddset(&t->pending, sig);
}

/* Dequeue the lowest unblocked pending signal (synchronous ones first);
 * *shared says whether it came from the process's queue. */
static int dequeue_signal(struct task *t, const ksigset_t *mask, struct ksiginfo *info, bool *shared)
{
	uint64_t sync = ksigmask(SIGSEGV) | ksigmask(SIGBUS) | ksigmask(SIGILL) | ksigmask(SIGTRAP) |
			ksigmask(SIGFPE) | ksigmask(SIGSYS);
	struct list_head *queues[2] = { &t->sigqueue, &t->signal->shared_queue };
	ksigset_t *sets[2] = { &t->pending, &t->signal->shared_pending };
	for (int i = 0; i < 2; i++) {
		uint64_t avail = sets[i]->sig & ~mask->sig;
		if (!avail)
			continue;
		int sig = __builtin_ctzll((avail & sync) ? (avail & sync) : avail) + 1;
		struct sigqueue *e, *n, *found = NULL;
		bool more = false;
		list_for_each_entry_safe(e, n, queues[i], link) {
			if (e->info.si_signo != sig)
				continue;
			if (found) {
				more = true;
				break;
			}
			found = e;
		}
		if (found) {
			*info = found->info;
			list_del(&found->link);
			kfree(found);
		} else {
			memset(info, 0, sizeof(*info));
			info->si_signo = sig;
			info->si_code = SI_KERNEL;
		}
		if (!more)
			ksigdelset(sets[i], sig);
		/* a SIGCONT from now on cancels the stop (jobctl.c) */
		if (ksigmask(sig) & STOP_MASK)
			t->jobctl |= JOBCTL_STOP_DEQUEUED;
		if (shared)
			*shared = i == 1;
		return sig;
	}
	return 0;
}

bool signal_pending_in(struct task *t, uint64_t mask)
{
	return (pending_mask(t) & mask) != 0;
}

int signal_dequeue_in(struct task *t, uint64_t mask, struct ksiginfo *info)
{
	ksigset_t notwanted = { ~mask };
	return dequeue_signal(t, &notwanted, info, NULL);
}

bool on_sig_stack(struct task *t, uint64_t sp)
{
	return t->sas_ss_size && sp > t->sas_ss_sp && sp - t->sas_ss_sp <= t->sas_ss_size;
}

int sas_ss_flags(struct task *t, uint64_t sp)
{
	if (!t->sas_ss_size)
		return SS_DISABLE;
	return on_sig_stack(t, sp) ? SS_ONSTACK : 0;
}

/* Syscall restart after a signal: Linux's rules for -ERESTART*. */
static void handle_restart(struct task *t, struct k_sigaction *ka)
{
	struct guest_regs *r = &t->regs;
	if (!t->in_syscall)
		return;
	t->in_syscall = false;
	long rv = (long)r->rax;
	switch (rv) {
	case -ERESTART_RESTARTBLOCK:
	case -ERESTARTNOHAND:
		if (ka) {
			r->rax = -EINTR;
			return;
		}
		break;
	case -ERESTARTSYS:
		if (ka && !(ka->flags & SA_RESTART)) {
			r->rax = -EINTR;
			return;
		}
		break;
	case -ERESTARTNOINTR:
		break;
	default:
		return;
	}
	if (rv == -ERESTART_RESTARTBLOCK && !ka)
		r->rax = __NR_restart_syscall;
	else
		r->rax = r->orig_rax;
	r->rip -= 2;
}

/* Put a signal the tracer changed back (it is blocked now, or SIGKILL
 * came in the meantime), as Linux's ptrace_signal does. */
void signal_requeue(struct task *t, int sig, struct ksiginfo *info, bool shared)
{
	if (shared)
		send_signal(t, sig, info);
	else
		send_signal_thread(t, sig, info);
}

/* Called on the way back to guest mode (Linux's get_signal and the
 * arch's handle_signal): group stops, ptrace traps and signal-delivery
 * stops, then at most one handler set up, or the default action. */
void do_signal(void)
{
	struct task *t = current;
	for (;;) {
		if (jobctl_notify_parent(t))
			continue;
		/* SIGKILL: a kill, exit_group or another thread's execve */
		if (fatal_signal_pending(t)) {
			ksigdelset(&t->pending, SIGKILL);
			do_group_exit(SIGKILL);
		}
		if ((t->jobctl & JOBCTL_STOP_PENDING) && do_signal_stop(0))
			continue;
		if (t->jobctl & JOBCTL_TRAP_MASK) {
			do_jobctl_trap();
			continue;
		}
		struct ksiginfo info;
		bool shared = false;
		int sig = dequeue_signal(t, &t->blocked, &info, &shared);
		if (!sig)
			break;
		if (t->ptrace) {
			sig = ptrace_signal(sig, &info, shared);
			if (!sig)
				continue;
		}
		struct k_sigaction *ka = &t->sighand->action[sig - 1];
		if (ka->handler == SIG_IGN)
			continue;
		if (ka->handler != SIG_DFL) {
			struct k_sigaction saved = *ka;
			handle_restart(t, ka);
			/* the debugger's trap flag is not saved in the frame */
			bool stepping = ptrace_step_off();
			ksigset_t old = t->restore_sigmask ? t->saved_sigmask : t->blocked;
			t->restore_sigmask = false;
			if (arch_setup_rt_frame(t, sig, &saved, &info, &old)) {
				force_sig_fault(SIGSEGV, SI_KERNEL, 0, 0);
				continue;
			}
			if (ka->flags & SA_RESETHAND)
				ka->handler = SIG_DFL;
			t->blocked.sig |= saved.mask.sig;
			if (!(saved.flags & SA_NODEFER))
				ksigaddset(&t->blocked, sig);
			t->blocked.sig &= ~KERNEL_ONLY_MASK;
			if (stepping)
				ptrace_notify(SIGTRAP, 0);	/* at the handler's first instruction */
			return;
		}
		switch (sig_default_action(sig)) {
		case SD_IGN:
		case SD_CONT:
			continue;
		case SD_STOP:
			if (t == init_task)
				continue;
			if (sig != SIGSTOP && is_orphaned_pgrp(t->signal->pgrp))
				continue;
			do_signal_stop(sig);
			continue;
		case SD_CORE:
		case SD_TERM:
			/* init is unkillable from user space, even by SIGKILL;
			 * its own faults and the kernel (OOM) still end it */
			if (t == init_task && info.si_code != SI_KERNEL && info.si_code <= 0)
				continue;
			do_group_exit(sig);
		}
	}
	/* no handler ran: restart or return the interrupted syscall */
	handle_restart(t, NULL);
	if (t->restore_sigmask) {
		t->restore_sigmask = false;
		t->blocked = t->saved_sigmask;
	}
}

void flush_signal_handlers(struct task *t)
{
	for (int i = 0; i < 64; i++) {
		struct k_sigaction *ka = &t->sighand->action[i];
		if (ka->handler != SIG_IGN)
			ka->handler = SIG_DFL;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask.sig = 0;
	}
	t->sas_ss_sp = 0;
	t->sas_ss_size = 0;
	t->sas_ss_flags = 0;
}

/* syscalls */

SYSCALL_DEFINE4(rt_sigaction, int, sig, uaddr_t, uact, uaddr_t, uold, size_t, sigsetsize)
{
	struct task *t = current;
	if (sigsetsize != 8)
		return -EINVAL;
	if (sig < 1 || sig > 64)
		return -EINVAL;
	struct k_sigaction *ka = &t->sighand->action[sig - 1];
	struct k_sigaction old = *ka;
	if (uact) {
		struct k_sigaction n;
		if (copy_from_user(&n, uact, sizeof(n)))
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		n.mask.sig &= ~KERNEL_ONLY_MASK;
		*ka = n;
		/* POSIX: setting SIG_IGN (or default-ignore) discards pending */
		if (sig_handler_ignored(t, sig))
			remove_sig(t, ksigmask(sig));
	}
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long set_blocked(int how, ksigset_t *set)
{
	struct task *t = current;
	switch (how) {
	case 0: t->blocked.sig |= set->sig; break;	/* SIG_BLOCK */
	case 1: t->blocked.sig &= ~set->sig; break;	/* SIG_UNBLOCK */
	case 2: t->blocked = *set; break;		/* SIG_SETMASK */
	default: return -EINVAL;
	}
	t->blocked.sig &= ~KERNEL_ONLY_MASK;
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, uaddr_t, uset, uaddr_t, uold, size_t, sigsetsize)
{
	struct task *t = current;
	if (sigsetsize != 8)
		return -EINVAL;
	ksigset_t old = t->blocked;
	if (uset) {
		ksigset_t set;
		if (copy_from_user(&set, uset, 8))
			return -EFAULT;
		long r = set_blocked(how, &set);
		if (r)
			return r;
	}
	if (uold && copy_to_user(uold, &old, 8))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, uaddr_t, uset, size_t, sigsetsize)
{
	if (sigsetsize > 8)
		return -EINVAL;
	struct task *t = current;
	ksigset_t p = { pending_mask(t) & t->blocked.sig };
	return copy_to_user(uset, &p, sigsetsize) ? -EFAULT : 0;
}

static int check_kill_permission(struct task *t, int sig)
{
	(void)sig;
	struct cred *c = &current->cred;
	if (capable(CAP_KILL) || c->euid == t->cred.suid || c->euid == t->cred.uid || c->uid == t->cred.suid ||
	    c->uid == t->cred.uid)
		return 0;
	if (sig == SIGCONT && t->signal->session == current->signal->session)
		return 0;
	return -EPERM;
}

static int kill_one(struct task *t, int sig, struct ksiginfo *info)
{
	int r = check_kill_permission(t, sig);
	if (r || sig == 0)
		return r;
	return send_signal(t, sig, info);
}

SYSCALL_DEFINE2(kill, pid_t, pid, int, sig)
{
	if (sig < 0 || sig > 64)
		return -EINVAL;
	struct ksiginfo info = { .si_signo = sig, .si_code = SI_USER };
	info.kill.pid = current->tgid;
	info.kill.uid = current->cred.uid;
	if (pid > 0) {
		struct task *t = find_task_group_leader(pid);
		if (!t)
			return -ESRCH;
		if (!process_alive(t))
			return 0;	/* a zombie: permission is all that is checked */
		return kill_one(t, sig, &info);
	}
	/* process groups, or everyone (-1): like Linux, skip init and self for -1 */
	pid_t pgrp = pid == 0 ? current->signal->pgrp : -pid;
	int found = 0, err = 0, ok = 0;
	struct task *t;
	for_each_task(t) {
		if (t->pid != t->tgid || !process_alive(t))
			continue;
		if (pid == -1) {
			if (t == init_task || t == current)
				continue;
		} else if (t->signal->pgrp != pgrp)
			continue;
		found++;
		int r = kill_one(t, sig, &info);
		if (r)
			err = r;
		else
			ok++;
	}
	if (!found)
		return -ESRCH;
	return ok ? 0 : err;
}

static long do_tkill(pid_t tgid, pid_t tid, int sig)
{
	if (tid <= 0 || sig < 0 || sig > 64)
		return -EINVAL;
	struct task *t = find_task_by_pid(tid);
	if (!t || (tgid > 0 && t->tgid != tgid) || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return -ESRCH;
	int r = check_kill_permission(t, sig);
	if (r || !sig)
		return r;
	struct ksiginfo info = { .si_signo = sig, .si_code = SI_TKILL };
	info.kill.pid = current->tgid;
	info.kill.uid = current->cred.uid;
	return send_signal_thread(t, sig, &info);
}

SYSCALL_DEFINE3(tgkill, pid_t, tgid, pid_t, tid, int, sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return do_tkill(tgid, tid, sig);
}

SYSCALL_DEFINE2(tkill, pid_t, tid, int, sig)
{
	return do_tkill(0, tid, sig);
}

SYSCALL_DEFINE3(rt_sigqueueinfo, pid_t, pid, int, sig, uaddr_t, uinfo)
{
	struct ksiginfo info;
	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if ((info.si_code >= 0 || info.si_code == SI_TKILL) && pid != current->tgid)
		return -EPERM;
	struct task *t = find_task_group_leader(pid);
	if (!t)
		return -ESRCH;
	info.si_signo = sig;
	int r = check_kill_permission(t, sig);
	if (r || !sig)
		return r;
	return send_signal(t, sig, &info);
}

/* Sleep until a signal is delivered (pause, sigsuspend). */
static long sleep_for_signal(void)
{
	struct wait_queue_head wq;
	init_waitqueue_head(&wq);
	wait_event_interruptible(wq, false);
	return -ERESTARTNOHAND;
}

/* Install a temporary mask from the guest (sigsuspend, ppoll, pselect6);
 * the old one comes back when the syscall returns to the guest, after
 * any handler it let through has been set up. */
int sigmask_swap_from_user(uaddr_t umask, size_t sigsetsize)
{
	if (sigsetsize != 8)
		return -EINVAL;
	ksigset_t set;
	if (copy_from_user(&set, umask, 8))
		return -EFAULT;
	current->saved_sigmask = current->blocked;
	current->restore_sigmask = true;
	set_blocked(2 /* SIG_SETMASK */, &set);
	return 0;
}

SYSCALL_DEFINE0(pause)
{
	return sleep_for_signal();
}

SYSCALL_DEFINE2(rt_sigsuspend, uaddr_t, umask, size_t, sigsetsize)
{
	int r = sigmask_swap_from_user(umask, sigsetsize);
	return r ? r : sleep_for_signal();
}

struct kts64 { int64_t tv_sec, tv_nsec; };

SYSCALL_DEFINE4(rt_sigtimedwait, uaddr_t, uset, uaddr_t, uinfo, uaddr_t, uts, size_t, sigsetsize)
{
	struct task *t = current;
	if (sigsetsize != 8)
		return -EINVAL;
	ksigset_t set;
	if (copy_from_user(&set, uset, 8))
		return -EFAULT;
	set.sig &= ~KERNEL_ONLY_MASK;
	int64_t deadline = -1;
	if (uts) {
		struct kts64 ts;
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000 || ts.tv_sec < 0)
			return -EINVAL;
		deadline = ktime_mono_ns() + ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	ksigset_t notwanted = { ~set.sig };
	struct ksiginfo info;
	int sig = dequeue_signal(t, &notwanted, &info, NULL);
	if (!sig) {
		/* temporarily unblock the wanted set so sending wakes us */
		ksigset_t saved = t->blocked;
		/* still "blocked" for the ignored-signal discard rule (Linux) */
		t->real_blocked = saved;
		t->blocked.sig &= ~set.sig;
		struct wait_queue_head wq;
		init_waitqueue_head(&wq);
		long r = wait_event_interruptible_deadline(wq, false, deadline);
		t->blocked = saved;
		t->real_blocked.sig = 0;
		sig = dequeue_signal(t, &notwanted, &info, NULL);
		if (!sig)
			return r == -ETIMEDOUT ? -EAGAIN : -EINTR;
	}
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

SYSCALL_DEFINE2(sigaltstack, uaddr_t, uss, uaddr_t, uoss)
{
	struct task *t = current;
	struct ksigaltstack old = { t->sas_ss_sp, sas_ss_flags(t, t->regs.rsp) | (int32_t)(t->sas_ss_flags & SS_AUTODISARM), 0,
				t->sas_ss_size };
	if (uss) {
		struct ksigaltstack ss;
		if (copy_from_user(&ss, uss, sizeof(ss)))
			return -EFAULT;
		if (on_sig_stack(t, t->regs.rsp))
			return -EPERM;
		unsigned mode = ss.ss_flags & ~SS_AUTODISARM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->sas_ss_sp = 0;
			t->sas_ss_size = 0;
			t->sas_ss_flags = 0;
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->sas_ss_sp = ss.ss_sp;
			t->sas_ss_size = ss.ss_size;
			t->sas_ss_flags = ss.ss_flags & SS_AUTODISARM;
		}
	}
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
