/* A tracer at a child's system calls: it counts them (PTRACE_SYSCALL),
 * reads the registers at entry and exit, changes an argument, a result
 * and a number (orig_rax -1 skips the call), reads and writes the child's
 * memory, reads PTRACE_GET_SYSCALL_INFO, the event message and siginfo of
 * syscall stops, resumes with a signal, and emulates calls with
 * PTRACE_SYSEMU. */
#include "ptrace_t.h"
#include <stddef.h>

static volatile long shared_var = 0x1122334455667788;
static volatile int got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1++; }

static void child(void)
{
	signal(SIGUSR1, on_usr1);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(90);
	raise(SIGSTOP);
	/* the counted section, from getuid to getgid: raw calls only */
	syscall(SYS_getuid);
	for (int i = 0; i < 5; i++)
		syscall(SYS_getppid);
	long pid = syscall(SYS_getpid, 11, 22, 33, 44, 55, 66);
	int p[2];
	syscall(SYS_pipe2, p, 0);
	long w = syscall(SYS_write, p[1], "abcdef", 6);
	char buf[8] = { 0 };
	long r = syscall(SYS_read, p[0], buf, sizeof(buf) - 1);
	long uid = syscall(SYS_getuid);	/* skipped by the tracer */
	syscall(SYS_getgid);
	printf("child: getpid gave 4242: %s\n", pid == 4242 ? "ok" : "FAIL");
	printf("child: write of 6 cut to %ld, read %ld \"%s\"\n", w, r, buf);
	printf("child: skipped getuid gave %ld\n", uid);
	printf("child: the tracer's poke: %s\n", shared_var == 0x55aa ? "ok" : "FAIL");
	/* the tracer resumes this call's exit stop with SIGUSR1 */
	syscall(SYS_getppid);
	printf("child: SIGUSR1 delivered %d time(s)\n", got_usr1);
	/* then emulates the two calls after gettid: neither runs */
	syscall(SYS_gettid);
	long e = syscall(SYS_getpid);
	long k = syscall(SYS_kill, 0, SIGKILL);
	printf("child: emulated getpid %ld, kill %ld\n", e, k);
	_exit(0);
}

static pid_t pid;
static struct user_regs_struct r;

/* Resume with req and sig; the next stop must be a syscall stop (its
 * registers in r): true, else prints what came. */
static int next_syscall_stop(int req, int sig)
{
	int st;
	ptrace(req, pid, 0, sig);
	t_wait(pid, &st);
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != (SIGTRAP | 0x80)) {
		printf("expected a syscall stop: %s\n", t_status(st));
		return 0;
	}
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	return 1;
}

