/* Tasks, process relationships, and the scheduler interface. */
#ifndef UMK_SCHED_H
#define UMK_SCHED_H
#include <umk/kernel.h>
#include <umk/wait.h>
#include <umk/regs.h>
#include <umk/sigset.h>

struct mm;
struct files_struct;	/* fs/: descriptor table */
struct fs_struct;	/* fs/: root, cwd, umask */
struct tty;		/* tty layer */
struct file;

enum task_state {
	TASK_RUNNING,
	TASK_INTERRUPTIBLE,
	TASK_UNINTERRUPTIBLE,
	TASK_STOPPED,
	TASK_TRACED,		/* in a ptrace stop: only the tracer or SIGKILL resumes it */
	TASK_ZOMBIE,
	TASK_DEAD,
};

/* Per thread, as Linux's: copied at fork, changed by set*id, capset,
 * prctl and execve (kernel/capability.c, include/umk/capability.h). */
struct cred {
	uid_t uid, euid, suid, fsuid;
	gid_t gid, egid, sgid, fsgid;
	int ngroups;
	gid_t groups[32];
	unsigned securebits;		/* SECBIT_*: PR_SET_KEEPCAPS is SECBIT_KEEP_CAPS */
	uint64_t cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
};

struct k_sigaction {
	uint64_t handler;	/* guest address, or SIG_DFL(0)/SIG_IGN(1) */
	uint64_t flags;
	uint64_t restorer;
	ksigset_t mask;
};

/* Signal handlers, shared by CLONE_SIGHAND tasks. */
struct sighand {
	int refs;
	struct k_sigaction action[64];
};

struct krlim { uint64_t cur, max; };

/* Per-process (thread group) state. */
struct signal_struct {
	int refs;
	ksigset_t shared_pending;
	struct list_head shared_queue;	/* struct sigqueue, by arrival */
	pid_t pgrp, session;
	struct tty *tty;		/* controlling terminal, or NULL */
	struct krlim rlim[16];
	int group_exit_code;
	bool group_exiting;
	/* Job-control stops as Linux keeps them (kernel/signal.c): flags
	 * SIGNAL_STOP_*, the threads still to stop, and the stop signal
	 * for the parent's wait (0 once reported) */
	unsigned flags;
	int group_stop_count;
	int group_stop_code;
	/* ITIMER_REAL / alarm */
	int64_t it_real_deadline, it_real_interval;
	struct ktimer *it_real_timer;
	struct task *leader;
	struct list_head threads;	/* live tasks of the group, by thread_node */
	int live;			/* how many of them have not exited */
	struct task *group_exec_task;	/* execve is killing the other threads */
	/* PR_SET_CHILD_SUBREAPER: orphaned descendants come here, not to
	 * init; has_child_subreaper: some ancestor is one (worth a look) */
	bool is_child_subreaper, has_child_subreaper;
	struct wait_queue_head signalfd_wqh;	/* woken on every new signal */
	/* wait4/waitid sleepers: any thread may wait for any thread's child */
	struct wait_queue_head wait_chldexit;
	/* accounting, in ns */
	uint64_t cutime, cstime;
};

struct task {
	/* arch-um's saved kernel context; must stay first */
	struct arch_kctx kctx;
	void *kstack;
	size_t kstack_size;

	enum task_state state;
	pid_t pid, tgid;
	char comm[16];
	uint32_t flags;			/* PF_* */

	/* The thread that forked this process (Linux's real_parent); the
	 * children are listed per thread but belong to the whole process:
	 * SIGCHLD and wait go to parent's thread group. */
	struct task *parent;
	struct list_head children;
	struct list_head sibling;
	struct list_head tasks;		/* all tasks */
	struct list_head runq;		/* scheduler run queue link */
	uint64_t vruntime;		/* ns of CPU, weighted as CFS (kernel/sched.c) */
	struct list_head thread_node;	/* signal->threads */
	uint64_t robust_list;		/* set_robust_list head */
	int nice;			/* -20..19: CFS weight */
	int policy;			/* SCHED_NORMAL(0)/FIFO/RR/BATCH/IDLE */
	int rt_priority;		/* 1..99 for FIFO and RR, else 0 */
	bool sched_reset_on_fork;	/* SCHED_RESET_ON_FORK */
	int64_t rr_slice_end;		/* RR: when its turn ends (then it requeues at the tail) */
	int pdeath_signal;		/* PR_SET_PDEATHSIG: sent when parent (the thread) exits */
	unsigned personality;		/* personality(2): inherited, kept over exec */
	bool no_new_privs;		/* PR_SET_NO_NEW_PRIVS: inherited, kept across exec, never unset */
	uint64_t timer_slack_ns;	/* PR_SET_TIMERSLACK (0: the default, 50 us) */

	struct mm *mm;
	struct files_struct *files;
	struct fs_struct *fs;
	struct cred cred;
	struct sighand *sighand;
	struct signal_struct *signal;

	/* signals */
	ksigset_t blocked;
	ksigset_t real_blocked;	/* in rt_sigtimedwait: the mask before it unblocked the wanted set */
	ksigset_t saved_sigmask;		/* restored after sigsuspend etc. */
	bool restore_sigmask;
	ksigset_t pending;
	struct list_head sigqueue;	/* struct sigqueue, by arrival */
	uint64_t sas_ss_sp, sas_ss_size;
	int sas_ss_flags;

	/* exit state */
	int exit_code;			/* wait status as the parent sees it */
	int exit_signal;		/* signal to parent at exit (SIGCHLD) */
	bool vfork_done;
	struct wait_queue_head vfork_wait;

