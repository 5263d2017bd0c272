/* POSIX ACLs on a private tmpfs through system.posix_acl_access and
 * system.posix_acl_default (the xattr format, version 2): validation,
 * the mode following a set ACL and the ACL following chmod, default
 * ACLs passed on to new files and directories (replacing the umask),
 * and enforcement for uid 1000 (user, group and mask entries). Runs as
 * root; cleans up. */
#include "t.h"
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#define D "/tmp/umk-acl-test"
#define ACCESS "system.posix_acl_access"
#define DEFAULT "system.posix_acl_default"
enum { USER_OBJ = 1, USER = 2, GROUP_OBJ = 4, GROUP = 8, MASK = 0x10, OTHER = 0x20 };

struct ent { uint16_t tag, perm; uint32_t id; };
struct acl { uint32_t version; struct ent e[16]; };

static struct acl a;
static int na;

static void acl_start(void) { a.version = 2; na = 0; }
static void add(uint16_t tag, uint32_t id, uint16_t perm) { a.e[na++] = (struct ent){ tag, perm, id }; }
static size_t asize(void) { return 4 + na * sizeof(struct ent); }

static void show_acl(const char *label, const char *path, const char *name)
{
	struct acl b;
	ssize_t n = getxattr(path, name, &b, sizeof(b));
	if (n < 0) {
		printf("%s: %s\n", label, strerror(errno));
		return;
	}
	printf("%s: %zd bytes, version %u:", label, n, b.version);
	for (int i = 0; i < (n - 4) / 8; i++)
		printf(" %#x:%d:%o", b.e[i].tag, (int)b.e[i].id, b.e[i].perm);
	printf("\n");
}

static void show_mode(const char *label, const char *path)
{
	struct stat st;
	if (stat(path, &st))
		printf("%s: %s\n", label, strerror(errno));
	else
		printf("%s: mode %o\n", label, st.st_mode & 07777);
}

