/* seccomp (umk/seccomp.h): Linux's kernel/seccomp.c for guest programs
 * that filter their own system calls -- seccomp(2), prctl(PR_SET_SECCOMP,
 * PR_GET_SECCOMP), the check at syscall entry, and the actions. User
 * notification's listener is kernel/seccomp_notify.c. */
#include <umk/internal.h>
#include <umk/seccomp.h>
#include <umk/filter.h>
#include <umk/capability.h>
#include <umk/uaccess.h>
#include <umk/ptrace.h>
#include <umk/signal.h>
#include <umk/syscall.h>
#include <linux/seccomp.h>
#include <linux/audit.h>

/* The most instructions all of a task's filters may hold together,
 * each counting 4 more (Linux's MAX_INSNS_PER_PATH). */
#define MAX_INSNS_PER_PATH	((1 << 18) / sizeof(struct sock_filter))
#define MAX_ERRNO		4095

/* Linux's SECCOMP_FILTER_FLAG_MASK minus what umk lacks */
#define FLAGS_KNOWN	(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | \
			 SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH | \
			 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

/* ---- the filters ---- */

static void filter_get(struct seccomp_filter *f)
{
	if (f)
		f->refs++;
}

void seccomp_filter_put(struct seccomp_filter *f)
{
	while (f && --f->refs == 0) {
		struct seccomp_filter *prev = f->prev;
		kfree(f);
		f = prev;
	}
}
#define filter_put seccomp_filter_put

/* users: a task's (or newer filter's) use, without the listener's
 * reference; the last one gone wakes a listener's poll with POLLHUP
 * (Linux's __seccomp_filter_orphan) */
static void users_get(struct seccomp_filter *f)
{
	if (f)
		f->users++;
}

static void users_put(struct seccomp_filter *f)
{
	while (f && --f->users == 0) {
		if (f->notif)
			seccomp_listener_wake(f->notif);
		f = f->prev;
	}
}

void seccomp_fork(struct task *child, const struct task *parent)
{
	child->seccomp_mode = parent->seccomp_mode;
	child->seccomp_filter = parent->seccomp_filter;
	child->seccomp_filter_count = parent->seccomp_filter_count;
	filter_get(child->seccomp_filter);
	users_get(child->seccomp_filter);
}

void seccomp_task_free(struct task *t)
{
	users_put(t->seccomp_filter);
	filter_put(t->seccomp_filter);
	t->seccomp_filter = NULL;
}

/* Linux's seccomp_check_filter, after the classic checker accepted the
 * program: loads only whole aligned words of struct seccomp_data (its
 * length is a constant), no packet or ancillary loads, no BPF_MOD. */
