/* inotify: a file descriptor that reads events about watched files and
 * directories, as Linux's fs/notify/inotify. Each watch is an fsnotify
 * mark on one inode (one watch descriptor per inode per instance); events
 * queue as struct inotify_event with the name NUL-padded to a multiple of
 * 16 bytes, an event equal to the last queued one is merged into it, and
 * past max_queued_events one IN_Q_OVERFLOW stands for everything lost.
 * Instances and watches count against the caller's effective uid
 * (max_user_instances: EMFILE, max_user_watches: ENOSPC). */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/fsnotify.h>
#include <umk/mm.h>
#include <umk/proc.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include "anon_inode.h"
#include "internal.h"

/* bits a watch request may carry (Linux's ALL_INOTIFY_BITS) */
#define ALL_INOTIFY_BITS (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | \
			  IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT)
/* what a watch keeps of the request */
#define INOTIFY_USER_MASK (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)
#define EVENT_HDR 16	/* sizeof(struct inotify_event) */

static int max_user_instances = 128;
static int max_queued_events = 16384;
static int max_user_watches;	/* from memory at first use */
static bool max_user_watches_known;

static LIST_HEAD(users);	/* struct fsnotify_user: instances are its groups, watches its marks */

struct inotify_kevent {
	struct list_head list;
	int wd;
	uint32_t mask, cookie, len;	/* len: the padded name length */
	char name[];
};

struct inotify_group {
	struct list_head events;
	unsigned q_len, max_events;
	size_t q_bytes;
	bool overflow_queued;
	struct wait_queue_head wq;
	struct list_head watches;
	int last_wd;
	bool closing;		/* release: no IN_IGNORED for the marks */
	struct fsnotify_user *user;
};

struct inotify_watch {
	struct fsnotify_mark mark;
	struct list_head g_list;
	struct inotify_group *g;
	int wd;
};

/* As Linux sizes it: 1% of memory at INOTIFY_WATCH_COST bytes a watch
 * (an inotify mark and two inodes: 1312 bytes on an x86-64 host kernel),
 * between 8192 and 1048576. */
#define INOTIFY_WATCH_COST 1312
static int user_watches_max(void)
{
	if (!max_user_watches_known) {
		max_user_watches_known = true;
		max_user_watches = fsnotify_marks_for_memory(INOTIFY_WATCH_COST);
	}
	return max_user_watches;
}


static bool same_event(const struct inotify_kevent *a, int wd, uint32_t mask, const char *name)
{
	if (a->mask & IN_IGNORED)
		return false;
	if (a->mask != mask || a->wd != wd)
		return false;
	if (!name)
		return a->len == 0;
	return a->len && !strcmp(a->name, name);
}

static void queue_event(struct inotify_group *g, int wd, uint32_t mask, uint32_t cookie, const char *name)
{
	if (g->q_len >= g->max_events) {
		if (g->overflow_queued)
			return;
		g->overflow_queued = true;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		name = NULL;
	} else if (!list_empty(&g->events) &&
		   same_event(list_entry(g->events.prev, struct inotify_kevent, list), wd, mask, name)) {
		return;
	}
	uint32_t len = name ? (strlen(name) + 1 + EVENT_HDR - 1) / EVENT_HDR * EVENT_HDR : 0;
	struct inotify_kevent *e = kzalloc(sizeof(*e) + len);
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->len = len;
	if (name)
		memcpy(e->name, name, strlen(name) + 1);
	list_add_tail(&e->list, &g->events);
	g->q_len++;
	g->q_bytes += EVENT_HDR + len;
	wake_up(&g->wq);
}

static const struct fsnotify_mark_ops inotify_mark_ops;

static void watch_event(struct fsnotify_mark *m, uint32_t mask, const char *name, uint32_t cookie)
{
	struct inotify_watch *w = container_of(m, struct inotify_watch, mark);
	queue_event(w->g, w->wd, mask & (IN_ALL_EVENTS | IN_ISDIR | IN_UNMOUNT), cookie, name);
	if (m->mask & IN_ONESHOT)
		fsnotify_remove_mark(m);
}

static void watch_detached(struct fsnotify_mark *m)
{
	struct inotify_watch *w = container_of(m, struct inotify_watch, mark);
	struct inotify_group *g = w->g;
	if (!g->closing)
		queue_event(g, w->wd, IN_IGNORED, 0, NULL);
	list_del(&w->g_list);
	g->user->marks--;
	kfree(w);
}

static const struct fsnotify_mark_ops inotify_mark_ops = { .event = watch_event, .detached = watch_detached };