	uint64_t clear_child_tid;	/* set_tid_address */
	uint64_t utime_ns, stime_ns;	/* user / system time */
	int64_t kstart_ns;		/* its running kernel stretch began (0: none) */
	int64_t start_time_ns;
	uint64_t nvcsw, nivcsw, min_flt, maj_flt;

	/* restart_syscall support for nanosleep and friends */
	struct {
		long (*fn)(struct task *t);
		int64_t deadline;
		int clock;
		uaddr_t rmtp;
	} restart_block;

	/* guest register state while in the kernel */
	struct guest_regs regs;
	/* arch-owned: FPU state (lazily allocated), and whether the kernel
	 * changed it since the stub had it (arch_fpstate_changed) */
	struct guest_fpstate *fpstate;
	bool fpstate_dirty;

	/* kernel threads and usermode helpers: what their stack starts in */
	void (*kthread_fn)(void *);
	void *kthread_data;

	/* job control and ptrace (kernel/signal.c, kernel/ptrace*.c) */
	unsigned long jobctl;		/* JOBCTL_*: group stop and ptrace traps */
	unsigned ptrace;		/* PT_*: traced, seized, the PTRACE_O_ options */
	unsigned syscall_work;		/* SYSCALL_WORK_*: PTRACE_SYSCALL, SYSEMU, stepping */
	struct task *ptracer;		/* Linux's ->parent while traced, else NULL */
	struct list_head ptraced;	/* the tasks this thread traces */
	struct list_head ptrace_entry;	/* on ptracer->ptraced */
	int ptrace_code;		/* a stop's wait code; the signal to resume with */
	uint64_t ptrace_message;	/* PTRACE_GETEVENTMSG */
	struct ksiginfo *last_siginfo;	/* the stop's siginfo (PTRACE_GETSIGINFO) */
	struct wait_queue_head ptrace_wait;	/* the attacher waits for the trap here */
	struct arch_thread thread;	/* arch-owned ptrace state (single-step, debug registers) */

	bool timed_out;			/* wait_sleep's deadline passed */
	bool in_syscall;		/* regs hold a syscall's result */
	int64_t user_start_ns;
};

#define PF_EXITING	0x4
#define PF_KTHREAD	0x200000
#define PF_VFORK_CHILD	0x1000

extern struct task *current;

/* A process is alive while any of its threads is. */
static inline bool process_alive(const struct task *t)
{
	return t->signal && t->signal->live > 0;
}
#define for_each_thread(sig, th) list_for_each_entry(th, &(sig)->threads, thread_node)
extern struct task *init_task;		/* pid 1 */

/* Scheduler */
void schedule(void);			/* run something else; current may sleep */
void wake_up_task(struct task *t);	/* make runnable (if sleeping) */
void wake_up_stopped(struct task *t);	/* end a job-control or ptrace stop */
void sched_yield_current(void);
bool need_resched(void);
/* Make the current task give up the CPU at its next safe point: a task
 * woken by completed I/O runs without waiting out the slice. */
void set_need_resched(void);
/* May the current context sleep? Not the idle task (boot, the idle loop),
 * not an interrupt handler or timer callback, not once umk is halting. */
bool can_sleep(void);

/* Lookups and iteration */
struct task *find_task_by_pid(pid_t pid);
struct task *find_task_group_leader(pid_t pid);	/* the process pid, not a thread */
/* A kernel thread running fn(data) (kernel/kthread.c); fn must not return. */
struct task *kthread_run(void (*fn)(void *), void *data, const char *name);
extern struct list_head task_list;	/* every task, by struct task.tasks */
#define for_each_task(t) list_for_each_entry(t, &task_list, tasks)

/* Signals to tasks and groups (sig 1..64). Return 0 or -errno. */
int send_signal(struct task *t, int sig, const struct ksiginfo *info);
int send_sig(int sig, struct task *t);	/* SI_KERNEL sender */
int kill_pgrp(pid_t pgrp, int sig);
bool signal_pending(struct task *t);
/* For signalfd: is any signal of mask pending for t; take one (0 if none). */
bool signal_pending_in(struct task *t, uint64_t mask);
int signal_dequeue_in(struct task *t, uint64_t mask, struct ksiginfo *info);
/* Job control helpers for the tty layer */
bool is_orphaned_pgrp(pid_t pgrp);
bool pgrp_exists(pid_t pgrp);

/* Time */
int64_t ktime_mono_ns(void);		/* CLOCK_MONOTONIC */

/* kernel/cputime.c: CPU time accounting. The scheduler calls
 * cputime_switch when prev leaves the CPU to next (next_idle: nobody
 * runs); the trap loop brackets each run of user code. */
void cputime_switch(struct task *prev, struct task *next, bool next_idle);
/* kernel/sched.c: t's policy, real-time priority and nice changed
 * (sched_setscheduler, setpriority): reschedule as they require. */
void sched_policy_changed(struct task *t);
#define SCHED_NORMAL_POLICY 0
#define SCHED_FIFO_POLICY 1
#define SCHED_RR_POLICY 2
#define SCHED_BATCH_POLICY 3
#define SCHED_IDLE_POLICY 5
#define RT_POLICY(p) ((p) == SCHED_FIFO_POLICY || (p) == SCHED_RR_POLICY)
void cputime_user_enter(struct task *t, int64_t now);
void cputime_user_exit(struct task *t, int64_t entered, int64_t now);
/* Every task's user and system time since boot (the dead's included). */
void cputime_totals(int64_t *user, int64_t *system);
int64_t ktime_real_ns(void);		/* CLOCK_REALTIME */
int64_t ktime_boot_ns(void);		/* since boot */

void get_random_bytes(void *buf, size_t n);
#endif
