/* Runs as init under umk: children issue thousands of random system
 * calls with random (and some plausible) arguments. Whatever they do to
 * themselves, the kernel must survive: init reports and powers off.
 * Calls that would only multiply processes or stop the machine are left
 * out; the random seed is printed so a failure can be replayed. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"

static char scratch[8192];

static long arg(void)
{
	switch (next() % 8) {
	case 0: return 0;
	case 1: return (long)(next() % 64);
	case 2: return -(long)(next() % 8);
	case 3: return (long)(scratch + next() % 4096);	/* valid memory */
	case 4: return (long)"/tmp/fuzz";		/* a real path */
	case 5: return (long)(next() & 0xffff);
	case 6: return (long)0x7fc000000000 + (long)(next() % 0x200000);	/* the stub area */
	default: return (long)next();
	}
}

static int excluded(long nr)
{
	switch (nr) {
	case SYS_fork: case SYS_vfork: case SYS_clone: case SYS_clone3:
	case SYS_reboot: case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: case SYS_execve: case SYS_execveat:
	case SYS_exit: case SYS_exit_group:
		return 1;
	}
	return 0;
}

static void child(void)
{
	alarm(1);
	for (int i = 0; i < 400; i++) {
		long nr = (long)(next() % 450);
		if (excluded(nr))
			continue;
		long a[6] = { arg(), arg(), arg(), arg(), arg(), arg() };
		if (getenv("FUZZ_VERBOSE"))
			dprintf(2, "sys %ld(%lx, %lx, %lx, %lx)\n", nr, a[0], a[1], a[2], a[3]);
		long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (getenv("FUZZ_VERBOSE"))
			dprintf(2, "  = %ld\n", r < 0 ? -errno : r);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	rng = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
	if (!rng)
		rng = 1;
	printf("fuzz seed %llu\n", (unsigned long long)rng);
	fflush(stdout);
	int rounds = 24, killed = 0, exited = 0;
	for (int r = 0; r < rounds; r++) {
		uint64_t seed = next();
		pid_t p = fork();
		if (p == 0) {
			rng = seed ? seed : 1;
			child();
		}
		int st = 0;
		for (int t = 0; t < 100; t++) {	/* 1 s */
			if (waitpid(p, &st, WNOHANG) == p)
				break;
			struct timespec ts = { 0, 10000000 };
			nanosleep(&ts, NULL);
			if (t == 99) {
				kill(p, SIGKILL);
				waitpid(p, &st, 0);
				killed++;
			}
		}
		exited++;
		/* reap anything reparented to us */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	printf("fuzz: %d children done (%d needed SIGKILL), kernel alive\n", exited, killed);
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 1;
}
