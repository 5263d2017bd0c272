/* Following forks and execs: PTRACE_O_TRACEFORK, TRACEVFORK, TRACECLONE,
 * TRACEEXEC, TRACEEXIT and TRACEVFORKDONE stops with their event
 * messages; auto-attached children start with SIGSTOP (attached) or a
 * STOP event (seized); the legacy SIGTRAP after exec; an exec from a
 * thread (the old tid in the message, the leader's pid after); the real
 * parent reaps a traced child after the tracer did. The tracer waits for
 * each pid in turn (never wait(-1)), and only it prints, so the output
 * does not depend on scheduling. */
#include "ptrace_t.h"
#include <pthread.h>

static pid_t tracer;

/* Is p traced by the tracer, from its /proc status */
static int traced_by_tracer(pid_t p)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", p);
	FILE *f = fopen(path, "r");
	int tp = -1;
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "TracerPid: %d", &tp);
	if (f)
		fclose(f);
	return tp == tracer;
}

static void *thread_fn(void *arg)
{
	(void)arg;
	return NULL;
}

static char *self_exe(void)
{
	static char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/* The traced child: each step gives the tracer an event; what it sees
 * itself goes into its exit status (bits). */
static void child_a(void)
{
	static int bad;	/* static: vfork may clobber locals */
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(90);
	raise(SIGSTOP);
	pid_t g1 = fork();
	if (g1 == 0)
		_exit(3);
	int st;
	/* the tracer reaps g1 first; then it is ours to reap */
	if (waitpid(g1, &st, 0) != g1 || !WIFEXITED(st) || WEXITSTATUS(st) != 3)
		bad |= 1;
	pid_t g2 = vfork();
	if (g2 == 0) {
		execl(self_exe(), "ptrace_fork", "exec-target", "0", (char *)NULL);
		_exit(127);
	}
	if (waitpid(g2, &st, 0) != g2 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		bad |= 2;
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fn, NULL) || pthread_join(th, NULL))
		bad |= 4;
	if (bad)
		_exit(bad);
	execl(self_exe(), "ptrace_fork", "exec-target", "5", (char *)NULL);
	_exit(126);
}

static unsigned long msg_of(pid_t p)
{
	unsigned long m = 0;
	ptrace(PTRACE_GETEVENTMSG, p, 0, &m);
	return m;
}

static void part_a(void)
{
	printf("--- attached (TRACEME), every event\n");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		child_a();
	t_wait_show("child", c);
	CHECK_OK("SETOPTIONS", ptrace(PTRACE_SETOPTIONS, c, 0,
				      PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
					      PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACEVFORKDONE));
	ptrace(PTRACE_CONT, c, 0, 0);

	t_wait_show("child", c);
	pid_t g1 = (pid_t)msg_of(c);
	CHECK("fork message: a new pid", g1 > 0 && g1 != c);
	t_wait_show("grandchild 1", g1);
	siginfo_t si;
	ptrace(PTRACE_GETSIGINFO, g1, 0, &si);
	printf("its SIGSTOP: code %s, pid %d\n", si.si_code == SI_USER ? "SI_USER" : "other", si.si_pid);
	CHECK("grandchild 1 traced by us (TracerPid)", traced_by_tracer(g1));
	ptrace(PTRACE_CONT, g1, 0, 0);
	t_wait_show("grandchild 1", g1);
	printf("exit message: %#lx\n", msg_of(g1));
	ptrace(PTRACE_CONT, g1, 0, 0);
	t_wait_show("grandchild 1", g1);
	/* reaped by us: its parent hears now (SIGCHLD, which we pass on) */
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("child", c);
	ptrace(PTRACE_CONT, c, 0, SIGCHLD);

	t_wait_show("child", c);
	pid_t g2 = (pid_t)msg_of(c);
	CHECK("vfork message: a new pid", g2 > 0 && g2 != c && g2 != g1);
	t_wait_show("grandchild 2", g2);
	ptrace(PTRACE_CONT, g2, 0, 0);
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("grandchild 2", g2);
	CHECK("exec message: its own pid", msg_of(g2) == (unsigned long)g2);
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, g2, 0, &r);
	printf("at the exec stop: orig_rax is execve %d, rax %lld\n", r.orig_rax == SYS_execve, (long long)r.rax);
	ptrace(PTRACE_CONT, g2, 0, 0);
	t_wait_show("child", c);
	CHECK("vfork-done message: the child", msg_of(c) == (unsigned long)g2);
	t_wait_show("grandchild 2", g2);
	printf("exit message: %#lx\n", msg_of(g2));
	ptrace(PTRACE_CONT, g2, 0, 0);
	t_wait_show("grandchild 2", g2);
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("child", c);
	ptrace(PTRACE_CONT, c, 0, SIGCHLD);

	t_wait_show("child", c);
	pid_t th = (pid_t)msg_of(c);
	CHECK("clone message: a new tid", th > 0 && th != c);
	t_wait_show("thread", th);
	/* a tracee is waited for whatever it reports with (no __WALL) */
	CHECK("the thread without __WALL: nothing new", waitpid(th, NULL, WNOHANG) == 0);
	ptrace(PTRACE_CONT, th, 0, 0);
	t_wait_show("thread", th);
	printf("exit message: %#lx\n", msg_of(th));
	ptrace(PTRACE_CONT, th, 0, 0);
	t_wait_show("thread", th);
	ptrace(PTRACE_CONT, c, 0, 0);

	t_wait_show("child", c);
	CHECK("exec message: its own pid", msg_of(c) == (unsigned long)c);
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("child", c);
	printf("exit message: %#lx\n", msg_of(c));
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("child", c);
}

