/* Helpers for the ptrace tests (tests/guest/ptrace_*.c): waiting for a
 * tracee and describing what wait reported, without pids or addresses. */
#ifndef UMK_GUEST_PTRACE_T_H
#define UMK_GUEST_PTRACE_T_H
#include "t.h"
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/user.h>
#include <sys/syscall.h>

#ifndef PTRACE_EVENTMSG_SYSCALL_ENTRY
#define PTRACE_EVENTMSG_SYSCALL_ENTRY 1
#define PTRACE_EVENTMSG_SYSCALL_EXIT 2
#endif

static const char *t_event_name(int ev)
{
	switch (ev) {
	case PTRACE_EVENT_FORK: return "FORK";
	case PTRACE_EVENT_VFORK: return "VFORK";
	case PTRACE_EVENT_CLONE: return "CLONE";
	case PTRACE_EVENT_EXEC: return "EXEC";
	case PTRACE_EVENT_VFORK_DONE: return "VFORK_DONE";
	case PTRACE_EVENT_EXIT: return "EXIT";
	case PTRACE_EVENT_STOP: return "STOP";
	default: return "?";
	}
}

/* "exited 3", "killed SIGKILL", "stopped SIGSTOP", "syscall-stop",
 * "event FORK", "event STOP SIGTRAP", "continued" */
__attribute__((unused)) static const char *t_status(int st)
{
	static char buf[64];
	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "killed SIG%s", sigabbrev_np(WTERMSIG(st)));
	else if (WIFCONTINUED(st))
		snprintf(buf, sizeof(buf), "continued");
	else if (WIFSTOPPED(st) && WSTOPSIG(st) == (SIGTRAP | 0x80))
		snprintf(buf, sizeof(buf), "syscall-stop");
	else if (WIFSTOPPED(st) && (st >> 16) == PTRACE_EVENT_STOP)
		snprintf(buf, sizeof(buf), "event STOP SIG%s", sigabbrev_np(WSTOPSIG(st)));
	else if (WIFSTOPPED(st) && (st >> 16))
		snprintf(buf, sizeof(buf), "event %s", t_event_name(st >> 16));
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof(buf), "stopped SIG%s", sigabbrev_np(WSTOPSIG(st)));
	else
		snprintf(buf, sizeof(buf), "status %#x", st);
	return buf;
}

/* waitpid(pid, __WALL) through EINTR; the pid, or -1 */
__attribute__((unused)) static pid_t t_wait(pid_t pid, int *st)
{
	pid_t r;
	do
		r = waitpid(pid, st, __WALL);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Wait for pid and print "label: <status>". */
__attribute__((unused)) static int t_wait_show(const char *label, pid_t pid)
{
	int st = 0;
	pid_t r = t_wait(pid, &st);
	if (r != pid)
		printf("%s: wait returned %s\n", label, r < 0 ? strerror(errno) : "another pid");
	else
		printf("%s: %s\n", label, t_status(st));
	return st;
}
#endif
