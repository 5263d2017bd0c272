/* CPU time accounting: where each task's time goes, for times(2),
 * getrusage, wait4's rusage, /proc/PID/stat and /proc/stat (and so ps,
 * top and time). User time is the time its guest code ran (the stub's
 * turn on the CPU); system time is the kernel's time on its behalf:
 * from a trap until the task runs user code again or is switched out. A
 * task asleep in the kernel is charged nothing; when no task runs, the
 * CPU is idle. (Before: a trap's whole stay in the kernel, sleep
 * included, was system time, so `sleep 3` charged its shell 3 s.) */
#include <umk/sched.h>

static int64_t user_total, system_total;	/* every task's, the dead's too */

/* The kernel stretch of t ends now (t leaves the CPU or enters user). */
static void charge_kernel(struct task *t, int64_t now)
{
	if (t->kstart_ns && now > t->kstart_ns) {
		t->stime_ns += now - t->kstart_ns;
		system_total += now - t->kstart_ns;
	}
	t->kstart_ns = 0;
}

void cputime_switch(struct task *prev, struct task *next, bool next_idle)
{
	int64_t now = ktime_mono_ns();
	charge_kernel(prev, now);
	next->kstart_ns = next_idle ? 0 : now;
}

void cputime_user_enter(struct task *t, int64_t now)
{
	charge_kernel(t, now);
}

void cputime_user_exit(struct task *t, int64_t entered, int64_t now)
{
	if (now > entered) {
		t->utime_ns += now - entered;
		user_total += now - entered;
	}
	t->kstart_ns = now;
}

void cputime_totals(int64_t *user, int64_t *system)
{
	*user = user_total;
	*system = system_total;
	/* the running task's stretch so far */
	if (current && current->kstart_ns)
		*system += ktime_mono_ns() - current->kstart_ns;
}
