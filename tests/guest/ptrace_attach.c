/* Attaching to a process that is not the tracer's child: PTRACE_ATTACH
 * (a SIGSTOP stop), PTRACE_SEIZE (none), PTRACE_INTERRUPT and LISTEN,
 * DETACH with a signal, a group stop under a tracer (seen by the tracer
 * and by the real parent), SIGCONT, TracerPid and the state in
 * /proc/PID/status, PTRACE_KILL, PTRACE_O_EXITKILL, a tracer that exits,
 * and a traced child's exit reported to the tracer before the real
 * parent. The tracee's real parent is a helper process that reports what
 * its own waitpid sees through a pipe: only the tracer prints. */
#include "ptrace_t.h"
#include <poll.h>

static int to_parent[2], from_parent[2];
static volatile int usr1;
static void on_usr1(int sig) { (void)sig; usr1++; }

/* The tracee: sleeps; SIGUSR1 makes it answer on fd 1 of a pipe. */
static int answer[2];
static void tracee(void)
{
	signal(SIGUSR1, on_usr1);
	for (;;) {
		pause();
		if (usr1) {
			usr1 = 0;
			if (write(answer[1], "u", 1) != 1)
				_exit(3);
		}
	}
}

/* The real parent: on request forks a tracee (and tells us its pid), or
 * waits for the last one with the options we send and tells us what it
 * saw. */
#define NEW_TRACEE (-1)
static void real_parent(void)
{
	pid_t c = 0;
	int opts;
	close(to_parent[1]);
	close(from_parent[0]);
	while (read(to_parent[0], &opts, sizeof(opts)) == sizeof(opts)) {
		int msg[2] = { 0, 0 };
		if (opts == NEW_TRACEE) {
			c = fork();
			if (c == 0)
				tracee();
			msg[0] = c;
		} else {
			pid_t r = waitpid(c, &msg[1], opts);
			msg[0] = r == c ? 1 : r == 0 ? 0 : -1;
		}
		if (write(from_parent[1], msg, sizeof(msg)) != sizeof(msg))
			_exit(1);
	}
	_exit(0);
}

static int ask_parent(int opts, int *st)
{
	int msg[2];
	if (write(to_parent[1], &opts, sizeof(opts)) != sizeof(opts) || read(from_parent[0], msg, sizeof(msg)) != sizeof(msg))
		DIE("real parent");
	*st = msg[1];
	return msg[0];
}

/* Ask the real parent to wait with opts, print what it saw. */
static void parent_waits(const char *label, int opts)
{
	int st, r = ask_parent(opts, &st);
	printf("real parent, %s: %s\n", label, r == 1 ? t_status(st) : r == 0 ? "nothing yet" : "error");
}

static void show_proc(const char *label, pid_t p)
{
	char path[64], line[128], state[128] = "?";
	int tracer = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", p);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "TracerPid: %d", &tracer);
		if (!strncmp(line, "State:", 6)) {
			char *s = line + 6;
			while (*s == ' ' || *s == '\t')
				s++;
			s[strcspn(s, "\n")] = 0;
			snprintf(state, sizeof(state), "%s", s);
		}
	}
	if (f)
		fclose(f);
	printf("%s: State %s, TracerPid %s\n", label, state, tracer == getpid() ? "us" : tracer == 0 ? "0" : "other");
}

/* The tracee answers a SIGUSR1 (proves it runs). */
static void poke_tracee(pid_t c, const char *label)
{
	kill(c, SIGUSR1);
	char x;
	printf("%s: tracee answered %d\n", label, read(answer[0], &x, 1) == 1);
}

static void wait_state(pid_t c, const char *want)
{
	/* until the tracee sleeps (in pause) or is stopped again */
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", c);
	for (int i = 0; i < 2000; i++) {
		FILE *f = fopen(path, "r");
		int found = 0;
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "State:", 6) && strchr(" \t", line[6]) && strstr(line + 7, want) == line + 7)
				found = 1;
		if (f)
			fclose(f);
		if (found)
			return;
		usleep(1000);
	}
}

