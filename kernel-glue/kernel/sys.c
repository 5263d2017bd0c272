/* Identity, process groups and sessions, limits, uname, and other small
 * process-wide system calls. */
#include <umk/seccomp.h>
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/utsname.h>
#include <linux/resource.h>
#include <linux/prctl.h>
#include <linux/reboot.h>
#include <umk/reboot.h>

static char hostname[65] = "umk";
static char domainname[65] = "(none)";

SYSCALL_DEFINE0(getpid) { return current->tgid; }
SYSCALL_DEFINE0(gettid) { return current->pid; }
SYSCALL_DEFINE0(getppid)
{
	struct task *l = current->signal->leader, *p = l->parent;
	return p && p != l ? p->tgid : 0;	/* init has no parent */
}
SYSCALL_DEFINE0(getuid) { return current->cred.uid; }
SYSCALL_DEFINE0(geteuid) { return current->cred.euid; }
SYSCALL_DEFINE0(getgid) { return current->cred.gid; }
SYSCALL_DEFINE0(getegid) { return current->cred.egid; }

SYSCALL_DEFINE3(getresuid, uaddr_t, r, uaddr_t, e, uaddr_t, s)
{
	struct cred *c = &current->cred;
	if (copy_to_user(r, &c->uid, 4) || copy_to_user(e, &c->euid, 4) || copy_to_user(s, &c->suid, 4))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresgid, uaddr_t, r, uaddr_t, e, uaddr_t, s)
{
	struct cred *c = &current->cred;
	if (copy_to_user(r, &c->gid, 4) || copy_to_user(e, &c->egid, 4) || copy_to_user(s, &c->sgid, 4))
		return -EFAULT;
	return 0;
}

/* set*id: CAP_SETUID/CAP_SETGID may set anything; others only among
 * real/effective/saved. */
static bool id_ok(uint32_t v, uint32_t a, uint32_t b, uint32_t c)
{
	return v == (uint32_t)-1 || v == a || v == b || v == c;
}

/* As Linux's commit_creds: a change of the effective or filesystem ids
 * (or more permitted capabilities) forgets PR_SET_PDEATHSIG, so that a
 * parent cannot signal a process whose privilege changed, and makes it
 * not dumpable, so that only CAP_SYS_PTRACE may trace it. Returns r, for
 * the setters' tail calls. */
static long creds_committed(const struct cred *old, long r)
{
	struct task *t = current;
	const struct cred *c = &t->cred;
	if (c->euid != old->euid || c->egid != old->egid || c->fsuid != old->fsuid || c->fsgid != old->fsgid ||
	    (c->cap_permitted & ~old->cap_permitted)) {
		t->pdeath_signal = 0;
		/* and no longer to be traced by the user it now is */
		if (t->mm)
			t->mm->dumpable = 0;
	}
	return r;
}

SYSCALL_DEFINE3(setresuid, uid_t, r, uid_t, e, uid_t, s)
{
	struct cred *c = &current->cred;
	struct cred old = *c;
	if (!(id_ok(r, c->uid, c->euid, c->suid) && id_ok(e, c->uid, c->euid, c->suid) &&
	      id_ok(s, c->uid, c->euid, c->suid)) && !capable(CAP_SETUID))
		return -EPERM;
	if (r != (uid_t)-1) c->uid = r;
	if (e != (uid_t)-1) c->euid = e;
	if (s != (uid_t)-1) c->suid = s;
	c->fsuid = c->euid;
	cap_fix_setuid(&old, false);
	return creds_committed(&old, 0);
}

SYSCALL_DEFINE3(setresgid, gid_t, r, gid_t, e, gid_t, s)
{
	struct cred *c = &current->cred;
	struct cred old = *c;
	if (!(id_ok(r, c->gid, c->egid, c->sgid) && id_ok(e, c->gid, c->egid, c->sgid) &&
	      id_ok(s, c->gid, c->egid, c->sgid)) && !capable(CAP_SETGID))
		return -EPERM;
	if (r != (gid_t)-1) c->gid = r;
	if (e != (gid_t)-1) c->egid = e;
	if (s != (gid_t)-1) c->sgid = s;
	c->fsgid = c->egid;
	return creds_committed(&old, 0);
}

