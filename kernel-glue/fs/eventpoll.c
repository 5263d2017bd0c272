/* epoll: an interest list of (fd, file) pairs whose readiness is asked
 * from each file's poll op whenever the set is waited on or polled.
 *
 * The VFS has no hook telling us that a watched file went away, so an
 * item holds no reference: it is keyed by the fd and the file pointer and
 * used only while the caller's descriptor table still maps that fd to that
 * file. A closed fd thus drops out of the set (Linux semantics for a
 * file's last close); an fd reused for another file replaces the stale
 * item. A new file may get the freed one's address, so the inode and its
 * number are compared too (pipes and anon files get fresh numbers). The waiter registers on every watched file's wait queue only
 * while it sleeps, holding references for that time.
 *
 * Edge-triggered items report a new event when a ready bit rose since the
 * last look or when any of the file's wait queues was woken since then
 * (each queue counts its wake-ups), so more data on a drained-and-refilled
 * or unread pipe is reported again, as on Linux. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/internal.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/eventpoll.h>
#include "anon_inode.h"

#define EP_MAX_NESTS 4
#define EP_MAX_EVENTS (0x7fffffff / 12)
#define EP_CTL_BITS (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)
#define EP_EXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

struct kepoll_event { uint32_t events; uint64_t data; } __attribute__((packed));

struct epitem {
	struct list_head link;
	struct file *file;	/* no reference: see above */
	struct inode *inode;	/* identity check only, never dereferenced */
	uint64_t ino;
	int fd;
	uint32_t events;	/* as given, with EPOLLERR|EPOLLHUP */
	uint64_t data;
	uint32_t seen;		/* edge-triggered: mask at the last look */
	uint64_t woken;		/* edge-triggered: sum of the file's queue wakeups then */
	bool disabled;		/* EPOLLONESHOT fired; MOD re-arms */
};

struct eventpoll {
	struct list_head items;
	struct wait_queue_head wq;	/* woken by epoll_ctl changes */
};

static const struct file_operations eventpoll_fops;
static int poll_depth;		/* nesting of epoll-in-epoll polls */

static bool is_epoll(struct file *f) { return f->f_op == &eventpoll_fops; }

static bool item_is(struct epitem *it, struct file *f)
{
	return f == it->file && f->f_inode == it->inode && f->f_inode->i_ino == it->ino;
}

/* The item's file if the caller's table still maps fd to it, else NULL. */
static struct file *item_file(struct epitem *it)
{
	struct file *f = fd_lookup(current->files, it->fd);
	return f && item_is(it, f) ? f : NULL;
}

static void item_free(struct epitem *it)
{
	list_del(&it->link);
	kfree(it);
}

static struct epitem *ep_find(struct eventpoll *ep, int fd, struct file *f)
{
	struct epitem *it, *n;
	list_for_each_entry_safe(it, n, &ep->items, link) {
		if (it->fd != fd)
			continue;
		if (item_is(it, f))
			return it;
		item_free(it);	/* stale: the fd was closed and reused */
	}
	return NULL;
}

/* A poll table that sums the wake-up counters of the queues a file names,
 * passing each on to the caller's table if there is one. */
struct wake_count {
	struct poll_table pt;
	struct poll_table *inner;
	uint64_t sum;
};

static void count_wakeups(struct file *f, struct wait_queue_head *wq, struct poll_table *pt)
{
	struct wake_count *wc = container_of(pt, struct wake_count, pt);
	wc->sum += wq->wakeups;
	if (wc->inner && wc->inner->qproc)
		wc->inner->qproc(f, wq, wc->inner);
}

/* Ready events of an item (consume: update edge state, fire oneshot). */
static uint32_t item_poll(struct epitem *it, struct poll_table *pt, bool consume)
{
	if (it->disabled)
		return 0;
	struct file *f = item_file(it);
	if (!f)
		return 0;
	struct wake_count wc = { .pt = { .qproc = count_wakeups }, .inner = pt };
	uint32_t m = vfs_poll(f, &wc.pt) & (it->events & ~EP_CTL_BITS);
	if (it->events & EPOLLET) {
		/* new: a bit that rose, or a wake-up of the file since we looked */
		bool fresh = (m & ~it->seen) || wc.sum != it->woken;
		if (consume) {
			it->seen = m;
			it->woken = wc.sum;
		}
		if (!m || !fresh)
			return 0;
	}
	if (m && consume && (it->events & EPOLLONESHOT))
		it->disabled = true;
	return m;
}

