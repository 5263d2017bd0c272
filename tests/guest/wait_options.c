/* wait4 and waitid options and errors as Linux has them: bad options and
 * id types (EINVAL), ESRCH for INT_MIN, ECHILD for what is not our child,
 * EFAULT (the child is reaped all the same), what waitid writes into its
 * siginfo (only the fields it reports, zeros when there is nothing),
 * WNOWAIT, WSTOPPED/WUNTRACED, WCONTINUED, __WCLONE/__WALL for children
 * with another exit signal, SIGCHLD ignored or SA_NOCLDWAIT (autoreap). */
#include "t.h"
#include <limits.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
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

static pid_t fork_pause(void)
{
	fflush(stdout);
	pid_t p = fork();
	if (p < 0)
		DIE("fork");
	if (p == 0) {
		for (;;)
			pause();
	}
	return p;
}

/* A fork-like clone whose exit is reported with exit_signal (0: none). */
static pid_t clone_exit(int exit_signal, int code)
{
	fflush(stdout);
	long p = syscall(SYS_clone, (unsigned long)exit_signal, 0UL, NULL, NULL, 0UL);
	if (p < 0)
		DIE("clone");
	if (p == 0)
		syscall(SYS_exit_group, code);
	return (pid_t)p;
}

static long raw_waitid(int type, long id, void *info, int options, void *ru)
{
	return syscall(SYS_waitid, type, id, info, options, ru);
}

static long raw_wait4(long pid, void *st, int options, void *ru)
{
	return syscall(SYS_wait4, pid, st, options, ru);
}

/* A zombie we can be sure of: waitid(WNOWAIT) blocks until it exists. */
static pid_t zombie(int code)
{
	pid_t p = fork_exit(code);
	siginfo_t si;
	if (waitid(P_PID, (id_t)p, &si, WEXITED | WNOWAIT))
		DIE("waitid");
	return p;
}

