/* splice, tee, vmsplice, sendfile and pipe sizes (F_GETPIPE_SZ,
 * F_SETPIPE_SZ, /proc/sys/fs/pipe-max-size): data through every pair
 * Linux allows (file, pipe, AF_UNIX socket), offsets, and the errno of
 * each case the man pages list. Files live in a private tmpfs (root). */
#include "t.h"
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

static char dir[] = "/tmp/umk-splice-XXXXXX";
static char path[256];
static char big[300000], got[300000];

static int mkfile(const char *name, const void *data, size_t n)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		DIE("mkfile");
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void file_pipe_file(void)
{
	int p[2];
	if (pipe(p))
		DIE("pipe");
	int in = mkfile("in", "hello splice world", 18);
	loff_t off = 6;
	CHECK("splice file->pipe with offset", splice(in, &off, p[1], NULL, 6, 0) == 6);
	CHECK("offset advanced, f_pos not", off == 12 && lseek(in, 0, SEEK_CUR) == 0);
	CHECK("splice file->pipe at f_pos", splice(in, NULL, p[1], NULL, 5, 0) == 5);
	CHECK("f_pos advanced", lseek(in, 0, SEEK_CUR) == 5);
	int out = mkfile("out", "", 0);
	loff_t ooff = 2;
	CHECK("splice pipe->file with offset", splice(p[0], NULL, out, &ooff, 100, 0) == 11);
	CHECK("out offset", ooff == 13 && lseek(out, 0, SEEK_CUR) == 0);
	char b[32] = { 0 };
	CHECK("file content", pread(out, b, sizeof b, 0) == 13 && !memcmp(b, "\0\0splicehello", 13));
	off = 18;
	CHECK("splice at EOF gives 0", splice(in, &off, p[1], NULL, 10, 0) == 0);
	close(p[1]);
	CHECK("splice from empty pipe without writers gives 0", splice(p[0], NULL, out, NULL, 10, 0) == 0);
	close(p[0]);
	close(in);
	close(out);
}

static void large(void)
{
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7 + i / 1000);
	int in = mkfile("big", big, sizeof big), out = mkfile("big2", "", 0);
	int p[2];
	if (pipe(p))
		DIE("pipe");
	size_t moved = 0;
	int ok = 1;
	while (moved < sizeof big) {
		ssize_t a = splice(in, NULL, p[1], NULL, sizeof big, 0);
		if (a <= 0 || a > 65536) {
			ok = 0;
			break;
		}
		for (ssize_t left = a; left > 0;) {
			ssize_t b = splice(p[0], NULL, out, NULL, left, 0);
			if (b <= 0) {
				ok = 0;
				break;
			}
			left -= b;
		}
		moved += a;
	}
	CHECK("300000 bytes file->pipe->file, at most a pipeful per splice", ok && moved == sizeof big);
	CHECK("copy is identical", pread(out, got, sizeof got, 0) == (ssize_t)sizeof got && !memcmp(big, got, sizeof big));
	off_t so = 1000;
	int out2 = mkfile("big3", "", 0);
	CHECK("sendfile file->file with offset", sendfile(out2, in, &so, 200000) == 200000);
	CHECK("sendfile offset updated", so == 201000);
	CHECK("sendfile copy", pread(out2, got, 200000, 0) == 200000 && !memcmp(big + 1000, got, 200000));
	lseek(in, 4096, SEEK_SET);	/* page-aligned: Linux fills the pipe page by page */
	CHECK("sendfile file->pipe (one pipeful)", sendfile(p[1], in, NULL, 100000) == 65536);
	CHECK("sendfile moved f_pos", lseek(in, 0, SEEK_CUR) == 4096 + 65536);
	CHECK("pipe holds the bytes", read(p[0], got, 65536) == 65536 && !memcmp(big + 4096, got, 65536));
	int s[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s))
		DIE("socketpair");
	so = 0;
	CHECK("sendfile file->socket", sendfile(s[0], in, &so, 3000) == 3000);
	CHECK("socket got them", read(s[1], got, 3000) == 3000 && !memcmp(big, got, 3000));
	CHECK("splice file->pipe", splice(in, NULL, p[1], NULL, 4000, 0) == 4000);
	CHECK("splice pipe->socket", splice(p[0], NULL, s[0], NULL, 4000, 0) == 4000);
	CHECK("socket got them", read(s[1], got, 4000) == 4000 && !memcmp(big + 4096 + 65536, got, 4000));
	CHECK("socket->pipe", write(s[1], "sock", 4) == 4 && splice(s[0], NULL, p[1], NULL, 100, 0) == 4);
	CHECK("pipe got them", read(p[0], got, 10) == 4 && !memcmp(got, "sock", 4));
	close(s[0]);
	close(s[1]);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	close(out2);
}

