/* Debugger stepping: a breakpoint written into read-only text with
 * POKETEXT (the tracer's own copy untouched), PTRACE_SINGLESTEP through
 * known instructions (TRAP_TRACE, the trap flag hidden from GETREGS),
 * over a syscall instruction (TRAP_BRKPT after it) and into a signal
 * handler; a program's own trap flag; a hardware watchpoint and an
 * execute breakpoint (hit at each call, not again on resuming there)
 * through the debug registers (gone with the tracee that had them); FPU registers through GETFPREGS/SETFPREGS and the
 * XSTATE register set. */
#include "ptrace_t.h"
#include <elf.h>
#include <stddef.h>
#include <sys/uio.h>

extern char step_code[], step_end[], sys_code[], sys_after[], tf_code[], fp_code[], hw_code[];
__asm__(".text\n"
	".globl step_code, step_end, sys_code, sys_after, tf_code, fp_code, hw_code\n"
	/* where an execute breakpoint goes */
	"hw_code: nop\n ret\n"
	/* five instructions to step through */
	"step_code: mov $1, %eax\n add $2, %eax\n nop\n lea 3(%rax), %rcx\n xchg %rcx, %rax\n"
	"step_end: ret\n"
	/* getpid by a syscall instruction */
	"sys_code: mov $39, %eax\n syscall\n"
	"sys_after: nop\n ret\n"
	/* the program sets TF itself: traps after each instruction until
	 * the popf that clears it */
	"tf_code: pushf\n orl $0x100, (%rsp)\n popf\n nop\n pushf\n andl $~0x100, (%rsp)\n popf\n ret\n"
	/* xmm0 = a pattern, then a breakpoint for the tracer, then xmm1 out */
	"fp_code: movdqu (%rdi), %xmm0\n int3\n movdqu %xmm1, (%rsi)\n ret\n");

static volatile int watched;
static volatile int in_handler;
static void on_usr1(int sig) { (void)sig; in_handler = 1; }

