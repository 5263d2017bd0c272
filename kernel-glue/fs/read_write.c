/* read/write family. File operations take kernel buffers, so guest data
 * is bounced through a kernel buffer of at most RW_CHUNK bytes; regular
 * files loop over chunks, streams (pipes, ttys) return after one op so a
 * read never blocks for more than is available; memory devices
 * (FOP_WHOLE_READ) loop like files until a signal is pending. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/uio.h>
#include "internal.h"

#define RW_CHUNK (64 * 1024)
#define MAX_RW_COUNT (0x7fffffffL & PAGE_MASK)

static bool is_seekable_data(struct file *f)
{
	umode_t m = f->f_inode->i_mode;
	return S_ISREG(m) || S_ISBLK(m);
}

/* How many leading bytes of src reach dst, page by page. */
static size_t copy_to_user_prefix(uaddr_t dst, const char *src, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t c = MIN(n - done, PAGE_SIZE - ((dst + done) & (PAGE_SIZE - 1)));
		if (copy_to_user(dst + done, src + done, c))
			break;
		done += c;
	}
	return done;
}

ssize_t rw_user(struct file *f, uaddr_t ubuf, size_t n, loff_t *pos, bool write)
{
	if (!(f->f_mode & (write ? FMODE_WRITE : FMODE_READ)))
		return -EBADF;
	if (!write && S_ISDIR(f->f_inode->i_mode))
		return -EISDIR;
	if (n > (size_t)MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	if (write && f->f_op && (f->f_op->fop_flags & FOP_DISCARD_WRITE))
		return n;
	char *kb = kmalloc(MIN(MAX(n, 1), RW_CHUNK));
	bool devread = !write && f->f_op && (f->f_op->fop_flags & FOP_WHOLE_READ);
	bool whole = write || is_seekable_data(f) || devread;
	ssize_t total = 0, r = 0;
	do {
		size_t chunk = MIN(n - total, RW_CHUNK);
		if (write) {
			if (copy_from_user(kb, ubuf + total, chunk)) {
				r = -EFAULT;
				break;
			}
			r = vfs_write(f, kb, chunk, pos);
		} else {
			r = vfs_read(f, kb, chunk, pos);
			if (r > 0 && copy_to_user(ubuf + total, kb, r)) {
				/* a device's bytes cost nothing to drop: keep the
				 * pages before the bad one, as Linux's iov_iter */
				ssize_t ok = devread ? copy_to_user_prefix(ubuf + total, kb, r) : 0;
				total += ok;
				r = -EFAULT;
				break;
			}
		}
		if (r <= 0)
			break;
		total += r;
		if ((size_t)r < chunk || !whole)
			break;
		/* a signal ends a long device read early, with what it has */
		if (!write && !is_seekable_data(f) && (size_t)total < n && signal_pending(current))
			break;
	} while ((size_t)total < n);
	kfree(kb);
	return total ? total : r;
}

SYSCALL_DEFINE3(read, int, fd, uaddr_t, buf, size_t, count)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	ssize_t r = rw_user(f, buf, count, &f->f_pos, false);
	fput(f);
	return r;
}

SYSCALL_DEFINE3(write, int, fd, uaddr_t, buf, size_t, count)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	ssize_t r = rw_user(f, buf, count, &f->f_pos, true);
	fput(f);
	return r;
}

SYSCALL_DEFINE4(pread64, int, fd, uaddr_t, buf, size_t, count, loff_t, pos)
{
	if (pos < 0)
		return -EINVAL;
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	ssize_t r = (f->f_mode & FMODE_PREAD) ? rw_user(f, buf, count, &pos, false) : -ESPIPE;
	fput(f);
	return r;
}

SYSCALL_DEFINE4(pwrite64, int, fd, uaddr_t, buf, size_t, count, loff_t, pos)
{
	if (pos < 0)
		return -EINVAL;
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	ssize_t r = (f->f_mode & FMODE_PREAD) ? rw_user(f, buf, count, &pos, true) : -ESPIPE;
	fput(f);
	return r;
}