static int as(uid_t uid, gid_t gid, const char *path, int flags)
{
	pid_t p = fork();
	if (p == 0) {
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			_exit(100);
		int fd = open(path, flags);
		_exit(fd >= 0 ? 0 : errno);
	}
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void try_open(const char *label, uid_t uid, gid_t gid, const char *path, int flags)
{
	int r = as(uid, gid, path, flags);
	printf("%s: %s\n", label, r == 0 ? "ok" : strerror(r));
}

static void set_as_user(void)
{
	pid_t p = fork();
	if (p == 0) {
		if (setresuid(1000, 1000, 1000))
			_exit(100);
		acl_start();
		add(USER_OBJ, -1, 6), add(GROUP_OBJ, -1, 4), add(OTHER, -1, 4);
		_exit(setxattr(D "/f", ACCESS, &a, asize(), 0) ? errno : 0);
	}
	int st;
	waitpid(p, &st, 0);
	printf("uid 1000 sets the ACL of root's file: %s\n", strerror(WEXITSTATUS(st)));
}

int main(void)
{
	mkdir(D, 0755);
	if (mount("none", D, "tmpfs", 0, "mode=0755"))
		DIE("mount tmpfs");
	umask(022);
	CHECK("create f", close(open(D "/f", O_CREAT | O_RDWR, 0640)) == 0);
	show_acl("no ACL yet", D "/f", ACCESS);
	CHECK("no ACL: list empty", listxattr(D "/f", NULL, 0) == 0);

	/* malformed */
	acl_start();
	add(USER_OBJ, -1, 6), add(USER, 1000, 4), add(GROUP_OBJ, -1, 4), add(MASK, -1, 6), add(OTHER, -1, 0);
	CHECK_ERR("3 bytes", setxattr(D "/f", ACCESS, &a, 3, 0), EINVAL);
	CHECK_ERR("half an entry", setxattr(D "/f", ACCESS, &a, 8, 0), EINVAL);
	a.version = 1;
	CHECK_ERR("version 1", setxattr(D "/f", ACCESS, &a, asize(), 0), EOPNOTSUPP);
	a.version = 2;
	a.e[3].tag = 0x40;
	CHECK_ERR("unknown tag", setxattr(D "/f", ACCESS, &a, asize(), 0), EINVAL);
	a.e[3].tag = MASK;
	a.e[1].id = -1;
	CHECK_ERR("user id -1", setxattr(D "/f", ACCESS, &a, asize(), 0), EINVAL);
	a.e[1].id = 1000;
	a.e[1].perm = 8;
	CHECK_ERR("perm 010", setxattr(D "/f", ACCESS, &a, asize(), 0), EINVAL);
	a.e[1].perm = 4;
	CHECK_ERR("no mask with a user entry", setxattr(D "/f", ACCESS, &a, asize() - 16, 0), EINVAL);
	struct ent t = a.e[0];
	a.e[0] = a.e[2], a.e[2] = t;
	CHECK_ERR("out of order", setxattr(D "/f", ACCESS, &a, asize(), 0), EINVAL);
	a.e[2] = a.e[0], a.e[0] = t;
	CHECK_ERR("no other entry", setxattr(D "/f", ACCESS, &a, asize() - 8, 0), EINVAL);
	CHECK_ERR("default ACL on a file", setxattr(D "/f", DEFAULT, &a, asize(), 0), EACCES);
	CHECK_OK("removing a file's default ACL", removexattr(D "/f", DEFAULT));

	/* a valid one: the group bits become the mask */
	CHECK_OK("set user 1000 r, mask rw", setxattr(D "/f", ACCESS, &a, asize(), XATTR_CREATE));
	show_mode("after set", D "/f");
	show_acl("read back", D "/f", ACCESS);
	CHECK("size query", getxattr(D "/f", ACCESS, NULL, 0) == 44);
	CHECK_ERR("too small", getxattr(D "/f", ACCESS, &a, 43), ERANGE);
	char list[256];
	ssize_t n = listxattr(D "/f", list, sizeof(list));
	printf("list: %zd bytes: %s\n", n, n > 0 ? list : "");
	CHECK_OK("a user xattr beside it", setxattr(D "/f", "user.u", "u", 1, 0));
	CHECK_ERR("list into room for the ACL name only", listxattr(D "/f", list, 24), ERANGE);
	n = listxattr(D "/f", list, sizeof(list));
	printf("list: %zd bytes, %s and %s\n", n, list, n > 24 ? list + 24 : "");
	CHECK_OK("remove the user xattr", removexattr(D "/f", "user.u"));
	CHECK_OK("chmod 0604", chmod(D "/f", 0604));
	show_acl("after chmod: mask 0, other r", D "/f", ACCESS);
	CHECK_OK("chmod 0640", chmod(D "/f", 0640));
	set_as_user();

	/* enforcement: user 1000 r through the ACL (mask r), group 2000 rw
	 * clipped by the mask, others nothing */
	acl_start();
	add(USER_OBJ, -1, 6), add(USER, 1000, 6), add(GROUP_OBJ, -1, 0), add(GROUP, 2000, 6), add(MASK, -1, 4),
		add(OTHER, -1, 0);
	CHECK_OK("set enforcement ACL", setxattr(D "/f", ACCESS, &a, asize(), 0));
	show_mode("mode", D "/f");
	try_open("uid 1000 read", 1000, 1000, D "/f", O_RDONLY);
	try_open("uid 1000 write (mask r)", 1000, 1000, D "/f", O_WRONLY);
	try_open("gid 2000 read", 1001, 2000, D "/f", O_RDONLY);
	try_open("gid 2000 write (mask r)", 1001, 2000, D "/f", O_WRONLY);
	try_open("uid 1001 read (other)", 1001, 1001, D "/f", O_RDONLY);
	CHECK_OK("chmod 0660: mask rw", chmod(D "/f", 0660));
	try_open("uid 1000 write (mask rw)", 1000, 1000, D "/f", O_WRONLY);
	try_open("gid 2000 write (mask rw)", 1001, 2000, D "/f", O_WRONLY);
	try_open("uid 1001 write", 1001, 1001, D "/f", O_WRONLY);
	/* a group entry that matches but does not grant: no fall-through to other */
	acl_start();
	add(USER_OBJ, -1, 6), add(GROUP_OBJ, -1, 0), add(GROUP, 2000, 0), add(MASK, -1, 6), add(OTHER, -1, 4);
	CHECK_OK("set group 2000 none, other r", setxattr(D "/f", ACCESS, &a, asize(), 0));
	try_open("gid 2000 read", 1001, 2000, D "/f", O_RDONLY);
	try_open("uid 1001 read (other r)", 1001, 1001, D "/f", O_RDONLY);

	/* an ACL the mode says whole is not kept */
	acl_start();
	add(USER_OBJ, -1, 7), add(GROUP_OBJ, -1, 5), add(OTHER, -1, 1);
	CHECK_OK("set a minimal ACL", setxattr(D "/f", ACCESS, &a, asize(), 0));
	show_mode("mode", D "/f");
	show_acl("minimal ACL", D "/f", ACCESS);
	CHECK_OK("remove the ACL (none)", removexattr(D "/f", ACCESS));
	CHECK_OK("empty value removes", setxattr(D "/f", ACCESS, &a, 0, 0));

	/* default ACLs */
	CHECK_OK("mkdir d", mkdir(D "/d", 0755));
	acl_start();
	add(USER_OBJ, -1, 7), add(USER, 1000, 7), add(GROUP_OBJ, -1, 5), add(MASK, -1, 7), add(OTHER, -1, 0);
	CHECK_OK("set d's default ACL", setxattr(D "/d", DEFAULT, &a, asize(), 0));
	show_acl("d default", D "/d", DEFAULT);
	show_acl("d access", D "/d", ACCESS);
	show_mode("d", D "/d");
	CHECK("file in d", close(open(D "/d/g", O_CREAT | O_RDWR, 0666)) == 0);
	show_mode("d/g (no umask)", D "/d/g");
	show_acl("d/g access", D "/d/g", ACCESS);
	show_acl("d/g default", D "/d/g", DEFAULT);
	CHECK_OK("mkdir in d", mkdir(D "/d/e", 0777));
	show_mode("d/e", D "/d/e");
	show_acl("d/e access", D "/d/e", ACCESS);
	show_acl("d/e default", D "/d/e", DEFAULT);
	CHECK("file 0600 in d", close(open(D "/d/h", O_CREAT | O_RDWR, 0600)) == 0);
	show_mode("d/h", D "/d/h");
	show_acl("d/h access", D "/d/h", ACCESS);
	try_open("uid 1000 writes d/h (mask 0)", 1000, 1000, D "/d/h", O_WRONLY);
	try_open("uid 1000 writes d/g", 1000, 1000, D "/d/g", O_WRONLY);
	CHECK_OK("symlink in d", symlink("g", D "/d/l"));
	CHECK_OK("remove d's default", removexattr(D "/d", DEFAULT));
	CHECK("file after removal", close(open(D "/d/k", O_CREAT | O_RDWR, 0666)) == 0);
	show_mode("d/k (umask again)", D "/d/k");

	CHECK_OK("remount ro", mount("none", D, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	CHECK_ERR("set on ro", setxattr(D "/d", DEFAULT, &a, asize(), 0), EROFS);
	CHECK_OK("umount", umount(D));
	rmdir(D);
	return t_done();
}
