/* fallocate(2): the generic checks of Linux 6.x's vfs_fallocate (mode
 * combinations, then the file), then the filesystem's own operation.
 * tmpfs allocates and punches holes (0, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE);
 * a filesystem without the operation, or a mode it lacks, says
 * EOPNOTSUPP, as Linux's hostfs does. */
#include <umk/fs.h>
#include <umk/fsnotify.h>
#include <umk/fdtable.h>
#include <umk/syscall.h>
#include <linux/falloc.h>

/* newer than the uapi headers umk builds with */
#ifndef FALLOC_FL_ALLOCATE_RANGE
#define FALLOC_FL_ALLOCATE_RANGE 0x00
#endif
#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80	/* Linux 6.17 */
#endif

#define FALLOC_FL_MODE_MASK (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | \
			     FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES)

static long mode_check(int mode)
{
	if (mode & ~(FALLOC_FL_MODE_MASK | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & FALLOC_FL_MODE_MASK) {
	case FALLOC_FL_ALLOCATE_RANGE:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		return 0;
	case FALLOC_FL_PUNCH_HOLE:
		return mode & FALLOC_FL_KEEP_SIZE ? 0 : -EOPNOTSUPP;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES:
		return mode & FALLOC_FL_KEEP_SIZE ? -EOPNOTSUPP : 0;
	default:
		return -EOPNOTSUPP;
	}
}

SYSCALL_DEFINE4(fallocate, int, fd, int, mode, loff_t, off, loff_t, len)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	umode_t m = f->f_inode->i_mode;
	long r = -EINVAL;
	if (off < 0 || len <= 0)
		goto out;
	r = mode_check(mode);
	if (r)
		goto out;
	r = -EBADF;
	if (!(f->f_mode & FMODE_WRITE))
		goto out;
	r = S_ISFIFO(m) ? -ESPIPE : S_ISDIR(m) ? -EISDIR : !S_ISREG(m) && !S_ISBLK(m) ? -ENODEV : 0;
	if (r)
		goto out;
	r = -EFBIG;
	if ((loff_t)((uint64_t)off + (uint64_t)len) < 0)
		goto out;
	r = f->f_op && f->f_op->fallocate ? f->f_op->fallocate(f, mode, off, len) : -EOPNOTSUPP;
	if (!r)
		fsnotify_modify(f);	/* as Linux's vfs_fallocate */
out:
	fput(f);
	return r;
}
