/* POSIX message queues (Linux's ipc/mqueue.c): mq_open, mq_unlink,
 * mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr, and the
 * mqueue filesystem where the queues live (one instance, as one IPC
 * namespace has: `mount -t mqueue none /dev/mqueue` shows it). A queue
 * is a file of that filesystem; its descriptor polls readable with a
 * message waiting and writable with room, and read() gives the
 * QSIZE/NOTIFY line. Messages come out highest priority first, in
 * arrival order within one priority. mq_notify's SIGEV_THREAD is
 * glibc's: a 32-byte cookie sent to a netlink socket, whose reader
 * thread starts the notification function. */
#include <umk/kernel.h>
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/init.h>
#include <umk/capability.h>
#include <umk/net.h>
#include <umk/proc.h>
#include <umk/sched.h>
#include <linux/resource.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/mqueue.h>
#include <asm/siginfo.h>
#include "../fs/tmpfs.h"

#define MQUEUE_MAGIC	0x19800202
#define HARD_MSGMAX	65536
#define HARD_MSGSIZEMAX	(16 * 1024 * 1024)
#define MQ_PRIO_MAX	32768
#define NOTIFY_COOKIE_LEN 32	/* SIGEV_THREAD, as Linux and glibc */
#define NOTIFY_WOKENUP	1
#define NOTIFY_REMOVED	2
/* the sizes Linux charges to RLIMIT_MSGQUEUE per message slot: a
 * struct msg_msg and a priority tree node */
#define MSG_HDR_SIZE	48
#define TREE_NODE_SIZE	48
#ifndef SI_MESGQ
#define SI_MESGQ	(-3)
#endif

struct mq_msg {
	struct list_head link;
	long prio;
	size_t len;
	char text[];
};

struct mqueue {
	struct mq_attr attr;		/* mq_flags unused: it is per open file */
	unsigned long qsize;		/* bytes of all messages */
	struct list_head msgs;		/* highest priority first */
	struct wait_queue_head wq;	/* senders, receivers, pollers */
	pid_t notify_owner;		/* tgid, 0: none */
	struct sigevent notify;
	/* SIGEV_THREAD: glibc's netlink socket and the cookie for it */
	struct file *notify_sock;
	unsigned char cookie[NOTIFY_COOKIE_LEN];
	uid_t uid;			/* charged for RLIMIT_MSGQUEUE */
	unsigned long charge;
	int receivers;			/* sleeping in mq_timedreceive */
	struct list_head link;		/* all_queues */
};

static int msg_max = 10, msg_default = 10, msgsize_max = 8192, msgsize_default = 8192, queues_max = 256;
static int queues_count;
static LIST_HEAD(all_queues);
static struct super_block *mq_sb;
static struct vfsmount *mq_mnt;
static const struct file_operations mq_fops;
static struct inode_operations mq_dir_iops;

static struct mqueue *mq_of(struct inode *i) { return tmpfs_kern_data(i); }


static void remove_notification(struct mqueue *q);

static void mq_free(void *data)
{
	struct mqueue *q = data;
	remove_notification(q);
	while (!list_empty(&q->msgs)) {
		struct mq_msg *m = list_first_entry(&q->msgs, struct mq_msg, link);
		list_del(&m->link);
		kfree(m);
	}
	queues_count--;
	list_del(&q->link);
	kfree(q);
}

/* What uid's queues are charged, unlinked ones still open included
 * (Linux uncharges when the inode goes). */
static unsigned long user_charge(uid_t uid)
{
	unsigned long sum = 0;
	struct mqueue *q;
	list_for_each_entry(q, &all_queues, link)
		if (q->uid == uid)
			sum += q->charge;
	return sum;
}

static bool capable_resource(void) { return capable(CAP_SYS_RESOURCE); }

/* A new queue's attributes (NULL: the defaults), as Linux's
 * mqueue_get_inode and mq_attr_ok. */
