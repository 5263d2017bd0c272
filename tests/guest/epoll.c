/* epoll: create/ctl errors, level and edge triggered, EPOLLONESHOT,
 * EPOLLEXCLUSIVE, HUP, closed fds dropping out, fairness with a short
 * buffer, timeouts, wake-ups from another process, eventfd/timerfd/
 * signalfd members, nesting and ELOOP, epoll_pwait/epoll_pwait2 masks. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event e = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event e = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
}

/* One wait; returns the count, the first event in *e. */
static int wait1(int ep, struct epoll_event *e, int ms)
{
	struct epoll_event ev[8];
	int n = epoll_wait(ep, ev, 8, ms);
	if (n > 0 && e)
		*e = ev[0];
	return n;
}

static volatile int got_usr1;
static void on_usr1(int s) { (void)s; got_usr1 = 1; }

int main(void)
{
	struct epoll_event e;
	char buf[64];
	CHECK_ERR("epoll_create(0)", epoll_create(0), EINVAL);
	CHECK_ERR("epoll_create1 bad flags", epoll_create1(1), EINVAL);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK("epoll_create1", ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC);
	int p[2];
	pipe(p);

	/* ctl errors */
	CHECK_ERR("add itself", add(ep, ep, EPOLLIN, 0), EINVAL);
	CHECK_ERR("bad fd", add(ep, 999, EPOLLIN, 0), EBADF);
	CHECK_ERR("bad epfd", add(999, p[0], EPOLLIN, 0), EBADF);
	CHECK_ERR("epfd not epoll", add(p[1], p[0], EPOLLIN, 0), EINVAL);
	int reg = open("/tmp/umk-epoll-regular", O_RDWR | O_CREAT, 0600);
	unlink("/tmp/umk-epoll-regular");
	CHECK_ERR("regular file", add(ep, reg, EPOLLIN, 0), EPERM);
	close(reg);
	CHECK_ERR("mod missing", mod(ep, p[0], EPOLLIN, 0), ENOENT);
	CHECK_ERR("del missing", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	CHECK_ERR("bad op", epoll_ctl(ep, 99, p[0], &e), EINVAL);
	CHECK_ERR("maxevents 0", epoll_wait(ep, &e, 0, 0), EINVAL);
	CHECK_ERR("wait on a pipe", epoll_wait(p[0], &e, 1, 0), EINVAL);

	/* level triggered */
	CHECK_OK("add read end", add(ep, p[0], EPOLLIN, 11));
	CHECK_ERR("add twice", add(ep, p[0], EPOLLIN, 11), EEXIST);
	CHECK("nothing ready", wait1(ep, &e, 0) == 0);
	write(p[1], "ab", 2);
	CHECK("LT: ready", wait1(ep, &e, 0) == 1 && e.events == EPOLLIN && e.data.u64 == 11);
	CHECK("LT: still ready", wait1(ep, &e, 0) == 1);
	struct pollfd pf = { .fd = ep, .events = POLLIN };
	CHECK("poll on the epoll fd", poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
	read(p[0], buf, sizeof buf);
	CHECK("LT: drained", wait1(ep, &e, 0) == 0);

	/* edge triggered */
	CHECK_OK("mod to EPOLLET", mod(ep, p[0], EPOLLIN | EPOLLET, 12));
	write(p[1], "a", 1);
	CHECK("ET: edge", wait1(ep, &e, 0) == 1 && e.data.u64 == 12);
	CHECK("ET: reported once", wait1(ep, &e, 0) == 0);
	read(p[0], buf, sizeof buf);
	write(p[1], "b", 1);
	CHECK("ET: drained and refilled between looks: new edge", wait1(ep, &e, 0) == 1);
	write(p[1], "c", 1);
	CHECK("ET: more data on an unread pipe: new event", wait1(ep, &e, 0) == 1);
	CHECK("ET: then quiet", wait1(ep, &e, 0) == 0);
	read(p[0], buf, sizeof buf);
	CHECK("ET: drained", wait1(ep, &e, 0) == 0);

	/* one shot */
	CHECK_OK("mod to EPOLLONESHOT", mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 13));
	write(p[1], "c", 1);
	CHECK("oneshot: fires", wait1(ep, &e, 0) == 1 && e.data.u64 == 13);
	CHECK("oneshot: disabled", wait1(ep, &e, 0) == 0);
	CHECK_OK("oneshot: re-arm", mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 14));
	CHECK("oneshot: fires again", wait1(ep, &e, 0) == 1 && e.data.u64 == 14);
	read(p[0], buf, sizeof buf);
	CHECK_OK("del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	CHECK_ERR("del again", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);

	/* EPOLLEXCLUSIVE */
	CHECK_ERR("exclusive with oneshot", add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0), EINVAL);
	CHECK_OK("exclusive", add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 15));
	CHECK_ERR("mod exclusive", mod(ep, p[0], EPOLLIN, 15), EINVAL);
	epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);

	/* write end, then hang-up seen by the read end */
	CHECK_OK("add write end", add(ep, p[1], EPOLLOUT, 21));
	CHECK("POLLOUT", wait1(ep, &e, 0) == 1 && e.events == EPOLLOUT && e.data.u64 == 21);
	epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
	add(ep, p[0], EPOLLIN, 22);
	close(p[1]);
	CHECK("HUP after the writer closed", wait1(ep, &e, 0) == 1 && e.events == EPOLLHUP && e.data.u64 == 22);
	close(p[0]);
	CHECK("closed fd dropped out", wait1(ep, &e, 0) == 0);
	CHECK_ERR("del a closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);

	/* the fd number reused for a new file */
	pipe(p);
	CHECK_OK("add reused fd number", add(ep, p[0], EPOLLIN, 31));
	CHECK_OK("add second pipe's write end", add(ep, p[1], EPOLLOUT, 32));
	write(p[1], "x", 1);
	/* fairness: with room for one event, both are reported in turn */
	struct epoll_event a, b;
	int na = epoll_wait(ep, &a, 1, 0), nb = epoll_wait(ep, &b, 1, 0);
	CHECK("short buffer: round robin", na == 1 && nb == 1 && a.data.u64 + b.data.u64 == 63 && a.data.u64 != b.data.u64);
	epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
	read(p[0], buf, sizeof buf);

	/* timeout, and a wake-up from another process */
	CHECK("timeout", wait1(ep, &e, 30) == 0);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		msleep(50);
		write(p[1], "y", 1);
		_exit(0);
	}
	CHECK("woken by a child's write", wait1(ep, &e, 5000) == 1 && e.data.u64 == 31);
	waitpid(c, NULL, 0);
	read(p[0], buf, sizeof buf);

	/* eventfd, timerfd, signalfd members */
	int efd = eventfd(0, EFD_NONBLOCK);
	add(ep, efd, EPOLLIN, 41);
	uint64_t v = 1;
	write(efd, &v, 8);
	CHECK("eventfd member", wait1(ep, &e, 0) == 1 && e.data.u64 == 41);
	read(efd, &v, 8);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	add(ep, tfd, EPOLLIN, 42);
	struct itimerspec its = { { 0, 0 }, { 0, 40000000 } };
	timerfd_settime(tfd, 0, &its, NULL);
	CHECK("timerfd member wakes the wait", wait1(ep, &e, 5000) == 1 && e.data.u64 == 42);
	read(tfd, &v, 8);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int sfd = signalfd(-1, &m, SFD_NONBLOCK);
	add(ep, sfd, EPOLLIN, 43);
	CHECK("signalfd member idle", wait1(ep, &e, 0) == 0);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		msleep(50);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	CHECK("signalfd member wakes the wait", wait1(ep, &e, 5000) == 1 && e.data.u64 == 43);
	waitpid(c, NULL, 0);
	struct signalfd_siginfo si;
	read(sfd, &si, sizeof si);

	/* nesting */
	int outer = epoll_create1(0);
	CHECK_OK("nest", add(outer, ep, EPOLLIN, 51));
	CHECK_ERR("loop", add(ep, outer, EPOLLIN, 0), ELOOP);
	CHECK("inner idle", wait1(outer, &e, 0) == 0);
	v = 1;
	write(efd, &v, 8);
	CHECK("inner ready", wait1(outer, &e, 0) == 1 && e.data.u64 == 51 && e.events == EPOLLIN);
	read(efd, &v, 8);
	c = fork();
	if (c == 0) {
		msleep(50);
		write(efd, &v, 8);
		_exit(0);
	}
	CHECK("nested wake-up", wait1(outer, &e, 5000) == 1 && e.data.u64 == 51);
	waitpid(c, NULL, 0);
	read(efd, &v, 8);

	/* epoll_pwait: the temporary mask lets a blocked signal in */
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		msleep(50);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigset_t none;
	sigemptyset(&none);
	CHECK_ERR("epoll_pwait interrupted (even with SA_RESTART)", epoll_pwait(ep, &e, 1, 5000, &none), EINTR);
	CHECK("handler ran", got_usr1);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK("mask restored", sigismember(&cur, SIGUSR1));
	waitpid(c, NULL, 0);
	struct timespec ts = { 0, 20000000 };
	CHECK("epoll_pwait2 timeout", syscall(SYS_epoll_pwait2, ep, &e, 1, &ts, NULL, 8) == 0);
	ts.tv_nsec = 1000000000;
	CHECK_ERR("epoll_pwait2 bad timespec", syscall(SYS_epoll_pwait2, ep, &e, 1, &ts, NULL, 8), EINVAL);
	kill(getpid(), SIGUSR1);
	CHECK_ERR("epoll_pwait bad sigset size", syscall(SYS_epoll_pwait, ep, &e, 1, 0, &none, 4), EINVAL);
	CHECK("no handler while blocked", got_usr1 == 1);
	got_usr1 = 0;
	CHECK("timeout 0: no EINTR, mask back", epoll_pwait(ep, &e, 1, 0, &none) == 0 && !got_usr1);
	CHECK_ERR("pending signal let in", epoll_pwait(ep, &e, 1, 1000, &none), EINTR);
	CHECK("its handler ran", got_usr1);
	close(outer);
	close(ep);
	return t_done();
}
