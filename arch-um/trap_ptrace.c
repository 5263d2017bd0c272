/* The ptrace trap modes. One implementation, two registrations:
 *   mode=skas (UML's skas0): PTRACE_SYSEMU, one stop per guest syscall;
 *   mode=tt: PTRACE_SYSCALL, which stops at entry and exit: the call is
 *            turned into getpid at entry and handed to the kernel at the
 *            exit stop (the portable reference path).
 * Mapping changes run in the stub in one round trip: point it at
 * stub_run_ops and let it run to its int3. The kick that interrupts a
 * running guest is STUB_KICK_SIG to its stub. */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include "um.h"
#include "trap_mode.h"
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/sched.h>

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif

/* Let the new stub map its data pages (r9: their physmem offset) and
 * clear the host's mappings; it stops in int3 with rax 0 when done. */
static int ptrace_mm_start(struct um_mm *m)
{
	pid_t pid = stub_spawn();
	if (pid < 0)
		return pid;
	int st;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) ||
	    stub_setup(pid, m->data_pfn << PAGE_SHIFT, 0, 0))
		goto fail;
	m->pid = pid;
	return 0;
fail:
	kill(pid, SIGKILL);
	waitpid(pid, &st, __WALL);
	return -ECHILD;
}

static void ptrace_mm_stop(struct um_mm *m)
{
	kill(m->pid, SIGKILL);
	int st;
	while (waitpid(m->pid, &st, __WALL) < 0 && errno == EINTR)
		;
}

/* A reused stub: registers (TLS included) and FPU state are set before
 * each run; the munmap of the old guest's memory must have run (the stub
 * counts the operations it finished). */
static int ptrace_mm_reset(struct um_mm *m)
{
	return m->data[STUB_OP_DONE / 8] == 1 ? 0 : -1;
}

static void ptrace_flush(struct um_mm *m, struct guest_regs *gregs)
{
	_Static_assert(sizeof(struct guest_regs) == sizeof(struct user_regs_struct), "guest_regs layout");
	if (!m->nops)
		return;
	m->data[STUB_OP_COUNT / 8] = m->nops;
	m->data[STUB_OP_DONE / 8] = 0;
	m->data[STUB_OP_ERR / 8] = 0;
	struct user_regs_struct r;
	int st;
	/* the guest's registers (when we have them) save a GETREGS; they are
	 * set again before the guest resumes */
	if (gregs)
		memcpy(&r, gregs, sizeof(r));
	else if (ptrace(PTRACE_GETREGS, m->pid, 0, &r))
		goto dead;
	r.rip = stub_run_ops_entry();
	r.rsp = STUB_STACK_TOP - 64;
	r.eflags &= ~0x100ULL;	/* a guest being single-stepped: not the stub */
	if (ptrace(PTRACE_SETREGS, m->pid, 0, &r) || ptrace(PTRACE_CONT, m->pid, 0, 0))
		goto dead;
	for (;;) {
		if (um_wait_stopped(m->pid, &st) || !WIFSTOPPED(st))
			goto dead;
		if (WSTOPSIG(st) == SIGTRAP)
			break;
		/* a stale kick: drop it and let the stub finish */
		if (ptrace(PTRACE_CONT, m->pid, 0, 0))
			goto dead;
	}
	if (m->data[STUB_OP_DONE / 8] != (uint64_t)m->nops) {
		struct stub_op *op = &m->ops[m->data[STUB_OP_DONE / 8]];
		panic("stub: host syscall %lu(%#lx, %#lx) failed: %ld", (unsigned long)op->nr,
		      (unsigned long)op->a[0], (unsigned long)op->a[1], (long)m->data[STUB_OP_ERR / 8]);
	}
dead:
	m->nops = 0;
}

#define DEBUGREG(n) (offsetof(struct user, u_debugreg) + (n) * sizeof(long))

static void fill_fault(struct task *t, pid_t pid, int sig, struct trap_info *ti)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	ti->kind = TRAP_FAULT;
	ti->signo = sig;
	ti->code = si.si_code;
	ti->addr = (uaddr_t)si.si_addr;
	ti->trapno = 0;
	/* a debug trap (a step, a hardware breakpoint): DR6 says which, as
	 * the host's ptrace reads it (the task keeps it flipped: see
	 * arch-um/kernel/ptrace_arch.c) */
	if (sig == SIGTRAP && (si.si_code == TRAP_TRACE || si.si_code == TRAP_HWBKPT || si.si_code == TRAP_BRKPT)) {
		errno = 0;
		long dr6 = ptrace(PTRACE_PEEKUSER, pid, DEBUGREG(6), 0);
		if (errno == 0)
			t->thread.debugreg[6] = (uint64_t)dr6 ^ 0xffff0ff0ULL;
	}
}

/* DR7 off first: the host checks each address against the breakpoints
 * DR7 enables, then DR7 with the new addresses. */
static int ptrace_debugregs_set(struct um_mm *m, const uint64_t dr[8])
{
	if (ptrace(PTRACE_POKEUSER, m->pid, DEBUGREG(7), 0))
		return -errno;
	for (int i = 0; i < 4; i++)
		if (ptrace(PTRACE_POKEUSER, m->pid, DEBUGREG(i), dr[i]))
			return -errno;
	if (dr[7] && ptrace(PTRACE_POKEUSER, m->pid, DEBUGREG(7), dr[7]))
		return -errno;
	return 0;
}

/* tt: at a syscall-entry stop, nullify the call into getpid and let it
 * run to its exit stop, where the kernel takes over. false: it died. */
