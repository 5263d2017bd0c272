/* seccomp user notification (SECCOMP_FILTER_FLAG_NEW_LISTENER), as
 * Linux's: a filter's SECCOMP_RET_USER_NOTIF sends the call to the
 * supervisor holding the filter's listener fd, and the calling task
 * sleeps until it replies (a result, an error, or "continue": run the
 * call), its listener goes away (ENOSYS), or a signal comes (the call
 * restarts, and is notified again). The supervisor takes requests with
 * SECCOMP_IOCTL_NOTIF_RECV, answers with _SEND, asks whether one is
 * still pending with _ID_VALID, and puts one of its files into the
 * caller's fd table with _ADDFD. poll: POLLIN when a request waits to
 * be received, POLLOUT when one waits for its reply, POLLHUP when no
 * task uses the filter any more. */
#include <umk/internal.h>
#include <umk/seccomp.h>
#include <umk/fdtable.h>
#include <umk/uaccess.h>
#include <umk/signal.h>
#include <linux/seccomp.h>
#include "../fs/anon_inode.h"

enum notify_state { NOTIFY_INIT, NOTIFY_SENT, NOTIFY_REPLIED };

/* One request: on the waiting task's stack, on its listener's list. */
struct notification {
	struct list_head link;
	uint64_t id;
	struct task *task;
	const struct seccomp_data *data;
	enum notify_state state;
	int error;
	int64_t val;
	uint32_t flags;
	struct wait_queue_head ready;
};

struct seccomp_listener {
	struct seccomp_filter *filter;	/* a reference */
	struct list_head notifications;
	uint64_t next_id;
	struct wait_queue_head wqh;	/* the supervisor's poll and RECV */
};

void seccomp_listener_wake(struct seccomp_listener *l)
{
	wake_up(&l->wqh);
}

static struct notification *find_notification(struct seccomp_listener *l, uint64_t id)
{
	struct notification *n;
	list_for_each_entry(n, &l->notifications, link)
		if (n->id == id)
			return n;
	return NULL;
}

static struct notification *first_in(struct seccomp_listener *l, enum notify_state s)
{
	struct notification *n;
	list_for_each_entry(n, &l->notifications, link)
		if (n->state == s)
			return n;
	return NULL;
}

/* The calling task's side: true to skip the call (rax holds its result),
 * false to run it (the supervisor said continue). */
bool seccomp_do_user_notification(struct task *t, struct seccomp_filter *match, const struct seccomp_data *sd)
{
	struct seccomp_listener *l = match->notif;
	if (!l) {
		t->regs.rax = (uint64_t)-ENOSYS;
		return true;
	}
	struct notification n = { .id = l->next_id++, .task = t, .data = sd, .state = NOTIFY_INIT };
	init_waitqueue_head(&n.ready);
	list_add_tail(&n.link, &l->notifications);
	wake_up(&l->wqh);
	long err = wait_event_interruptible(n.ready, n.state == NOTIFY_REPLIED);
	/* the listener may have gone meanwhile: it unlinked every request */
	if (match->notif)
		list_del(&n.link);
	if (err) {
		/* a signal: the call restarts (or fails with EINTR) as any
		 * interrupted one, and is notified anew */
		t->regs.rax = (uint64_t)err;
		t->in_syscall = true;
		return true;
	}
	if (n.flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE)
		return false;
	t->regs.rax = n.error ? (uint64_t)(int64_t)n.error : (uint64_t)n.val;
	return true;
}

/* ---- the listener fd ---- */

static long notif_recv(struct seccomp_listener *l, uaddr_t arg)
{
	struct seccomp_notif un;
	if (copy_from_user(&un, arg, sizeof(un)))
		return -EFAULT;
	static const struct seccomp_notif zero;
	if (memcmp(&un, &zero, sizeof(un)))
		return -EINVAL;	/* must be zeroed: room for later fields */
	struct notification *n = NULL;
	long err = wait_event_interruptible(l->wqh, (n = first_in(l, NOTIFY_INIT)) != NULL);
	if (err)
		return err;
	un.id = n->id;
	un.pid = (uint32_t)n->task->pid;
	un.data = *n->data;
	if (copy_to_user(arg, &un, sizeof(un)))
		return -EFAULT;	/* left for the next RECV */
	/* the copy may have slept: the caller may be gone (killed) by now */
	n = find_notification(l, un.id);
	if (n && n->state == NOTIFY_INIT) {
		n->state = NOTIFY_SENT;
		wake_up(&l->wqh);	/* POLLOUT now */
	}
	return 0;
}

static long notif_send(struct seccomp_listener *l, uaddr_t arg)
{
	struct seccomp_notif_resp resp;
	if (copy_from_user(&resp, arg, sizeof(resp)))
		return -EFAULT;
	if (resp.flags & ~SECCOMP_USER_NOTIF_FLAG_CONTINUE)
		return -EINVAL;
	if ((resp.flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE) && (resp.error || resp.val))
		return -EINVAL;
	struct notification *n = find_notification(l, resp.id);
	if (!n)
		return -ENOENT;
	if (n->state != NOTIFY_SENT)
		return -EINPROGRESS;
	n->state = NOTIFY_REPLIED;
	n->error = resp.error;
	n->val = resp.val;
	n->flags = resp.flags;
	wake_up(&n->ready);
	return 0;
}

