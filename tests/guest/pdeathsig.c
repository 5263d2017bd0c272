/* PR_SET_PDEATHSIG as Linux has it: the signal is sent when the *thread*
 * that forked the child exits (even though the child stays a child of the
 * same process), not when another thread does; when the parent process
 * exits; when a thread's execve ends the thread that forked it. It comes
 * as SI_USER from the parent's pid, is not inherited by fork, and is
 * cleared when the child's credentials change. */
#include "t.h"
#include <pthread.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

/* Child exit codes: bit per failed expectation, 0 when all hold. */
#define E_SIGNAL 1	/* the signal did not come (or came when it should not) */
#define E_INFO 2	/* si_code / si_pid wrong */
#define E_PPID 4	/* getppid() not what was expected */

static sigset_t usr1_set(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	return s;
}

/* In the child: arm PR_SET_PDEATHSIG with SIGUSR1 (blocked, to be
 * collected with sigtimedwait) and tell the parent through ready. */
static void arm(int ready)
{
	sigset_t s = usr1_set();
	sigprocmask(SIG_BLOCK, &s, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1))
		_exit(100);
	char c = 'r';
	if (write(ready, &c, 1) != 1)
		_exit(101);
}

/* In the child: wait for SIGUSR1 (up to 10 s, or not at all with
 * expect 0) and return the E_* bits. */
static int collect(int expect, pid_t from, pid_t want_ppid)
{
	sigset_t s = usr1_set();
	siginfo_t si;
	struct timespec ts = { expect ? 10 : 0, expect ? 0 : 50000000 };
	int r = sigtimedwait(&s, &si, &ts), bits = 0;
	if (expect) {
		if (r != SIGUSR1)
			return E_SIGNAL;
		if (si.si_code != SI_USER || si.si_pid != from)
			bits |= E_INFO;
	} else if (r != -1) {
		bits |= E_SIGNAL;
	}
	if (want_ppid && getppid() != want_ppid)
		bits |= E_PPID;
	return bits;
}

static void wait_byte(int fd)
{
	char c;
	if (read(fd, &c, 1) != 1)
		DIE("read");
}

static int reap(pid_t p)
{
	int st = 0;
	if (waitpid(p, &st, 0) != p)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + WTERMSIG(st);
}

static void basics(void)
{
	int v = -1;
	CHECK("PR_GET_PDEATHSIG is 0 at first", prctl(PR_GET_PDEATHSIG, &v) == 0 && v == 0);
	CHECK_ERR("PR_SET_PDEATHSIG 65 is EINVAL", prctl(PR_SET_PDEATHSIG, 65), EINVAL);
	CHECK_ERR("PR_SET_PDEATHSIG -1 is EINVAL", prctl(PR_SET_PDEATHSIG, -1UL), EINVAL);
	CHECK_OK("PR_SET_PDEATHSIG SIGRTMAX", prctl(PR_SET_PDEATHSIG, 64));
	CHECK("PR_GET_PDEATHSIG reads it back", prctl(PR_GET_PDEATHSIG, &v) == 0 && v == 64);
	CHECK_ERR("PR_GET_PDEATHSIG to a bad pointer is EFAULT", prctl(PR_GET_PDEATHSIG, (int *)8), EFAULT);
	CHECK_OK("PR_SET_PDEATHSIG SIGUSR2", prctl(PR_SET_PDEATHSIG, SIGUSR2));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int w = -1;
		_exit(prctl(PR_GET_PDEATHSIG, &w) == 0 && w == 0 ? 0 : 1);
	}
	CHECK("fork: the child does not inherit it", reap(c) == 0);
	CHECK_OK("PR_SET_PDEATHSIG 0 clears it", prctl(PR_SET_PDEATHSIG, 0));
	CHECK("PR_GET_PDEATHSIG reads 0", prctl(PR_GET_PDEATHSIG, &v) == 0 && v == 0);
}

/* --- the forking thread exits: the child is signalled, stays ours ------ */
struct forkarg { int ready[2]; pid_t parent; pid_t pid; };

static void *thread_fork_armed(void *p)
{
	struct forkarg *f = p;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		arm(f->ready[1]);
		_exit(collect(1, f->parent, f->parent));
	}
	f->pid = c;
	wait_byte(f->ready[0]);	/* armed: now this thread exits */
	return NULL;
}

