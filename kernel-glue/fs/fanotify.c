/* fanotify with file descriptors: a root listener marks inodes
 * (directories with FAN_EVENT_ON_CHILD also hear their children), mounts
 * or whole filesystems and reads struct fanotify_event_metadata records
 * carrying an open file of the object and the pid of the process that
 * caused the event, as Linux's fs/notify/fanotify. One event per group
 * however many of its marks match (the masks are or-ed, FAN_ONDIR lets
 * directories in); an event on the same object from the same process
 * merges into a queued one. Content-class groups get permission events:
 * the opener or reader waits for the listener's FAN_ALLOW / FAN_DENY.
 *
 * Not here (refused, logged once): file-handle reporting (FAN_REPORT_FID
 * and friends, so no unprivileged fanotify, and no events that need it:
 * FAN_ATTRIB, FAN_CREATE, ...), FAN_REPORT_PIDFD, FAN_ENABLE_AUDIT,
 * ignore masks and evictable marks. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/fsnotify.h>
#include <umk/mm.h>
#include <umk/proc.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include <linux/fanotify.h>
#include "anon_inode.h"
#include "internal.h"

#ifndef FAN_MARK_MOUNT
#define FAN_MARK_MOUNT		0x00000010
#define FAN_MARK_FILESYSTEM	0x00000100
#endif
#define FAN_MARK_EVICTABLE_	0x00000200
#define FAN_MARK_IGNORE_	0x00000400
#define MARK_TYPES (FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM)
#define MARK_FLAGS (FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_DONT_FOLLOW | FAN_MARK_ONLYDIR | MARK_TYPES | \
		    FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY | FAN_MARK_FLUSH | FAN_MARK_EVICTABLE_ | \
		    FAN_MARK_IGNORE_)
/* events an fd-reporting group can have, and the flags beside them */
#define FD_EVENTS (FAN_ACCESS | FAN_MODIFY | FAN_CLOSE | FAN_OPEN | FAN_OPEN_EXEC)
#define PERM_EVENTS (FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM)
#define EVENT_FLAGS (FAN_EVENT_ON_CHILD | FAN_ONDIR)
#define ALL_EVENT_BITS (FD_EVENTS | FAN_ATTRIB | FAN_MOVE | FAN_CREATE | FAN_DELETE | FAN_DELETE_SELF | \
			FAN_MOVE_SELF | FAN_RENAME | FAN_FS_ERROR)
#define INIT_FLAGS_KNOWN (FAN_CLOEXEC | FAN_NONBLOCK | FAN_ALL_CLASS_BITS | FAN_UNLIMITED_QUEUE | \
			  FAN_UNLIMITED_MARKS | FAN_ENABLE_AUDIT | FAN_REPORT_PIDFD | FAN_REPORT_TID | \
			  FAN_REPORT_FID | FAN_REPORT_DIR_FID | FAN_REPORT_NAME | FAN_REPORT_TARGET_FID)
#define EVENT_F_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | __O_SYNC | O_DSYNC | O_CLOEXEC | O_LARGEFILE | O_NOATIME)
#define META_LEN 24	/* sizeof(struct fanotify_event_metadata) */
#define MAX_MERGE 128		/* bucket entries a new event is compared with */
#define MERGE_BUCKETS 128

int fanotify_marks_active;
static int max_queued_events = 16384;
static int max_user_groups = 128;
static int max_user_marks;
static bool max_user_marks_known;

static LIST_HEAD(fan_users);	/* struct fsnotify_user */

enum obj { OBJ_INODE, OBJ_MOUNT, OBJ_SB };
struct fan_mark {
	struct list_head list;		/* the group's marks */
	enum obj type;
	void *obj;			/* inode (with a reference), vfsmount or super_block */
	uint32_t mask;
};

