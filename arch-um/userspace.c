/* Guest address spaces as stub processes, and running guest code in them
 * under ptrace: mode=skas stops once per syscall (PTRACE_SYSEMU); mode=tt
 * stops at entry, turns the call into getpid, and hands it to the kernel
 * at the exit stop (PTRACE_SYSCALL). Host mapping changes queued by the
 * kernel run in the stub in one round trip before the guest resumes. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include "um.h"
#include "stub_layout.h"
#include "stub.bin.h"
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/sched.h>

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif

struct um_mm {
	pid_t pid;
	uint64_t data_pfn;		/* first of the 4 data-page frames */
	volatile uint64_t *data;	/* kernel view of the data pages */
	struct stub_op *ops;
	int nops;
	bool at_tt_exit;		/* tt: stopped at a syscall-exit stop */
	struct task *last_task;		/* whose FPU state the stub holds */
};

static int stub_fd = -1;
static const char stub_name[] = "umk-userspace";

void stub_init(void)
{
	stub_fd = memfd_create("umk-stub", MFD_CLOEXEC);
	if (stub_fd < 0 || write(stub_fd, stub_image, sizeof(stub_image)) != (ssize_t)sizeof(stub_image)) {
		perror("umk: creating the stub image");
		exit(1);
	}
}

static int wait_stopped(pid_t pid, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, __WALL);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/* Child side of stub creation: only raw system calls (we share memory
 * with the parent through vfork). */
static void stub_child(void)
{
	sigset_t none;
	sigemptyset(&none);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	syscall(SYS_personality, ADDR_NO_RANDOMIZE);
	/* fd 3 = the memory file, fd 4 = the stub image (closed by exec);
	 * go through high numbers first since the sources may be 3 or 4 */
	long pm = syscall(SYS_fcntl, physmem_fd, F_DUPFD, 100);
	long im = syscall(SYS_fcntl, stub_fd, F_DUPFD, 100);
	if (pm < 0 || im < 0 || syscall(SYS_dup2, pm, STUB_PHYSMEM_FD) < 0 ||
	    syscall(SYS_dup3, im, STUB_PHYSMEM_FD + 1, O_CLOEXEC) < 0)
		syscall(SYS_exit, 126);
	syscall(SYS_close_range, STUB_PHYSMEM_FD + 2, ~0U, 0);
	syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
	char *argv[] = { (char *)stub_name, NULL };
	char *envp[] = { NULL };
	syscall(SYS_execveat, STUB_PHYSMEM_FD + 1, "", argv, envp, AT_EMPTY_PATH);
	syscall(SYS_exit, 127);
}

int arch_mm_create(struct mm *mm)
{
	struct um_mm *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->data_pfn = page_alloc_contig(STUB_DATA_SIZE / PAGE_SIZE);
	if (!m->data_pfn) {
		free(m);
		return -ENOMEM;
	}
	m->data = pfn_to_virt(m->data_pfn);
	m->ops = (struct stub_op *)((char *)m->data + STUB_OPS);

	pid_t pid = vfork();
	if (pid == 0)
		stub_child();
	if (pid < 0)
		goto fail;
	int st;
	if (wait_stopped(pid, &st) || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
		goto fail_kill;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD))
		goto fail_kill;
	struct user_regs_struct r;
	if (ptrace(PTRACE_GETREGS, pid, 0, &r))
		goto fail_kill;
	r.r9 = m->data_pfn << PAGE_SHIFT;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) || ptrace(PTRACE_CONT, pid, 0, 0))
		goto fail_kill;
	if (wait_stopped(pid, &st) || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
		goto fail_kill;
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) || r.rax != 0)
		goto fail_kill;
	m->pid = pid;
	mm->arch = m;
	return 0;
fail_kill:
	kill(pid, SIGKILL);
	waitpid(pid, &st, __WALL);
fail:
	printk(KERN_ERR "umk: cannot start a stub process for a new address space\n");
	page_free_contig(m->data_pfn, STUB_DATA_SIZE / PAGE_SIZE);
	free(m);
	return -ENOMEM;
}