/* Seized: children start with a STOP event, not SIGSTOP. */
static void part_b(void)
{
	printf("--- seized, FORK only\n");
	fflush(stdout);
	int go[2];
	if (pipe(go))
		DIE("pipe");
	pid_t c = fork();
	if (c == 0) {
		char x;
		if (read(go[0], &x, 1) != 1)
			_exit(91);
		pid_t g = fork();
		if (g == 0)
			_exit(7);
		int st;
		_exit(waitpid(g, &st, 0) == g && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : 1);
	}
	CHECK_OK("SEIZE with TRACEFORK", ptrace(PTRACE_SEIZE, c, 0, PTRACE_O_TRACEFORK));
	if (write(go[1], "x", 1) != 1)
		DIE("write");
	t_wait_show("child", c);
	pid_t g = (pid_t)msg_of(c);
	t_wait_show("grandchild", g);
	siginfo_t si;
	ptrace(PTRACE_GETSIGINFO, g, 0, &si);
	printf("its siginfo: SIG%s code %#x\n", sigabbrev_np(si.si_signo), si.si_code);
	ptrace(PTRACE_CONT, g, 0, 0);
	t_wait_show("grandchild", g);
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("child", c);
	ptrace(PTRACE_CONT, c, 0, SIGCHLD);
	t_wait_show("child", c);
}

/* Attached without TRACEEXEC: a plain SIGTRAP after the exec. */
static void part_c(void)
{
	printf("--- attached, no TRACEEXEC\n");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execl(self_exe(), "ptrace_fork", "exec-target", "4", (char *)NULL);
		_exit(126);
	}
	t_wait_show("child after exec", c);
	siginfo_t si;
	ptrace(PTRACE_GETSIGINFO, c, 0, &si);
	printf("its siginfo: code %s, from itself %d\n", si.si_code == SI_USER ? "SI_USER" : "other", si.si_pid == c);
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("child", c);
}

static void *exec_thread(void *arg)
{
	(void)arg;
	execl(self_exe(), "ptrace_fork", "exec-target", "6", (char *)NULL);
	return NULL;
}

/* exec from a thread: the leader stops at its exit, the thread takes the
 * leader's pid, the exec message is its old tid. */
static void part_d(void)
{
	printf("--- exec from a thread (seized: CLONE, EXEC, EXIT)\n");
	fflush(stdout);
	int go[2];
	if (pipe(go))
		DIE("pipe");
	pid_t c = fork();
	if (c == 0) {
		char x;
		if (read(go[0], &x, 1) != 1)
			_exit(91);
		pthread_t th;
		pthread_create(&th, NULL, exec_thread, NULL);
		for (;;)
			pause();
	}
	CHECK_OK("SEIZE", ptrace(PTRACE_SEIZE, c, 0, PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT));
	if (write(go[1], "x", 1) != 1)
		DIE("write");
	t_wait_show("leader", c);
	pid_t th = (pid_t)msg_of(c);
	t_wait_show("thread", th);
	ptrace(PTRACE_CONT, th, 0, 0);
	ptrace(PTRACE_CONT, c, 0, 0);
	/* the exec kills the leader: its exit stop first */
	t_wait_show("leader", c);
	printf("exit message: %#lx\n", msg_of(c));
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("pid of the leader", c);
	CHECK("exec message: the thread's tid", msg_of(c) == (unsigned long)th);
	errno = 0;
	CHECK_ERR("the old tid is gone", ptrace(PTRACE_GETEVENTMSG, th, 0, NULL), ESRCH);
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("pid of the leader", c);
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("pid of the leader", c);
	CHECK_ERR("nothing else to wait for", waitpid(-1, NULL, __WALL | WNOHANG), ECHILD);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "exec-target"))
		return atoi(argv[2]);
	tracer = getpid();
	alarm(30);
	part_a();
	part_b();
	part_c();
	part_d();
	return t_done();
}
