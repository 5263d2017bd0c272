/* Task allocation, pid numbers and lookup. */
#include <umk/capability.h>
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/proc.h>

LIST_HEAD(task_list);
struct task *init_task;
static pid_t last_pid;
#define RESERVED_PIDS 300
#define PID_MAX_LIMIT (4 * 1024 * 1024)
static int pid_max = 32768;	/* Linux's default below 32 CPUs */

static bool pid_in_use(pid_t pid)
{
	struct task *t;
	for_each_task(t)
		if (t->pid == pid || t->tgid == pid || (t->signal && (t->signal->pgrp == pid || t->signal->session == pid)))
			return true;
	return false;
}

pid_t alloc_pid(void)
{
	for (int tries = 0; tries < pid_max; tries++) {
		pid_t p = last_pid + 1;
		if (p >= pid_max)
			p = RESERVED_PIDS;	/* like Linux, skip low numbers after wrapping */
		last_pid = p;
		if (!pid_in_use(p))
			return p;
	}
	return -EAGAIN;
}

/* kernel.pid_max: new pids stay below it (existing ones keep theirs). */
DEFINE_SYSCTL_INT(pid_max, "kernel/pid_max", pid_max, RESERVED_PIDS + 1, PID_MAX_LIMIT, NULL);

/* kernel.ns_last_pid: the last pid handed out; writing it makes the next
 * fork try the one after (checkpoint/restore tools), below pid_max. */
static int last_pid_show(struct sbuf *o, void *data)
{
	(void)data;
	sbuf_printf(o, "%d\n", last_pid);
	return 0;
}

static int last_pid_write(const char *buf, size_t len, void *data)
{
	(void)data;
	long long v;
	if (sysctl_parse_ints(buf, len, &v, 1) != 1 || v < 0 || v >= pid_max)
		return -EINVAL;
	last_pid = (pid_t)v;
	return 0;
}
DEFINE_PROC_FILE(ns_last_pid, "sys/kernel/ns_last_pid", 0644, last_pid_show, last_pid_write, NULL);

struct task *task_alloc(void)
{
	struct task *t = kzalloc(sizeof(*t));
	INIT_LIST_HEAD(&t->children);
	INIT_LIST_HEAD(&t->sibling);
	INIT_LIST_HEAD(&t->tasks);
	INIT_LIST_HEAD(&t->runq);
	INIT_LIST_HEAD(&t->sigqueue);
	INIT_LIST_HEAD(&t->thread_node);
	INIT_LIST_HEAD(&t->ptraced);
	INIT_LIST_HEAD(&t->ptrace_entry);
	init_waitqueue_head(&t->vfork_wait);
	init_waitqueue_head(&t->ptrace_wait);
	t->exit_signal = 17;	/* SIGCHLD */
	cred_init_root(&t->cred);	/* fork copies the parent's over it */
	t->start_time_ns = ktime_boot_ns();
	return t;
}

void task_hash(struct task *t)
{
	list_add_tail(&t->tasks, &task_list);
}

void task_free(struct task *t)
{
	arch_task_free(t);
	kfree(t);
}

struct task *find_task_by_pid(pid_t pid)
{
	struct task *t;
	if (pid <= 0)
		return NULL;
	for_each_task(t)
		if (t->pid == pid && t->state != TASK_DEAD)
			return t;
	return NULL;
}

struct task *find_task_group_leader(pid_t pid)
{
	struct task *t = find_task_by_pid(pid);
	return t && t->pid == t->tgid ? t : NULL;
}

bool pgrp_exists(pid_t pgrp)
{
	struct task *t;
	for_each_task(t)
		if (t->signal && t->signal->pgrp == pgrp && t->state != TASK_ZOMBIE && t->state != TASK_DEAD)
			return true;
	return false;
}

/* A process group is orphaned when no member has a parent in another
 * group of the same session (POSIX). */
bool is_orphaned_pgrp(pid_t pgrp)
{
	struct task *t;
	for_each_task(t) {
		if (!t->signal || t->signal->pgrp != pgrp || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
			continue;
		struct task *p = t->parent;
		if (p && p->signal && p->signal->pgrp != pgrp && p->signal->session == t->signal->session)
			return false;
	}
	return true;
}
