/* stat family, statx and statfs. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
/* asm/stat.h names a field __unused, which types.h defines as a macro */
#pragma push_macro("__unused")
#undef __unused
#include <asm/stat.h>
#pragma pop_macro("__unused")
#include <asm/statfs.h>
#include "internal.h"

int user_path_at(int dfd, uaddr_t upath, unsigned flags, struct path *out)
{
	char *name = (flags & LOOKUP_EMPTY) ? getname_empty_ok(upath) : getname(upath);
	if (IS_ERR(name))
		return PTR_ERR(name);
	int err = kern_path_at(dfd, name, flags, out);
	putname(name);
	return err;
}

/* Resolve (dfd, path, AT_* flags) as the *at syscalls do. */
static int at_path(int dfd, uaddr_t upath, int atflags, struct path *out)
{
	unsigned lf = (atflags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (atflags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	return user_path_at(dfd, upath, lf, out);
}

static uint32_t dev_major(uint64_t d) { return ((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffu); }
static uint32_t dev_minor(uint64_t d) { return (d & 0xff) | ((d >> 12) & ~0xffu); }

static int put_stat(const struct path *p, uaddr_t ubuf)
{
	struct kstat k;
	int err = vfs_getattr(p->dentry->d_inode, &k);
	if (err)
		return err;
	struct stat s;
	memset(&s, 0, sizeof(s));
	s.st_dev = k.dev;
	s.st_ino = k.ino;
	s.st_nlink = k.nlink;
	s.st_mode = k.mode;
	s.st_uid = k.uid;
	s.st_gid = k.gid;
	s.st_rdev = k.rdev;
	s.st_size = k.size;
	s.st_blksize = k.blksize;
	s.st_blocks = k.blocks;
	s.st_atime = k.atime.tv_sec;
	s.st_atime_nsec = k.atime.tv_nsec;
	s.st_mtime = k.mtime.tv_sec;
	s.st_mtime_nsec = k.mtime.tv_nsec;
	s.st_ctime = k.ctime.tv_sec;
	s.st_ctime_nsec = k.ctime.tv_nsec;
	return copy_to_user(ubuf, &s, sizeof(s));
}

static long do_fstatat(int dfd, uaddr_t upath, uaddr_t ubuf, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	struct path p;
	int err = at_path(dfd, upath, flags, &p);
	if (err)
		return err;
	err = put_stat(&p, ubuf);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(stat, uaddr_t, path, uaddr_t, buf) { return do_fstatat(AT_FDCWD, path, buf, 0); }
SYSCALL_DEFINE2(lstat, uaddr_t, path, uaddr_t, buf) { return do_fstatat(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW); }
SYSCALL_DEFINE4(newfstatat, int, dfd, uaddr_t, path, uaddr_t, buf, int, flags) { return do_fstatat(dfd, path, buf, flags); }

SYSCALL_DEFINE2(fstat, int, fd, uaddr_t, buf)
{
	struct file *f = fget_raw(fd);
	if (!f)
		return -EBADF;
	int err;
	if (f->f_path.dentry) {
		err = put_stat(&f->f_path, buf);
	} else {
		struct dentry d = { .d_count = 1, .d_inode = f->f_inode };
		struct path p = { NULL, &d };
		err = put_stat(&p, buf);
	}
	fput(f);
	return err;
}

SYSCALL_DEFINE5(statx, int, dfd, uaddr_t, upath, int, flags, unsigned, mask, uaddr_t, ubuf)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	struct path p;
	struct inode *inode;
	struct file *f = NULL;
	int err = 0;
	char *name = (flags & AT_EMPTY_PATH) ? getname_empty_ok(upath) : getname(upath);
	if (IS_ERR(name))
		return PTR_ERR(name);
	if (!*name && dfd != AT_FDCWD) {
		/* the descriptor itself (may be a pipe without a path) */
		f = fget_raw(dfd);
		if (!f)
			err = -EBADF;
	} else {
		unsigned lf = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
		err = kern_path_at(dfd, name, lf, &p);
	}
	putname(name);
	if (err)
		return err;
	inode = f ? f->f_inode : p.dentry->d_inode;
	struct kstat k;
	err = vfs_getattr(inode, &k);
	if (!err) {
		struct statx sx;
		memset(&sx, 0, sizeof(sx));
		sx.stx_mask = STATX_BASIC_STATS;
		sx.stx_blksize = k.blksize;
		sx.stx_nlink = k.nlink;
		sx.stx_uid = k.uid;
		sx.stx_gid = k.gid;
		sx.stx_mode = k.mode;
		sx.stx_ino = k.ino;
		sx.stx_size = k.size;
		sx.stx_blocks = k.blocks;
		sx.stx_atime = (struct statx_timestamp){ k.atime.tv_sec, (uint32_t)k.atime.tv_nsec, 0 };
		sx.stx_mtime = (struct statx_timestamp){ k.mtime.tv_sec, (uint32_t)k.mtime.tv_nsec, 0 };
		sx.stx_ctime = (struct statx_timestamp){ k.ctime.tv_sec, (uint32_t)k.ctime.tv_nsec, 0 };
		sx.stx_rdev_major = dev_major(k.rdev);
		sx.stx_rdev_minor = dev_minor(k.rdev);
		sx.stx_dev_major = dev_major(k.dev);
		sx.stx_dev_minor = dev_minor(k.dev);
		err = copy_to_user(ubuf, &sx, sizeof(sx));
	}
	if (f)
		fput(f);
	else
		path_put(&p);
	return err;
}

/* f_flags: ST_VALID plus the mount's flags, as Linux's calculate_f_flags */
static int64_t mnt_st_flags(struct vfsmount *m)
{
	int64_t f = 0x20;	/* ST_VALID */
	if (!m)
		return f;
	int mf = m->mnt_flags;
	f |= (mf & MNT_READONLY ? 1 : 0) | (mf & MNT_NOSUID ? 2 : 0) | (mf & MNT_NODEV ? 4 : 0) |
	     (mf & MNT_NOEXEC ? 8 : 0) | (mf & MNT_NOATIME ? 1024 : 0) | (mf & MNT_NODIRATIME ? 2048 : 0) |
	     (mf & MNT_RELATIME ? 4096 : 0);
	return f;
}

static int put_statfs(struct vfsmount *mnt, struct inode *inode, uaddr_t ubuf)
{
	struct super_block *sb = inode->i_sb;
	struct kstatfs k = { .f_type = sb ? (int64_t)sb->s_magic : 0, .f_bsize = 4096, .f_frsize = 4096, .f_namelen = NAME_MAX };
	if (sb && sb->s_op && sb->s_op->statfs) {
		int err = sb->s_op->statfs(sb, inode, &k);
		if (err)
			return err;
	}
	struct statfs s;
	memset(&s, 0, sizeof(s));
	s.f_type = k.f_type;
	s.f_bsize = k.f_bsize;
	s.f_blocks = k.f_blocks;
	s.f_bfree = k.f_bfree;
	s.f_bavail = k.f_bavail;
	s.f_files = k.f_files;
	s.f_ffree = k.f_ffree;
	memcpy(&s.f_fsid, &k.f_fsid, sizeof(s.f_fsid));
	s.f_namelen = k.f_namelen;
	s.f_frsize = k.f_frsize;
	s.f_flags = k.f_flags | mnt_st_flags(mnt);
	return copy_to_user(ubuf, &s, sizeof(s));
}

SYSCALL_DEFINE2(statfs, uaddr_t, upath, uaddr_t, buf)
{
	struct path p;
	int err = user_path_at(AT_FDCWD, upath, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = put_statfs(p.mnt, p.dentry->d_inode, buf);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(fstatfs, int, fd, uaddr_t, buf)
{
	struct file *f = fget_raw(fd);
	if (!f)
		return -EBADF;
	int err = put_statfs(f->f_path.mnt, f->f_inode, buf);
	fput(f);
	return err;
}
