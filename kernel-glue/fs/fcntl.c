/* dup family, fcntl and the generic part of ioctl. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include "internal.h"

SYSCALL_DEFINE1(close, int, fd)
{
	return fd_close(current->files, fd);
}

SYSCALL_DEFINE1(dup, int, oldfd)
{
	struct file *f = fget_raw(oldfd);
	if (!f)
		return -EBADF;
	int fd = fd_install(f, false);
	if (fd < 0)
		fput(f);
	return fd;
}

static long do_dup3(int oldfd, int newfd, int flags)
{
	struct file *f = fget_raw(oldfd);
	if (!f)
		return -EBADF;
	if ((unsigned)newfd >= fd_limit()) {
		fput(f);
		return -EBADF;
	}
	return fd_replace(current->files, newfd, f, flags & O_CLOEXEC);
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	if (oldfd == newfd)
		return fd_lookup(current->files, oldfd) ? newfd : -EBADF;
	return do_dup3(oldfd, newfd, 0);
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return do_dup3(oldfd, newfd, flags);
}

#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | FASYNC)

SYSCALL_DEFINE3(fcntl, int, fd, unsigned, cmd, unsigned long, arg)
{
	struct files_struct *fs = current->files;
	struct file *f = fd_lookup(fs, fd);
	if (!f)
		return -EBADF;
	bool path_only = f->f_mode & FMODE_PATH;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		if (arg >= fd_limit())
			return -EINVAL;
		get_file(f);
		int nfd = fd_install_from(fs, f, (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (nfd < 0)
			fput(f);
		return nfd;
	}
	case F_GETFD:
		return fd_get_cloexec(fs, fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(fs, fd, arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->f_flags;
	case F_SETFL:
		if (path_only)
			return -EBADF;
		f->f_flags = (f->f_flags & ~SETFL_MASK) | (arg & SETFL_MASK);
		return 0;
	case F_ADD_SEALS:
	case F_GET_SEALS:
		if (path_only)
			return -EBADF;
		return memfd_fcntl(f, cmd, arg);
	case F_SETPIPE_SZ:
	case F_GETPIPE_SZ:
		return path_only ? -EBADF : pipe_fcntl(f, cmd, (unsigned)arg);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		if (path_only)
			return -EBADF;
		{
			/* F_SETLKW sleeps: keep f alive if another thread closes fd */
			get_file(f);
			long r = fcntl_lock(f, cmd, arg);
			fput(f);
			return r;
		}
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned, cmd, unsigned long, arg)
{
	struct files_struct *fs = current->files;
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	long r;
	int on;
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		fd_set_cloexec(fs, fd, cmd == FIOCLEX);
		r = 0;
		break;
	case FIONBIO:
		if (copy_from_user(&on, arg, sizeof(on))) {
			r = -EFAULT;
			break;
		}
		f->f_flags = on ? f->f_flags | O_NONBLOCK : f->f_flags & ~O_NONBLOCK;
		r = 0;
		break;
	case FIOASYNC:
		r = 0;
		break;
	case FIONREAD:
		if (S_ISREG(f->f_inode->i_mode)) {
			loff_t n = file_size(f) - f->f_pos;
			on = n < 0 ? 0 : n > 0x7fffffff ? 0x7fffffff : (int)n;
			r = copy_to_user(arg, &on, sizeof(on));
			break;
		}
		/* fall through */
	default:
		r = f->f_op && f->f_op->ioctl ? f->f_op->ioctl(f, cmd, arg) : -ENOTTY;
	}
	fput(f);
	return r;
}
