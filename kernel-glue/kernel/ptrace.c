/* ptrace(2): attaching (TRACEME, ATTACH, SEIZE) and detaching, resuming
 * (CONT, SYSCALL, SYSEMU, SINGLESTEP, KILL, INTERRUPT, LISTEN), memory
 * (PEEK/POKE), options, event messages, siginfo and signal masks, as
 * Linux's kernel/ptrace.c. Registers are in ptrace_regs.c, the stops in
 * ptrace_stops.c. A tracee is linked on its tracer's ptraced list and
 * reported to the tracer's wait as if its child (exit.c). */
#include <umk/capability.h>
#include <umk/internal.h>
#include <umk/ptrace.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/audit.h>
#include <asm/siginfo.h>

/* Linux's __ptrace_may_access (PTRACE_MODE_REALCREDS): the same real
 * ids as the target's real, effective and saved ones, and a dumpable
 * target; or CAP_SYS_PTRACE. Then commoncap's rule: a target with
 * permitted capabilities the tracer lacks needs CAP_SYS_PTRACE too. */
int ptrace_may_access(struct task *t)
{
	const struct cred *c = &current->cred, *tc = &t->cred;
	if (t->signal && t->signal == current->signal)
		return 0;
	bool cap = capable(CAP_SYS_PTRACE);
	if (!cap && !(c->uid == tc->euid && c->uid == tc->suid && c->uid == tc->uid && c->gid == tc->egid &&
		      c->gid == tc->sgid && c->gid == tc->gid))
		return -EPERM;
	if (!cap && t->mm && !t->mm->dumpable)
		return -EPERM;
	if (!cap && (tc->cap_permitted & ~c->cap_permitted))
		return -EPERM;
	return 0;
}

/* Linux's __ptrace_link: the newest tracee first, as Linux lists them
 * (the order wait(-1) looks at them). */
static void ptrace_link(struct task *child, struct task *tracer)
{
	list_add(&child->ptrace_entry, &tracer->ptraced);
	child->ptracer = tracer;
}

/* Linux's __ptrace_unlink: back to being the real parent's child. A
 * group stop in effect takes the task back; a ptrace stop ends. */
void ptrace_unlink(struct task *child)
{
	child->syscall_work &= ~(SYSCALL_WORK_TRACE | SYSCALL_WORK_EMU);
	list_del(&child->ptrace_entry);
	INIT_LIST_HEAD(&child->ptrace_entry);
	child->ptracer = NULL;
	child->ptrace = 0;
	task_clear_jobctl_pending(child, JOBCTL_TRAP_MASK);
	task_clear_jobctl_trapping(child);
	struct signal_struct *sig = child->signal;
	if (!sig)
		return;
	if (!(child->flags & PF_EXITING) && ((sig->flags & SIGNAL_STOP_STOPPED) || sig->group_stop_count))
		child->jobctl |= JOBCTL_STOP_PENDING;
	if ((child->jobctl & JOBCTL_STOP_PENDING) || child->state == TASK_TRACED)
		ptrace_signal_wake_up(child, true);
}

static bool ignoring_children(struct task *t)
{
	struct k_sigaction *ka = t->sighand ? &t->sighand->action[SIGCHLD - 1] : NULL;
	return ka && (ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT));
}

/* Linux's __ptrace_detach for a tracee the tracer leaves: a zombie is
 * announced to its real parent now (or reaped at once: true). */
bool ptrace_detach_zombie(struct task *tracer, struct task *p)
{
	ptrace_unlink(p);
	if (p->state != TASK_ZOMBIE)
		return false;
	bool dead = !(p->signal && p->signal->leader == p);
	if (!dead && !process_alive(p)) {
		if (!p->parent || p->parent->signal != tracer->signal) {
			dead = do_notify_parent(p, p->exit_signal);
		} else if (ignoring_children(tracer)) {
			wake_up(&tracer->signal->wait_chldexit);
			dead = true;
		}
	}
	return dead;
}

/* The tracer's thread exits: its tracees go free (PTRACE_O_EXITKILL:
 * killed), zombies to their real parents. */