void arch_mm_task_leave(struct mm *mm, struct task *t)
{
	struct um_mm *m = mm->arch;
	if (m && m->last_task == t)
		m->last_task = NULL;
}

void arch_mm_destroy(struct mm *mm)
{
	struct um_mm *m = mm->arch;
	if (!m)
		return;
	kill(m->pid, SIGKILL);
	int st;
	while (waitpid(m->pid, &st, __WALL) < 0 && errno == EINTR)
		;
	page_free_contig(m->data_pfn, STUB_DATA_SIZE / PAGE_SIZE);
	free(m);
	mm->arch = NULL;
}

static void flush_ops(struct um_mm *m, struct guest_regs *gregs);

static void queue_op(struct mm *mm, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4)
{
	struct um_mm *m = mm->arch;
	if (!m)
		return;
	/* Merge with the previous op when it extends it exactly. */
	if (m->nops) {
		struct stub_op *p = &m->ops[m->nops - 1];
		if (nr == SYS_mmap && p->nr == SYS_mmap && p->a[0] + p->a[1] == a0 && p->a[2] == a2 &&
		    p->a[4] + p->a[1] == a4) {
			p->a[1] += a1;
			return;
		}
		if (nr == SYS_munmap && p->nr == SYS_munmap && p->a[0] + p->a[1] == a0) {
			p->a[1] += a1;
			return;
		}
	}
	if (m->nops == STUB_MAX_OPS)
		flush_ops(m, NULL);
	m->ops[m->nops++] = (struct stub_op){ nr, { a0, a1, a2, a3, a4 } };
}

static int host_prot(int prot)
{
	int p = 0;
	if (prot & VM_READ)
		p |= PROT_READ;
	if (prot & VM_WRITE)
		p |= PROT_WRITE;
	if (prot & VM_EXEC)
		p |= PROT_EXEC;
	return p;
}

void arch_mm_map(struct mm *mm, uaddr_t va, uint64_t pfn, uint64_t npages, int prot)
{
	queue_op(mm, SYS_mmap, va, npages << PAGE_SHIFT, host_prot(prot), MAP_SHARED | MAP_FIXED,
		 pfn << PAGE_SHIFT);
}

void arch_mm_unmap(struct mm *mm, uaddr_t va, uint64_t len)
{
	queue_op(mm, SYS_munmap, va, len, 0, 0, 0);
}

void arch_mm_protect(struct mm *mm, uaddr_t va, uint64_t len, int prot)
{
	queue_op(mm, SYS_mprotect, va, len, host_prot(prot), 0, 0);
}

/* Run the queued ops in the stub: point it at stub_run_ops, let it run to
 * its int3. The guest's registers are set again before it resumes. */
static void flush_ops(struct um_mm *m, struct guest_regs *gregs)
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
	r.rip = stub_run_ops_addr;
	r.rsp = STUB_STACK_TOP - 64;
	if (ptrace(PTRACE_SETREGS, m->pid, 0, &r) || ptrace(PTRACE_CONT, m->pid, 0, 0))
		goto dead;
	for (;;) {
		if (wait_stopped(m->pid, &st) || !WIFSTOPPED(st))
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
	m->nops = 0;
	m->at_tt_exit = false;
	return;
dead:
	m->nops = 0;
}

static void fill_fault(pid_t pid, int sig, struct trap_info *ti)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	ti->kind = TRAP_FAULT;
	ti->signo = sig;
	ti->code = si.si_code;
	ti->addr = (uaddr_t)si.si_addr;
	ti->trapno = 0;
}

