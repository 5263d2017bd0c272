/* splice, tee, vmsplice and sendfile: data between a pipe and another
 * file, or between two pipes, without a trip through the caller's memory.
 * The bytes pass through one kernel buffer per call (umk's files take
 * kernel buffers, not pages to lend), at most SPLICE_CHUNK at a time; a
 * pipe's bytes are peeked and only consumed once written, so a failed or
 * short write loses nothing. The other end is any file with read/write
 * operations (regular files, devices, sockets of every family), as
 * Linux's splice_read/splice_write cover them. Checks and errno order
 * follow Linux 6.x fs/splice.c and do_sendfile. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/uio.h>
#include "internal.h"

#define SPLICE_F_MOVE		0x01
#define SPLICE_F_NONBLOCK	0x02
#define SPLICE_F_MORE		0x04
#define SPLICE_F_GIFT		0x08
#define SPLICE_F_ALL		0x0f
#define SPLICE_CHUNK		(256 * 1024)
#define MAX_RW_COUNT		(0x7fffffffL & PAGE_MASK)

/* Bytes from in (at *pos) into the pipe: as much as fits now, after
 * waiting for room; 0 at in's end. */
static ssize_t file_to_pipe(struct file *in, loff_t *pos, struct file *pipe, size_t len, bool nonblock)
{
	if (S_ISDIR(in->f_inode->i_mode) || !in->f_op || !in->f_op->read)
		return -EINVAL;
	long space = pipe_wait_space(pipe, nonblock);
	if (space < 0)
		return space;
	size_t n = MIN(MIN(len, (size_t)space), (size_t)SPLICE_CHUNK);
	char *kb = kmalloc(n);
	ssize_t r = vfs_read(in, kb, n, pos);
	if (r > 0) {
		size_t pushed = pipe_push(pipe, kb, r);
		if (pushed < (size_t)r && (in->f_mode & FMODE_LSEEK))
			*pos -= r - pushed;	/* no frame for the rest: read it again later */
		r = pushed ? (ssize_t)pushed : -ENOMEM;
	}
	kfree(kb);
	return r;
}

/* Queued bytes of the pipe to out (at *pos): what is there, after waiting
 * for some; 0 once the pipe is empty with no writer left. */
static ssize_t pipe_to_file(struct file *pipe, struct file *out, loff_t *pos, size_t len, bool nonblock)
{
	if (!out->f_op || !out->f_op->write)
		return -EINVAL;
	long r = pipe_wait_data(pipe, nonblock);
	if (r <= 0)
		return r;
	size_t n = MIN(MIN(len, pipe_queued(pipe)), (size_t)SPLICE_CHUNK);
	char *kb = kmalloc(n);
	n = pipe_peek(pipe, kb, n, 0);
	ssize_t w = vfs_write(out, kb, n, pos);
	if (w > 0)
		pipe_consume(pipe, w);
	kfree(kb);
	return w;
}

/* Pipe to pipe: splice moves the bytes, tee (keep) copies them. */
static ssize_t pipe_to_pipe(struct file *in, struct file *out, size_t len, bool nonblock, bool keep)
{
	long r = pipe_wait_data(in, nonblock);
	if (r <= 0)
		return r;
	long space = pipe_wait_space(out, nonblock);
	if (space < 0)
		return space;
	size_t n = MIN(MIN(len, pipe_queued(in)), MIN((size_t)space, (size_t)SPLICE_CHUNK));
	char *kb = kmalloc(n);
	n = pipe_peek(in, kb, n, 0);
	size_t pushed = pipe_push(out, kb, n);
	if (!keep)
		pipe_consume(in, pushed);
	kfree(kb);
	return pushed ? (ssize_t)pushed : -ENOMEM;
}

static int get_off(uaddr_t u, loff_t *off)
{
	if (copy_from_user(off, u, sizeof(*off)))
		return -EFAULT;
	return 0;
}

