/* Signals: sigaction flags, siginfo, masks, waiting, timers, default
 * actions, job control and the signal frame (registers preserved). */
#include "t.h"
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>

static volatile sig_atomic_t count, depth, maxdepth;
static volatile int info_signo, info_code, info_pid, info_uid, info_val, info_status;

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void set_handler(int sig, void (*h)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		DIE("sigaction");
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	count++;
	info_signo = si->si_signo;
	info_code = si->si_code;
	info_pid = si->si_pid;
	info_uid = si->si_uid;
	info_val = si->si_value.sival_int;
	info_status = si->si_status;
	(void)sig;
}

static void on_count(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	count++;
}

static void on_nested(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	count++;
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	if (count == 1)
		raise(sig);
	depth--;
}

static char *altstack;
static volatile int on_alt, alt_flag;
#define ALTSZ (64 * 1024)

static void on_alt_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	char local;
	on_alt = (&local > altstack && &local < altstack + ALTSZ);
	stack_t cur;
	sigaltstack(NULL, &cur);
	alt_flag = (cur.ss_flags & SS_ONSTACK) != 0;
}

extern char __executable_start[], etext[];
static char *main_stack;
static volatile int rip_ok, rsp_ok, fp_ok;

static void on_uc(int sig, siginfo_t *si, void *ucv)
{
	(void)sig, (void)si;
	ucontext_t *uc = ucv;
	uintptr_t rip = uc->uc_mcontext.gregs[REG_RIP];
	uintptr_t rsp = uc->uc_mcontext.gregs[REG_RSP];
	rip_ok = rip >= (uintptr_t)__executable_start && rip < (uintptr_t)etext;
	rsp_ok = rsp < (uintptr_t)main_stack + 65536 && rsp > (uintptr_t)main_stack - (1 << 20);
	fp_ok = uc->uc_mcontext.fpregs != NULL;
}

/* Handler that trashes every register it may: the interrupted code must
 * still see its own values after sigreturn. */
static volatile double fsum;
static void on_trash(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	count++;
	double x = 1.5;
	for (int i = 0; i < 10; i++)
		x = x * 1.25 + 0.5;
	fsum = x;
	__asm__ volatile("xor %%r8d,%%r8d; xor %%r9d,%%r9d; xor %%r10d,%%r10d; xor %%r11d,%%r11d;"
			 "xor %%ebx,%%ebx; xor %%r12d,%%r12d; xor %%r13d,%%r13d; xor %%r14d,%%r14d; xor %%r15d,%%r15d;"
			 "pxor %%xmm0,%%xmm0; pxor %%xmm1,%%xmm1; pxor %%xmm2,%%xmm2; pxor %%xmm3,%%xmm3;"
			 "pxor %%xmm4,%%xmm4; pxor %%xmm5,%%xmm5; pxor %%xmm6,%%xmm6; pxor %%xmm7,%%xmm7;"
			 "pxor %%xmm8,%%xmm8; pxor %%xmm9,%%xmm9; pxor %%xmm10,%%xmm10; pxor %%xmm11,%%xmm11;"
			 "pxor %%xmm12,%%xmm12; pxor %%xmm13,%%xmm13; pxor %%xmm14,%%xmm14; pxor %%xmm15,%%xmm15"
			 ::: "r8", "r9", "r10", "r11", "rbx", "r12", "r13", "r14", "r15", "xmm0", "xmm1", "xmm2",
			 "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
			 "xmm13", "xmm14", "xmm15", "memory");
}

/* regs_out: rbx rbp r8 r9 r12 r13 r14 r15 rdi rsi rdx, xmm0 xmm6 xmm15 (low quadwords) */
uint64_t regs_out[14] __attribute__((used));
uint64_t unblock_set __attribute__((used));

