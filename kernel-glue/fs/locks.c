/* Advisory locks: fcntl record locks (POSIX, owned by the descriptor
 * table of the process: any close of the file drops them), OFD locks
 * (owned by the open file description) and flock(2) locks (also per open
 * file description, a separate namespace that never conflicts with record
 * locks, as on Linux). One list for the machine; one wait queue that every
 * change wakes: waiters re-check their conflict (one CPU, few locks). */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include "internal.h"

#define OFFSET_MAX INT64_MAX

enum { FL_POSIX = 1, FL_OFD = 2, FL_FLOCK = 4 };

struct file_lock {
	struct list_head link;
	struct inode *inode;
	void *owner;		/* files_struct (POSIX) or struct file (OFD, flock) */
	int kind;		/* FL_* */
	int type;		/* F_RDLCK / F_WRLCK */
	loff_t start, end;	/* inclusive */
	pid_t pid;		/* for F_GETLK; -1 for OFD */
};

static LIST_HEAD(all_locks);
static struct wait_queue_head lock_wq = { LIST_HEAD_INIT(lock_wq.head), 0 };

static bool record(int kind) { return kind != FL_FLOCK; }

static bool conflicts(const struct file_lock *a, const struct file_lock *b)
{
	if (a->inode != b->inode || a->owner == b->owner)
		return false;
	if (record(a->kind) != record(b->kind))
		return false;
	if (a->type != F_WRLCK && b->type != F_WRLCK)
		return false;
	return a->start <= b->end && b->start <= a->end;
}

static struct file_lock *find_conflict(const struct file_lock *req)
{
	struct file_lock *l;
	list_for_each_entry(l, &all_locks, link)
		if (conflicts(req, l))
			return l;
	return NULL;
}

static struct file_lock *new_lock(const struct file_lock *tmpl, loff_t start, loff_t end)
{
	struct file_lock *l = kmalloc(sizeof(*l));
	*l = *tmpl;
	l->start = start;
	l->end = end;
	list_add_tail(&l->link, &all_locks);
	return l;
}

/* Apply req for its owner: clear its range of the owner's locks (splitting
 * them), then add req (unless unlocking) merged with adjacent same-type
 * locks of the owner. No conflict check here. */
static void apply(const struct file_lock *req)
{
	struct file_lock *l, *n;
	loff_t start = req->start, end = req->end;
	list_for_each_entry_safe(l, n, &all_locks, link) {
		if (l->inode != req->inode || l->owner != req->owner || l->kind != req->kind)
			continue;
		if (req->type != F_UNLCK && l->type == req->type &&
		    l->start <= (end == OFFSET_MAX ? end : end + 1) && start <= (l->end == OFFSET_MAX ? l->end : l->end + 1)) {
			/* same type, overlapping or adjacent: absorb it */
			start = MIN(start, l->start);
			end = MAX(end, l->end);
			list_del(&l->link);
			kfree(l);
			continue;
		}
		if (l->end < req->start || l->start > req->end)
			continue;
		if (l->start < req->start && l->end > req->end) {
			new_lock(l, req->end + 1, l->end);	/* split: the right part */
			l->end = req->start - 1;
		} else if (l->start < req->start) {
			l->end = req->start - 1;
		} else if (l->end > req->end) {
			l->start = req->end + 1;
		} else {
			list_del(&l->link);
			kfree(l);
		}
	}
	if (req->type != F_UNLCK)
		new_lock(req, start, end);
	wake_up(&lock_wq);
}

static void remove_where(struct inode *inode, void *owner, int kinds)
{
	struct file_lock *l, *n;
	bool any = false;
	list_for_each_entry_safe(l, n, &all_locks, link) {
		if ((inode && l->inode != inode) || l->owner != owner || !(l->kind & kinds))
			continue;
		list_del(&l->link);
		kfree(l);
		any = true;
	}
	if (any)
		wake_up(&lock_wq);
}

void locks_remove_posix(struct file *f, struct files_struct *owner)
{
	if (f->f_inode && !list_empty(&all_locks))
		remove_where(f->f_inode, owner, FL_POSIX);
}

void locks_remove_file(struct file *f)
{
	if (!list_empty(&all_locks))
		remove_where(NULL, f, FL_OFD | FL_FLOCK);
}

/* Simple deadlock detection for blocking POSIX locks: does the owner
 * holding 'blocker' wait (transitively) for a lock that req's owner holds?
 * Waiters are recorded in a small table while they sleep. */
struct waiter { struct list_head link; struct file_lock req; };
static LIST_HEAD(waiters);

