/* Children belong to the whole process (thread group): any thread may wait
 * for a child another thread forked (wait4, waitpid, waitid; by pid, -1,
 * process group), unless it passes __WNOTHREAD; children outlive the
 * thread that forked them; execve from a non-leader thread keeps them.
 * These are the cases Python's process pools hit (a helper thread forks
 * the workers, another one reaps them). */
#include "t.h"
#include <limits.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The child keeps only the read end of its gate pipe open. */
static void close_others(int keep)
{
	for (int fd = 3; fd < 64; fd++)
		if (fd != keep)
			close(fd);
}

/* A child that exits with code once its gate pipe reaches EOF. */
static pid_t fork_gated(int fd, int code)
{
	fflush(stdout);
	pid_t p = fork();
	if (p < 0)
		DIE("fork");
	if (p == 0) {
		char c;
		close_others(fd);
		(void)!read(fd, &c, 1);
		_exit(code);
	}
	return p;
}

static pid_t fork_exit(int code)
{
	fflush(stdout);
	pid_t p = fork();
	if (p < 0)
		DIE("fork");
	if (p == 0)
		_exit(code);
	return p;
}

static void run_thread(void *(*fn)(void *), void *arg)
{
	pthread_t th;
	if (pthread_create(&th, NULL, fn, arg))
		DIE("pthread_create");
	pthread_join(th, NULL);
}

/* --- 1. main forks, a second thread waits (blocking) ------------------- */
struct waitarg { pid_t pid; int options; pid_t ret; int status; int err; };

static void *thread_waitpid(void *p)
{
	struct waitarg *a = p;
	errno = 0;
	a->ret = waitpid(a->pid, &a->status, a->options);
	a->err = errno;
	return NULL;
}

static void main_forks_thread_waits(void)
{
	int fds[2];
	if (pipe(fds))
		DIE("pipe");
	pid_t c = fork_gated(fds[0], 9);
	struct waitarg a = { .pid = c };
	pthread_t th;
	if (pthread_create(&th, NULL, thread_waitpid, &a))
		DIE("pthread_create");
	msleep(30);		/* let the thread block in waitpid */
	close(fds[1]);		/* now the child exits */
	pthread_join(th, NULL);
	close(fds[0]);
	CHECK("main forks, thread waitpid(child) reaps it",
	      a.ret == c && WIFEXITED(a.status) && WEXITSTATUS(a.status) == 9);
	CHECK_ERR("then the child is gone for main too", waitpid(c, NULL, WNOHANG), ECHILD);

	/* the same with wait4(-1) from the thread */
	c = fork_exit(3);
	a = (struct waitarg){ .pid = -1 };
	run_thread(thread_waitpid, &a);
	CHECK("main forks, thread wait(-1) reaps it", a.ret == c && WEXITSTATUS(a.status) == 3);
}

/* --- 2. a thread forks, another thread polls waitpid(-1, WNOHANG) ------ */
struct forkarg { int gate; int code; pid_t pid; };

static void *thread_fork_gated(void *p)
{
	struct forkarg *f = p;
	f->pid = fork_gated(f->gate, f->code);
	return NULL;
}

static void *thread_fork_exit(void *p)
{
	struct forkarg *f = p;
	f->pid = fork_exit(f->code);
	return NULL;
}

static void thread_forks_other_polls(void)
{
	int fds[2];
	if (pipe(fds))
		DIE("pipe");
	struct forkarg f = { fds[0], 4, 0 };
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fork_gated, &f))
		DIE("pthread_create");
	/* the forking thread stays alive while main looks */
	while (!__atomic_load_n(&f.pid, __ATOMIC_SEQ_CST))
		msleep(1);
	int st = 0;
	CHECK("thread's running child: main's waitpid(-1, WNOHANG) returns 0", waitpid(-1, &st, WNOHANG) == 0);
	CHECK("thread's running child: main's waitpid(pid, WNOHANG) returns 0", waitpid(f.pid, &st, WNOHANG) == 0);
	close(fds[1]);
	pid_t w;
	int tries = 0;
	while ((w = waitpid(-1, &st, WNOHANG)) == 0 && tries++ < 2000)
		msleep(5);
	CHECK("thread forks, main polls waitpid(-1, WNOHANG) and reaps it", w == f.pid && WEXITSTATUS(st) == 4);
	pthread_join(th, NULL);
	close(fds[0]);
}

/* --- 3. a thread forks, main waits -------------------------------------- */
static void thread_forks_main_waits(void)
{
	struct forkarg f = { -1, 5, 0 };
	run_thread(thread_fork_exit, &f);
	int st = 0;
	CHECK("thread forks, main waitpid(pid) reaps it", waitpid(f.pid, &st, 0) == f.pid && WEXITSTATUS(st) == 5);
}