static struct mqueue *mq_new(const struct mq_attr *attr, long *err)
{
	struct mq_attr a = { 0 };
	if (attr) {
		if (attr->mq_maxmsg <= 0 || attr->mq_msgsize <= 0)
			return *err = -EINVAL, NULL;
		if (capable_resource()) {
			if (attr->mq_maxmsg > HARD_MSGMAX || attr->mq_msgsize > HARD_MSGSIZEMAX)
				return *err = -EINVAL, NULL;
		} else if (attr->mq_maxmsg > msg_max || attr->mq_msgsize > msgsize_max) {
			return *err = -EINVAL, NULL;
		}
		a.mq_maxmsg = attr->mq_maxmsg;
		a.mq_msgsize = attr->mq_msgsize;
	} else {
		a.mq_maxmsg = MIN(msg_max, msg_default);
		a.mq_msgsize = MIN(msgsize_max, msgsize_default);
	}
	if (queues_count >= queues_max && !capable_resource())
		return *err = -ENOSPC, NULL;
	unsigned long tree = (unsigned long)a.mq_maxmsg * MSG_HDR_SIZE +
			     (unsigned long)MIN(a.mq_maxmsg, MQ_PRIO_MAX) * TREE_NODE_SIZE;
	unsigned long bytes = tree + (unsigned long)a.mq_maxmsg * (unsigned long)a.mq_msgsize;
	uid_t uid = current->cred.uid;
	uint64_t lim = current->signal->rlim[RLIMIT_MSGQUEUE].cur;
	if (user_charge(uid) + bytes > lim)
		return *err = -EMFILE, NULL;
	struct mqueue *q = kzalloc(sizeof(*q));
	q->attr = a;
	INIT_LIST_HEAD(&q->msgs);
	init_waitqueue_head(&q->wq);
	q->uid = uid;
	q->charge = bytes;
	queues_count++;
	list_add_tail(&q->link, &all_queues);
	return q;
}

static struct inode *mq_make(struct inode *dir, const char *name, umode_t mode, const struct mq_attr *attr, long *err)
{
	struct mqueue *q = mq_new(attr, err);
	if (!q)
		return NULL;
	struct inode *i = tmpfs_kern_node(dir, name, S_IFREG | (mode & 0777 & ~current->fs->umask), NULL, &mq_fops, q);
	if (!i) {
		mq_free(q);
		*err = -ENOSPC;
		return NULL;
	}
	i->i_size = 80;		/* Linux's FILENT_SIZE */
	tmpfs_kern_set_free(i, mq_free);
	return i;
}

/* open(O_CREAT) in a mounted mqueue: a queue with the defaults */
static int mq_vfs_create(struct inode *dir, const char *name, umode_t mode, struct file *f)
{
	long err = 0;
	struct inode *i = mq_make(dir, name, mode, NULL, &err);
	if (!i)
		return (int)err;
	f->f_inode = igrab(i);
	f->f_op = &mq_fops;
	return 0;
}

static struct super_block *mq_get_sb(void)
{
	if (!mq_sb) {
		mq_sb = tmpfs_new_sb("mqueue", MQUEUE_MAGIC, NULL);
		struct inode *root = mq_sb->s_root->d_inode;
		root->i_mode = S_IFDIR | 01777;
		/* lookup, create (a queue) and unlink only, as Linux's */
		mq_dir_iops = (struct inode_operations){
			.lookup = root->i_op->lookup, .create = mq_vfs_create, .unlink = root->i_op->unlink,
			.getattr = root->i_op->getattr, .setattr = root->i_op->setattr,
		};
		root->i_op = &mq_dir_iops;
	}
	return mq_sb;
}

static struct super_block *mq_mount(const struct file_system_type *type __unused, struct fs_mount *m __unused)
{
	return mq_get_sb();
}

