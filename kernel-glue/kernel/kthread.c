/* Kernel threads (umk/kthread.h): a task with a kernel stack whose entry
 * finds its function in a small table (the switch code starts a task at
 * an entry without arguments). */
#include <umk/kthread.h>
#include <umk/arch.h>
#include <umk/internal.h>

struct kthread {
	struct task *task;
	void (*fn)(void *);
	void *arg;
};

static struct kthread kthreads[8];
static int nkthreads;

static void kthread_entry(void)
{
	for (int i = 0; i < nkthreads; i++)
		if (kthreads[i].task == current)
			kthreads[i].fn(kthreads[i].arg);
	panic("kernel thread %s returned", current->comm);
}

struct task *kthread_run(void (*fn)(void *), void *arg, const char *name)
{
	if (nkthreads == (int)ARRAY_SIZE(kthreads))
		return NULL;
	struct task *t = task_alloc();
	t->flags = PF_KTHREAD;
	strlcpy(t->comm, name, sizeof(t->comm));
	kthreads[nkthreads++] = (struct kthread){ t, fn, arg };
	arch_task_init_kstack(t, kthread_entry);
	task_enqueue_new(t);
	return t;
}
