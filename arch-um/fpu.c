/* Extended FPU state, kept per task by the arch (t->fpstate): fetched
 * from the stub through the trap mode when the kernel needs it (signal
 * frames, fork), pushed back before the task runs again if the kernel
 * changed it, swapped when tasks share a stub (vfork, threads). */
#include <stdlib.h>
#include <string.h>
#include "um.h"
#include "trap_mode.h"
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/sched.h>

static size_t xstate_size;
/* what Linux's ptrace puts in an XSAVE area it hands out: the xfeatures
 * word (XCR0, in fxsave's software bytes) and the CPU's mxcsr_mask. Read
 * from the CPU here, not from a stub's area: a signal frame's software
 * bytes (mode=seccomp) say something else. */
static uint64_t host_xfeatures;
static uint32_t host_mxcsr_mask;
static bool host_fpu_probed;

static void host_fpu_probe(void)
{
	if (host_fpu_probed)
		return;
	host_fpu_probed = true;
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (c & (1u << 27)) {	/* OSXSAVE: xgetbv works */
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		host_xfeatures = (uint64_t)hi << 32 | lo;
	}
	uint8_t fx[512] __attribute__((aligned(16)));
	memset(fx, 0, sizeof(fx));
	__asm__ volatile("fxsave64 %0" : "=m"(fx));
	memcpy(&host_mxcsr_mask, fx + 28, 4);
}

uint64_t arch_fpstate_xfeatures(void)
{
	host_fpu_probe();
	return host_xfeatures;
}

uint32_t arch_fpstate_mxcsr_mask(void)
{
	host_fpu_probe();
	return host_mxcsr_mask;
}

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
		t->fpstate = kzalloc(sizeof(*t->fpstate) + sz);	/* guest memory */
	}
	return t->fpstate;
}

int arch_fpstate_get(struct task *t)
{
	struct um_mm *m = t->mm->arch;
	struct guest_fpstate *f = fpstate_of(t);
	if ((t->fpstate_dirty || m->fpu_owner != t) && f->size)
		return 0;	/* the kernel's copy is the current one */
	size_t len;
	int err = um_trap->fpstate_get(m, f->data, arch_fpstate_size(), &len);
	if (!err)
		f->size = len;
	return err;
}

void arch_fpstate_changed(struct task *t)
{
	if (t->fpstate)
		t->fpstate_dirty = true;
}

void fpu_fork(struct task *c, struct task *p)
{
	if (arch_fpstate_get(p) == 0) {
		struct guest_fpstate *f = fpstate_of(c);
		memcpy(f, p->fpstate, sizeof(*f) + arch_fpstate_size());
		c->fpstate_dirty = true;
	}
}

/* A new program starts with the host's initial FPU state. */
void fpu_release(struct task *t)
{
	kfree(t->fpstate);
	t->fpstate = NULL;
	t->fpstate_dirty = false;
}

void fpu_load(struct task *t, struct um_mm *m)
{
	if (m->fpu_owner != t) {
		/* tasks sharing this stub (vfork, CLONE_VM) swap FPU state */
		if (m->fpu_owner)
			arch_fpstate_get(m->fpu_owner);
		if (t->fpstate)
			t->fpstate_dirty = true;
		m->fpu_owner = t;
	}
	if (t->fpstate_dirty && t->fpstate) {
		um_trap->fpstate_set(m, t->fpstate->data, t->fpstate->size);
		t->fpstate_dirty = false;
	}
}

