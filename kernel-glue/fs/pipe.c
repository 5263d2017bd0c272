/* Pipes: a 64 KiB ring shared by a read file and a write file. Writes of
 * at most PIPE_BUF bytes are atomic; readers see EOF once every writer is
 * gone; writers get EPIPE and SIGPIPE once every reader is gone. The ring
 * is 16 frames of guest memory, each taken when data first reaches it and
 * given back once read (as Linux's pipe buffers): an empty pipe holds no
 * page, and a write that finds memory exhausted gets ENOMEM. */
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/arch.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include "internal.h"

#define PIPE_PAGES 16
#define PIPE_SIZE (PIPE_PAGES * PAGE_SIZE)
#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif
#define SIGPIPE_NR 13

struct pipe {
	uint64_t page[PIPE_PAGES];	/* frame behind each 4 KiB of the ring, 0 = none */
	size_t head, len;		/* read index and bytes queued */
	int readers, writers;
	struct wait_queue_head rwait, wwait;
};

static struct super_block pipefs_sb = { .s_type = "pipefs", .s_dev = 0x0c, .s_magic = 0x50495045 };
/* listed in /proc/filesystems, never mounted */
static const struct file_system_type pipefs_type = { .name = "pipefs" };
DEFINE_FILESYSTEM(pipefs_type);
static uint64_t next_ino = 1000;

/* Copy n bytes between buf and the ring at off (wrapping), page by page. */
static void ring_copy(struct pipe *p, size_t off, void *buf, size_t n, bool to_ring)
{
	while (n) {
		off %= PIPE_SIZE;
		size_t in = off % PAGE_SIZE, c = MIN(n, PAGE_SIZE - in);
		char *pg = (char *)pfn_to_virt(p->page[off / PAGE_SIZE]) + in;
		if (to_ring)
			memcpy(pg, buf, c);
		else
			memcpy(buf, pg, c);
		buf = (char *)buf + c;
		off += c;
		n -= c;
	}
}

/* Does page q of the ring hold any of the queued bytes? */
static bool page_busy(struct pipe *p, size_t q)
{
	for (size_t off = p->head; off < p->head + p->len; off = (off / PAGE_SIZE + 1) * PAGE_SIZE)
		if ((off % PIPE_SIZE) / PAGE_SIZE == q)
			return true;
	return false;
}

/* Give back the frames that a read of cnt bytes at from emptied. */
static void release_read_pages(struct pipe *p, size_t from, size_t cnt)
{
	for (size_t off = from; off < from + cnt; off = (off / PAGE_SIZE + 1) * PAGE_SIZE) {
		size_t q = (off % PIPE_SIZE) / PAGE_SIZE;
		if (p->page[q] && !page_busy(p, q)) {
			page_put(p->page[q]);
			p->page[q] = 0;
		}
	}
}

/* Frames for the next n bytes after the queued ones; how many bytes have one. */
static size_t ring_room(struct pipe *p, size_t n)
{
	size_t tail = p->head + p->len;
	for (size_t off = tail; off < tail + n; off = (off / PAGE_SIZE + 1) * PAGE_SIZE) {
		size_t q = (off % PIPE_SIZE) / PAGE_SIZE;
		if (!p->page[q] && !(p->page[q] = alloc_frame(GFP_USER)))
			return off - tail;
	}
	return n;
}

static ssize_t pipe_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct pipe *p = f->f_inode->i_private;
	if (!n)
		return 0;
	while (!p->len) {
		if (!p->writers)
			return 0;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(p->rwait, p->len || !p->writers);
		if (err)
			return err;
	}
	size_t cnt = MIN(n, p->len), from = p->head;
	ring_copy(p, from, buf, cnt, false);
	p->head = (p->head + cnt) % PIPE_SIZE;
	p->len -= cnt;
	if (!p->len)
		p->head = 0;
	release_read_pages(p, from, cnt);
	wake_up(&p->wwait);
	return cnt;
}

