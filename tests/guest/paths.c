/* Path walk: . and .., symlink chains and loops, trailing slashes,
 * getcwd through symlinks, *at() calls with dirfds, readlink. */
#include "t.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static char T[64];
static char pbuf[8][256];
static int pi;
static const char *P(const char *rel)
{
	char *b = pbuf[pi++ % 8];
	snprintf(b, 256, "%s/%s", T, rel);
	return b;
}

/* getcwd with the scratch prefix replaced by "$T" */
static const char *cwd_rel(void)
{
	static char b[PATH_MAX], out[PATH_MAX];
	if (!getcwd(b, sizeof b))
		return "(getcwd failed)";
	size_t n = strlen(T);
	if (strncmp(b, T, n) == 0)
		snprintf(out, sizeof out, "$T%s", b + n);
	else
		snprintf(out, sizeof out, "(outside scratch)");
	return out;
}

static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	if (stat(a, &x) || stat(b, &y))
		return 0;
	return x.st_ino == y.st_ino && x.st_dev == y.st_dev;
}

int main(void)
{
	strcpy(T, "/tmp/umk-paths.XXXXXX");
	if (!mkdtemp(T))
		DIE("mkdtemp");
	mkdir(P("real"), 0755);
	mkdir(P("real/sub"), 0755);
	close(creat(P("real/sub/file"), 0644));
	int fd = open(P("real/sub/file"), O_WRONLY);
	(void)!write(fd, "content", 7);
	close(fd);

	/* . and .. */
	CHECK("a/./b", same_file(P("real/./sub"), P("real/sub")));
	CHECK("a/b/..", same_file(P("real/sub/.."), P("real")));
	CHECK("a//b", same_file(P("real//sub///file"), P("real/sub/file")));
	CHECK("/.. is /", same_file("/..", "/"));
	CHECK("/../.. is /", same_file("/../..", "/"));
	CHECK_ERR("missing/.. fails", open(P("missing/.."), O_RDONLY), ENOENT);
	CHECK_ERR("file/.. fails", open(P("real/sub/file/.."), O_RDONLY), ENOTDIR);

	/* symlinks */
	CHECK_OK("symlink relative", symlink("real/sub", P("l1")));
	CHECK_OK("symlink to symlink", symlink("l1", P("l2")));
	CHECK_OK("symlink chain to file", symlink("l2/file", P("l3")));
	CHECK_OK("symlink absolute", symlink(P("real/sub/file"), P("abs")));
	CHECK_OK("dangling symlink", symlink("nowhere", P("dangling")));
	CHECK_ERR("symlink over existing", symlink("x", P("l1")), EEXIST);
	char buf[256];
	fd = open(P("l3"), O_RDONLY);
	CHECK("open through 3-link chain", fd >= 0 && read(fd, buf, 7) == 7 && memcmp(buf, "content", 7) == 0);
	close(fd);
	CHECK("absolute symlink", same_file(P("abs"), P("real/sub/file")));
	CHECK("symlink to dir then ..", same_file(P("l1/.."), P("real")));
	CHECK_ERR("open dangling", open(P("dangling"), O_RDONLY), ENOENT);
	struct stat st;
	CHECK("lstat dangling is a link", lstat(P("dangling"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK("lstat size is target length", st.st_size == 7);
	CHECK_ERR("O_NOFOLLOW on a symlink", open(P("l3"), O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = open(P("dangling"), O_WRONLY | O_CREAT, 0644);
	CHECK("O_CREAT through dangling symlink creates target", fd >= 0 && access(P("nowhere"), F_OK) == 0);
	close(fd);
	unlink(P("nowhere"));
	CHECK_ERR("O_CREAT|O_EXCL on dangling symlink", open(P("dangling"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);

	/* readlink */
	ssize_t n = readlink(P("l2"), buf, sizeof buf);
	CHECK("readlink", n == 2 && memcmp(buf, "l1", 2) == 0);
	n = readlink(P("l3"), buf, 3);
	CHECK("readlink truncates", n == 3 && memcmp(buf, "l2/", 3) == 0);
	CHECK_ERR("readlink on a file", readlink(P("real/sub/file"), buf, sizeof buf), EINVAL);
	CHECK_ERR("readlink missing", readlink(P("missing"), buf, sizeof buf), ENOENT);

	/* loops */
	symlink("loop2", P("loop1"));
	symlink("loop1", P("loop2"));
	symlink("self", P("self"));
	CHECK_ERR("symlink loop", open(P("loop1"), O_RDONLY), ELOOP);
	CHECK_ERR("self loop", stat(P("self"), &st), ELOOP);
	CHECK_ERR("loop as directory component", open(P("loop1/x"), O_RDONLY), ELOOP);
	/* Linux follows at most 40 symlinks in one lookup */
	char name[32], target[32];
	for (int i = 0; i < 45; i++) {
		snprintf(name, sizeof name, "c%d", i);
		if (i == 44)
			snprintf(target, sizeof target, "real/sub/file");
		else
			snprintf(target, sizeof target, "c%d", i + 1);
		symlink(target, P(name));
	}
	CHECK_ERR("chain of 45 links", open(P("c0"), O_RDONLY), ELOOP);
	fd = open(P("c10"), O_RDONLY);
	CHECK("chain of 35 links resolves", fd >= 0);
	close(fd);

	/* trailing slashes */
	CHECK_ERR("file with trailing slash", open(P("real/sub/file/"), O_RDONLY), ENOTDIR);
	CHECK_ERR("stat file with trailing slash", stat(P("real/sub/file/"), &st), ENOTDIR);
	CHECK("dir with trailing slash", stat(P("real/sub/"), &st) == 0 && S_ISDIR(st.st_mode));
	CHECK("symlink to dir with trailing slash follows", stat(P("l1/"), &st) == 0 && S_ISDIR(st.st_mode));
	CHECK("lstat symlink-to-dir with slash follows", lstat(P("l1/"), &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_ERR("creat with trailing slash", open(P("newfile/"), O_CREAT | O_WRONLY, 0644), EISDIR);
	CHECK_OK("mkdir with trailing slash", mkdir(P("nd/"), 0755));
	CHECK_OK("rmdir with trailing slash", rmdir(P("nd/")));

	/* getcwd */
	CHECK_OK("chdir scratch", chdir(T));
	printf("cwd: %s\n", cwd_rel());
	CHECK_OK("chdir via symlink", chdir("l1"));
	printf("cwd after chdir(l1): %s\n", cwd_rel());
	CHECK_OK("chdir ..", chdir(".."));
	printf("cwd after chdir(..): %s\n", cwd_rel());
	CHECK_OK("chdir relative", chdir("sub"));
	fd = open("file", O_RDONLY);
	CHECK("relative open in cwd", fd >= 0);
	close(fd);
	CHECK_ERR("chdir to a file", chdir("file"), ENOTDIR);
	CHECK_ERR("chdir missing", chdir("nope"), ENOENT);
	fd = open(P("real"), O_RDONLY | O_DIRECTORY);
	CHECK_OK("fchdir", fchdir(fd));
	printf("cwd after fchdir: %s\n", cwd_rel());
	close(fd);
	char small[4];
	CHECK_ERR("getcwd small buffer", getcwd(small, sizeof small) ? 0 : -1, ERANGE);
	/* a removed cwd */
	mkdir(P("gone"), 0755);
	chdir(P("gone"));
	rmdir(P("gone"));
	CHECK_ERR("getcwd of removed dir", getcwd(buf, sizeof buf) ? 0 : -1, ENOENT);
	CHECK_ERR("create in removed cwd", open("x", O_CREAT | O_WRONLY, 0644), ENOENT);
	chdir("/");

	/* *at() with dirfds */
	int dfd = open(P("real"), O_RDONLY | O_DIRECTORY);
	fd = openat(dfd, "sub/file", O_RDONLY);
	CHECK("openat relative to dirfd", fd >= 0);
	close(fd);
	fd = openat(dfd, P("real/sub/file"), O_RDONLY);
	CHECK("openat absolute ignores dirfd", fd >= 0);
	CHECK("fstatat AT_EMPTY_PATH", fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 && S_ISREG(st.st_mode) && st.st_size == 7);
	CHECK_ERR("fstatat empty path without flag", fstatat(fd, "", &st, 0), ENOENT);
	CHECK_ERR("openat relative to a file fd", openat(fd, "x", O_RDONLY), ENOTDIR);
	close(fd);
	CHECK_ERR("openat bad dirfd", openat(999, "x", O_RDONLY), EBADF);
	CHECK_OK("mkdirat", mkdirat(dfd, "made", 0755));
	CHECK_OK("symlinkat", symlinkat("made", dfd, "madelink"));
	CHECK("fstatat AT_SYMLINK_NOFOLLOW", fstatat(dfd, "madelink", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
	CHECK("fstatat follows", fstatat(dfd, "madelink", &st, 0) == 0 && S_ISDIR(st.st_mode));
	n = readlinkat(dfd, "madelink", buf, sizeof buf);
	CHECK("readlinkat", n == 4 && memcmp(buf, "made", 4) == 0);
	CHECK_OK("renameat", renameat(dfd, "made", dfd, "made2"));
	CHECK_OK("linkat", linkat(dfd, "sub/file", dfd, "hard", 0));
	CHECK_OK("unlinkat file", unlinkat(dfd, "hard", 0));
	CHECK_OK("unlinkat link", unlinkat(dfd, "madelink", 0));
	CHECK_ERR("unlinkat dir without AT_REMOVEDIR", unlinkat(dfd, "made2", 0), EISDIR);
	CHECK_OK("unlinkat AT_REMOVEDIR", unlinkat(dfd, "made2", AT_REMOVEDIR));
	CHECK_OK("faccessat", faccessat(dfd, "sub/file", R_OK, 0));
	CHECK_OK("fchmodat", fchmodat(dfd, "sub/file", 0600, 0));
	close(dfd);
	fd = open(P("real/sub"), O_PATH);
	CHECK("O_PATH fd usable as dirfd", fd >= 0 && fstatat(fd, "file", &st, 0) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_ERR("read on O_PATH fd", read(fd, buf, 1), EBADF);
	close(fd);

	/* cleanup */
	for (int i = 0; i < 45; i++) {
		snprintf(name, sizeof name, "c%d", i);
		unlink(P(name));
	}
	const char *links[] = { "l1", "l2", "l3", "abs", "dangling", "loop1", "loop2", "self" };
	for (unsigned i = 0; i < sizeof links / sizeof links[0]; i++)
		unlink(P(links[i]));
	unlink(P("real/sub/file"));
	rmdir(P("real/sub"));
	rmdir(P("real"));
	CHECK_OK("scratch dir removed", rmdir(T));
	return t_done();
}
