#define _GNU_SOURCE
/* A CPU-bound guest process for kernel.bats's scheduling tests:
 *   spin SECONDS LABEL [fifo PRIO | rr PRIO | nice N | idle]
 * takes the policy, spins until SECONDS of wall-clock time have passed,
 * then prints "LABEL done, cpu MS ms": the CPU time of the spinning. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	double secs = atof(argv[1]);
	if (argc >= 5) {
		struct sched_param p = { .sched_priority = atoi(argv[4]) };
		int r = 0;
		if (!strcmp(argv[3], "fifo"))
			r = sched_setscheduler(0, SCHED_FIFO, &p);
		else if (!strcmp(argv[3], "rr"))
			r = sched_setscheduler(0, SCHED_RR, &p);
		else if (!strcmp(argv[3], "nice"))
			r = setpriority(PRIO_PROCESS, 0, atoi(argv[4]));
		if (r) {
			printf("%s: %s\n", argv[2], strerror(errno));
			return 1;
		}
	} else if (argc == 4 && !strcmp(argv[3], "idle")) {
		struct sched_param p = { 0 };
		if (sched_setscheduler(0, SCHED_IDLE, &p))
			return 1;
	}
	double end = now(CLOCK_MONOTONIC) + secs, cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	volatile unsigned long x = 0;
	while (now(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 100000; i++)
			x += i;
	printf("%s done, cpu %d ms\n", argv[2], (int)((now(CLOCK_PROCESS_CPUTIME_ID) - cpu0) * 1000));
	fflush(stdout);
	return 0;
}
