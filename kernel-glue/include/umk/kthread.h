/* Kernel threads: tasks that run a kernel function on their own kernel
 * stack and never enter user mode (no address space, no signals), for
 * work that must be able to sleep on I/O outside any process, like
 * Linux's kthreads. They are not in the task list (ps does not show
 * them) and run until umk halts. */
#ifndef UMK_KTHREAD_H
#define UMK_KTHREAD_H
#include <umk/sched.h>

/* Start fn(arg) as a runnable kernel thread named name; NULL if the
 * table of kernel threads is full. fn must not return. */
struct task *kthread_run(void (*fn)(void *), void *arg, const char *name);
#endif
