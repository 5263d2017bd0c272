/* Clocks and sleeping as the guest sees them (interval timers: itimer.c). */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/time.h>

#define NSEC 1000000000LL
static int64_t boot_mono;

void time_init(void)
{
	boot_mono = arch_clock_ns(CLOCK_MONOTONIC);
}

int64_t ktime_mono_ns(void) { return arch_clock_ns(CLOCK_MONOTONIC); }
int64_t ktime_real_ns(void) { return arch_clock_ns(CLOCK_REALTIME); }
int64_t ktime_boot_ns(void) { return arch_clock_ns(CLOCK_MONOTONIC) - boot_mono; }

void get_random_bytes(void *buf, size_t n)
{
	arch_get_random(buf, n);
}

struct kts64 { int64_t tv_sec, tv_nsec; };

static int clock_read(int clk, int64_t *ns)
{
	struct task *t = current;
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		*ns = ktime_real_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		*ns = ktime_boot_ns() + boot_mono;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = t->utime_ns + t->stime_ns;
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(clock_gettime, int, clk, uaddr_t, uts)
{
	int64_t ns;
	int r = clock_read(clk, &ns);
	if (r)
		return r;
	struct kts64 ts = { ns / NSEC, ns % NSEC };
	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(clock_getres, int, clk, uaddr_t, uts)
{
	int64_t ns;
	int r = clock_read(clk, &ns);
	if (r)
		return r;
	struct kts64 ts = { 0, (clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE) ? 4000000 : 1 };
	if (uts && copy_to_user(uts, &ts, sizeof(ts)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(gettimeofday, uaddr_t, utv, uaddr_t, utz)
{
	if (utv) {
		int64_t ns = ktime_real_ns();
		int64_t tv[2] = { ns / NSEC, ns % NSEC / 1000 };
		if (copy_to_user(utv, tv, sizeof(tv)))
			return -EFAULT;
	}
	if (utz) {
		int tz[2] = { 0, 0 };
		if (copy_to_user(utz, tz, sizeof(tz)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(time, uaddr_t, ut)
{
	int64_t s = ktime_real_ns() / NSEC;
	if (ut && copy_to_user(ut, &s, sizeof(s)))
		return -EFAULT;
	return s;
}

SYSCALL_DEFINE2(settimeofday, uaddr_t, utv, uaddr_t, utz)
{
	(void)utv; (void)utz;
	return current->cred.euid ? -EPERM : -EPERM;	/* the host clock is not ours to set */
}

static long sleep_restart(struct task *t);

/* Sleep to an absolute deadline on clk; on a signal, report the remainder
 * and arrange a restart (ERESTART_RESTARTBLOCK, as Linux). */
static long do_sleep(int clk, int64_t deadline_mono, uaddr_t rmtp, bool absolute)
{
	long r = sleep_until(deadline_mono);
	if (r == 0)
		return 0;
	struct task *t = current;
	if (absolute)
		return -ERESTARTNOHAND;
	if (rmtp) {
		int64_t left = deadline_mono - ktime_mono_ns();
		if (left < 0)
			left = 0;
		struct kts64 ts = { left / NSEC, left % NSEC };
		if (copy_to_user(rmtp, &ts, sizeof(ts)))
			return -EFAULT;
	}
	t->restart_block.fn = sleep_restart;
	t->restart_block.deadline = deadline_mono;
	t->restart_block.clock = clk;
	t->restart_block.rmtp = rmtp;
	return -ERESTART_RESTARTBLOCK;
}

static long sleep_restart(struct task *t)
{
	return do_sleep(t->restart_block.clock, t->restart_block.deadline, t->restart_block.rmtp, false);
}

static long nsleep(int clk, int flags, uaddr_t ureq, uaddr_t urem)
{
	struct kts64 ts;
	if (copy_from_user(&ts, ureq, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
		return -EINVAL;
	int64_t req = ts.tv_sec > (INT64_MAX / NSEC - 1) ? INT64_MAX / 2 : ts.tv_sec * NSEC + ts.tv_nsec;
	int64_t now_mono = ktime_mono_ns(), deadline;
	if (flags & TIMER_ABSTIME) {
		int64_t now_clk;
		int r = clock_read(clk, &now_clk);
		if (r)
			return r;
		deadline = now_mono + (req - now_clk);
	} else
		deadline = now_mono + req;
	return do_sleep(clk, deadline, (flags & TIMER_ABSTIME) ? 0 : urem, flags & TIMER_ABSTIME);
}

SYSCALL_DEFINE2(nanosleep, uaddr_t, req, uaddr_t, rem)
{
	return nsleep(CLOCK_MONOTONIC, 0, req, rem);
}

SYSCALL_DEFINE4(clock_nanosleep, int, clk, int, flags, uaddr_t, req, uaddr_t, rem)
{
	switch (clk) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_BOOTTIME: case CLOCK_TAI:
		break;
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL;
	default:
		return -EINVAL;
	}
	long r = nsleep(clk, flags, req, rem);
	return r;
}