struct fan_event {
	struct list_head list;
	struct list_head hlist;		/* in its merge bucket; empty for the overflow */
	uint32_t mask;
	pid_t pid;
	struct path path;		/* with references; none for the overflow */
	/* permission events: the opener/reader waits on wq for a response
	 * and owns the event; the listener answers by the fd it was given */
	bool perm;
	int fd;
	uint32_t response;		/* 0 while pending, FAN_ALLOW or FAN_DENY */
	struct wait_queue_head wq;
};

struct fan_group {
	struct list_head list;		/* all groups */
	struct list_head marks, events;
	struct list_head buckets[MERGE_BUCKETS];	/* queued events by object and pid, newest first */
	unsigned q_len, max_events;
	bool overflow_queued;
	unsigned event_f_flags;
	bool report_tid;
	bool content;			/* FAN_CLASS_CONTENT or PRE_CONTENT: permission events */
	uint64_t id;			/* creation order */
	struct list_head answering;	/* permission events read, not yet answered */
	int max_marks;
	struct wait_queue_head wq;
	struct fsnotify_user *user;
};
static LIST_HEAD(groups);
static uint64_t last_group_id;

/* As Linux sizes max_user_marks: 1% of memory at 1232 bytes a mark
 * (what the x86-64 host kernel's formula gives), 8192 to 1048576. */
#define FANOTIFY_MARK_COST 1232
static int user_marks_max(void)
{
	if (!max_user_marks_known) {
		max_user_marks_known = true;
		max_user_marks = fsnotify_marks_for_memory(FANOTIFY_MARK_COST);
	}
	return max_user_marks;
}


static void free_mark(struct fan_group *g, struct fan_mark *m)
{
	list_del(&m->list);
	if (m->type == OBJ_INODE)
		iput(m->obj);
	g->user->marks--;
	fanotify_marks_active--;
	kfree(m);
}

/* ---- events ---- */

static void free_event(struct fan_event *e)
{
	list_del(&e->hlist);
	if (e->path.dentry)
		path_put(&e->path);
	kfree(e);
}

static void queue_event(struct fan_group *g, uint32_t mask, struct file *f)
{
	pid_t pid = g->report_tid ? current->pid : current->tgid;
	bool isdir = S_ISDIR(f->f_inode->i_mode);
	if (g->max_events && g->q_len >= g->max_events) {
		if (g->overflow_queued)
			return;
		g->overflow_queued = true;
		struct fan_event *o = kzalloc(sizeof(*o));
		INIT_LIST_HEAD(&o->hlist);
		o->mask = FAN_Q_OVERFLOW;
		list_add_tail(&o->list, &g->events);
		g->q_len++;
		wake_up(&g->wq);
		return;
	}
	/* merge with a queued event of the same object and process, looked
	 * for as Linux does: among the newest entries of its hash bucket */
	uint64_t h = ((uintptr_t)f->f_inode ^ ((uintptr_t)f->f_path.mnt >> 4) ^ (uint64_t)pid * 0x9E3779B97F4A7C15ull ^ isdir);
	struct list_head *bucket = &g->buckets[(h * 0x9E3779B97F4A7C15ull) >> 57];
	int n = 0;
	struct fan_event *e;
	list_for_each_entry(e, bucket, hlist) {
		if (++n > MAX_MERGE)
			break;
		if (e->pid == pid && e->path.mnt == f->f_path.mnt && e->path.dentry->d_inode == f->f_inode) {
			e->mask |= mask;
			return;
		}
	}
	e = kzalloc(sizeof(*e));
	list_add(&e->hlist, bucket);
	e->mask = mask;
	e->pid = pid;
	e->path = f->f_path;
	path_get(&e->path);
	list_add_tail(&e->list, &g->events);
	g->q_len++;
	wake_up(&g->wq);
}

/* What g's marks want of an event on f: the or of every matching mark's
 * mask (the parent's only with FAN_EVENT_ON_CHILD), as Linux's
 * fanotify_group_event_mask. */