static int check_regs_across_signal(void)
{
	/* SIGUSR1 pending and blocked; the rt_sigprocmask below unblocks it
	 * and the handler runs on the way back from that syscall. */
	unblock_set = 1ull << (SIGUSR1 - 1);
	__asm__ volatile(
		"push %%rbp\n\t"
		"movabs $0x1111111111111111, %%rbx\n\t"
		"movabs $0x2222222222222222, %%rbp\n\t"
		"movabs $0x3333333333333333, %%r8\n\t"
		"movabs $0x4444444444444444, %%r9\n\t"
		"movabs $0x5555555555555555, %%r12\n\t"
		"movabs $0x6666666666666666, %%r13\n\t"
		"movabs $0x7777777777777777, %%r14\n\t"
		"movabs $0x0888888888888888, %%r15\n\t"
		"movq %%rbx, %%xmm0\n\t"
		"movq %%r12, %%xmm6\n\t"
		"movq %%r15, %%xmm15\n\t"
		"mov $14, %%eax\n\t" /* rt_sigprocmask */
		"mov $1, %%edi\n\t" /* SIG_UNBLOCK */
		"lea unblock_set(%%rip), %%rsi\n\t"
		"xor %%edx, %%edx\n\t"
		"mov $8, %%r10d\n\t"
		"syscall\n\t"
		"mov %%rbx, regs_out+0(%%rip)\n\t"
		"mov %%rbp, regs_out+8(%%rip)\n\t"
		"mov %%r8, regs_out+16(%%rip)\n\t"
		"mov %%r9, regs_out+24(%%rip)\n\t"
		"mov %%r12, regs_out+32(%%rip)\n\t"
		"mov %%r13, regs_out+40(%%rip)\n\t"
		"mov %%r14, regs_out+48(%%rip)\n\t"
		"mov %%r15, regs_out+56(%%rip)\n\t"
		"mov %%rdi, regs_out+64(%%rip)\n\t"
		"mov %%rsi, regs_out+72(%%rip)\n\t"
		"mov %%rdx, regs_out+80(%%rip)\n\t"
		"movq %%xmm0, regs_out+88(%%rip)\n\t"
		"movq %%xmm6, regs_out+96(%%rip)\n\t"
		"movq %%xmm15, regs_out+104(%%rip)\n\t"
		"pop %%rbp\n\t"
		:
		:
		: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
		  "r15", "xmm0", "xmm6", "xmm15", "memory", "cc");
	uint64_t want[14] = { 0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
			      0x4444444444444444, 0x5555555555555555, 0x6666666666666666,
			      0x7777777777777777, 0x0888888888888888, 1,
			      (uint64_t)(uintptr_t)&unblock_set, 0, 0x1111111111111111,
			      0x5555555555555555, 0x0888888888888888 };
	int ok = 1;
	static const char *names[14] = { "rbx", "rbp", "r8", "r9", "r12", "r13", "r14",
					 "r15", "rdi", "rsi", "rdx", "xmm0", "xmm6", "xmm15" };
	for (int i = 0; i < 14; i++)
		if (regs_out[i] != want[i]) {
			printf("  register %s not preserved\n", names[i]);
			ok = 0;
		}
	return ok;
}

