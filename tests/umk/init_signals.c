/* Runs as init under umk: init gets no signal it has not asked for, as
 * on Linux (SIGNAL_UNKILLABLE). SIGKILL and SIGSTOP never arrive, by any
 * path (kill of pid 1, of its process group, kill(0), tgkill, from init
 * itself or from a child); a default-action signal is dropped, also one
 * that was blocked and is then unblocked; a signal with a handler is
 * delivered. Every kill reports success, as on Linux. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

static void say(const char *what, long r)
{
	printf("%s: %s\n", what, r == 0 ? "0" : strerror(errno));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pid: %d\n", (int)getpid());
	/* its process group (kill(0)); kill(-1) would skip init anyway */
	say("kill(1, SIGKILL)", kill(1, SIGKILL));
	say("kill(0, SIGKILL)", kill(0, SIGKILL));
	say("tgkill(1, 1, SIGKILL)", syscall(SYS_tgkill, 1, 1, SIGKILL));
	say("kill(1, SIGSTOP)", kill(1, SIGSTOP));
	say("kill(1, SIGTERM)", kill(1, SIGTERM));
	say("tgkill(1, 1, SIGSEGV)", syscall(SYS_tgkill, 1, 1, SIGSEGV));
	/* blocked while sent, default action when unblocked: dropped */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, NULL);
	say("kill(1, SIGHUP) while blocked", kill(1, SIGHUP));
	sigpending(&s);
	printf("SIGHUP pending while blocked: %d\n", sigismember(&s, SIGHUP));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	/* a handler: delivered */
	signal(SIGUSR1, on_usr1);
	say("kill(1, SIGUSR1) with a handler", kill(1, SIGUSR1));
	printf("SIGUSR1 handled: %d\n", (int)got_usr1);
	/* from a child, root as init is */
	pid_t c = fork();
	if (c == 0) {
		say("child: kill(1, SIGKILL)", kill(1, SIGKILL));
		say("child: kill(1, SIGINT)", kill(1, SIGINT));
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	printf("init still running: yes\n");
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 1;
}
