/* A blocked, default-ignored signal (SIGCHLD) must stay pending for
 * sigtimedwait, as busybox init relies on: regression test for umk
 * discarding it while sigtimedwait had temporarily unblocked it. */
#define _GNU_SOURCE
#include "t.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, NULL);
	pid_t p = fork();
	if (p == 0) {
		struct timespec d = { 0, 50000000 };
		nanosleep(&d, NULL);	/* exit while the parent already waits */
		_exit(3);
	}
	struct timespec to = { 5, 0 };
	siginfo_t si;
	int sig = sigtimedwait(&s, &si, &to);
	printf("sigtimedwait got: %d (SIGCHLD=%d), si_code CLD_EXITED: %s, status %d\n", sig, SIGCHLD,
	       si.si_code == CLD_EXITED ? "yes" : "no", si.si_status);
	p = fork();
	if (p == 0)
		_exit(4);
	int st;
	waitpid(p, &st, 0);
	sig = sigtimedwait(&s, &si, &to);	/* already pending before the call */
	printf("pending before the call: %d\n", sig);
	return t_done();
}
