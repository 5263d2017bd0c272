/* Scheduler-facing syscalls for a machine with one virtual CPU: affinity,
 * policies, priorities, getcpu, membarrier. */
#include <umk/capability.h>
#include <umk/internal.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/sched.h>
#include <linux/resource.h>

#define SCHED_OTHER SCHED_NORMAL	/* the uapi header names it NORMAL */

static struct task *task_or_current(pid_t pid)
{
	if (pid < 0)
		return NULL;
	return pid ? find_task_by_pid(pid) : current;
}

SYSCALL_DEFINE3(sched_getaffinity, pid_t, pid, unsigned, len, uaddr_t, umask)
{
	if (!task_or_current(pid))
		return -ESRCH;
	if (len < 8 || (len & 7))
		return -EINVAL;
	uint64_t mask = 1;	/* CPU 0 only */
	if (copy_to_user(umask, &mask, 8))
		return -EFAULT;
	return 8;
}

SYSCALL_DEFINE3(sched_setaffinity, pid_t, pid, unsigned, len, uaddr_t, umask)
{
	if (!task_or_current(pid))
		return -ESRCH;
	uint64_t mask = 0;
	if (copy_from_user(&mask, umask, MIN(len, 8U)))
		return -EFAULT;
	return (mask & 1) ? 0 : -EINVAL;
}

SYSCALL_DEFINE3(getcpu, uaddr_t, ucpu, uaddr_t, unode, uaddr_t, cache)
{
	(void)cache;
	unsigned zero = 0;
	if ((ucpu && copy_to_user(ucpu, &zero, 4)) || (unode && copy_to_user(unode, &zero, 4)))
		return -EFAULT;
	return 0;
}

/* ---- policies (kernel/sched.c runs them) ---- */

#define SCHED_DEADLINE_POLICY 6
#define SETPARAM_POLICY -1
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_ATTR_SIZE_VER1 56

struct sched_attr_k {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};
_Static_assert(sizeof(struct sched_attr_k) == SCHED_ATTR_SIZE_VER1, "sched_attr");

static bool fair_policy(int p)
{
	return p == SCHED_NORMAL_POLICY || p == SCHED_BATCH_POLICY || p == SCHED_IDLE_POLICY;
}

static bool valid_policy(int p)
{
	return fair_policy(p) || RT_POLICY(p) || p == SCHED_DEADLINE_POLICY;
}

static bool root(void)
{
	return capable(CAP_SYS_NICE);
}

/* Linux's check_same_owner */
static bool same_owner(struct task *p)
{
	return current->cred.euid == p->cred.euid || current->cred.euid == p->cred.uid;
}

/* May p's nice go down to nice (RLIMIT_NICE)? */
static bool can_nice(struct task *p, int nice)
{
	return (uint64_t)(20 - nice) <= p->signal->rlim[RLIMIT_NICE].cur || root();
}

static bool dl_params_ok(const struct sched_attr_k *a)
{
	if (!a->deadline || a->runtime < (1 << 10) || a->deadline < a->runtime)
		return false;
	if ((a->deadline | a->period) & (1ull << 63))
		return false;
	return !a->period || a->period >= a->deadline;
}