/* where Linux systems mount it (the default image's rcS does) */
DEVFS_NODE(mqueue, "mqueue", S_IFDIR | 0755, 0, 0, NULL);

static const struct file_system_type mqueue_type = { .name = "mqueue", .mount = mq_mount };
DEFINE_FILESYSTEM(mqueue_type);

static long mq_root(struct inode **root)
{
	if (!mq_mnt) {
		struct vfsmount *m = kern_mount_writable("mqueue");
		if (IS_ERR(m))
			return PTR_ERR(m);
		mq_mnt = m;
	}
	*root = mq_mnt->mnt_root->d_inode;
	return 0;
}

/* glibc passes the name without its leading '/'; Linux's lookup_one_len
 * refuses "", ".", ".." and a '/' with EACCES. */
static long mq_name(uaddr_t uname, char **out)
{
	char *name = getname(uname);
	if (IS_ERR(name))
		return PTR_ERR(name) == -ENOENT ? -EACCES : PTR_ERR(name);
	if (strlen(name) > NAME_MAX) {
		putname(name);
		return -ENAMETOOLONG;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/')) {
		putname(name);
		return -EACCES;
	}
	*out = name;
	return 0;
}

SYSCALL_DEFINE4(mq_open, uaddr_t, uname, int, oflag, umode_t, mode, uaddr_t, uattr)
{
	struct mq_attr attr;
	if (uattr && copy_from_user(&attr, uattr, sizeof(attr)))
		return -EFAULT;
	char *name;
	long err = mq_name(uname, &name);
	if (err)
		return err;
	struct inode *root;
	if ((err = mq_root(&root))) {
		putname(name);
		return err;
	}
	struct inode *i = tmpfs_lookup_kern(root, name);
	if (i) {
		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			err = -EEXIST;
		else if ((oflag & O_ACCMODE) == (O_RDWR | O_WRONLY))
			err = -EINVAL;
		else if (i->i_fop != &mq_fops)
			err = -EACCES;	/* not a queue (a tmpfs leftover) */
		else {
			static const int acc[] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE };
			if (inode_permission(i, acc[oflag & O_ACCMODE]))
				err = -EACCES;
		}
	} else if (!(oflag & O_CREAT)) {
		err = -ENOENT;
	} else if (inode_permission(root, MAY_WRITE)) {
		err = -EACCES;
	} else {
		i = mq_make(root, name, mode, uattr ? &attr : NULL, &err);
	}
	if (err || !i) {
		putname(name);
		return err;
	}
	struct path path = { mq_mnt, d_alloc(mq_mnt->mnt_root, name, igrab(i)) };
	putname(name);
	struct file *f = alloc_file(&path, i, (unsigned)(oflag & (O_ACCMODE | O_NONBLOCK)), &mq_fops);
	dput(path.dentry);
	int fd = fd_install(f, true);	/* always close-on-exec, as Linux */
	if (fd < 0)
		fput(f);
	return fd;
}

SYSCALL_DEFINE1(mq_unlink, uaddr_t, uname)
{
	char *name;
	long err = mq_name(uname, &name);
	if (err)
		return err;
	struct inode *root;
	if ((err = mq_root(&root))) {
		putname(name);
		return err;
	}
	struct inode *i = tmpfs_lookup_kern(root, name);
	if (!i)
		err = -ENOENT;
	else if (inode_permission(root, MAY_WRITE))
		err = -EACCES;
	else if (current->cred.fsuid != i->i_uid && current->cred.fsuid != root->i_uid && !capable(CAP_FOWNER))
		err = -EPERM;	/* the sticky root */
	else
		err = tmpfs_remove_kern(root, name);
	putname(name);
	return err;
}

/* The queue behind fd, or NULL (EBADF): not an mqueue file. */
static struct file *mq_fget(int fd, struct mqueue **q)
{
	struct file *f = fget(fd);
	if (!f)
		return NULL;
	if (f->f_op != &mq_fops) {
		fput(f);
		return NULL;
	}
	*q = mq_of(file_inode(f));
	return f;
}

