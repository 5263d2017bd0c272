/* Pipes: a ring (64 KiB at first; F_SETPIPE_SZ resizes it) shared by a
 * read file and a write file. Writes of at most PIPE_BUF bytes are atomic;
 * readers see EOF once every writer is gone; writers get EPIPE and SIGPIPE
 * once every reader is gone. The ring is frames of guest memory, each
 * taken when data first reaches it and given back once read (as Linux's
 * pipe buffers): an empty pipe holds no page, and a write that finds
 * memory exhausted gets ENOMEM. splice, tee and vmsplice (splice.c) work
 * on the ring through the pipe_* helpers at the end. */
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/arch.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include <umk/proc.h>
#include "internal.h"

#define PIPE_DEF_PAGES 16
#define PIPE_SIZE (p->npages * PAGE_SIZE)
#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif
#define SIGPIPE_NR 13

struct pipe {
	uint64_t *page;			/* frame behind each 4 KiB of the ring, 0 = none */
	size_t npages;			/* the ring's size in pages (a power of two) */
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
		for (size_t q = 0; q < p->npages; q++)
			if (p->page[q])
				page_put(p->page[q]);
		kfree(p->page);
		kfree(p);
		inode->i_private = NULL;
	}
}

/* ---- F_GETPIPE_SZ / F_SETPIPE_SZ ---- */

/* /proc/sys/fs/pipe-max-size: what an unprivileged F_SETPIPE_SZ may ask. */
static unsigned pipe_max_size = 1048576;

/* Linux's round_pipe_size: a power-of-two number of pages, 0 if too big. */
static size_t round_pipe_size(unsigned long size)
{
	if (size > (1UL << 31))
		return 0;
	if (size < PAGE_SIZE)
		return PAGE_SIZE;
	size_t r = PAGE_SIZE;
	while (r < size)
		r <<= 1;
	return r;
}

/* Pages of the ring the queued bytes touch (Linux's slot occupancy). */
static size_t pipe_occupancy(struct pipe *p)
{
	if (!p->len)
		return 0;
	return (p->head % PAGE_SIZE + p->len + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* A new ring of n pages: the queued bytes' frames move over in order (no
 * copy), the others go back. */
static int pipe_resize(struct pipe *p, size_t n)
{
	size_t used = pipe_occupancy(p);
	if (n < used)
		return -EBUSY;
	uint64_t *np = kzalloc(n * sizeof(*np));
	size_t first = p->head / PAGE_SIZE;
	for (size_t i = 0; i < p->npages; i++) {
		size_t q = (first + i) % p->npages;
		if (i < used)
			np[i] = p->page[q];
		else if (p->page[q])
			page_put(p->page[q]);
	}
	kfree(p->page);
	p->page = np;
	p->head %= PAGE_SIZE;
	p->npages = n;
	wake_up(&p->wwait);
	return 0;
}

long pipe_fcntl(struct file *f, unsigned cmd, unsigned long arg)
{
	if (f->f_op != &pipe_fops)
		return -EBADF;
	struct pipe *p = f->f_inode->i_private;
	if (cmd == F_GETPIPE_SZ)
		return p->npages * PAGE_SIZE;
	size_t size = round_pipe_size(arg);
	if (!size)
		return -EINVAL;
	if (size / PAGE_SIZE > p->npages && size > pipe_max_size && current->cred.euid != 0)
		return -EPERM;		/* CAP_SYS_RESOURCE goes past pipe-max-size */
	int err = pipe_resize(p, size / PAGE_SIZE);
	return err ? err : (long)size;
}

static int pipe_max_show(struct sbuf *out, void *data __unused)
{
	sbuf_printf(out, "%u\n", pipe_max_size);
	return 0;
}

/* As proc_dopipe_max_size: one unsigned, rounded up to a power-of-two
 * number of pages; EINVAL past 2 GiB. */
static int pipe_max_write(const char *buf, size_t len, void *data __unused)
{
	long long v;
	if (sysctl_parse_ints(buf, len, &v, 1) != 1 || v < 0 || v > UINT32_MAX)
		return -EINVAL;
	size_t r = round_pipe_size(v);
	if (!r)
		return -EINVAL;
	pipe_max_size = r;
	return 0;
}
DEFINE_PROC_FILE(pipe_max_size, "sys/fs/pipe-max-size", 0644, pipe_max_show, pipe_max_write, NULL);

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
	p->npages = PIPE_DEF_PAGES;
	p->page = kzalloc(p->npages * sizeof(*p->page));
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

/* ---- for splice, tee and vmsplice (splice.c) ---- */

static struct pipe *PIPE(struct file *f) { return f->f_inode->i_private; }

bool file_is_pipe(struct file *f)
{
	return f->f_op == &pipe_fops;
}

bool pipe_same(struct file *a, struct file *b)
{
	return PIPE(a) == PIPE(b);
}

/* Until the pipe holds data: 1, or 0 at EOF (no writer), -EAGAIN, or
 * -ERESTARTSYS for a signal. */
long pipe_wait_data(struct file *f, bool nonblock)
{
	struct pipe *p = PIPE(f);
	while (!p->len) {
		if (!p->writers)
			return 0;
		if (nonblock)
			return -EAGAIN;
		long err = wait_event_interruptible(p->rwait, p->len || !p->writers);
		if (err)
			return err;
	}
	return 1;
}

/* Until the pipe has room: the free bytes, or -EPIPE (with SIGPIPE) when
 * no reader is left, -EAGAIN, or -ERESTARTSYS. */
long pipe_wait_space(struct file *f, bool nonblock)
{
	struct pipe *p = PIPE(f);
	for (;;) {
		if (!p->readers) {
			send_sig(SIGPIPE_NR, current);
			return -EPIPE;
		}
		if (p->len < PIPE_SIZE)
			return PIPE_SIZE - p->len;
		if (nonblock)
			return -EAGAIN;
		long err = wait_event_interruptible(p->wwait, !p->readers || p->len < PIPE_SIZE);
		if (err)
			return err;
	}
}

/* Copy up to n queued bytes after the first skip, leaving them queued. */
size_t pipe_peek(struct file *f, void *buf, size_t n, size_t skip)
{
	struct pipe *p = PIPE(f);
	if (skip >= p->len)
		return 0;
	n = MIN(n, p->len - skip);
	ring_copy(p, p->head + skip, buf, n, false);
	return n;
}

/* Drop the first n queued bytes (they were peeked and used). */
void pipe_consume(struct file *f, size_t n)
{
	struct pipe *p = PIPE(f);
	size_t from = p->head;
	n = MIN(n, p->len);
	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
	if (!p->len)
		p->head = 0;
	release_read_pages(p, from, n);
	wake_up(&p->wwait);
}

/* Queue up to n bytes without waiting: how many fit (and had a frame). */
size_t pipe_push(struct file *f, const void *buf, size_t n)
{
	struct pipe *p = PIPE(f);
	size_t cnt = ring_room(p, MIN(n, PIPE_SIZE - p->len));
	ring_copy(p, p->head + p->len, (void *)buf, cnt, true);
	p->len += cnt;
	if (cnt)
		wake_up(&p->rwait);
	return cnt;
}

size_t pipe_queued(struct file *f)
{
	return PIPE(f)->len;
}
