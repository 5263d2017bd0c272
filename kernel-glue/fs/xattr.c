/* The extended attribute syscalls (Linux's fs/xattr.c): the name, flags
 * and size checks, the object (path, symlink itself, or fd), read-only
 * mounts, xattr_permission's namespace rules, commoncap's security.*
 * rules and the security.capability format, then the filesystem's
 * getxattr/setxattr/listxattr (tmpfs stores them; a filesystem without
 * them says EOPNOTSUPP and lists nothing). The ACL names go to
 * posix_acl.c, as Linux's do_set_acl/do_get_acl. The checks come in Linux
 * 6.13+'s order: flags, name, size and value before the lookup. */
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/fsnotify.h>
#include <umk/posix_acl.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/xattr.h>
#include "internal.h"

/* The object an xattr call works on: a looked-up path or an open file. */
struct xtarget {
	struct path path;
	struct file *file;
	struct inode *inode;
	struct vfsmount *mnt;
};

static long import_name(uaddr_t uname, char *name)
{
	long n = strncpy_from_user(name, uname, XATTR_NAME_MAX + 1);
	if (n == -ENAMETOOLONG || n == 0)
		return -ERANGE;
	return n < 0 ? n : 0;
}

static long target_get(struct xtarget *t, uaddr_t upath, int fd, bool follow)
{
	*t = (struct xtarget){ 0 };
	if (fd >= 0) {
		struct file *f = fget(fd);
		if (!f)
			return -EBADF;
		if (f->f_mode & FMODE_PATH) {
			fput(f);
			return -EBADF;
		}
		t->file = f;
		t->inode = f->f_inode;
		t->mnt = f->f_path.mnt;
		return 0;
	}
	int err = user_path_at(AT_FDCWD, upath, follow ? LOOKUP_FOLLOW : 0, &t->path);
	if (err)
		return err;
	t->inode = t->path.dentry->d_inode;
	t->mnt = t->path.mnt;
	return 0;
}

/* A changed attribute is IN_ATTRIB for watchers (Linux's fsnotify_xattr). */
static void target_changed(struct xtarget *t)
{
	t->inode->i_ctime = current_time();
	fsnotify_attrib(t->file ? t->file->f_path.dentry : t->path.dentry);
}

static void target_put(struct xtarget *t)
{
	if (t->file)
		fput(t->file);
	else
		path_put(&t->path);
}

static bool has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/* Linux's xattr_permission. */
static int xattr_permission(struct inode *inode, const char *name, int mask)
{
	if (has_prefix(name, XATTR_SECURITY_PREFIX) || has_prefix(name, XATTR_SYSTEM_PREFIX))
		return 0;
	if (has_prefix(name, XATTR_TRUSTED_PREFIX)) {
		if (!capable(CAP_SYS_ADMIN))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		return 0;
	}
	if (has_prefix(name, XATTR_USER_PREFIX)) {
		if (!S_ISREG(inode->i_mode) && !S_ISDIR(inode->i_mode))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		if (S_ISDIR(inode->i_mode) && (inode->i_mode & S_ISVTX) && (mask & MAY_WRITE) &&
		    !inode_owner_or_capable(inode))
			return -EPERM;
	}
	return inode_permission(inode, mask);
}

/* commoncap's cap_inode_setxattr/removexattr: security.* other than the
 * capability needs CAP_SYS_ADMIN; the capability itself CAP_SETFCAP. */
