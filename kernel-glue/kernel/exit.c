/* Process exit, zombies, reparenting, and wait4/waitid. Children belong
 * to their parent's whole thread group, as on Linux: any thread may wait
 * for them, SIGCHLD goes to the process, and when the thread that forked
 * them exits they pass to another live thread of it (PR_SET_PDEATHSIG
 * fires then: it is about the parent thread), or to init with the last. */
#include <umk/internal.h>
#include <umk/reboot.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/fdtable.h>
#include <umk/fs.h>
#include <umk/tty.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/ptrace.h>
#include <linux/wait.h>
#include <asm/siginfo.h>

umk_section_declare(const struct exit_hook, umk_exit_hooks);

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static bool parent_ignores_chld(struct task *parent)
{
	struct k_sigaction *ka = &parent->sighand->action[SIGCHLD - 1];
	return ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT);
}

void release_task(struct task *t)
{
	if (t->ptrace)
		ptrace_unlink(t);
	list_del(&t->sibling);
	list_del(&t->tasks);
	t->state = TASK_DEAD;
	if (t->signal)
		signal_put(t->signal);
	t->signal = NULL;
	if (t != current)
		task_free(t);
}

/* Linux's do_notify_parent: exit signal sig to the process of t's
 * tracer, or parent, and a wakeup of its waiters. True when t is to be
 * reaped at once: untraced, it reports with SIGCHLD and the parent
 * ignores that (SIG_IGN: no signal either; SA_NOCLDWAIT: the handler
 * still runs). */
bool do_notify_parent(struct task *t, int sig)
{
	struct task *p = task_wait_parent(t);
	int status = t->exit_code;
	bool autoreap = false;
	if (!t->ptrace && sig == SIGCHLD && parent_ignores_chld(p)) {
		autoreap = true;
		if (p->sighand->action[SIGCHLD - 1].handler == SIG_IGN)
			sig = 0;
	}
	struct ksiginfo info = { 0 };
	info.si_signo = sig;
	info.chld.pid = t->pid;
	info.chld.uid = t->cred.uid;
	if ((status & 0x7f) == 0) {
		info.si_code = CLD_EXITED;
		info.chld.status = (status >> 8) & 0xff;
	} else {
		info.si_code = (status & 0x80) ? CLD_DUMPED : CLD_KILLED;
		info.chld.status = status & 0x7f;
	}
	info.chld.utime = t->utime_ns / 10000000;
	info.chld.stime = t->stime_ns / 10000000;
	if (sig > 0)
		send_signal(p, sig, &info);
	wake_up(&p->signal->wait_chldexit);
	return autoreap;
}

/* A thread of sig that is not exiting, other than except (Linux's
 * find_alive_thread), or NULL. */
static struct task *find_alive_thread(struct signal_struct *sig, struct task *except)
{
	struct task *th;
	for_each_thread(sig, th)
		if (th != except && !(th->flags & PF_EXITING))
			return th;
	return NULL;
}

/* Who takes the children of exiting thread t: another live thread of its
 * process, so that they stay the process's children; with the last
 * thread, the nearest ancestor that is a child subreaper and still has a
 * live thread, else init (a live thread of it, should its first one have
 * exited). As Linux's find_new_reaper. */
static struct task *find_new_reaper(struct task *t)
{
	struct task *r = find_alive_thread(t->signal, t);
	if (r)
		return r;
	if (t->signal->has_child_subreaper) {
		for (struct task *a = t->parent; a && a->signal && a->signal != init_task->signal; a = a->parent) {
			if (a->signal->is_child_subreaper && (r = find_alive_thread(a->signal, t)))
				return r;
			if (a->parent == a)
				break;
		}
	}
	if (init_task->signal)
		r = find_alive_thread(init_task->signal, t);
	return r ? r : init_task;
}

/* Every task of child process c, its exited leader included, points at
 * its parent thread (getppid() is asked of any of them). */
static void set_parent(struct task *c, struct task *parent)
{
	struct task *th;
	c->parent = parent;
	if (c->signal)
		for_each_thread(c->signal, th)
			th->parent = parent;
}

/* PR_SET_PDEATHSIG: each thread of c that asked gets its signal sent to
 * c's process, as from father's process (Linux's SEND_SIG_NOINFO). */
static void pdeath_one(struct task *c, struct task *th, struct ksiginfo *info)
{
	if (!th->pdeath_signal)
		return;
	info->si_signo = th->pdeath_signal;
	send_signal(c, th->pdeath_signal, info);
}

