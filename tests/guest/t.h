/* Shared helpers for umk guest test programs.
 *
 * Every program prints only deterministic lines (no pids, addresses or
 * timings) so that its output natively and under umk can be compared
 * byte for byte, and exits 0 only if all its checks passed.
 */
#ifndef UMK_GUEST_T_H
#define UMK_GUEST_T_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>

static int t_failures;

/* Line-buffered stdout both natively (a pipe) and under umk (a tty), so
 * fork() never duplicates half-written output. */
__attribute__((constructor)) static void t_setup(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IONBF, 0);
	/* Start from a known signal state whatever the launcher left (a
	 * non-interactive shell ignores SIGINT/SIGQUIT for background jobs). */
	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

#define CHECK(label, cond)                                                      \
	do {                                                                    \
		if (cond) {                                                     \
			printf("%s: ok\n", (label));                            \
		} else {                                                        \
			printf("%s: FAIL (%s:%d: %s)\n", (label), __FILE__,     \
			       __LINE__, #cond);                                \
			t_failures++;                                           \
		}                                                               \
	} while (0)

/* expr must fail with -1 and errno == err. */
#define CHECK_ERR(label, expr, err)                                             \
	do {                                                                    \
		errno = 0;                                                      \
		long t_r_ = (long)(expr);                                       \
		int t_e_ = errno;                                               \
		if (t_r_ == -1 && t_e_ == (err)) {                              \
			printf("%s: %s\n", (label), #err);                      \
		} else {                                                        \
			printf("%s: FAIL (%s:%d: got %ld errno %d %s, want "    \
			       "%s)\n",                                         \
			       (label), __FILE__, __LINE__, t_r_, t_e_,         \
			       strerror(t_e_), #err);                           \
			t_failures++;                                           \
		}                                                               \
	} while (0)

/* expr must succeed (not return -1). */
#define CHECK_OK(label, expr)                                                   \
	do {                                                                    \
		errno = 0;                                                      \
		long t_r_ = (long)(expr);                                       \
		if (t_r_ != -1) {                                               \
			printf("%s: ok\n", (label));                            \
		} else {                                                        \
			printf("%s: FAIL (%s:%d: errno %d %s)\n", (label),      \
			       __FILE__, __LINE__, errno, strerror(errno));     \
			t_failures++;                                           \
		}                                                               \
	} while (0)

/* Fatal setup failure: the rest of the test cannot run. */
#define DIE(what)                                                               \
	do {                                                                    \
		printf("FATAL %s (%s:%d): %s\n", (what), __FILE__, __LINE__,    \
		       strerror(errno));                                        \
		exit(2);                                                        \
	} while (0)

/* /proc/meminfo's MemTotal in kB, or -1. */
__attribute__((unused)) static long long t_memtotal_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static inline int t_done(void)
{
	fflush(stdout);
	return t_failures ? 1 : 0;
}

#endif