SYSCALL_DEFINE1(setuid, uid_t, uid)
{
	struct cred *c = &current->cred;
	struct cred old = *c;
	if (uid == (uid_t)-1)
		return -EINVAL;
	if (capable(CAP_SETUID))
		c->uid = c->euid = c->suid = c->fsuid = uid;
	else if (uid == c->uid || uid == c->suid)
		c->euid = c->fsuid = uid;
	else
		return -EPERM;
	cap_fix_setuid(&old, false);
	return creds_committed(&old, 0);
}

SYSCALL_DEFINE1(setgid, gid_t, gid)
{
	struct cred *c = &current->cred;
	struct cred old = *c;
	if (gid == (gid_t)-1)
		return -EINVAL;
	if (capable(CAP_SETGID)) {
		c->gid = c->egid = c->sgid = c->fsgid = gid;
		return creds_committed(&old, 0);
	}
	if (gid != c->gid && gid != c->sgid)
		return -EPERM;
	c->egid = c->fsgid = gid;
	return creds_committed(&old, 0);
}

SYSCALL_DEFINE2(setreuid, uid_t, r, uid_t, e)
{
	struct cred *c = &current->cred;
	struct cred old = *c;
	uid_t olduid = c->uid;
	if (((r != (uid_t)-1 && r != c->uid && r != c->euid) ||
	     (e != (uid_t)-1 && e != c->uid && e != c->euid && e != c->suid)) && !capable(CAP_SETUID))
		return -EPERM;
	if (r != (uid_t)-1) c->uid = r;
	if (e != (uid_t)-1) c->euid = e;
	if (r != (uid_t)-1 || (e != (uid_t)-1 && e != olduid))
		c->suid = c->euid;
	c->fsuid = c->euid;
	cap_fix_setuid(&old, false);
	return creds_committed(&old, 0);
}

SYSCALL_DEFINE2(setregid, gid_t, r, gid_t, e)
{
	struct cred *c = &current->cred;
	struct cred old = *c;
	gid_t oldgid = c->gid;
	if (((r != (gid_t)-1 && r != c->gid && r != c->egid) ||
	     (e != (gid_t)-1 && e != c->gid && e != c->egid && e != c->sgid)) && !capable(CAP_SETGID))
		return -EPERM;
	if (r != (gid_t)-1) c->gid = r;
	if (e != (gid_t)-1) c->egid = e;
	if (r != (gid_t)-1 || (e != (gid_t)-1 && e != oldgid))
		c->sgid = c->egid;
	c->fsgid = c->egid;
	return creds_committed(&old, 0);
}

SYSCALL_DEFINE1(setfsuid, uid_t, uid)
{
	struct cred *c = &current->cred;
	struct cred saved = *c;
	uid_t old = c->fsuid;
	if (id_ok(uid, c->uid, c->euid, c->suid) || uid == c->fsuid || capable(CAP_SETUID))
		if (uid != (uid_t)-1 && uid != c->fsuid) {
			c->fsuid = uid;
			cap_fix_setuid(&saved, true);
		}
	return creds_committed(&saved, old);
}

SYSCALL_DEFINE1(setfsgid, gid_t, gid)
{
	struct cred *c = &current->cred;
	struct cred saved = *c;
	gid_t old = c->fsgid;
	if (id_ok(gid, c->gid, c->egid, c->sgid) || gid == c->fsgid || capable(CAP_SETGID))
		if (gid != (gid_t)-1)
			c->fsgid = gid;
	return creds_committed(&saved, old);
}

/* Linux's in_group_p: the fsgid or one of the supplementary groups (a
 * kernel thread, with no task of a user, belongs to every group). */