static void send_pdeath_signals(struct task *c, struct task *father)
{
	if (!c->signal)
		return;
	struct ksiginfo info = { .si_code = SI_USER };
	info.kill.pid = father->tgid;
	info.kill.uid = father->cred.uid;
	if (list_empty(&c->thread_node))	/* an exited leader, off the list */
		pdeath_one(c, c, &info);
	struct task *th;
	for_each_thread(c->signal, th)
		pdeath_one(c, th, &info);
}

/* The children of exiting thread t go to its new reaper. Within the same
 * process nothing is reported again; to another process they report
 * with SIGCHLD, and a zombie among them is announced to it. */
static void reparent_children(struct task *t)
{
	struct task *reaper = find_new_reaper(t);
	struct task *c, *n;
	list_for_each_entry_safe(c, n, &t->children, sibling) {
		list_del(&c->sibling);
		list_add_tail(&c->sibling, &reaper->children);
		set_parent(c, reaper);
		send_pdeath_signals(c, t);
		if (reaper->signal == t->signal)
			continue;
		c->exit_signal = SIGCHLD;
		/* a traced zombie is its tracer's to report first */
		if (c->state == TASK_ZOMBIE && !process_alive(c) && !c->ptrace && do_notify_parent(c, c->exit_signal))
			release_task(c);
	}
}

/* The whole thread group has exited: report the leader to its parent
 * (or let it go at once if the parent does not wait). */
static void group_dead(struct task *leader)
{
	struct signal_struct *sig = leader->signal;
	struct task *p = leader->parent;
	if (sig->session == leader->pid && sig->tty)
		tty_exit_session_leader(leader);
	if (sig->group_exiting)
		leader->exit_code = sig->group_exit_code;
	p->signal->cutime += leader->utime_ns + sig->cutime;
	p->signal->cstime += leader->stime_ns + sig->cstime;
	if (do_notify_parent(leader, ptrace_reparented(leader) ? SIGCHLD : leader->exit_signal)) {
		release_task(leader);
		if (leader == current)
			task_set_dead(leader);
	}
}

