/* SIGCHLD goes to the process, not to the thread that forked the child:
 * a thread that blocks it does not stop another thread from taking it,
 * sigwaitinfo in any thread receives it with the child's siginfo
 * (exit, kill, stop, continue), and a child's SIGCHLD is not sent again
 * when the thread that forked it exits. */
#include "t.h"
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static pid_t fork_exit(int code)
{
	fflush(stdout);
	pid_t p = fork();
	if (p < 0)
		DIE("fork");
	if (p == 0)
		_exit(code);
	return p;
}

static void run_thread(void *(*fn)(void *), void *arg)
{
	pthread_t th;
	if (pthread_create(&th, NULL, fn, arg))
		DIE("pthread_create");
	pthread_join(th, NULL);
}

static sigset_t chld_set(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	return s;
}

/* --- the handler runs in a thread that does not block SIGCHLD ---------- */
static volatile pid_t handler_tid, handler_pid;
static volatile int handler_code, handler_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	handler_tid = gettid_();
	handler_pid = si->si_pid;
	handler_code = si->si_code;
	handler_status = si->si_status;
}

struct forkarg { int code; pid_t pid; volatile int exited; };

static void *thread_fork_blocked(void *p)
{
	struct forkarg *f = p;
	sigset_t s = chld_set();
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	f->pid = fork_exit(f->code);
	/* stay alive (blocking SIGCHLD) until main has taken the signal */
	while (!f->exited)
		msleep(2);
	return NULL;
}

static void handler_in_other_thread(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGCHLD, &sa, NULL);
	handler_tid = 0;
	struct forkarg f = { 7, 0, 0 };
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fork_blocked, &f))
		DIE("pthread_create");
	for (int i = 0; i < 2000 && !handler_tid; i++)
		msleep(2);
	f.exited = 1;
	pthread_join(th, NULL);
	CHECK("child of a thread blocking SIGCHLD: the handler ran in main", handler_tid == gettid_());
	CHECK("  si_pid is the child, CLD_EXITED, status 7",
	      handler_pid == f.pid && handler_code == CLD_EXITED && handler_status == 7);
	int st;
	CHECK("  and main reaps it", waitpid(f.pid, &st, 0) == f.pid && WEXITSTATUS(st) == 7);
	signal(SIGCHLD, SIG_DFL);
}

/* --- sigwaitinfo in another thread ------------------------------------- */
static void *thread_fork(void *p)
{
	struct forkarg *f = p;
	f->pid = fork_exit(f->code);
	return NULL;
}

static void sigwait_other_thread(void)
{
	sigset_t s = chld_set();
	pthread_sigmask(SIG_BLOCK, &s, NULL);	/* threads inherit it */
	struct forkarg f = { 9, 0, 0 };
	run_thread(thread_fork, &f);
	siginfo_t si;
	struct timespec ts = { 10, 0 };
	memset(&si, 0, sizeof si);
	CHECK("main sigtimedwait gets SIGCHLD for an exited thread's child",
	      sigtimedwait(&s, &si, &ts) == SIGCHLD && si.si_pid == f.pid && si.si_code == CLD_EXITED &&
		      si.si_status == 9 && si.si_uid == getuid());
	int st;
	CHECK("  and reaps it", waitpid(f.pid, &st, 0) == f.pid && WEXITSTATUS(st) == 9);

	/* a child stopped, continued and killed: each a SIGCHLD with its cause */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	kill(c, SIGSTOP);
	memset(&si, 0, sizeof si);
	CHECK("stop: SIGCHLD with CLD_STOPPED, SIGSTOP",
	      sigtimedwait(&s, &si, &ts) == SIGCHLD && si.si_pid == c && si.si_code == CLD_STOPPED &&
		      si.si_status == SIGSTOP);
	kill(c, SIGCONT);
	memset(&si, 0, sizeof si);
	CHECK("continue: SIGCHLD with CLD_CONTINUED, SIGCONT",
	      sigtimedwait(&s, &si, &ts) == SIGCHLD && si.si_pid == c && si.si_code == CLD_CONTINUED &&
		      si.si_status == SIGCONT);
	kill(c, SIGKILL);
	memset(&si, 0, sizeof si);
	CHECK("kill: SIGCHLD with CLD_KILLED, SIGKILL",
	      sigtimedwait(&s, &si, &ts) == SIGCHLD && si.si_pid == c && si.si_code == CLD_KILLED &&
		      si.si_status == SIGKILL);
	CHECK("  reaped", waitpid(c, &st, 0) == c && WTERMSIG(st) == SIGKILL);

	/* SIGCHLD for a zombie is not sent again when its forking thread exits */
	struct forkarg g = { 10, 0, 0 };
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fork, &g))
		DIE("pthread_create");
	memset(&si, 0, sizeof si);
	CHECK("SIGCHLD for a live thread's child", sigtimedwait(&s, &si, &ts) == SIGCHLD && si.si_pid == g.pid);
	pthread_join(th, NULL);
	struct timespec zero = { 0, 0 };
	CHECK_ERR("no second SIGCHLD after the thread exits", sigtimedwait(&s, &si, &zero), EAGAIN);
	CHECK("  reaped", waitpid(g.pid, &st, 0) == g.pid && WEXITSTATUS(st) == 10);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

/* --- a thread sleeping in sigsuspend is woken by SIGCHLD --------------- */
static volatile int woke;
static void on_chld_plain(int s)
{
	(void)s;
	woke++;
}

static void *thread_suspend(void *p)
{
	(void)p;
	sigset_t none;
	sigemptyset(&none);
	while (!woke)
		sigsuspend(&none);
	return (void *)(long)gettid_();
}

static void suspend_other_thread(void)
{
	signal(SIGCHLD, on_chld_plain);
	sigset_t s = chld_set();
	pthread_sigmask(SIG_BLOCK, &s, NULL);	/* main blocks it */
	woke = 0;
	pthread_t th;
	if (pthread_create(&th, NULL, thread_suspend, NULL))
		DIE("pthread_create");
	pid_t c = fork_exit(12);	/* main forks */
	void *tid;
	pthread_join(th, &tid);
	CHECK("child of main (blocking SIGCHLD): a thread in sigsuspend takes it", woke == 1);
	int st;
	CHECK("  reaped", waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 12);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	signal(SIGCHLD, SIG_DFL);
}

int main(void)
{
	handler_in_other_thread();
	sigwait_other_thread();
	suspend_other_thread();
	return t_done();
}