static long notif_id_valid(struct seccomp_listener *l, uaddr_t arg)
{
	uint64_t id;
	if (copy_from_user(&id, arg, sizeof(id)))
		return -EFAULT;
	struct notification *n = find_notification(l, id);
	return n && n->state == NOTIFY_SENT ? 0 : -ENOENT;
}

/* One of the supervisor's files into the waiting task's table: at the
 * lowest free fd, or at newfd (SETFD, closing what was there); with
 * SEND, its number is also the call's result, in one step. */
static long notif_addfd(struct seccomp_listener *l, uaddr_t arg)
{
	struct seccomp_notif_addfd a;
	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	if (a.newfd_flags & ~(uint32_t)O_CLOEXEC)
		return -EINVAL;
	if (a.flags & ~(uint32_t)(SECCOMP_ADDFD_FLAG_SETFD | SECCOMP_ADDFD_FLAG_SEND))
		return -EINVAL;
	if (a.newfd && !(a.flags & SECCOMP_ADDFD_FLAG_SETFD))
		return -EINVAL;
	struct file *f = fget((int)a.srcfd);
	if (!f)
		return -EBADF;
	long ret;
	struct notification *n = find_notification(l, a.id);
	if (!n) {
		ret = -ENOENT;
	} else if (n->state != NOTIFY_SENT) {
		ret = -EINPROGRESS;
	} else if (!n->task->files) {
		ret = -EBADF;
	} else {
		bool cloexec = a.newfd_flags & O_CLOEXEC;
		if (a.flags & SECCOMP_ADDFD_FLAG_SETFD) {
			if (a.newfd >= fd_limit()) {
				ret = -EBADF;
			} else {
				ret = fd_replace(n->task->files, (int)a.newfd, get_file(f), cloexec);
				if (ret >= 0)
					ret = a.newfd;
			}
		} else {
			struct file *g = get_file(f);
			ret = fd_install_from(n->task->files, g, 0, cloexec);
			if (ret < 0)
				fput(g);
		}
		if (ret >= 0 && (a.flags & SECCOMP_ADDFD_FLAG_SEND)) {
			n->state = NOTIFY_REPLIED;
			n->error = 0;
			n->val = ret;
			n->flags = 0;
			wake_up(&n->ready);
		}
	}
	fput(f);
	return ret;
}

static long notif_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct seccomp_listener *l = f->private_data;
	switch (cmd) {
	case SECCOMP_IOCTL_NOTIF_RECV: return notif_recv(l, arg);
	case SECCOMP_IOCTL_NOTIF_SEND: return notif_send(l, arg);
	case SECCOMP_IOCTL_NOTIF_ID_VALID: return notif_id_valid(l, arg);
	case SECCOMP_IOCTL_NOTIF_ADDFD: return notif_addfd(l, arg);
	}
	return -EINVAL;
}

static unsigned notif_poll(struct file *f, struct poll_table *pt)
{
	struct seccomp_listener *l = f->private_data;
	poll_wait(f, &l->wqh, pt);
	unsigned m = 0;
	if (first_in(l, NOTIFY_INIT))
		m |= POLLIN | POLLRDNORM;
	if (first_in(l, NOTIFY_SENT))
		m |= POLLOUT | POLLWRNORM;
	if (!l->filter->users)
		m |= POLLHUP;
	return m;
}

/* The supervisor is gone: every request not answered fails with ENOSYS,
 * and so will the filter's later USER_NOTIF actions. */
static void notif_release(struct inode *inode __unused, struct file *f)
{
	struct seccomp_listener *l = f->private_data;
	struct notification *n, *tmp;
	list_for_each_entry_safe(n, tmp, &l->notifications, link) {
		list_del(&n->link);
		if (n->state != NOTIFY_REPLIED) {
			n->state = NOTIFY_REPLIED;
			n->error = -ENOSYS;
			n->val = 0;
			n->flags = 0;
			wake_up(&n->ready);
		}
	}
	l->filter->notif = NULL;
	seccomp_filter_put(l->filter);
	kfree(l);
}

static const struct file_operations notif_fops = {
	.ioctl = notif_ioctl, .poll = notif_poll, .llseek = noop_llseek, .release = notif_release,
};

int seccomp_new_listener(struct seccomp_filter *f)
{
	struct seccomp_listener *l = kzalloc(sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->filter = f;
	INIT_LIST_HEAD(&l->notifications);
	init_waitqueue_head(&l->wqh);
	get_random_bytes(&l->next_id, sizeof(l->next_id));	/* ids are not guessable, as Linux's */
	int fd = anon_inode_getfd("seccomp notify", &notif_fops, l, 0, true);
	if (fd < 0) {
		kfree(l);
		return fd;
	}
	f->refs++;
	f->notif = l;
	return fd;
}