static uint32_t group_mask(struct fan_group *g, struct file *f, uint32_t mask)
{
	struct inode *inode = f->f_inode;
	struct dentry *d = f->f_path.dentry;
	struct inode *parent = d && d->d_parent != d ? d->d_parent->d_inode : NULL;
	uint32_t marks = 0;
	struct fan_mark *m;
	list_for_each_entry(m, &g->marks, list) {
		switch (m->type) {
		case OBJ_INODE:
			if (m->obj == inode)
				marks |= m->mask & ~FAN_EVENT_ON_CHILD;
			else if (m->obj == parent && (m->mask & FAN_EVENT_ON_CHILD))
				marks |= m->mask;
			break;
		case OBJ_MOUNT:
			if (m->obj == f->f_path.mnt)
				marks |= m->mask;
			break;
		case OBJ_SB:
			if (m->obj == inode->i_sb)
				marks |= m->mask;
			break;
		}
	}
	if (S_ISDIR(inode->i_mode) && !(marks & FAN_ONDIR))
		return 0;
	return mask & marks & (FD_EVENTS | PERM_EVENTS);
}

void fanotify_file_event(struct file *f, uint32_t mask)
{
	if (!f->f_path.mnt || (f->f_mode & FMODE_NONOTIFY))
		return;
	struct fan_group *g;
	list_for_each_entry(g, &groups, list) {
		uint32_t want = group_mask(g, f, mask);
		if (want)
			queue_event(g, want, f);
	}
}

/* The waiter owns a permission event: answering wakes it to read the
 * response and free the event. */
static void answer(struct fan_event *e, uint32_t response)
{
	INIT_LIST_HEAD(&e->list);
	e->response = response;
	wake_up(&e->wq);
}

/* Ask every content-class group that wants the event, in turn; the first
 * FAN_DENY makes it EPERM. While waiting the task can be interrupted
 * (the syscall then restarts or fails with EINTR). */
int fanotify_perm(struct file *f, uint32_t mask)
{
	if (!f->f_path.mnt)
		return 0;
	/* groups may come and go while this task waits: take them in
	 * creation order, looking each next one up afresh */
	uint64_t done_id = 0;
	for (;;) {
		struct fan_group *g = NULL, *c;
		uint32_t want = 0;
		list_for_each_entry(c, &groups, list) {
			if (c->id <= done_id || !c->content || (g && c->id > g->id))
				continue;
			uint32_t w = group_mask(c, f, mask);
			if (w) {
				g = c;
				want = w;
			}
		}
		if (!g)
			break;
		done_id = g->id;
		if (g->max_events && g->q_len >= g->max_events)
			continue;	/* overflowed: allowed, as Linux */
		struct fan_event *e = kzalloc(sizeof(*e));
		INIT_LIST_HEAD(&e->hlist);
		init_waitqueue_head(&e->wq);
		e->perm = true;
		e->mask = want;
		e->pid = g->report_tid ? current->pid : current->tgid;
		e->path = f->f_path;
		path_get(&e->path);
		list_add_tail(&e->list, &g->events);
		g->q_len++;
		wake_up(&g->wq);
		long err = wait_event_interruptible(e->wq, e->response != 0);
		if (err) {
			if (!e->response) {
				/* still queued or being judged: withdraw it */
				bool queued = false;
				struct fan_event *q;
				list_for_each_entry(q, &g->events, list)
					if (q == e)
						queued = true;
				list_del(&e->list);
				if (queued)
					g->q_len--;
			}
			free_event(e);
			return err;
		}
		uint32_t resp = e->response;
		free_event(e);
		if (resp == FAN_DENY)
			return -EPERM;
	}
	return 0;
}

int __fsnotify_open_perm(struct file *f)
{
	if (f->f_flags & O_FSNOTIFY_EXEC) {
		int err = fanotify_perm(f, FAN_OPEN_EXEC_PERM);
		if (err)
			return err;
	}
	return fanotify_perm(f, FAN_OPEN_PERM);
}