int main(void)
{
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child();
	t_wait_show("first stop", pid);
	siginfo_t si;
	CHECK_OK("GETSIGINFO at the SIGSTOP", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
	printf("siginfo: signo SIG%s code %d\n", sigabbrev_np(si.si_signo), si.si_code);
	struct __ptrace_syscall_info info;
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info);
	printf("syscall info at a signal stop: op %d, size %s\n", info.op,
	       n == offsetof(struct __ptrace_syscall_info, entry) ? "header only" : "other");
	CHECK_OK("SETOPTIONS TRACESYSGOOD", ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));

	/* to the section's start */
	do
		if (!next_syscall_stop(PTRACE_SYSCALL, 0))
			return 1;
	while (r.orig_rax != SYS_getuid);
	next_syscall_stop(PTRACE_SYSCALL, 0);	/* its exit */

	int calls = 0, getppids = 0, entry_msgs = 0, exit_msgs = 0;
	for (;;) {
		/* entry */
		if (!next_syscall_stop(PTRACE_SYSCALL, 0))
			return 1;
		unsigned long msg = 0;
		ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
		entry_msgs += msg == PTRACE_EVENTMSG_SYSCALL_ENTRY;
		long nr = (long)r.orig_rax;
		calls++;
		getppids += nr == SYS_getppid;
		if (nr == SYS_getpid) {
			printf("getpid entry: rax -ENOSYS %s, args %lld %lld %lld %lld %lld %lld\n",
			       (long)r.rax == -ENOSYS ? "yes" : "no", r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9);
			ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info);
			printf("syscall info at entry: op %d nr==getpid %d arg5 %lld\n", info.op,
			       info.entry.nr == SYS_getpid, (long long)info.entry.args[5]);
			ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
			printf("siginfo at a syscall stop: signo SIG%s code %#x\n", sigabbrev_np(si.si_signo), si.si_code);
		}
		if (nr == SYS_write) {
			r.rdx = 3;	/* write 3 bytes, not 6 */
			ptrace(PTRACE_SETREGS, pid, 0, &r);
		}
		if (nr == SYS_getuid) {
			/* skip it: rax is what it returns */
			r.orig_rax = -1;
			r.rax = 31337;
			ptrace(PTRACE_SETREGS, pid, 0, &r);
			errno = 0;
			long v = ptrace(PTRACE_PEEKDATA, pid, &shared_var, 0);
			printf("PEEKDATA: %s\n", errno == 0 && v == 0x1122334455667788 ? "ok" : "FAIL");
			CHECK_OK("POKEDATA", ptrace(PTRACE_POKEDATA, pid, &shared_var, 0x55aa));
			/* the text reads back as ours: the same program */
			long text = ptrace(PTRACE_PEEKTEXT, pid, (void *)child, 0);
			long mine;
			memcpy(&mine, (void *)child, sizeof(mine));
			printf("PEEKTEXT of code: %s\n", text == mine ? "ok" : "FAIL");
		}
		/* exit */
		if (!next_syscall_stop(PTRACE_SYSCALL, 0))
			return 1;
		ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
		exit_msgs += msg == PTRACE_EVENTMSG_SYSCALL_EXIT;
		if (nr == SYS_getppid && getppids == 1)
			printf("getppid exit: the tracer's pid %s\n", (long)r.rax == getpid() ? "ok" : "FAIL");
		if (nr == SYS_getpid) {
			ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info);
			printf("syscall info at exit: op %d error %d\n", info.op, info.exit.is_error);
			r.rax = 4242;
			ptrace(PTRACE_SETREGS, pid, 0, &r);
		}
		if (nr == SYS_getuid)
			printf("skipped call at its exit: orig_rax %lld rax %lld\n", (long long)r.orig_rax,
			       (long long)r.rax);
		if (nr == SYS_getgid)
			break;
	}
	printf("section: %d calls, %d getppid; ENTRY message at %d entries, EXIT at %d exits\n", calls, getppids,
	       entry_msgs, exit_msgs);

	/* to the getppid's exit: resume with SIGUSR1 there */
	do
		next_syscall_stop(PTRACE_SYSCALL, 0);
	while (r.orig_rax != SYS_getppid);
	next_syscall_stop(PTRACE_SYSCALL, 0);
	int st;
	ptrace(PTRACE_SYSCALL, pid, 0, SIGUSR1);
	t_wait(pid, &st);
	printf("after resuming with SIGUSR1: %s\n", t_status(st));
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	printf("its siginfo: code %s\n", si.si_code == SI_KERNEL ? "SI_KERNEL" : "other");
	/* deliver it; on to gettid's exit, then emulate */
	ptrace(PTRACE_SYSCALL, pid, 0, SIGUSR1);
	t_wait(pid, &st);
	while (r.orig_rax != SYS_gettid || !WIFSTOPPED(st)) {
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		ptrace(PTRACE_SYSCALL, pid, 0, 0);
		t_wait(pid, &st);
	}
	int emulated = 0;
	for (;;) {
		ptrace(emulated == 2 ? PTRACE_CONT : PTRACE_SYSEMU, pid, 0, 0);
		t_wait(pid, &st);
		if (!WIFSTOPPED(st))
			break;
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		printf("sysemu stop: %s, call %s\n", t_status(st),
		       r.orig_rax == SYS_getpid ? "getpid" : r.orig_rax == SYS_kill ? "kill" : "other");
		r.rax = r.orig_rax == SYS_getpid ? 99 : -1234;
		ptrace(PTRACE_SETREGS, pid, 0, &r);
		emulated++;
	}
	printf("end: %s, %d calls emulated\n", t_status(st), emulated);
	return t_done();
}