static unsigned ep_file_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->private_data;
	poll_wait(f, &ep->wq, pt);
	if (poll_depth >= EP_MAX_NESTS)
		return 0;
	poll_depth++;
	unsigned r = 0;
	struct epitem *it;
	list_for_each_entry(it, &ep->items, link) {
		if (item_poll(it, pt, false))
			r = POLLIN | POLLRDNORM;
		if (r && !pt)
			break;
	}
	poll_depth--;
	return r;
}

static void ep_release(struct inode *inode __unused, struct file *f)
{
	struct eventpoll *ep = f->private_data;
	while (!list_empty(&ep->items))
		item_free(list_first_entry(&ep->items, struct epitem, link));
	kfree(ep);
}

static const struct file_operations eventpoll_fops = {
	.poll = ep_file_poll, .llseek = noop_llseek, .release = ep_release,
};

static long do_epoll_create(int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct eventpoll *ep = kzalloc(sizeof(*ep));
	INIT_LIST_HEAD(&ep->items);
	init_waitqueue_head(&ep->wq);
	int fd = anon_inode_getfd("eventpoll", &eventpoll_fops, ep, 0, flags & EPOLL_CLOEXEC);
	if (fd < 0)
		kfree(ep);
	return fd;
}

SYSCALL_DEFINE1(epoll_create, int, size) { return size <= 0 ? -EINVAL : do_epoll_create(0); }
SYSCALL_DEFINE1(epoll_create1, int, flags) { return do_epoll_create(flags); }

/* Would watching epoll file tgt from ep close a loop (or nest too deep)? */
static bool ep_loops(struct file *epf, struct file *tgt, int depth)
{
	if (tgt == epf || depth > EP_MAX_NESTS)
		return true;
	struct eventpoll *t = tgt->private_data;
	struct epitem *it;
	list_for_each_entry(it, &t->items, link) {
		struct file *f = item_file(it);
		if (f && is_epoll(f) && ep_loops(epf, f, depth + 1))
			return true;
	}
	return false;
}

static long ep_ctl(struct file *epf, int op, int fd, struct file *f, struct kepoll_event *ev)
{
	struct eventpoll *ep = epf->private_data;
	if (f == epf)
		return -EINVAL;
	if (!f->f_op || !f->f_op->poll)
		return -EPERM;
	if (op != EPOLL_CTL_DEL && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if ((ev->events & ~EP_EXCLUSIVE_OK) || is_epoll(f))
			return -EINVAL;
	}
	struct epitem *it = ep_find(ep, fd, f);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it)
			return -EEXIST;
		if (is_epoll(f) && ep_loops(epf, f, 1))
			return -ELOOP;
		it = kzalloc(sizeof(*it));
		it->file = f;
		it->inode = f->f_inode;
		it->ino = f->f_inode->i_ino;
		it->fd = fd;
		list_add_tail(&it->link, &ep->items);
		break;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (it->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		break;
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		item_free(it);
		return 0;
	default:
		return -EINVAL;
	}
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	it->seen = 0;
	it->woken = ~0ULL;	/* the first look reports what is ready */
	it->disabled = false;
	wake_up(&ep->wq);	/* a waiter re-scans and may find it ready */
	return 0;
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd, uaddr_t, uev)
{
	struct kepoll_event ev = { 0, 0 };
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	struct file *epf = fget(epfd);
	if (!epf)
		return -EBADF;
	struct file *f = fget(fd);
	long r = -EBADF;
	if (f) {
		r = is_epoll(epf) ? ep_ctl(epf, op, fd, f, &ev) : -EINVAL;
		fput(f);
	}
	fput(epf);
	return r;
}

/* The wait queues a sleeping epoll_wait is on, each with a file ref so
 * the queue outlives the sleep. */
struct ep_waiter {
	struct poll_table pt;
	struct list_head nodes;
};
struct ep_wnode {
	struct list_head link;
	struct wait_entry we;
	struct file *file;
};

static void ew_add(struct file *f, struct wait_queue_head *wq, struct poll_table *pt)
{
	struct ep_waiter *w = container_of(pt, struct ep_waiter, pt);
	struct ep_wnode *n = kmalloc(sizeof(*n));
	n->file = f ? get_file(f) : NULL;
	wait_enqueue(wq, &n->we);
	list_add_tail(&n->link, &w->nodes);
}

