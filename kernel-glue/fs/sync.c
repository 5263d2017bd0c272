/* sync family: page caches first, then the host. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/syscall.h>

SYSCALL_DEFINE0(sync)
{
	sync_filesystems();
	return 0;
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	sync_filesystems();
	fput(f);
	return 0;
}

static long do_fsync(int fd, bool datasync)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	long r = f->f_op && f->f_op->fsync ? f->f_op->fsync(f, datasync) : -EINVAL;
	fput(f);
	return r;
}

SYSCALL_DEFINE1(fsync, int, fd) { return do_fsync(fd, false); }
SYSCALL_DEFINE1(fdatasync, int, fd) { return do_fsync(fd, true); }

#define SYNC_FILE_RANGE_WAIT_BEFORE	1
#define SYNC_FILE_RANGE_WRITE		2
#define SYNC_FILE_RANGE_WAIT_AFTER	4

/* sync_file_range: checks as Linux's; writing the range is the file's
 * fdatasync (umk's caches write back whole files), and a file without
 * one (procfs, devices) has nothing to write. */
SYSCALL_DEFINE4(sync_file_range, int, fd, loff_t, off, loff_t, nbytes, unsigned, flags)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	long r = -EINVAL;
	loff_t end = (loff_t)((uint64_t)off + (uint64_t)nbytes);
	umode_t m = f->f_inode->i_mode;
	if (flags & ~7U || off < 0 || end < 0 || end < off)
		goto out;
	r = -ESPIPE;
	if (!S_ISREG(m) && !S_ISBLK(m) && !S_ISDIR(m) && !S_ISLNK(m))
		goto out;
	r = 0;
	if ((flags & (SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER)) && f->f_op && f->f_op->fsync)
		r = f->f_op->fsync(f, true);
out:
	fput(f);
	return r;
}
