/* Declarations shared between the files of kernel-glue/kernel. */
#ifndef UMK_INTERNAL_H
#define UMK_INTERNAL_H
#include <umk/sched.h>
#include <umk/signal.h>

struct trap_info;

/* sched.c */
void handle_irqs(void);
long sleep_until(int64_t deadline);
void task_enqueue_new(struct task *t);
void task_set_dead(struct task *t);
void sched_init_idle(void);
void sched_boost(struct task *t);	/* run t next (an OOM victim) */
__attribute__((noreturn)) void cpu_idle(void);

/* task.c */
struct task *task_alloc(void);
void task_free(struct task *t);
pid_t alloc_pid(void);
void task_hash(struct task *t);
struct task *find_task_group_leader(pid_t pid);

/* fork_limits.c: kernel.threads-max and the checks fork makes */
int threads_max(void);
int set_threads_max(long long n);	/* 0 or -EINVAL */
long fork_check_limits(struct task *parent);	/* 0 or -EAGAIN */

/* exit.c */
__attribute__((noreturn)) void do_exit(int code);
__attribute__((noreturn)) void do_group_exit(int code);
void task_notify_parent_stop(struct task *t, int why, int sig);

/* signal.c */
void do_signal(void);
void flush_signal_handlers(struct task *t);
struct sighand *sighand_alloc(void);
void sighand_put(struct sighand *sh);
struct signal_struct *signal_alloc(void);
void signal_put(struct signal_struct *s);
bool sig_handler_ignored(struct task *t, int sig);
void signal_init_task(struct task *t);
void signal_exit_task(struct task *t);
void signal_join_group_stop(void);
void remove_sig_kill_for_exec(struct task *t);
void de_thread(void);
int futex_wake_addr(struct mm *mm, uaddr_t uaddr, int nr);
void exit_robust_list(struct task *t);
long set_blocked(int how, ksigset_t *set);
int sigmask_swap_from_user(uaddr_t umask, size_t sigsetsize);

/* trap.c */
__attribute__((noreturn)) void user_loop(void);
__attribute__((noreturn)) void ret_from_fork(void);

/* kthread.c: a kernel thread running fn(data); it must not return. */
struct task *kthread_run(void (*fn)(void *), void *data, const char *name);
void kthread_start(void);	/* entry of a task with kthread_fn set */

/* umh.c: start path as a child of init (0 or -errno); if the exec
 * fails, failed(err) runs in that process before it exits. */
int call_usermodehelper(const char *path, const char *const *argv, const char *const *envp, void (*failed)(int));
/* The same, kfree(owned) once the program runs or failed to (argv and
 * envp may live in it); on an error return the caller still owns it. */
int call_usermodehelper_owned(const char *path, const char *const *argv, const char *const *envp,
			      void (*failed)(int), void *owned);

/* power.c: the host asked the machine to stop (IRQ_POWER). */
void power_button(void);

/* exec.c */
int kernel_execve(const char *path, const char *const *argv, const char *const *envp);

/* time */
int64_t ktime_boot_start(void);

/* boot (start_kernel), before the initcalls */
void time_init(void);
void page_alloc_init(void);
void slab_init(void);
void syscalls_init(void);
struct krlim;
void rlimits_init(struct krlim *rl);
#endif