static void bad_options(void)
{
	int st;
	pid_t c = fork_pause();
	CHECK_ERR("wait4 WNOWAIT is EINVAL", raw_wait4(c, &st, WNOWAIT, NULL), EINVAL);
	CHECK_ERR("wait4 WEXITED is EINVAL", raw_wait4(c, &st, WEXITED, NULL), EINVAL);
	CHECK_ERR("wait4 unknown bit 0x100 is EINVAL", raw_wait4(c, &st, 0x100, NULL), EINVAL);
	CHECK_ERR("wait4 unknown bit 0x10000 is EINVAL", raw_wait4(-1, &st, WNOHANG | 0x10000, NULL), EINVAL);
	CHECK_ERR("wait4 EINVAL before ECHILD", raw_wait4(getpid(), &st, 0x100, NULL), EINVAL);
	CHECK_ERR("wait4(INT_MIN) is ESRCH", raw_wait4(INT_MIN, &st, 0, NULL), ESRCH);
	CHECK_ERR("wait4(INT_MIN) bad options is EINVAL first", raw_wait4(INT_MIN, &st, 0x100, NULL), EINVAL);
	siginfo_t si;
	CHECK_ERR("waitid options 0 is EINVAL", raw_waitid(P_ALL, 0, &si, 0, NULL), EINVAL);
	CHECK_ERR("waitid WNOHANG alone is EINVAL", raw_waitid(P_ALL, 0, &si, WNOHANG, NULL), EINVAL);
	CHECK_ERR("waitid WNOWAIT alone is EINVAL", raw_waitid(P_ALL, 0, &si, WNOWAIT, NULL), EINVAL);
	CHECK_ERR("waitid unknown bit is EINVAL", raw_waitid(P_ALL, 0, &si, WEXITED | 0x100, NULL), EINVAL);
	CHECK_ERR("waitid idtype 4 is EINVAL", raw_waitid(4, 0, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR("waitid idtype -1 is EINVAL", raw_waitid(-1, 0, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR("waitid P_PID 0 is EINVAL", raw_waitid(P_PID, 0, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR("waitid P_PID -5 is EINVAL", raw_waitid(P_PID, -5, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR("waitid P_PGID -1 is EINVAL", raw_waitid(P_PGID, -1, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR("waitid P_PIDFD -1 is EINVAL", raw_waitid(P_PIDFD, -1, &si, WEXITED, NULL), EINVAL);
	int fds[2];
	if (pipe(fds))
		DIE("pipe");
	CHECK_ERR("waitid P_PIDFD of a pipe is EBADF", raw_waitid(P_PIDFD, fds[0], &si, WEXITED, NULL), EBADF);
	CHECK_ERR("waitid P_PIDFD of a closed fd is EBADF", raw_waitid(P_PIDFD, 1000, &si, WEXITED, NULL), EBADF);
	close(fds[0]);
	close(fds[1]);
	kill(c, SIGKILL);
	CHECK("the child was not reaped by any of them", waitpid(c, &st, 0) == c && WTERMSIG(st) == SIGKILL);
}

static void not_our_child(void)
{
	int st;
	CHECK_ERR("waitpid(self) is ECHILD", waitpid(getpid(), &st, 0), ECHILD);
	CHECK_ERR("waitpid(1) is ECHILD", waitpid(1, &st, WNOHANG), ECHILD);
	CHECK_ERR("waitpid(no such pid) is ECHILD", waitpid(INT_MAX, &st, 0), ECHILD);
	CHECK_ERR("waitpid(-INT_MAX) is ECHILD", waitpid(-INT_MAX, &st, 0), ECHILD);
	CHECK_ERR("waitid(P_PID, no such pid) is ECHILD", waitid(P_PID, INT_MAX, NULL, WEXITED), ECHILD);
	CHECK_ERR("waitid(P_PGID, no such group) is ECHILD", waitid(P_PGID, INT_MAX, NULL, WEXITED), ECHILD);
	CHECK_ERR("waitid(P_ALL) with no children is ECHILD", waitid(P_ALL, 0, NULL, WEXITED | WNOHANG), ECHILD);
	CHECK_ERR("waitid(WSTOPPED) with no children is ECHILD", waitid(P_ALL, 0, NULL, WSTOPPED), ECHILD);

	/* a grandchild is not ours */
	int fds[2];
	if (pipe(fds))
		DIE("pipe");
	fflush(stdout);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t g = fork_pause();
		(void)!write(fds[1], &g, sizeof g);
		int s;
		waitpid(g, &s, 0);
		_exit(WTERMSIG(s) == SIGKILL ? 0 : 1);
	}
	pid_t g = 0;
	if (read(fds[0], &g, sizeof g) != sizeof g)
		DIE("read");
	CHECK_ERR("waitpid(grandchild) is ECHILD", waitpid(g, &st, WNOHANG), ECHILD);
	kill(g, SIGKILL);
	CHECK("the middle process reaps the grandchild", waitpid(mid, &st, 0) == mid && WEXITSTATUS(st) == 0);
	close(fds[0]);
	close(fds[1]);
}

static void efault(void)
{
	pid_t c = zombie(3);
	CHECK_ERR("wait4 with a bad status pointer is EFAULT", raw_wait4(c, (void *)8, 0, NULL), EFAULT);
	CHECK_ERR("... and the child was reaped", waitpid(c, NULL, WNOHANG), ECHILD);
	c = zombie(4);
	CHECK_ERR("wait4 with a bad rusage pointer is EFAULT", raw_wait4(c, NULL, 0, (void *)8), EFAULT);
	CHECK_ERR("... and the child was reaped", waitpid(c, NULL, WNOHANG), ECHILD);
	c = zombie(5);
	CHECK_ERR("waitid with a bad siginfo pointer is EFAULT", raw_waitid(P_PID, c, (void *)8, WEXITED, NULL), EFAULT);
	CHECK_ERR("... and the child was reaped", waitpid(c, NULL, WNOHANG), ECHILD);
	CHECK_ERR("waitid ECHILD with a bad siginfo pointer is EFAULT",
		  raw_waitid(P_ALL, 0, (void *)8, WEXITED | WNOHANG, NULL), EFAULT);
	CHECK_ERR("waitid EINVAL with a bad siginfo pointer is EFAULT", raw_waitid(P_PID, 0, (void *)8, WEXITED, NULL),
		  EFAULT);
	CHECK("wait4 status NULL is fine", raw_wait4(zombie(6), NULL, 0, NULL) > 0);
	CHECK("waitid siginfo NULL is fine", raw_waitid(P_PID, zombie(7), NULL, WEXITED, NULL) == 0);
}

/* waitid writes si_signo, si_errno, si_code, si_pid, si_uid, si_status
 * and nothing else (not the padding after si_code, not the times);
 * zeros when nothing is reported, also on errors. */
static int untouched_tail(const siginfo_t *si)
{
	const unsigned char *b = (const unsigned char *)si;
	for (size_t i = 12; i < sizeof *si; i++)
		if ((i < 16 || i >= 28) && b[i] != 0x5a)
			return 0;
	return 1;
}

static void siginfo_fields(void)
{
	siginfo_t si;
	pid_t c = zombie(42);
	memset(&si, 0x5a, sizeof si);
	CHECK("waitid reports an exit", waitid(P_PID, (id_t)c, &si, WEXITED) == 0);
	CHECK("  si_signo SIGCHLD, si_errno 0", si.si_signo == SIGCHLD && si.si_errno == 0);
	CHECK("  si_code CLD_EXITED, si_status 42", si.si_code == CLD_EXITED && si.si_status == 42);
	CHECK("  si_pid, si_uid", si.si_pid == c && si.si_uid == getuid());
	CHECK("  nothing after si_status written", untouched_tail(&si));

	c = fork_pause();
	memset(&si, 0x5a, sizeof si);
	CHECK("waitid WNOHANG on a running child returns 0", waitid(P_PID, (id_t)c, &si, WEXITED | WNOHANG) == 0);
	CHECK("  and zeroes si_signo, si_code, si_pid, si_uid, si_status",
	      si.si_signo == 0 && si.si_errno == 0 && si.si_code == 0 && si.si_pid == 0 && si.si_uid == 0 &&
		      si.si_status == 0 && untouched_tail(&si));
	kill(c, SIGTERM);
	memset(&si, 0x5a, sizeof si);
	CHECK("waitid reports a kill", waitid(P_PID, (id_t)c, &si, WEXITED) == 0);
	CHECK("  si_code CLD_KILLED, si_status SIGTERM", si.si_code == CLD_KILLED && si.si_status == SIGTERM);

	memset(&si, 0x5a, sizeof si);
	CHECK_ERR("waitid ECHILD", waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	CHECK("  still zeroes the reported fields", si.si_signo == 0 && si.si_pid == 0 && si.si_code == 0 &&
							  si.si_status == 0 && untouched_tail(&si));
	memset(&si, 0x5a, sizeof si);
	CHECK_ERR("waitid EINVAL", raw_waitid(P_PID, 0, &si, WEXITED, NULL), EINVAL);
	CHECK("  still zeroes the reported fields", si.si_signo == 0 && si.si_pid == 0 && untouched_tail(&si));

	/* rusage is written only when a child is reported */
	struct rusage ru;
	c = fork_pause();
	memset(&ru, 0x5a, sizeof ru);
	CHECK("waitid WNOHANG with rusage returns 0", raw_waitid(P_PID, c, &si, WEXITED | WNOHANG, &ru) == 0);
	CHECK("  rusage untouched", ((unsigned char *)&ru)[0] == 0x5a && ((unsigned char *)&ru)[sizeof ru - 1] == 0x5a);
	memset(&ru, 0x5a, sizeof ru);
	CHECK("wait4 WNOHANG with rusage returns 0", raw_wait4(c, NULL, WNOHANG, &ru) == 0);
	CHECK("  rusage untouched", ((unsigned char *)&ru)[0] == 0x5a);
	kill(c, SIGKILL);
	memset(&ru, 0x5a, sizeof ru);
	CHECK("wait4 with rusage reaps", raw_wait4(c, NULL, 0, &ru) == c);
	CHECK("  rusage written, with sane times",
	      ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 && ru.ru_stime.tv_usec >= 0 &&
		      ru.ru_stime.tv_usec < 1000000);
}

static void wnowait(void)
{
	siginfo_t si;
	pid_t c = zombie(8);
	memset(&si, 0, sizeof si);
	CHECK("waitid WNOWAIT twice reports the same zombie",
	      waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == c &&
		      waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT) == 0 && si.si_status == 8);
	int st;
	CHECK("then wait4 reaps it", waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 8);
}

static void stop_continue(void)
{
	/* in a process group of its own, which we (another group of the
	 * same session) keep from being orphaned: SIGTSTP then stops it */
	fflush(stdout);
	pid_t c = fork();
	if (c < 0)
		DIE("fork");
	if (c == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(c, c);
	int st = 0;
	siginfo_t si;
	CHECK("WUNTRACED|WNOHANG on a running child returns 0", waitpid(c, &st, WUNTRACED | WNOHANG) == 0);
	kill(c, SIGSTOP);
	CHECK("WUNTRACED reports the stop", waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	CHECK("the stop is reported once", waitpid(c, &st, WUNTRACED | WNOHANG) == 0);
	memset(&si, 0x5a, sizeof si);
	CHECK("waitid WSTOPPED|WNOHANG after it was consumed: 0, zeroed",
	      waitid(P_PID, (id_t)c, &si, WSTOPPED | WNOHANG) == 0 && si.si_pid == 0);
	kill(c, SIGCONT);
	memset(&si, 0, sizeof si);
	CHECK("waitid WCONTINUED|WNOWAIT reports the continue",
	      waitid(P_PID, (id_t)c, &si, WCONTINUED | WNOWAIT) == 0 && si.si_code == CLD_CONTINUED &&
		      si.si_status == SIGCONT && si.si_pid == c);
	CHECK("wait4 WCONTINUED reports it (WNOWAIT kept it)", waitpid(c, &st, WCONTINUED) == c && WIFCONTINUED(st));
	CHECK("the continue is reported once", waitpid(c, &st, WCONTINUED | WNOHANG) == 0);

	kill(c, SIGTSTP);
	memset(&si, 0, sizeof si);
	CHECK("waitid WSTOPPED|WNOWAIT: CLD_STOPPED, SIGTSTP",
	      waitid(P_PID, (id_t)c, &si, WSTOPPED | WNOWAIT) == 0 && si.si_code == CLD_STOPPED &&
		      si.si_status == SIGTSTP);
	memset(&si, 0, sizeof si);
	CHECK("waitid WSTOPPED consumes it", waitid(P_PID, (id_t)c, &si, WSTOPPED) == 0 && si.si_code == CLD_STOPPED);
	CHECK("waitid WEXITED|WNOHANG does not report a stopped child",
	      waitid(P_PID, (id_t)c, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0);
	kill(c, SIGKILL);
	CHECK("a stopped child killed is reaped", waitpid(c, &st, 0) == c && WTERMSIG(st) == SIGKILL);
}

static volatile sig_atomic_t usr1_hits, chld_hits;
static void on_usr1(int s)
{
	(void)s;
	usr1_hits++;
}
static void on_chld(int s)
{
	(void)s;
	chld_hits++;
}

static void clone_children(void)
{
	int st;
	/* exit signal 0: a "clone" child, seen only with __WCLONE or __WALL */
	pid_t c = clone_exit(0, 61);
	msleep(20);
	CHECK_ERR("waitpid(clone child) without __WCLONE is ECHILD", waitpid(c, &st, 0), ECHILD);
	CHECK_ERR("waitpid(-1) with only a clone child is ECHILD", waitpid(-1, &st, WNOHANG), ECHILD);
	CHECK("waitpid(clone child, __WCLONE) reaps it", waitpid(c, &st, __WCLONE) == c && WEXITSTATUS(st) == 61);
	c = clone_exit(0, 62);
	CHECK("waitpid(-1, __WALL) reaps a clone child", waitpid(-1, &st, __WALL) == c && WEXITSTATUS(st) == 62);
	c = fork_exit(63);
	CHECK_ERR("waitpid(fork child, __WCLONE) is ECHILD", waitpid(c, &st, __WCLONE | WNOHANG), ECHILD);
	CHECK("waitpid(fork child, __WALL) reaps it", waitpid(c, &st, __WALL) == c && WEXITSTATUS(st) == 63);
	siginfo_t si;
	c = clone_exit(0, 64);
	memset(&si, 0, sizeof si);
	CHECK("waitid(P_PID, __WCLONE) reaps a clone child: si_signo is still SIGCHLD",
	      waitid(P_PID, (id_t)c, &si, WEXITED | __WCLONE) == 0 && si.si_pid == c && si.si_signo == SIGCHLD &&
		      si.si_status == 64);

	/* exit signal SIGUSR1: that signal is sent, SIGCHLD is not */
	signal(SIGUSR1, on_usr1);
	signal(SIGCHLD, on_chld);
	usr1_hits = chld_hits = 0;
	c = clone_exit(SIGUSR1, 65);
	CHECK("waitpid(SIGUSR1 child, __WCLONE) reaps it", waitpid(c, &st, __WCLONE) == c && WEXITSTATUS(st) == 65);
	CHECK("the parent got SIGUSR1, not SIGCHLD", usr1_hits == 1 && chld_hits == 0);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);

	/* with SIGCHLD ignored a SIGUSR1 child is not reaped automatically */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	c = clone_exit(SIGUSR1, 66);
	msleep(20);
	CHECK("SIGCHLD ignored: a clone child stays a zombie", waitpid(c, &st, __WALL) == c && WEXITSTATUS(st) == 66);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
}

static void autoreap(void)
{
	/* SIGCHLD ignored: children vanish, wait blocks until then and fails */
	signal(SIGCHLD, SIG_IGN);
	fork_exit(1);
	fork_exit(2);
	int st;
	CHECK_ERR("SIG_IGN: wait returns ECHILD once the children are gone", waitpid(-1, &st, 0), ECHILD);
	signal(SIGCHLD, SIG_DFL);

	/* SA_NOCLDWAIT with a handler: reaped automatically, SIGCHLD still sent */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	chld_hits = 0;
	fork_exit(3);
	CHECK_ERR("SA_NOCLDWAIT: wait returns ECHILD", waitpid(-1, &st, 0), ECHILD);
	CHECK("SA_NOCLDWAIT: the handler ran", chld_hits == 1);
	signal(SIGCHLD, SIG_DFL);

	/* a running child while SIG_IGN: WNOHANG gives 0 */
	signal(SIGCHLD, SIG_IGN);
	pid_t c = fork_pause();
	CHECK("SIG_IGN: WNOHANG on a running child returns 0", waitpid(c, &st, WNOHANG) == 0);
	kill(c, SIGKILL);
	CHECK_ERR("SIG_IGN: waiting for it ends in ECHILD", waitpid(c, &st, 0), ECHILD);
	signal(SIGCHLD, SIG_DFL);
}

int main(void)
{
	bad_options();
	not_our_child();
	efault();
	siginfo_fields();
	wnowait();
	stop_continue();
	clone_children();
	autoreap();
	return t_done();
}
