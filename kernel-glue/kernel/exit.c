/* Process exit, zombies, reparenting to init, and wait4/waitid. */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/fdtable.h>
#include <umk/tty.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/wait.h>
#include <asm/siginfo.h>

#define SIGCHLD 17

static bool parent_ignores_chld(struct task *parent)
{
	struct k_sigaction *ka = &parent->sighand->action[SIGCHLD - 1];
	return ka->handler == 1 /* SIG_IGN */ || (ka->flags & 2 /* SA_NOCLDWAIT */);
}

static void release_task(struct task *t)
{
	list_del(&t->sibling);
	list_del(&t->tasks);
	t->state = TASK_DEAD;
	if (t->signal)
		signal_put(t->signal);
	t->signal = NULL;
	if (t != current)
		task_free(t);
}

/* Tell the parent a child exited: SIGCHLD (or exit_signal) and a wakeup. */
static void notify_parent_exit(struct task *t)
{
	struct task *p = t->parent;
	int status = t->exit_code;
	struct ksiginfo info = { 0 };
	info.si_signo = t->exit_signal;
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
	if (t->exit_signal)
		send_signal(p, t->exit_signal, &info);
	wake_up(&p->wait_chldexit);
}

void task_notify_parent_stop(struct task *t, int why, int sig)
{
	struct task *p = t->parent;
	if (!p)
		return;
	struct k_sigaction *ka = &p->sighand->action[SIGCHLD - 1];
	if (!(ka->flags & 1 /* SA_NOCLDSTOP */)) {
		struct ksiginfo info = { 0 };
		info.si_signo = SIGCHLD;
		info.si_code = why;
		info.chld.pid = t->pid;
		info.chld.uid = t->cred.uid;
		info.chld.status = sig;
		send_signal(p, SIGCHLD, &info);
	}
	wake_up(&p->wait_chldexit);
}

/* Children of an exiting thread go to another live thread of its group,
 * or to init. */