static int check_filter(struct sock_filter *f, unsigned len)
{
	for (unsigned pc = 0; pc < len; pc++) {
		struct sock_filter *i = &f[pc];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k >= sizeof(struct seccomp_data) || (i->k & 3))
				return -EINVAL;
			continue;
		case BPF_LD | BPF_W | BPF_LEN:
			i->code = BPF_LD | BPF_IMM;
			i->k = sizeof(struct seccomp_data);
			continue;
		case BPF_LDX | BPF_W | BPF_LEN:
			i->code = BPF_LDX | BPF_IMM;
			i->k = sizeof(struct seccomp_data);
			continue;
		case BPF_RET | BPF_K: case BPF_RET | BPF_A:
		case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
		case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
		case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
		case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
		case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
		case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
		case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
		case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
		case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
		case BPF_ALU | BPF_NEG:
		case BPF_LD | BPF_IMM: case BPF_LDX | BPF_IMM:
		case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
		case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM:
		case BPF_ST: case BPF_STX:
		case BPF_JMP | BPF_JA:
		case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
		case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
		case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
		case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
			continue;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* Run one checked program over sd. Every jump goes forward and the last
 * instruction returns, so this ends within len steps. */
static uint32_t run_filter(const struct seccomp_filter *f, const struct seccomp_data *sd)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	for (unsigned pc = 0; pc < f->len; pc++) {
		const struct sock_filter *i = &f->insns[pc];
		uint32_t k = i->k, src = BPF_SRC(i->code) == BPF_X ? x : k;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS: {
			uint32_t w;
			memcpy(&w, (const uint8_t *)sd + k, sizeof(w));	/* host order, as Linux's */
			a = w;
			break;
		}
		case BPF_LD | BPF_IMM: a = k; break;
		case BPF_LDX | BPF_IMM: x = k; break;
		case BPF_LD | BPF_MEM: a = mem[k]; break;
		case BPF_LDX | BPF_MEM: x = mem[k]; break;
		case BPF_ST: mem[k] = a; break;
		case BPF_STX: mem[k] = x; break;
		case BPF_MISC | BPF_TAX: x = a; break;
		case BPF_MISC | BPF_TXA: a = x; break;
		case BPF_RET | BPF_K: return k;
		case BPF_RET | BPF_A: return a;
		case BPF_JMP | BPF_JA: pc += k; break;
		default:
			if (BPF_CLASS(i->code) == BPF_JMP) {
				bool cond;
				switch (BPF_OP(i->code)) {
				case BPF_JEQ: cond = a == src; break;
				case BPF_JGT: cond = a > src; break;
				case BPF_JGE: cond = a >= src; break;
				default: cond = (a & src) != 0; break;	/* JSET */
				}
				pc += cond ? i->jt : i->jf;
				break;
			}
			switch (BPF_OP(i->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
				if (!src)
					return 0;	/* as Linux's eBPF translation: the program ends with 0 */
				a /= src;
				break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a <<= (src & 31); break;
			case BPF_RSH: a >>= (src & 31); break;
			case BPF_NEG: a = -a; break;
			}
		}
	}
	return SECCOMP_RET_KILL_PROCESS;	/* unreachable for a checked program */
}

/* ACTION_ONLY: signed, so that KILL_PROCESS (0x80000000) is the least */
static int32_t action_only(uint32_t ret)
{
	return (int32_t)(ret & SECCOMP_RET_ACTION_FULL);
}

/* Every filter runs; the least action value wins (Linux's
 * seccomp_run_filters): KILL_PROCESS, KILL_THREAD, TRAP, ERRNO,
 * USER_NOTIF, TRACE, LOG, ALLOW. */
static uint32_t run_filters(const struct task *t, const struct seccomp_data *sd, struct seccomp_filter **match)
{
	uint32_t ret = SECCOMP_RET_ALLOW;
	*match = NULL;
	for (struct seccomp_filter *f = t->seccomp_filter; f; f = f->prev) {
		uint32_t cur = run_filter(f, sd);
		if (action_only(cur) < action_only(ret)) {
			ret = cur;
			*match = f;
		}
	}
	return ret;
}

/* ---- at syscall entry ---- */

