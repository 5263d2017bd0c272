/* Kernel threads: tasks that run kernel code on their own kernel stack
 * and never enter user mode (the forced shutdown). They are not on the
 * task list, so ps and kill(2) do not see them, as kill(-1) skips Linux's
 * kernel threads. */
#include <umk/internal.h>
#include <umk/arch.h>

/* The first code of a new kernel thread (or usermode helper). */
void kthread_start(void)
{
	struct task *t = current;
	t->kthread_fn(t->kthread_data);
	panic("kernel thread %s returned", t->comm);
}

struct task *kthread_run(void (*fn)(void *), void *data, const char *name)
{
	struct task *t = task_alloc();
	t->flags = PF_KTHREAD;
	strlcpy(t->comm, name, sizeof(t->comm));
	t->sighand = sighand_alloc();
	t->signal = signal_alloc();
	t->signal->leader = t;
	t->kthread_fn = fn;
	t->kthread_data = data;
	arch_task_init_kstack(t, kthread_start);
	task_enqueue_new(t);
	return t;
}
