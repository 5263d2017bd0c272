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