struct kts64 { int64_t tv_sec, tv_nsec; };

/* An absolute CLOCK_REALTIME timeout to a CLOCK_MONOTONIC deadline. */
static long mq_deadline(uaddr_t uts, int64_t *deadline)
{
	*deadline = -1;
	if (!uts)
		return 0;
	struct kts64 ts;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	int64_t ns = ts.tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX / 2 : ts.tv_sec * 1000000000 + ts.tv_nsec;
	int64_t d = ktime_mono_ns() + (ns - ktime_real_ns());
	*deadline = d < 0 ? 0 : d;
	return 0;
}

/* SIGEV_THREAD: the cookie, its last byte saying why, to glibc's
 * helper thread; the socket is let go with it. */
static void send_cookie(struct mqueue *q, unsigned char why)
{
	q->cookie[NOTIFY_COOKIE_LEN - 1] = why;
	netlink_sendskb_file(q->notify_sock, q->cookie, NOTIFY_COOKIE_LEN);
	fput(q->notify_sock);
	q->notify_sock = NULL;
}

/* The registration ends unused (mq_notify(NULL), the owner's close,
 * the queue's end): glibc frees what it kept for a SIGEV_THREAD. */
static void remove_notification(struct mqueue *q)
{
	if (q->notify_owner && q->notify.sigev_notify == SIGEV_THREAD)
		send_cookie(q, NOTIFY_REMOVED);
	q->notify_owner = 0;
}

static void mq_notify_fire(struct mqueue *q)
{
	if (!q->notify_owner)
		return;
	if (q->notify.sigev_notify == SIGEV_SIGNAL && q->notify.sigev_signo) {
		struct task *t = find_task_group_leader(q->notify_owner);
		if (t) {
			struct ksiginfo info = { .si_signo = q->notify.sigev_signo, .si_code = SI_MESGQ };
			info.rt.pid = current->tgid;
			info.rt.uid = current->cred.uid;
			info.rt.sigval = (uint64_t)q->notify.sigev_value.sival_ptr;
			send_signal(t, q->notify.sigev_signo, &info);
		}
	} else if (q->notify.sigev_notify == SIGEV_THREAD) {
		send_cookie(q, NOTIFY_WOKENUP);
	}
	q->notify_owner = 0;
}

/* 0, -ETIMEDOUT or -ERESTARTSYS (mq_send/mq_receive restart with
 * SA_RESTART, as Linux's wq_sleep) */
static long mq_wait(struct mqueue *q, bool for_room, int64_t deadline)
{
	if (for_room)
		return wait_event_interruptible_deadline(q->wq, q->attr.mq_curmsgs < q->attr.mq_maxmsg, deadline);
	q->receivers++;
	long r = wait_event_interruptible_deadline(q->wq, q->attr.mq_curmsgs > 0, deadline);
	q->receivers--;
	return r;
}