bool in_group_p(gid_t g)
{
	if (!current || current->cred.fsgid == g)
		return true;
	for (int i = 0; i < current->cred.ngroups && i < (int)ARRAY_SIZE(current->cred.groups); i++)
		if (current->cred.groups[i] == g)
			return true;
	return false;
}

SYSCALL_DEFINE2(getgroups, int, size, uaddr_t, list)
{
	struct cred *c = &current->cred;
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if (size < c->ngroups)
		return -EINVAL;
	if (copy_to_user(list, c->groups, c->ngroups * sizeof(gid_t)))
		return -EFAULT;
	return c->ngroups;
}

SYSCALL_DEFINE2(setgroups, int, size, uaddr_t, list)
{
	struct cred *c = &current->cred;
	if (!capable(CAP_SETGID))
		return -EPERM;
	if (size < 0 || size > (int)ARRAY_SIZE(c->groups))
		return -EINVAL;
	gid_t g[ARRAY_SIZE(c->groups)];
	if (copy_from_user(g, list, size * sizeof(gid_t)))
		return -EFAULT;
	memcpy(c->groups, g, size * sizeof(gid_t));
	c->ngroups = size;
	return 0;
}

SYSCALL_DEFINE0(setsid)
{
	struct task *t = current;
	if (t->signal->pgrp == t->tgid || pgrp_exists(t->tgid))
		return -EPERM;
	t->signal->session = t->tgid;
	t->signal->pgrp = t->tgid;
	t->signal->tty = NULL;
	return t->tgid;
}

SYSCALL_DEFINE2(setpgid, pid_t, pid, pid_t, pgid)
{
	struct task *me = current;
	if (pgid < 0)
		return -EINVAL;
	struct task *t = pid ? find_task_group_leader(pid) : me;
	if (!t)
		return -ESRCH;
	if (t != me && t->parent != me)
		return -ESRCH;
	if (t->parent == me && t != me) {
		if (t->signal->session != me->signal->session)
			return -EPERM;
	}
	if (t->signal->session == t->tgid)
		return -EPERM;	/* session leader */
	if (!pgid)
		pgid = t->tgid;
	if (pgid != t->tgid) {
		/* the group must exist in the same session */
		struct task *o;
		bool ok = false;
		for_each_task(o)
			if (o->signal && o->signal->pgrp == pgid && o->signal->session == me->signal->session)
				ok = true;
		if (!ok)
			return -EPERM;
	}
	t->signal->pgrp = pgid;
	return 0;
}

SYSCALL_DEFINE1(getpgid, pid_t, pid)
{
	struct task *t = pid ? find_task_group_leader(pid) : current;
	if (!t || !t->signal)
		return -ESRCH;
	return t->signal->pgrp;
}

SYSCALL_DEFINE0(getpgrp) { return current->signal->pgrp; }

SYSCALL_DEFINE1(getsid, pid_t, pid)
{
	struct task *t = pid ? find_task_group_leader(pid) : current;
	if (!t || !t->signal)
		return -ESRCH;
	return t->signal->session;
}

void kernel_uname(struct new_utsname *u)
{
	memset(u, 0, sizeof(*u));
	strlcpy(u->sysname, "Linux", sizeof(u->sysname));
	strlcpy(u->nodename, hostname, sizeof(u->nodename));
	strlcpy(u->release, "6.1.0-umk", sizeof(u->release));
	strlcpy(u->version, "#1 umk " __DATE__, sizeof(u->version));
	strlcpy(u->machine, "x86_64", sizeof(u->machine));
	strlcpy(u->domainname, domainname, sizeof(u->domainname));
}

SYSCALL_DEFINE1(uname, uaddr_t, ubuf)
{
	struct new_utsname u;
	kernel_uname(&u);
	return copy_to_user(ubuf, &u, sizeof(u)) ? -EFAULT : 0;
}

static long set_name(char *dst, uaddr_t src, int len)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len < 0 || len > 64)
		return -EINVAL;
	char tmp[65];
	if (copy_from_user(tmp, src, len))
		return -EFAULT;
	tmp[len] = 0;
	memcpy(dst, tmp, len + 1);
	return 0;
}

