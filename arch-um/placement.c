/* Which host CPU a guest runs on (pin=).
 *
 * The kernel and its guest never run at the same time (one virtual CPU),
 * and every trap is a hand-off between them: on one host CPU that costs a
 * same-CPU switch instead of a cross-CPU wakeup, several times cheaper.
 * So the whole guest (umk's threads and every stub, which inherit the
 * affinity) lives on one CPU. Which one matters when many guests share a
 * host: a script that starts fifty guests must not leave them crowded on
 * the CPU its shell ran on. So:
 *   - at start, the allowed CPU with the fewest other umk guests pinned
 *     to it (ties: the CPU we are on);
 *   - afterwards a placement thread looks once a second (with jitter, so
 *     guests started together do not decide together): when our CPU had
 *     no idle time, our guest's threads waited for it, and another
 *     allowed CPU is idle (checked again over a short fresh sample), the
 *     whole guest moves there, then holds still for a few periods.
 * An idle guest costs one wakeup a second and reads nothing. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <umk/init.h>
#include "placement.h"

enum { PIN_OFF, PIN_AUTO, PIN_FIXED };
static int pin_mode = PIN_AUTO;
static int pin_cpu = -1;

static const char *pin_setup(const char *v)
{
	if (!strcmp(v, "on") || !strcmp(v, "auto")) {
		pin_mode = PIN_AUTO;
	} else if (!strcmp(v, "off")) {
		pin_mode = PIN_OFF;
	} else {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || end == v || *end || n < 0 || n >= CPU_SETSIZE)
			return "expected pin=on, pin=off or pin=CPU (a host CPU number)";
		pin_mode = PIN_FIXED;
		pin_cpu = (int)n;
	}
	return NULL;
}
__setup(pin, pin_setup, "pin=on|off|CPU",
	"keep the kernel and its guest processes on one host\n"
	"CPU (default on: traps are much cheaper): on picks the\n"
	"least crowded CPU and moves the guest when the host is\n"
	"unbalanced; CPU fixes it; off lets the host place them");

#define MAX_CPUS 256		/* CPUs the balancer watches */
#define PERIOD_MS 1000
#define JITTER_MS 500
#define HOLD_PERIODS 3		/* after a move, before the next */
#define CONFIRM_MS 120		/* the fresh sample of the target */

static cpu_set_t allowed;
static int ncpus_allowed;
static int cur_cpu = -1;

static int set_cpu_of(pid_t tid, int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set) ? -errno : 0;
}

/* ---- other guests on this host ---- */

/* The one CPU pid is allowed on, or -1 (several, or unreadable). */
static int single_cpu_of(const char *pid)
{
	char path[300], line[256];
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int cpu = -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Cpus_allowed_list:", 18))
			continue;
		char *end;
		long n = strtol(line + 18, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\n')
			end++;
		if (end != line + 18 && !*end && n >= 0 && n < CPU_SETSIZE)
			cpu = (int)n;
		break;
	}
	fclose(f);
	return cpu;
}

/* The allowed CPU with the fewest other umk kernels pinned to it. */
static int least_crowded_cpu(void)
{
	static int count[CPU_SETSIZE];
	char self[16], mycomm[32] = "", comm[32], path[300];
	FILE *f = fopen("/proc/self/comm", "re");
	if (f) {
		if (!fgets(mycomm, sizeof(mycomm), f))
			mycomm[0] = 0;
		fclose(f);
	}
	snprintf(self, sizeof(self), "%d", (int)getpid());
	DIR *d = opendir("/proc");
	if (d && mycomm[0]) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] < '1' || e->d_name[0] > '9' || !strcmp(e->d_name, self))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			bool same = fgets(comm, sizeof(comm), f) && !strcmp(comm, mycomm);
			fclose(f);
			if (!same)
				continue;
			int c = single_cpu_of(e->d_name);
			if (c >= 0 && CPU_ISSET(c, &allowed))
				count[c]++;
		}
	}
	if (d)
		closedir(d);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (!CPU_ISSET(c, &allowed))
			count[c] = -1;
	return placement_start_cpu(count, CPU_SETSIZE, sched_getcpu());
}

/* ---- the load of each CPU, from /proc/stat ---- */

struct cpu_times { uint64_t idle, total; };

/* Fills t[cpu] for every cpuN line; false if /proc/stat is unreadable. */
static bool read_cpu_times(struct cpu_times *t)
{
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return false;
	char line[512];
	memset(t, 0, MAX_CPUS * sizeof(*t));
	while (fgets(line, sizeof(line), f)) {
		unsigned cpu;
		unsigned long long v[10] = { 0 };
		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		int n = sscanf(line + 3, "%u %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			       &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
		if (n < 5 || cpu >= MAX_CPUS)
			continue;
		/* user nice system idle iowait irq softirq steal (guest time is in user) */
		uint64_t total = 0;
		for (int i = 0; i < 8 && i < n - 1; i++)
			total += v[i];
		t[cpu].idle = v[3] + v[4];
		t[cpu].total = total;
	}
	fclose(f);
	return true;
}

static double idle_share(const struct cpu_times *a, const struct cpu_times *b, int cpu)
{
	uint64_t dt = b[cpu].total - a[cpu].total;
	return dt ? (double)(b[cpu].idle - a[cpu].idle) / (double)dt : 1.0;
}

/* ---- the guest's threads: umk's, and every descendant's ---- */

struct tsample { pid_t tid; uint64_t wait; };
#define MAX_THREADS 8192
static struct tsample prev[MAX_THREADS], next[MAX_THREADS];
static int nprev, nnext;

static int by_tid(const void *a, const void *b)
{
	pid_t x = ((const struct tsample *)a)->tid, y = ((const struct tsample *)b)->tid;
	return (x > y) - (x < y);
}

typedef void (*thread_fn)(pid_t tid, void *arg);

/* Calls fn for every thread of pid and of its descendants (their
 * /proc/PID/task/TID/children lists). depth bounds the recursion. */
static void walk_tree(pid_t pid, thread_fn fn, void *arg, int depth)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		pid_t tid = (pid_t)atoi(e->d_name);
		fn(tid, arg);
		if (depth <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tid);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		int child;
		while (fscanf(f, "%d", &child) == 1)
			walk_tree(child, fn, arg, depth - 1);
		fclose(f);
	}
	closedir(d);
}

