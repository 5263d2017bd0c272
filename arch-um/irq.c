/* Host signals as interrupts. SIGALRM (the one host timer) and SIGIO
 * (readiness of registered host fds) set pending bits; if a guest is
 * running at that moment the trap mode kicks its stub, so the guest traps
 * back and the kernel takes the interrupt. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "um.h"
#include "trap_mode.h"
#include <umk/arch.h>

volatile unsigned irq_pending;
static volatile pid_t running_pid;
/* The programmed deadline, for idle's ppoll timeout. */
static int64_t timer_deadline = -1;

struct irq_fd {
	int fd;
	bool want_write;
	void (*handler)(void *);
	void *data;
};
/* Every host fd the kernel waits on: each console or serial line's
 * channel (up to 80), each disk's completion pipe, each card, the
 * mconsole, listening ports. */
#define IRQ_FDS_MAX 192
static struct irq_fd irq_fds[IRQ_FDS_MAX];
static unsigned n_irq_fds;

static void raise_irq(unsigned bit)
{
	__atomic_or_fetch(&irq_pending, bit, __ATOMIC_SEQ_CST);
	pid_t p = running_pid;
	if (p)
		um_trap->kick(p);
}

static void on_sigalrm(int sig)
{
	(void)sig;
	int e = errno;
	raise_irq(IRQ_TIMER);
	errno = e;
}

static void on_sigio(int sig)
{
	(void)sig;
	int e = errno;
	raise_irq(IRQ_IO);
	errno = e;
}

/* kill/terminal hang-up/^C from the host: the machine's power button. */
static void on_stop_request(int sig)
{
	(void)sig;
	int e = errno;
	raise_irq(IRQ_POWER);
	errno = e;
}

void irq_set_running(pid_t pid)
{
	running_pid = pid;
}

unsigned arch_irq_take(void)
{
	return __atomic_exchange_n(&irq_pending, 0, __ATOMIC_SEQ_CST);
}

void irq_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_handler = on_sigalrm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_sigio;
	sigaction(SIGIO, &sa, NULL);
	sa.sa_handler = on_stop_request;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* main blocked them until now: one that came early is taken here */
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigaddset(&stops, SIGINT);
	sigprocmask(SIG_UNBLOCK, &stops, NULL);

}

int64_t arch_clock_ns(int clockid)
{
	struct timespec ts;
	clock_gettime(clockid, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One-shot ITIMER_REAL rather than a POSIX timer: re-arming a POSIX timer
 * whose signal is still pending makes the host drop that signal (and, if
 * the new expiry comes before the stale one is flushed, the new one too),
 * which once left an idle kernel asleep past its deadline. ITIMER_REAL
 * sends a plain SIGALRM. */
void arch_timer_program(int64_t deadline_ns)
{
	struct itimerval it;
	memset(&it, 0, sizeof(it));
	timer_deadline = deadline_ns;
	if (deadline_ns >= 0) {
		int64_t rel = deadline_ns - arch_clock_ns(CLOCK_MONOTONIC);
		if (rel < 1000)
			rel = 1000;	/* already due: fire (almost) at once */
		it.it_value.tv_sec = rel / 1000000000;
		it.it_value.tv_usec = rel % 1000000000 / 1000;
		if (!it.it_value.tv_sec && !it.it_value.tv_usec)
			it.it_value.tv_usec = 1;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/* SIGIO kicks a running guest; idle waits with ppoll anyway. */
void irq_fd_async(int fd)
{
	fcntl(fd, F_SETOWN, getpid());
	fcntl(fd, F_SETSIG, SIGIO);
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_ASYNC);
}

int arch_irq_register_fd(int fd, bool want_write, void (*handler)(void *), void *data)
{
	if (n_irq_fds >= sizeof(irq_fds) / sizeof(irq_fds[0]))
		return -ENOSPC;
	irq_fds[n_irq_fds++] = (struct irq_fd){ fd, want_write, handler, data };
	irq_fd_async(fd);
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	return 0;
}

void arch_irq_unregister_fd(int fd)
{
	for (unsigned i = 0; i < n_irq_fds; i++) {
		if (irq_fds[i].fd == fd) {
			int fl = fcntl(fd, F_GETFL);
			if (fl >= 0)
				fcntl(fd, F_SETFL, fl & ~O_ASYNC);
			irq_fds[i] = irq_fds[--n_irq_fds];
			return;
		}
	}
}

static unsigned fill_pollfds(struct pollfd *p)
{
	for (unsigned i = 0; i < n_irq_fds; i++) {
		p[i].fd = irq_fds[i].fd;
		p[i].events = irq_fds[i].want_write ? POLLOUT : POLLIN;
		p[i].revents = 0;
	}
	return n_irq_fds;
}

void arch_irq_dispatch_fds(void)
{
	/* static, not on the (kernel) stack: interrupts are taken one
	 * dispatch at a time */
	static struct pollfd p[IRQ_FDS_MAX];
	unsigned n = fill_pollfds(p);
	if (n == 0 || poll(p, n, 0) <= 0)
		return;
	/* Copy first: a handler may unregister its own fd. */
	static struct irq_fd ready[IRQ_FDS_MAX];
	int nr = 0;
	for (unsigned i = 0; i < n; i++)
		if (p[i].revents)
			ready[nr++] = irq_fds[i];
	for (int i = 0; i < nr; i++)
		ready[i].handler(ready[i].data);
}

void arch_idle(void)
{
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (!irq_pending) {
		static struct pollfd p[IRQ_FDS_MAX];
		unsigned n = fill_pollfds(p);
		sigset_t open = old;
		sigdelset(&open, SIGALRM);
		sigdelset(&open, SIGIO);
		sigdelset(&open, SIGWINCH);	/* console resize (drivers-virtual/console/host/winch.c) */
		sigdelset(&open, SIGTERM);	/* stop requests */
		sigdelset(&open, SIGHUP);
		sigdelset(&open, SIGINT);
		/* the deadline as a timeout too, should SIGALRM ever be late */
		struct timespec ts, *tsp = NULL;
		if (timer_deadline >= 0) {
			int64_t rel = timer_deadline - arch_clock_ns(CLOCK_MONOTONIC);
			if (rel < 0)
				rel = 0;
			ts.tv_sec = rel / 1000000000;
			ts.tv_nsec = rel % 1000000000;
			tsp = &ts;
		}
		int r = ppoll(p, n, tsp, &open);
		if (r > 0)
			__atomic_or_fetch(&irq_pending, IRQ_IO, __ATOMIC_SEQ_CST);
		else if (r == 0)
			__atomic_or_fetch(&irq_pending, IRQ_TIMER, __ATOMIC_SEQ_CST);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}