SYSCALL_DEFINE2(sethostname, uaddr_t, name, int, len) { return set_name(hostname, name, len); }
SYSCALL_DEFINE2(setdomainname, uaddr_t, name, int, len) { return set_name(domainname, name, len); }

struct krlimit { uint64_t cur, max; };

static long do_prlimit(struct task *t, unsigned res, const struct krlimit *n, struct krlimit *old)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	struct krlim *r = &t->signal->rlim[res];
	if (old) {
		old->cur = r->cur;
		old->max = r->max;
	}
	if (n) {
		if (n->cur > n->max)
			return -EINVAL;
		if (n->max > r->max && !capable(CAP_SYS_RESOURCE))
			return -EPERM;
		if (res == RLIMIT_NOFILE && n->max > 1048576)
			return -EPERM;
		r->cur = n->cur;
		r->max = n->max;
	}
	return 0;
}

SYSCALL_DEFINE4(prlimit64, pid_t, pid, unsigned, res, uaddr_t, unew, uaddr_t, uold)
{
	struct task *t = pid ? find_task_by_pid(pid) : current;
	if (!t || !t->signal)
		return -ESRCH;
	struct krlimit n, o;
	if (unew && copy_from_user(&n, unew, sizeof(n)))
		return -EFAULT;
	long r = do_prlimit(t, res, unew ? &n : NULL, uold ? &o : NULL);
	if (!r && uold && copy_to_user(uold, &o, sizeof(o)))
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE2(getrlimit, unsigned, res, uaddr_t, uold)
{
	struct krlimit o;
	long r = do_prlimit(current, res, NULL, &o);
	if (!r && copy_to_user(uold, &o, sizeof(o)))
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE2(setrlimit, unsigned, res, uaddr_t, unew)
{
	struct krlimit n;
	if (copy_from_user(&n, unew, sizeof(n)))
		return -EFAULT;
	return do_prlimit(current, res, &n, NULL);
}

void rlimits_init(struct krlim *rl)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		rl[i].cur = rl[i].max = ~0ULL;
	rl[RLIMIT_STACK].cur = 8ULL << 20;
	rl[RLIMIT_CORE].cur = 0;
	rl[RLIMIT_NOFILE].cur = 1024;
	rl[RLIMIT_NOFILE].max = 1048576;
	/* as Linux's fork_init: half of kernel.threads-max */
	rl[RLIMIT_NPROC].cur = rl[RLIMIT_NPROC].max = threads_max() / 2;
	rl[RLIMIT_MEMLOCK].cur = rl[RLIMIT_MEMLOCK].max = 8ULL << 20;
	rl[RLIMIT_SIGPENDING].cur = rl[RLIMIT_SIGPENDING].max = threads_max() / 2;
	rl[RLIMIT_MSGQUEUE].cur = rl[RLIMIT_MSGQUEUE].max = 819200;
	rl[RLIMIT_NICE].cur = rl[RLIMIT_NICE].max = 0;
	rl[RLIMIT_RTPRIO].cur = rl[RLIMIT_RTPRIO].max = 0;
}

SYSCALL_DEFINE1(set_tid_address, uaddr_t, tidptr)
{
	current->clear_child_tid = tidptr;
	return current->pid;
}

SYSCALL_DEFINE0(sched_yield)
{
	sched_yield_current();
	return 0;
}

/* Linux 5.18+: one call returns up to MAX_RW_COUNT bytes (the old
 * 32 MiB - 1 cap is gone); a pending signal ends it early, checked every
 * page as get_random_bytes_user does. */
SYSCALL_DEFINE3(getrandom, uaddr_t, buf, size_t, len, unsigned, flags)
{
	if (flags & ~7U)
		return -EINVAL;
	if ((flags & 6U) == 6U)		/* GRND_INSECURE | GRND_RANDOM */
		return -EINVAL;
	if (len > 0x7ffff000UL)		/* MAX_RW_COUNT */
		len = 0x7ffff000UL;
	uint8_t *tmp = kmalloc(PAGE_SIZE);
	size_t done = 0;
	long r = 0;
	while (done < len) {
		size_t c = MIN(len - done, (size_t)PAGE_SIZE);
		get_random_bytes(tmp, c);
		if (copy_to_user(buf + done, tmp, c)) {
			r = done ? (long)done : -EFAULT;
			break;
		}
		done += c;
		r = done;
		if (done < len && signal_pending(current))
			break;
	}
	kfree(tmp);
	return r;
}

struct ksysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char _f[4];
};