static long do_splice(struct file *in, uaddr_t uoff_in, struct file *out, uaddr_t uoff_out, size_t len, unsigned flags)
{
	if (!(in->f_mode & FMODE_READ) || !(out->f_mode & FMODE_WRITE))
		return -EBADF;
	bool ipipe = file_is_pipe(in), opipe = file_is_pipe(out);
	bool nonblock = flags & SPLICE_F_NONBLOCK;
	len = MIN(len, (size_t)MAX_RW_COUNT);
	loff_t off;
	ssize_t r;
	if (ipipe && opipe) {
		if (uoff_in || uoff_out)
			return -ESPIPE;
		if (pipe_same(in, out))
			return -EINVAL;
		return pipe_to_pipe(in, out, len, nonblock || ((in->f_flags | out->f_flags) & O_NONBLOCK), false);
	}
	if (ipipe) {
		if (uoff_in)
			return -ESPIPE;
		if (uoff_out) {
			if (!(out->f_mode & FMODE_PREAD))
				return -EINVAL;
			if (get_off(uoff_out, &off))
				return -EFAULT;
			if (off < 0)
				return -EINVAL;
		} else {
			off = out->f_pos;
		}
		if (out->f_flags & O_APPEND)
			return -EINVAL;
		r = pipe_to_file(in, out, &off, len, nonblock || (in->f_flags & O_NONBLOCK));
		if (uoff_out) {
			if (r > 0 && copy_to_user(uoff_out, &off, sizeof(off)))
				return -EFAULT;
		} else if (r > 0) {
			out->f_pos = off;
		}
		return r;
	}
	if (opipe) {
		if (uoff_out)
			return -ESPIPE;
		if (uoff_in) {
			if (!(in->f_mode & FMODE_PREAD))
				return -EINVAL;
			if (get_off(uoff_in, &off))
				return -EFAULT;
			if (off < 0)
				return -EINVAL;
		} else {
			off = in->f_pos;
		}
		r = file_to_pipe(in, &off, out, len, nonblock || (out->f_flags & O_NONBLOCK));
		if (uoff_in) {
			if (r > 0 && copy_to_user(uoff_in, &off, sizeof(off)))
				return -EFAULT;
		} else if (r > 0) {
			in->f_pos = off;
		}
		return r;
	}
	return -EINVAL;
}

SYSCALL_DEFINE6(splice, int, fd_in, uaddr_t, off_in, int, fd_out, uaddr_t, off_out, size_t, len, unsigned, flags)
{
	if (!len)
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct file *in = fget(fd_in);
	if (!in)
		return -EBADF;
	struct file *out = fget(fd_out);
	long r = out ? do_splice(in, off_in, out, off_out, len, flags) : -EBADF;
	if (out)
		fput(out);
	fput(in);
	return r;
}

SYSCALL_DEFINE4(tee, int, fd_in, int, fd_out, size_t, len, unsigned, flags)
{
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!len)
		return 0;
	struct file *in = fget(fd_in);
	if (!in)
		return -EBADF;
	struct file *out = fget(fd_out);
	long r = -EBADF;
	if (out && (in->f_mode & FMODE_READ) && (out->f_mode & FMODE_WRITE)) {
		r = -EINVAL;
		if (file_is_pipe(in) && file_is_pipe(out) && !pipe_same(in, out))
			r = pipe_to_pipe(in, out, MIN(len, (size_t)MAX_RW_COUNT),
					 (flags & SPLICE_F_NONBLOCK) || ((in->f_flags | out->f_flags) & O_NONBLOCK), true);
	}
	if (out)
		fput(out);
	fput(in);
	return r;
}

/* vmsplice: the caller's vector into a pipe's write end (as much as fits
 * once there is room), or out of a pipe's read end into the vector. */
static long vmsplice_iov(struct file *f, const struct iovec *iov, unsigned long cnt, size_t total, unsigned flags)
{
	bool to_pipe = f->f_mode & FMODE_WRITE;
	if (!file_is_pipe(f))
		return -EBADF;
	bool nonblock = flags & SPLICE_F_NONBLOCK;	/* not O_NONBLOCK, as Linux */
	long r = to_pipe ? pipe_wait_space(f, nonblock) : pipe_wait_data(f, nonblock);
	if (r <= 0)
		return r;
	size_t n = MIN(MIN(total, (size_t)r), (size_t)SPLICE_CHUNK);
	if (!to_pipe)
		n = MIN(MIN(total, pipe_queued(f)), (size_t)SPLICE_CHUNK);
	char *kb = kmalloc(n);
	size_t off = 0;
	r = 0;
	if (to_pipe) {
		for (unsigned long i = 0; i < cnt && off < n; i++) {
			size_t c = MIN(iov[i].iov_len, n - off);
			if (copy_from_user(kb + off, (uaddr_t)iov[i].iov_base, c)) {
				r = -EFAULT;
				break;
			}
			off += c;
		}
		if (off) {
			size_t pushed = pipe_push(f, kb, off);
			r = pushed ? (long)pushed : -ENOMEM;
		}
	} else {
		n = pipe_peek(f, kb, n, 0);
		for (unsigned long i = 0; i < cnt && off < n; i++) {
			size_t c = MIN(iov[i].iov_len, n - off);
			if (copy_to_user((uaddr_t)iov[i].iov_base, kb + off, c)) {
				r = -EFAULT;
				break;
			}
			off += c;
		}
		pipe_consume(f, off);
		if (off)
			r = off;
	}
	kfree(kb);
	return r;
}