/* marks on objects that are going away go with them (no event) */
static void drop_marks_of(enum obj type, void *obj, struct super_block *sb)
{
	struct fan_group *g;
	list_for_each_entry(g, &groups, list) {
		struct fan_mark *m, *n;
		list_for_each_entry_safe(m, n, &g->marks, list)
			if ((type == OBJ_MOUNT && m->type == OBJ_MOUNT && m->obj == obj) ||
			    (sb && m->type == OBJ_SB && m->obj == sb) ||
			    (sb && m->type == OBJ_INODE && ((struct inode *)m->obj)->i_sb == sb))
				free_mark(g, m);
	}
}

void fanotify_sb_delete(struct super_block *sb) { drop_marks_of(OBJ_SB, NULL, sb); }

bool fanotify_pins_mount(struct vfsmount *mnt)
{
	struct fan_group *g;
	struct fan_event *e;
	list_for_each_entry(g, &groups, list) {
		list_for_each_entry(e, &g->events, list)
			if (e->path.mnt == mnt)
				return true;
		list_for_each_entry(e, &g->answering, list)
			if (e->path.mnt == mnt)
				return true;
	}
	return false;
}
void fanotify_mnt_delete(struct vfsmount *mnt) { drop_marks_of(OBJ_MOUNT, mnt, NULL); }

/* ---- the file ---- */

static ssize_t fanotify_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct fan_group *g = f->private_data;
	size_t done = 0;
	for (;;) {
		while (!list_empty(&g->events)) {
			if (n - done < META_LEN)
				return done ? (ssize_t)done : -EINVAL;
			struct fan_event *e = list_first_entry(&g->events, struct fan_event, list);
			int fd = FAN_NOFD;
			if (e->path.dentry) {
				struct file *ef = dentry_open_noperm(&e->path, (g->event_f_flags & ~O_CLOEXEC) | O_FSNOTIFY_NONOTIFY);
				if (IS_ERR(ef)) {
					if (done)
						return done;
					list_del(&e->list);
					g->q_len--;
					if (e->perm)
						answer(e, FAN_ALLOW);	/* nobody can judge it */
					else
						free_event(e);
					return PTR_ERR(ef);
				}
				fd = fd_install(ef, g->event_f_flags & O_CLOEXEC);
				if (fd < 0) {
					fput(ef);
					return done ? (ssize_t)done : fd;
				}
			}
			struct fanotify_event_metadata md = {
				.event_len = META_LEN, .vers = FANOTIFY_METADATA_VERSION, .metadata_len = META_LEN,
				.mask = e->mask, .fd = fd, .pid = e->path.dentry ? e->pid : 0,
			};
			memcpy((char *)buf + done, &md, META_LEN);
			done += META_LEN;
			list_del(&e->list);
			g->q_len--;
			if (e->mask == FAN_Q_OVERFLOW)
				g->overflow_queued = false;
			if (e->perm) {
				e->fd = fd;
				list_add_tail(&e->list, &g->answering);
			} else {
				free_event(e);
			}
		}
		if (done)
			return done;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(g->wq, !list_empty(&g->events));
		if (err)
			return err;
	}
}

/* A response to a permission event read earlier, named by its fd
 * (ENOENT if none is pending with that fd), as Linux. */
static ssize_t fanotify_write(struct file *f, const void *buf, size_t n, loff_t *pos __unused)
{
	struct fan_group *g = f->private_data;
	struct fanotify_response r;
	if (n < sizeof(r))
		return -EINVAL;
	memcpy(&r, buf, sizeof(r));
	if (r.fd < 0)
		return -EINVAL;
	if ((r.response & ~(FAN_ALLOW | FAN_DENY | FAN_AUDIT)) != 0 ||
	    ((r.response & (FAN_ALLOW | FAN_DENY)) != FAN_ALLOW && (r.response & (FAN_ALLOW | FAN_DENY)) != FAN_DENY))
		return -EINVAL;
	struct fan_event *e;
	list_for_each_entry(e, &g->answering, list)
		if (e->fd == r.fd) {
			list_del(&e->list);
			answer(e, r.response & (FAN_ALLOW | FAN_DENY));
			return sizeof(r);
		}
	return -ENOENT;
}

