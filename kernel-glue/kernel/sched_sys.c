/* Scheduler-facing syscalls for a machine with one virtual CPU: affinity,
 * policies, priorities, getcpu, membarrier. */
#include <umk/internal.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/sched.h>

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

SYSCALL_DEFINE1(sched_getscheduler, pid_t, pid)
{
	return task_or_current(pid) ? SCHED_OTHER : (pid < 0 ? -EINVAL : -ESRCH);
}

SYSCALL_DEFINE3(sched_setscheduler, pid_t, pid, int, policy, uaddr_t, uparam)
{
	int prio;
	if (pid < 0 || !uparam)
		return -EINVAL;
	if (!task_or_current(pid))
		return -ESRCH;
	if (copy_from_user(&prio, uparam, 4))
		return -EFAULT;
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE:
		return prio == 0 ? 0 : -EINVAL;
	case SCHED_FIFO: case SCHED_RR:
		if (prio < 1 || prio > 99)
			return -EINVAL;
		return current->cred.euid ? -EPERM : 0;	/* accepted, not honoured */
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(sched_getparam, pid_t, pid, uaddr_t, uparam)
{
	if (pid < 0 || !uparam)
		return -EINVAL;
	if (!task_or_current(pid))
		return -ESRCH;
	int zero = 0;
	return copy_to_user(uparam, &zero, 4) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(sched_setparam, pid_t, pid, uaddr_t, uparam)
{
	if (pid < 0 || !uparam)
		return -EINVAL;
	if (!task_or_current(pid))
		return -ESRCH;
	int prio;
	if (copy_from_user(&prio, uparam, 4))
		return -EFAULT;
	return prio == 0 ? 0 : -EINVAL;
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
	int64_t ts[2] = { 0, 10000000 };	/* the 10 ms slice */
	return copy_to_user(uts, ts, sizeof(ts)) ? -EFAULT : 0;
}

/* Nice values are kept but do not weigh in the round-robin scheduler. */
SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	if (which < 0 || which > 2)
		return -EINVAL;
	if (which == 0 && !task_or_current(who))
		return -ESRCH;
	return 20 - current->nice;
}

SYSCALL_DEFINE3(setpriority, int, which, int, who, int, niceval)
{
	if (which < 0 || which > 2)
		return -EINVAL;
	struct task *t = which == 0 ? task_or_current(who) : current;
	if (!t)
		return -ESRCH;
	niceval = niceval < -20 ? -20 : niceval > 19 ? 19 : niceval;
	if (niceval < t->nice && current->cred.euid != 0)
		return -EACCES;
	t->nice = niceval;
	return 0;
}

/* One CPU: every barrier is already complete when the call is made. */
SYSCALL_DEFINE3(membarrier, int, cmd, unsigned, flags, int, cpu_id)
{
	(void)cpu_id;
	if (flags & ~1U)
		return -EINVAL;
	switch (cmd) {
	case 0:		/* MEMBARRIER_CMD_QUERY */
		return 1 | 8 | 16 | 32 | 64;	/* GLOBAL, PRIVATE_EXPEDITED (+REGISTER), SYNC_CORE */
	case 1: case 8: case 16: case 32: case 64: case 2: case 4:
		return 0;
	default:
		return -EINVAL;
	}
}