static struct inotify_watch *find_watch_inode(struct inotify_group *g, struct inode *inode)
{
	if (!inode->i_fsnotify)
		return NULL;
	struct fsnotify_mark *m;
	list_for_each_entry(m, &inode->i_fsnotify->marks, i_list)
		if (m->ops == &inotify_mark_ops && container_of(m, struct inotify_watch, mark)->g == g)
			return container_of(m, struct inotify_watch, mark);
	return NULL;
}

static struct inotify_watch *find_watch_wd(struct inotify_group *g, int wd)
{
	struct inotify_watch *w;
	list_for_each_entry(w, &g->watches, g_list)
		if (w->wd == wd)
			return w;
	return NULL;
}

/* the next free wd after the last one given, cyclic from 1 (idr_alloc_cyclic) */
static int alloc_wd(struct inotify_group *g)
{
	int wd = g->last_wd;
	do {
		wd = wd >= 0x7fffffff ? 1 : wd + 1;
	} while (find_watch_wd(g, wd));
	g->last_wd = wd;
	return wd;
}

/* ---- the file ---- */

static ssize_t inotify_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct inotify_group *g = f->private_data;
	size_t done = 0;
	for (;;) {
		while (!list_empty(&g->events)) {
			struct inotify_kevent *e = list_first_entry(&g->events, struct inotify_kevent, list);
			size_t sz = EVENT_HDR + e->len;
			if (sz > n - done) {
				if (!done)
					return -EINVAL;
				return done;
			}
			char *p = (char *)buf + done;
			memcpy(p, &e->wd, 4);
			memcpy(p + 4, &e->mask, 4);
			memcpy(p + 8, &e->cookie, 4);
			memcpy(p + 12, &e->len, 4);
			memset(p + EVENT_HDR, 0, e->len);
			if (e->len)
				memcpy(p + EVENT_HDR, e->name, strlen(e->name));
			done += sz;
			list_del(&e->list);
			g->q_len--;
			g->q_bytes -= sz;
			if (e->mask == IN_Q_OVERFLOW && e->wd == -1)
				g->overflow_queued = false;
			kfree(e);
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

static unsigned inotify_poll(struct file *f, struct poll_table *pt)
{
	struct inotify_group *g = f->private_data;
	poll_wait(f, &g->wq, pt);
	return list_empty(&g->events) ? 0 : POLLIN | POLLRDNORM;
}

static long inotify_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct inotify_group *g = f->private_data;
	if (cmd == FIONREAD) {
		int v = g->q_bytes > 0x7fffffff ? 0x7fffffff : (int)g->q_bytes;
		return copy_to_user((uaddr_t)arg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	if (cmd == INOTIFY_IOC_SETNEXTWD) {	/* checkpoint/restore: the next wd to give */
		if ((long)arg < 1 || (long)arg > 0x7fffffff)
			return -EINVAL;
		g->last_wd = (int)arg - 1;
		return 0;
	}
	return -ENOTTY;
}

static void inotify_release(struct inode *inode __unused, struct file *f)
{
	struct inotify_group *g = f->private_data;
	g->closing = true;
	while (!list_empty(&g->watches))
		fsnotify_remove_mark(&list_first_entry(&g->watches, struct inotify_watch, g_list)->mark);
	while (!list_empty(&g->events)) {
		struct inotify_kevent *e = list_first_entry(&g->events, struct inotify_kevent, list);
		list_del(&e->list);
		kfree(e);
	}
	g->user->groups--;
	fsnotify_user_put_if_idle(g->user);
	kfree(g);
}

/* /proc/PID/fdinfo: one line per watch, as Linux prints it when it has
 * no file handle to show (sdev in the kernel's major<<20|minor form) */
static void inotify_show_fdinfo(struct file *f, struct sbuf *out)
{
	struct inotify_group *g = f->private_data;
	struct inotify_watch *w;
	list_for_each_entry(w, &g->watches, g_list) {
		struct inode *i = w->mark.inode;
		uint64_t dev = i->i_dev;
		unsigned kdev = (unsigned)((((dev >> 8) & 0xfff) << 20) | (dev & 0xff) | ((dev >> 12) & 0xfff00));
		sbuf_printf(out, "inotify wd:%x ino:%llx sdev:%x mask:%x ignored_mask:0\n", w->wd,
			    (unsigned long long)i->i_ino, kdev, w->mark.mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK));
	}
}

static const struct file_operations inotify_fops = {
	.read = inotify_read, .poll = inotify_poll, .ioctl = inotify_ioctl,
	.llseek = noop_llseek, .release = inotify_release, .show_fdinfo = inotify_show_fdinfo,
};

/* ---- syscalls ---- */

static long do_inotify_init(int flags)
{
	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	struct fsnotify_user *u = fsnotify_user_get(&users, current->cred.euid);
	if (u->groups >= max_user_instances) {
		fsnotify_user_put_if_idle(u);
		return -EMFILE;
	}
	struct inotify_group *g = kzalloc(sizeof(*g));
	INIT_LIST_HEAD(&g->events);
	INIT_LIST_HEAD(&g->watches);
	init_waitqueue_head(&g->wq);
	g->max_events = max_queued_events;
	g->user = u;
	u->groups++;
	int fd = anon_inode_getfd("inotify", &inotify_fops, g, flags & O_NONBLOCK, flags & O_CLOEXEC);
	if (fd < 0) {
		u->groups--;
		fsnotify_user_put_if_idle(u);
		kfree(g);
		return fd;
	}
	/* read-only, as Linux opens it */
	struct file *f = fget(fd);
	f->f_flags &= ~O_ACCMODE;
	f->f_mode &= ~FMODE_WRITE;
	fput(f);
	return fd;
}

SYSCALL_DEFINE0(inotify_init) { return do_inotify_init(0); }
SYSCALL_DEFINE1(inotify_init1, int, flags) { return do_inotify_init(flags); }

SYSCALL_DEFINE3(inotify_add_watch, int, fd, uaddr_t, upath, uint32_t, mask)
{
	if (mask & ~ALL_INOTIFY_BITS)
		return -EINVAL;
	if (!(mask & ALL_INOTIFY_BITS))
		return -EINVAL;
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	long r;
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)) {
		r = -EINVAL;
		goto out;
	}
	if (f->f_op != &inotify_fops) {
		r = -EINVAL;
		goto out;
	}
	struct inotify_group *g = f->private_data;
	unsigned lf = ((mask & IN_DONT_FOLLOW) ? 0 : LOOKUP_FOLLOW) | ((mask & IN_ONLYDIR) ? LOOKUP_DIRECTORY : 0);
	struct path p;
	r = user_path_at(AT_FDCWD, upath, lf, &p);
	if (r)
		goto out;
	struct inode *inode = p.dentry->d_inode;
	r = inode_permission(inode, MAY_READ);
	if (r)
		goto out_path;
	uint32_t want = (mask & INOTIFY_USER_MASK) | IN_UNMOUNT;
	struct inotify_watch *w = find_watch_inode(g, inode);
	if (w) {
		if (mask & IN_MASK_CREATE) {
			r = -EEXIST;
			goto out_path;
		}
		w->mark.mask = (mask & IN_MASK_ADD) ? w->mark.mask | want : want;
		r = w->wd;
		goto out_path;
	}
	if (g->user->marks >= user_watches_max()) {
		r = -ENOSPC;
		goto out_path;
	}
	w = kzalloc(sizeof(*w));
	w->g = g;
	w->wd = alloc_wd(g);
	w->mark.ops = &inotify_mark_ops;
	w->mark.mask = want;
	list_add(&w->g_list, &g->watches);	/* newest first, as fdinfo lists them */
	g->user->marks++;
	fsnotify_add_mark(&w->mark, inode);
	r = w->wd;
out_path:
	path_put(&p);
out:
	fput(f);
	return r;
}