static unsigned fanotify_poll(struct file *f, struct poll_table *pt)
{
	struct fan_group *g = f->private_data;
	poll_wait(f, &g->wq, pt);
	return list_empty(&g->events) ? 0 : POLLIN | POLLRDNORM;
}

static long fanotify_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct fan_group *g = f->private_data;
	if (cmd != FIONREAD)
		return -ENOTTY;
	int v = (int)(g->q_len * META_LEN);
	return copy_to_user((uaddr_t)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static void fanotify_release(struct inode *inode __unused, struct file *f)
{
	struct fan_group *g = f->private_data;
	list_del(&g->list);
	while (!list_empty(&g->marks))
		free_mark(g, list_first_entry(&g->marks, struct fan_mark, list));
	/* a listener that goes away allows what it was asked (Linux) */
	while (!list_empty(&g->answering)) {
		struct fan_event *e = list_first_entry(&g->answering, struct fan_event, list);
		list_del(&e->list);
		answer(e, FAN_ALLOW);
	}
	while (!list_empty(&g->events)) {
		struct fan_event *e = list_first_entry(&g->events, struct fan_event, list);
		list_del(&e->list);
		if (e->perm)
			answer(e, FAN_ALLOW);
		else
			free_event(e);
	}
	g->user->groups--;
	fsnotify_user_put_if_idle(g->user);
	kfree(g);
}

/* /proc/PID/fdinfo: the group's marks, as Linux prints them (inode marks
 * without the file handle fields) */
static void fanotify_show_fdinfo(struct file *f, struct sbuf *out)
{
	struct fan_group *g = f->private_data;
	sbuf_printf(out, "fanotify flags:%x event-flags:%x\n", 0u, g->event_f_flags);
	struct fan_mark *m;
	list_for_each_entry(m, &g->marks, list) {
		if (m->type == OBJ_INODE) {
			struct inode *i = m->obj;
			uint64_t dev = i->i_dev;
			unsigned kdev = (unsigned)((((dev >> 8) & 0xfff) << 20) | (dev & 0xff) | ((dev >> 12) & 0xfff00));
			sbuf_printf(out, "fanotify ino:%llx sdev:%x mflags:0 mask:%x ignored_mask:0\n",
				    (unsigned long long)i->i_ino, kdev, m->mask);
		} else if (m->type == OBJ_MOUNT) {
			sbuf_printf(out, "fanotify mnt_id:%x mflags:0 mask:%x ignored_mask:0\n",
				    ((struct vfsmount *)m->obj)->mnt_id, m->mask);
		} else {
			sbuf_printf(out, "fanotify sdev:%x mflags:0 mask:%x ignored_mask:0\n",
				    (unsigned)((struct super_block *)m->obj)->s_dev, m->mask);
		}
	}
}

static const struct file_operations fanotify_fops = {
	.read = fanotify_read, .write = fanotify_write, .poll = fanotify_poll, .ioctl = fanotify_ioctl,
	.llseek = noop_llseek, .release = fanotify_release, .show_fdinfo = fanotify_show_fdinfo,
};

/* ---- syscalls ---- */

SYSCALL_DEFINE2(fanotify_init, unsigned, flags, unsigned, event_f_flags)
{
	if (current->cred.euid != 0)
		return -EPERM;	/* no CAP_SYS_ADMIN; unprivileged (FID) groups are not implemented */
	if (flags & ~INIT_FLAGS_KNOWN)
		return -EINVAL;
	if ((flags & FAN_ALL_CLASS_BITS) == FAN_ALL_CLASS_BITS)
		return -EINVAL;
	if (flags & (FAN_REPORT_FID | FAN_REPORT_DIR_FID | FAN_REPORT_NAME | FAN_REPORT_TARGET_FID | FAN_REPORT_PIDFD |
		     FAN_ENABLE_AUDIT)) {
		printk_once_key("fanotify-fid", KERN_NOTICE "fanotify: FAN_REPORT_FID/DIR_FID/NAME/TARGET_FID/PIDFD and FAN_ENABLE_AUDIT are not implemented\n");
		return -EINVAL;
	}
	if (event_f_flags & ~EVENT_F_FLAGS)
		return -EINVAL;
	if ((event_f_flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	struct fsnotify_user *u = fsnotify_user_get(&fan_users, current->cred.euid);
	if (u->groups >= max_user_groups) {
		fsnotify_user_put_if_idle(u);
		return -EMFILE;
	}
	struct fan_group *g = kzalloc(sizeof(*g));
	INIT_LIST_HEAD(&g->marks);
	INIT_LIST_HEAD(&g->events);
	INIT_LIST_HEAD(&g->answering);
	g->content = flags & (FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT);
	for (int i = 0; i < MERGE_BUCKETS; i++)
		INIT_LIST_HEAD(&g->buckets[i]);
	init_waitqueue_head(&g->wq);
	g->max_events = (flags & FAN_UNLIMITED_QUEUE) ? 0 : (unsigned)max_queued_events;
	g->max_marks = (flags & FAN_UNLIMITED_MARKS) ? -1 : user_marks_max();
	g->event_f_flags = event_f_flags;
	g->report_tid = flags & FAN_REPORT_TID;
	g->user = u;
	u->groups++;
	int fd = anon_inode_getfd("fanotify", &fanotify_fops, g, (flags & FAN_NONBLOCK) ? O_NONBLOCK : 0,
				  flags & FAN_CLOEXEC);
	if (fd < 0) {
		u->groups--;
		fsnotify_user_put_if_idle(u);
		kfree(g);
		return fd;
	}
	g->id = ++last_group_id;
	list_add_tail(&g->list, &groups);
	return fd;
}

static struct fan_mark *find_mark(struct fan_group *g, enum obj type, void *obj)
{
	struct fan_mark *m;
	list_for_each_entry(m, &g->marks, list)
		if (m->type == type && m->obj == obj)
			return m;
	return NULL;
}

/* the object: dfd itself when there is no path, else the path at dfd */
static int mark_path(int dfd, uaddr_t upath, unsigned flags, struct path *p)
{
	if (!upath) {
		struct file *f = fget_raw(dfd);
		if (!f)
			return -EBADF;
		int err = 0;
		if ((flags & FAN_MARK_ONLYDIR) && !S_ISDIR(f->f_inode->i_mode))
			err = -ENOTDIR;
		else {
			*p = f->f_path;
			path_get(p);
		}
		fput(f);
		return err;
	}
	unsigned lf = ((flags & FAN_MARK_DONT_FOLLOW) ? 0 : LOOKUP_FOLLOW) | ((flags & FAN_MARK_ONLYDIR) ? LOOKUP_DIRECTORY : 0);
	return user_path_at(dfd, upath, lf, p);
}

SYSCALL_DEFINE5(fanotify_mark, int, fd, unsigned, flags, uint64_t, mask64, int, dfd, uaddr_t, upath)
{
	if (mask64 >> 32)
		return -EINVAL;
	uint32_t mask = (uint32_t)mask64;
	if (flags & ~MARK_FLAGS)
		return -EINVAL;
	unsigned type = flags & MARK_TYPES;
	if (type == MARK_TYPES)
		return -EINVAL;
	unsigned cmd = flags & (FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_FLUSH);
	switch (cmd) {
	case FAN_MARK_ADD:
	case FAN_MARK_REMOVE:
		if (!mask)
			return -EINVAL;
		break;
	case FAN_MARK_FLUSH:
		if (flags & ~(MARK_TYPES | FAN_MARK_FLUSH))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (mask & ~(ALL_EVENT_BITS | PERM_EVENTS | EVENT_FLAGS))
		return -EINVAL;
	if ((flags & FAN_MARK_IGNORE_) && (flags & FAN_MARK_IGNORED_MASK))
		return -EINVAL;
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	long r = -EINVAL;
	if (f->f_op != &fanotify_fops)
		goto out;
	struct fan_group *g = f->private_data;
	if ((mask & PERM_EVENTS) && !g->content)
		goto out;	/* permission events need a content class */
	if (flags & (FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORE_ | FAN_MARK_EVICTABLE_ | FAN_MARK_IGNORED_SURV_MODIFY)) {
		printk_once_key("fanotify-ignore", KERN_NOTICE "fanotify: ignore masks and evictable marks are not implemented\n");
		goto out;
	}
	/* events that carry no file need FID reporting */
	if (mask & ~(FD_EVENTS | PERM_EVENTS | EVENT_FLAGS))
		goto out;
	if (cmd == FAN_MARK_FLUSH) {
		enum obj t = type == FAN_MARK_MOUNT ? OBJ_MOUNT : type == FAN_MARK_FILESYSTEM ? OBJ_SB : OBJ_INODE;
		struct fan_mark *m, *n;
		list_for_each_entry_safe(m, n, &g->marks, list)
			if (m->type == t)
				free_mark(g, m);
		r = 0;
		goto out;
	}
	struct path p;
	r = mark_path(dfd, upath, flags, &p);
	if (r)
		goto out;
	r = inode_permission(p.dentry->d_inode, MAY_READ);
	if (r)
		goto out_path;
	enum obj t = OBJ_INODE;
	void *obj = p.dentry->d_inode;
	if (type == FAN_MARK_MOUNT) {
		t = OBJ_MOUNT;
		obj = p.mnt;
	} else if (type == FAN_MARK_FILESYSTEM) {
		t = OBJ_SB;
		obj = p.dentry->d_inode->i_sb;
	}
	if (t != OBJ_INODE || !S_ISDIR(p.dentry->d_inode->i_mode))
		mask &= ~FAN_EVENT_ON_CHILD;
	struct fan_mark *m = find_mark(g, t, obj);
	if (cmd == FAN_MARK_REMOVE) {
		if (!m) {
			r = -ENOENT;
			goto out_path;
		}
		m->mask &= ~mask;
		if (!(m->mask & ~EVENT_FLAGS))
			free_mark(g, m);
		r = 0;
		goto out_path;
	}
	if (!m) {
		if (g->max_marks >= 0 && g->user->marks >= g->max_marks) {
			r = -ENOSPC;
			goto out_path;
		}
		m = kzalloc(sizeof(*m));
		m->type = t;
		m->obj = t == OBJ_INODE ? igrab(obj) : obj;
		list_add_tail(&m->list, &g->marks);
		g->user->marks++;
		fanotify_marks_active++;
	}
	m->mask |= mask;
	r = 0;
out_path:
	path_put(&p);
out:
	fput(f);
	return r;
}

/* ---- /proc/sys/fs/fanotify ---- */
DEFINE_SYSCTL_INT(fanotify_queued, "fs/fanotify/max_queued_events", max_queued_events, 0, 0x7fffffff, NULL);
DEFINE_SYSCTL_INT(fanotify_groups, "fs/fanotify/max_user_groups", max_user_groups, 0, 0x7fffffff, NULL);

static int marks_show(struct sbuf *out, void *data __unused)
{
	sbuf_printf(out, "%d\n", user_marks_max());
	return 0;
}

static int marks_write(const char *buf, size_t len, void *data __unused)
{
	long long v;
	if (sysctl_parse_ints(buf, len, &v, 1) != 1 || v < 0 || v > 0x7fffffff)
		return -EINVAL;
	max_user_marks = (int)v;
	max_user_marks_known = true;
	return 0;
}
DEFINE_PROC_FILE(fanotify_marks, "sys/fs/fanotify/max_user_marks", 0644, marks_show, marks_write, NULL);
