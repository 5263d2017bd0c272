/* seccomp: a task filtering its own system calls (seccomp(2),
 * prctl(PR_SET_SECCOMP)), as Linux's kernel/seccomp.c. Strict mode lets
 * only read, write, exit and rt_sigreturn through; filter mode runs the
 * task's stack of classic BPF programs over struct seccomp_data at every
 * syscall entry and takes the most restrictive action. Filters are
 * shared by reference with the children and threads that inherit them
 * and are kept across execve. The syscall path costs one test
 * (task->seccomp_mode) for a task without any. */
#ifndef UMK_SECCOMP_H
#define UMK_SECCOMP_H
#include <umk/types.h>
#include <linux/filter.h>

struct task;

struct seccomp_listener;

struct seccomp_filter {
	int refs;			/* tasks, newer filters, a listener */
	int users;			/* tasks and newer filters only: 0 is POLLHUP for the listener */
	bool log;			/* SECCOMP_FILTER_FLAG_LOG */
	struct seccomp_listener *notif;	/* NEW_LISTENER's, while its fd is open */
	struct seccomp_filter *prev;	/* the filter installed before: runs too */
	unsigned len;
	struct sock_filter insns[];
};

/* task->seccomp_mode: Linux's SECCOMP_MODE_*; DEAD once a kill action
 * fired (any further call ends the thread with SIGKILL) */
#define SECCOMP_MODE_DEAD_ 3

/* At syscall entry, after the tracer's entry stop: false to run the
 * call (its number and arguments may have been changed by a tracer at a
 * PTRACE_EVENT_SECCOMP stop), true to skip it with the return value
 * already in regs->rax (or a signal queued, or the task gone). compat:
 * the entry was int $0x80 (AUDIT_ARCH_I386 and the i386 numbers). */
bool __secure_computing(struct task *t, bool compat);

/* kernel/seccomp_notify.c: SECCOMP_RET_USER_NOTIF for current (true:
 * skip the call, rax set), a new listener fd for f, a wakeup for its
 * poll (the filter lost its last user) */
struct seccomp_data;
bool seccomp_do_user_notification(struct task *t, struct seccomp_filter *match, const struct seccomp_data *sd);
int seccomp_new_listener(struct seccomp_filter *f);
void seccomp_listener_wake(struct seccomp_listener *l);
void seccomp_filter_put(struct seccomp_filter *f);

/* fork/clone: the child shares the parent's filters */
void seccomp_fork(struct task *child, const struct task *parent);
/* the task is freed: drop its reference */
void seccomp_task_free(struct task *t);
/* prctl(PR_GET_SECCOMP) / prctl(PR_SET_SECCOMP, mode, filter) */
long prctl_get_seccomp(void);
long prctl_set_seccomp(unsigned long mode, uaddr_t filter);
/* /proc/sys/kernel/seccomp/actions_logged: is action (SECCOMP_RET_*) reported? */
bool seccomp_action_logged(uint32_t action);
#endif