/* --- process groups and waitid from another thread ---------------------- */
struct waitidarg { idtype_t type; id_t id; int options; int ret; int err; siginfo_t si; };

static void *thread_waitid(void *p)
{
	struct waitidarg *a = p;
	memset(&a->si, 0, sizeof(a->si));
	errno = 0;
	a->ret = waitid(a->type, a->id, &a->si, a->options);
	a->err = errno;
	return NULL;
}

static void groups_and_waitid(void)
{
	/* waitpid(0): the caller's process group, from a thread */
	pid_t c = fork_exit(11);
	struct waitarg a = { .pid = 0 };
	run_thread(thread_waitpid, &a);
	CHECK("thread waitpid(0) reaps main's child in our group", a.ret == c && WEXITSTATUS(a.status) == 11);

	/* waitpid(-pgid) for a child in its own group, forked by a thread */
	int fds[2];
	if (pipe(fds))
		DIE("pipe");
	struct forkarg f = { fds[0], 12, 0 };
	run_thread(thread_fork_gated, &f);
	CHECK_OK("setpgid(child, child)", setpgid(f.pid, f.pid));
	a = (struct waitarg){ .pid = 0, .options = WNOHANG };
	run_thread(thread_waitpid, &a);
	CHECK("waitpid(0) does not match a child in another group", a.ret == -1 && a.err == ECHILD);
	a = (struct waitarg){ .pid = -f.pid, .options = WNOHANG };
	run_thread(thread_waitpid, &a);
	CHECK("waitpid(-pgid, WNOHANG) from a thread sees the running child", a.ret == 0);
	close(fds[1]);
	a = (struct waitarg){ .pid = -f.pid };
	run_thread(thread_waitpid, &a);
	CHECK("waitpid(-pgid) from a thread reaps it", a.ret == f.pid && WEXITSTATUS(a.status) == 12);
	close(fds[0]);

	/* waitid P_PID, P_ALL, P_PGID from a thread, children of main */
	c = fork_exit(13);
	struct waitidarg w = { P_PID, (id_t)c, WEXITED, 0, 0, { 0 } };
	run_thread(thread_waitid, &w);
	CHECK("thread waitid(P_PID) on main's child", w.ret == 0 && w.si.si_pid == c && w.si.si_code == CLD_EXITED &&
							     w.si.si_status == 13 && w.si.si_signo == SIGCHLD);
	c = fork_exit(14);
	w = (struct waitidarg){ P_ALL, 0, WEXITED, 0, 0, { 0 } };
	run_thread(thread_waitid, &w);
	CHECK("thread waitid(P_ALL) on main's child", w.ret == 0 && w.si.si_pid == c && w.si.si_status == 14);
	c = fork_exit(15);
	w = (struct waitidarg){ P_PGID, (id_t)getpgrp(), WEXITED, 0, 0, { 0 } };
	run_thread(thread_waitid, &w);
	CHECK("thread waitid(P_PGID) on main's child", w.ret == 0 && w.si.si_pid == c && w.si.si_status == 15);
	c = fork_exit(16);
	w = (struct waitidarg){ P_PGID, 0, WEXITED, 0, 0, { 0 } };
	run_thread(thread_waitid, &w);
	CHECK("thread waitid(P_PGID, 0) on main's child", w.ret == 0 && w.si.si_pid == c && w.si.si_status == 16);

	/* WNOWAIT in one thread leaves the zombie for another */
	c = fork_exit(17);
	w = (struct waitidarg){ P_PID, (id_t)c, WEXITED | WNOWAIT, 0, 0, { 0 } };
	run_thread(thread_waitid, &w);
	CHECK("thread waitid(WNOWAIT) sees main's zombie", w.ret == 0 && w.si.si_pid == c && w.si.si_status == 17);
	int st = 0;
	CHECK("main still reaps it afterwards", waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 17);
}

