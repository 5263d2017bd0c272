/* timerfd: a timer whose expirations are read as a u64 count. Every clock
 * runs at CLOCK_MONOTONIC's rate here, so a deadline on any clock is kept
 * as a monotonic one and driven by a kernel timer; the count is also
 * brought up to date on each read/poll, since timer callbacks only run at
 * interrupt safe points. */
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/timer.h>
#include <umk/uaccess.h>
#include <linux/timerfd.h>
#include "anon_inode.h"

#define CLOCK_REALTIME_NR 0
#define CLOCK_MONOTONIC_NR 1
#define CLOCK_BOOTTIME_NR 7
#define CLOCK_REALTIME_ALARM_NR 8
#define CLOCK_BOOTTIME_ALARM_NR 9
#define NSEC 1000000000ll

struct timerfd {
	int clock;
	int64_t deadline;	/* CLOCK_MONOTONIC ns; -1: disarmed */
	int64_t interval;	/* ns; 0: one shot */
	uint64_t ticks;		/* expirations not yet read */
	struct ktimer timer;
	struct wait_queue_head wq;
};

struct kitimerspec { int64_t i_sec, i_nsec, v_sec, v_nsec; };

static const struct file_operations timerfd_fops;

/* Offset from the timer's clock to CLOCK_MONOTONIC, now. */
static int64_t clock_offset(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME_NR:
	case CLOCK_REALTIME_ALARM_NR:
		return ktime_mono_ns() - ktime_real_ns();
	case CLOCK_BOOTTIME_NR:
	case CLOCK_BOOTTIME_ALARM_NR:
		return ktime_mono_ns() - ktime_boot_ns();
	default:
		return 0;
	}
}

/* Count expirations up to now and move the deadline past it. */
static void tfd_update(struct timerfd *t)
{
	if (t->deadline < 0)
		return;
	int64_t now = ktime_mono_ns();
	if (now < t->deadline)
		return;
	if (!t->interval) {
		t->ticks++;
		t->deadline = -1;
	} else {
		uint64_t n = 1 + (now - t->deadline) / t->interval;
		t->ticks += n;
		t->deadline += n * t->interval;
	}
	wake_up(&t->wq);
}

static void tfd_rearm(struct timerfd *t)
{
	ktimer_cancel(&t->timer);
	if (t->deadline >= 0)
		ktimer_arm(&t->timer, t->deadline);
}

static void tfd_expired(struct ktimer *kt)
{
	struct timerfd *t = kt->data;
	tfd_update(t);
	tfd_rearm(t);
}

static ssize_t timerfd_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct timerfd *t = f->private_data;
	if (n < 8)
		return -EINVAL;
	tfd_update(t);
	if (!t->ticks) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(t->wq, (tfd_update(t), t->ticks));
		if (err)
			return err;
	}
	memcpy(buf, &t->ticks, 8);
	t->ticks = 0;
	tfd_rearm(t);
	return 8;
}

static unsigned timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *t = f->private_data;
	poll_wait(f, &t->wq, pt);
	tfd_update(t);
	return t->ticks ? POLLIN | POLLRDNORM : 0;
}

static void timerfd_release(struct inode *inode __unused, struct file *f)
{
	struct timerfd *t = f->private_data;
	ktimer_cancel(&t->timer);
	kfree(t);
}

static const struct file_operations timerfd_fops = {
	.read = timerfd_read, .poll = timerfd_poll,
	.llseek = noop_llseek, .release = timerfd_release,
};

SYSCALL_DEFINE2(timerfd_create, int, clockid, int, flags)
{
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	switch (clockid) {
	case CLOCK_REALTIME_NR:
	case CLOCK_MONOTONIC_NR:
	case CLOCK_BOOTTIME_NR:
		break;
	case CLOCK_REALTIME_ALARM_NR:
	case CLOCK_BOOTTIME_ALARM_NR:
		if (!capable(CAP_WAKE_ALARM))
			return -EPERM;
		break;
	default:
		return -EINVAL;
	}
	struct timerfd *t = kzalloc(sizeof(*t));
	t->clock = clockid;
	t->deadline = -1;
	ktimer_init(&t->timer, tfd_expired, t);
	init_waitqueue_head(&t->wq);
	int fd = anon_inode_getfd("timerfd", &timerfd_fops, t, flags, flags & TFD_CLOEXEC);
	if (fd < 0)
		kfree(t);
	return fd;
}

/* The timerfd behind fd (+1 ref), or ERR_PTR(-EBADF / -EINVAL). */
static struct file *timerfd_fget(int fd)
{
	struct file *f = fget(fd);
	if (!f)
		return ERR_PTR(-EBADF);
	if (f->f_op != &timerfd_fops) {
		fput(f);
		return ERR_PTR(-EINVAL);
	}
	return f;
}

static void tfd_get(struct timerfd *t, struct kitimerspec *its)
{
	tfd_update(t);
	int64_t left = 0;
	if (t->deadline >= 0) {
		left = t->deadline - ktime_mono_ns();
		if (left <= 0)
			left = 1;	/* due but not yet counted */
	}
	its->v_sec = left / NSEC;
	its->v_nsec = left % NSEC;
	its->i_sec = t->interval / NSEC;
	its->i_nsec = t->interval % NSEC;
}

SYSCALL_DEFINE4(timerfd_settime, int, fd, int, flags, uaddr_t, unew, uaddr_t, uold)
{
	struct kitimerspec its, old;
	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (copy_from_user(&its, unew, sizeof(its)))
		return -EFAULT;
	if (its.i_sec < 0 || its.i_nsec < 0 || its.i_nsec >= NSEC ||
	    its.v_sec < 0 || its.v_nsec < 0 || its.v_nsec >= NSEC)
		return -EINVAL;
	struct file *f = timerfd_fget(fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	struct timerfd *t = f->private_data;
	tfd_get(t, &old);
	/* TFD_TIMER_CANCEL_ON_SET is accepted; the guest cannot set the
	 * clock here, so there is never a cancellation to report. */
	t->ticks = 0;
	t->interval = its.i_sec * NSEC + its.i_nsec;
	int64_t v = its.v_sec * NSEC + its.v_nsec;
	if (!v)
		t->deadline = -1;
	else if (flags & TFD_TIMER_ABSTIME)
		t->deadline = v + clock_offset(t->clock);
	else
		t->deadline = ktime_mono_ns() + v;
	tfd_update(t);		/* an absolute time already past fires now */
	tfd_rearm(t);
	fput(f);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(timerfd_gettime, int, fd, uaddr_t, ucur)
{
	struct file *f = timerfd_fget(fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	struct kitimerspec its;
	tfd_get(f->private_data, &its);
	fput(f);
	return copy_to_user(ucur, &its, sizeof(its)) ? -EFAULT : 0;
}
