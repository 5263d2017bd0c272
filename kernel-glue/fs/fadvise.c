/* posix_fadvise and readahead: advice about future access. umk keeps no
 * read-ahead cache of its own (tmpfs data is in memory, hostfs reads go
 * to the host's page cache), so once the arguments pass Linux's checks
 * there is nothing more to do: Linux does the same for filesystems
 * without a backing device (tmpfs, procfs). */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/syscall.h>

#define POSIX_FADV_NOREUSE 5

SYSCALL_DEFINE4(fadvise64, int, fd, loff_t, off __unused, loff_t, len, int, advice)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	long r = 0;
	if (S_ISFIFO(f->f_inode->i_mode))
		r = -ESPIPE;
	else if (len < 0 || advice < 0 || advice > POSIX_FADV_NOREUSE)
		r = -EINVAL;
	fput(f);
	return r;
}

SYSCALL_DEFINE3(readahead, int, fd, loff_t, off __unused, size_t, count)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	umode_t m = f->f_inode->i_mode;
	long r = 0;
	if (!(f->f_mode & FMODE_READ))
		r = -EBADF;
	else if ((!S_ISREG(m) && !S_ISBLK(m)) || (loff_t)count < 0)
		r = -EINVAL;
	fput(f);
	return r;
}