SYSCALL_DEFINE2(inotify_rm_watch, int, fd, int, wd)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	long r = -EINVAL;
	if (f->f_op == &inotify_fops) {
		struct inotify_watch *w = find_watch_wd(f->private_data, wd);
		if (w) {
			fsnotify_remove_mark(&w->mark);
			r = 0;
		}
	}
	fput(f);
	return r;
}

/* ---- /proc/sys/fs/inotify ---- */
DEFINE_SYSCTL_INT(inotify_instances, "fs/inotify/max_user_instances", max_user_instances, 0, 0x7fffffff, NULL);
DEFINE_SYSCTL_INT(inotify_queued, "fs/inotify/max_queued_events", max_queued_events, 0, 0x7fffffff, NULL);

static int watches_show(struct sbuf *out, void *data __unused)
{
	sbuf_printf(out, "%d\n", user_watches_max());
	return 0;
}

static int watches_write(const char *buf, size_t len, void *data __unused)
{
	long long v;
	if (sysctl_parse_ints(buf, len, &v, 1) != 1 || v < 0 || v > 0x7fffffff)
		return -EINVAL;
	max_user_watches = (int)v;
	max_user_watches_known = true;
	return 0;
}
DEFINE_PROC_FILE(inotify_watches, "sys/fs/inotify/max_user_watches", 0644, watches_show, watches_write, NULL);