static void sample_thread(pid_t tid, void *arg)
{
	(void)arg;
	char path[64];
	unsigned long long run, wait;
	if (nnext >= MAX_THREADS)
		return;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fscanf(f, "%llu %llu", &run, &wait) == 2)
		next[nnext++] = (struct tsample){ tid, wait };
	fclose(f);
}

/* Nanoseconds the guest's threads spent runnable but waiting for a CPU
 * since the last call (threads seen both times only). */
static uint64_t guest_wait_ns(void)
{
	nnext = 0;
	walk_tree(getpid(), sample_thread, NULL, 8);
	qsort(next, nnext, sizeof(next[0]), by_tid);
	uint64_t sum = 0;
	for (int i = 0; i < nnext; i++) {
		struct tsample *p = bsearch(&next[i], prev, nprev, sizeof(prev[0]), by_tid);
		if (p && next[i].wait >= p->wait)
			sum += next[i].wait - p->wait;
	}
	memcpy(prev, next, nnext * sizeof(next[0]));
	nprev = nnext;
	return sum;
}

struct move_arg { int cpu, failed; };

static void move_thread(pid_t tid, void *arg)
{
	struct move_arg *m = arg;
	if (set_cpu_of(tid, m->cpu) && errno != ESRCH)
		m->failed++;
}

/* umk's own threads first: a stub started meanwhile inherits the new CPU. */
static void move_guest(int cpu)
{
	struct move_arg m = { cpu, 0 };
	walk_tree(getpid(), move_thread, &m, 8);
	cur_cpu = cpu;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *balancer(void *unused)
{
	(void)unused;
	static struct cpu_times last[MAX_CPUS], now[MAX_CPUS], x[MAX_CPUS], y[MAX_CPUS];
	unsigned seed = (unsigned)getpid() ^ (unsigned)now_ns(CLOCK_MONOTONIC);
	bool have = false;
	int hold = 0;
	uint64_t cpu_before = now_ns(CLOCK_PROCESS_CPUTIME_ID), t_last = 0;
	for (;;) {
		sleep_ms(PERIOD_MS + rand_r(&seed) % JITTER_MS);
		/* An idle guest's kernel uses next to no CPU: nothing to do. */
		uint64_t cpu_now = now_ns(CLOCK_PROCESS_CPUTIME_ID);
		bool busy = cpu_now - cpu_before > 100000;
		cpu_before = cpu_now;
		if (!busy) {
			have = false;
			continue;
		}
		if (!read_cpu_times(now))
			return NULL;
		uint64_t t_now = now_ns(CLOCK_MONOTONIC);
		uint64_t waited = guest_wait_ns();
		bool compare = have && !hold;
		hold -= hold > 0;
		have = true;
		static double idle[MAX_CPUS];
		for (int i = 0; i < MAX_CPUS; i++)
			idle[i] = CPU_ISSET(i, &allowed) ? idle_share(last, now, i) : -1;
		double elapsed = (double)(t_now - t_last);
		memcpy(last, now, sizeof(last));
		t_last = t_now;
		struct placement_view v = {
			.ncpu = MAX_CPUS, .idle = idle, .cur = cur_cpu,
			.waited = elapsed > 0 ? (double)waited / elapsed : 0,
		};
		int best = compare ? placement_choose(&v) : -1;
		if (best < 0)
			continue;
		/* Another crowded guest may just have moved there: look again. */
		if (!read_cpu_times(x))
			continue;
		sleep_ms(CONFIRM_MS);
		if (!read_cpu_times(y) || idle_share(x, y, best) < PLACEMENT_TARGET_IDLE_MIN + 0.1)
			continue;
		move_guest(best);
		hold = HOLD_PERIODS;
		have = false;
	}
	return NULL;
}

void placement_init(void)
{
	if (pin_mode == PIN_OFF)
		return;
	if (sched_getaffinity(0, sizeof(allowed), &allowed)) {
		perror("umk: reading the host CPUs allowed (continuing unpinned)");
		return;
	}
	ncpus_allowed = CPU_COUNT(&allowed);
	int cpu;
	if (pin_mode == PIN_FIXED) {
		if (!CPU_ISSET(pin_cpu, &allowed)) {
			fprintf(stderr, "umk: pin=%d: host CPU %d is not one this process may use\n",
				pin_cpu, pin_cpu);
			exit(2);
		}
		cpu = pin_cpu;
	} else {
		cpu = least_crowded_cpu();
	}
	if (cpu < 0)
		return;
	if (set_cpu_of(0, cpu)) {
		perror("umk: pinning to one host CPU (continuing unpinned)");
		return;
	}
	cur_cpu = cpu;
	if (pin_mode != PIN_AUTO || ncpus_allowed < 2)
		return;
	/* the thread inherits a mask with every signal blocked: the kernel's
	 * interrupts (SIGALRM, SIGIO...) must reach the kernel's thread */
	sigset_t all, old;
	pthread_t t;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&t, NULL, balancer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		errno = e;
		perror("umk: starting the CPU placement thread (staying on one CPU)");
		return;
	}
	pthread_setname_np(t, "umk-place");
	pthread_detach(t);
}
