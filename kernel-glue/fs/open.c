/* open/close, access checks, cwd and root, and attribute changes. */
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/fsnotify.h>
#include <umk/fsnotify.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include "internal.h"

#define VALID_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | \
			  O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | \
			  O_NOATIME | O_CLOEXEC | O_PATH | __O_SYNC | __O_TMPFILE)

static long open_common(int dfd, uaddr_t upath, int flags, umode_t mode)
{
	flags &= VALID_OPEN_FLAGS;
	if (flags & __O_TMPFILE)
		return -EOPNOTSUPP;
	flags |= O_LARGEFILE;	/* 64-bit: always, and F_GETFL shows it */
	char *name = getname(upath);
	if (IS_ERR(name))
		return PTR_ERR(name);
	struct file *f = do_filp_open(dfd, name, flags, mode);
	putname(name);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(f, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

SYSCALL_DEFINE3(open, uaddr_t, path, int, flags, umode_t, mode) { return open_common(AT_FDCWD, path, flags, mode); }
SYSCALL_DEFINE4(openat, int, dfd, uaddr_t, path, int, flags, umode_t, mode) { return open_common(dfd, path, flags, mode); }
SYSCALL_DEFINE2(creat, uaddr_t, path, umode_t, mode) { return open_common(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode); }

/* access() checks with the real ids unless AT_EACCESS. */
static long do_faccessat(int dfd, uaddr_t upath, int mode, int flags)
{
	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct cred saved = current->cred;
	if (!(flags & AT_EACCESS)) {
		struct cred *c = &current->cred;
		c->fsuid = c->uid;
		c->fsgid = c->gid;
		/* as Linux's access_override_creds: the real uid's view of
		 * the capabilities, root's permitted set or none */
		if (!(c->securebits & SECBIT_NO_SETUID_FIXUP))
			c->cap_effective = c->uid == 0 ? c->cap_permitted : 0;
	}
	struct path p;
	unsigned lf = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
	int err = user_path_at(dfd, upath, lf, &p);
	if (!err) {
		struct inode *i = p.dentry->d_inode;
		if ((mode & MAY_WRITE) && (S_ISREG(i->i_mode) || S_ISDIR(i->i_mode) || S_ISLNK(i->i_mode)))
			err = mnt_want_write(p.mnt);
		if (!err && mode)
			err = inode_permission(i, mode);
		path_put(&p);
	}
	current->cred = saved;
	return err;
}

SYSCALL_DEFINE2(access, uaddr_t, path, int, mode) { return do_faccessat(AT_FDCWD, path, mode, 0); }
SYSCALL_DEFINE3(faccessat, int, dfd, uaddr_t, path, int, mode) { return do_faccessat(dfd, path, mode, 0); }
SYSCALL_DEFINE4(faccessat2, int, dfd, uaddr_t, path, int, mode, int, flags) { return do_faccessat(dfd, path, mode, flags); }

static long set_pwd(struct path *p)
{
	int err = inode_permission(p->dentry->d_inode, MAY_EXEC);
	if (!err) {
		struct fs_struct *fs = current->fs;
		path_put(&fs->pwd);
		fs->pwd = *p;
		return 0;
	}
	path_put(p);
	return err;
}

SYSCALL_DEFINE1(chdir, uaddr_t, upath)
{
	struct path p;
	int err = user_path_at(AT_FDCWD, upath, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	return err ? err : set_pwd(&p);
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fget_raw(fd);
	if (!f)
		return -EBADF;
	long err = -ENOTDIR;
	if (f->f_path.mnt && S_ISDIR(f->f_inode->i_mode)) {
		struct path p = f->f_path;
		path_get(&p);
		err = set_pwd(&p);
	}
	fput(f);
	return err;
}

SYSCALL_DEFINE1(chroot, uaddr_t, upath)
{
	struct path p;
	int err = user_path_at(AT_FDCWD, upath, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	err = inode_permission(p.dentry->d_inode, MAY_EXEC);
	if (!err && !capable(CAP_SYS_CHROOT))
		err = -EPERM;
	if (err) {
		path_put(&p);
		return err;
	}
	path_put(&current->fs->root);
	current->fs->root = p;
	return 0;
}

SYSCALL_DEFINE2(getcwd, uaddr_t, ubuf, unsigned long, size)
{
	struct fs_struct *fs = current->fs;
	struct inode *i = fs->pwd.dentry->d_inode;
	if (i->i_op && i->i_op->getattr)
		i->i_op->getattr(i);
	if (i->i_nlink == 0)
		return -ENOENT;	/* removed */
	struct sbuf b;
	sbuf_init(&b);
	path_to_sbuf(&fs->pwd, &b);
	long r = b.len + 1;
	if ((unsigned long)r > size)
		r = -ERANGE;
	else if (copy_to_user(ubuf, b.buf, b.len) || copy_to_user(ubuf + b.len, "", 1))
		r = -EFAULT;
	sbuf_free(&b);
	return r;
}

SYSCALL_DEFINE1(umask, int, mask)
{
	umode_t old = current->fs->umask;
	current->fs->umask = mask & 0777;
	return old;
}

static int notify_change(const struct path *p, struct iattr *ia)
{
	struct inode *i = p->dentry->d_inode;
	if (!i->i_op || !i->i_op->setattr)
		return -EPERM;
	int err = i->i_op->setattr(i, ia);
	if (!err)
		fsnotify_change(p->dentry, ia->valid);
	return err;
}

static int do_truncate_path(const struct path *p, loff_t len)
{
	struct inode *i = p->dentry->d_inode;
	if (S_ISDIR(i->i_mode))
		return -EISDIR;
	if (!S_ISREG(i->i_mode))
		return -EINVAL;
	int err = mnt_want_write(p->mnt);
	if (!err)
		err = inode_permission(i, MAY_WRITE);
	if (err)
		return err;
	if ((err = file_remove_privs(i)))
		return err;
	struct iattr ia = { .valid = ATTR_SIZE, .size = len };
	return notify_change(p, &ia);
}

SYSCALL_DEFINE2(truncate, uaddr_t, upath, loff_t, len)
{
	if (len < 0)
		return -EINVAL;
	struct path p;
	int err = user_path_at(AT_FDCWD, upath, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = do_truncate_path(&p, len);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(ftruncate, int, fd, loff_t, len)
{
	if (len < 0)
		return -EINVAL;
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	int err = -EINVAL;
	if (S_ISREG(f->f_inode->i_mode) && (f->f_mode & FMODE_WRITE) && f->f_path.mnt) {
		struct iattr ia = { .valid = ATTR_SIZE, .size = len };
		/* O_APPEND fds may truncate (only chattr +a files may not) */
		err = file_remove_privs(f->f_inode);
		if (!err)
			err = notify_change(&f->f_path, &ia);
	}
	fput(f);
	return err;
}

static int chmod_path(const struct path *p, umode_t mode)
{
	struct inode *i = p->dentry->d_inode;
	int err = mnt_want_write(p->mnt);
	if (err)
		return err;
	if (!inode_owner_or_capable(i))
		return -EPERM;
	/* as Linux's setattr_prepare: set-group-ID only for a member of
	 * the file's group, or with CAP_FSETID */
	if ((mode & S_ISGID) && !in_group_p(i->i_gid) && !capable(CAP_FSETID))
		mode &= ~S_ISGID;
	struct iattr ia = { .valid = ATTR_MODE, .mode = (mode & 07777) | (i->i_mode & S_IFMT) };
	return notify_change(p, &ia);
}

static long do_fchmodat(int dfd, uaddr_t upath, umode_t mode)
{
	struct path p;
	int err = user_path_at(dfd, upath, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = chmod_path(&p, mode);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(chmod, uaddr_t, path, umode_t, mode) { return do_fchmodat(AT_FDCWD, path, mode); }
SYSCALL_DEFINE3(fchmodat, int, dfd, uaddr_t, path, umode_t, mode) { return do_fchmodat(dfd, path, mode); }

SYSCALL_DEFINE2(fchmod, int, fd, umode_t, mode)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	int err = f->f_path.mnt ? chmod_path(&f->f_path, mode) : -EPERM;
	fput(f);
	return err;
}


static int chown_path(const struct path *p, uid_t uid, gid_t gid)
{
	struct inode *i = p->dentry->d_inode;
	int err = mnt_want_write(p->mnt);
	if (err)
		return err;
	struct iattr ia = { 0 };
	if (uid != (uid_t)-1) {
		ia.valid |= ATTR_UID;
		ia.uid = uid;
	}
	if (gid != (gid_t)-1) {
		ia.valid |= ATTR_GID;
		ia.gid = gid;
	}
	if (!capable(CAP_CHOWN)) {
		/* owners may only change the group, to one of their own */
		if ((ia.valid & ATTR_UID) && uid != i->i_uid)
			return -EPERM;
		if ((ia.valid & ATTR_GID) && (current->cred.fsuid != i->i_uid || (gid != i->i_gid && !in_group_p(gid))))
			return -EPERM;
		if (ia.valid && current->cred.fsuid != i->i_uid)
			return -EPERM;
	}
	/* as Linux's chown_common (ATTR_KILL_SUID/SGID): any chown of a
	 * non-directory, by root too, drops set-user-ID, and set-group-ID
	 * where it means one (group execute) */
	if (!S_ISDIR(i->i_mode)) {
		umode_t m = i->i_mode & ~S_ISUID;
		if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			m &= ~S_ISGID;
		if (m != i->i_mode) {
			ia.valid |= ATTR_MODE;
			ia.mode = m;
		}
	}
	if (!ia.valid)
		return 0;
	return notify_change(p, &ia);
}

static long do_fchownat(int dfd, uaddr_t upath, uid_t uid, gid_t gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct path p;
	unsigned lf = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
	int err = user_path_at(dfd, upath, lf, &p);
	if (err)
		return err;
	err = chown_path(&p, uid, gid);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE3(chown, uaddr_t, path, uid_t, uid, gid_t, gid) { return do_fchownat(AT_FDCWD, path, uid, gid, 0); }
SYSCALL_DEFINE3(lchown, uaddr_t, path, uid_t, uid, gid_t, gid) { return do_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW); }
SYSCALL_DEFINE5(fchownat, int, dfd, uaddr_t, path, uid_t, uid, gid_t, gid, int, flags) { return do_fchownat(dfd, path, uid, gid, flags); }

SYSCALL_DEFINE3(fchown, int, fd, uid_t, uid, gid_t, gid)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	int err = f->f_path.mnt ? chown_path(&f->f_path, uid, gid) : -EPERM;
	fput(f);
	return err;
}

/* times: NULL = now; explicit times need ownership, "now" needs write. */
static int utimes_path(const struct path *p, const struct kts *t)
{
	struct inode *i = p->dentry->d_inode;
	int err = mnt_want_write(p->mnt);
	if (err)
		return err;
	struct iattr ia = { .valid = ATTR_ATIME | ATTR_MTIME };
	ia.atime = ia.mtime = (struct kts){ 0, UTIME_NOW };
	bool explicit = false;
	if (t) {
		if (t[0].tv_nsec == UTIME_OMIT && t[1].tv_nsec == UTIME_OMIT)
			return 0;
		ia.atime = t[0];
		ia.mtime = t[1];
		if (t[0].tv_nsec == UTIME_OMIT)
			ia.valid &= ~ATTR_ATIME;
		if (t[1].tv_nsec == UTIME_OMIT)
			ia.valid &= ~ATTR_MTIME;
		explicit = (t[0].tv_nsec != UTIME_NOW && t[0].tv_nsec != UTIME_OMIT) ||
			   (t[1].tv_nsec != UTIME_NOW && t[1].tv_nsec != UTIME_OMIT);
	}
	if (!inode_owner_or_capable(i)) {
		if (explicit)
			return -EPERM;
		if (inode_permission(i, MAY_WRITE))
			return -EACCES;
	}
	return notify_change(p, &ia);
}

static bool valid_nsec(int64_t ns) { return (ns >= 0 && ns < 1000000000) || ns == UTIME_NOW || ns == UTIME_OMIT; }

static long do_utimes(int dfd, uaddr_t upath, const struct kts *t, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (t && (!valid_nsec(t[0].tv_nsec) || !valid_nsec(t[1].tv_nsec)))
		return -EINVAL;
	int err;
	if (!upath) {
		/* utimensat(fd, NULL, ...): the descriptor itself */
		if (flags & AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		if (dfd == AT_FDCWD)
			return -EFAULT;
		struct file *f = fget_raw(dfd);
		if (!f)
			return -EBADF;
		err = f->f_path.mnt ? utimes_path(&f->f_path, t) : -EPERM;
		fput(f);
		return err;
	}
	struct path p;
	unsigned lf = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
	err = user_path_at(dfd, upath, lf, &p);
	if (err)
		return err;
	err = utimes_path(&p, t);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE4(utimensat, int, dfd, uaddr_t, upath, uaddr_t, utimes, int, flags)
{
	struct kts t[2];
	if (utimes) {
		int64_t raw[4];
		if (copy_from_user(raw, utimes, sizeof(raw)))
			return -EFAULT;
		t[0] = (struct kts){ raw[0], raw[1] };
		t[1] = (struct kts){ raw[2], raw[3] };
	}
	return do_utimes(dfd, upath, utimes ? t : NULL, flags);
}

static long utimes_tv(int dfd, uaddr_t upath, uaddr_t utv)
{
	struct kts t[2];
	if (utv) {
		int64_t raw[4];	/* struct timeval[2] */
		if (copy_from_user(raw, utv, sizeof(raw)))
			return -EFAULT;
		if (raw[1] < 0 || raw[1] >= 1000000 || raw[3] < 0 || raw[3] >= 1000000)
			return -EINVAL;
		t[0] = (struct kts){ raw[0], raw[1] * 1000 };
		t[1] = (struct kts){ raw[2], raw[3] * 1000 };
	}
	return do_utimes(dfd, upath, utv ? t : NULL, 0);
}

SYSCALL_DEFINE2(utimes, uaddr_t, path, uaddr_t, tv) { return utimes_tv(AT_FDCWD, path, tv); }
SYSCALL_DEFINE3(futimesat, int, dfd, uaddr_t, path, uaddr_t, tv) { return utimes_tv(dfd, path, tv); }

SYSCALL_DEFINE2(utime, uaddr_t, path, uaddr_t, ubuf)
{
	struct kts t[2];
	if (ubuf) {
		int64_t raw[2];	/* struct utimbuf */
		if (copy_from_user(raw, ubuf, sizeof(raw)))
			return -EFAULT;
		t[0] = (struct kts){ raw[0], 0 };
		t[1] = (struct kts){ raw[1], 0 };
	}
	return do_utimes(AT_FDCWD, path, ubuf ? t : NULL, 0);
}
