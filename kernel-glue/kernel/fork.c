/* fork, vfork and clone (process-level flags; CLONE_VM shares the stub). */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/fdtable.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/ptrace.h>
#include <linux/sched.h>

#define CLONE_SUPPORTED (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK | CLONE_THREAD | \
			 CLONE_PARENT | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
			 CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | CLONE_PTRACE | CLONE_UNTRACED)

static long do_fork(unsigned long flags, uaddr_t newsp, uaddr_t parent_tid, uaddr_t child_tid, uint64_t tls)
{
	struct task *p = current;
	if (flags & ~(unsigned long)CLONE_SUPPORTED) {
		printk_once_key("clone-flags", KERN_WARNING "clone: unsupported flags %#lx\n",
				flags & ~(unsigned long)CLONE_SUPPORTED);
		return -EINVAL;
	}
	/* Linux's consistency rules */
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && (flags & CLONE_PARENT))
		return -EINVAL;
	if ((flags & CSIGNAL) > 64)
		return -EINVAL;
	if ((flags & CLONE_PARENT) && p == init_task)
		return -EINVAL;

	long err = fork_check_limits(p);
	if (err)
		return err;
	/* which event, if any, the tracer asked to hear of (Linux's
	 * kernel_clone): the child is traced too then */
	int trace = 0;
	if (!(flags & CLONE_UNTRACED)) {
		if (flags & CLONE_VFORK)
			trace = PTRACE_EVENT_VFORK;
		else if ((flags & CSIGNAL) != SIGCHLD)
			trace = PTRACE_EVENT_CLONE;
		else
			trace = PTRACE_EVENT_FORK;
		if (!ptrace_event_enabled(p, trace))
			trace = 0;
	}
	pid_t pid = alloc_pid();
	if (pid < 0)
		return pid;
	struct task *c = task_alloc();
	struct mm *mm;
	if (flags & CLONE_VM) {
		mm = p->mm;
		mm->refs++;
	} else {
		mm = mm_dup(p->mm);
		if (!mm) {
			task_free(c);
			return -ENOMEM;
		}
	}
	c->mm = mm;
	c->pid = c->tgid = pid;
	memcpy(c->comm, p->comm, sizeof(c->comm));
	c->cred = p->cred;
	c->personality = p->personality;
	c->no_new_privs = p->no_new_privs;
	/* scheduling: inherited, unless SCHED_RESET_ON_FORK (Linux's sched_fork) */
	c->policy = p->policy;
	c->rt_priority = p->rt_priority;
	c->nice = p->nice;
	if (p->sched_reset_on_fork) {
		if (RT_POLICY(c->policy)) {
			c->policy = SCHED_NORMAL_POLICY;
			c->rt_priority = 0;
			c->nice = 0;
		} else if (c->nice < 0) {
			c->nice = 0;
		}
	}
	c->timer_slack_ns = p->timer_slack_ns;
	c->flags = 0;
	if (flags & CLONE_FILES) {
		c->files = p->files;
		c->files->refs++;
	} else
		c->files = files_dup(p->files);
	if (flags & CLONE_FS) {
		c->fs = p->fs;
		c->fs->refs++;
	} else
		c->fs = fs_dup(p->fs);
	if (flags & CLONE_SIGHAND) {
		c->sighand = p->sighand;
		c->sighand->refs++;
	} else {
		c->sighand = sighand_alloc();
		memcpy(c->sighand->action, p->sighand->action, sizeof(c->sighand->action));
	}
	if (flags & CLONE_THREAD) {
		c->tgid = p->tgid;
		c->signal = p->signal;
		c->signal->refs++;
	} else {
		c->signal = signal_alloc();
		c->signal->leader = c;
		c->signal->pgrp = p->signal->pgrp;
		c->signal->session = p->signal->session;
		c->signal->tty = p->signal->tty;
		memcpy(c->signal->rlim, p->signal->rlim, sizeof(c->signal->rlim));
		c->signal->has_child_subreaper = p->signal->has_child_subreaper || p->signal->is_child_subreaper;
	}
	list_add_tail(&c->thread_node, &c->signal->threads);
	c->signal->live++;
	c->blocked = p->blocked;
	if (!(flags & CLONE_VM) || (flags & CLONE_VFORK)) {
		c->sas_ss_sp = p->sas_ss_sp;
		c->sas_ss_size = p->sas_ss_size;
		c->sas_ss_flags = p->sas_ss_flags;
	}

	c->regs = p->regs;
	c->regs.rax = 0;
	if (newsp)
		c->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		c->regs.fs_base = tls;
	arch_task_fork(c, p);	/* the child starts with the parent's FPU state */
	ptrace_init_task(c, p, (flags & CLONE_PTRACE) || trace);

	if (flags & CLONE_THREAD) {
		/* threads are nobody's children: the group leader is */
		c->parent = p->signal->leader->parent;
		c->exit_signal = -1;
	} else {
		/* CLONE_PARENT: a sibling, reporting as the process does
		 * (its leader's exit signal: a thread's own is -1) */
		c->parent = (flags & CLONE_PARENT) ? p->parent : p;
		c->exit_signal = (flags & CLONE_PARENT) ? p->signal->leader->exit_signal : (int)(flags & CSIGNAL);
		list_add_tail(&c->sibling, &c->parent->children);
	}
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = child_tid;
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(parent_tid, &pid, sizeof(pid));
	if (flags & CLONE_CHILD_SETTID)
		access_remote_vm(c->mm, child_tid, &pid, sizeof(pid), true);
	if (flags & CLONE_VFORK)
		c->flags |= PF_VFORK_CHILD;

	task_hash(c);
	arch_task_init_kstack(c, ret_from_fork);
	task_enqueue_new(c);

	/* forking done and the child may run: tell the tracer */
	if (trace)
		ptrace_event(trace, (uint64_t)pid);
	if (flags & CLONE_VFORK) {
		/* the parent sleeps (uninterruptibly for signals other than
		 * fatal ones, as on Linux) until the child execs or exits */
		wait_event(c->vfork_wait, c->vfork_done);
		ptrace_event(PTRACE_EVENT_VFORK_DONE, (uint64_t)pid);
	}
	return pid;
}

