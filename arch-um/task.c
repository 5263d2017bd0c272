/* The arch's part of a task: its kernel stack and the switch between
 * them, and the arch state (FPU) through fork, exec and free. */
#include <stdlib.h>
#include <string.h>
#include <umk/sched.h>
#include <umk/arch.h>
#include "um.h"


#define KSTACK_SIZE (64 * 1024)

void arch_task_init_kstack(struct task *t, void (*entry)(void))
{
	if (!t->kstack) {
		t->kstack = aligned_alloc(16, KSTACK_SIZE);
		if (!t->kstack)
			abort();
		t->kstack_size = KSTACK_SIZE;
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
	um_switch_stacks(&prev->kctx.rsp, next->kctx.rsp);
}

void arch_task_fork(struct task *c, struct task *p)
{
	fpu_fork(c, p);
}

void arch_task_exec(struct task *t)
{
	fpu_release(t);
}

void arch_task_free(struct task *t)
{
	fpu_release(t);
	free(t->kstack);
	t->kstack = NULL;
}