static void populate(const struct task *t, bool compat, struct seccomp_data *sd)
{
	const struct guest_regs *r = &t->regs;
	memset(sd, 0, sizeof(*sd));
	sd->instruction_pointer = r->rip;
	if (compat) {
		uint64_t a[6] = { r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp };
		sd->nr = (int)(uint32_t)r->orig_rax;
		sd->arch = AUDIT_ARCH_I386;
		for (int i = 0; i < 6; i++)
			sd->args[i] = (uint32_t)a[i];
	} else {
		uint64_t a[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
		sd->nr = (int)r->orig_rax;
		sd->arch = AUDIT_ARCH_X86_64;
		memcpy(sd->args, a, sizeof(a));
	}
}

/* Linux's seccomp_log without auditd: the audit record goes to the
 * kernel log (kill actions and LOG, the others when the filter was
 * installed with SECCOMP_FILTER_FLAG_LOG; ALLOW never), if
 * /proc/sys/kernel/seccomp/actions_logged names the action. */
static void seccomp_log(const struct task *t, const struct seccomp_data *sd, int sig, uint32_t action, bool requested)
{
	static struct ratelimit_state rs = RATELIMIT_STATE_INIT;
	bool log;
	switch (action) {
	case SECCOMP_RET_ALLOW: log = false; break;
	case SECCOMP_RET_TRAP: case SECCOMP_RET_ERRNO: case SECCOMP_RET_TRACE: case SECCOMP_RET_USER_NOTIF:
		log = requested;
		break;
	default: log = true; break;	/* LOG, KILL_THREAD, KILL_PROCESS */
	}
	if (!log || !seccomp_action_logged(action) || !ratelimit(&rs, "seccomp"))
		return;
	printk(KERN_NOTICE "audit: type=1326 uid=%u gid=%u pid=%d comm=\"%s\" sig=%d arch=%x syscall=%d compat=%d ip=0x%llx code=0x%x\n",
	       t->cred.uid, t->cred.gid, t->tgid, t->comm, sig, sd->arch, sd->nr, sd->arch == AUDIT_ARCH_I386,
	       (unsigned long long)sd->instruction_pointer, action);
}

static int live_threads(const struct task *t)
{
	int n = 0;
	struct task *th;
	for_each_thread(t->signal, th)
		if (th->state != TASK_ZOMBIE && th->state != TASK_DEAD && !(th->flags & PF_EXITING))
			n++;
	return n;
}

/* The strict mode's calls (Linux's mode1_syscalls and the i386 ones) */
static bool strict_allowed(int nr, bool compat)
{
	if (compat)
		return nr == 3 || nr == 4 || nr == 1 || nr == 119;	/* read write exit sigreturn */
	return nr == __NR_read || nr == __NR_write || nr == __NR_exit || nr == __NR_rt_sigreturn;
}

/* Linux's __seccomp_filter: false to run the call, true to skip it. */
static bool filter_syscall(struct task *t, bool compat, bool recheck_after_trace)
{
	struct guest_regs *r = &t->regs;
	struct seccomp_data sd;
	struct seccomp_filter *match;
	populate(t, compat, &sd);
	uint32_t ret = run_filters(t, &sd, &match);
	uint32_t data = ret & SECCOMP_RET_DATA, action = ret & SECCOMP_RET_ACTION_FULL;
	switch (action) {
	case SECCOMP_RET_ERRNO:
		r->rax = (uint64_t)-(int64_t)MIN(data, (uint32_t)MAX_ERRNO);
		goto skip;
	case SECCOMP_RET_TRAP:
		r->rax = r->orig_rax;	/* the handler sees the registers of the call (syscall_rollback) */
		force_sig_seccomp(sd.nr, data, sd.arch, false);
		goto skip;
	case SECCOMP_RET_TRACE:
		if (recheck_after_trace)
			return false;
		if (!ptrace_event_enabled(t, PTRACE_EVENT_SECCOMP)) {
			r->rax = (uint64_t)-ENOSYS;
			goto skip;
		}
		/* the tracer may change the call, or skip it (orig_rax -1 and
		 * its result in rax), or let it run */
		r->rax = (uint64_t)-ENOSYS;
		ptrace_event(PTRACE_EVENT_SECCOMP, data);
		if (fatal_signal_pending(t))
			goto skip;
		if ((int)r->orig_rax < 0)
			goto skip;
		return filter_syscall(t, compat, true);
	case SECCOMP_RET_USER_NOTIF:
		if (seccomp_do_user_notification(t, match, &sd))
			goto skip;
		return false;
	case SECCOMP_RET_LOG:
		seccomp_log(t, &sd, 0, action, true);
		return false;
	case SECCOMP_RET_ALLOW:
		return false;
	default:	/* KILL_THREAD, KILL_PROCESS, and any unknown action */
		t->seccomp_mode = SECCOMP_MODE_DEAD_;
		seccomp_log(t, &sd, SIGSYS, action == SECCOMP_RET_KILL_THREAD ? action : SECCOMP_RET_KILL_PROCESS, true);
		if (action == SECCOMP_RET_KILL_THREAD && live_threads(t) > 1)
			do_exit(SIGSYS);
		/* SIGSYS's default action on the whole process, whatever
		 * handler or mask the program set, unseen by a tracer (as
		 * Linux's force_sig_seccomp with HANDLER_EXIT) */
		do_group_exit(SIGSYS);
	}
skip:
	seccomp_log(t, &sd, 0, action, match && match->log);
	return true;
}

bool __secure_computing(struct task *t, bool compat)
{
	/* PTRACE_O_SUSPEND_SECCOMP: a checkpointing tracer's tracee */
	if (t->ptrace & ((unsigned)PTRACE_O_SUSPEND_SECCOMP << PT_OPT_FLAG_SHIFT))
		return false;
	switch (t->seccomp_mode) {
	case SECCOMP_MODE_STRICT: {
		int nr = (int)(uint32_t)t->regs.orig_rax;
		if (strict_allowed(nr, compat))
			return false;
		struct seccomp_data sd;
		populate(t, compat, &sd);
		t->seccomp_mode = SECCOMP_MODE_DEAD_;
		seccomp_log(t, &sd, SIGKILL, SECCOMP_RET_KILL_THREAD, true);
		do_exit(SIGKILL);
	}
	case SECCOMP_MODE_FILTER:
		return filter_syscall(t, compat, false);
	case SECCOMP_MODE_DEAD_:	/* a kill action cannot be survived */
		do_exit(SIGKILL);
	}
	return false;
}

/* ---- installing ---- */

/* A mode is set once; filters may be added to filters only. */
static bool may_assign_mode(const struct task *t, int mode)
{
	return !t->seccomp_mode || t->seccomp_mode == mode;
}

static long set_mode_strict(void)
{
	struct task *t = current;
	if (!may_assign_mode(t, SECCOMP_MODE_STRICT))
		return -EINVAL;
	t->seccomp_mode = SECCOMP_MODE_STRICT;
	return 0;
}

/* Linux's seccomp_prepare_user_filter: the program copied in and
 * checked, or an errno. */
static long prepare_filter(uaddr_t uprog, struct seccomp_filter **out)
{
	struct task *t = current;
	struct sock_fprog fprog;
	if (copy_from_user(&fprog, uprog, sizeof(fprog)))
		return -EFAULT;
	if (!fprog.len || fprog.len > BPF_MAXINSNS)
		return -EINVAL;
	if (!t->no_new_privs && !capable(CAP_SYS_ADMIN))
		return -EACCES;
	struct seccomp_filter *f = kzalloc(sizeof(*f) + fprog.len * sizeof(struct sock_filter));
	if (!f)
		return -ENOMEM;
	f->len = fprog.len;
	f->refs = 1;
	long err = 0;
	if (copy_from_user(f->insns, (uaddr_t)fprog.filter, fprog.len * sizeof(struct sock_filter)))
		err = -EFAULT;
	else if ((err = sk_chk_filter(f->insns, f->len)) == 0)
		err = check_filter(f->insns, f->len);
	if (err) {
		kfree(f);
		return err;
	}
	*out = f;
	return 0;
}

/* Is a an ancestor of (or the same as) b? A thread whose filters are all
 * below the caller's may be synchronized to them. */
static bool is_ancestor(const struct seccomp_filter *a, const struct seccomp_filter *b)
{
	if (!a)
		return true;
	for (; b; b = b->prev)
		if (a == b)
			return true;
	return false;
}

/* Linux's seccomp_can_sync_threads: 0, or the first thread that has a
 * filter of its own (or strict mode). */
static pid_t cannot_sync(const struct task *t)
{
	struct task *th;
	for_each_thread(t->signal, th) {
		if (th == t || th->state == TASK_ZOMBIE || th->state == TASK_DEAD)
			continue;
		if (!th->seccomp_mode ||
		    (th->seccomp_mode == SECCOMP_MODE_FILTER && is_ancestor(th->seccomp_filter, t->seccomp_filter)))
			continue;
		return th->pid;
	}
	return 0;
}

static void sync_threads(struct task *t)
{
	struct task *th;
	for_each_thread(t->signal, th) {
		if (th == t || th->state == TASK_ZOMBIE || th->state == TASK_DEAD)
			continue;
		filter_get(t->seccomp_filter);
		users_get(t->seccomp_filter);
		users_put(th->seccomp_filter);
		filter_put(th->seccomp_filter);
		th->seccomp_filter = t->seccomp_filter;
		th->seccomp_filter_count = t->seccomp_filter_count;
		if (t->no_new_privs)
			th->no_new_privs = true;
		th->seccomp_mode = SECCOMP_MODE_FILTER;
	}
}

static long set_mode_filter(unsigned long flags, uaddr_t uprog)
{
	struct task *t = current;
	if (flags & ~(unsigned long)FLAGS_KNOWN)
		return -EINVAL;
	/* TSYNC's failure is a tid, NEW_LISTENER's success an fd: together
	 * only with TSYNC_ESRCH */
	if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
	    !(flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		return -EINVAL;
	if ((flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return -EINVAL;
	if (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
		printk_once_key("seccomp-killable", KERN_INFO "%s[%d]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not "
				"implemented; refused with EINVAL\n", t->comm, t->pid);
		return -EINVAL;
	}
	struct seccomp_filter *f;
	long err = prepare_filter(uprog, &f);
	if (err)
		return err;
	if (!may_assign_mode(t, SECCOMP_MODE_FILTER)) {
		kfree(f);
		return -EINVAL;
	}
	unsigned long total = f->len;
	for (struct seccomp_filter *w = t->seccomp_filter; w; w = w->prev)
		total += w->len + 4;	/* each filter costs 4 more */
	if (total > MAX_INSNS_PER_PATH) {
		kfree(f);
		return -ENOMEM;
	}
	if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
		pid_t tid = cannot_sync(t);
		if (tid) {
			kfree(f);
			return (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) ? -ESRCH : tid;
		}
	}
	long ret = 0;
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		/* one listener per stack of filters */
		for (struct seccomp_filter *w = t->seccomp_filter; w; w = w->prev)
			if (w->notif) {
				kfree(f);
				return -EBUSY;
			}
		ret = seccomp_new_listener(f);
		if (ret < 0) {
			kfree(f);
			return ret;
		}
	}
	/* SPEC_ALLOW: there is no speculation mitigation to leave off */
	f->log = flags & SECCOMP_FILTER_FLAG_LOG;
	f->users = 1;	/* the task's use of the old filter becomes the new one's */
	f->prev = t->seccomp_filter;
	t->seccomp_filter = f;
	t->seccomp_filter_count++;
	t->seccomp_mode = SECCOMP_MODE_FILTER;
	if (flags & SECCOMP_FILTER_FLAG_TSYNC)
		sync_threads(t);
	return ret;
}

static long get_action_avail(uaddr_t uaction)
{
	uint32_t action;
	if (copy_from_user(&action, uaction, sizeof(action)))
		return -EFAULT;
	switch (action) {
	case SECCOMP_RET_KILL_PROCESS: case SECCOMP_RET_KILL_THREAD: case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO: case SECCOMP_RET_USER_NOTIF: case SECCOMP_RET_TRACE: case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return 0;
	}
	return -EOPNOTSUPP;
}

static long get_notif_sizes(uaddr_t usizes)
{
	struct seccomp_notif_sizes sizes = {
		.seccomp_notif = sizeof(struct seccomp_notif),
		.seccomp_notif_resp = sizeof(struct seccomp_notif_resp),
		.seccomp_data = sizeof(struct seccomp_data),
	};
	return copy_to_user(usizes, &sizes, sizeof(sizes)) ? -EFAULT : 0;
}

static long do_seccomp(unsigned op, unsigned long flags, uaddr_t uargs)
{
	switch (op) {
	case SECCOMP_SET_MODE_STRICT:
		if (flags || uargs)
			return -EINVAL;
		return set_mode_strict();
	case SECCOMP_SET_MODE_FILTER:
		return set_mode_filter(flags, uargs);
	case SECCOMP_GET_ACTION_AVAIL:
		return flags ? -EINVAL : get_action_avail(uargs);
	case SECCOMP_GET_NOTIF_SIZES:
		return flags ? -EINVAL : get_notif_sizes(uargs);
	}
	return -EINVAL;
}

SYSCALL_DEFINE3(seccomp, unsigned, op, unsigned long, flags, uaddr_t, uargs)
{
	return do_seccomp(op, flags, uargs);
}

long prctl_get_seccomp(void)
{
	return current->seccomp_mode;
}

long prctl_set_seccomp(unsigned long mode, uaddr_t filter)
{
	switch (mode) {
	case SECCOMP_MODE_STRICT:
		return do_seccomp(SECCOMP_SET_MODE_STRICT, 0, 0);
	case SECCOMP_MODE_FILTER:
		return do_seccomp(SECCOMP_SET_MODE_FILTER, 0, filter);
	}
	return -EINVAL;
}
