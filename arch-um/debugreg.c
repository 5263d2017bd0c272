/* Hardware breakpoints of guest tasks: the debug registers a tracer sets
 * with PTRACE_POKEUSER (arch-um/kernel/ptrace_arch.c) live in the host
 * thread of the task's stub, which the host checks and arms. Tasks that
 * share a stub (threads, vfork) have them swapped in before they run, as
 * their FPU state is (fpu.c). A stub reused for a new address space
 * (mmu.c) keeps dr_loaded: its first task clears what is left there. */
#include <errno.h>
#include "um.h"
#include "trap_mode.h"
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/sched.h>

static bool any_set(const uint64_t *dr)
{
	return dr[0] | dr[1] | dr[2] | dr[3] | dr[7];
}

int arch_debugregs_set(struct task *t, const uint64_t dr[8])
{
	struct um_mm *m = t->mm->arch;
	if (!um_trap->debugregs_set)
		return -EIO;
	int r = um_trap->debugregs_set(m, dr);
	const uint64_t *now = r ? t->thread.debugreg : dr;
	if (r)	/* refused: the host thread gets t's old ones back */
		um_trap->debugregs_set(m, now);
	m->dr_owner = t;
	m->dr_loaded = any_set(now);
	return r;
}

void debugregs_load(struct task *t, struct um_mm *m)
{
	if (m->dr_owner == t || !um_trap->debugregs_set)
		return;
	if (any_set(t->thread.debugreg) || m->dr_loaded) {
		um_trap->debugregs_set(m, t->thread.debugreg);
		m->dr_loaded = any_set(t->thread.debugreg);
	}
	m->dr_owner = t;
}