SYSCALL_DEFINE4(vmsplice, int, fd, uaddr_t, uiov, unsigned long, cnt, unsigned, flags)
{
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	long r = -EBADF;
	if (!(f->f_mode & (FMODE_READ | FMODE_WRITE)))
		goto out;
	r = -EINVAL;
	if (cnt > UIO_MAXIOV)
		goto out;
	struct iovec *iov = kmalloc(MAX(cnt, 1) * sizeof(*iov));
	size_t total = 0;
	r = 0;
	if (copy_from_user(iov, uiov, cnt * sizeof(*iov)))
		r = -EFAULT;
	for (unsigned long i = 0; !r && i < cnt; i++) {
		if ((ssize_t)iov[i].iov_len < 0 || total + iov[i].iov_len > (size_t)MAX_RW_COUNT) {
			r = -EINVAL;
			break;
		}
		total += iov[i].iov_len;
	}
	if (!r && total)
		r = vmsplice_iov(f, iov, cnt, total, flags);
	kfree(iov);
out:
	fput(f);
	return r;
}

/* sendfile: a regular file (or block device) to any writable file, or
 * any readable file into a pipe. */
SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, uaddr_t, uoff, size_t, count)
{
	struct file *in = fget(in_fd), *out = NULL;
	ssize_t r = -EBADF, total = 0;
	loff_t off;
	if (!in || !(in->f_mode & FMODE_READ))
		goto out;
	if (uoff) {
		r = -ESPIPE;
		if (!(in->f_mode & FMODE_PREAD))
			goto out;
		r = get_off(uoff, &off);
		if (r)
			goto out;
	} else {
		off = in->f_pos;
	}
	r = -EINVAL;
	if (off < 0)
		goto out;
	count = MIN(count, (size_t)MAX_RW_COUNT);
	out = fget(out_fd);
	r = -EBADF;
	if (!out || !(out->f_mode & FMODE_WRITE))
		goto out;
	if (file_is_pipe(out)) {
		r = -EINVAL;		/* a pipe has no splice_read */
		if (file_is_pipe(in))
			goto out;
		r = count ? file_to_pipe(in, &off, out, count, out->f_flags & O_NONBLOCK) : 0;
		if (r > 0)
			total = r;
	} else {
		umode_t m = in->f_inode->i_mode;
		r = -EINVAL;
		if ((out->f_flags & O_APPEND) || (!S_ISREG(m) && !S_ISBLK(m)) || !out->f_op || !out->f_op->write)
			goto out;
		char *kb = kmalloc(MIN(MAX(count, 1), (size_t)SPLICE_CHUNK));
		r = 0;
		while ((size_t)total < count) {
			size_t chunk = MIN(count - total, (size_t)SPLICE_CHUNK);
			loff_t rpos = off;
			r = vfs_read(in, kb, chunk, &rpos);
			if (r <= 0)
				break;
			ssize_t w = vfs_write(out, kb, r, &out->f_pos);
			if (w <= 0) {
				r = w;
				break;
			}
			off += w;
			total += w;
			if (w < r || (size_t)r < chunk || signal_pending(current))
				break;
		}
		kfree(kb);
	}
	if (total)
		r = total;
	if (r >= 0) {
		if (!uoff)
			in->f_pos = off;
		else if (copy_to_user(uoff, &off, sizeof(off)))
			r = -EFAULT;
	}
out:
	if (in)
		fput(in);
	if (out)
		fput(out);
	return r;
}
