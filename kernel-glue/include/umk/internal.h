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

/* fork_limits.c: kernel.threads-max and the checks fork makes */
int threads_max(void);
int set_threads_max(long long n);	/* 0 or -EINVAL */
long fork_check_limits(struct task *parent);	/* 0 or -EAGAIN */

/* exit.c */
__attribute__((noreturn)) void do_exit(int code);
__attribute__((noreturn)) void do_group_exit(int code);
/* Linux's do_notify_parent: exit signal sig to t's tracer or parent;
 * true if t is to be reaped at once (nobody waits for it). */
bool do_notify_parent(struct task *t, int sig);
void release_task(struct task *t);

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
void signal_flush_group(struct signal_struct *s, uint64_t mask);	/* drop pending signals of mask */
int send_signal_thread(struct task *t, int sig, const struct ksiginfo *info);
int signal_peek_queued(struct task *t, bool shared, uint64_t idx, struct ksiginfo *out);
void signal_queue_private(struct task *t, int sig, const struct ksiginfo *info);
void signal_requeue(struct task *t, int sig, struct ksiginfo *info, bool shared);
void zap_other_threads(struct task *t);

/* jobctl.c: group stops (Linux's jobctl) */
bool task_set_jobctl_pending(struct task *t, unsigned long mask);
void task_clear_jobctl_pending(struct task *t, unsigned long mask);
void task_clear_jobctl_trapping(struct task *t);
bool task_participate_group_stop(struct task *t);
void signal_wake_up(struct task *t, bool fatal);
void ptrace_signal_wake_up(struct task *t, bool resume);
void ptrace_trap_notify(struct task *t);
void do_notify_parent_cldstop(struct task *t, bool for_ptracer, int why);
void jobctl_prepare_signal(struct task *t, int sig);
void jobctl_kill(struct signal_struct *s);
bool jobctl_notify_parent(struct task *t);
bool do_signal_stop(int signr);
void remove_sig_kill_for_exec(struct task *t);
void de_thread(void);
int futex_wake_addr(struct mm *mm, uaddr_t uaddr, int nr);
void exit_robust_list(struct task *t);
long set_blocked(int how, ksigset_t *set);
int sigmask_swap_from_user(uaddr_t umask, size_t sigsetsize);

/* trap.c */
__attribute__((noreturn)) void user_loop(void);
__attribute__((noreturn)) void ret_from_fork(void);

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