static void child(void)
{
	signal(SIGUSR1, on_usr1);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(90);
	raise(SIGSTOP);
	((void (*)(void))step_code)();
	((void (*)(void))sys_code)();
	raise(SIGUSR1);
	((void (*)(void))tf_code)();
	raise(SIGUSR2);
	watched = 1;
	watched = 2;
	((void (*)(void))hw_code)();
	((void (*)(void))hw_code)();
	static const unsigned char pat[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	unsigned char out[16];
	((void (*)(const void *, void *))fp_code)(pat, out);
	_exit(out[0] == 0xa5 && out[15] == 0x5a ? 0 : 1);
}

static pid_t pid;

static unsigned long long rip(void)
{
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	return r.rip;
}

static const char *code_name(int code)
{
	switch (code) {
	case TRAP_BRKPT: return "TRAP_BRKPT";
	case TRAP_TRACE: return "TRAP_TRACE";
	case TRAP_HWBKPT: return "TRAP_HWBKPT";
	case SI_KERNEL: return "SI_KERNEL";
	case SIGTRAP: return "SIGTRAP (ptrace_notify)";
	default: return "other";
	}
}

static int stop_code(void)
{
	siginfo_t si;
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	return si.si_code;
}

#define DR(n) (offsetof(struct user, u_debugreg) + (n) * 8)

int main(void)
{
	alarm(30);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child();
	t_wait_show("child", pid);

	/* breakpoint at step_code, in read-only text */
	errno = 0;
	long orig = ptrace(PTRACE_PEEKTEXT, pid, step_code, 0);
	long bp = (orig & ~0xffL) | 0xcc;
	CHECK_OK("POKETEXT int3 into read-only text", ptrace(PTRACE_POKETEXT, pid, step_code, bp));
	CHECK("the tracer's own text untouched", (unsigned char)step_code[0] != 0xcc);
	CHECK("the child's text has it", ptrace(PTRACE_PEEKTEXT, pid, step_code, 0) == bp);
	ptrace(PTRACE_CONT, pid, 0, 0);
	t_wait_show("child", pid);
	printf("breakpoint: %s, rip just past it %d\n", code_name(stop_code()), rip() == (unsigned long long)step_code + 1);
	ptrace(PTRACE_POKETEXT, pid, step_code, orig);
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	r.rip = (unsigned long long)step_code;
	ptrace(PTRACE_SETREGS, pid, 0, &r);

	/* five single steps */
	for (int i = 1; rip() < (unsigned long long)step_end; i++) {
		ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
		int st;
		t_wait(pid, &st);
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		printf("step %d: %s %s, at +%lld, TF visible %d, rax %lld rcx %lld\n", i, t_status(st),
		       code_name(stop_code()), r.rip - (unsigned long long)step_code, (r.eflags & 0x100) != 0,
		       (long long)r.rax, i >= 4 ? (long long)r.rcx : 0LL);
		if (i > 10)
			break;
	}
	unsigned long dr6 = ptrace(PTRACE_PEEKUSER, pid, DR(6), 0);
	printf("DR6 after a step: BS %d\n", (dr6 & 0x4000) != 0);

	/* on to sys_code: step the mov and the syscall instruction */
	long o2 = ptrace(PTRACE_PEEKTEXT, pid, sys_code, 0);
	ptrace(PTRACE_POKETEXT, pid, sys_code, (o2 & ~0xffL) | 0xcc);
	ptrace(PTRACE_CONT, pid, 0, 0);
	t_wait(pid, NULL);
	ptrace(PTRACE_POKETEXT, pid, sys_code, o2);
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	r.rip = (unsigned long long)sys_code;
	ptrace(PTRACE_SETREGS, pid, 0, &r);
	ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
	t_wait(pid, NULL);
	ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
	t_wait_show("step over syscall", pid);
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	printf("  %s, right after it %d, rax is its pid %d, orig_rax getpid %d\n", code_name(stop_code()),
	       r.rip == (unsigned long long)sys_after, (pid_t)r.rax == pid, r.orig_rax == SYS_getpid);

	/* the raise(SIGUSR1): step into the handler */
	ptrace(PTRACE_CONT, pid, 0, 0);
	t_wait_show("child", pid);
	ptrace(PTRACE_SINGLESTEP, pid, 0, SIGUSR1);
	t_wait_show("stepped into the handler", pid);
	printf("  %s, at the handler %d\n", code_name(stop_code()), rip() == (unsigned long long)on_usr1);

	/* the program's own trap flag: traps until SIGUSR2 */
	ptrace(PTRACE_CONT, pid, 0, 0);
	int traps = 0, st;
	for (;;) {
		t_wait(pid, &st);
		if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
			break;
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		if (!traps)
			printf("own TF: %s %s, TF visible %d\n", t_status(st), code_name(stop_code()),
			       (r.eflags & 0x100) != 0);
		traps++;
		ptrace(PTRACE_CONT, pid, 0, 0);
	}
	printf("own TF: %d traps, then %s\n", traps, t_status(st));

	/* a hardware watchpoint on writes to watched (4 bytes) */
	CHECK_OK("DR0", ptrace(PTRACE_POKEUSER, pid, DR(0), &watched));
	CHECK_OK("DR7", ptrace(PTRACE_POKEUSER, pid, DR(7), 0x1 | (0x1 << 16) | (0x3 << 18)));
	printf("DR7 reads back %#lx\n", ptrace(PTRACE_PEEKUSER, pid, DR(7), 0));
	for (int i = 0; i < 2; i++) {
		ptrace(PTRACE_CONT, pid, 0, 0);
		t_wait(pid, &st);
		errno = 0;
		long v = ptrace(PTRACE_PEEKDATA, pid, &watched, 0);
		dr6 = ptrace(PTRACE_PEEKUSER, pid, DR(6), 0);
		printf("watchpoint: %s %s, B0 %d, the value now %d\n", t_status(st), code_name(stop_code()),
		       (int)(dr6 & 1), (int)v);
	}
	CHECK_OK("DR7 off", ptrace(PTRACE_POKEUSER, pid, DR(7), 0));

	/* an execute breakpoint in slot 1: it stops before the instruction,
	 * and resuming there runs it (RF) rather than trapping again */
	CHECK_OK("DR1", ptrace(PTRACE_POKEUSER, pid, DR(1), hw_code));
	CHECK_OK("DR7 slot 1 execute", ptrace(PTRACE_POKEUSER, pid, DR(7), 0x4));
	for (int i = 0; i < 2; i++) {
		ptrace(PTRACE_CONT, pid, 0, 0);
		t_wait(pid, &st);
		dr6 = ptrace(PTRACE_PEEKUSER, pid, DR(6), 0);
		printf("execute breakpoint: %s %s, B1 %d B0 %d, at it %d\n", t_status(st), code_name(stop_code()),
		       (int)(dr6 >> 1 & 1), (int)(dr6 & 1), rip() == (unsigned long long)hw_code);
	}
	CHECK_OK("DR7 off again", ptrace(PTRACE_POKEUSER, pid, DR(7), 0));

	/* FPU: xmm0 as the child set it; xmm1 as we set it */
	ptrace(PTRACE_CONT, pid, 0, 0);
	t_wait_show("at the int3", pid);
	struct user_fpregs_struct fp;
	CHECK_OK("GETFPREGS", ptrace(PTRACE_GETFPREGS, pid, 0, &fp));
	unsigned char *x0 = (unsigned char *)&fp.xmm_space[0];
	printf("xmm0: %d %d .. %d, mxcsr %#x\n", x0[0], x0[1], x0[15], fp.mxcsr);
	unsigned char *x1 = (unsigned char *)&fp.xmm_space[4];
	memset(x1, 0, 16);
	x1[0] = 0xa5;
	x1[15] = 0x5a;
	CHECK_OK("SETFPREGS", ptrace(PTRACE_SETFPREGS, pid, 0, &fp));
	struct user_fpregs_struct fp2;
	ptrace(PTRACE_GETFPREGS, pid, 0, &fp2);
	CHECK("GETFPREGS reads the set back", !memcmp(&fp2.xmm_space[4], x1, 16));
	static unsigned char xs[8192];
	struct iovec iov = { xs, sizeof(xs) };
	CHECK_OK("GETREGSET NT_X86_XSTATE", ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov));
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
	printf("XSTATE: the CPU's size %d, xmm1 there %d, xfeatures word %d\n", iov.iov_len == b,
	       !memcmp(xs + 160 + 16, x1, 16), *(unsigned long long *)(xs + 464) == ((unsigned long long)d << 32 | a));
	iov.iov_len = 7;
	CHECK_ERR("GETREGSET of 7 bytes", ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov), EINVAL);
	iov.iov_len = 16;
	CHECK_OK("GETREGSET NT_PRSTATUS, 2 words", ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov));
	printf("NT_PRSTATUS cut to %zu, r15 first %d\n", iov.iov_len, *(unsigned long long *)xs == r.r15);
	iov.iov_len = 4096;
	CHECK_OK("GETREGSET NT_PRFPREG", ptrace(PTRACE_GETREGSET, pid, NT_PRFPREG, &iov));
	printf("NT_PRFPREG: %zu bytes\n", iov.iov_len);
	iov.iov_len = 100;
	CHECK_ERR("SETREGSET XSTATE, not whole words", ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov), EINVAL);
	iov.iov_len = 104;
	CHECK_ERR("SETREGSET XSTATE, not all of it", ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov), EFAULT);
	ptrace(PTRACE_CONT, pid, 0, 0);
	t_wait_show("child", pid);

	/* a tracee that ends with a watchpoint armed takes it with it: the
	 * next process (which may run where it ran) writes there freely */
	pid = fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(90);
		raise(SIGSTOP);
		watched = 3;
		_exit(0);
	}
	t_wait_show("armed child", pid);
	CHECK_OK("its DR0", ptrace(PTRACE_POKEUSER, pid, DR(0), &watched));
	CHECK_OK("its DR7", ptrace(PTRACE_POKEUSER, pid, DR(7), 0x1 | (0x1 << 16) | (0x3 << 18)));
	ptrace(PTRACE_CONT, pid, 0, 0);
	t_wait_show("armed child", pid);
	ptrace(PTRACE_CONT, pid, 0, 0);
	t_wait_show("armed child", pid);
	for (int round = 0; round < 2; round++) {
		pid = fork();
		if (pid == 0) {
			for (int i = 0; i < 3; i++)
				watched = 10 + i;
			_exit(watched == 12 ? 0 : 1);
		}
		t_wait_show("an untraced child writing there", pid);
	}
	return t_done();
}
