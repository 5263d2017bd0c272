/* timerfd: clocks, flags, relative/absolute/interval timers, gettime,
 * blocking and non-blocking reads, poll. Times are only checked loosely
 * (at least N expirations), so the output does not depend on timing. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static struct itimerspec its(long vs, long vns, long is, long ins)
{
	struct itimerspec t = { { is, ins }, { vs, vns } };
	return t;
}

static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

int main(void)
{
	uint64_t n;
	char small[4];
	struct itimerspec t, old;
	CHECK_ERR("bad clock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	CHECK_ERR("bad flags", timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	CHECK("create", fd >= 0);
	CHECK("FD_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK("O_NONBLOCK", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
	CHECK_ERR("unarmed read", read(fd, &n, 8), EAGAIN);
	CHECK_ERR("short read", read(fd, small, 4), EINVAL);
	CHECK("gettime unarmed", timerfd_gettime(fd, &t) == 0 && !t.it_value.tv_sec && !t.it_value.tv_nsec && !t.it_interval.tv_sec);
	t = its(0, 1000000000, 0, 0);
	CHECK_ERR("settime bad nsec", timerfd_settime(fd, 0, &t, NULL), EINVAL);
	t = its(-1, 0, 0, 0);
	CHECK_ERR("settime negative", timerfd_settime(fd, 0, &t, NULL), EINVAL);
	t = its(1, 0, 0, 0);
	CHECK_ERR("settime bad flags", timerfd_settime(fd, 4, &t, NULL), EINVAL);
	CHECK_ERR("settime bad fd", timerfd_settime(999, 0, &t, NULL), EBADF);
	int p[2];
	pipe(p);
	CHECK_ERR("settime on a pipe", timerfd_settime(p[0], 0, &t, NULL), EINVAL);
	CHECK_ERR("gettime on a pipe", timerfd_gettime(p[0], &t), EINVAL);
	close(p[0]);
	close(p[1]);

	/* one shot, relative */
	t = its(0, 50000000, 0, 0);
	CHECK_OK("settime 50ms", timerfd_settime(fd, 0, &t, NULL));
	CHECK("gettime: pending, <= 50ms", timerfd_gettime(fd, &t) == 0 && t.it_value.tv_sec == 0 && t.it_value.tv_nsec > 0 && t.it_value.tv_nsec <= 50000000);
	CHECK("not readable yet", !readable(fd, 0));
	msleep(120);
	CHECK("readable after 120ms", readable(fd, 0));
	CHECK("one expiration", read(fd, &n, 8) == 8 && n == 1);
	CHECK_ERR("consumed", read(fd, &n, 8), EAGAIN);
	CHECK("gettime: disarmed after", timerfd_gettime(fd, &t) == 0 && !t.it_value.tv_sec && !t.it_value.tv_nsec);

	/* interval */
	t = its(0, 20000000, 0, 20000000);
	CHECK_OK("settime 20ms interval", timerfd_settime(fd, 0, &t, NULL));
	msleep(120);
	CHECK("several expirations", read(fd, &n, 8) == 8 && n >= 2);
	CHECK("gettime: interval kept", timerfd_gettime(fd, &t) == 0 && t.it_interval.tv_nsec == 20000000 && t.it_value.tv_nsec <= 20000000);

	/* old value, then disarm */
	t = its(10, 0, 3, 0);
	timerfd_settime(fd, 0, &t, NULL);
	t = its(0, 0, 0, 0);
	CHECK_OK("disarm", timerfd_settime(fd, 0, &t, &old));
	CHECK("old value", old.it_value.tv_sec == 9 && old.it_interval.tv_sec == 3);
	CHECK_ERR("disarmed: EAGAIN", read(fd, &n, 8), EAGAIN);
	close(fd);

	/* blocking read */
	fd = timerfd_create(CLOCK_MONOTONIC, 0);
	t = its(0, 30000000, 0, 0);
	timerfd_settime(fd, 0, &t, NULL);
	CHECK("blocking read", read(fd, &n, 8) == 8 && n == 1);

	/* absolute in the past with an interval: all missed ticks at once */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	t = its(now.tv_sec - 1, now.tv_nsec, 0, 10000000);
	if (now.tv_sec < 2)
		t.it_value = now;
	CHECK_OK("abstime in the past", timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL));
	CHECK("missed ticks counted", read(fd, &n, 8) == 8 && n >= 90);
	close(fd);

	/* absolute on CLOCK_REALTIME, cancel-on-set accepted */
	fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_nsec += 50000000;
	if (now.tv_nsec >= 1000000000) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000;
	}
	t.it_value = now;
	t.it_interval.tv_sec = t.it_interval.tv_nsec = 0;
	CHECK_OK("realtime abstime cancel-on-set", timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &t, NULL));
	CHECK("poll wakes on expiry", readable(fd, 5000));
	CHECK("realtime: one expiration", read(fd, &n, 8) == 8 && n == 1);
	close(fd);

	/* CLOCK_BOOTTIME, relative */
	fd = timerfd_create(CLOCK_BOOTTIME, 0);
	CHECK("boottime create", fd >= 0);
	t = its(0, 20000000, 0, 0);
	timerfd_settime(fd, 0, &t, NULL);
	CHECK("boottime: expires", read(fd, &n, 8) == 8 && n == 1);
	close(fd);
	return t_done();
}
