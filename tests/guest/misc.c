/* Miscellaneous system calls: uname, getrandom, clocks, sleeping,
 * sysinfo, umask, sessions and process groups, rlimits, arch_prctl,
 * sched_yield, times. */
#include "t.h"
#include <asm/prctl.h>
#include <ctype.h>
#include <sched.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

static __thread int tls_var = 5;

static int64_t ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int run_child(int (*fn)(void))
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0)
		_exit(fn());
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static int sess_child(void)
{
	pid_t me = getpid();
	if (setsid() != me)
		return 1;
	if (getsid(0) != me || getpgid(0) != me || getpgrp() != me)
		return 2;
	/* a session leader cannot make a new session */
	if (setsid() != -1 || errno != EPERM)
		return 3;
	return 0;
}

static int pgrp_child(void)
{
	pid_t me = getpid(), sid = getsid(0);
	if (setpgid(0, 0) != 0 || getpgid(0) != me)
		return 1;
	if (getsid(0) != sid)
		return 2; /* same session */
	/* a grandchild joins our group */
	int fds[2];
	if (pipe(fds))
		return 3;
	pid_t g = fork();
	if (g == 0) {
		char c;
		(void)!read(fds[0], &c, 1);
		_exit(getpgid(0) == me ? 0 : 1);
	}
	if (getpgid(g) != me)
		return 4;
	(void)!write(fds[1], "x", 1);
	int st;
	waitpid(g, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 5;
	if (getpgid(999999999) != -1 || errno != ESRCH)
		return 6;
	return 0;
}

int main(void)
{
	/* uname */
	struct utsname u;
	CHECK_OK("uname", uname(&u));
	printf("sysname: %s\n", u.sysname);
	printf("machine: %s\n", u.machine);
	CHECK("release starts with a digit", isdigit((unsigned char)u.release[0]));
	CHECK("nodename non-empty", u.nodename[0] != 0);

	/* getrandom */
	unsigned char r1[32], r2[32];
	CHECK("getrandom 32 bytes", getrandom(r1, sizeof r1, 0) == 32);
	CHECK("getrandom again", getrandom(r2, sizeof r2, GRND_NONBLOCK) == 32);
	CHECK("two draws differ", memcmp(r1, r2, 32) != 0);
	CHECK_ERR("getrandom bad flags", getrandom(r1, 1, 0x1000), EINVAL);

	/* clocks */
	int64_t a = ns(CLOCK_MONOTONIC), b = ns(CLOCK_MONOTONIC);
	CHECK("monotonic does not go back", b >= a);
	struct timespec res;
	CHECK("clock_getres monotonic", clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
	CHECK("realtime after 2020", ns(CLOCK_REALTIME) / 1000000000 > 1577836800);
	struct timespec tv;
	CHECK("time() matches CLOCK_REALTIME", clock_gettime(CLOCK_REALTIME, &tv) == 0 && labs(time(NULL) - tv.tv_sec) <= 1);
	CHECK("process CPU clock", ns(CLOCK_PROCESS_CPUTIME_ID) >= 0);
	CHECK_ERR("clock_gettime bad clock", clock_gettime(12345, &tv), EINVAL);

	/* nanosleep sleeps at least as long as asked */
	a = ns(CLOCK_MONOTONIC);
	struct timespec req = { 0, 200000000 };
	CHECK_OK("nanosleep 200 ms", nanosleep(&req, NULL));
	b = ns(CLOCK_MONOTONIC);
	CHECK("slept at least 200 ms", b - a >= 200000000);
	CHECK("slept less than 5 s", b - a < 5000000000LL);
	req.tv_nsec = 1000000000;
	CHECK_ERR("nanosleep bad nsec", nanosleep(&req, NULL), EINVAL);
	a = ns(CLOCK_MONOTONIC);
	struct timespec abs_t;
	clock_gettime(CLOCK_MONOTONIC, &abs_t);
	abs_t.tv_nsec += 100000000;
	if (abs_t.tv_nsec >= 1000000000) {
		abs_t.tv_sec++;
		abs_t.tv_nsec -= 1000000000;
	}
	CHECK("clock_nanosleep TIMER_ABSTIME", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_t, NULL) == 0 &&
						       ns(CLOCK_MONOTONIC) - a >= 90000000);

	/* sysinfo */
	struct sysinfo si;
	CHECK_OK("sysinfo", sysinfo(&si));
	CHECK("sysinfo totalram > 0", si.totalram > 0 && si.mem_unit > 0);
	CHECK("sysinfo freeram <= totalram", si.freeram <= si.totalram);
	CHECK("sysinfo procs > 0", si.procs > 0);

	/* umask */
	mode_t old = umask(0077);
	CHECK("umask returns old value", umask(old) == 0077);

	/* ids */
	CHECK("getuid == geteuid", getuid() == geteuid());
	CHECK("getgid == getegid", getgid() == getegid());
	CHECK("gettid == getpid", syscall(SYS_gettid) == getpid());

	/* sessions and process groups, in children (never group leaders) */
	CHECK("setsid/getsid/getpgid in child", run_child(sess_child) == 0);
	CHECK("setpgid/getpgid in child", run_child(pgrp_child) == 0);
	CHECK_ERR("setpgid of a non-child", setpgid(1, 1), ESRCH);

	/* rlimits */
	struct rlimit rl;
	CHECK_OK("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &rl));
	CHECK("soft <= hard", rl.rlim_cur <= rl.rlim_max);
	struct rlimit nl = { 64, rl.rlim_max }, got;
	CHECK_OK("prlimit64 set soft 64", prlimit(0, RLIMIT_NOFILE, &nl, &got));
	CHECK("prlimit64 returned old", got.rlim_cur == rl.rlim_cur);
	getrlimit(RLIMIT_NOFILE, &got);
	CHECK("new soft limit in force", got.rlim_cur == 64);
	CHECK_ERR("dup2 beyond soft limit", dup2(0, 100), EBADF);
	struct rlimit bad = { rl.rlim_max, 64 };
	CHECK_ERR("soft > hard rejected", setrlimit(RLIMIT_NOFILE, &bad), EINVAL);
	setrlimit(RLIMIT_NOFILE, &rl);
	CHECK("getrlimit STACK", getrlimit(RLIMIT_STACK, &got) == 0 && got.rlim_cur > 0);

	/* arch_prctl ARCH_GET_FS is the TLS pointer */
	unsigned long fs = 0, tp;
	__asm__("mov %%fs:0, %0" : "=r"(tp));
	CHECK_OK("arch_prctl ARCH_GET_FS", syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	CHECK("FS base equals the thread pointer", fs == tp && fs != 0);
	CHECK("TLS variable readable", tls_var == 5);
	CHECK("TLS variable inside TLS block", (unsigned long)&tls_var < fs && fs - (unsigned long)&tls_var < 4096);

	/* sched_yield / times */
	CHECK("sched_yield", sched_yield() == 0);
	struct tms t;
	clock_t c = times(&t);
	CHECK("times returns non-negative", c != (clock_t)-1);
	CHECK("sysconf CLK_TCK 100", sysconf(_SC_CLK_TCK) == 100);
	volatile unsigned long spin = 0;
	int64_t start = ns(CLOCK_PROCESS_CPUTIME_ID);
	while (ns(CLOCK_PROCESS_CPUTIME_ID) - start < 50000000)
		spin++;
	struct tms t2;
	times(&t2);
	CHECK("CPU time advances while spinning", t2.tms_utime + t2.tms_stime >= t.tms_utime + t.tms_stime);
	return t_done();
}
