/* Capabilities (Linux's capabilities(7)): the five per-task sets and
 * securebits live in struct cred (sched.h); a privileged operation asks
 * capable(CAP_X), which looks at the effective set -- never at uid 0.
 * There are no user namespaces: every check is against the one
 * initial namespace. The CAP_* numbers come from <linux/capability.h>. */
#ifndef UMK_CAPABILITY_H
#define UMK_CAPABILITY_H
#include <umk/types.h>
#include <linux/capability.h>
#include <linux/securebits.h>

typedef uint64_t kernel_cap_t;

/* The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap). */
#define UMK_CAP_LAST_CAP	CAP_CHECKPOINT_RESTORE
#define CAP_FULL_SET		((kernel_cap_t)((2ULL << UMK_CAP_LAST_CAP) - 1))
#define CAP_BIT(c)		((kernel_cap_t)1 << (c))
#define cap_valid_nr(c)		((unsigned long)(c) <= UMK_CAP_LAST_CAP)

struct task;
struct cred;

/* Does current have cap in its effective set? (Kernel threads and the
 * boot before the first task: yes.) */
bool capable(int cap);
/* the current task has group g (fsgid or supplementary): Linux's in_group_p */
bool in_group_p(gid_t g);
bool has_capability(const struct task *t, int cap);
/* the same, for another set of credentials (access(2)'s real-id view) */
bool cred_capable(const struct cred *c, int cap);

/* The credentials of the first task (root, every capability). */
void cred_init_root(struct cred *c);

/* Linux's cap_task_fix_setuid: the capability consequences of a change
 * of uids from old to current->cred; fs: only fsuid was set (setfsuid). */
void cap_fix_setuid(const struct cred *old, bool fs);

/* execve: the credentials the program f will run with (set-id bits,
 * file capabilities and the capability rules), and whether that is a
 * privilege-elevating exec (*secure: AT_SECURE); -EPERM if the file's
 * capabilities are effective but cannot all be had. Then, past the
 * point of no return, installing them. */
struct file;
int exec_creds(struct file *f, struct cred *nc, bool *secure);
void exec_commit_creds(const struct cred *nc, bool secure);

/* prctl options about capabilities and securebits; -ENOSYS if option is
 * none of them. */
long cap_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
#endif
