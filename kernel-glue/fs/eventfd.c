/* eventfd: a 64-bit counter as a file. write adds, read takes the whole
 * count (or 1 in semaphore mode); readers block at zero and writers block
 * when the sum would reach 2^64-1, as on Linux. */
#include <umk/fs.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include "anon_inode.h"

#define EFD_SEMAPHORE 1
#define EFD_FLAGS (EFD_SEMAPHORE | O_CLOEXEC | O_NONBLOCK)
#define EFD_MAX 0xfffffffffffffffeull

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct wait_queue_head wq;	/* readers and writers both */
};

static ssize_t eventfd_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct eventfd *e = f->private_data;
	if (n < 8)
		return -EINVAL;
	if (!e->count) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(e->wq, e->count);
		if (err)
			return err;
	}
	uint64_t v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, 8);
	wake_up(&e->wq);
	return 8;
}

static ssize_t eventfd_write(struct file *f, const void *buf, size_t n, loff_t *pos __unused)
{
	struct eventfd *e = f->private_data;
	uint64_t v;
	if (n < 8)
		return -EINVAL;
	memcpy(&v, buf, 8);
	if (v == ~0ull)
		return -EINVAL;
	if (EFD_MAX - e->count < v) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(e->wq, EFD_MAX - e->count >= v);
		if (err)
			return err;
	}
	e->count += v;
	if (v)
		wake_up(&e->wq);
	return 8;
}

static unsigned eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->private_data;
	poll_wait(f, &e->wq, pt);
	unsigned m = 0;
	if (e->count)
		m |= POLLIN | POLLRDNORM;
	if (e->count < EFD_MAX)
		m |= POLLOUT | POLLWRNORM;
	return m;
}

static void eventfd_release(struct inode *inode __unused, struct file *f)
{
	kfree(f->private_data);
}

static const struct file_operations eventfd_fops = {
	.read = eventfd_read, .write = eventfd_write, .poll = eventfd_poll,
	.llseek = noop_llseek, .release = eventfd_release,
};

static long do_eventfd(unsigned initval, int flags)
{
	if (flags & ~EFD_FLAGS)
		return -EINVAL;
	struct eventfd *e = kzalloc(sizeof(*e));
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	init_waitqueue_head(&e->wq);
	int fd = anon_inode_getfd("eventfd", &eventfd_fops, e, flags, flags & O_CLOEXEC);
	if (fd < 0)
		kfree(e);
	return fd;
}

SYSCALL_DEFINE1(eventfd, unsigned, initval) { return do_eventfd(initval, 0); }
SYSCALL_DEFINE2(eventfd2, unsigned, initval, int, flags) { return do_eventfd(initval, flags); }