/* Vectors up to RW_CHUNK in total go through one op call, so a writev to
 * a pipe of <= PIPE_BUF bytes stays atomic like a write. */
static ssize_t do_rw_vec(int fd, uaddr_t uvec, unsigned long cnt, loff_t *upos, bool write)
{
	struct iovec *iov;
	size_t total;
	long err = import_iovec(uvec, cnt, &iov, &total);
	if (err)
		return err;
	struct file *f = fget(fd);
	if (!f) {
		kfree(iov);
		return -EBADF;
	}
	loff_t *pos = upos ? upos : &f->f_pos;
	ssize_t r = 0, done = 0;
	if (upos && !(f->f_mode & FMODE_PREAD)) {
		r = -ESPIPE;
	} else if (!(f->f_mode & (write ? FMODE_WRITE : FMODE_READ))) {
		r = -EBADF;
	} else if (write && f->f_op && (f->f_op->fop_flags & FOP_DISCARD_WRITE)) {
		r = MIN(total, (size_t)MAX_RW_COUNT);
	} else if (total <= RW_CHUNK) {
		char *kb = kmalloc(MAX(total, 1));
		size_t off = 0;
		if (write) {
			for (unsigned long i = 0; i < cnt && !r; i++, off += iov[i - 1].iov_len)
				if (copy_from_user(kb + off, (uaddr_t)iov[i].iov_base, iov[i].iov_len))
					r = -EFAULT;
			if (!r)
				r = vfs_write(f, kb, total, pos);
		} else {
			r = S_ISDIR(f->f_inode->i_mode) ? -EISDIR : vfs_read(f, kb, total, pos);
			for (unsigned long i = 0; i < cnt && r > 0 && off < (size_t)r; i++) {
				size_t n = MIN(iov[i].iov_len, (size_t)r - off);
				if (copy_to_user((uaddr_t)iov[i].iov_base, kb + off, n)) {
					r = -EFAULT;
					break;
				}
				off += n;
			}
		}
		kfree(kb);
	} else {
		for (unsigned long i = 0; i < cnt; i++) {
			if (!iov[i].iov_len)
				continue;
			r = rw_user(f, (uaddr_t)iov[i].iov_base, iov[i].iov_len, pos, write);
			if (r <= 0)
				break;
			done += r;
			if ((size_t)r < iov[i].iov_len)
				break;
		}
		if (done)
			r = done;
	}
	fput(f);
	kfree(iov);
	return r;
}

SYSCALL_DEFINE3(readv, int, fd, uaddr_t, vec, unsigned long, cnt) { return do_rw_vec(fd, vec, cnt, NULL, false); }
SYSCALL_DEFINE3(writev, int, fd, uaddr_t, vec, unsigned long, cnt) { return do_rw_vec(fd, vec, cnt, NULL, true); }

SYSCALL_DEFINE4(preadv, int, fd, uaddr_t, vec, unsigned long, cnt, loff_t, pos)
{
	return pos < 0 ? -EINVAL : do_rw_vec(fd, vec, cnt, &pos, false);
}

SYSCALL_DEFINE4(pwritev, int, fd, uaddr_t, vec, unsigned long, cnt, loff_t, pos)
{
	return pos < 0 ? -EINVAL : do_rw_vec(fd, vec, cnt, &pos, true);
}

SYSCALL_DEFINE3(lseek, int, fd, loff_t, off, unsigned, whence)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	loff_t r;
	if (!(f->f_mode & FMODE_LSEEK))
		r = -ESPIPE;
	else if (whence > SEEK_MAX)
		r = -EINVAL;
	else if (f->f_op && f->f_op->llseek)
		r = f->f_op->llseek(f, off, whence);
	else
		r = generic_file_llseek(f, off, whence);
	fput(f);
	return r;
}
