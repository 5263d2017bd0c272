/* Scheduling policies and priorities as Linux answers them:
 * sched_setscheduler/getscheduler/setparam/getparam, sched_setattr/
 * getattr, priority ranges, rr_get_interval, SCHED_RESET_ON_FORK and
 * what fork passes on, nice through setpriority/getpriority and in
 * /proc/self/stat, and an unprivileged process's limits (RLIMIT_RTPRIO,
 * RLIMIT_NICE, another user's process). */
#include "t.h"
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

struct attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, r);
}

static long setsched(pid_t pid, int policy, int prio)
{
	struct sched_param p = { .sched_priority = prio };
	return sched_setscheduler(pid, policy, &p);
}

static int getprio(pid_t pid)
{
	struct sched_param p = { .sched_priority = -7 };
	return sched_getparam(pid, &p) ? -errno : p.sched_priority;
}

/* /proc/self/stat: priority, nice (18, 19), rt_priority, policy (40, 41) */
static void stat_fields(const char *who)
{
	FILE *f = fopen("/proc/self/stat", "r");
	char buf[1024] = "";
	if (f && fgets(buf, sizeof(buf), f)) {
		char *p = strrchr(buf, ')') + 2;
		long v[41];
		int n = 0;
		char *save;
		for (char *tok = strtok_r(p, " ", &save); tok && n < 41; tok = strtok_r(NULL, " ", &save))
			v[n++] = atol(tok);
		/* fields from 3: index = field - 3 */
		printf("%s stat: priority %ld nice %ld rt_priority %ld policy %ld\n", who, v[15], v[16], v[37], v[38]);
	}
	if (f)
		fclose(f);
}