static void ew_clear(struct ep_waiter *w)
{
	struct ep_wnode *n, *t;
	list_for_each_entry(n, &w->nodes, link)
		wait_dequeue(&n->we);
	/* fput only once dequeued: a release may free a queue we were on */
	list_for_each_entry_safe(n, t, &w->nodes, link) {
		if (n->file)
			fput(n->file);
		kfree(n);
	}
	INIT_LIST_HEAD(&w->nodes);
}

/* One pass over the set: up to max events into out; reported items move
 * to the tail so a short buffer does not starve the rest (as Linux). */
static int ep_scan(struct eventpoll *ep, struct kepoll_event *out, int max, struct poll_table *pt)
{
	struct epitem **done = kmalloc(sizeof(*done) * max);
	int n = 0;
	struct epitem *it;
	list_for_each_entry(it, &ep->items, link) {
		if (n == max)
			break;
		uint32_t m = item_poll(it, pt, true);
		if (!m)
			continue;
		out[n].events = m;
		out[n].data = it->data;
		done[n++] = it;
	}
	for (int i = 0; i < n; i++) {
		list_del(&done[i]->link);
		list_add_tail(&done[i]->link, &ep->items);
	}
	kfree(done);
	return n;
}

static long ep_wait(int epfd, uaddr_t uevents, int max, int64_t deadline)
{
	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	struct file *epf = fget(epfd);
	if (!epf)
		return -EBADF;
	if (!is_epoll(epf)) {
		fput(epf);
		return -EINVAL;
	}
	struct eventpoll *ep = epf->private_data;
	struct ep_waiter w = { .pt = { .qproc = ew_add } };
	INIT_LIST_HEAD(&w.nodes);
	struct kepoll_event *out = kmalloc(sizeof(*out) * MIN(max, 1024));
	long r;
	for (;;) {
		/* register afresh each pass: the set may have changed */
		ew_clear(&w);
		poll_wait(epf, &ep->wq, &w.pt);
		r = ep_scan(ep, out, MIN(max, 1024), deadline ? &w.pt : NULL);
		if (r || deadline == 0)
			break;
		r = wait_sleep(NULL, NULL, true, deadline);
		if (r == -ETIMEDOUT) {
			deadline = 0;	/* one last look */
			continue;
		}
		if (r) {
			r = -EINTR;	/* epoll_wait is never restarted */
			break;
		}
	}
	ew_clear(&w);
	if (r > 0 && copy_to_user(uevents, out, sizeof(*out) * r))
		r = -EFAULT;
	kfree(out);
	fput(epf);
	return r;
}

static int64_t deadline_ms(int ms)
{
	return ms < 0 ? -1 : ms == 0 ? 0 : ktime_mono_ns() + (int64_t)ms * 1000000;
}

/* epoll_pwait*: the temporary mask stays until a handler has run when
 * the wait was interrupted, else it is undone at once. */
static long ep_pwait(int epfd, uaddr_t uevents, int max, int64_t deadline, uaddr_t umask, size_t size)
{
	if (umask) {
		int err = sigmask_swap_from_user(umask, size);
		if (err)
			return err;
	}
	long r = ep_wait(epfd, uevents, max, deadline);
	if (umask && r != -EINTR) {
		current->blocked = current->saved_sigmask;
		current->restore_sigmask = false;
	}
	return r;
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, uaddr_t, events, int, max, int, ms)
{
	return ep_wait(epfd, events, max, deadline_ms(ms));
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, uaddr_t, events, int, max, int, ms, uaddr_t, umask, size_t, size)
{
	return ep_pwait(epfd, events, max, deadline_ms(ms), umask, size);
}

SYSCALL_DEFINE6(epoll_pwait2, int, epfd, uaddr_t, events, int, max, uaddr_t, uts, uaddr_t, umask, size_t, size)
{
	int64_t deadline = -1;
	if (uts) {
		int64_t ts[2];
		if (copy_from_user(ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
			return -EINVAL;
		deadline = (!ts[0] && !ts[1]) ? 0 : ktime_mono_ns() + ts[0] * 1000000000 + ts[1];
	}
	return ep_pwait(epfd, events, max, deadline, umask, size);
}