void exit_ptrace(struct task *tracer)
{
	struct task *p, *n;
	list_for_each_entry_safe(p, n, &tracer->ptraced, ptrace_entry) {
		if (p->ptrace & PT_EXITKILL) {
			struct ksiginfo info = { .si_signo = SIGKILL, .si_code = SI_KERNEL };
			send_signal(p, SIGKILL, &info);
		}
		if (ptrace_detach_zombie(tracer, p))
			release_task(p);
	}
}

static int ptrace_traceme(void)
{
	struct task *t = current;
	struct task *p = t->parent;
	if (t->ptrace || !p || p == t || (p->flags & PF_KTHREAD))
		return -EPERM;
	/* a parent on its way out would untrace us at once: not an error */
	if (!(p->flags & PF_EXITING)) {
		t->ptrace = PT_PTRACED;
		ptrace_link(t, p);
	}
	return 0;
}

int ptrace_attach(struct task *t, long request, unsigned long flags)
{
	bool seize = request == PTRACE_SEIZE;
	if (seize) {
		if (flags & ~(unsigned long)PTRACE_O_MASK)
			return -EIO;
		if ((flags & PTRACE_O_SUSPEND_SECCOMP) && !capable(CAP_SYS_ADMIN))
			return -EPERM;
		flags = PT_PTRACED | PT_SEIZED | (flags << PT_OPT_FLAG_SHIFT);
	} else {
		flags = PT_PTRACED;
	}
	if ((t->flags & PF_KTHREAD) || (t->signal && t->signal == current->signal))
		return -EPERM;
	int r = ptrace_may_access(t);
	if (r)
		return r;
	if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD || t->ptrace)
		return -EPERM;
	t->ptrace = (unsigned)flags;
	ptrace_link(t, current);
	if (!seize) {
		struct ksiginfo info = { .si_signo = SIGSTOP, .si_code = SI_KERNEL };
		send_signal_thread(t, SIGSTOP, &info);
	}
	/* already stopped: it traps (STOPPED -> TRACED) before we return,
	 * so that our next wait sees the stop */
	if (t->state == TASK_STOPPED && task_set_jobctl_pending(t, JOBCTL_TRAP_STOP | JOBCTL_TRAPPING)) {
		wake_up_stopped(t);
		wait_event(t->ptrace_wait, !(t->jobctl & JOBCTL_TRAPPING));
	}
	return 0;
}

/* Is child ours to command, and (unless ignore_state) stopped for us? */
int ptrace_check_attach(struct task *child, bool ignore_state)
{
	if (!child->ptrace || child->ptracer != current)
		return -ESRCH;
	if (ignore_state)
		return 0;
	if (child->state != TASK_TRACED || (child->jobctl & JOBCTL_LISTENING) || fatal_signal_pending(child))
		return -ESRCH;
	return 0;
}

int ptrace_resume(struct task *child, long request, unsigned long data)
{
	if (data > 64)
		return -EIO;
	if (request == PTRACE_SYSCALL)
		child->syscall_work |= SYSCALL_WORK_TRACE;
	else
		child->syscall_work &= ~SYSCALL_WORK_TRACE;
	if (request == PTRACE_SYSEMU || request == PTRACE_SYSEMU_SINGLESTEP)
		child->syscall_work |= SYSCALL_WORK_EMU;
	else
		child->syscall_work &= ~SYSCALL_WORK_EMU;
	/* block stepping needs the branch-trap flag of a debug MSR, which a
	 * user-mode kernel cannot set for its guest */
	if (request == PTRACE_SINGLEBLOCK)
		return -EIO;
	if (request == PTRACE_SINGLESTEP || request == PTRACE_SYSEMU_SINGLESTEP) {
		arch_user_enable_single_step(child);
		child->syscall_work |= SYSCALL_WORK_EXIT_TRAP;
	} else {
		arch_user_disable_single_step(child);
		child->syscall_work &= ~SYSCALL_WORK_EXIT_TRAP;
	}
	child->ptrace_code = (int)data;
	if (child->state == TASK_TRACED)
		wake_up_stopped(child);
	return 0;
}

int ptrace_interrupt(struct task *child)
{
	if (!(child->ptrace & PT_SEIZED))
		return -EIO;
	/* a LISTENing tracee traps again at once */
	if (task_set_jobctl_pending(child, JOBCTL_TRAP_STOP))
		ptrace_signal_wake_up(child, child->jobctl & JOBCTL_LISTENING);
	return 0;
}

