/* Micro-benchmarks run natively and inside umk by tests/bench/run.sh.
 * usage: ubench NAME...   NAME: getppid fork forkexec pagefault (or base
 *        for these four), thread futex pipe epoll, all
 * Each prints "NAME VALUE UNIT", or "NAME failed: why" when the kernel
 * lacks what it needs. Loops are time-bounded, not count-bounded, so a
 * slow kernel still finishes quickly. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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

static void *t_nothing(void *arg)
{
	return arg;
}

/* pthread_create + pthread_join of a thread that returns at once. */
static void b_thread(void)
{
	long n = 0;
	double t0 = now(), t;
	do {
		pthread_t th;
		int e = pthread_create(&th, NULL, t_nothing, NULL);
		if (e) {
			printf("thread failed: pthread_create: %s\n", strerror(e));
			return;
		}
		if ((e = pthread_join(th, NULL))) {
			printf("thread failed: pthread_join: %s\n", strerror(e));
			return;
		}
		n++;
		t = now();
	} while (t - t0 < 0.5 || n < 5);
	printf("thread %.1f us\n", (t - t0) / n * 1e6);
}

/* futex ping-pong between two threads: one round trip is a wake of the
 * peer and a wake back, each side sleeping in FUTEX_WAIT in between. */
static _Atomic int fx_word;
static _Atomic int fx_stop;

static long futex(_Atomic int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static void *t_pong(void *arg)
{
	(void)arg;
	for (;;) {
		while (atomic_load(&fx_word) != 1) {
			if (atomic_load(&fx_stop))
				return NULL;
			futex(&fx_word, FUTEX_WAIT, 0);
		}
		atomic_store(&fx_word, 0);
		futex(&fx_word, FUTEX_WAKE, 1);
	}
}

static void b_futex(void)
{
	pthread_t th;
	int e = pthread_create(&th, NULL, t_pong, NULL);
	if (e) {
		printf("futex failed: pthread_create: %s\n", strerror(e));
		return;
	}
	long n = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 100; i++) {
			atomic_store(&fx_word, 1);
			futex(&fx_word, FUTEX_WAKE, 1);
			while (atomic_load(&fx_word) != 0)
				futex(&fx_word, FUTEX_WAIT, 1);
		}
		n += 100;
		t = now();
	} while (t - t0 < 0.5);
	atomic_store(&fx_stop, 1);
	futex(&fx_word, FUTEX_WAKE, 1);
	pthread_join(th, NULL);
	printf("futex %.1f us\n", (t - t0) / n * 1e6);
}

/* Bytes through a pipe to a child process, 64 KiB writes, for 1 s. */
static void b_pipe(void)
{
	static char buf[65536];
	int fd[2];
	if (pipe(fd)) {
		printf("pipe failed: pipe: %s\n", strerror(errno));
		return;
	}
	fflush(stdout);
	pid_t p = fork();
	if (p < 0) {
		printf("pipe failed: fork: %s\n", strerror(errno));
		return;
	}
	if (p == 0) {
		close(fd[1]);
		while (read(fd[0], buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(fd[0]);
	memset(buf, 'x', sizeof(buf));
	long long bytes = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 16; i++) {
			ssize_t w = write(fd[1], buf, sizeof(buf));
			if (w <= 0) {
				printf("pipe failed: write: %s\n", strerror(errno));
				close(fd[1]);
				waitpid(p, NULL, 0);
				return;
			}
			bytes += w;
		}
		t = now();
	} while (t - t0 < 1.0);
	close(fd[1]);
	waitpid(p, NULL, 0);
	t = now();
	printf("pipe %.1f MB/s\n", bytes / (t - t0) / 1e6);
}

/* epoll_wait (timeout 0) on an epoll set holding one ready fd: a pipe
 * with a byte in it, level-triggered. */
static void b_epoll(void)
{
	int fd[2], ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		printf("epoll failed: epoll_create1: %s\n", strerror(errno));
		return;
	}
	if (pipe(fd) || write(fd[1], "x", 1) != 1) {
		printf("epoll failed: pipe: %s\n", strerror(errno));
		return;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd[0] }, out;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &ev)) {
		printf("epoll failed: epoll_ctl: %s\n", strerror(errno));
		return;
	}
	long n = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 100; i++) {
			if (epoll_wait(ep, &out, 1, 0) != 1 || out.data.fd != fd[0]) {
				printf("epoll failed: epoll_wait did not report the ready fd\n");
				return;
			}
		}
		n += 100;
		t = now();
	} while (t - t0 < 0.5);
	printf("epoll %.2f us\n", (t - t0) / n * 1e6);
	close(ep);
	close(fd[0]);
	close(fd[1]);
}

static const struct {
	const char *name;
	void (*fn)(void);
	int base;
} benches[] = {
	{ "getppid", b_getppid, 1 },
	{ "fork", b_fork, 1 },
	{ "forkexec", b_forkexec, 1 },
	{ "pagefault", b_pagefault, 1 },
	{ "thread", b_thread, 0 },
	{ "futex", b_futex, 0 },
	{ "pipe", b_pipe, 0 },
	{ "epoll", b_epoll, 0 },
};

int main(int argc, char **argv)
{
	self = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "exit"))
		return 0;
	char *dflt[] = { argv[0], "all" };
	if (argc < 2) {
		argc = 2;
		argv = dflt;
	}
	for (int a = 1; a < argc; a++) {
		int found = 0;
		for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
			if (!strcmp(argv[a], benches[i].name) || !strcmp(argv[a], "all") ||
			    (benches[i].base && !strcmp(argv[a], "base"))) {
				benches[i].fn();
				found = 1;
			}
		}
		if (!found) {
			fprintf(stderr, "ubench: unknown benchmark %s\n", argv[a]);
			return 2;
		}
	}
	return 0;
}
