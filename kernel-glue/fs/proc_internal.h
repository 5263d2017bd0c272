/* procfs internals: inode kinds and the generated-text file helper. */
#ifndef UMK_PROC_INTERNAL_H
#define UMK_PROC_INTERNAL_H
#include <umk/fs.h>
#include <umk/sched.h>

enum proc_kind {
	P_ROOT = 1, P_SELF, P_CMDLINE, P_CPUINFO, P_MEMINFO, P_MOUNTS, P_UPTIME, P_LOADAVG, P_STAT,
	P_FILESYSTEMS, P_VERSION,
	P_GENERIC,	/* a registered entry (umk/proc.h); fd is its id */
	/* per process */
	P_PID_DIR = 0x20, P_PID_STAT, P_PID_STATUS, P_PID_CMDLINE, P_PID_MAPS, P_PID_COMM,
	P_PID_ENVIRON, P_PID_EXE, P_PID_CWD, P_PID_ROOT, P_PID_FD_DIR, P_PID_FD_LINK, P_PID_MOUNTS,
	P_PID_MOUNTINFO, P_PID_STATM, P_PID_LIMITS, P_PID_FDINFO_DIR, P_PID_FDINFO,
	P_PID_MEM, P_PID_TASK_DIR,	/* the memory as a debugger sees it; the threads */
};

struct proc_ino {
	enum proc_kind kind;
	pid_t pid;
	int fd;
};

struct inode *proc_iget(enum proc_kind kind, pid_t pid, int fd);
static inline struct proc_ino *PI(struct inode *i) { return i->i_private; }
struct task *proc_task(struct inode *i);	/* NULL once the process is gone */

/* Per-pid parts (proc_pid.c) */
struct inode *proc_pid_lookup(struct inode *dir, const char *name);
int proc_pid_iterate(struct file *f, struct dir_context *ctx);
int proc_pid_show(struct inode *inode, struct sbuf *out);
ssize_t proc_pid_readlink(struct inode *inode, char *buf, size_t n);
umode_t proc_pid_mode(enum proc_kind k);

/* Registered entries (proc_generic.c); id 0 is /proc itself. */
umode_t proc_generic_mode(unsigned id);
struct inode *proc_generic_lookup(unsigned dir_id, const char *name);
bool proc_generic_iterate(unsigned dir_id, struct dir_context *ctx, loff_t base);
int proc_generic_show(unsigned id, struct sbuf *out);
ssize_t proc_generic_write(unsigned id, const void *buf, size_t n, loff_t *pos);
bool proc_generic_writable(unsigned id);

/* /proc/PID/mem (proc_mem.c) */
extern const struct file_operations proc_mem_fops;
#endif