/* Linux's __sched_setscheduler, in its order of checks. */
static long set_sched(struct task *p, int policy, const struct sched_attr_k *a)
{
	bool reset;
	if (policy < 0) {
		reset = p->sched_reset_on_fork;
		policy = p->policy;
	} else {
		reset = a->flags & SCHED_FLAG_RESET_ON_FORK;
		if (!valid_policy(policy))
			return -EINVAL;
	}
	if (a->flags & ~(uint64_t)SCHED_FLAG_ALL)
		return -EINVAL;
	if (a->priority > 99)
		return -EINVAL;
	if ((policy == SCHED_DEADLINE_POLICY && !dl_params_ok(a)) ||
	    (RT_POLICY(policy) != (a->priority != 0)))
		return -EINVAL;
	if (!root()) {
		if (fair_policy(policy) && a->nice < p->nice && !can_nice(p, a->nice))
			return -EPERM;
		if (RT_POLICY(policy)) {
			uint64_t lim = p->signal->rlim[RLIMIT_RTPRIO].cur;
			if (policy != p->policy && !lim)
				return -EPERM;
			if (a->priority > (uint32_t)p->rt_priority && a->priority > lim)
				return -EPERM;
		}
		if (policy == SCHED_DEADLINE_POLICY)
			return -EPERM;
		if (p->policy == SCHED_IDLE_POLICY && policy != SCHED_IDLE_POLICY && !can_nice(p, p->nice))
			return -EPERM;
		if (!same_owner(p))
			return -EPERM;
		if (p->sched_reset_on_fork && !reset)
			return -EPERM;
	}
	if (a->flags & SCHED_FLAG_UTIL_CLAMP)
		return -EOPNOTSUPP;	/* no utilization clamping (CONFIG_UCLAMP_TASK) */
	if (policy == SCHED_DEADLINE_POLICY)
		return -EBUSY;		/* no deadline class: admission fails */
	p->policy = policy;
	p->rt_priority = RT_POLICY(policy) ? (int)a->priority : 0;
	if (fair_policy(policy) && !(a->flags & SCHED_FLAG_KEEP_PARAMS))
		p->nice = a->nice;
	p->sched_reset_on_fork = reset;
	sched_policy_changed(p);
	return 0;
}

static long setscheduler_common(pid_t pid, int policy, uaddr_t uparam)
{
	int prio;
	if (!uparam || pid < 0)
		return -EINVAL;
	if (copy_from_user(&prio, uparam, 4))
		return -EFAULT;
	struct task *p = task_or_current(pid);
	if (!p)
		return -ESRCH;
	struct sched_attr_k a = { .priority = (uint32_t)prio, .nice = p->nice };
	if (policy >= 0 && (policy & SCHED_RESET_ON_FORK)) {
		a.flags |= SCHED_FLAG_RESET_ON_FORK;
		policy &= ~SCHED_RESET_ON_FORK;
	}
	return set_sched(p, policy, &a);
}

SYSCALL_DEFINE3(sched_setscheduler, pid_t, pid, int, policy, uaddr_t, uparam)
{
	if (policy < 0)
		return -EINVAL;
	return setscheduler_common(pid, policy, uparam);
}

SYSCALL_DEFINE2(sched_setparam, pid_t, pid, uaddr_t, uparam)
{
	return setscheduler_common(pid, SETPARAM_POLICY, uparam);
}