int main(void)
{
	show("getscheduler", sched_getscheduler(0));
	show("getparam", getprio(0));
	int pols[] = { SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, 4, 9, -1 };	/* 7 is SCHED_EXT since 6.12 */
	for (unsigned i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		printf("policy %d: ", pols[i]);
		long mx = sched_get_priority_max(pols[i]), mn = sched_get_priority_min(pols[i]);
		printf("max %ld min %ld\n", mx < 0 ? -errno : mx, mn < 0 ? -errno : mn);
	}
	show("setscheduler(policy -1)", setsched(0, -1, 0));
	show("setscheduler(NULL param)", sched_setscheduler(0, SCHED_OTHER, NULL));
	show("setscheduler(pid -1)", setsched(-1, SCHED_OTHER, 0));
	show("setscheduler(no such pid)", setsched(999999, SCHED_OTHER, 0));
	show("OTHER with priority 5", setsched(0, SCHED_OTHER, 5));
	show("FIFO with priority 0", setsched(0, SCHED_FIFO, 0));
	show("FIFO with priority 100", setsched(0, SCHED_FIFO, 100));
	show("FIFO with priority -1", setsched(0, SCHED_FIFO, -1));
	show("policy 4", setsched(0, 4, 0));
	show("DEADLINE through setscheduler", setsched(0, 6, 0));
	show("FIFO 10", setsched(0, SCHED_FIFO, 10));
	show("  getscheduler", sched_getscheduler(0));
	show("  getparam", getprio(0));
	struct timespec ts = { 9, 9 };
	show("  rr_get_interval", sched_rr_get_interval(0, &ts));
	printf("  interval %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
	stat_fields("FIFO 10");
	show("RR 20 | RESET_ON_FORK", setsched(0, SCHED_RR | SCHED_RESET_ON_FORK, 20));
	show("  getscheduler", sched_getscheduler(0));
	sched_rr_get_interval(0, &ts);
	printf("  RR interval %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
	pid_t c = fork();
	if (c == 0) {
		show("  child getscheduler", sched_getscheduler(0));
		show("  child getparam", getprio(0));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	show("setparam 30", ({ struct sched_param p = { 30 }; sched_setparam(0, &p); }));
	show("  getscheduler", sched_getscheduler(0));
	show("  getparam", getprio(0));
	show("setparam 0 (RR needs 1..99)", ({ struct sched_param p = { 0 }; sched_setparam(0, &p); }));
	show("back to OTHER", setsched(0, SCHED_OTHER, 0));
	show("BATCH", setsched(0, SCHED_BATCH, 0));
	show("  getscheduler", sched_getscheduler(0));
	show("IDLE", setsched(0, SCHED_IDLE, 0));
	show("  getscheduler", sched_getscheduler(0));
	show("OTHER", setsched(0, SCHED_OTHER, 0));

	/* nice */
	show("setpriority 5", setpriority(PRIO_PROCESS, 0, 5));
	show("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	show("setpriority 99 (clamped to 19)", setpriority(PRIO_PROCESS, 0, 99));
	show("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	show("setpriority 5", setpriority(PRIO_PROCESS, 0, 5));
	stat_fields("nice 5");
	show("getpriority(bad which)", syscall(SYS_getpriority, 7, 0));
	show("getpriority(no such pid)", syscall(SYS_getpriority, PRIO_PROCESS, 999999));
	c = fork();
	if (c == 0) {
		show("  child getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
		_exit(0);
	}
	waitpid(c, NULL, 0);

	/* sched_setattr / getattr */
	struct attr a;
	memset(&a, 0, sizeof(a));
	show("getattr size 48", syscall(SYS_sched_getattr, 0, &a, 48, 0));
	printf("  size %u policy %u flags %llu nice %d priority %u\n", a.size, a.policy, (unsigned long long)a.flags,
	       a.nice, a.priority);
	show("getattr size 40", syscall(SYS_sched_getattr, 0, &a, 40, 0));
	show("getattr flags 1", syscall(SYS_sched_getattr, 0, &a, 48, 1));
	memset(&a, 0, sizeof(a));
	a.policy = SCHED_OTHER;
	a.nice = 3;
	show("setattr size 0 nice 3", syscall(SYS_sched_setattr, 0, &a, 0));
	show("  getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	a.size = 48;
	a.nice = -50;
	show("setattr nice -50 (clamped)", syscall(SYS_sched_setattr, 0, &a, 0));
	show("  getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	uint8_t big[80];
	memset(big, 0, sizeof(big));
	memcpy(big, &a, sizeof(a));
	((struct attr *)big)->size = 80;
	big[70] = 1;
	show("setattr size 80, extra byte set", syscall(SYS_sched_setattr, 0, big, 0));
	printf("  size written back: %u\n", ((struct attr *)big)->size);
	a.size = 48;
	a.policy = SCHED_FIFO;
	a.priority = 7;
	a.nice = 0;
	show("setattr FIFO 7", syscall(SYS_sched_setattr, 0, &a, 0));
	show("  getparam", getprio(0));
	a.flags = 0x8;	/* SCHED_FLAG_KEEP_POLICY */
	a.priority = 8;
	show("setattr KEEP_POLICY priority 8", syscall(SYS_sched_setattr, 0, &a, 0));
	show("  getscheduler", sched_getscheduler(0));
	show("  getparam", getprio(0));
	a.flags = 0;
	a.policy = 6;
	a.runtime = a.deadline = a.period = 0;
	show("setattr DEADLINE without parameters", syscall(SYS_sched_setattr, 0, &a, 0));
	a.policy = SCHED_OTHER;
	a.priority = 0;
	a.flags = 0x1000;
	show("setattr unknown flag", syscall(SYS_sched_setattr, 0, &a, 0));
	show("setattr flags arg 1", syscall(SYS_sched_setattr, 0, &a, 1));
	a.flags = 0;
	show("setattr OTHER", syscall(SYS_sched_setattr, 0, &a, 0));

	/* an unprivileged process */
	setpriority(PRIO_PROCESS, 0, 0);
	pid_t parent = getpid();
	c = fork();
	if (c == 0) {
		struct rlimit z = { 0, 0 };
		setrlimit(RLIMIT_RTPRIO, &z);
		setrlimit(RLIMIT_NICE, &z);
		if (setgid(65534) || setuid(65534))
			_exit(3);
		show("  user: FIFO 1", setsched(0, SCHED_FIFO, 1));
		show("  user: nice 10", setpriority(PRIO_PROCESS, 0, 10));
		show("  user: nice back to 5", setpriority(PRIO_PROCESS, 0, 5));
		show("  user: root's process", setpriority(PRIO_PROCESS, parent, 10));
		show("  user: setscheduler on root's process", setsched(parent, SCHED_BATCH, 0));
		show("  user: IDLE", setsched(0, SCHED_IDLE, 0));
		show("  user: out of IDLE", setsched(0, SCHED_OTHER, 0));
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	CHECK("the unprivileged child ran", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return t_failures ? 1 : 0;
}
