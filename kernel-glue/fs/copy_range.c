/* copy_file_range: bytes from one regular file to another on the same
 * filesystem (superblock), in the kernel. Since Linux 5.19 a copy
 * between two superblocks is EXDEV unless the filesystem has its own
 * cross-filesystem copy, which none of umk's has; the C library then
 * falls back to read/write. Checks and errno order follow Linux's
 * generic_copy_file_checks. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include "internal.h"

#define COPY_CHUNK (256 * 1024)
#define MAX_RW_COUNT (0x7fffffffL & PAGE_MASK)

static long copy_checks(struct file *in, loff_t pin, struct file *out, loff_t pout, size_t *len)
{
	struct inode *ii = in->f_inode, *io = out->f_inode;
	if (S_ISDIR(ii->i_mode) || S_ISDIR(io->i_mode))
		return -EISDIR;
	if (!S_ISREG(ii->i_mode) || !S_ISREG(io->i_mode))
		return -EINVAL;
	if (!(in->f_mode & FMODE_READ) || !(out->f_mode & FMODE_WRITE) || (out->f_flags & O_APPEND))
		return -EBADF;
	if (ii->i_sb != io->i_sb)
		return -EXDEV;
	uint64_t count = *len;
	if ((uint64_t)pin + count < (uint64_t)pin || (uint64_t)pout + count < (uint64_t)pout)
		return -EOVERFLOW;
	if (pin < 0 || pout < 0)
		return -EINVAL;
	count = pin >= ii->i_size ? 0 : MIN(count, (uint64_t)(ii->i_size - pin));
	if (ii == io && pout + (loff_t)count > pin && pout < pin + (loff_t)count)
		return -EINVAL;		/* overlapping ranges of one file */
	*len = count;
	return 0;
}

static ssize_t copy_range(struct file *in, loff_t *pin, struct file *out, loff_t *pout, size_t len)
{
	len = MIN(len, (size_t)MAX_RW_COUNT);
	char *kb = kmalloc(MIN(MAX(len, 1), (size_t)COPY_CHUNK));
	ssize_t total = 0, r = 0;
	while ((size_t)total < len) {
		size_t chunk = MIN(len - total, (size_t)COPY_CHUNK);
		loff_t rpos = *pin;
		r = vfs_read(in, kb, chunk, &rpos);
		if (r <= 0)
			break;
		ssize_t w = vfs_write(out, kb, r, pout);
		if (w <= 0) {
			r = w;
			break;
		}
		*pin += w;
		total += w;
		if (w < r || (size_t)r < chunk || signal_pending(current))
			break;
	}
	kfree(kb);
	return total ? total : r;
}

SYSCALL_DEFINE6(copy_file_range, int, fd_in, uaddr_t, uoff_in, int, fd_out, uaddr_t, uoff_out, size_t, len, unsigned, flags)
{
	struct file *in = fget(fd_in), *out = in ? fget(fd_out) : NULL;
	loff_t pin, pout;
	long r = -EBADF;
	if (!in || !out)
		goto out;
	r = -EFAULT;
	if (uoff_in ? copy_from_user(&pin, uoff_in, sizeof(pin)) : (pin = in->f_pos, 0))
		goto out;
	if (uoff_out ? copy_from_user(&pout, uoff_out, sizeof(pout)) : (pout = out->f_pos, 0))
		goto out;
	r = -EINVAL;
	if (flags)
		goto out;
	r = copy_checks(in, pin, out, pout, &len);
	if (r || !len)
		goto out;
	r = copy_range(in, &pin, out, &pout, len);
	if (r > 0) {
		if (uoff_in ? copy_to_user(uoff_in, &pin, sizeof(pin)) : (in->f_pos = pin, 0))
			r = -EFAULT;
		else if (uoff_out ? copy_to_user(uoff_out, &pout, sizeof(pout)) : (out->f_pos = pout, 0))
			r = -EFAULT;
	}
out:
	if (in)
		fput(in);
	if (out)
		fput(out);
	return r;
}