static void reparent_children(struct task *t)
{
	struct task *heir = init_task, *th;
	for_each_thread(t->signal, th)
		if (th != t && !(th->flags & PF_EXITING)) {
			heir = th;
			break;
		}
	struct task *c, *n;
	list_for_each_entry_safe(c, n, &t->children, sibling) {
		list_del(&c->sibling);
		c->parent = heir;
		if (heir == init_task)
			c->exit_signal = SIGCHLD;
		list_add_tail(&c->sibling, &heir->children);
		if (c->state == TASK_ZOMBIE && !process_alive(c)) {
			if (parent_ignores_chld(heir))
				release_task(c);
			else
				notify_parent_exit(c);
		}
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
	if (leader->exit_signal == SIGCHLD && parent_ignores_chld(p)) {
		wake_up(&p->wait_chldexit);
		release_task(leader);
		if (leader == current)
			task_set_dead(leader);
	} else {
		notify_parent_exit(leader);
	}
}

void do_exit(int code)
{
	struct task *t = current;
	struct signal_struct *sig = t->signal;
	if (t->flags & PF_EXITING)
		panic("recursive exit of pid %d", t->pid);
	t->flags |= PF_EXITING;
	if (t == init_task && sig->live == 1)
		panic("Attempted to kill init! exitcode=0x%08x", code);
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
	reparent_children(t);
	list_del(&t->thread_node);
	INIT_LIST_HEAD(&t->thread_node);
	sig->live--;
	if (sig->live == 0)
		signal_exit_task(t);
	if (sig->group_exec_task && sig->live == 1)
		wake_up_task(sig->group_exec_task);
	struct task *leader = sig->leader;
	if (t != leader) {
		/* a thread: nobody waits for it */
		t->state = TASK_DEAD;
		list_del(&t->tasks);
		list_del(&t->sibling);
		signal_put(sig);
		t->signal = NULL;
		task_set_dead(t);
		if (sig->live == 0 && leader->state == TASK_ZOMBIE)
			group_dead(leader);
	} else {
		t->state = TASK_ZOMBIE;
		if (sig->live == 0)
			group_dead(t);
		/* else: a zombie leader waits for its threads */
	}
	schedule();
	panic("zombie %d scheduled", t->pid);
}

/* exit_group and fatal signals: every thread of the group goes. */
void do_group_exit(int code)
{
	struct signal_struct *sig = current->signal;
	if (sig->group_exec_task && sig->group_exec_task != current)
		do_exit(code);	/* killed by another thread's execve */
	if (sig->group_exiting) {
		code = sig->group_exit_code;
	} else {
		sig->group_exiting = true;
		sig->group_exit_code = code;
		/* a process-directed SIGKILL wakes every thread */
		struct ksiginfo info = { .si_signo = 9, .si_code = SI_KERNEL };
		send_signal(current, 9, &info);
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

static bool child_matches(struct task *c, struct wait_opts *wo)
{
	if (wo->which == P_PID)
		return c->pid == wo->id;
	if (wo->which == P_PGID)
		return c->signal && c->signal->pgrp == wo->id;
	return true;
}

/* Checks one child; returns true if it produced a result. */
static bool wait_one(struct task *c, struct wait_opts *wo)
{
	memset(&wo->info, 0, sizeof(wo->info));
	wo->info.si_signo = SIGCHLD;
	wo->info.chld.pid = c->pid;
	wo->info.chld.uid = c->cred.uid;
	if (c->state == TASK_ZOMBIE && !process_alive(c) && (wo->options & WEXITED)) {
		int st = c->exit_code;
		wo->status = st;
		wo->pid = c->pid;
		if ((st & 0x7f) == 0) {
			wo->info.si_code = CLD_EXITED;
			wo->info.chld.status = (st >> 8) & 0xff;
		} else {
			wo->info.si_code = (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
			wo->info.chld.status = st & 0x7f;
		}
		wo->utime = c->utime_ns;
		wo->stime = c->stime_ns;
		if (!(wo->options & WNOWAIT))
			release_task(c);
		return true;
	}
	if (c->signal && c->signal->group_stop && (wo->options & WSTOPPED) && !c->waited_stop_reported) {
		int sig = c->signal->stop_state;
		wo->status = (sig << 8) | 0x7f;
		wo->pid = c->pid;
		wo->info.si_code = CLD_STOPPED;
		wo->info.chld.status = sig;
		if (!(wo->options & WNOWAIT))
			c->waited_stop_reported = true;
		return true;
	}
	if ((wo->options & WCONTINUED) && c->waited_cont_reported == false && c->signal &&
	    c->signal->stop_state == -1) {
		wo->status = 0xffff;
		wo->pid = c->pid;
		wo->info.si_code = CLD_CONTINUED;
		wo->info.chld.status = 18;	/* SIGCONT */
		if (!(wo->options & WNOWAIT)) {
			c->waited_cont_reported = true;
			c->signal->stop_state = 0;
		}
		return true;
	}
	return false;
}

static long do_wait(struct wait_opts *wo)
{
	struct task *me = current;
	for (;;) {
		bool any = false;
		struct task *c, *n;
		list_for_each_entry_safe(c, n, &me->children, sibling) {
			if (!child_matches(c, wo))
				continue;
			/* __WCLONE selects children with exit_signal != SIGCHLD */
			if (!(wo->options & __WALL) && !!(wo->options & __WCLONE) != (c->exit_signal != SIGCHLD))
				continue;
			any = true;
			if (wait_one(c, wo))
				return wo->pid;
		}
		if (!any)
			return -ECHILD;
		if (wo->options & WNOHANG)
			return 0;
		struct wait_entry we;
		wait_enqueue(&me->wait_chldexit, &we);
		long r = wait_sleep(&me->wait_chldexit, &we, true, -1);
		wait_dequeue(&we);
		if (r)
			return r;
	}
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
		if (ustatus && copy_to_user(ustatus, &wo.status, sizeof(int)))
			return -EFAULT;
		if (put_rusage(uru, &wo))
			return -EFAULT;
	}
	return r;
}

SYSCALL_DEFINE5(waitid, int, which, pid_t, id, uaddr_t, uinfo, int, options, uaddr_t, uru)
{
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	struct wait_opts wo = { 0 };
	switch (which) {
	case P_ALL: break;
	case P_PID: if (id <= 0) return -EINVAL; break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		if (id == 0)
			id = current->signal->pgrp;
		break;
	default: return -EINVAL;
	}
	wo.which = which;
	wo.id = id;
	wo.options = options;
	long r = do_wait(&wo);
	if (r < 0)
		return r;
	if (uinfo) {
		struct ksiginfo zero = { 0 };
		if (copy_to_user(uinfo, r > 0 ? &wo.info : &zero, sizeof(zero)))
			return -EFAULT;
	}
	return put_rusage(uru, &wo);
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
		/* take the leader's place: its pid, its parent and children */
		t->pid = leader->pid;
		leader->pid = 0;
		t->parent = leader->parent;
		t->exit_signal = leader->exit_signal;
		list_add_tail(&t->sibling, &leader->sibling);
		struct task *c, *n;
		list_for_each_entry_safe(c, n, &leader->children, sibling) {
			list_del(&c->sibling);
			c->parent = t;
			list_add_tail(&c->sibling, &t->children);
		}
		sig->leader = t;
		release_task(leader);
	}
	sig->group_exec_task = NULL;
	remove_sig_kill_for_exec(t);
}
