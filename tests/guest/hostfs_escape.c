/* The root directory is a hard ceiling: ".." at "/" stays at "/", and
 * symlinks with many ".." components resolve inside the root. Under umk
 * with a hostfs root this checks that no guest path escapes the host
 * directory; natively the same behaviour holds for the real root, so the
 * output is identical. */
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

static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	if (stat(a, &x) || stat(b, &y))
		return 0;
	return x.st_ino == y.st_ino && x.st_dev == y.st_dev;
}

static int first_field_is_root(const char *path)
{
	char buf[16] = { 0 };
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, 5);
	close(fd);
	return n == 5 && memcmp(buf, "root:", 5) == 0;
}

int main(void)
{
	strcpy(T, "/tmp/umk-escape.XXXXXX");
	if (!mkdtemp(T))
		DIE("mkdtemp");
	char cwd[PATH_MAX];

	CHECK_OK("chdir /", chdir("/"));
	CHECK_OK("chdir .. at /", chdir(".."));
	CHECK("getcwd is / after chdir(..)", getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);
	for (int i = 0; i < 20; i++)
		chdir("..");
	CHECK("getcwd is / after 20 more", getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);
	CHECK_OK("chdir ../../..", chdir("../../.."));
	CHECK("getcwd still /", getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);
	CHECK("/.. is /", same_file("/..", "/"));
	CHECK("/../../../.. is /", same_file("/../../../..", "/"));
	CHECK("../../etc from / is /etc", same_file("../../etc", "/etc"));
	CHECK("/etc/passwd via /../..", first_field_is_root("/../../etc/passwd"));
	CHECK("/tmp/../../../tmp is /tmp", same_file("/tmp/../../../tmp", "/tmp"));

	/* from the scratch dir, enough .. to pass the root */
	CHECK_OK("chdir scratch", chdir(T));
	CHECK("10x .. from scratch is /", same_file("../../../../../../../../../..", "/"));
	CHECK_OK("chdir far up", chdir("../../../../../../../../../.."));
	CHECK("getcwd is /", getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);

	/* symlinks that try to climb out */
	CHECK_OK("symlink /../../../etc/passwd", symlink("/../../../etc/passwd", P("abs-up")));
	CHECK("absolute climbing symlink resolves inside root", first_field_is_root(P("abs-up")));
	CHECK("same file as /etc/passwd", same_file(P("abs-up"), "/etc/passwd"));
	CHECK_OK("relative climbing symlink", symlink("../../../../../../../../../../etc/passwd", P("rel-up")));
	CHECK("relative climbing symlink resolves inside root", same_file(P("rel-up"), "/etc/passwd"));
	CHECK_OK("symlink to /..", symlink("/..", P("rootup")));
	CHECK("symlink to /.. is /", same_file(P("rootup"), "/"));
	CHECK("through it: rootup/etc/passwd", same_file(P("rootup/etc/passwd"), "/etc/passwd"));
	CHECK_OK("chdir through rootup/..", chdir(P("rootup/..")));
	CHECK("getcwd is / after chdir via symlink", getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);

	/* creating through climbing paths lands inside the root */
	char rel[128];
	snprintf(rel, sizeof rel, "/../../..%s/created", T);
	int fd = open(rel, O_CREAT | O_WRONLY, 0644);
	CHECK("create via /../../..$T", fd >= 0);
	close(fd);
	CHECK("and it is in $T", access(P("created"), F_OK) == 0);
	CHECK_OK("symlink dir-up", symlink("/../../..", P("dirup")));
	snprintf(rel, sizeof rel, "%s/dirup/%s/created2", T, T + 1);
	fd = open(rel, O_CREAT | O_WRONLY, 0644);
	CHECK("create through a climbing dir symlink", fd >= 0);
	close(fd);
	CHECK("lands in $T", access(P("created2"), F_OK) == 0);

	/* openat with a dirfd of / and .. */
	int dfd = open("/", O_RDONLY | O_DIRECTORY);
	fd = openat(dfd, "../../etc/passwd", O_RDONLY);
	CHECK("openat(/, ../../etc/passwd) is /etc/passwd", fd >= 0);
	struct stat a, b;
	fstat(fd, &a);
	stat("/etc/passwd", &b);
	CHECK("same inode", a.st_ino == b.st_ino);
	close(fd);
	close(dfd);

	const char *n[] = { "abs-up", "rel-up", "rootup", "created", "created2", "dirup" };
	for (unsigned i = 0; i < sizeof n / sizeof n[0]; i++)
		unlink(P(n[i]));
	CHECK_OK("scratch removed", rmdir(T));
	return t_done();
}