static bool would_deadlock(const struct file_lock *req, const struct file_lock *blocker)
{
	const struct file_lock *b = blocker;
	for (int depth = 0; depth < 16 && b; depth++) {
		if (b->kind != FL_POSIX)
			return false;
		/* what is b's owner waiting for? */
		struct waiter *w;
		const struct file_lock *next = NULL;
		list_for_each_entry(w, &waiters, link) {
			if (w->req.owner != b->owner)
				continue;
			struct file_lock *c = find_conflict(&w->req);
			if (c && c->owner == req->owner)
				return true;
			next = c;
			break;
		}
		b = next;
	}
	return false;
}

/* Take the lock or fail (-EAGAIN) / sleep (wait). */
static int lock_wait(struct file_lock *req, bool wait, int busy_err)
{
	for (;;) {
		struct file_lock *c = req->type == F_UNLCK ? NULL : find_conflict(req);
		if (!c) {
			apply(req);
			return 0;
		}
		if (!wait)
			return busy_err;
		if (req->kind == FL_POSIX && would_deadlock(req, c))
			return -EDEADLK;
		struct waiter w = { .req = *req };
		list_add(&w.link, &waiters);
		long r = wait_event_interruptible(lock_wq, !find_conflict(req));
		list_del(&w.link);
		if (r)
			return r;	/* -ERESTARTSYS: SA_RESTART restarts it, as Linux */
	}
}

/* struct flock -> [start, end] relative to the file (Linux flock_to_posix_lock). */
static int flock_range(struct file *f, const struct flock *fl, loff_t *start, loff_t *end)
{
	loff_t base;
	switch (fl->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->f_pos; break;
	case SEEK_END: base = file_size(f); break;
	default: return -EINVAL;
	}
	if (fl->l_start > OFFSET_MAX - base)
		return -EOVERFLOW;
	loff_t s = base + fl->l_start;
	if (s < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - s)
			return -EOVERFLOW;
		*start = s;
		*end = s + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (s + fl->l_len < 0)
			return -EINVAL;
		*start = s + fl->l_len;
		*end = s - 1;
	} else {
		*start = s;
		*end = OFFSET_MAX;
	}
	return 0;
}

long fcntl_lock(struct file *f, unsigned cmd, uaddr_t arg)
{
	struct flock fl;
	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	struct file_lock req = {
		.inode = f->f_inode, .owner = ofd ? (void *)f : (void *)current->files,
		.kind = ofd ? FL_OFD : FL_POSIX, .type = fl.l_type, .pid = ofd ? -1 : current->tgid,
	};
	int err = flock_range(f, &fl, &req.start, &req.end);
	if (err)
		return err;
	if (get) {
		if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK)
			return -EINVAL;
		struct file_lock *c = find_conflict(&req);
		if (!c) {
			fl.l_type = F_UNLCK;
		} else {
			fl.l_type = c->type;
			fl.l_whence = SEEK_SET;
			fl.l_start = c->start;
			fl.l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
			fl.l_pid = c->pid;
		}
		return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
	}
	switch (fl.l_type) {
	case F_RDLCK:
		if (!(f->f_mode & FMODE_READ))
			return -EBADF;
		break;
	case F_WRLCK:
		if (!(f->f_mode & FMODE_WRITE))
			return -EBADF;
		break;
	case F_UNLCK:
		break;
	default:
		return -EINVAL;
	}
	return lock_wait(&req, cmd == F_SETLKW || cmd == F_OFD_SETLKW, -EAGAIN);
}

SYSCALL_DEFINE2(flock, int, fd, unsigned, op)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	bool nb = op & LOCK_NB;
	op &= ~LOCK_NB;
	int type = op == LOCK_SH ? F_RDLCK : op == LOCK_EX ? F_WRLCK : op == LOCK_UN ? F_UNLCK : -1;
	long err = -EINVAL;
	if (type >= 0) {
		struct file_lock req = { .inode = f->f_inode, .owner = f, .kind = FL_FLOCK, .type = type,
					 .start = 0, .end = OFFSET_MAX, .pid = current->tgid };
		/* a conversion drops the old lock first (not atomic, as Linux) */
		if (type != F_UNLCK) {
			struct file_lock un = req;
			un.type = F_UNLCK;
			bool held = false;
			struct file_lock *l;
			list_for_each_entry(l, &all_locks, link)
				if (l->owner == (void *)f && l->kind == FL_FLOCK && l->type != type)
					held = true;
			if (held)
				apply(&un);
		}
		err = lock_wait(&req, !nb, -EWOULDBLOCK);
	}
	fput(f);
	return err;
}