/* --- __WNOTHREAD: only the caller's own children ------------------------ */
static void wnothread(void)
{
	pid_t c = fork_exit(21);
	int st = 0;
	struct waitarg a = { .pid = c, .options = __WNOTHREAD | WNOHANG };
	msleep(20);
	run_thread(thread_waitpid, &a);
	CHECK("thread waitpid(main's child, __WNOTHREAD) is ECHILD", a.ret == -1 && a.err == ECHILD);
	a = (struct waitarg){ .pid = -1, .options = __WNOTHREAD };
	run_thread(thread_waitpid, &a);
	CHECK("thread waitpid(-1, __WNOTHREAD) is ECHILD", a.ret == -1 && a.err == ECHILD);
	struct waitidarg w = { P_ALL, 0, WEXITED | __WNOTHREAD, 0, 0, { 0 } };
	run_thread(thread_waitid, &w);
	CHECK("thread waitid(P_ALL, __WNOTHREAD) is ECHILD", w.ret == -1 && w.err == ECHILD);
	CHECK("main waitpid(child, __WNOTHREAD) reaps its own child",
	      waitpid(c, &st, __WNOTHREAD) == c && WEXITSTATUS(st) == 21);

	/* a thread's own child with __WNOTHREAD; main cannot use __WNOTHREAD on it */
	int fds[2];
	if (pipe(fds))
		DIE("pipe");
	struct forkarg f = { fds[0], 22, 0 };
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fork_gated, &f))
		DIE("pthread_create");
	pthread_join(th, NULL);
	/* the forking thread has exited: its child now belongs to another
	 * thread of the process (main, the only one left) */
	close(fds[1]);
	CHECK("after the forker exits, main reaps its child with __WNOTHREAD",
	      waitpid(f.pid, &st, __WNOTHREAD) == f.pid && WEXITSTATUS(st) == 22);
	close(fds[0]);
}

/* A thread that forks a child, reaps it itself with __WNOTHREAD, while
 * main holds another live child. */
static void *thread_own_child(void *p)
{
	int *ok = p;
	pid_t c = fork_exit(23);
	int st = 0;
	*ok = waitpid(-1, &st, __WNOTHREAD) == c && WEXITSTATUS(st) == 23;
	return NULL;
}

static void wnothread_own(void)
{
	int fds[2];
	if (pipe(fds))
		DIE("pipe");
	pid_t mc = fork_gated(fds[0], 24);
	int ok = 0;
	run_thread(thread_own_child, &ok);
	CHECK("thread waitpid(-1, __WNOTHREAD) takes its own child, not main's", ok);
	close(fds[1]);
	int st = 0;
	CHECK("main's child still there", waitpid(mc, &st, 0) == mc && WEXITSTATUS(st) == 24);
	close(fds[0]);
}

/* --- children outlive the thread that forked them ----------------------- */
struct survivor { int gate, report; pid_t pid; };

static void *thread_fork_reporter(void *p)
{
	struct survivor *s = p;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char x;
		for (int fd = 3; fd < 64; fd++)
			if (fd != s->gate && fd != s->report)
				close(fd);
		(void)!read(s->gate, &x, 1);	/* the forking thread is gone now */
		pid_t pp = getppid();
		(void)!write(s->report, &pp, sizeof pp);
		_exit(31);
	}
	s->pid = c;
	return NULL;
}

