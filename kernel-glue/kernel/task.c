/* Task allocation, pid numbers and lookup. */
#include <umk/internal.h>
#include <umk/arch.h>

LIST_HEAD(task_list);
struct task *init_task;
static pid_t last_pid;
#define PID_MAX 32768

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
	for (int tries = 0; tries < PID_MAX; tries++) {
		pid_t p = last_pid + 1;
		if (p >= PID_MAX)
			p = 300;	/* like Linux, skip low numbers after wrapping */
		last_pid = p;
		if (!pid_in_use(p))
			return p;
	}
	return -EAGAIN;
}

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
