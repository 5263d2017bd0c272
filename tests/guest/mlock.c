/* mlock, mlock2, munlock, mlockall, munlockall and the fork behaviour of
 * madvise (DONTFORK, WIPEONFORK): errno in Linux's order, VmLck in
 * /proc/self/status, RLIMIT_MEMLOCK for an unprivileged process, locks
 * not inherited across fork, DONTFORK memory absent in the child and
 * WIPEONFORK memory zero there. */
#include "t.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PG 4096

static long vmlck_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static const char *err(long r)
{
	return r == 0 ? "0" : strerror(errno);
}

static void report(const char *what, long r)
{
	printf("%s: %s\n", what, err(r));
}

/* In a child: does touching p fault? */
static int faults_in_child(volatile char *p, char *val)
{
	pid_t c = fork();
	if (c == 0) {
		signal(SIGSEGV, SIG_DFL);
		*val = *p;
		_exit(*p == 0 ? 10 : 11);
	}
	int st;
	waitpid(c, &st, 0);
	if (WIFSIGNALED(st))
		return WTERMSIG(st) == SIGSEGV ? 1 : -1;
	*val = WEXITSTATUS(st) == 10 ? 0 : 1;
	return 0;
}

int main(void)
{
	char *m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long base = vmlck_kb();
	printf("VmLck at start: %ld kB\n", base);
	report("mlock(2 pages)", mlock(m, 2 * PG));
	printf("VmLck: +%ld kB\n", vmlck_kb() - base);
	report("mlock(unaligned start, 1 byte)", mlock(m + 5 * PG + 100, 1));
	printf("VmLck: +%ld kB\n", vmlck_kb() - base);
	report("mlock again (overlap)", mlock(m, 3 * PG));
	printf("VmLck: +%ld kB\n", vmlck_kb() - base);
	report("munlock(1 page)", munlock(m + PG, PG));
	printf("VmLck: +%ld kB\n", vmlck_kb() - base);
	report("mlock2(MLOCK_ONFAULT)", syscall(SYS_mlock2, m + 6 * PG, PG, 1));
	printf("VmLck: +%ld kB\n", vmlck_kb() - base);
	report("mlock2(bad flags)", syscall(SYS_mlock2, m, PG, 2));
	report("mlock(0 bytes)", mlock(m, 0));
	/* a hole: ENOMEM, nothing changed */
	munmap(m + 7 * PG, PG);
	report("mlock over a hole", mlock(m + 6 * PG, 2 * PG));
	report("munlock over a hole", munlock(m + 6 * PG, 2 * PG));
	report("madvise(DONTFORK) over a hole", madvise(m + 6 * PG, 2 * PG, MADV_DONTFORK));
	report("madvise(DOFORK) over a hole", madvise(m + 6 * PG, 2 * PG, MADV_DOFORK));
	printf("VmLck: +%ld kB\n", vmlck_kb() - base);
	report("mlock unmapped", mlock((void *)0x10000, PG));
	report("madvise(DONTNEED) on locked", madvise(m, PG, MADV_DONTNEED));

	/* not inherited */
	pid_t c = fork();
	if (c == 0) {
		printf("child VmLck: %ld kB\n", vmlck_kb());
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	report("munlockall", munlockall());
	printf("VmLck after munlockall: +%ld kB\n", vmlck_kb() - base);

	report("mlockall(0)", mlockall(0));
	report("mlockall(MCL_ONFAULT alone)", mlockall(MCL_ONFAULT));
	report("mlockall(bad)", mlockall(0x100));
	report("mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE));
	char *f = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("a new mapping after MCL_FUTURE: +%ld kB\n", vmlck_kb() - base);
	munmap(f, 3 * PG);
	report("munlockall", munlockall());
	char *l = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	printf("MAP_LOCKED: %s, +%ld kB\n", l == MAP_FAILED ? strerror(errno) : "mapped", vmlck_kb() - base);
	munmap(l, 2 * PG);

	/* unprivileged: RLIMIT_MEMLOCK */
	c = fork();
	if (c == 0) {
		struct rlimit r = { 2 * PG, 2 * PG };
		setrlimit(RLIMIT_MEMLOCK, &r);
		if (setgid(65534) || setuid(65534))
			_exit(3);
		report("user: mlock within the limit", mlock(m, 2 * PG));
		report("user: mlock past the limit", mlock(m + 2 * PG, PG));
		report("user: relock what is locked", mlock(m, 2 * PG));
		report("user: mlockall(MCL_CURRENT) past the limit", mlockall(MCL_CURRENT));
		char *x = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
		printf("user: MAP_LOCKED past the limit: %s\n", x == MAP_FAILED ? strerror(errno) : "mapped");
		r.rlim_cur = r.rlim_max = 0;
		setrlimit(RLIMIT_MEMLOCK, &r);
		report("user: mlock with limit 0", mlock(m + 4 * PG, PG));
		report("user: mlockall with limit 0", mlockall(MCL_CURRENT));
		report("user: munlock", munlock(m, 2 * PG));
		_exit(0);
	}
	waitpid(c, &st, 0);
	CHECK("the unprivileged child ran", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* fork behaviour */
	char *d = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(d, 7, 3 * PG);
	report("madvise(DONTFORK)", madvise(d, PG, MADV_DONTFORK));
	report("madvise(WIPEONFORK)", madvise(d + PG, PG, MADV_WIPEONFORK));
	char v;
	printf("DONTFORK page in the child: %s\n", faults_in_child(d, &v) == 1 ? "SIGSEGV" : "present");
	int r = faults_in_child(d + PG, &v);
	printf("WIPEONFORK page in the child: %s\n", r ? "fault" : v == 0 ? "zero" : "copied");
	r = faults_in_child(d + 2 * PG, &v);
	printf("an ordinary page in the child: %s\n", r ? "fault" : v == 0 ? "zero" : "copied");
	printf("the parent keeps its data: %d %d\n", d[0], d[PG]);
	report("madvise(DOFORK)", madvise(d, PG, MADV_DOFORK));
	report("madvise(KEEPONFORK)", madvise(d + PG, PG, MADV_KEEPONFORK));
	r = faults_in_child(d, &v);
	printf("after DOFORK: %s\n", r ? "fault" : v == 0 ? "zero" : "copied");
	r = faults_in_child(d + PG, &v);
	printf("after KEEPONFORK: %s\n", r ? "fault" : v == 0 ? "zero" : "copied");
	char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	report("madvise(WIPEONFORK) on shared memory", madvise(s, PG, MADV_WIPEONFORK));
	report("madvise(unaligned)", madvise(d + 1, PG, MADV_DONTFORK));
	report("madvise(bad advice)", madvise(d, PG, 12345));
	return t_failures ? 1 : 0;
}