SYSCALL_DEFINE1(sysinfo, uaddr_t, uinfo)
{
	struct ksysinfo si;
	memset(&si, 0, sizeof(si));
	si.uptime = ktime_boot_ns() / 1000000000;
	uint64_t total, free;
	mem_get_stats(&total, &free);
	si.totalram = total * PAGE_SIZE;
	si.freeram = free * PAGE_SIZE;
	struct task *t;
	for_each_task(t)
		si.procs++;
	si.mem_unit = 1;
	return copy_to_user(uinfo, &si, sizeof(si)) ? -EFAULT : 0;
}

/* A new child subreaper: its existing descendants learn that they have
 * one (forks after this inherit it), as Linux's walk_process_tree. */
static bool descends_from(struct task *t, struct signal_struct *anc)
{
	for (struct task *p = t->parent; p && p->signal; p = p->parent) {
		if (p->signal == anc)
			return true;
		if (p->parent == p)
			break;
	}
	return false;
}

static void mark_has_child_subreaper(struct signal_struct *sig)
{
	struct task *o;
	for_each_task(o)
		if (o->signal && o->signal != sig && o->pid == o->tgid && descends_from(o, sig))
			o->signal->has_child_subreaper = true;
}

SYSCALL_DEFINE5(prctl, int, option, unsigned long, a2, unsigned long, a3, unsigned long, a4, unsigned long, a5)
{
	struct task *t = current;
	switch (option) {
	case PR_SET_NAME: {
		char name[16];
		long n = strncpy_from_user(name, a2, sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		name[15] = 0;
		strlcpy(t->comm, name, sizeof(t->comm));
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user(a2, t->comm, 16) ? -EFAULT : 0;
	case PR_SET_PDEATHSIG:
		/* per thread: sent when this thread's parent thread exits (exit.c) */
		if (a2 > 64)
			return -EINVAL;
		t->pdeath_signal = (int)a2;
		return 0;
	case PR_GET_PDEATHSIG: {
		int sig = t->pdeath_signal;
		return copy_to_user(a2, &sig, sizeof(sig)) ? -EFAULT : 0;
	}
	case PR_SET_CHILD_SUBREAPER:
		t->signal->is_child_subreaper = a2 != 0;
		if (a2)
			mark_has_child_subreaper(t->signal);
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v = t->signal->is_child_subreaper;
		return copy_to_user(a2, &v, sizeof(v)) ? -EFAULT : 0;
	}
	case PR_SET_DUMPABLE:
		if (a2 != 0 && a2 != 1)	/* SUID_DUMP_DISABLE, SUID_DUMP_USER */
			return -EINVAL;
		t->mm->dumpable = (int)a2;
		return 0;
	case PR_GET_DUMPABLE:
		return t->mm->dumpable;
	case PR_GET_SECCOMP:
		return prctl_get_seccomp();
	case PR_SET_SECCOMP:
		return prctl_set_seccomp(a2, a3);
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1 || a3 || a4 || a5)
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return t->no_new_privs;
	case PR_SET_TIMERSLACK:
		t->timer_slack_ns = a2;	/* 0: back to the default */
		return 0;
	case PR_GET_TIMERSLACK:
		return t->timer_slack_ns ? (long)t->timer_slack_ns : 50000;
	case PR_SET_THP_DISABLE:
		if (a3 || a4 || a5)
			return -EINVAL;
		t->mm->thp_disable = a2 != 0;
		return 0;
	case PR_GET_THP_DISABLE:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return t->mm->thp_disable;
	default: {
		/* the capability options (kernel/capability.c) */
		long r = cap_prctl(option, a2, a3, a4, a5);
		return r == -ENOSYS ? -EINVAL : r;
	}
	}
}

