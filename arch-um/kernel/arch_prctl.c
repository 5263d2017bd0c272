/* arch_prctl(2): the x86-64 thread pointers fs and gs, which the trap
 * mode loads with the rest of the registers. */
#include <umk/arch.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <asm/prctl.h>

/* For t itself, or for its tracer (PTRACE_ARCH_PRCTL): addr is in the
 * tracer's memory then, as on Linux. */
long arch_prctl_task(struct task *t, int code, uint64_t addr)
{
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= TASK_SIZE)
			return -EPERM;
		t->regs.fs_base = addr;
		return 0;
	case ARCH_SET_GS:
		if (addr >= TASK_SIZE)
			return -EPERM;
		t->regs.gs_base = addr;
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(addr, &t->regs.fs_base, 8) ? -EFAULT : 0;
	case ARCH_GET_GS:
		return copy_to_user(addr, &t->regs.gs_base, 8) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(arch_prctl, int, code, uint64_t, addr)
{
	return arch_prctl_task(current, code, addr);
}