SYSCALL_DEFINE1(sched_getscheduler, pid_t, pid)
{
	if (pid < 0)
		return -EINVAL;
	struct task *p = task_or_current(pid);
	if (!p)
		return -ESRCH;
	return p->policy | (p->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

SYSCALL_DEFINE2(sched_getparam, pid_t, pid, uaddr_t, uparam)
{
	if (!uparam || pid < 0)
		return -EINVAL;
	struct task *p = task_or_current(pid);
	if (!p)
		return -ESRCH;
	int prio = RT_POLICY(p->policy) ? p->rt_priority : 0;
	return copy_to_user(uparam, &prio, 4) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(sched_setattr, pid_t, pid, uaddr_t, uattr, unsigned, flags)
{
	if (!uattr || pid < 0 || flags)
		return -EINVAL;
	uint32_t size;
	if (copy_from_user(&size, uattr, 4))
		return -EFAULT;
	if (!size)
		size = SCHED_ATTR_SIZE_VER0;
	struct sched_attr_k a = { 0 };
	bool too_big = size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE;
	if (!too_big) {
		if (copy_from_user(&a, uattr, MIN(size, (uint32_t)sizeof(a))))
			return -EFAULT;
		/* a newer caller's extra bytes must be zero (copy_struct_from_user) */
		for (uint32_t off = sizeof(a); off < size && !too_big; off++) {
			uint8_t b;
			if (copy_from_user(&b, uattr + off, 1))
				return -EFAULT;
			too_big = b != 0;
		}
	}
	if (too_big) {
		uint32_t want = sizeof(a);
		copy_to_user(uattr, &want, 4);
		return -E2BIG;
	}
	if ((a.flags & SCHED_FLAG_UTIL_CLAMP) && size < SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	a.nice = a.nice < -20 ? -20 : a.nice > 19 ? 19 : a.nice;
	if ((int32_t)a.policy < 0)
		return -EINVAL;
	int policy = (a.flags & SCHED_FLAG_KEEP_POLICY) ? SETPARAM_POLICY : (int)a.policy;
	struct task *p = task_or_current(pid);
	if (!p)
		return -ESRCH;
	if (a.flags & SCHED_FLAG_KEEP_PARAMS) {
		a.nice = p->nice;
		a.priority = RT_POLICY(p->policy) ? p->rt_priority : 0;
	}
	return set_sched(p, policy, &a);
}

SYSCALL_DEFINE4(sched_getattr, pid_t, pid, uaddr_t, uattr, unsigned, usize, unsigned, flags)
{
	if (!uattr || pid < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 || flags)
		return -EINVAL;
	struct task *p = task_or_current(pid);
	if (!p)
		return -ESRCH;
	struct sched_attr_k a = { .policy = (uint32_t)p->policy };
	if (p->sched_reset_on_fork)
		a.flags |= SCHED_FLAG_RESET_ON_FORK;
	if (RT_POLICY(p->policy))
		a.priority = (uint32_t)p->rt_priority;
	else
		a.nice = p->nice;
	a.size = MIN(usize, (unsigned)sizeof(a));
	return copy_to_user(uattr, &a, a.size) ? -EFAULT : 0;
}

SYSCALL_DEFINE1(sched_get_priority_max, int, policy)
{
	return (policy == SCHED_FIFO || policy == SCHED_RR) ? 99 :
	       (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE) ? 0 : -EINVAL;
}

SYSCALL_DEFINE1(sched_get_priority_min, int, policy)
{
	return (policy == SCHED_FIFO || policy == SCHED_RR) ? 1 :
	       (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE) ? 0 : -EINVAL;
}

SYSCALL_DEFINE2(sched_rr_get_interval, pid_t, pid, uaddr_t, uts)
{
	if (pid < 0)
		return -EINVAL;
	if (!task_or_current(pid))
		return -ESRCH;
	struct task *p = task_or_current(pid);
	/* RR: its 100 ms turn; FIFO: none; others: CFS's 10 ms slice */
	int64_t ts[2] = { 0, p->policy == SCHED_RR_POLICY ? 100000000 : p->policy == SCHED_FIFO_POLICY ? 0 : 10000000 };
	return copy_to_user(uts, ts, sizeof(ts)) ? -EFAULT : 0;
}

/* getpriority/setpriority: nice values, which weigh in CFS (sched.c).
 * PRIO_PROCESS names a thread, PRIO_PGRP a process group, PRIO_USER a
 * user (who 0: the caller's). */
static bool prio_match(struct task *t, int which, int who)
{
	if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD || !t->signal)
		return false;
	switch (which) {
	case PRIO_PROCESS: return t->pid == (who ? who : current->pid);
	case PRIO_PGRP: return t->signal->pgrp == (who ? who : current->signal->pgrp);
	default: return t->cred.uid == (uid_t)(who ? who : (int)current->cred.uid);
	}
}

SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	long best = -ESRCH;
	struct task *t;
	for_each_task(t)
		if (prio_match(t, which, who) && 20 - t->nice > best)
			best = 20 - t->nice;
	return best;
}

SYSCALL_DEFINE3(setpriority, int, which, int, who, int, niceval)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	niceval = niceval < -20 ? -20 : niceval > 19 ? 19 : niceval;
	long err = -ESRCH;
	struct task *t;
	for_each_task(t) {
		if (!prio_match(t, which, who))
			continue;
		const struct cred *c = &current->cred;
		if (t->cred.uid != c->euid && t->cred.euid != c->euid && !root())
			err = -EPERM;
		else if (niceval < t->nice && !can_nice(t, niceval))
			err = -EACCES;
		else {
			if (err == -ESRCH)
				err = 0;
			t->nice = niceval;
			sched_policy_changed(t);
		}
	}
	return err;
}
