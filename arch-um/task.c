/* The arch's part of a task: its kernel stack and the switch between
 * them, and the arch state (FPU) through fork, exec and free. Kernel
 * stacks come from the kernel heap, so they are guest memory. */
#include <stdlib.h>
#include <string.h>
#include <umk/sched.h>
#include <umk/arch.h>
#include "um.h"

/* The deepest path seen is about 20 KiB (a path walk through 40 nested
 * symlinks); a canary at the bottom turns an overflow into a panic at
 * the next switch instead of silent corruption. */
#define KSTACK_SIZE (32 * 1024)
#define KSTACK_CANARY 0x57ac6b07deadbeefULL

void arch_task_init_kstack(struct task *t, void (*entry)(void))
{
	if (!t->kstack) {
		t->kstack = kmalloc(KSTACK_SIZE);
		t->kstack_size = KSTACK_SIZE;
		*(uint64_t *)t->kstack = KSTACK_CANARY;
	}
	/* top is 16-aligned: after ret into the trampoline rsp is aligned for its call */
	uint64_t *sp = (uint64_t *)((char *)t->kstack + t->kstack_size);
	*--sp = (uint64_t)um_task_trampoline;	/* return address */
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (uint64_t)entry;		/* r12 */
	*--sp = 0;				/* r13 */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
	t->kctx.rsp = (uint64_t)sp;
}

void arch_switch_to(struct task *prev, struct task *next)
{
	if (prev->kstack && *(uint64_t *)prev->kstack != KSTACK_CANARY)
		panic("kernel stack overflow in pid %d (%s)", prev->pid, prev->comm);
	um_switch_stacks(&prev->kctx.rsp, next->kctx.rsp);
}

void arch_task_fork(struct task *c, struct task *p)
{
	fpu_fork(c, p);
	/* the child has the parent's registers; ptrace clears the trap flag
	 * there if it was the debugger's (no hardware breakpoints inherited) */
	c->thread.forced_tf = p->thread.forced_tf;
}

void arch_task_exec(struct task *t)
{
	fpu_release(t);
}

void arch_task_free(struct task *t)
{
	fpu_release(t);
	kfree(t->kstack);
	t->kstack = NULL;
}