static int ptrace_listen(struct task *child)
{
	if (!(child->ptrace & PT_SEIZED))
		return -EIO;
	struct ksiginfo *si = child->last_siginfo;
	if (!si || si->si_code >> 8 != PTRACE_EVENT_STOP)
		return -EIO;
	child->jobctl |= JOBCTL_LISTENING;
	/* something happened since the trap: report it */
	if (child->jobctl & JOBCTL_TRAP_NOTIFY)
		ptrace_signal_wake_up(child, true);
	return 0;
}

int ptrace_detach(struct task *child, unsigned long data)
{
	if (data > 64)
		return -EIO;
	arch_ptrace_disable(child);
	child->syscall_work &= ~SYSCALL_WORK_EXIT_TRAP;
	/* the signal it was stopped for, or none, goes with it */
	child->ptrace_code = (int)data;
	ptrace_detach_zombie(current, child);
	return 0;
}

long ptrace_access_vm(struct task *t, uaddr_t addr, void *buf, size_t n, bool write)
{
	if (!t->mm)
		return 0;
	return access_remote_vm_force(t->mm, addr, buf, n, write);
}

static long ptrace_setoptions(struct task *child, unsigned long data)
{
	if (data & ~(unsigned long)PTRACE_O_MASK)
		return -EINVAL;
	if ((data & PTRACE_O_SUSPEND_SECCOMP) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	child->ptrace = (child->ptrace & ~PT_TRACE_MASK) | (unsigned)(data << PT_OPT_FLAG_SHIFT);
	return 0;
}

struct kpeeksiginfo_args { uint64_t off; uint32_t flags; int32_t nr; };

/* PTRACE_PEEKSIGINFO: nr queued siginfos from off, of the thread or
 * (PTRACE_PEEKSIGINFO_SHARED) of the process. */
static long ptrace_peek_siginfo(struct task *child, uaddr_t addr, uaddr_t data)
{
	struct kpeeksiginfo_args a;
	if (copy_from_user(&a, addr, sizeof(a)))
		return -EFAULT;
	if (a.flags & ~PTRACE_PEEKSIGINFO_SHARED)
		return -EINVAL;
	if (a.nr < 0)
		return -EINVAL;
	if (a.off > 0x7fffffff)
		return -EINVAL;
	bool shared = a.flags & PTRACE_PEEKSIGINFO_SHARED;
	long i;
	for (i = 0; i < a.nr; i++) {
		struct ksiginfo info;
		if (signal_peek_queued(child, shared, a.off + i, &info))
			break;
		if (copy_to_user(data + i * sizeof(info), &info, sizeof(info)))
			return i ? i : -EFAULT;
	}
	return i;
}

/* PTRACE_GET_SYSCALL_INFO: what kind of stop this is, with the call's
 * number and arguments at entry, its result at exit. */
struct kptrace_syscall_info {
	uint8_t op, pad[3];
	uint32_t arch;
	uint64_t instruction_pointer, stack_pointer;
	union {
		struct { uint64_t nr, args[6]; } entry;
		struct { int64_t rval; uint8_t is_error; } exit;
		struct { uint64_t nr, args[6]; uint32_t ret_data, reserved2; } seccomp;
	};
};

static long ptrace_get_syscall_info(struct task *child, unsigned long size, uaddr_t data)
{
	struct kptrace_syscall_info info;
	memset(&info, 0, sizeof(info));
	const struct guest_regs *r = &child->regs;
	info.arch = AUDIT_ARCH_X86_64;
	info.instruction_pointer = r->rip;
	info.stack_pointer = r->rsp;
	size_t actual = offsetof(struct kptrace_syscall_info, entry);
	struct ksiginfo *si = child->last_siginfo;
	if (si && si->si_code == (SIGTRAP | 0x80)) {
		if (child->ptrace_message == PTRACE_EVENTMSG_SYSCALL_ENTRY) {
			info.op = PTRACE_SYSCALL_INFO_ENTRY;
			info.entry.nr = r->orig_rax;
			uint64_t a[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
			memcpy(info.entry.args, a, sizeof(a));
			actual = offsetof(struct kptrace_syscall_info, entry.args) + sizeof(info.entry.args);
		} else if (child->ptrace_message == PTRACE_EVENTMSG_SYSCALL_EXIT) {
			info.op = PTRACE_SYSCALL_INFO_EXIT;
			info.exit.rval = (int64_t)r->rax;
			info.exit.is_error = info.exit.rval < 0 && info.exit.rval >= -4095;
			actual = offsetof(struct kptrace_syscall_info, exit.is_error) + 1;
		}
	}
	size_t n = MIN(size, actual);
	if (n && copy_to_user(data, &info, n))
		return -EFAULT;
	return (long)actual;
}

static long ptrace_request(struct task *child, long request, uaddr_t addr, uaddr_t data)
{
	switch (request) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA: {
		uint64_t word;
		if (ptrace_access_vm(child, addr, &word, 8, false) != 8)
			return -EIO;
		return copy_to_user(data, &word, 8) ? -EFAULT : 0;
	}
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA: {
		uint64_t word = data;
		return ptrace_access_vm(child, addr, &word, 8, true) == 8 ? 0 : -EIO;
	}
	case PTRACE_OLDSETOPTIONS:
	case PTRACE_SETOPTIONS:
		return ptrace_setoptions(child, data);
	case PTRACE_GETEVENTMSG:
		return copy_to_user(data, &child->ptrace_message, 8) ? -EFAULT : 0;
	case PTRACE_PEEKSIGINFO:
		return ptrace_peek_siginfo(child, addr, data);
	case PTRACE_GETSIGINFO:
		if (!child->last_siginfo)
			return -EINVAL;
		return copy_to_user(data, child->last_siginfo, sizeof(struct ksiginfo)) ? -EFAULT : 0;
	case PTRACE_SETSIGINFO: {
		struct ksiginfo info;
		if (copy_from_user(&info, data, sizeof(info)))
			return -EFAULT;
		if (!child->last_siginfo)
			return -EINVAL;
		*child->last_siginfo = info;
		return 0;
	}
	case PTRACE_GETSIGMASK: {
		if (addr != 8)
			return -EINVAL;
		ksigset_t *m = child->restore_sigmask ? &child->saved_sigmask : &child->blocked;
		return copy_to_user(data, m, 8) ? -EFAULT : 0;
	}
	case PTRACE_SETSIGMASK: {
		ksigset_t set;
		if (addr != 8)
			return -EINVAL;
		if (copy_from_user(&set, data, 8))
			return -EFAULT;
		set.sig &= ~KERNEL_ONLY_MASK;
		child->blocked = set;
		child->restore_sigmask = false;
		return 0;
	}
	case PTRACE_INTERRUPT:
		return ptrace_interrupt(child);
	case PTRACE_LISTEN:
		return ptrace_listen(child);
	case PTRACE_DETACH:
		return ptrace_detach(child, data);
	case PTRACE_SINGLESTEP:
	case PTRACE_SINGLEBLOCK:
	case PTRACE_SYSEMU:
	case PTRACE_SYSEMU_SINGLESTEP:
	case PTRACE_SYSCALL:
	case PTRACE_CONT:
		return ptrace_resume(child, request, data);
	case PTRACE_KILL: {
		/* as Linux now has it: just SIGKILL, stopped or not */
		struct ksiginfo info = { .si_signo = SIGKILL, .si_code = SI_USER };
		info.kill.pid = current->tgid;
		info.kill.uid = current->cred.uid;
		send_signal(child, SIGKILL, &info);
		return 0;
	}
	case PTRACE_GET_SYSCALL_INFO:
		return ptrace_get_syscall_info(child, addr, data);
	default:
		return -EIO;
	}
}

SYSCALL_DEFINE4(ptrace, long, request, long, pid, uaddr_t, addr, uaddr_t, data)
{
	if (request == PTRACE_TRACEME)
		return ptrace_traceme();
	struct task *child = find_task_by_pid((pid_t)pid);
	if (!child || (child->flags & PF_KTHREAD))
		return -ESRCH;
	if (request == PTRACE_ATTACH || request == PTRACE_SEIZE) {
		if (request == PTRACE_SEIZE && addr)
			return -EIO;
		return ptrace_attach(child, request, data);
	}
	long r = ptrace_check_attach(child, request == PTRACE_KILL || request == PTRACE_INTERRUPT);
	if (r)
		return r;
	if (ptrace_regs_request(child, request, addr, data, &r))
		return r;
	return ptrace_request(child, request, addr, data);
}
