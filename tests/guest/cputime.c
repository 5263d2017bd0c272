/* CPU time is what ran: sleeping costs none (times, getrusage, a child's
 * rusage through wait4, /proc/self/stat), spinning is user time (the
 * guest's /proc/stat idle: kernel.bats, as the host's depends on its
 * load). Coarse on purpose (the
 * checks are "about none" and "most of it"): outputs are the same
 * natively and under umk on an idle or a busy host. */
#include "t.h"
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static double cpu_of(const struct rusage *r)
{
	return r->ru_utime.tv_sec + r->ru_utime.tv_usec / 1e6 + r->ru_stime.tv_sec + r->ru_stime.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void spin(double secs)
{
	struct rusage r;
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 1000000; i++)
			x += i;
		getrusage(RUSAGE_SELF, &r);
	} while (r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 < secs);
}

/* /proc/self/stat fields 14 and 15: utime and stime in clock ticks */
static long proc_ticks(void)
{
	FILE *f = fopen("/proc/self/stat", "r");
	char buf[1024];
	long u = -1, s = -1;
	if (f && fgets(buf, sizeof(buf), f)) {
		char *p = strrchr(buf, ')');
		if (p)
			sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &u, &s);
	}
	if (f)
		fclose(f);
	return u < 0 || s < 0 ? -1 : u + s;
}

int main(void)
{
	struct rusage r0, r1;
	struct tms t0, t1;
	getrusage(RUSAGE_SELF, &r0);
	times(&t0);
	long p0 = proc_ticks();
	double w0 = now();
	struct timespec half = { 0, 500000000 };
	nanosleep(&half, NULL);
	double slept = now() - w0;
	getrusage(RUSAGE_SELF, &r1);
	times(&t1);
	CHECK("slept half a second", slept >= 0.5);
	CHECK("sleeping costs about no CPU (getrusage)", cpu_of(&r1) - cpu_of(&r0) < 0.1);
	CHECK("sleeping costs about no CPU (times)",
	      (t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime) < sysconf(_SC_CLK_TCK) / 10);
	CHECK("sleeping costs about no CPU (/proc/self/stat)", proc_ticks() - p0 < sysconf(_SC_CLK_TCK) / 10);

	/* a child that sleeps, then one that spins: wait4's rusage */
	pid_t c = fork();
	if (c == 0) {
		nanosleep(&half, NULL);
		_exit(0);
	}
	int st;
	struct rusage rc;
	wait4(c, &st, 0, &rc);
	CHECK("a sleeping child cost about no CPU", cpu_of(&rc) < 0.1);
	c = fork();
	if (c == 0) {
		spin(0.3);
		_exit(0);
	}
	wait4(c, &st, 0, &rc);
	CHECK("a spinning child's time is mostly user time",
	      rc.ru_utime.tv_sec + rc.ru_utime.tv_usec / 1e6 >= 0.3 && cpu_of(&rc) < 3);
	struct rusage ch;
	getrusage(RUSAGE_CHILDREN, &ch);
	CHECK("RUSAGE_CHILDREN has both children's time", cpu_of(&ch) >= 0.3);
	spin(0.2);
	getrusage(RUSAGE_SELF, &r1);
	CHECK("spinning is user time", r1.ru_utime.tv_sec + r1.ru_utime.tv_usec / 1e6 >= 0.2);
	return t_failures ? 1 : 0;
}