void arch_run_user(struct task *t, struct trap_info *ti)
{
	struct um_mm *m = t->mm->arch;
	int st;
	memset(ti, 0, sizeof(*ti));
	flush_ops(m, &t->regs);
	if (m->last_task != t) {
		/* tasks sharing this stub (vfork, CLONE_VM) swap FPU state */
		if (m->last_task)
			arch_fpstate_get(m->last_task);
		if (t->fpstate)
			t->fpstate_dirty = true;
		m->last_task = t;
	}
	if (t->fpstate_dirty && t->fpstate) {
		arch_fpstate_set(t);
		t->fpstate_dirty = false;
	}
	if (ptrace(PTRACE_SETREGS, m->pid, 0, &t->regs))
		goto died;
	int req = um_mode == MODE_TT ? PTRACE_SYSCALL : PTRACE_SYSEMU;
	irq_set_running(m->pid);
	if (irq_pending) {
		irq_set_running(0);
		ti->kind = TRAP_IRQ;
		return;
	}
	if (ptrace(req, m->pid, 0, 0))
		goto died;
	for (;;) {
		if (wait_stopped(m->pid, &st))
			goto died;
		if (!WIFSTOPPED(st))
			goto died;
		int sig = WSTOPSIG(st);
		if (sig == (SIGTRAP | 0x80) && um_mode == MODE_TT) {
			/* entry: nullify into getpid, collect the call at exit */
			irq_set_running(0);
			if (ptrace(PTRACE_GETREGS, m->pid, 0, &t->regs))
				goto died;
			if (ptrace(PTRACE_POKEUSER, m->pid, offsetof(struct user_regs_struct, orig_rax), SYS_getpid) ||
			    ptrace(PTRACE_SYSCALL, m->pid, 0, 0))
				goto died;
			if (wait_stopped(m->pid, &st) || !WIFSTOPPED(st))
				goto died;
			if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
				/* a kick landed between entry and exit: finish the getpid */
				while (WIFSTOPPED(st) && WSTOPSIG(st) != (SIGTRAP | 0x80)) {
					if (ptrace(PTRACE_SYSCALL, m->pid, 0, 0) || wait_stopped(m->pid, &st))
						goto died;
				}
				if (!WIFSTOPPED(st))
					goto died;
			}
			m->at_tt_exit = true;
			t->regs.rax = -ENOSYS;
			ti->kind = TRAP_SYSCALL;
			return;
		}
		irq_set_running(0);
		if (ptrace(PTRACE_GETREGS, m->pid, 0, &t->regs))
			goto died;
		if (sig == (SIGTRAP | 0x80)) {
			ti->kind = TRAP_SYSCALL;
			return;
		}
		if (sig == STUB_KICK_SIG || sig == SIGSTOP || sig == SIGWINCH || sig == SIGCHLD) {
			ti->kind = TRAP_IRQ;
			return;
		}
		fill_fault(m->pid, sig, ti);
		return;
	}
died:
	irq_set_running(0);
	ti->kind = TRAP_DIED;
}

/* Extended FPU state through the XSTATE regset (fxsave prefix). */
static size_t xstate_size;

size_t arch_fpstate_size(void)
{
	if (!xstate_size) {
		unsigned a, b, c, d;
		__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
		xstate_size = b > 512 + 64 ? b : 512 + 64;
	}
	return xstate_size;
}

static struct guest_fpstate *fpstate_of(struct task *t)
{
	if (!t->fpstate) {
		size_t sz = arch_fpstate_size();
		t->fpstate = aligned_alloc(64, (sizeof(*t->fpstate) + sz + 63) & ~63UL);
		if (!t->fpstate)
			abort();
		memset(t->fpstate, 0, sizeof(*t->fpstate) + sz);
	}
	return t->fpstate;
}

int arch_fpstate_get(struct task *t)
{
	struct um_mm *m = t->mm->arch;
	struct guest_fpstate *f = fpstate_of(t);
	if (t->fpstate_dirty && f->size)
		return 0;	/* the kernel's copy is newer than the stub's */
	struct iovec iov = { f->data, arch_fpstate_size() };
	if (ptrace(PTRACE_GETREGSET, m->pid, NT_X86_XSTATE, &iov))
		return -errno;
	f->size = iov.iov_len;
	return 0;
}

int arch_fpstate_set(struct task *t)
{
	struct um_mm *m = t->mm->arch;
	struct guest_fpstate *f = fpstate_of(t);
	struct iovec iov = { f->data, f->size };
	if (ptrace(PTRACE_SETREGSET, m->pid, NT_X86_XSTATE, &iov))
		return -errno;
	return 0;
}
