/* Extended attributes: no filesystem here stores any. As on Linux for a
 * filesystem without xattr handlers, get/set/remove say EOPNOTSUPP and
 * list returns an empty list -- after the path resolves, so a missing
 * file is still ENOENT (ls -l and cp -a stay quiet). */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include "internal.h"

#define XATTR_NAME_MAX 255

/* Resolve the object (path with or without following, or fd) and check
 * the attribute name; 0 if both are fine. */
static long xattr_target(uaddr_t upath, int fd, bool follow, uaddr_t uname)
{
	if (uname) {
		char name[XATTR_NAME_MAX + 1];
		long n = strncpy_from_user(name, uname, sizeof(name));
		if (n == -ENAMETOOLONG || n == 0)
			return -ERANGE;
		if (n < 0)
			return n;
	}
	if (fd >= 0) {
		struct file *f = fget(fd);
		if (!f)
			return -EBADF;
		fput(f);
		return 0;
	}
	struct path p;
	int err = user_path_at(AT_FDCWD, upath, follow ? LOOKUP_FOLLOW : 0, &p);
	if (!err)
		path_put(&p);
	return err;
}

static long get_or_set(uaddr_t upath, int fd, bool follow, uaddr_t uname)
{
	long err = xattr_target(upath, fd, follow, uname);
	return err ? err : -EOPNOTSUPP;
}

static long list(uaddr_t upath, int fd, bool follow)
{
	long err = xattr_target(upath, fd, follow, 0);
	return err ? err : 0;
}

SYSCALL_DEFINE4(getxattr, uaddr_t, p, uaddr_t, n, uaddr_t, v, size_t, s) { (void)v; (void)s; return get_or_set(p, -1, true, n); }
SYSCALL_DEFINE4(lgetxattr, uaddr_t, p, uaddr_t, n, uaddr_t, v, size_t, s) { (void)v; (void)s; return get_or_set(p, -1, false, n); }
SYSCALL_DEFINE4(fgetxattr, int, fd, uaddr_t, n, uaddr_t, v, size_t, s) { (void)v; (void)s; return get_or_set(0, fd < 0 ? 0x7fffffff : fd, false, n); }
SYSCALL_DEFINE5(setxattr, uaddr_t, p, uaddr_t, n, uaddr_t, v, size_t, s, int, fl) { (void)v; (void)s; (void)fl; return get_or_set(p, -1, true, n); }
SYSCALL_DEFINE5(lsetxattr, uaddr_t, p, uaddr_t, n, uaddr_t, v, size_t, s, int, fl) { (void)v; (void)s; (void)fl; return get_or_set(p, -1, false, n); }
SYSCALL_DEFINE5(fsetxattr, int, fd, uaddr_t, n, uaddr_t, v, size_t, s, int, fl) { (void)v; (void)s; (void)fl; return get_or_set(0, fd < 0 ? 0x7fffffff : fd, false, n); }
SYSCALL_DEFINE2(removexattr, uaddr_t, p, uaddr_t, n) { return get_or_set(p, -1, true, n); }
SYSCALL_DEFINE2(lremovexattr, uaddr_t, p, uaddr_t, n) { return get_or_set(p, -1, false, n); }
SYSCALL_DEFINE2(fremovexattr, int, fd, uaddr_t, n) { return get_or_set(0, fd < 0 ? 0x7fffffff : fd, false, n); }
SYSCALL_DEFINE3(listxattr, uaddr_t, p, uaddr_t, l, size_t, s) { (void)l; (void)s; return list(p, -1, true); }
SYSCALL_DEFINE3(llistxattr, uaddr_t, p, uaddr_t, l, size_t, s) { (void)l; (void)s; return list(p, -1, false); }
SYSCALL_DEFINE3(flistxattr, int, fd, uaddr_t, l, size_t, s) { (void)l; (void)s; return list(0, fd < 0 ? 0x7fffffff : fd, false); }
