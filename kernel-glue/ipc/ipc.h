/* SysV IPC internals shared by shm.c, sem.c, msg.c and proc.c: the id
 * tables, keys, permissions and limits (Linux's ipc/util.h). One IPC
 * namespace: the machine's. */
#ifndef UMK_IPC_IPC_H
#define UMK_IPC_IPC_H
#include <umk/sched.h>
#include <umk/capability.h>
#include <linux/ipc.h>

/* Ids are seq << IPCMNI_SHIFT | index, as Linux (no ipcmni_extend). */
#define IPCMNI_SHIFT	15
#define IPCMNI		(1 << IPCMNI_SHIFT)
#define IPC_MIN_CYCLE	64	/* Linux's RADIX_TREE_MAP_SIZE */

struct kern_ipc_perm {
	int id;
	int key;
	uid_t uid, cuid;
	gid_t gid, cgid;
	unsigned mode;		/* 0777 bits and, for shm, SHM_DEST/SHM_LOCKED */
	unsigned seq;
	bool deleted;		/* removed: sleepers see EIDRM */
	int refs;		/* the table's and each sleeper's */
	void (*free)(struct kern_ipc_perm *p);
};

struct ipc_ids {
	int in_use;
	unsigned seq;
	int last_idx;		/* idr_alloc_cyclic's last answer */
	int max_idx;		/* highest index in use, -1 none */
	struct kern_ipc_perm *entries[IPCMNI];
};

extern struct ipc_ids shm_ids, sem_ids, msg_ids;

/* The limits (sysctls under /proc/sys/kernel, ipc/proc.c). */
extern unsigned long shm_ctlmax, shm_ctlall;
extern int shm_ctlmni;
extern int sem_ctls[4];		/* semmsl, semmns, semopm, semmni */
#define sc_semmsl sem_ctls[0]
#define sc_semmns sem_ctls[1]
#define sc_semopm sem_ctls[2]
#define sc_semmni sem_ctls[3]
extern int msg_ctlmax, msg_ctlmnb, msg_ctlmni;

/* Create/lookup as Linux's ipcget: more_checks runs on an existing
 * object, create makes a new one (returns its id or -errno) and must
 * call ipc_addid. */
struct ipc_ops {
	int (*create)(int key, int flg, long arg);
	int (*more_checks)(struct kern_ipc_perm *p, long arg);
};
int ipcget(struct ipc_ids *ids, const struct ipc_ops *ops, int key, int flg, long arg);
/* Enter p in ids (owner and creator = current); its id or -ENOSPC. */
int ipc_addid(struct ipc_ids *ids, struct kern_ipc_perm *p, int key, int mode, int limit);
/* Take p out of ids, mark it deleted and drop the table's reference. */
void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p);
struct kern_ipc_perm *ipc_lookup(struct ipc_ids *ids, int id);	/* by id, NULL = EINVAL */
struct kern_ipc_perm *ipc_lookup_idx(struct ipc_ids *ids, int idx);	/* *_STAT */
int ipc_get_maxidx(struct ipc_ids *ids);
static inline void ipc_get(struct kern_ipc_perm *p) { p->refs++; }
void ipc_put(struct kern_ipc_perm *p);

/* flag: S_IRUGO, S_IWUGO or get's mode bits; 0 = allowed, else EACCES. */
int ipcperms(struct kern_ipc_perm *p, int flag);
/* IPC_SET / IPC_RMID: owner, creator or CAP_SYS_ADMIN; 0 or -EPERM. */
int ipc_owner_check(struct kern_ipc_perm *p);
/* IPC_SET's uid, gid and mode bits from a guest ipc64_perm. */
struct ipc64_perm;
void ipc_update_perm(struct kern_ipc_perm *p, const struct ipc64_perm *in);
void ipc_fill_perm(const struct kern_ipc_perm *p, struct ipc64_perm *out);
static inline long ipc_now(void) { return (long)(ktime_real_ns() / 1000000000); }

/* /proc/sysvipc text of one object (ipc/proc.c walks the tables). */
struct sbuf;
void shm_proc_show(struct sbuf *out, struct kern_ipc_perm *p);
void sem_proc_show(struct sbuf *out, struct kern_ipc_perm *p);
void msg_proc_show(struct sbuf *out, struct kern_ipc_perm *p);
#endif