void do_exit(int code)
{
	struct task *t = current;
	struct signal_struct *sig = t->signal;
	if (t->flags & PF_EXITING)
		panic("recursive exit of pid %d", t->pid);
	/* registers and memory are still there for the tracer to see */
	ptrace_event(PTRACE_EVENT_EXIT, (uint64_t)(unsigned)code);
	t->flags |= PF_EXITING;
	if (sig == init_task->signal && sig->live == 1) {	/* init's last thread */
		/* the machine is going down anyway (kernel_stop killed what init
		 * waited for): init waits for the end, as Linux's never exits */
		while (system_stopping) {
			t->state = TASK_UNINTERRUPTIBLE;
			schedule();
		}
		panic("Attempted to kill init! exitcode=0x%08x", code);
	}
	t->exit_code = code;
	exit_robust_list(t);
	if (t->clear_child_tid && t->mm->refs > 1) {
		int zero = 0;
		if (copy_to_user(t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake_addr(t->mm, t->clear_child_tid, 1);
	}
	arch_mm_task_leave(t->mm, t);
	mm_put(t->mm);
	t->mm = NULL;
	files_put(t->files);
	t->files = NULL;
	fs_put(t->fs);
	t->fs = NULL;
	sighand_put(t->sighand);
	t->sighand = NULL;
	if (t->flags & PF_VFORK_CHILD) {
		t->vfork_done = true;
		wake_up(&t->vfork_wait);
	}
	if (!list_empty(&t->ptraced))
		exit_ptrace(t);
	reparent_children(t);
	list_del(&t->thread_node);
	INIT_LIST_HEAD(&t->thread_node);
	sig->live--;
	if (sig->live == 0) {
		umk_section_foreach(const struct exit_hook, umk_exit_hooks, h)
			h->fn(t);
		signal_exit_task(t);
	}
	if (sig->group_exec_task && sig->live == 1)
		wake_up_task(sig->group_exec_task);
	struct task *leader = sig->leader;
	if (t != leader) {
		/* a thread: nobody waits for it, but a tracer (with SIGCHLD) */
		if (t->ptrace && !do_notify_parent(t, SIGCHLD)) {
			t->state = TASK_ZOMBIE;
		} else {
			t->state = TASK_DEAD;
			list_del(&t->tasks);
			list_del(&t->sibling);
			signal_put(sig);
			t->signal = NULL;
			task_set_dead(t);
		}
		if (sig->live == 0 && leader->state == TASK_ZOMBIE)
			group_dead(leader);
	} else {
		t->state = TASK_ZOMBIE;
		if (sig->live == 0)
			group_dead(t);
		else if (t->ptrace)	/* the tracer hears now, reaps once the threads are gone */
			do_notify_parent(t, SIGCHLD);
	}
	schedule();
	panic("zombie %d scheduled", t->pid);
}

/* exit_group and fatal signals: every thread of the group goes. */
void do_group_exit(int code)
{
	struct signal_struct *sig = current->signal;
	if (sig->group_exiting) {
		code = sig->group_exit_code;
	} else if (sig->group_exec_task && sig->group_exec_task != current) {
		code = 0;	/* killed by another thread's execve: as if by _exit(0) */
	} else {
		sig->group_exiting = true;
		sig->group_exit_code = code;
		zap_other_threads(current);
	}
	do_exit(code);
}

SYSCALL_DEFINE1(exit, int, code)
{
	do_exit((code & 0xff) << 8);
}

SYSCALL_DEFINE1(exit_group, int, code)
{
	do_group_exit((code & 0xff) << 8);
}

struct wait_opts {
	int which;		/* P_PID, P_PGID, P_ALL */
	pid_t id;
	int options;
	struct ksiginfo info;	/* waitid result */
	int status;
	pid_t pid;
	uint64_t utime, stime;
};

/* Linux's eligible_child: the id matches, and __WCLONE picks children
 * reporting with a signal other than SIGCHLD (or none), __WALL both; a
 * tracer waits for its tracees whatever they report with. */
static bool child_matches(struct task *c, struct wait_opts *wo, bool ptrace)
{
	if (wo->which == P_PID && c->pid != wo->id)
		return false;
	if (wo->which == P_PGID && !(c->signal && c->signal->pgrp == wo->id))
		return false;
	if (ptrace || (wo->options & __WALL))
		return true;
	return !!(wo->options & __WCLONE) == (c->exit_signal != SIGCHLD);
}

/* A zombie leader whose threads still run is not reaped yet. */
static bool delay_group_leader(struct task *p)
{
	return p->signal && p->signal->leader == p && process_alive(p);
}

static void fill_status(struct wait_opts *wo, struct task *c, int status, int code, int cld_status)
{
	wo->status = status;
	wo->pid = c->pid;
	wo->info.si_code = code;
	wo->info.chld.status = cld_status;
}

/* Linux's wait_task_zombie. A tracer reaping a leader it is not the
 * parent of only unlinks it: the real parent hears of the exit now. */
static pid_t wait_task_zombie(struct wait_opts *wo, struct task *c)
{
	if (!(wo->options & WEXITED))
		return 0;
	int st = c->exit_code;
	if ((st & 0x7f) == 0)
		fill_status(wo, c, st, CLD_EXITED, (st >> 8) & 0xff);
	else
		fill_status(wo, c, st, (st & 0x80) ? CLD_DUMPED : CLD_KILLED, st & 0x7f);
	if (wo->options & WNOWAIT)
		return c->pid;
	if (ptrace_reparented(c) && c->signal && c->signal->leader == c) {
		ptrace_unlink(c);
		if (do_notify_parent(c, c->exit_signal))
			release_task(c);
	} else {
		release_task(c);
	}
	return wo->pid;
}

/* Linux's wait_task_stopped: a tracer sees each ptrace stop of its
 * tracees (whatever the options), the parent the group stop once every
 * thread stopped (WUNTRACED); each report is consumed. */
static pid_t wait_task_stopped(struct wait_opts *wo, bool ptrace, struct task *c)
{
	int *code;
	if (ptrace) {
		if (c->state != TASK_TRACED || (c->jobctl & JOBCTL_LISTENING))
			return 0;
		code = &c->ptrace_code;
	} else {
		if (!(wo->options & WSTOPPED) || !c->signal || !(c->signal->flags & SIGNAL_STOP_STOPPED))
			return 0;
		code = &c->signal->group_stop_code;
	}
	int exit_code = *code;
	if (!exit_code)
		return 0;
	if (!(wo->options & WNOWAIT))
		*code = 0;
	fill_status(wo, c, (exit_code << 8) | 0x7f, ptrace ? CLD_TRAPPED : CLD_STOPPED, exit_code);
	return c->pid;
}

static pid_t wait_task_continued(struct wait_opts *wo, struct task *c)
{
	if (!(wo->options & WCONTINUED) || !c->signal || !(c->signal->flags & SIGNAL_STOP_CONTINUED))
		return 0;
	if (!(wo->options & WNOWAIT))
		c->signal->flags &= ~SIGNAL_STOP_CONTINUED;
	fill_status(wo, c, 0xffff, CLD_CONTINUED, SIGCONT);
	return c->pid;
}

/* Linux's wait_consider_task: a pid, or 0; *any is set when c matches
 * and may report later. ptrace: c is looked at as a tracee. */
static pid_t wait_consider(struct task *c, struct wait_opts *wo, bool ptrace, bool *any)
{
	if (c->state == TASK_DEAD || !child_matches(c, wo, ptrace))
		return 0;
	memset(&wo->info, 0, sizeof(wo->info));
	wo->info.si_signo = SIGCHLD;
	wo->info.chld.pid = c->pid;
	wo->info.chld.uid = c->cred.uid;
	if (c->signal) {
		/* RUSAGE_BOTH: the child and the children it reaped */
		wo->utime = c->utime_ns + c->signal->cutime;
		wo->stime = c->stime_ns + c->signal->cstime;
	}
	/* traced by its own parent's process: the parent is the tracer */
	if (!ptrace && c->ptrace && !ptrace_reparented(c))
		ptrace = true;
	if (c->state == TASK_ZOMBIE) {
		/* a traced zombie is its tracer's to reap first */
		if (!delay_group_leader(c) && (ptrace || !c->ptrace))
			return wait_task_zombie(wo, c);
		if (!ptrace || (wo->options & (WCONTINUED | WEXITED)))
			*any = true;
	} else {
		*any = true;
	}
	pid_t r = wait_task_stopped(wo, ptrace, c);
	return r ? r : wait_task_continued(wo, c);
}

/* The children of one thread, then its tracees: a reported pid, or 0. */
static pid_t wait_children_of(struct task *th, struct wait_opts *wo, bool *any)
{
	struct task *c, *n;
	pid_t r;
	list_for_each_entry_safe(c, n, &th->children, sibling)
		if ((r = wait_consider(c, wo, false, any)))
			return r;
	list_for_each_entry_safe(c, n, &th->ptraced, ptrace_entry)
		if ((r = wait_consider(c, wo, true, any)))
			return r;
	return 0;
}

/* The caller's children first, then those of the other threads of its
 * process (all of them are the process's), unless __WNOTHREAD. After a
 * wakeup the children are looked at before a pending signal, as Linux
 * does: a SIGCHLD handler does not turn a reapable child or an ECHILD
 * (the last child autoreaped) into EINTR. */
static long do_wait(struct wait_opts *wo)
{
	struct task *me = current;
	struct signal_struct *sig = me->signal;
	long interrupted = 0;
	for (;;) {
		bool any = false;
		pid_t r = wait_children_of(me, wo, &any);
		if (!r && !(wo->options & __WNOTHREAD)) {
			struct task *th;
			for_each_thread(sig, th)
				if (th != me && (r = wait_children_of(th, wo, &any)))
					break;
		}
		if (r)
			return r;
		if (!any)
			return -ECHILD;
		if (wo->options & WNOHANG)
			return 0;
		if (interrupted)
			return interrupted;
		struct wait_entry we;
		wait_enqueue(&sig->wait_chldexit, &we);
		interrupted = wait_sleep(&sig->wait_chldexit, &we, true, -1);
		wait_dequeue(&we);
	}
}

/* wait4 for kernel code (a kernel tracer); status may be NULL. */
long kernel_wait4(pid_t pid, int *status, int options)
{
	struct wait_opts wo = { 0 };
	wo.which = pid == -1 ? P_ALL : P_PID;
	wo.id = pid;
	wo.options = options | WEXITED;
	long r = do_wait(&wo);
	if (r > 0 && status)
		*status = wo.status;
	return r;
}

struct rusage_k {
	int64_t utime_s, utime_us, stime_s, stime_us;
	int64_t rest[14];
};

/* Child rusage for wait4/waitid: times only (umk keeps no other counts
 * per reaped child yet). */
static int put_rusage(uaddr_t uru, const struct wait_opts *wo)
{
	struct rusage_k ru;
	memset(&ru, 0, sizeof(ru));
	ru.utime_s = wo->utime / 1000000000;
	ru.utime_us = wo->utime % 1000000000 / 1000;
	ru.stime_s = wo->stime / 1000000000;
	ru.stime_us = wo->stime % 1000000000 / 1000;
	return uru && copy_to_user(uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}

SYSCALL_DEFINE4(wait4, pid_t, pid, uaddr_t, ustatus, int, options, uaddr_t, uru)
{
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;	/* -INT_MIN is no process group */
	struct wait_opts wo = { 0 };
	if (pid == -1)
		wo.which = P_ALL;
	else if (pid < -1) {
		wo.which = P_PGID;
		wo.id = -pid;
	} else if (pid == 0) {
		wo.which = P_PGID;
		wo.id = current->signal->pgrp;
	} else {
		wo.which = P_PID;
		wo.id = pid;
	}
	wo.options = options | WEXITED;
	long r = do_wait(&wo);
	if (r > 0) {
		/* the child is reaped whether or not these copies work */
		if (ustatus && copy_to_user(ustatus, &wo.status, sizeof(int)))
			return -EFAULT;
		if (put_rusage(uru, &wo))
			return -EFAULT;
	}
	return r;
}

/* waitid's checks of its arguments; 0 or -errno. */
static long waitid_prepare(struct wait_opts *wo, int which, pid_t id, int options)
{
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (which) {
	case P_ALL:
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		if (id == 0)
			id = current->signal->pgrp;
		break;
	case P_PIDFD: {
		if (id < 0)
			return -EINVAL;
		/* umk has no pidfds (no pidfd_open, no CLONE_PIDFD): no open
		 * file names a process, and for a descriptor that is not a
		 * pidfd, open or not, Linux answers EBADF */
		struct file *f = fget(id);
		if (f)
			fput(f);
		return -EBADF;
	}
	default:
		return -EINVAL;
	}
	wo->which = which;
	wo->id = id;
	wo->options = options;
	return 0;
}

/* What waitid stores: si_signo, si_errno, si_code, si_pid, si_uid and
 * si_status, nothing else; zeros when nothing was reported (WNOHANG) and
 * on errors too, as Linux does. */
static int put_waitid_info(uaddr_t uinfo, const struct ksiginfo *in, bool reported)
{
	struct ksiginfo zero = { 0 };
	const struct ksiginfo *i = reported ? in : &zero;
	int head[3] = { reported ? SIGCHLD : 0, 0, i->si_code };
	int body[3] = { i->chld.pid, (int)i->chld.uid, i->chld.status };
	if (copy_to_user(uinfo, head, sizeof(head)) ||
	    copy_to_user(uinfo + offsetof(struct ksiginfo, chld), body, sizeof(body)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE5(waitid, int, which, pid_t, id, uaddr_t, uinfo, int, options, uaddr_t, uru)
{
	struct wait_opts wo = { 0 };
	long r = waitid_prepare(&wo, which, id, options);
	if (r == 0)
		r = do_wait(&wo);
	bool reported = r > 0;
	if (reported) {
		r = 0;
		if (put_rusage(uru, &wo))
			return -EFAULT;
	}
	if (uinfo && put_waitid_info(uinfo, &wo.info, reported))
		return -EFAULT;
	return r;
}

/* execve in a multi-threaded process: the other threads die first, and
 * the caller becomes the group leader under the process's pid. */
void de_thread(void)
{
	struct task *t = current;
	struct signal_struct *sig = t->signal;
	if (sig->live == 1 && sig->leader == t)
		return;
	sig->group_exec_task = t;
	struct task *th;
	for_each_thread(sig, th)
		if (th != t)
			send_sig(9, th);
	while (sig->live > 1) {
		t->state = TASK_UNINTERRUPTIBLE;
		schedule();
	}
	t->state = TASK_RUNNING;
	struct task *leader = sig->leader;
	if (leader != t) {
		/* take the leader's place: its pid and its parent. The
		 * children of every thread that died here, the leader's too,
		 * were handed down to live threads as each exited, so they
		 * are all ours now (pdeath signals went out as on Linux). */
		t->pid = leader->pid;
		leader->pid = 0;
		t->parent = leader->parent;
		t->exit_signal = SIGCHLD;	/* as Linux's de_thread */
		list_add_tail(&t->sibling, &leader->sibling);
		sig->leader = t;
		/* released silently: a tracer waiting for it must look again */
		if (leader->ptracer)
			wake_up(&leader->ptracer->signal->wait_chldexit);
		release_task(leader);
	}
	sig->group_exec_task = NULL;
	remove_sig_kill_for_exec(t);
}