static ssize_t pipe_write(struct file *f, const void *buf, size_t n, loff_t *pos __unused)
{
	struct pipe *p = f->f_inode->i_private;
	bool atomic = n <= PIPE_BUF;
	size_t done = 0;
	while (done < n || !n) {
		if (!p->readers) {
			send_sig(SIGPIPE_NR, current);
			return done ? (ssize_t)done : -EPIPE;
		}
		if (!n)
			return 0;
		size_t space = PIPE_SIZE - p->len;
		if (atomic ? space >= n : space > 0) {
			size_t want = MIN(space, n - done), cnt = ring_room(p, want);
			if (cnt < want && (atomic || !cnt))
				return done ? (ssize_t)done : -ENOMEM;
			ring_copy(p, p->head + p->len, (char *)buf + done, cnt, true);
			p->len += cnt;
			done += cnt;
			wake_up(&p->rwait);
			continue;
		}
		if (f->f_flags & O_NONBLOCK)
			return done ? (ssize_t)done : -EAGAIN;
		size_t need = atomic ? n : 1;
		long err = wait_event_interruptible(p->wwait, !p->readers || PIPE_SIZE - p->len >= need);
		if (err)
			return done ? (ssize_t)done : err;
	}
	return done;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->f_inode->i_private;
	unsigned mask = 0;
	if (f->f_mode & FMODE_READ) {
		poll_wait(f, &p->rwait, pt);
		if (p->len)
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers)
			mask |= POLLHUP;
	}
	if (f->f_mode & FMODE_WRITE) {
		poll_wait(f, &p->wwait, pt);
		if (PIPE_SIZE - p->len >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

static long pipe_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pipe *p = f->f_inode->i_private;
	if (cmd != FIONREAD)
		return -ENOTTY;
	int n = p->len;
	return copy_to_user(arg, &n, sizeof(n));
}

static void pipe_release(struct inode *inode, struct file *f)
{
	struct pipe *p = inode->i_private;
	if (f->f_mode & FMODE_READ)
		p->readers--;
	if (f->f_mode & FMODE_WRITE)
		p->writers--;
	wake_up(&p->rwait);
	wake_up(&p->wwait);
	if (!p->readers && !p->writers) {
		for (int q = 0; q < PIPE_PAGES; q++)
			if (p->page[q])
				page_put(p->page[q]);
		kfree(p);
		inode->i_private = NULL;
	}
}

const struct file_operations pipe_fops = {
	.read = pipe_read, .write = pipe_write, .poll = pipe_poll,
	.ioctl = pipe_ioctl, .release = pipe_release,
};

/* Make the two ends of a new pipe. */
int create_pipe_files(struct file **res, int flags)
{
	struct inode *inode = new_inode(&pipefs_sb);
	inode->i_ino = next_ino++;
	inode->i_mode = S_IFIFO | 0600;
	inode->i_uid = current ? current->cred.fsuid : 0;
	inode->i_gid = current ? current->cred.fsgid : 0;
	inode->i_blksize = 4096;
	inode->i_fop = &pipe_fops;
	struct pipe *p = kzalloc(sizeof(*p));
	p->readers = p->writers = 1;
	init_waitqueue_head(&p->rwait);
	init_waitqueue_head(&p->wwait);
	inode->i_private = p;
	char name[32];
	snprintf(name, sizeof(name), "pipe:[%llu]", (unsigned long long)inode->i_ino);
	struct path path = { NULL, d_alloc(NULL, name, inode) };	/* takes our inode ref */
	unsigned fl = flags & (O_NONBLOCK | O_DIRECT);
	res[0] = alloc_file(&path, inode, O_RDONLY | fl, &pipe_fops);
	res[1] = alloc_file(&path, inode, O_WRONLY | fl, &pipe_fops);
	res[0]->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD);
	res[1]->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD);
	path_put(&path);
	return 0;
}

static long do_pipe2(uaddr_t ufds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct file *f[2];
	create_pipe_files(f, flags);
	int fds[2];
	fds[0] = fd_install(f[0], flags & O_CLOEXEC);
	if (fds[0] < 0) {
		fput(f[0]);
		fput(f[1]);
		return fds[0];
	}
	fds[1] = fd_install(f[1], flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(current->files, fds[0]);
		fput(f[1]);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(current->files, fds[0]);
		fd_close(current->files, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(pipe, uaddr_t, fds) { return do_pipe2(fds, 0); }
SYSCALL_DEFINE2(pipe2, uaddr_t, fds, int, flags) { return do_pipe2(fds, flags); }
