/* Small host services for the kernel: randomness, the raw log channel,
 * CPU accounting and power-off. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>
#include "um.h"
#include <umk/arch.h>

void arch_get_random(void *buf, size_t n)
{
	char *p = buf;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r <= 0)
			continue;
		p += r;
		n -= (size_t)r;
	}
}

uint64_t arch_hwcap(void)
{
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	return d;
}

void arch_console_write_raw(const char *s, size_t n)
{
	while (n) {
		ssize_t r = write(2, s, n);
		if (r <= 0)
			return;
		s += r;
		n -= (size_t)r;
	}
}

int64_t arch_host_total_cpu_ns(void)
{
	struct rusage a, b;
	getrusage(RUSAGE_SELF, &a);
	getrusage(RUSAGE_CHILDREN, &b);
	int64_t us = a.ru_utime.tv_sec * 1000000LL + a.ru_utime.tv_usec + a.ru_stime.tv_sec * 1000000LL +
		     a.ru_stime.tv_usec + b.ru_utime.tv_sec * 1000000LL + b.ru_utime.tv_usec +
		     b.ru_stime.tv_sec * 1000000LL + b.ru_stime.tv_usec;
	return us * 1000;
}

static bool halting;

bool arch_halting(void)
{
	return halting;
}

void arch_halt(int status)
{
	/* atexit hooks restore the host terminal and finish queued disk
	 * I/O (on this stack: nothing may sleep now); PTRACE_O_EXITKILL
	 * takes every stub process down with us. */
	halting = true;
	exit(status);
}