int main(void)
{
	alarm(30);
	if (pipe(to_parent) || pipe(from_parent) || pipe(answer))
		DIE("pipe");
	fflush(stdout);
	pid_t p = fork();
	if (p == 0)
		real_parent();
	int st;
	pid_t c = ask_parent(NEW_TRACEE, &st);
	wait_state(c, "S");

	printf("--- PTRACE_ATTACH\n");
	CHECK_OK("ATTACH", ptrace(PTRACE_ATTACH, c, 0, 0));
	t_wait_show("tracee", c);
	siginfo_t si;
	ptrace(PTRACE_GETSIGINFO, c, 0, &si);
	printf("its SIGSTOP: code %s\n", si.si_code == SI_KERNEL ? "SI_KERNEL" : si.si_code == SI_USER ? "SI_USER" : "other");
	show_proc("attached", c);
	parent_waits("WNOHANG|WUNTRACED", WNOHANG | WUNTRACED);
	CHECK_OK("DETACH", ptrace(PTRACE_DETACH, c, 0, 0));
	wait_state(c, "S");
	show_proc("detached", c);
	poke_tracee(c, "detached");

	printf("--- PTRACE_SEIZE, INTERRUPT\n");
	CHECK_OK("SEIZE", ptrace(PTRACE_SEIZE, c, 0, 0));
	CHECK("no stop", waitpid(c, NULL, __WALL | WNOHANG) == 0);
	wait_state(c, "S");
	show_proc("seized", c);
	CHECK_OK("INTERRUPT", ptrace(PTRACE_INTERRUPT, c, 0, 0));
	t_wait_show("tracee", c);
	ptrace(PTRACE_GETSIGINFO, c, 0, &si);
	printf("its siginfo: SIG%s code %#x\n", sigabbrev_np(si.si_signo), si.si_code);
	ptrace(PTRACE_CONT, c, 0, 0);
	/* a real signal: a signal-delivery stop, then delivered */
	kill(c, SIGUSR1);
	t_wait_show("tracee", c);
	CHECK_OK("CONT with SIGUSR1", ptrace(PTRACE_CONT, c, 0, SIGUSR1));
	char x;
	printf("SIGUSR1 passed on: tracee answered %d\n", read(answer[0], &x, 1) == 1);
	/* a signal the tracer suppresses */
	kill(c, SIGUSR1);
	t_wait_show("tracee", c);
	ptrace(PTRACE_CONT, c, 0, 0);
	wait_state(c, "S");
	struct pollfd pf = { answer[0], POLLIN, 0 };
	printf("suppressed SIGUSR1: tracee answered %d\n", poll(&pf, 1, 0) == 1);

	printf("--- group stop under a seizing tracer\n");
	kill(c, SIGSTOP);
	t_wait_show("tracee", c);
	ptrace(PTRACE_CONT, c, 0, SIGSTOP);
	t_wait_show("tracee", c);
	parent_waits("WUNTRACED", WUNTRACED);
	show_proc("group-stopped", c);
	CHECK_OK("LISTEN", ptrace(PTRACE_LISTEN, c, 0, 0));
	CHECK("listening: nothing for wait", waitpid(c, NULL, __WALL | WNOHANG) == 0);
	errno = 0;
	CHECK_ERR("listening: GETREGS", ptrace(PTRACE_GETREGS, c, 0, &si), ESRCH);
	kill(c, SIGCONT);
	t_wait_show("tracee after SIGCONT", c);
	parent_waits("WCONTINUED", WCONTINUED);
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("tracee", c);
	ptrace(PTRACE_CONT, c, 0, SIGCONT);
	wait_state(c, "S");
	show_proc("running again", c);

	printf("--- DETACH with a signal\n");
	/* from a STOP event: the signal is not delivered */
	CHECK_OK("INTERRUPT", ptrace(PTRACE_INTERRUPT, c, 0, 0));
	t_wait_show("tracee", c);
	CHECK_OK("DETACH with SIGUSR1", ptrace(PTRACE_DETACH, c, 0, SIGUSR1));
	wait_state(c, "S");
	printf("from a STOP event: tracee answered %d\n", poll(&pf, 1, 0) == 1);
	/* from a signal-delivery stop: it is */
	CHECK_OK("SEIZE", ptrace(PTRACE_SEIZE, c, 0, 0));
	kill(c, SIGUSR2);
	t_wait_show("tracee", c);
	CHECK_OK("DETACH with SIGUSR1", ptrace(PTRACE_DETACH, c, 0, SIGUSR1));
	printf("from a signal-delivery stop: tracee answered %d\n", read(answer[0], &x, 1) == 1);
	wait_state(c, "S");
	show_proc("detached", c);

	printf("--- a tracer that exits\n");
	for (int exitkill = 0; exitkill < 2; exitkill++) {
		fflush(stdout);
		pid_t helper = fork();
		if (helper == 0) {
			if (ptrace(PTRACE_SEIZE, c, 0, exitkill ? PTRACE_O_EXITKILL : 0))
				_exit(1);
			_exit(0);
		}
		waitpid(helper, &st, 0);
		printf("helper tracer (%s): %s\n", exitkill ? "EXITKILL" : "no options", t_status(st));
		if (!exitkill) {
			wait_state(c, "S");
			show_proc("after its tracer exited", c);
			poke_tracee(c, "after its tracer exited");
		} else {
			parent_waits("blocking", 0);
		}
	}

	printf("--- exit of a traced child: the tracer hears first\n");
	c = ask_parent(NEW_TRACEE, &st);
	wait_state(c, "S");
	CHECK_OK("SEIZE", ptrace(PTRACE_SEIZE, c, 0, 0));
	kill(c, SIGTERM);
	t_wait_show("tracee", c);
	ptrace(PTRACE_CONT, c, 0, SIGTERM);
	wait_state(c, "Z");
	parent_waits("WNOHANG", WNOHANG);
	t_wait_show("tracee", c);
	parent_waits("blocking", 0);
	close(to_parent[1]);
	waitpid(p, &st, 0);
	printf("real parent: %s\n", t_status(st));
	return t_done();
}