static int security_xattr_write(const char *name, bool remove)
{
	if (!has_prefix(name, XATTR_SECURITY_PREFIX))
		return 0;
	if (!strcmp(name, XATTR_NAME_CAPS))
		return (!remove || capable(CAP_SETFCAP)) ? 0 : -EPERM;
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* A namespace some filesystem handler would take (Linux's
 * xattr_resolve_name): the prefix alone is EINVAL, the unknown
 * EOPNOTSUPP. (POSIX ACL names go to posix_acl.c before this.) */
static int xattr_resolve(const char *name)
{
	static const char *const prefixes[] = { XATTR_USER_PREFIX, XATTR_TRUSTED_PREFIX, XATTR_SECURITY_PREFIX };
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (has_prefix(name, prefixes[i]))
			return name[strlen(prefixes[i])] ? 0 : -EINVAL;
	return -EOPNOTSUPP;
}

/* cap_convert_nscap's format check: a v2 or v3 vfs_cap_data, by size. */
static int check_caps_value(const void *value, size_t size)
{
	uint32_t magic;
	if (size < sizeof(magic))
		return -EINVAL;
	memcpy(&magic, value, sizeof(magic));
	magic &= ~VFS_CAP_FLAGS_EFFECTIVE;
	if (size == XATTR_CAPS_SZ_2 ? magic != VFS_CAP_REVISION_2
	    : size == XATTR_CAPS_SZ_3 ? magic != VFS_CAP_REVISION_3 : true)
		return -EINVAL;
	return capable(CAP_SETFCAP) ? 0 : -EPERM;
}

static long vfs_setxattr(struct xtarget *t, const char *name, const void *value, size_t size, int flags)
{
	struct inode *inode = t->inode;
	int err;
	if (is_posix_acl_xattr(name))
		return posix_acl_set_xattr(inode, name, size ? value : NULL, size);
	if (size && !strcmp(name, XATTR_NAME_CAPS) && (err = check_caps_value(value, size)))
		return err;
	if ((err = xattr_permission(inode, name, MAY_WRITE)) || (err = security_xattr_write(name, false)))
		return err;
	if (!inode->i_op || !inode->i_op->setxattr)
		return -EOPNOTSUPP;
	if ((err = xattr_resolve(name)))
		return err;
	return inode->i_op->setxattr(inode, name, value ? value : "", size, flags);
}

/* cap_inode_getsecurity: a v3 capability whose root is uid 0 reads back
 * as v2 (there are no user namespaces to map it into). */
static ssize_t caps_to_v2(void *buf, ssize_t n, size_t size)
{
	struct vfs_ns_cap_data c;
	if (n != XATTR_CAPS_SZ_3 || !size)
		return n;
	memcpy(&c, buf, sizeof(c));
	if ((c.magic_etc & ~VFS_CAP_FLAGS_EFFECTIVE) != VFS_CAP_REVISION_3 || c.rootid)
		return n;
	c.magic_etc = VFS_CAP_REVISION_2 | (c.magic_etc & VFS_CAP_FLAGS_EFFECTIVE);
	memcpy(buf, &c, XATTR_CAPS_SZ_2);
	return XATTR_CAPS_SZ_2;
}

static ssize_t vfs_getxattr(struct xtarget *t, const char *name, void *buf, size_t size)
{
	struct inode *inode = t->inode;
	if (is_posix_acl_xattr(name))
		return posix_acl_get_xattr(inode, name, buf, size);
	int err = xattr_permission(inode, name, MAY_READ);
	if (err)
		return err;
	if (!inode->i_op || !inode->i_op->getxattr)
		return -EOPNOTSUPP;
	if ((err = xattr_resolve(name)))
		return err;
	if (!strcmp(name, XATTR_NAME_CAPS)) {
		/* read it whole to see its version, then answer for size */
		char caps[XATTR_CAPS_SZ_3];
		ssize_t n = inode->i_op->getxattr(inode, name, caps, sizeof(caps));
		if (n == -ERANGE)
			return inode->i_op->getxattr(inode, name, buf, size);
		if (n < 0)
			return n;
		n = caps_to_v2(caps, n, sizeof(caps));
		if (size && (size_t)n > size)
			return -ERANGE;
		if (size)
			memcpy(buf, caps, n);
		return n;
	}
	return inode->i_op->getxattr(inode, name, buf, size);
}

static long vfs_removexattr(struct xtarget *t, const char *name)
{
	struct inode *inode = t->inode;
	int err;
	if (is_posix_acl_xattr(name))
		return posix_acl_set_xattr(inode, name, NULL, 0);
	if ((err = xattr_permission(inode, name, MAY_WRITE)) || (err = security_xattr_write(name, true)))
		return err;
	if (!inode->i_op || !inode->i_op->setxattr)
		return -EOPNOTSUPP;
	if ((err = xattr_resolve(name)))
		return err;
	return inode->i_op->setxattr(inode, name, NULL, 0, XATTR_REPLACE);
}

static long do_setxattr(uaddr_t upath, int fd, bool follow, uaddr_t uname, uaddr_t uvalue, size_t size, int flags)
{
	struct xtarget t;
	long err;
	if (fd >= 0 && (err = target_get(&t, 0, fd, false)))
		return err;
	char name[XATTR_NAME_MAX + 1];
	void *value = NULL;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		err = -EINVAL;
	else if (!(err = import_name(uname, name)) && size) {
		if (size > XATTR_SIZE_MAX)
			err = -E2BIG;
		else if (!(value = kmalloc_user(size)))
			err = -ENOMEM;
		else
			err = copy_from_user(value, uvalue, size);
	}
	if (!err && fd < 0)
		err = target_get(&t, upath, -1, follow);
	else if (err && fd >= 0)
		target_put(&t);
	if (!err) {
		err = t.mnt ? mnt_want_write(t.mnt) : 0;
		if (!err)
			err = vfs_setxattr(&t, name, value, size, flags);
		if (!err)
			target_changed(&t);
		target_put(&t);
	}
	kfree(value);
	return err;
}

static long do_getxattr(uaddr_t upath, int fd, bool follow, uaddr_t uname, uaddr_t uvalue, size_t size)
{
	struct xtarget t;
	long err;
	if (fd >= 0 && (err = target_get(&t, 0, fd, false)))
		return err;
	char name[XATTR_NAME_MAX + 1];
	if ((err = import_name(uname, name)) || (fd < 0 && (err = target_get(&t, upath, -1, follow)))) {
		if (fd >= 0)
			target_put(&t);
		return err;
	}
	if (size > XATTR_SIZE_MAX)
		size = XATTR_SIZE_MAX;
	void *value = size ? kmalloc_user(size) : NULL;
	if (size && !value)
		err = -ENOMEM;
	else
		err = vfs_getxattr(&t, name, value, size);
	if (err > 0 && size && copy_to_user(uvalue, value, err))
		err = -EFAULT;
	else if (err == -ERANGE && size >= XATTR_SIZE_MAX)
		err = -E2BIG;
	kfree(value);
	target_put(&t);
	return err;
}

static long do_listxattr(uaddr_t upath, int fd, bool follow, uaddr_t ulist, size_t size)
{
	struct xtarget t;
	long err = target_get(&t, upath, fd, follow);
	if (err)
		return err;
	if (size > XATTR_LIST_MAX)
		size = XATTR_LIST_MAX;
	char *list = size ? kmalloc_user(size) : NULL;
	if (size && !list)
		err = -ENOMEM;
	else if (t.inode->i_op && t.inode->i_op->listxattr)
		err = t.inode->i_op->listxattr(t.inode, list, size);
	else
		err = 0;
	if (err > 0 && size && copy_to_user(ulist, list, err))
		err = -EFAULT;
	else if (err == -ERANGE && size >= XATTR_LIST_MAX)
		err = -E2BIG;
	kfree(list);
	target_put(&t);
	return err;
}

static long do_removexattr(uaddr_t upath, int fd, bool follow, uaddr_t uname)
{
	struct xtarget t;
	long err;
	if (fd >= 0 && (err = target_get(&t, 0, fd, false)))
		return err;
	char name[XATTR_NAME_MAX + 1];
	if ((err = import_name(uname, name)) || (fd < 0 && (err = target_get(&t, upath, -1, follow)))) {
		if (fd >= 0)
			target_put(&t);
		return err;
	}
	err = t.mnt ? mnt_want_write(t.mnt) : 0;
	if (!err)
		err = vfs_removexattr(&t, name);
	if (!err)
		target_changed(&t);
	target_put(&t);
	return err;
}

/* a negative fd is EBADF, not "use the path" */
#define FD(fd) ((fd) < 0 ? INT32_MAX : (fd))

SYSCALL_DEFINE5(setxattr, uaddr_t, p, uaddr_t, n, uaddr_t, v, size_t, s, int, fl) { return do_setxattr(p, -1, true, n, v, s, fl); }
SYSCALL_DEFINE5(lsetxattr, uaddr_t, p, uaddr_t, n, uaddr_t, v, size_t, s, int, fl) { return do_setxattr(p, -1, false, n, v, s, fl); }
SYSCALL_DEFINE5(fsetxattr, int, fd, uaddr_t, n, uaddr_t, v, size_t, s, int, fl) { return do_setxattr(0, FD(fd), false, n, v, s, fl); }
SYSCALL_DEFINE4(getxattr, uaddr_t, p, uaddr_t, n, uaddr_t, v, size_t, s) { return do_getxattr(p, -1, true, n, v, s); }
SYSCALL_DEFINE4(lgetxattr, uaddr_t, p, uaddr_t, n, uaddr_t, v, size_t, s) { return do_getxattr(p, -1, false, n, v, s); }
SYSCALL_DEFINE4(fgetxattr, int, fd, uaddr_t, n, uaddr_t, v, size_t, s) { return do_getxattr(0, FD(fd), false, n, v, s); }
SYSCALL_DEFINE2(removexattr, uaddr_t, p, uaddr_t, n) { return do_removexattr(p, -1, true, n); }
SYSCALL_DEFINE2(lremovexattr, uaddr_t, p, uaddr_t, n) { return do_removexattr(p, -1, false, n); }
SYSCALL_DEFINE2(fremovexattr, int, fd, uaddr_t, n) { return do_removexattr(0, FD(fd), false, n); }
SYSCALL_DEFINE3(listxattr, uaddr_t, p, uaddr_t, l, size_t, s) { return do_listxattr(p, -1, true, l, s); }
SYSCALL_DEFINE3(llistxattr, uaddr_t, p, uaddr_t, l, size_t, s) { return do_listxattr(p, -1, false, l, s); }
SYSCALL_DEFINE3(flistxattr, int, fd, uaddr_t, l, size_t, s) { return do_listxattr(0, FD(fd), false, l, s); }
