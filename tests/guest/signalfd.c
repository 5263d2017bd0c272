/* signalfd: flags, mask updates, siginfo fields, several signals per
 * read, queued RT signals, blocking read woken by another process,
 * SIGCHLD details, poll readiness. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

int main(void)
{
	struct signalfd_siginfo si[4];
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIGCHLD);
	sigaddset(&m, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &m, NULL);

	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, SIGUSR1);
	CHECK_ERR("bad flags", signalfd(-1, &one, 1), EINVAL);
	CHECK_ERR("bad mask size", syscall(SYS_signalfd4, -1, &one, 4, 0), EINVAL);
	CHECK_ERR("bad fd", signalfd(999, &one, 0), EBADF);
	int p[2];
	pipe(p);
	CHECK_ERR("not a signalfd", signalfd(p[0], &one, 0), EINVAL);
	close(p[0]);
	close(p[1]);

	int fd = signalfd(-1, &one, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK("create", fd >= 0);
	CHECK("FD_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK("O_NONBLOCK", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
	CHECK_ERR("nothing pending", read(fd, si, sizeof si[0]), EAGAIN);
	CHECK_ERR("short buffer", read(fd, si, 64), EINVAL);
	CHECK("not readable", !readable(fd));

	kill(getpid(), SIGUSR1);
	CHECK("readable", readable(fd));
	CHECK("read one", read(fd, si, sizeof si) == sizeof si[0]);
	CHECK("ssi_signo", si[0].ssi_signo == SIGUSR1);
	CHECK("ssi_code SI_USER", si[0].ssi_code == SI_USER);
	CHECK("ssi_pid", si[0].ssi_pid == (uint32_t)getpid());
	CHECK("ssi_uid", si[0].ssi_uid == getuid());
	CHECK("consumed", !readable(fd));

	/* a signal outside the mask stays pending until the mask grows */
	kill(getpid(), SIGUSR2);
	CHECK("SIGUSR2 not in mask", !readable(fd));
	sigset_t two = one;
	sigaddset(&two, SIGUSR2);
	CHECK("mask update returns the fd", signalfd(fd, &two, 0) == fd);
	CHECK("now readable", readable(fd));
	kill(getpid(), SIGUSR1);
	CHECK("two in one read", read(fd, si, sizeof si) == 2 * sizeof si[0]);
	CHECK("lowest first", si[0].ssi_signo == SIGUSR1 && si[1].ssi_signo == SIGUSR2);

	/* sigqueue values and RT queueing */
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	int rfd = signalfd(-1, &rt, SFD_NONBLOCK);
	for (int i = 0; i < 3; i++)
		sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 100 + i });
	int got = read(rfd, si, sizeof si);
	CHECK("three queued RT signals", got == 3 * (int)sizeof si[0]);
	CHECK("SI_QUEUE with values in order", si[0].ssi_code == SI_QUEUE && si[0].ssi_int == 100 && si[1].ssi_int == 101 && si[2].ssi_int == 102);
	close(rfd);

	/* blocking read, woken by a signal from a child */
	int bfd = signalfd(-1, &one, 0);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		msleep(50);
		kill(getppid(), SIGUSR1);
		_exit(7);
	}
	CHECK("blocking read", read(bfd, si, sizeof si[0]) == sizeof si[0] && si[0].ssi_signo == SIGUSR1);
	CHECK("sender pid", si[0].ssi_pid == (uint32_t)c);
	close(bfd);

	/* SIGCHLD details */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	int cfd = signalfd(-1, &chld, 0);
	CHECK("SIGCHLD read", read(cfd, si, sizeof si[0]) == sizeof si[0] && si[0].ssi_signo == SIGCHLD);
	CHECK("CLD_EXITED status 7", si[0].ssi_code == CLD_EXITED && si[0].ssi_status == 7 && si[0].ssi_pid == (uint32_t)c);
	waitpid(c, NULL, 0);
	close(cfd);
	close(fd);
	return t_done();
}