SYSCALL_DEFINE5(mq_timedsend, int, mqdes, uaddr_t, uptr, size_t, len, unsigned, prio, uaddr_t, uts)
{
	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	int64_t deadline;
	long err = mq_deadline(uts, &deadline);
	if (err)
		return err;
	struct mqueue *q;
	struct file *f = mq_fget(mqdes, &q);
	if (!f)
		return -EBADF;
	struct mq_msg *m = NULL;
	if (!(f->f_mode & FMODE_WRITE)) {
		err = -EBADF;
		goto out;
	}
	if (len > (size_t)q->attr.mq_msgsize) {
		err = -EMSGSIZE;
		goto out;
	}
	m = kmalloc_user(sizeof(*m) + len);
	if (!m) {
		err = -ENOMEM;
		goto out;
	}
	if (copy_from_user(m->text, uptr, len)) {
		err = -EFAULT;
		goto out;
	}
	m->prio = prio;
	m->len = len;
	if (q->attr.mq_curmsgs >= q->attr.mq_maxmsg) {
		if (f->f_flags & O_NONBLOCK) {
			err = -EAGAIN;
			goto out;
		}
		if ((err = mq_wait(q, true, deadline)))
			goto out;
	}
	/* after the last message of a priority at least as high */
	struct list_head *pos = &q->msgs;
	struct mq_msg *it;
	list_for_each_entry(it, &q->msgs, link)
		if (it->prio < m->prio) {
			pos = &it->link;
			break;
		}
	list_add_tail(&m->link, pos);
	q->attr.mq_curmsgs++;
	q->qsize += len;
	m = NULL;
	/* a sleeping receiver takes it first, as Linux's pipelined send;
	 * else the registered process hears of the queue's first message */
	if (q->attr.mq_curmsgs == 1 && !q->receivers)
		mq_notify_fire(q);
	wake_up(&q->wq);
	file_inode(f)->i_mtime = file_inode(f)->i_ctime = current_time();
	err = 0;
out:
	kfree(m);
	fput(f);
	return err;
}

SYSCALL_DEFINE5(mq_timedreceive, int, mqdes, uaddr_t, uptr, size_t, len, uaddr_t, uprio, uaddr_t, uts)
{
	int64_t deadline;
	long err = mq_deadline(uts, &deadline);
	if (err)
		return err;
	struct mqueue *q;
	struct file *f = mq_fget(mqdes, &q);
	if (!f)
		return -EBADF;
	if (!(f->f_mode & FMODE_READ)) {
		err = -EBADF;
		goto out;
	}
	if (len < (size_t)q->attr.mq_msgsize) {
		err = -EMSGSIZE;
		goto out;
	}
	if (!q->attr.mq_curmsgs) {
		if (f->f_flags & O_NONBLOCK) {
			err = -EAGAIN;
			goto out;
		}
		if ((err = mq_wait(q, false, deadline)))
			goto out;
	}
	struct mq_msg *m = list_first_entry(&q->msgs, struct mq_msg, link);
	list_del(&m->link);
	q->attr.mq_curmsgs--;
	q->qsize -= m->len;
	wake_up(&q->wq);
	file_inode(f)->i_mtime = file_inode(f)->i_ctime = current_time();
	unsigned prio = (unsigned)m->prio;
	if ((uprio && copy_to_user(uprio, &prio, sizeof(prio))) || copy_to_user(uptr, m->text, m->len))
		err = -EFAULT;
	else
		err = (long)m->len;
	kfree(m);
out:
	fput(f);
	return err;
}

SYSCALL_DEFINE2(mq_notify, int, mqdes, uaddr_t, usev)
{
	struct sigevent sev;
	struct file *sock = NULL;
	unsigned char cookie[NOTIFY_COOKIE_LEN];
	if (usev) {
		if (copy_from_user(&sev, usev, sizeof(sev)))
			return -EFAULT;
		if (sev.sigev_notify != SIGEV_NONE && sev.sigev_notify != SIGEV_SIGNAL && sev.sigev_notify != SIGEV_THREAD)
			return -EINVAL;
		if (sev.sigev_notify == SIGEV_SIGNAL && (sev.sigev_signo < 0 || sev.sigev_signo > 64))
			return -EINVAL;
		if (sev.sigev_notify == SIGEV_THREAD) {
			/* glibc's way: sigev_signo is a netlink socket that gets
			 * the cookie sigev_value points at */
			if (copy_from_user(cookie, (uaddr_t)sev.sigev_value.sival_ptr, sizeof(cookie)))
				return -EFAULT;
			sock = fget(sev.sigev_signo);
			if (!sock)
				return -EBADF;
			int err = netlink_sendskb_file(sock, NULL, 0);
			if (err) {
				fput(sock);
				return err;
			}
		}
	}
	struct mqueue *q;
	struct file *f = mq_fget(mqdes, &q);
	if (!f) {
		fput(sock);
		return -EBADF;
	}
	long err = 0;
	if (!usev) {
		if (q->notify_owner == current->tgid)
			remove_notification(q);
	} else if (q->notify_owner) {
		err = -EBUSY;
		fput(sock);
	} else {
		q->notify = sev;
		q->notify_owner = current->tgid;
		if (sock) {
			q->notify_sock = sock;
			memcpy(q->cookie, cookie, sizeof(cookie));
		}
	}
	fput(f);
	return err;
}