int main(void)
{
	char here;
	main_stack = &here;
	pid_t me = getpid();
	sigset_t set, old;

	/* kill: SI_USER with our pid and uid */
	set_handler(SIGUSR1, on_info, 0);
	count = 0;
	kill(me, SIGUSR1);
	CHECK("kill delivers before returning", count == 1);
	CHECK("kill si_signo", info_signo == SIGUSR1);
	CHECK("kill si_code SI_USER", info_code == SI_USER);
	CHECK("kill si_pid == getpid", info_pid == me);
	CHECK("kill si_uid == getuid", (uid_t)info_uid == getuid());
	/* raise / tgkill: SI_TKILL */
	raise(SIGUSR1);
	CHECK("raise si_code SI_TKILL", count == 2 && info_code == SI_TKILL && info_pid == me);
	syscall(SYS_tgkill, me, (pid_t)syscall(SYS_gettid), SIGUSR1);
	CHECK("tgkill delivered", count == 3 && info_code == SI_TKILL);
	/* sigqueue: SI_QUEUE with a value */
	union sigval v = { .sival_int = 4242 };
	sigqueue(me, SIGUSR1, v);
	CHECK("sigqueue si_code SI_QUEUE with value", count == 4 && info_code == SI_QUEUE && info_val == 4242);
	CHECK_ERR("kill invalid signal", kill(me, 1234), EINVAL);
	CHECK_ERR("kill nonexistent pid", kill(999999999, 0), ESRCH);
	CHECK_ERR("sigaction SIGKILL", sigaction(SIGKILL, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL), EINVAL);

	/* blocking and pending */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	set_handler(SIGUSR2, on_count, 0);
	count = 0;
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR2);
	raise(SIGUSR2); /* standard signals do not queue */
	sigset_t pend;
	sigpending(&pend);
	CHECK("blocked signal pending", sigismember(&pend, SIGUSR2) == 1 && count == 0);
	CHECK("other signal not pending", sigismember(&pend, SIGUSR1) == 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK("delivered once on unblock", count == 1);
	sigpending(&pend);
	CHECK("no longer pending", sigismember(&pend, SIGUSR2) == 0);
	/* realtime signals queue */
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	set_handler(SIGRTMIN + 1, on_count, 0);
	count = 0;
	sigprocmask(SIG_BLOCK, &set, &old);
	for (int i = 0; i < 3; i++)
		sigqueue(me, SIGRTMIN + 1, v);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK("realtime signal queued 3 times", count == 3);
	/* SIGKILL/SIGSTOP cannot be blocked */
	sigfillset(&set);
	sigprocmask(SIG_SETMASK, &set, &old);
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	CHECK("SIGKILL not blockable", !sigismember(&cur, SIGKILL) && !sigismember(&cur, SIGSTOP));
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* SA_RESETHAND */
	set_handler(SIGUSR2, on_count, SA_RESETHAND);
	count = 0;
	raise(SIGUSR2);
	struct sigaction q;
	sigaction(SIGUSR2, NULL, &q);
	CHECK("SA_RESETHAND resets to SIG_DFL", count == 1 && q.sa_handler == SIG_DFL);

	/* SA_NODEFER vs default deferral */
	set_handler(SIGUSR2, on_nested, 0);
	count = depth = maxdepth = 0;
	raise(SIGUSR2);
	CHECK("without SA_NODEFER: deferred (2 runs, depth 1)", count == 2 && maxdepth == 1);
	set_handler(SIGUSR2, on_nested, SA_NODEFER);
	count = depth = maxdepth = 0;
	raise(SIGUSR2);
	CHECK("with SA_NODEFER: nested (2 runs, depth 2)", count == 2 && maxdepth == 2);

	/* sigaltstack + SA_ONSTACK */
	altstack = malloc(ALTSZ);
	stack_t ss = { .ss_sp = altstack, .ss_size = ALTSZ, .ss_flags = 0 };
	CHECK_OK("sigaltstack", sigaltstack(&ss, NULL));
	set_handler(SIGUSR2, on_alt_handler, SA_ONSTACK);
	raise(SIGUSR2);
	CHECK("SA_ONSTACK handler runs on the alternate stack", on_alt == 1);
	CHECK("sigaltstack reports SS_ONSTACK inside", alt_flag == 1);
	set_handler(SIGUSR2, on_alt_handler, 0);
	raise(SIGUSR2);
	CHECK("handler without SA_ONSTACK on normal stack", on_alt == 0);
	stack_t now;
	sigaltstack(NULL, &now);
	CHECK("sigaltstack query", now.ss_sp == altstack && now.ss_size == ALTSZ && now.ss_flags == 0);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);

	/* ucontext contents */
	set_handler(SIGUSR2, on_uc, 0);
	raise(SIGUSR2);
	CHECK("ucontext RIP inside program text", rip_ok);
	CHECK("ucontext RSP near the interrupted stack", rsp_ok);
	CHECK("ucontext has fpregs", fp_ok);

	/* registers and SSE state preserved across a handler */
	set_handler(SIGUSR1, on_trash, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	count = 0;
	raise(SIGUSR1);
	double before = 3.25;
	int regs_ok = check_regs_across_signal();
	CHECK("handler ran from the syscall return", count == 1);
	CHECK("registers preserved across handler", regs_ok);
	CHECK("floating point preserved", before * 2 == 6.5);

	/* SA_RESTART vs EINTR on a blocking pipe read */
	for (int restart = 1; restart >= 0; restart--) {
		int fds[2];
		if (pipe(fds))
			DIE("pipe");
		set_handler(SIGALRM, on_count, restart ? SA_RESTART : 0);
		count = 0;
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			msleep(400);
			(void)!write(fds[1], "x", 1);
			_exit(0);
		}
		/* a repeating timer, so a tick lands inside the read however
		 * late the read starts */
		struct itimerval it = { { 0, 100000 }, { 0, 100000 } };
		setitimer(ITIMER_REAL, &it, NULL);
		char ch;
		errno = 0;
		ssize_t r = read(fds[0], &ch, 1);
		int e = errno;
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, NULL);
		if (restart)
			CHECK("SA_RESTART: read restarted and got data", r == 1 && ch == 'x' && count >= 1);
		else
			CHECK("no SA_RESTART: read fails with EINTR", r == -1 && e == EINTR && count >= 1);
		waitpid(c, NULL, 0);
		close(fds[0]);
		close(fds[1]);
	}

	/* sigsuspend */
	set_handler(SIGUSR1, on_info, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	count = 0;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		msleep(50);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigset_t empty;
	sigemptyset(&empty);
	int r = sigsuspend(&empty);
	CHECK("sigsuspend returns EINTR after handler", r == -1 && errno == EINTR && count == 1);
	CHECK("signal came from the child", info_pid == c && info_code == SI_USER);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	CHECK("sigsuspend restores the mask", sigismember(&cur, SIGUSR1) == 1);
	waitpid(c, NULL, 0);

	/* sigtimedwait: pending signal, then timeout */
	raise(SIGUSR1);
	siginfo_t si;
	struct timespec ts = { 1, 0 };
	r = sigtimedwait(&set, &si, &ts);
	/* glibc folds the kernel's SI_TKILL into SI_USER here */
	CHECK("sigtimedwait takes pending signal", r == SIGUSR1 && si.si_code == SI_USER && count == 1);
	ts.tv_sec = 0;
	ts.tv_nsec = 100000000;
	CHECK_ERR("sigtimedwait times out", sigtimedwait(&set, &si, &ts), EAGAIN);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* pause + alarm */
	set_handler(SIGALRM, on_count, 0);
	count = 0;
	alarm(1);
	r = pause();
	CHECK("pause returns EINTR after alarm", r == -1 && errno == EINTR && count == 1);
	CHECK("alarm(0) with nothing pending returns 0", alarm(0) == 0);
	alarm(100);
	unsigned left = alarm(0);
	CHECK("alarm returns the remaining seconds", left >= 99 && left <= 100);

	/* repeating ITIMER_REAL */
	count = 0;
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	while (count < 5)
		pause();
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK("setitimer fired 5 times", count == 5);
	struct itimerval gi;
	getitimer(ITIMER_REAL, &gi);
	CHECK("timer disarmed", gi.it_value.tv_sec == 0 && gi.it_value.tv_usec == 0);

	/* SIGCHLD on child exit */
	set_handler(SIGCHLD, on_info, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	count = 0;
	fflush(stdout);
	c = fork();
	if (c == 0)
		_exit(3);
	sigsuspend(&empty);
	CHECK("SIGCHLD delivered", count == 1 && info_signo == SIGCHLD);
	CHECK("SIGCHLD si_code CLD_EXITED", info_code == CLD_EXITED);
	CHECK("SIGCHLD si_pid and si_status", info_pid == c && info_status == 3);
	waitpid(c, NULL, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGCHLD, SIG_DFL);

	/* default actions */
	int defs[] = { SIGTERM, SIGSEGV, SIGABRT, SIGHUP, SIGALRM };
	for (unsigned i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		fflush(stdout);
		c = fork();
		if (c == 0) {
			signal(defs[i], SIG_DFL);
			raise(defs[i]);
			_exit(100);
		}
		int st;
		waitpid(c, &st, 0);
		char lbl[80];
		snprintf(lbl, sizeof lbl, "default action of %s kills", strsignal(defs[i]));
		CHECK(lbl, WIFSIGNALED(st) && WTERMSIG(st) == defs[i]);
	}
	fflush(stdout);
	c = fork();
	if (c == 0) {
		signal(SIGUSR1, SIG_IGN);
		raise(SIGUSR1);
		signal(SIGCHLD, SIG_DFL);
		raise(SIGCHLD); /* default: ignore */
		raise(SIGURG);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	CHECK("ignored and default-ignored signals do not kill", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* a real segfault with default action */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		volatile int *volatile bad = (volatile int *)16;
		*bad = 1;
		_exit(100);
	}
	waitpid(c, &st, 0);
	CHECK("null write kills with SIGSEGV", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);

	/* SIGSTOP / SIGCONT with WUNTRACED / WCONTINUED */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	kill(c, SIGSTOP);
	pid_t w = waitpid(c, &st, WUNTRACED);
	CHECK("WUNTRACED reports stop", w == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	kill(c, SIGCONT);
	w = waitpid(c, &st, WCONTINUED);
	CHECK("WCONTINUED reports continue", w == c && WIFCONTINUED(st));
	kill(c, SIGTERM);
	w = waitpid(c, &st, 0);
	CHECK("continued child killed by SIGTERM", w == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	/* a stopped process is killed by SIGKILL */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGKILL);
	w = waitpid(c, &st, 0);
	CHECK("stopped child killed by SIGKILL", w == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	return t_done();
}