static void survive_forker(void)
{
	int gate[2], rep[2];
	if (pipe(gate) || pipe(rep))
		DIE("pipe");
	struct survivor s = { gate[0], rep[1], 0 };
	run_thread(thread_fork_reporter, &s);
	CHECK("child of an exited thread: kill(pid, 0) works", kill(s.pid, 0) == 0);
	int st = 0;
	CHECK("child of an exited thread: WNOHANG returns 0 while it runs", waitpid(s.pid, &st, WNOHANG) == 0);
	close(gate[1]);
	pid_t pp = 0;
	if (read(rep[0], &pp, sizeof pp) != sizeof pp)
		pp = -1;
	CHECK("child of an exited thread: getppid() is still our pid", pp == getpid());
	CHECK("child of an exited thread: main reaps it",
	      waitpid(s.pid, &st, 0) == s.pid && WIFEXITED(st) && WEXITSTATUS(st) == 31);
	close(gate[0]);
	close(rep[0]);
	close(rep[1]);

	/* a zombie left by an exited thread stays a zombie of the process */
	struct forkarg f = { -1, 32, 0 };
	run_thread(thread_fork_exit, &f);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK("zombie of an exited thread: waitid(WNOWAIT) sees it",
	      waitid(P_PID, (id_t)f.pid, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == f.pid && si.si_status == 32);
	CHECK("zombie of an exited thread: reaped", waitpid(f.pid, &st, 0) == f.pid && WEXITSTATUS(st) == 32);
	CHECK_ERR("no children left", waitpid(-1, &st, WNOHANG), ECHILD);
}

/* --- stops and continues of a thread's child, seen from main ----------- */
static void *thread_fork_pauser(void *p)
{
	pid_t *c = p;
	fflush(stdout);
	*c = fork();
	if (*c == 0) {
		setpgid(0, 0);	/* a group of its own, not orphaned: SIGTSTP stops it */
		for (;;)
			pause();
	}
	setpgid(*c, *c);
	return NULL;
}

static void stop_continue(void)
{
	pid_t c = 0;
	run_thread(thread_fork_pauser, &c);
	int st = 0;
	kill(c, SIGTSTP);
	CHECK("an exited thread's child stops: main's waitpid(WUNTRACED) sees it",
	      waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	kill(c, SIGCONT);
	struct waitidarg w = { P_PID, (id_t)c, WCONTINUED, 0, 0, { 0 } };
	run_thread(thread_waitid, &w);
	CHECK("  it continues: another thread's waitid(WCONTINUED) sees it",
	      w.ret == 0 && w.si.si_pid == c && w.si.si_code == CLD_CONTINUED && w.si.si_status == SIGCONT);
	kill(c, SIGKILL);
	CHECK("  killed and reaped", waitpid(c, &st, 0) == c && WTERMSIG(st) == SIGKILL);
}

/* --- a wait in a thread is interrupted by a signal, or restarted -------- */
static volatile sig_atomic_t hits;
static void on_usr1(int s)
{
	(void)s;
	hits++;
}

struct intrarg { pid_t pid; int ret, err; volatile int done; };

static void *thread_wait_intr(void *p)
{
	struct intrarg *a = p;
	int st;
	errno = 0;
	a->ret = waitpid(a->pid, &st, 0);
	a->err = errno;
	a->done = 1;
	return NULL;
}

static void wait_interrupted(int restart)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
	int fds[2];
	if (pipe(fds))
		DIE("pipe");
	pid_t c = fork_gated(fds[0], 41);
	struct intrarg a = { c, 0, 0, 0 };
	pthread_t th;
	if (pthread_create(&th, NULL, thread_wait_intr, &a))
		DIE("pthread_create");
	hits = 0;
	for (int i = 0; i < 500 && !a.done && hits < 3; i++) {
		pthread_kill(th, SIGUSR1);
		msleep(10);
	}
	close(fds[1]);	/* the child exits: a restarted wait reaps it */
	pthread_join(th, NULL);
	if (restart) {
		CHECK("SA_RESTART: a thread's waitpid restarts and reaps main's child", a.ret == c && hits >= 1);
	} else {
		CHECK("no SA_RESTART: a thread's waitpid fails with EINTR", a.ret == -1 && a.err == EINTR);
		int st = 0;
		CHECK("the child is then reaped by main", waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 41);
	}
	close(fds[0]);
	signal(SIGUSR1, SIG_DFL);
}

/* --- execve from a non-leader thread: the new image keeps every child --- */
static int exec_phase2(int argc, char **argv)
{
	/* argv: self phase2 pid-of-main's-child pid-of-thread's-child */
	if (argc != 4)
		return 2;
	pid_t a = atoi(argv[2]), b = atoi(argv[3]);
	int st = 0;
	CHECK("after exec from a thread: pid unchanged", getpid() == (pid_t)atoi(getenv("T_WAIT_PID")));
	CHECK("after exec from a thread: main's old child reaped",
	      waitpid(a, &st, 0) == a && WEXITSTATUS(st) == 51);
	CHECK("after exec from a thread: the exec'ing thread's child reaped",
	      waitpid(b, &st, 0) == b && WEXITSTATUS(st) == 52);
	CHECK_ERR("after exec from a thread: no more children", waitpid(-1, NULL, WNOHANG), ECHILD);
	return t_done();
}

struct execarg { pid_t a; };

static void *thread_exec(void *p)
{
	struct execarg *e = p;
	pid_t b = fork_exit(52);
	char sa[16], sb[16], spid[16];
	snprintf(sa, sizeof sa, "%d", e->a);
	snprintf(sb, sizeof sb, "%d", b);
	snprintf(spid, sizeof spid, "%d", getpid());
	setenv("T_WAIT_PID", spid, 1);
	fflush(stdout);
	execl("/proc/self/exe", "wait_threads", "phase2", sa, sb, (char *)NULL);
	DIE("execl");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "phase2"))
		return exec_phase2(argc, argv);
	main_forks_thread_waits();
	thread_forks_other_polls();
	thread_forks_main_waits();
	groups_and_waitid();
	wnothread();
	wnothread_own();
	survive_forker();
	stop_continue();
	wait_interrupted(0);
	wait_interrupted(1);
	CHECK_ERR("ECHILD from main with no children", waitpid(-1, NULL, 0), ECHILD);
	struct waitarg a = { .pid = -1 };
	run_thread(thread_waitpid, &a);
	CHECK("ECHILD from a thread with no children in the process", a.ret == -1 && a.err == ECHILD);

	/* last: a thread execs; the new image reaps main's and its child */
	if (t_failures)
		return t_done();
	struct execarg e = { fork_exit(51) };
	pthread_t th;
	if (pthread_create(&th, NULL, thread_exec, &e))
		DIE("pthread_create");
	for (;;)
		pause();
}
