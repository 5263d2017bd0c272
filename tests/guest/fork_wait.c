/* fork, wait4 statuses (exit codes, signals), WNOHANG, zombie reaping,
 * reparenting of an orphan. */
#include "t.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int main(void)
{
	pid_t me = getpid();

	/* exit codes */
	int codes[] = { 0, 1, 42, 255 };
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		fflush(stdout);
		pid_t p = fork();
		if (p == 0)
			_exit(codes[i]);
		int st = 0;
		struct rusage ru;
		pid_t w = wait4(p, &st, 0, &ru);
		char lbl[64];
		snprintf(lbl, sizeof lbl, "wait4 exit %d", codes[i]);
		CHECK(lbl, w == p && WIFEXITED(st) && WEXITSTATUS(st) == codes[i]);
	}

	/* child pid relations */
	{
		int fds[2];
		if (pipe(fds))
			DIE("pipe");
		fflush(stdout);
		pid_t p = fork();
		if (p == 0) {
			pid_t v[2] = { getpid(), getppid() };
			if (write(fds[1], v, sizeof v) != sizeof v)
				_exit(3);
			_exit(0);
		}
		pid_t v[2] = { 0, 0 };
		if (read(fds[0], v, sizeof v) != sizeof v)
			DIE("read");
		waitpid(p, NULL, 0);
		CHECK("fork returns child pid", v[0] == p);
		CHECK("child pid != parent pid", v[0] != me);
		CHECK("child getppid == parent", v[1] == me);
		close(fds[0]);
		close(fds[1]);
	}

	/* killed by signals */
	int sigs[] = { SIGKILL, SIGTERM, SIGUSR1, SIGINT };
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		fflush(stdout);
		pid_t p = fork();
		if (p == 0) {
			for (;;)
				pause();
		}
		kill(p, sigs[i]);
		int st = 0;
		pid_t w = wait4(p, &st, 0, NULL);
		char lbl[64];
		snprintf(lbl, sizeof lbl, "wait4 killed by %s", strsignal(sigs[i]));
		CHECK(lbl, w == p && WIFSIGNALED(st) && WTERMSIG(st) == sigs[i]);
	}

	/* WNOHANG on a running child, then reaping the zombie */
	{
		int fds[2];
		if (pipe(fds))
			DIE("pipe");
		fflush(stdout);
		pid_t p = fork();
		if (p == 0) {
			char c;
			close(fds[1]);
			(void)!read(fds[0], &c, 1);
			_exit(7);
		}
		close(fds[0]);
		int st = 0;
		CHECK("WNOHANG on running child returns 0", waitpid(p, &st, WNOHANG) == 0);
		close(fds[1]); /* child sees EOF and exits */
		pid_t w;
		int tries = 0;
		while ((w = waitpid(p, &st, WNOHANG)) == 0 && tries++ < 1000)
			msleep(5);
		CHECK("WNOHANG reaps exited child", w == p && WIFEXITED(st) && WEXITSTATUS(st) == 7);
		CHECK_ERR("wait with no children", waitpid(-1, &st, WNOHANG), ECHILD);
	}

	/* a zombie stays reapable until waited for */
	{
		fflush(stdout);
		pid_t p = fork();
		if (p == 0)
			_exit(9);
		msleep(50);
		CHECK("zombie still exists for kill(0)", kill(p, 0) == 0);
		int st;
		CHECK("reap zombie", waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 9);
		CHECK_ERR("reaped pid is gone", kill(p, 0), ESRCH);
	}

	/* wait for any of several children */
	{
		int n = 5, sum = 0, got = 0;
		for (int i = 0; i < n; i++) {
			fflush(stdout);
			if (fork() == 0)
				_exit(10 + i);
		}
		int st;
		pid_t w;
		while ((w = wait(&st)) > 0) {
			got++;
			sum += WEXITSTATUS(st);
		}
		CHECK("wait(-1) reaped all 5 children", got == n && sum == 10 + 11 + 12 + 13 + 14);
		CHECK("then ECHILD", errno == ECHILD);
	}

	/* reparenting: grandchild outlives its parent */
	{
		int fds[2];
		if (pipe(fds))
			DIE("pipe");
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			pid_t mid = getpid();
			pid_t g = fork();
			if (g == 0) {
				/* wait until the middle process is gone */
				int i = 0;
				while (getppid() == mid && i++ < 2000)
					msleep(5);
				char r = getppid() != mid ? 'y' : 'n';
				(void)!write(fds[1], &r, 1);
				_exit(0);
			}
			_exit(0);
		}
		close(fds[1]);
		waitpid(c, NULL, 0);
		char r = 0;
		if (read(fds[0], &r, 1) != 1)
			r = '?';
		close(fds[0]);
		CHECK("reparented", r == 'y');
	}

	return t_done();
}
