/* Runs as init (pid 1) under umk: starts a root shell, then a fork bomb
 * (argv[1] "sh": busybox sh's `bomb() { bomb | bomb & }; bomb`; "c": a C
 * loop where every child forks too), and for a few seconds checks that
 * init itself and the shell still answer (a 100 ms sleep of init, and
 * "echo pong" through the shell, each timed), reaping whatever is
 * orphaned to it. Then kill(-1, SIGKILL) as an administrator would and
 * times how long until init is alone, shows that fork works again, and
 * powers off. Prints "name: value" lines for tests/bats/limits.bats. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* tasks in the system, zombies included (cheaper than reading /proc) */
static int nprocs(void)
{
	struct sysinfo si;
	return sysinfo(&si) ? -1 : si.procs;
}

/* Reap up to max orphans (0: all there are). During the bomb init takes
 * a few per wakeup, as a process with a fair share of the CPU would:
 * with a thousand runnable tasks that share is a thousandth. */
static void reap_some(int max)
{
	for (int n = 0; (!max || n < max) && waitpid(-1, NULL, WNOHANG) > 0; n++)
		;
}

static void reap(void)
{
	reap_some(0);
}

static void c_bomb(void)
{
	for (;;)
		fork();
}

/* fork, retrying while the bomb holds every task slot (EAGAIN) */
static pid_t fork_retry(void)
{
	for (int i = 0; i < 2000; i++) {
		pid_t p = fork();
		if (p >= 0 || errno != EAGAIN)
			return p;
		reap();
		usleep(5000);
	}
	return -1;
}

/* "echo pong" through the shell; milliseconds until the answer, or -1 */
static long long ping_shell(int to, int from, int n, long long timeout_ms)
{
	char cmd[32], want[16], buf[256];
	snprintf(cmd, sizeof(cmd), "echo pong%d\n", n);
	snprintf(want, sizeof(want), "pong%d", n);
	long long t0 = now_ms();
	if (write(to, cmd, strlen(cmd)) < 0)
		return -1;
	size_t have = 0;
	while (now_ms() - t0 < timeout_ms) {
		struct pollfd p = { from, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0) {
			reap_some(10);
			continue;
		}
		ssize_t r = read(from, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			return -1;
		have += r;
		buf[have] = 0;
		if (strstr(buf, want))
			return now_ms() - t0;
		if (have > sizeof(buf) / 2)
			have = 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "sh";
	int secs = argc > 2 ? atoi(argv[2]) : 10;
	mount("proc", "/proc", "proc", 0, NULL);
	FILE *f = fopen("/proc/sys/kernel/threads-max", "r");
	int tmax = 0;
	if (f && fscanf(f, "%d", &tmax) != 1)
		tmax = 0;
	if (f)
		fclose(f);
	printf("threads-max: %d\n", tmax);

	int in[2], out[2];
	if (pipe(in) || pipe(out))
		return 1;
	pid_t sh = fork();
	if (sh == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execl("/bin/sh", "sh", NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	printf("shell before the bomb: %s\n", ping_shell(in[1], out[0], 0, 5000) >= 0 ? "answers" : "silent");
	fflush(stdout);

	pid_t b = fork();
	if (b == 0) {
		close(1);	/* thousands of "can't fork" lines are not the point */
		close(2);
		if (!strcmp(kind, "c"))
			c_bomb();
		execl("/bin/sh", "sh", "-c", "bomb() { bomb | bomb & }; bomb", NULL);
		_exit(127);
	}
	long long worst_sleep = 0, worst_shell = 0, start = now_ms();
	int peak = 0, answered = 0, asked = 0;
	while (now_ms() - start < secs * 1000LL) {
		/* every 100 ms init wakes (timed) and reaps a few; every 2 s
		 * it asks the shell */
		long long slept = 0;
		for (int i = 0; i < 20; i++) {
			reap_some(10);
			long long t0 = now_ms();
			usleep(100000);
			slept = now_ms() - t0;
			worst_sleep = slept > worst_sleep ? slept : worst_sleep;
		}
		int n = nprocs();
		peak = n > peak ? n : peak;
		long long l = ping_shell(in[1], out[0], ++asked, 20000);
		if (getenv("FB_DEBUG"))
			printf("probe %d: sleep %lld ms, shell %lld ms, %d tasks\n", asked, slept, l, n);
		if (l >= 0) {
			answered++;
			worst_shell = l > worst_shell ? l : worst_shell;
		}
	}
	printf("peak processes: %d\n", peak);
	printf("init's 100 ms sleep took at most: %lld ms\n", worst_sleep);
	printf("shell answered: %d of %d, slowest %lld ms\n", answered, asked, worst_shell);
	fflush(stdout);

	long long t0 = now_ms();
	kill(-1, SIGKILL);
	while (nprocs() > 1 && now_ms() - t0 < 30000) {
		reap();
		usleep(10000);
	}
	reap();
	printf("after kill -9 -1: %d process(es) left after %lld ms\n", nprocs(), now_ms() - t0);
	pid_t c = fork_retry();
	if (c == 0)
		_exit(7);
	int st = 0;
	waitpid(c, &st, 0);
	printf("fork works again: %s\n", c > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? "yes" : "no");
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 1;
}