static void pipes(void)
{
	int a[2], b[2], c[2];
	if (pipe(a) || pipe(b) || pipe(c))
		DIE("pipe");
	write(a[1], "abcdef", 6);
	CHECK("tee pipe->pipe", tee(a[0], b[1], 4, 0) == 4);
	char x[16] = { 0 };
	CHECK("tee left the source", read(a[0], x, 3) == 3 && !memcmp(x, "abc", 3));
	CHECK("tee copy", read(b[0], x, 16) == 4 && !memcmp(x, "abcd", 4));
	CHECK("splice pipe->pipe", splice(a[0], NULL, c[1], NULL, 100, 0) == 3);
	CHECK("moved", read(c[0], x, 16) == 3 && !memcmp(x, "def", 3));
	CHECK_ERR("splice empty pipe NONBLOCK", splice(a[0], NULL, c[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR("tee empty pipe NONBLOCK", tee(a[0], c[1], 10, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR("splice pipe to itself", splice(a[0], NULL, a[1], NULL, 10, 0), EINVAL);
	CHECK_ERR("tee pipe to itself", tee(a[0], a[1], 10, 0), EINVAL);
	CHECK_ERR("splice pipe->pipe with offset", splice(a[0], &(loff_t){ 0 }, c[1], NULL, 10, 0), ESPIPE);
	CHECK_ERR("splice read end as output", splice(a[0], NULL, c[0], NULL, 10, 0), EBADF);
	CHECK_ERR("splice bad fd", splice(99, NULL, c[1], NULL, 10, 0), EBADF);
	CHECK_ERR("splice bad flags", splice(a[0], NULL, c[1], NULL, 10, 0x100), EINVAL);
	CHECK("splice len 0 is 0 (even with a bad fd)", splice(99, NULL, 98, NULL, 0, 0) == 0);
	CHECK_ERR("tee bad flags", tee(a[0], c[1], 10, 0x100), EINVAL);
	CHECK("tee len 0", tee(a[0], c[1], 0, 0) == 0);
	CHECK_ERR("tee bad fd", tee(99, c[1], 10, 0), EBADF);
	/* vmsplice */
	struct iovec iov[2] = { { "vm", 2 }, { "splice", 6 } };
	CHECK("vmsplice into a pipe", vmsplice(b[1], iov, 2, 0) == 8);
	char v1[3] = { 0 }, v2[10] = { 0 };
	struct iovec rv[2] = { { v1, 3 }, { v2, 10 } };
	CHECK("vmsplice out of a pipe", vmsplice(b[0], rv, 2, 0) == 8 && !memcmp(v1, "vms", 3) && !memcmp(v2, "plice", 5));
	CHECK_ERR("vmsplice out of an empty pipe NONBLOCK", vmsplice(b[0], rv, 2, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR("vmsplice bad flags", vmsplice(b[1], iov, 2, 0x100), EINVAL);
	CHECK_ERR("vmsplice bad fd", vmsplice(99, iov, 2, 0), EBADF);
	CHECK_ERR("vmsplice too many segments", vmsplice(b[1], iov, 1025, 0), EINVAL);
	CHECK("vmsplice nothing", vmsplice(b[1], iov, 0, 0) == 0);
	int f = mkfile("vm", "x", 1);
	CHECK_ERR("vmsplice to a file", vmsplice(f, iov, 2, 0), EBADF);
	/* a full pipe */
	fcntl(c[1], F_SETFL, O_NONBLOCK);
	while (write(c[1], big, sizeof big) > 0)
		;
	CHECK_ERR("vmsplice into a full pipe NONBLOCK", vmsplice(c[1], iov, 2, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR("splice file into a full O_NONBLOCK pipe", splice(f, NULL, c[1], NULL, 1, 0), EAGAIN);
	CHECK_ERR("sendfile into a full O_NONBLOCK pipe", sendfile(c[1], f, NULL, 1), EAGAIN);
	/* no reader */
	signal(SIGPIPE, SIG_IGN);
	close(b[0]);
	CHECK_ERR("vmsplice without a reader", vmsplice(b[1], iov, 2, 0), EPIPE);
	CHECK_ERR("splice file->pipe without a reader", splice(f, NULL, b[1], NULL, 1, 0), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(f);
	close(a[0]);
	close(a[1]);
	close(b[1]);
	close(c[0]);
	close(c[1]);
}

static void errors(void)
{
	int p[2];
	if (pipe(p))
		DIE("pipe");
	int f = mkfile("e1", "0123456789", 10), g = mkfile("e2", "", 0);
	CHECK_ERR("splice file->file", splice(f, NULL, g, NULL, 5, 0), EINVAL);
	CHECK_ERR("splice pipe->file with input offset", splice(p[0], &(loff_t){ 0 }, g, NULL, 5, 0), ESPIPE);
	CHECK_ERR("splice file->pipe with output offset", splice(f, NULL, p[1], &(loff_t){ 0 }, 5, 0), ESPIPE);
	CHECK_ERR("splice file->pipe negative offset", splice(f, &(loff_t){ -1 }, p[1], NULL, 5, 0), EINVAL);
	CHECK_ERR("splice file->pipe bad offset pointer", splice(f, (loff_t *)8, p[1], NULL, 5, 0), EFAULT);
	int ro = open(path, O_RDONLY);
	write(p[1], "zz", 2);
	CHECK_ERR("splice pipe->read-only file", splice(p[0], NULL, ro, NULL, 5, 0), EBADF);
	int ap = open(path, O_WRONLY | O_APPEND);
	CHECK_ERR("splice pipe->O_APPEND file", splice(p[0], NULL, ap, NULL, 5, 0), EINVAL);
	int wo = open(path, O_WRONLY);
	CHECK_ERR("splice from a write-only file", splice(wo, NULL, p[1], NULL, 5, 0), EBADF);
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_ERR("splice a directory->pipe", splice(d, NULL, p[1], NULL, 5, 0), EINVAL);
	CHECK_ERR("tee file->pipe", tee(f, p[1], 5, 0), EINVAL);
	/* sendfile */
	CHECK_ERR("sendfile from a pipe", sendfile(g, p[0], NULL, 5), EINVAL);
	CHECK_ERR("sendfile from a pipe with offset", sendfile(g, p[0], &(off_t){ 0 }, 5), ESPIPE);
	CHECK_ERR("sendfile to an O_APPEND file", sendfile(ap, f, NULL, 5), EINVAL);
	CHECK_ERR("sendfile to a read-only file", sendfile(ro, f, NULL, 5), EBADF);
	CHECK_ERR("sendfile from a write-only file", sendfile(g, wo, NULL, 5), EBADF);
	CHECK_ERR("sendfile bad fd", sendfile(g, 99, NULL, 5), EBADF);
	CHECK_ERR("sendfile negative offset", sendfile(g, f, &(off_t){ -1 }, 5), EINVAL);
	CHECK_ERR("sendfile bad offset pointer", sendfile(g, f, (off_t *)8, 5), EFAULT);
	int q[2];
	if (pipe(q))
		DIE("pipe");
	CHECK_ERR("sendfile pipe->pipe", sendfile(q[1], p[0], NULL, 2), EINVAL);
	int z = open("/dev/zero", O_RDONLY), n = open("/dev/null", O_WRONLY);
	CHECK("sendfile /dev/zero->pipe", sendfile(q[1], z, NULL, 100) == 100);
	CHECK("splice /dev/zero->pipe", splice(z, NULL, q[1], NULL, 50, 0) == 50);
	CHECK("splice pipe->/dev/null", splice(q[0], NULL, n, NULL, 1000, 0) == 150);
	close(z);
	close(n);
	close(q[0]);
	close(q[1]);
	CHECK("sendfile at EOF", sendfile(g, f, &(off_t){ 10 }, 5) == 0);
	CHECK("sendfile count 0", sendfile(g, f, NULL, 0) == 0);
	close(d);
	close(ro);
	close(ap);
	close(wo);
	close(f);
	close(g);
	close(p[0]);
	close(p[1]);
}

static void pipe_sizes(void)
{
	int p[2];
	if (pipe(p))
		DIE("pipe");
	CHECK("F_GETPIPE_SZ default", fcntl(p[0], F_GETPIPE_SZ) == 65536);
	CHECK("F_SETPIPE_SZ rounds up to pages", fcntl(p[1], F_SETPIPE_SZ, 5000) == 8192);
	CHECK("F_GETPIPE_SZ on the other end", fcntl(p[0], F_GETPIPE_SZ) == 8192);
	CHECK("F_SETPIPE_SZ below a page", fcntl(p[1], F_SETPIPE_SZ, 1) == 4096);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	CHECK("a one-page pipe holds 4096", write(p[1], big, 10000) == 4096);
	CHECK("grow a full pipe", fcntl(p[1], F_SETPIPE_SZ, 16384) == 16384);
	CHECK("now more fits", write(p[1], big, 10000) == 10000);
	CHECK_ERR("shrink below the contents", fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	CHECK("data intact after resize", read(p[0], got, 20000) == 14096 && !memcmp(got, big, 4096) &&
						  !memcmp(got + 4096, big, 10000));
	CHECK("shrink an empty pipe", fcntl(p[1], F_SETPIPE_SZ, 4096) == 4096);
	CHECK_ERR("F_SETPIPE_SZ past 2 GiB", fcntl(p[1], F_SETPIPE_SZ, (1UL << 31) + 1), EINVAL);
	CHECK_ERR("F_SETPIPE_SZ on a file", fcntl(mkfile("ps", "", 0), F_SETPIPE_SZ, 4096), EBADF);
	CHECK_ERR("F_GETPIPE_SZ on a bad fd", fcntl(99, F_GETPIPE_SZ), EBADF);
	char m[32] = { 0 };
	int fd = open("/proc/sys/fs/pipe-max-size", O_RDONLY);
	CHECK("pipe-max-size readable", fd >= 0 && read(fd, m, sizeof m - 1) > 0);
	printf("pipe-max-size %s", m);
	close(fd);
	long max = atol(m);
	/* (root going past it needs CAP_SYS_RESOURCE, which containers drop) */
	CHECK("up to pipe-max-size", fcntl(p[1], F_SETPIPE_SZ, max) == max);
	CHECK("shrink back", fcntl(p[1], F_SETPIPE_SZ, 65536) == 65536);
	pid_t pid = fork();
	if (!pid) {
		if (setuid(65534))
			_exit(3);
		int bad = 0;
		errno = 0;
		if (fcntl(p[1], F_SETPIPE_SZ, max * 2) != -1 || errno != EPERM)
			bad |= 2;
		_exit(bad);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("non-root: EPERM past pipe-max-size", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	if (!mkdtemp(dir))
		DIE("mkdtemp");
	if (mount("tmpfs", dir, "tmpfs", 0, "size=4m"))
		DIE("mount tmpfs");
	file_pipe_file();
	large();
	pipes();
	errors();
	pipe_sizes();
	umount(dir);
	rmdir(dir);
	return t_done();
}