SYSCALL_DEFINE0(fork)
{
	return do_fork(17, 0, 0, 0, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return do_fork(CLONE_VM | CLONE_VFORK | 17, 0, 0, 0, 0);
}

/* x86-64 argument order: flags, newsp, parent_tid, child_tid, tls */
SYSCALL_DEFINE5(clone, unsigned long, flags, uaddr_t, newsp, uaddr_t, parent_tid, uaddr_t, child_tid, uint64_t, tls)
{
	return do_fork(flags, newsp, parent_tid, child_tid, tls);
}

/* clone3: struct clone_args (v0 = 64 bytes, later versions larger). */
struct kclone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

SYSCALL_DEFINE2(clone3, uaddr_t, uargs, size_t, size)
{
	struct kclone_args a;
	memset(&a, 0, sizeof(a));
	if (size < 64 || size > 4096)
		return -EINVAL;
	if (copy_from_user(&a, uargs, MIN(size, sizeof(a))))
		return -EFAULT;
	/* bytes past what we know must be zero (the ABI's extension rule) */
	for (size_t off = sizeof(a); off < size; off++) {
		uint8_t b;
		if (copy_from_user(&b, uargs + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	if (a.flags & (CLONE_PIDFD | CLONE_INTO_CGROUP | CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID |
		       CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_CLEAR_SIGHAND)) {
		printk_once_key("clone3-flags", KERN_WARNING "clone3: flags %#llx not supported\n",
				(unsigned long long)a.flags);
		return -EINVAL;
	}
	if (a.set_tid || a.set_tid_size)
		return -EINVAL;
	if ((a.flags & CSIGNAL) || a.exit_signal > 64)
		return -EINVAL;
	if ((a.stack == 0) != (a.stack_size == 0))
		return -EINVAL;
	uaddr_t sp = a.stack ? a.stack + a.stack_size : 0;
	return do_fork(a.flags | a.exit_signal, sp, a.parent_tid, a.child_tid, a.tls);
}