SYSCALL_DEFINE3(mq_getsetattr, int, mqdes, uaddr_t, unew, uaddr_t, uold)
{
	struct mq_attr n, o;
	if (unew) {
		if (copy_from_user(&n, unew, sizeof(n)))
			return -EFAULT;
		if (n.mq_flags & ~(long)O_NONBLOCK)
			return -EINVAL;
	}
	struct mqueue *q;
	struct file *f = mq_fget(mqdes, &q);
	if (!f)
		return -EBADF;
	o = q->attr;
	o.mq_flags = f->f_flags & O_NONBLOCK;
	memset(o.__reserved, 0, sizeof(o.__reserved));
	if (unew) {
		if (n.mq_flags & O_NONBLOCK)
			f->f_flags |= O_NONBLOCK;
		else
			f->f_flags &= ~(unsigned)O_NONBLOCK;
	}
	fput(f);
	if (uold && copy_to_user(uold, &o, sizeof(o)))
		return -EFAULT;
	return 0;
}

static ssize_t mq_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	struct mqueue *q = mq_of(file_inode(f));
	char line[128];
	int notify = q->notify_owner ? q->notify.sigev_notify : 0;
	int signo = q->notify_owner && q->notify.sigev_notify == SIGEV_SIGNAL ? q->notify.sigev_signo : 0;
	int len = snprintf(line, sizeof(line), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
			   q->qsize, notify, signo, q->notify_owner);
	if (*pos >= len)
		return 0;
	size_t c = MIN(n, (size_t)(len - *pos));
	memcpy(buf, line + *pos, c);
	*pos += (loff_t)c;
	return (ssize_t)c;
}

static unsigned mq_poll(struct file *f, struct poll_table *pt)
{
	struct mqueue *q = mq_of(file_inode(f));
	poll_wait(f, &q->wq, pt);
	unsigned m = 0;
	if (q->attr.mq_curmsgs)
		m |= POLLIN | POLLRDNORM;
	if (q->attr.mq_curmsgs < q->attr.mq_maxmsg)
		m |= POLLOUT | POLLWRNORM;
	return m;
}

/* The owner's registration goes with any close of a descriptor of the
 * queue by the owner, as Linux's mqueue_flush_file. */
static void mq_flush(struct file *f)
{
	struct mqueue *q = mq_of(file_inode(f));
	if (q && q->notify_owner == current->tgid)
		remove_notification(q);
}

static const struct file_operations mq_fops = { .read = mq_read, .poll = mq_poll, .flush = mq_flush };

DEFINE_SYSCTL_INT(mq_msg_max, "fs/mqueue/msg_max", msg_max, 1, HARD_MSGMAX, NULL);
DEFINE_SYSCTL_INT(mq_msg_default, "fs/mqueue/msg_default", msg_default, 1, HARD_MSGMAX, NULL);
DEFINE_SYSCTL_INT(mq_msgsize_max, "fs/mqueue/msgsize_max", msgsize_max, 128, HARD_MSGSIZEMAX, NULL);
DEFINE_SYSCTL_INT(mq_msgsize_default, "fs/mqueue/msgsize_default", msgsize_default, 128, HARD_MSGSIZEMAX, NULL);
DEFINE_SYSCTL_INT(mq_queues_max, "fs/mqueue/queues_max", queues_max, 0, INT32_MAX, NULL);
