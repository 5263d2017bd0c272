/* Interval timers: ITIMER_REAL (setitimer, getitimer) and alarm(), one
 * per process, SIGALRM to the process at the deadline. */
#include <umk/internal.h>
#include <umk/syscall.h>
#include <umk/timer.h>
#include <umk/uaccess.h>
#include <asm/siginfo.h>

#define NSEC 1000000000LL

static void it_real_fire(struct ktimer *tm)
{
	struct task *t = tm->data;
	struct signal_struct *s = t->signal;
	if (!s)
		return;
	struct ksiginfo info = { .si_signo = SIGALRM, .si_code = SI_TIMER };
	send_signal(t, SIGALRM, &info);
	if (s->it_real_interval) {
		s->it_real_deadline += s->it_real_interval;
		int64_t now = ktime_mono_ns();
		if (s->it_real_deadline < now)
			s->it_real_deadline = now + s->it_real_interval;
		ktimer_arm(tm, s->it_real_deadline);
	} else
		s->it_real_deadline = 0;
}

/* The time left (0: disarmed) and the interval of the process's timer. */
static void itimer_real_get(int64_t *value, int64_t *interval)
{
	struct signal_struct *s = current->signal;
	bool armed = s->it_real_timer && s->it_real_timer->armed;
	*value = armed ? MAX(s->it_real_deadline - ktime_mono_ns(), 1) : 0;
	*interval = s->it_real_interval;
}

/* Arm (value > 0) or disarm it; the previous setting in *old_value and
 * *old_interval if asked for. */
static void itimer_real_set(int64_t value_ns, int64_t interval_ns, int64_t *old_value, int64_t *old_interval)
{
	struct signal_struct *s = current->signal;
	if (!s->it_real_timer) {
		s->it_real_timer = kzalloc(sizeof(struct ktimer));
		ktimer_init(s->it_real_timer, it_real_fire, current);
	}
	int64_t ov, oi;
	itimer_real_get(&ov, &oi);
	if (old_value)
		*old_value = ov;
	if (old_interval)
		*old_interval = oi;
	int64_t now = ktime_mono_ns();
	ktimer_cancel(s->it_real_timer);
	s->it_real_interval = interval_ns;
	s->it_real_deadline = 0;
	if (value_ns > 0) {
		s->it_real_deadline = now + value_ns;
		ktimer_arm(s->it_real_timer, s->it_real_deadline);
	}
}

SYSCALL_DEFINE1(alarm, unsigned, secs)
{
	int64_t old;
	itimer_real_set((int64_t)secs * NSEC, 0, &old, NULL);
	/* remaining seconds, rounded up, at least 1 if armed */
	return old ? (old + NSEC / 2) / NSEC + ((old + NSEC / 2) / NSEC == 0) : 0;
}

struct kitimerval { int64_t int_sec, int_usec, val_sec, val_usec; };

static int64_t tv_ns(int64_t s, int64_t us) { return s * NSEC + us * 1000; }

SYSCALL_DEFINE3(setitimer, int, which, uaddr_t, unew, uaddr_t, uold)
{
	if (which != 0) {
		printk_once_key("itimer", KERN_WARNING "setitimer: only ITIMER_REAL is implemented\n");
		return which == 1 || which == 2 ? -ENOSYS : -EINVAL;
	}
	struct kitimerval n = { 0 };
	if (unew && copy_from_user(&n, unew, sizeof(n)))
		return -EFAULT;
	if (n.int_usec < 0 || n.int_usec >= 1000000 || n.val_usec < 0 || n.val_usec >= 1000000)
		return -EINVAL;
	int64_t ov, oi;
	if (unew)
		itimer_real_set(tv_ns(n.val_sec, n.val_usec), tv_ns(n.int_sec, n.int_usec), &ov, &oi);
	else
		itimer_real_get(&ov, &oi);
	if (uold) {
		struct kitimerval o = { oi / NSEC, oi % NSEC / 1000, ov / NSEC, ov % NSEC / 1000 };
		if (copy_to_user(uold, &o, sizeof(o)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE2(getitimer, int, which, uaddr_t, uval)
{
	if (which != 0)
		return which == 1 || which == 2 ? -ENOSYS : -EINVAL;
	int64_t ov, oi;
	itimer_real_get(&ov, &oi);
	struct kitimerval o = { oi / NSEC, oi % NSEC / 1000, ov / NSEC, ov % NSEC / 1000 };
	return copy_to_user(uval, &o, sizeof(o)) ? -EFAULT : 0;
}
