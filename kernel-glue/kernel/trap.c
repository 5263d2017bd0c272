/* The life of a task in guest mode: run until it traps, then handle the
 * syscall, fault or interrupt, and on the way back deliver signals and
 * reschedule. Also the syscall table built from the registration section. */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/pgtable.h>
#include <umk/syscall.h>
#include <umk/init.h>
#include <umk/uaccess.h>
#include <umk/ptrace.h>
#include <umk/seccomp.h>
#include <asm/siginfo.h>

#define NR_SYSCALLS 512
static syscall_fn sys_table[NR_SYSCALLS];
static const char *sys_names[NR_SYSCALLS];
umk_section_declare(const struct syscall_entry, umk_syscalls);

void syscalls_init(void)
{
	umk_section_foreach(const struct syscall_entry, umk_syscalls, e) {
		if (e->nr < 0 || e->nr >= NR_SYSCALLS)
			panic("syscall %s has number %ld", e->name, e->nr);
		if (sys_table[e->nr])
			panic("syscall %ld registered twice (%s, %s)", e->nr, sys_names[e->nr], e->name);
		sys_table[e->nr] = e->fn;
		sys_names[e->nr] = e->name;
	}
}

bool syscall_implemented(const char *name)
{
	for (int i = 0; i < NR_SYSCALLS; i++)
		if (sys_names[i] && !strcmp(sys_names[i], name))
			return true;
	return false;
}

/* A 32-bit entry (int $0x80) from a 64-bit program: never run it. */
static bool is_int80(struct task *t)
{
	uint8_t insn[2];
	if (access_remote_vm(t->mm, t->regs.rip - 2, insn, 2, false) != 2)
		return false;
	return insn[0] == 0xcd && insn[1] == 0x80;
}

static void do_syscall(struct task *t)
{
	struct guest_regs *r = &t->regs;
	/* a tracer sees the call first (and may change or skip it, or the
	 * call is PTRACE_SYSEMU's to emulate); rax is -ENOSYS then */
	if (t->syscall_work & (SYSCALL_WORK_TRACE | SYSCALL_WORK_EMU)) {
		if (ptrace_report_syscall_entry()) {
			ptrace_report_syscall_exit();
			return;
		}
	}
	/* seccomp after the tracer, which may have changed the call (as
	 * Linux's syscall_trace_enter); one test for a task without it */
	if (unlikely(t->seccomp_mode) && __secure_computing(t, is_int80(t))) {
		ptrace_report_syscall_exit();	/* skipped: rax is its result */
		return;
	}
	uint64_t nr = r->orig_rax;
	long ret;
	if (nr == (uint64_t)-1) {
		ret = r->rax;	/* the tracer skipped it: rax is its result */
	} else if (is_int80(t)) {
		printk_once_key("int80", KERN_WARNING "%s[%d]: 32-bit syscall (int $0x80) refused with ENOSYS\n",
				t->comm, t->pid);
		ret = -ENOSYS;
	} else if (nr < NR_SYSCALLS && sys_table[nr]) {
		t->in_syscall = true;
		ret = sys_table[nr](r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
	} else {
		char key[32];
		snprintf(key, sizeof(key), "nosys-%llu", (unsigned long long)nr);
		printk_once_key(key, KERN_DEBUG "%s[%d]: unimplemented syscall %llu, returning ENOSYS\n", t->comm,
				t->pid, (unsigned long long)nr);
		ret = -ENOSYS;
	}
	/* execve and rt_sigreturn replace the registers wholesale; rax is
	 * still their return value. */
	r->rax = ret;
	ptrace_report_syscall_exit();
}

static void do_fault(struct task *t, struct trap_info *ti)
{
	if (ti->signo == 11 /* SIGSEGV */ && ti->code != SI_KERNEL) {
		int kind = ti->code == SEGV_ACCERR ? FAULT_HOST_ACCERR : FAULT_HOST_MAPERR;
		int r = handle_mm_fault(t->mm, ti->addr, kind);
		if (r == 0)
			return;
		if (r == -EFAULT)
			force_sig_fault(7 /* SIGBUS */, BUS_ADRERR, ti->addr, 14);
		else if (r == -ENOMEM && !pagefault_out_of_memory())
			force_sig_fault(9, SI_KERNEL, 0, 0);
		else
			force_sig_fault(11, r, ti->addr, 14);
		return;
	}
	uaddr_t addr = ti->addr;
	if (ti->signo == 11 && ti->code == SI_KERNEL)
		addr = 0;	/* general protection: no address, as on Linux */
	force_sig_fault(ti->signo, ti->code, addr, 0);
}

/* Work on the way back to guest mode. */
static void exit_to_user(struct task *t)
{
	for (;;) {
		handle_irqs();
		if (need_resched())
			schedule();
		if (signal_pending(t) || t->in_syscall || t->restore_sigmask) {
			do_signal();
			t->in_syscall = false;
		}
		if (!need_resched() && !signal_pending(t))
			return;
	}
}

void user_loop(void)
{
	struct task *t = current;
	for (;;) {
		exit_to_user(t);
		struct trap_info ti;
		int64_t t0 = ktime_mono_ns();
		cputime_user_enter(t, t0);
		arch_run_user(t, &ti);
		cputime_user_exit(t, t0, ktime_mono_ns());
		switch (ti.kind) {
		case TRAP_SYSCALL:
			do_syscall(t);
			break;
		case TRAP_FAULT:
			t->regs.orig_rax = (uint64_t)-1;
			do_fault(t, &ti);
			break;
		case TRAP_IRQ:
			t->regs.orig_rax = (uint64_t)-1;
			break;
		case TRAP_DIED:
			printk(KERN_ERR "%s[%d]: host process of the address space died; killing the task\n", t->comm,
			       t->pid);
			do_exit(9);
		}
	}
}

void ret_from_fork(void)
{
	user_loop();
}

SYSCALL_DEFINE0(restart_syscall)
{
	struct task *t = current;
	if (!t->restart_block.fn)
		return -EINTR;
	long (*fn)(struct task *) = t->restart_block.fn;
	t->restart_block.fn = NULL;
	return fn(t);
}