/* The execution domain: Linux's only, with its flags (ADDR_NO_RANDOMIZE
 * is the one exec heeds); 0xffffffff asks without changing it. */
SYSCALL_DEFINE1(personality, unsigned, persona)
{
	unsigned old = current->personality;
	if (persona != 0xffffffff)
		current->personality = persona;
	return old;
}

/* Linux's C_A_D: on at boot, so Ctrl-Alt-Del restarts the machine
 * until init takes the key for itself (CAD_OFF) and gets SIGINT. */
static bool cad_reboots = true;

void ctrl_alt_del(void)
{
	if (cad_reboots)
		kernel_stop_async("reboot: Restarting system (Ctrl-Alt-Del)", UMK_EXIT_REBOOT);
	else if (init_task)
		send_sig(SIGINT, init_task);
}

SYSCALL_DEFINE4(reboot, int, magic1, int, magic2, unsigned, cmd, uaddr_t, arg)
{
	(void)arg;
	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (magic1 != (int)LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A && magic2 != LINUX_REBOOT_MAGIC2B &&
	     magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	if (cmd == LINUX_REBOOT_CMD_POWER_OFF || cmd == LINUX_REBOOT_CMD_HALT || cmd == LINUX_REBOOT_CMD_RESTART ||
	    cmd == LINUX_REBOOT_CMD_RESTART2)
		vfs_shutdown();	/* disks written out and clean before the machine goes */
	switch (cmd) {
	case LINUX_REBOOT_CMD_POWER_OFF:
		printk(KERN_NOTICE "reboot: Power down\n");
		arch_halt(0);
	case LINUX_REBOOT_CMD_HALT:
		printk(KERN_NOTICE "reboot: System halted\n");
		arch_halt(0);
	case LINUX_REBOOT_CMD_RESTART:
	case LINUX_REBOOT_CMD_RESTART2:
		printk(KERN_NOTICE "reboot: Restarting system (umk exits with status 3; rerun to boot again)\n");
		arch_halt(3);
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		cad_reboots = cmd == LINUX_REBOOT_CMD_CAD_ON;
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(getrusage, int, who, uaddr_t, uru)
{
	struct task *t = current;
	int64_t ru[18] = { 0 };
	uint64_t u, s;
	if (who == 0 || who == 1) {		/* RUSAGE_SELF, RUSAGE_THREAD */
		u = t->utime_ns;
		s = t->stime_ns;
		ru[14] = t->nvcsw;
		ru[15] = t->nivcsw;
		ru[6] = t->min_flt;
	} else if (who == -1) {			/* RUSAGE_CHILDREN */
		u = t->signal->cutime;
		s = t->signal->cstime;
	} else
		return -EINVAL;
	ru[0] = u / 1000000000;
	ru[1] = u % 1000000000 / 1000;
	ru[2] = s / 1000000000;
	ru[3] = s % 1000000000 / 1000;
	return copy_to_user(uru, ru, sizeof(ru)) ? -EFAULT : 0;
}

SYSCALL_DEFINE1(times, uaddr_t, ubuf)
{
	struct task *t = current;
	if (ubuf) {
		int64_t tms[4] = { (int64_t)t->utime_ns / 10000000, (int64_t)t->stime_ns / 10000000,
				   (int64_t)t->signal->cutime / 10000000, (int64_t)t->signal->cstime / 10000000 };
		if (copy_to_user(ubuf, tms, sizeof(tms)))
			return -EFAULT;
	}
	return ktime_boot_ns() / 10000000;
}