static bool tt_nullify(pid_t pid, struct task *t)
{
	int st;
	if (ptrace(PTRACE_GETREGS, pid, 0, &t->regs) ||
	    ptrace(PTRACE_POKEUSER, pid, offsetof(struct user_regs_struct, orig_rax), SYS_getpid) ||
	    ptrace(PTRACE_SYSCALL, pid, 0, 0) || um_wait_stopped(pid, &st) || !WIFSTOPPED(st))
		return false;
	/* a kick that landed between entry and exit: finish the getpid */
	while (WIFSTOPPED(st) && WSTOPSIG(st) != (SIGTRAP | 0x80))
		if (ptrace(PTRACE_SYSCALL, pid, 0, 0) || um_wait_stopped(pid, &st))
			return false;
	if (!WIFSTOPPED(st))
		return false;
	t->regs.rax = -ENOSYS;
	return true;
}

static void ptrace_run(struct task *t, struct um_mm *m, struct trap_info *ti, bool tt)
{
	int st;
	if (ptrace(PTRACE_SETREGS, m->pid, 0, &t->regs))
		goto died;
	irq_set_running(m->pid);
	if (irq_pending) {
		irq_set_running(0);
		ti->kind = TRAP_IRQ;
		return;
	}
	if (ptrace(tt ? PTRACE_SYSCALL : PTRACE_SYSEMU, m->pid, 0, 0) || um_wait_stopped(m->pid, &st) ||
	    !WIFSTOPPED(st))
		goto died;
	irq_set_running(0);
	int sig = WSTOPSIG(st);
	if (sig == (SIGTRAP | 0x80) && tt) {
		if (!tt_nullify(m->pid, t))
			goto died;
		ti->kind = TRAP_SYSCALL;
		return;
	}
	if (ptrace(PTRACE_GETREGS, m->pid, 0, &t->regs))
		goto died;
	if (sig == (SIGTRAP | 0x80))
		ti->kind = TRAP_SYSCALL;
	else if (sig == STUB_KICK_SIG || sig == SIGSTOP || sig == SIGWINCH || sig == SIGCHLD)
		ti->kind = TRAP_IRQ;
	else
		fill_fault(t, m->pid, sig, ti);
	return;
died:
	irq_set_running(0);
	ti->kind = TRAP_DIED;
}

static void skas_run(struct task *t, struct um_mm *m, struct trap_info *ti) { ptrace_run(t, m, ti, false); }
static void tt_run(struct task *t, struct um_mm *m, struct trap_info *ti) { ptrace_run(t, m, ti, true); }

/* Through the XSTATE regset (fxsave prefix). */
static int ptrace_fpstate_get(struct um_mm *m, void *buf, size_t size, size_t *len)
{
	struct iovec iov = { buf, size };
	if (ptrace(PTRACE_GETREGSET, m->pid, NT_X86_XSTATE, &iov))
		return -errno;
	*len = iov.iov_len;
	return 0;
}

static int ptrace_fpstate_set(struct um_mm *m, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	return ptrace(PTRACE_SETREGSET, m->pid, NT_X86_XSTATE, &iov) ? -errno : 0;
}

static void ptrace_kick(pid_t pid)
{
	kill(pid, STUB_KICK_SIG);
}

/* A traced child that makes one syscall: the first stop must be a
 * syscall stop (SIGTRAP|0x80), with the call still to be run. */
static const char *probe(int req)
{
	pid_t self = getpid(), pid = fork();
	if (pid < 0)
		return "cannot fork a test process";
	if (pid == 0) {
		/* not left stopped for ever if umk dies meanwhile */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != self || ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(1);
		raise(SIGSTOP);
		syscall(SYS_getppid);
		_exit(0);
	}
	int st;
	const char *why = NULL;
	if (um_wait_stopped(pid, &st) || !WIFSTOPPED(st))
		why = "ptrace(PTRACE_TRACEME) is not allowed (seccomp, a container, or kernel.yama.ptrace_scope=3)";
	else if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) ||
		 ptrace(req, pid, 0, 0) || um_wait_stopped(pid, &st) || !WIFSTOPPED(st) ||
		 WSTOPSIG(st) != (SIGTRAP | 0x80))
		why = req == PTRACE_SYSEMU ? "PTRACE_SYSEMU does not stop at a system call"
					   : "PTRACE_SYSCALL does not stop at a system call";
	kill(pid, SIGKILL);
	waitpid(pid, &st, __WALL);
	return why;
}

static const char *skas_probe(void) { return probe(PTRACE_SYSEMU); }
static const char *tt_probe(void) { return probe(PTRACE_SYSCALL); }

static const struct trap_mode skas_mode = {
	.name = "skas", .alias = "skas0", .rank = 20, .probe = skas_probe,
	.help = "PTRACE_SYSEMU, mapping changes batched in the stub",
	.mm_start = ptrace_mm_start, .mm_stop = ptrace_mm_stop, .mm_reset = ptrace_mm_reset,
	.flush = ptrace_flush, .run = skas_run,
	.fpstate_get = ptrace_fpstate_get, .fpstate_set = ptrace_fpstate_set, .kick = ptrace_kick,
	.debugregs_set = ptrace_debugregs_set,
};
static const struct trap_mode tt_mode = {
	.name = "tt", .rank = 10, .probe = tt_probe,
	.help = "PTRACE_SYSCALL trace thread, each call nullified",
	.mm_start = ptrace_mm_start, .mm_stop = ptrace_mm_stop, .mm_reset = ptrace_mm_reset,
	.flush = ptrace_flush, .run = tt_run,
	.fpstate_get = ptrace_fpstate_get, .fpstate_set = ptrace_fpstate_set, .kick = ptrace_kick,
	.debugregs_set = ptrace_debugregs_set,
};
TRAP_MODE(skas_mode);
TRAP_MODE(tt_mode);
