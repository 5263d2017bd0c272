/* Extended attributes on a private tmpfs: name and size checks and their
 * order, XATTR_CREATE/REPLACE, size queries, ERANGE, list contents,
 * symlinks and fifos (the l* calls, user.* only on files and dirs),
 * fd calls, trusted.* and security.* as root and as uid 1000, the sticky
 * directory rule, security.capability's format, read-only remounts and
 * tmpfs's xattr space (nr_inodes=). Runs as root; cleans up. */
#include "t.h"
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>

#define D "/tmp/umk-xattr-test"
#define F P("/f")

/* The directory the test works in: a private tmpfs at D, or (with an
 * argument) a directory on another filesystem (ext4.bats). */
static const char *dir = D;
static bool on_tmpfs = true;

static const char *P(const char *rel)
{
	static char bufs[8][512];
	static int k;
	char *b = bufs[k++ & 7];
	snprintf(b, 512, "%s%s", dir, rel);
	return b;
}

static char buf[70000];

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The names of a list, sorted (the order is the filesystem's own). */
static void show_list(const char *label, ssize_t n, const char *list)
{
	char *names[64];
	int k = 0;
	for (ssize_t i = 0; i < n && k < 64; i += strlen(list + i) + 1)
		names[k++] = (char *)list + i;
	qsort(names, k, sizeof(*names), cmp);
	printf("%s: %zd bytes:", label, n);
	for (int i = 0; i < k; i++)
		printf(" %s", names[i]);
	printf("\n");
}

static void show_get(const char *label, const char *path, const char *name)
{
	memset(buf, 0, 64);
	ssize_t n = getxattr(path, name, buf, sizeof(buf));
	if (n < 0)
		printf("%s: %s\n", label, strerror(errno));
	else
		printf("%s: %zd \"%.*s\"\n", label, n, (int)(n > 40 ? 40 : n), buf);
}

/* fn in a child running as uid/gid 1000 without capabilities. */
static void as_user(void (*fn)(void))
{
	pid_t p = fork();
	if (p == 0) {
		t_failures = 0;
		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(2);
		fn();
		_exit(t_failures ? 1 : 0);
	}
	int st;
	waitpid(p, &st, 0);
	CHECK("user child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void user_checks(void)
{
	char v[8];
	/* read: the mode bits decide; write needs write permission */
	CHECK("user: get user.a of a 0644 file", getxattr(F, "user.a", v, sizeof(v)) == 3);
	CHECK_ERR("user: set user.a of a 0644 file", setxattr(F, "user.a", "x", 1, 0), EACCES);
	CHECK_ERR("user: get user.a of a 0600 file", getxattr(P("/private"), "user.a", v, sizeof(v)), EACCES);
	CHECK_OK("user: set user.w of a 0666 file", setxattr(P("/open"), "user.w", "1", 1, 0));
	/* trusted.*: invisible without CAP_SYS_ADMIN */
	CHECK_ERR("user: get trusted.t", getxattr(F, "trusted.t", v, sizeof(v)), ENODATA);
	CHECK_ERR("user: set trusted.t", setxattr(P("/open"), "trusted.t", "1", 1, 0), EPERM);
	CHECK_ERR("user: remove trusted.t", removexattr(P("/open"), "trusted.t"), EPERM);
	ssize_t n = listxattr(F, buf, sizeof(buf));
	show_list("user: list (no trusted.*)", n, buf);
	/* security.*: readable, writable only with CAP_SYS_ADMIN */
	CHECK("user: get security.s", getxattr(F, "security.s", v, sizeof(v)) == 2);
	CHECK_ERR("user: set security.s", setxattr(P("/open"), "security.s", "1", 1, 0), EPERM);
	CHECK_ERR("user: set security.capability", setxattr(P("/open"), "security.capability", buf, 20, 0), EINVAL);
	/* sticky directory: only its owner may write user.* */
	CHECK_ERR("user: set user.x on a sticky dir", setxattr(P("/sticky"), "user.x", "1", 1, 0), EPERM);
	CHECK_OK("user: set user.x on a 0777 dir", setxattr(P("/dir"), "user.x", "1", 1, 0));
	CHECK_OK("user: remove user.x on a 0777 dir", removexattr(P("/dir"), "user.x"));
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		dir = argv[1];
		on_tmpfs = false;
	} else {
		mkdir(D, 0755);
		if (mount("none", D, "tmpfs", 0, "mode=0755"))
			DIE("mount tmpfs");
	}
	int fd = open(F, O_CREAT | O_RDWR, 0644);
	CHECK("create file", fd >= 0);
	CHECK_OK("symlink", symlink("f", P("/l")));
	CHECK_OK("fifo", mkfifo(P("/p"), 0644));

	/* checks before the lookup: flags, name, size (Linux 6.13+) */
	CHECK_ERR("bad flags", setxattr(P("/none"), "user.a", "v", 1, 4), EINVAL);
	CHECK_ERR("empty name", setxattr(P("/none"), "", "v", 1, 0), ERANGE);
	char longname[300];
	memset(longname, 'n', sizeof(longname));
	memcpy(longname, "user.", 5);
	longname[256] = 0;
	CHECK_ERR("256-byte name", setxattr(F, longname, "v", 1, 0), ERANGE);
	CHECK_ERR("256-byte name, get", getxattr(P("/none"), longname, buf, 10), ERANGE);
	CHECK_ERR("value > 64 KiB", setxattr(P("/none"), "user.a", buf, 65537, 0), E2BIG);
	CHECK_ERR("bad value pointer", syscall(SYS_setxattr, P("/none"), "user.a", 8L, 4L, 0L), EFAULT);
	CHECK_ERR("missing file", setxattr(P("/none"), "user.a", "v", 1, 0), ENOENT);
	CHECK_ERR("missing file, list", listxattr(P("/none"), buf, 10), ENOENT);
	longname[255] = 0;
	CHECK_OK("255-byte name", setxattr(F, longname, "v", 1, 0));
	CHECK_OK("remove it", removexattr(F, longname));

	/* namespaces */
	CHECK_ERR("unknown prefix", setxattr(F, "foo.bar", "v", 1, 0), EOPNOTSUPP);
	CHECK_ERR("unknown prefix, get", getxattr(F, "foo.bar", buf, 10), EOPNOTSUPP);
	CHECK_ERR("system.foo", setxattr(F, "system.foo", "v", 1, 0), EOPNOTSUPP);
	CHECK_ERR("prefix alone", setxattr(F, "user.", "v", 1, 0), EINVAL);
	CHECK_ERR("no dot", setxattr(F, "user", "v", 1, 0), EOPNOTSUPP);

	/* create, replace, sizes */
	CHECK_OK("set user.a", setxattr(F, "user.a", "abc", 3, 0));
	CHECK_ERR("XATTR_CREATE on existing", setxattr(F, "user.a", "x", 1, XATTR_CREATE), EEXIST);
	CHECK_ERR("XATTR_REPLACE on missing", setxattr(F, "user.b", "x", 1, XATTR_REPLACE), ENODATA);
	CHECK_OK("XATTR_CREATE new", setxattr(F, "user.b", "bee", 3, XATTR_CREATE));
	CHECK_OK("XATTR_REPLACE existing", setxattr(F, "user.b", "b2", 2, XATTR_REPLACE));
	show_get("get user.b", F, "user.b");
	CHECK("size query", getxattr(F, "user.a", NULL, 0) == 3);
	CHECK_ERR("buffer too small", getxattr(F, "user.a", buf, 2), ERANGE);
	CHECK_ERR("missing attribute", getxattr(F, "user.zz", buf, 10), ENODATA);
	CHECK_OK("empty value", setxattr(F, "user.empty", "", 0, 0));
	CHECK("empty value reads back", getxattr(F, "user.empty", buf, 10) == 0);
	memset(buf, 'x', 65536);
	if (!on_tmpfs) {
		/* ext4 without ea_inode: a value must fit in one block */
		CHECK_ERR("64 KiB value on disk", setxattr(F, "user.big", buf, 65536, 0), ENOSPC);
		CHECK_OK("3000 bytes on disk", setxattr(F, "user.big", buf, 3000, 0));
		CHECK("3000 bytes read back", getxattr(F, "user.big", buf, sizeof(buf)) == 3000 && buf[2999] == 'x');
		CHECK_ERR("3000 into 2999", getxattr(F, "user.big", buf, 2999), ERANGE);
		CHECK_OK("remove user.big", removexattr(F, "user.big"));
	} else {
	CHECK_OK("64 KiB value", setxattr(F, "user.big", buf, 65536, 0));
	CHECK("64 KiB reads back", getxattr(F, "user.big", buf, 65536) == 65536);
	CHECK("64 KiB query", getxattr(F, "user.big", NULL, 0) == 65536);
	CHECK_ERR("64 KiB into 65535", getxattr(F, "user.big", buf, 65535), ERANGE);
	CHECK_OK("remove user.big", removexattr(F, "user.big"));
	}
	CHECK_ERR("remove again", removexattr(F, "user.big"), ENODATA);
	CHECK_ERR("get after remove", getxattr(F, "user.big", buf, 10), ENODATA);

	/* trusted.* and security.* as root */
	CHECK_OK("set trusted.t", setxattr(F, "trusted.t", "tt", 2, 0));
	CHECK_OK("set security.s", setxattr(F, "security.s", "ss", 2, 0));
	ssize_t n = listxattr(F, NULL, 0);
	CHECK("list size query", n > 0);
	CHECK_ERR("list too small", listxattr(F, buf, n - 1), ERANGE);
	show_list("list", listxattr(F, buf, sizeof(buf)), buf);

	/* security.capability: v2 and v3 formats, as root */
	struct vfs_ns_cap_data cap = { .magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE };
	cap.data[0].permitted = 1u << CAP_NET_RAW;
	CHECK_ERR("caps: 7 bytes", setxattr(F, "security.capability", &cap, 7, 0), EINVAL);
	CHECK_ERR("caps: v2 magic in v3 size", setxattr(F, "security.capability", &cap, XATTR_CAPS_SZ_3, 0), EINVAL);
	CHECK_OK("caps: v2", setxattr(F, "security.capability", &cap, XATTR_CAPS_SZ_2, 0));
	CHECK("caps: v2 reads back", getxattr(F, "security.capability", buf, sizeof(buf)) == XATTR_CAPS_SZ_2 &&
					     !memcmp(buf, &cap, XATTR_CAPS_SZ_2));
	cap.magic_etc = VFS_CAP_REVISION_3;
	cap.rootid = 1000;
	CHECK_OK("caps: v3 with root 1000", setxattr(F, "security.capability", &cap, XATTR_CAPS_SZ_3, 0));
	memset(buf, 0, 32);
	n = getxattr(F, "security.capability", buf, sizeof(buf));
	struct vfs_ns_cap_data back;
	memcpy(&back, buf, sizeof(back));
	printf("caps: v3 root 1000 reads back as %zd bytes, magic %#x, root %u\n", n, back.magic_etc, back.rootid);
	cap.rootid = 0;
	CHECK_OK("caps: v3 with root 0", setxattr(F, "security.capability", &cap, XATTR_CAPS_SZ_3, 0));
	CHECK("caps: v3 query says v2 size", getxattr(F, "security.capability", NULL, 0) == XATTR_CAPS_SZ_2);
	CHECK_ERR("caps: into 10 bytes", getxattr(F, "security.capability", buf, 10), ERANGE);
	memset(buf, 0, 32);
	n = getxattr(F, "security.capability", buf, sizeof(buf));
	uint32_t magic;
	memcpy(&magic, buf, 4);
	printf("caps: v3 reads back as %zd bytes, magic %#x\n", n, magic);
	CHECK_OK("caps: remove", removexattr(F, "security.capability"));

	/* symlinks and fifos: user.* only on files and directories */
	CHECK_ERR("lsetxattr user.* on a symlink", lsetxattr(P("/l"), "user.a", "v", 1, 0), EPERM);
	CHECK_ERR("lgetxattr user.* on a symlink", lgetxattr(P("/l"), "user.a", buf, 10), ENODATA);
	CHECK_OK("lsetxattr trusted.* on a symlink", lsetxattr(P("/l"), "trusted.l", "L", 1, 0));
	show_list("llistxattr symlink", llistxattr(P("/l"), buf, sizeof(buf)), buf);
	show_get("getxattr through the symlink", P("/l"), "user.a");
	CHECK_ERR("getxattr trusted.l through the symlink", getxattr(P("/l"), "trusted.l", buf, 10), ENODATA);
	CHECK("lgetxattr trusted.l", lgetxattr(P("/l"), "trusted.l", buf, 10) == 1);
	CHECK_OK("lremovexattr trusted.l", lremovexattr(P("/l"), "trusted.l"));
	CHECK_ERR("setxattr user.* on a fifo", setxattr(P("/p"), "user.a", "v", 1, 0), EPERM);
	CHECK_ERR("removexattr user.* on a fifo", removexattr(P("/p"), "user.a"), EPERM);

	/* the fd calls */
	CHECK_OK("fsetxattr", fsetxattr(fd, "user.fd", "fd", 2, 0));
	CHECK("fgetxattr", fgetxattr(fd, "user.fd", buf, 10) == 2);
	show_list("flistxattr", flistxattr(fd, buf, sizeof(buf)), buf);
	CHECK_OK("fremovexattr", fremovexattr(fd, "user.fd"));
	CHECK_ERR("fgetxattr bad fd", fgetxattr(-1, "user.fd", buf, 10), EBADF);
	CHECK_ERR("fsetxattr closed fd", fsetxattr(999, "user.fd", "x", 1, 0), EBADF);
	CHECK_ERR("flistxattr bad fd", flistxattr(-5, buf, 10), EBADF);
	int pfd = open(F, O_PATH);
	CHECK_ERR("fgetxattr O_PATH fd", fgetxattr(pfd, "user.a", buf, 10), EBADF);
	close(pfd);
	close(fd);

	/* as uid 1000 */
	CHECK("make private", close(open(P("/private"), O_CREAT | O_RDWR, 0600)) == 0);
	CHECK_OK("private user.a", setxattr(P("/private"), "user.a", "p", 1, 0));
	CHECK("make open", close(open(P("/open"), O_CREAT | O_RDWR, 0666)) == 0);
	CHECK_OK("chmod open", chmod(P("/open"), 0666));
	CHECK_OK("mkdir sticky", mkdir(P("/sticky"), 0777));
	CHECK_OK("chmod sticky", chmod(P("/sticky"), 01777));
	CHECK_OK("mkdir dir", mkdir(P("/dir"), 0777));
	CHECK_OK("chmod dir", chmod(P("/dir"), 0777));
	as_user(user_checks);
	show_get("user.w set by uid 1000", P("/open"), "user.w");

	if (!on_tmpfs) {
		/* left for the host to see (ext4.bats: debugfs ea_list) */
		CHECK("make kept", close(open(P("/kept"), O_CREAT | O_RDWR, 0644)) == 0);
		CHECK_OK("kept user.kept", setxattr(P("/kept"), "user.kept", "from-guest", 10, 0));
		CHECK_OK("kept trusted.k", setxattr(P("/kept"), "trusted.k", "tk", 2, 0));
		return t_done();
	}

	/* a read-only remount */
	CHECK_OK("remount ro", mount("none", D, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	CHECK_ERR("set on ro", setxattr(F, "user.a", "v", 1, 0), EROFS);
	CHECK_ERR("remove on ro", removexattr(F, "user.a"), EROFS);
	show_get("get on ro", F, "user.a");
	CHECK_OK("umount", umount(D));

	/* the xattr space: nr_inodes=4 is 4 KiB, each inode takes 1 KiB */
	CHECK_OK("mount nr_inodes=4", mount("none", D, "tmpfs", 0, "nr_inodes=4"));
	CHECK("file", close(open(F, O_CREAT | O_RDWR, 0644)) == 0);
	memset(buf, 'v', 2000);
	CHECK_OK("1900 bytes fit", setxattr(F, "user.a", buf, 1900, 0));
	CHECK_ERR("200 more do not", setxattr(F, "user.b", buf, 200, 0), ENOSPC);
	CHECK_ERR("nor as XATTR_REPLACE of a missing one", setxattr(F, "user.b", buf, 200, XATTR_REPLACE), ENOSPC);
	CHECK_ERR("nor another inode", open(P("/g"), O_CREAT | O_RDWR, 0644), ENOSPC);
	CHECK_OK("remove the big one", removexattr(F, "user.a"));
	CHECK_OK("now 200 fit", setxattr(F, "user.b", buf, 200, 0));
	CHECK_OK("umount", umount(D));
	rmdir(D);
	return t_done();
}