static void forking_thread_exits(void)
{
	struct forkarg f = { { -1, -1 }, getpid(), 0 };
	if (pipe(f.ready))
		DIE("pipe");
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fork_armed, &f))
		DIE("pthread_create");
	pthread_join(th, NULL);
	int r = reap(f.pid);
	CHECK("forking thread exits: the child gets its pdeath signal", r >= 0 && !(r & E_SIGNAL) && r < 100);
	CHECK("  as SI_USER from the parent's pid", r >= 0 && !(r & (E_INFO | E_SIGNAL)));
	CHECK("  and getppid() is still the parent process", r >= 0 && !(r & (E_PPID | E_SIGNAL)));
	CHECK("  and the process reaps it", r == 0);
	close(f.ready[0]);
	close(f.ready[1]);
}

/* --- another thread exits: nothing happens ------------------------------ */
static void *thread_nop(void *p)
{
	return p;
}

static void other_thread_exits(void)
{
	int ready[2], go[2];
	if (pipe(ready) || pipe(go))
		DIE("pipe");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		arm(ready[1]);
		wait_byte(go[0]);
		_exit(collect(0, 0, 0));
	}
	wait_byte(ready[0]);
	pthread_t th;
	if (pthread_create(&th, NULL, thread_nop, NULL))
		DIE("pthread_create");
	pthread_join(th, NULL);
	(void)!write(go[1], "g", 1);
	CHECK("another thread of the parent exits: no pdeath signal", reap(c) == 0);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/* --- the parent process exits ------------------------------------------ */
static void parent_process_exits(void)
{
	int ready[2], report[2];
	if (pipe(ready) || pipe(report))
		DIE("pipe");
	fflush(stdout);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t me = getpid();
		pid_t g = fork();
		if (g == 0) {
			arm(ready[1]);
			int bits = collect(1, me, 0);
			if (getppid() == me)
				bits |= E_PPID;
			char b = (char)bits;
			(void)!write(report[1], &b, 1);
			_exit(0);
		}
		wait_byte(ready[0]);
		_exit(0);
	}
	CHECK("the middle process exits", reap(mid) == 0);
	char b = 99;
	if (read(report[0], &b, 1) != 1)
		b = 99;
	CHECK("parent process exits: the grandchild gets its pdeath signal", b != 99 && !(b & E_SIGNAL));
	CHECK("  as SI_USER from the dead parent's pid", b != 99 && !(b & (E_SIGNAL | E_INFO)));
	CHECK("  and is reparented", b != 99 && !(b & E_PPID));
	close(ready[0]);
	close(ready[1]);
	close(report[0]);
	close(report[1]);
}

/* --- credentials change: the setting is cleared ------------------------- */
static void cred_change(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int bits = 0, v = -1;
		prctl(PR_SET_PDEATHSIG, SIGUSR1);
		if (setresuid(-1, -1, -1) || prctl(PR_GET_PDEATHSIG, &v) || v != SIGUSR1)
			bits |= 1;	/* no change, kept */
		/* root may change its fsuid, others may not: expect what happened */
		uid_t old = (uid_t)setfsuid((uid_t)-1);
		setfsuid(old == 0 ? 1 : old + 1);
		uid_t now = (uid_t)setfsuid((uid_t)-1);
		if (prctl(PR_GET_PDEATHSIG, &v) || v != (now != old ? 0 : SIGUSR1))
			bits |= 2;
		_exit(bits);
	}
	int r = reap(c);
	CHECK("setresuid(-1, -1, -1) keeps the pdeath signal", r >= 0 && !(r & 1));
	CHECK("an fsuid change clears it (when it changes)", r >= 0 && !(r & 2));
}

/* --- execve from a thread ends main: main's child is signalled ---------- */
static int exec_phase2(char **argv)
{
	pid_t c = atoi(argv[2]);
	int r = reap(c);
	CHECK("after a thread's execve: main's child got its pdeath signal from our pid",
	      r >= 0 && !(r & (E_SIGNAL | E_INFO)) && r < 100);
	CHECK("  its getppid() is still us, and we reaped it", r == 0);
	return t_done();
}

static void *thread_exec(void *p)
{
	pid_t c = *(pid_t *)p;
	char sc[16];
	snprintf(sc, sizeof sc, "%d", c);
	fflush(stdout);
	execl("/proc/self/exe", "pdeathsig", "phase2", sc, (char *)NULL);
	DIE("execl");
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "phase2"))
		return exec_phase2(argv);
	basics();
	forking_thread_exits();
	other_thread_exits();
	parent_process_exits();
	cred_change();
	if (t_failures)
		return t_done();

	int ready[2];
	if (pipe(ready))
		DIE("pipe");
	pid_t me = getpid();
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		arm(ready[1]);
		_exit(collect(1, me, me));
	}
	wait_byte(ready[0]);
	close(ready[0]);
	close(ready[1]);
	pthread_t th;
	if (pthread_create(&th, NULL, thread_exec, &c))
		DIE("pthread_create");
	for (;;)
		pause();
}
