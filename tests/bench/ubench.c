/* Micro-benchmarks run natively and inside umk by tests/bench/run.sh.
 * usage: ubench getppid|fork|forkexec|pagefault|all
 * Each prints "NAME VALUE UNIT". Loops are time-bounded, not count-bounded,
 * so a slow kernel still finishes quickly. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *self;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void b_getppid(void)
{
	long n = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getppid);
		n += 1000;
		t = now();
	} while (t - t0 < 0.5);
	printf("getppid %.1f ns\n", (t - t0) / n * 1e9);
}

static void b_fork(void)
{
	long n = 0;
	double t0 = now(), t;
	do {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
		n++;
		t = now();
	} while (t - t0 < 1.0 || n < 5);
	printf("fork+exit+wait %.1f us\n", (t - t0) / n * 1e6);
}

static void b_forkexec(void)
{
	long n = 0;
	double t0 = now(), t;
	char *argv[] = { (char *)self, "exit", NULL };
	char *envp[] = { NULL };
	do {
		pid_t p = fork();
		if (p == 0) {
			execve(self, argv, envp);
			_exit(127);
		}
		int st;
		waitpid(p, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("fork+execve+wait failed\n");
			return;
		}
		n++;
		t = now();
	} while (t - t0 < 1.0 || n < 5);
	printf("fork+execve+wait %.1f us\n", (t - t0) / n * 1e6);
}

static void b_pagefault(void)
{
	size_t len = 64u << 20, pages = len / 4096;
	double best = 1e9;
	for (int round = 0; round < 3; round++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("pagefault mmap-failed us/page\n");
			return;
		}
		double t0 = now();
		for (size_t i = 0; i < len; i += 4096)
			p[i] = 1;
		double t = (now() - t0) / pages * 1e6;
		if (t < best)
			best = t;
		munmap(p, len);
	}
	printf("pagefault %.3f us/page\n", best);
}

int main(int argc, char **argv)
{
	self = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *what = argc > 1 ? argv[1] : "all";
	if (!strcmp(what, "exit"))
		return 0;
	int all = !strcmp(what, "all");
	if (all || !strcmp(what, "getppid"))
		b_getppid();
	if (all || !strcmp(what, "fork"))
		b_fork();
	if (all || !strcmp(what, "forkexec"))
		b_forkexec();
	if (all || !strcmp(what, "pagefault"))
		b_pagefault();
	return 0;
}
