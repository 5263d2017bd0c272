/* Trap modes: the ways guest code can trap into the kernel, behind one
 * interface (as gVisor's platforms). Each mode registers itself from its
 * own file with TRAP_MODE(); the rest of arch-um (address spaces in
 * mmu.c, arch_run_user in trap_mode.c, interrupts in irq.c) calls only
 * these operations, and kernel-glue sees none of it. Adding a mode is one
 * file, its stub, and its name in UMK_ALL_MODES (tests/lib.sh). */
#ifndef UM_TRAP_MODE_H
#define UM_TRAP_MODE_H
#include <stddef.h>
#include <sys/types.h>
#include <umk/init.h>
#include "mmu.h"

struct task;
struct trap_info;
struct guest_regs;

struct trap_mode {
	const char *name;		/* mode=NAME */
	const char *alias;		/* a second accepted name (UML's), or NULL */
	const char *help;		/* for --help */
	int rank;			/* the default is the usable mode of highest rank */
	/* Can this host run the mode? NULL, or why not (one phrase). */
	const char *(*probe)(void);
	/* Start the host side of a new address space (its stub process,
	 * with m->data set up): 0 or -errno. */
	int (*mm_start)(struct um_mm *m);
	void (*mm_stop)(struct um_mm *m);
	/* Ready a stub whose address space ended for another one (mmu.c has
	 * run the munmap of all guest memory and reset its FPU state):
	 * forget what the mode caches about the host thread. 0 if the stub
	 * is alive and clean, else -1 (mm_stop follows). NULL: the mode
	 * does not reuse stubs. */
	int (*mm_reset)(struct um_mm *m);
	/* Run m's queued map/unmap/protect operations (m->ops, m->nops)
	 * now. regs: the guest registers of the task about to run there,
	 * if known (they are set again before it resumes), else NULL. */
	void (*flush)(struct um_mm *m, struct guest_regs *regs);
	/* Run t (whose address space is m) in guest mode until its next
	 * trap: a syscall, a fault, an interrupt or death, said in *ti. */
	void (*run)(struct task *t, struct um_mm *m, struct trap_info *ti);
	/* The extended FPU state (XSAVE layout) of the guest thread in m:
	 * get fills buf and gives its size, set loads len bytes. -errno. */
	int (*fpstate_get)(struct um_mm *m, void *buf, size_t size, size_t *len);
	int (*fpstate_set)(struct um_mm *m, const void *buf, size_t len);
	/* Make the guest running in m's stub (pid) trap back to the kernel
	 * at once: called from a signal handler, so async-signal-safe. */
	void (*kick)(pid_t pid);
	/* Load the debug registers DR0-DR3 and DR7 of the guest thread in m
	 * (ptrace's hardware breakpoints): 0 or the host's -errno. A mode
	 * that reports a debug trap (SIGTRAP) updates the task's DR6. */
	int (*debugregs_set)(struct um_mm *m, const uint64_t dr[8]);
};

#define TRAP_MODE(var) \
	static const struct trap_mode *const __trap_mode_##var __umk_entry(umk_trap_modes) = &(var)

/* The mode this boot runs in (mode= or the default), chosen and probed
 * by trap_mode_init before the kernel starts. */
extern const struct trap_mode *um_trap;
void trap_mode_init(void);
#endif
