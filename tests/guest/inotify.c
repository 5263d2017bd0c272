/* inotify as Linux has it: the exact event sequences of common operations
 * (create+write+close, read, attribute changes, directories, links,
 * renames with one cookie, unlink and rmdir of watched objects with
 * IN_ATTRIB / IN_DELETE_SELF / IN_IGNORED in Linux's order, a deleted
 * file still open), IN_ONESHOT, IN_MASK_ADD / IN_MASK_CREATE, IN_EXCL_UNLINK,
 * IN_DONT_FOLLOW / IN_ONLYDIR, rm_watch, merging of equal events, reads
 * into too small buffers, FIONREAD, poll/epoll readiness, queue overflow,
 * the sysctls and limits (EMFILE, ENOSPC where the limit is small), the
 * fdinfo lines, IN_UNMOUNT, and every errno. Watch descriptors and
 * cookies are printed as relations only. Works in /tmp (the host's /tmp
 * natively); needs root for the limits, EACCES and unmount parts. */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#ifndef INOTIFY_IOC_SETNEXTWD
#define INOTIFY_IOC_SETNEXTWD _IOW('I', 0, int)
#endif
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#define D "/tmp/umk-inotify"

/* wd -> name for printing */
static struct { int fd, wd; char name[32]; } wds[64];
static int nwds;
static uint32_t last_from_cookie;

static int watch(int fd, const char *path, uint32_t mask, const char *name)
{
	int wd = inotify_add_watch(fd, path, mask);
	if (wd < 0) {
		printf("watch %s: FAIL errno %s\n", name, strerror(errno));
		t_failures++;
		return wd;
	}
	for (int i = 0; i < nwds; i++)
		if (wds[i].fd == fd && wds[i].wd == wd) {
			snprintf(wds[i].name, sizeof(wds[i].name), "%s", name);
			return wd;
		}
	wds[nwds].fd = fd;
	wds[nwds].wd = wd;
	snprintf(wds[nwds++].name, sizeof(wds[0].name), "%s", name);
	return wd;
}

static const char *wd_name(int fd, int wd)
{
	if (wd == -1)
		return "-1";
	for (int i = 0; i < nwds; i++)
		if (wds[i].fd == fd && wds[i].wd == wd)
			return wds[i].name;
	return "?";
}

static void mask_str(uint32_t m, char *out)
{
	static const struct { uint32_t bit; const char *n; } names[] = {
		{ IN_ACCESS, "ACCESS" }, { IN_MODIFY, "MODIFY" }, { IN_ATTRIB, "ATTRIB" },
		{ IN_CLOSE_WRITE, "CLOSE_WRITE" }, { IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" }, { IN_OPEN, "OPEN" },
		{ IN_MOVED_FROM, "MOVED_FROM" }, { IN_MOVED_TO, "MOVED_TO" }, { IN_CREATE, "CREATE" },
		{ IN_DELETE, "DELETE" }, { IN_DELETE_SELF, "DELETE_SELF" }, { IN_MOVE_SELF, "MOVE_SELF" },
		{ IN_UNMOUNT, "UNMOUNT" }, { IN_Q_OVERFLOW, "Q_OVERFLOW" }, { IN_IGNORED, "IGNORED" },
		{ IN_ISDIR, "ISDIR" },
	};
	*out = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (m & names[i].bit) {
			if (*out)
				strcat(out, "|");
			strcat(out, names[i].n);
			m &= ~names[i].bit;
		}
	if (m)
		sprintf(out + strlen(out), "|0x%x", m);
}

static void print_event(int fd, const struct inotify_event *e)
{
	char m[256];
	mask_str(e->mask, m);
	printf("  %s %s", wd_name(fd, e->wd), m);
	if (e->len) {
		/* the name is NUL-padded to a multiple of 16 */
		size_t n = strlen(e->name);
		int padded_ok = e->len % 16 == 0 && n < e->len && e->len - n <= 16;
		for (size_t i = n; i < e->len; i++)
			if (e->name[i])
				padded_ok = 0;
		printf(" \"%s\"%s", e->name, padded_ok ? "" : " (BAD PADDING)");
		if (!padded_ok)
			t_failures++;
	}
	if (e->mask & IN_MOVED_FROM) {
		printf(" cookie %s", e->cookie ? "nonzero" : "ZERO");
		last_from_cookie = e->cookie;
	} else if (e->mask & IN_MOVED_TO) {
		printf(" cookie %s", e->cookie == last_from_cookie ? "equal" : "DIFFERENT");
	} else if (e->cookie) {
		printf(" cookie UNEXPECTED");
	}
	printf("\n");
}

/* read and print everything queued (fd is non-blocking) */
static int drain(int fd, const char *what)
{
	char buf[65536] __attribute__((aligned(8)));
	int total = 0;
	printf("%s:\n", what);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno != EAGAIN) {
				printf("  read: FAIL %s\n", strerror(errno));
				t_failures++;
			}
			break;
		}
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			print_event(fd, e);
			p += sizeof(*e) + e->len;
			total++;
		}
	}
	if (!total)
		printf("  (none)\n");
	return total;
}

static void put_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		DIE(path);
	close(fd);
}

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char sub[512];
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_rf(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static long read_sysctl(const char *name)
{
	char path[128], buf[64] = "";
	snprintf(path, sizeof(path), "/proc/sys/fs/inotify/%s", name);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	return atol(buf);
}

static void test_init(void)
{
	CHECK_ERR("inotify_init1 bad flags", inotify_init1(0x1234), EINVAL);
	CHECK_ERR("inotify_init1 O_RDWR flag", inotify_init1(O_RDWR), EINVAL);
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK("IN_NONBLOCK sets O_NONBLOCK", fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK));
	CHECK("IN_CLOEXEC sets FD_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK("opened read-only", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
	char b[64];
	CHECK_ERR("read of an empty non-blocking queue", read(fd, b, sizeof(b)), EAGAIN);
	CHECK_ERR("write", write(fd, "x", 1), EBADF);
	CHECK("lseek does nothing", lseek(fd, 5, SEEK_SET) == 0);
	close(fd);
	fd = inotify_init();
	CHECK("inotify_init: blocking, no cloexec", fd >= 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK) && fcntl(fd, F_GETFD) == 0);
	close(fd);
}

static void test_errors(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	int p[2];
	if (pipe(p))
		DIE("pipe");
	put_file(D "/file", "x");
	CHECK_ERR("add_watch: bad fd", inotify_add_watch(-1, D, IN_ALL_EVENTS), EBADF);
	CHECK_ERR("add_watch: closed fd", inotify_add_watch(999, D, IN_ALL_EVENTS), EBADF);
	CHECK_ERR("add_watch: empty mask", inotify_add_watch(fd, D, 0), EINVAL);
	CHECK_ERR("add_watch: empty mask, bad fd", inotify_add_watch(-1, D, 0), EINVAL);
	CHECK_ERR("add_watch: unknown bit", inotify_add_watch(fd, D, IN_MODIFY | 0x1000), EINVAL);
	CHECK_ERR("add_watch: not inotify", inotify_add_watch(p[0], D, IN_ALL_EVENTS), EINVAL);
	CHECK_ERR("add_watch: MASK_ADD|MASK_CREATE", inotify_add_watch(fd, D, IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	CHECK_ERR("add_watch: missing path", inotify_add_watch(fd, D "/nope", IN_ALL_EVENTS), ENOENT);
	CHECK_ERR("add_watch: empty path", inotify_add_watch(fd, "", IN_ALL_EVENTS), ENOENT);
	CHECK_ERR("add_watch: bad pointer", inotify_add_watch(fd, (const char *)8, IN_ALL_EVENTS), EFAULT);
	CHECK_ERR("add_watch: IN_ONLYDIR on a file", inotify_add_watch(fd, D "/file", IN_MODIFY | IN_ONLYDIR), ENOTDIR);
	CHECK_ERR("add_watch: file as a directory", inotify_add_watch(fd, D "/file/x", IN_MODIFY), ENOTDIR);
	if (symlink("nowhere", D "/dangling"))
		DIE("symlink");
	CHECK_ERR("add_watch: dangling symlink", inotify_add_watch(fd, D "/dangling", IN_ALL_EVENTS), ENOENT);
	int wd = inotify_add_watch(fd, D "/dangling", IN_ALL_EVENTS | IN_DONT_FOLLOW);
	CHECK("add_watch: IN_DONT_FOLLOW watches the link", wd > 0);
	CHECK_ERR("rm_watch: unknown wd", inotify_rm_watch(fd, wd + 100), EINVAL);
	CHECK_ERR("rm_watch: negative wd", inotify_rm_watch(fd, -1), EINVAL);
	CHECK_ERR("rm_watch: bad fd", inotify_rm_watch(-1, wd), EBADF);
	CHECK_ERR("rm_watch: not inotify", inotify_rm_watch(p[0], wd), EINVAL);
	CHECK_OK("rm_watch", inotify_rm_watch(fd, wd));
	CHECK_ERR("rm_watch twice", inotify_rm_watch(fd, wd), EINVAL);
	CHECK_ERR("ioctl: unknown", ioctl(fd, 0x5401, &wd), ENOTTY);
	CHECK_ERR("INOTIFY_IOC_SETNEXTWD 0", ioctl(fd, INOTIFY_IOC_SETNEXTWD, 0), EINVAL);
	CHECK_OK("INOTIFY_IOC_SETNEXTWD 1000", ioctl(fd, INOTIFY_IOC_SETNEXTWD, 1000));
	CHECK("the next wd is 1000", inotify_add_watch(fd, D, IN_CREATE) == 1000);
	CHECK("and then 1001", inotify_add_watch(fd, "/", IN_CREATE) == 1001);
	unlink(D "/dangling");
	unlink(D "/file");
	close(p[0]);
	close(p[1]);
	close(fd);
}

static void test_same_wd(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	put_file(D "/a", "x");
	if (link(D "/a", D "/b"))
		DIE("link");
	int w1 = inotify_add_watch(fd, D "/a", IN_MODIFY);
	int w2 = inotify_add_watch(fd, D "/b", IN_ATTRIB);
	int w3 = inotify_add_watch(fd, D, IN_CREATE);
	CHECK("same inode, same wd", w1 > 0 && w1 == w2);
	CHECK("another inode, another wd", w3 > 0 && w3 != w1);
	CHECK_ERR("IN_MASK_CREATE on a watched inode", inotify_add_watch(fd, D "/a", IN_MODIFY | IN_MASK_CREATE), EEXIST);
	int fd2 = inotify_init1(IN_NONBLOCK);
	CHECK("IN_MASK_CREATE in another instance", inotify_add_watch(fd2, D "/a", IN_MODIFY | IN_MASK_CREATE) > 0);
	close(fd2);
	close(fd);
	unlink(D "/a");
	unlink(D "/b");
}

static void test_files(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	watch(fd, D, IN_ALL_EVENTS, "dir");
	int f = open(D "/f", O_CREAT | O_WRONLY, 0644);
	if (write(f, "hello", 5) != 5 || write(f, "again", 5) != 5)
		DIE("write");
	close(f);
	drain(fd, "create, write twice, close");

	watch(fd, D "/f", IN_ALL_EVENTS, "f");
	char b[16];
	f = open(D "/f", O_RDONLY);
	if (read(f, b, 4) != 4 || read(f, b, 16) != 6 || read(f, b, 16) != 0)
		DIE("read");
	close(f);
	drain(fd, "open, read, read, read at EOF, close");

	f = open(D "/f", O_RDWR | O_TRUNC);
	close(f);
	drain(fd, "open O_RDWR|O_TRUNC, close");

	f = open(D "/f", O_PATH);
	close(f);
	drain(fd, "open O_PATH, close");

	f = open(D "/f", O_WRONLY | O_APPEND);
	if (pwrite(f, "x", 1, 0) != 1 || ftruncate(f, 100))
		DIE("pwrite");
	close(f);
	drain(fd, "pwrite, ftruncate, close");

	if (chmod(D "/f", 0600) || chown(D "/f", getuid(), getgid()) || truncate(D "/f", 3))
		DIE("chmod");
	drain(fd, "chmod, chown, truncate");

	struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
	utimensat(AT_FDCWD, D "/f", ts, 0);
	ts[1].tv_nsec = UTIME_OMIT;
	utimensat(AT_FDCWD, D "/f", ts, 0);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, D "/f", ts, 0);
	utimes(D "/f", NULL);
	drain(fd, "utimensat both, atime only, mtime only, utimes(NULL)");

	CHECK_ERR("chmod of a missing file", chmod(D "/none", 0600), ENOENT);
	drain(fd, "failed operations");

	if (link(D "/f", D "/g"))
		DIE("link");
	drain(fd, "link");
	if (unlink(D "/g"))
		DIE("unlink");
	drain(fd, "unlink of the other name");
	if (unlink(D "/f"))
		DIE("unlink");
	drain(fd, "unlink of the watched file (both watched)");
	close(fd);
	nwds = 0;
}

static void test_dirs(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	watch(fd, D, IN_ALL_EVENTS, "dir");
	if (mkdir(D "/sub", 0755))
		DIE("mkdir");
	watch(fd, D "/sub", IN_ALL_EVENTS, "sub");
	DIR *d = opendir(D "/sub");
	while (d && readdir(d))
		;
	if (d)
		closedir(d);
	drain(fd, "mkdir sub, list sub");
	CHECK_OK("symlink", symlink("target", D "/sub/link"));
	CHECK_OK("mknod S_IFREG", mknod(D "/sub/reg", S_IFREG | 0644, 0));
	drain(fd, "symlink, mknod in sub");
	unlink(D "/sub/link");
	unlink(D "/sub/reg");
	drain(fd, "two unlinks in sub");
	chmod(D "/sub", 0700);
	drain(fd, "chmod sub");
	if (rmdir(D "/sub"))
		DIE("rmdir");
	drain(fd, "rmdir sub (both watched)");
	close(fd);
	nwds = 0;
}

static void test_rename(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	if (mkdir(D "/x", 0755) || mkdir(D "/y", 0755))
		DIE("mkdir");
	watch(fd, D "/x", IN_ALL_EVENTS, "x");
	watch(fd, D "/y", IN_ALL_EVENTS, "y");
	put_file(D "/x/a", "1");
	drain(fd, "create x/a");
	watch(fd, D "/x/a", IN_ALL_EVENTS, "a");
	rename(D "/x/a", D "/x/b");
	drain(fd, "rename x/a x/b");
	rename(D "/x/b", D "/y/c");
	drain(fd, "rename x/b y/c");
	put_file(D "/y/t", "2");
	watch(fd, D "/y/t", IN_ALL_EVENTS, "t");
	drain(fd, "create y/t");
	rename(D "/y/c", D "/y/t");
	drain(fd, "rename y/c over y/t");
	if (mkdir(D "/x/d", 0755))
		DIE("mkdir");
	rename(D "/x/d", D "/y/d");
	drain(fd, "mkdir x/d, rename x/d y/d");
	CHECK_ERR("rename of a missing name", rename(D "/x/none", D "/y/none"), ENOENT);
	drain(fd, "failed rename");
	unlink(D "/y/t");
	rmdir(D "/y/d");
	drain(fd, "unlink y/t, rmdir y/d");
	close(fd);
	nwds = 0;
	rmdir(D "/x");
	rmdir(D "/y");
}

static void test_open_deleted(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	put_file(D "/o", "x");
	watch(fd, D, IN_ALL_EVENTS, "dir");
	watch(fd, D "/o", IN_ALL_EVENTS, "o");
	int f = open(D "/o", O_RDWR);
	unlink(D "/o");
	drain(fd, "open o, unlink o");
	if (write(f, "y", 1) != 1)
		DIE("write");
	drain(fd, "write to the deleted file");
	close(f);
	drain(fd, "close the deleted file");
	close(fd);
	nwds = 0;

	fd = inotify_init1(IN_NONBLOCK);
	put_file(D "/o", "x");
	watch(fd, D, IN_MODIFY | IN_EXCL_UNLINK, "dir-excl");
	f = open(D "/o", O_RDWR);
	unlink(D "/o");
	if (write(f, "y", 1) != 1)
		DIE("write");
	close(f);
	drain(fd, "IN_EXCL_UNLINK: write to an unlinked child");
	close(fd);
	nwds = 0;
}

static void test_flags(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	put_file(D "/m", "x");
	watch(fd, D "/m", IN_OPEN | IN_ONESHOT, "m");
	for (int i = 0; i < 2; i++)
		close(open(D "/m", O_RDONLY));
	drain(fd, "IN_ONESHOT, opened twice");
	CHECK_ERR("rm_watch after IN_ONESHOT fired", inotify_rm_watch(fd, wds[nwds - 1].wd), EINVAL);

	watch(fd, D "/m", IN_OPEN, "m");
	watch(fd, D "/m", IN_CLOSE | IN_MASK_ADD, "m");
	close(open(D "/m", O_RDONLY));
	drain(fd, "IN_OPEN, then IN_CLOSE with IN_MASK_ADD");
	watch(fd, D "/m", IN_ATTRIB, "m");
	close(open(D "/m", O_RDONLY));
	chmod(D "/m", 0600);
	drain(fd, "replaced by IN_ATTRIB");
	int wd = wds[nwds - 1].wd;
	CHECK_OK("rm_watch", inotify_rm_watch(fd, wd));
	chmod(D "/m", 0644);
	drain(fd, "rm_watch, chmod");
	close(fd);
	nwds = 0;
	unlink(D "/m");
}

static void test_read(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	watch(fd, D, IN_CREATE, "dir");
	put_file(D "/name-of-17-chars", "x");
	put_file(D "/b", "x");
	int n = -1;
	CHECK("FIONREAD", ioctl(fd, FIONREAD, &n) == 0 && n == 16 + 32 + 16 + 16);
	char buf[256] __attribute__((aligned(8)));
	CHECK_ERR("read into 0 bytes", read(fd, buf, 0), EINVAL);
	CHECK_ERR("read into 16 bytes", read(fd, buf, 16), EINVAL);
	CHECK_ERR("read into 47 bytes", read(fd, buf, 47), EINVAL);
	ssize_t r = read(fd, buf, 48 + 31);
	CHECK("read into 79 bytes: the first event", r == 48);
	CHECK("FIONREAD after", ioctl(fd, FIONREAD, &n) == 0 && n == 32);
	r = read(fd, buf, sizeof(buf));
	CHECK("read the rest", r == 32);
	CHECK("FIONREAD empty", ioctl(fd, FIONREAD, &n) == 0 && n == 0);
	unlink(D "/name-of-17-chars");
	unlink(D "/b");
	close(fd);
	nwds = 0;
}

static void test_poll(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	watch(fd, D, IN_CREATE | IN_DELETE, "dir");
	struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };
	CHECK("poll: empty", poll(&pfd, 1, 0) == 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 7 }, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	CHECK("epoll: empty", epoll_wait(ep, &out, 1, 0) == 0);
	put_file(D "/p", "x");
	CHECK("poll: readable", poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
	CHECK("epoll: readable", epoll_wait(ep, &out, 1, 0) == 1 && out.events == EPOLLIN && out.data.u32 == 7);
	CHECK("epoll ET: once", epoll_wait(ep, &out, 1, 0) == 0);
	unlink(D "/p");
	CHECK("epoll ET: again after a new event", epoll_wait(ep, &out, 1, 0) == 1);
	drain(fd, "create p, unlink p");
	CHECK("poll: empty after read", poll(&pfd, 1, 0) == 0);

	/* a blocking read wakes for an event made by another process */
	int b = inotify_init();
	watch(b, D, IN_CREATE, "dir");
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		put_file(D "/late", "x");
		_exit(0);
	}
	char buf[256] __attribute__((aligned(8)));
	ssize_t r = read(b, buf, sizeof(buf));
	CHECK("blocking read wakes", r == 16 + 16 && !strcmp(((struct inotify_event *)buf)->name, "late"));
	waitpid(pid, NULL, 0);
	unlink(D "/late");
	close(b);
	close(ep);
	close(fd);
	nwds = 0;
}

static void test_overflow(void)
{
	long max = read_sysctl("max_queued_events");
	printf("max_queued_events: %ld\n", max);
	int fd = inotify_init1(IN_NONBLOCK);
	put_file(D "/q", "x");
	watch(fd, D "/q", IN_OPEN | IN_CLOSE, "q");
	/* open, close alternate: no two equal events in a row */
	for (long i = 0; i < max / 2 + 1; i++)
		close(open(D "/q", O_RDONLY));
	char buf[65536] __attribute__((aligned(8)));
	long events = 0, overflows = 0, last_overflow = 0;
	int bad = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			if (e->mask == IN_Q_OVERFLOW) {
				overflows++;
				last_overflow = events;
				bad |= e->wd != -1 || e->len != 0;
			}
			events++;
			p += sizeof(*e) + e->len;
		}
	}
	CHECK("max_queued_events events, then one IN_Q_OVERFLOW (wd -1)", events == max + 1 && overflows == 1 && last_overflow == max && !bad);
	close(open(D "/q", O_RDONLY));
	drain(fd, "after reading the overflowed queue");
	close(fd);
	nwds = 0;
	unlink(D "/q");
}

static void test_sysctls_fdinfo(void)
{
	printf("max_user_instances: %ld\n", read_sysctl("max_user_instances"));
	CHECK("max_user_watches at least 8192", read_sysctl("max_user_watches") >= 8192);
	int fd = inotify_init1(0);
	inotify_add_watch(fd, D, IN_CREATE | IN_DELETE);
	inotify_add_watch(fd, "/", IN_ONESHOT | IN_OPEN);
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	int lines = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "inotify ", 8))
			continue;
		lines++;
		char *m = strstr(line, " mask:");
		unsigned mask = 0;
		if (m)
			sscanf(m + 6, "%x", &mask);
		printf("fdinfo watch: wd %s, ino %s, sdev %s, mask %x, ignored_mask %s\n", strstr(line, "wd:") ? "shown" : "missing",
		       strstr(line, " ino:") ? "shown" : "missing", strstr(line, " sdev:") ? "shown" : "missing",
		       mask, strstr(line, " ignored_mask:0") ? "0" : "missing");
	}
	if (f)
		fclose(f);
	printf("fdinfo watches: %d\n", lines);
	close(fd);
}

/* as another user (root only): EACCES, EMFILE, ENOSPC */
static void test_limits(void)
{
	if (geteuid() != 0) {
		printf("limits: need root\n");
		return;
	}
	put_file(D "/secret", "x");
	chmod(D "/secret", 0);
	pid_t pid = fork();
	if (pid == 0) {
		t_failures = 0;
		if (setgid(54321) || setuid(54321))
			_exit(2);
		int fd = inotify_init1(0);
		CHECK_ERR("add_watch without read permission", inotify_add_watch(fd, D "/secret", IN_ALL_EVENTS), EACCES);
		CHECK("add_watch of a readable dir", inotify_add_watch(fd, D, IN_ALL_EVENTS) > 0);
		close(fd);
		long max = read_sysctl("max_user_instances");
		int n = 0;
		while (inotify_init1(IN_CLOEXEC) >= 0)
			n++;
		int e = errno;
		CHECK("max_user_instances instances, then EMFILE", n == max && e == EMFILE);
		_exit(t_failures ? 1 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("EACCES/EMFILE child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unlink(D "/secret");

	long watches = read_sysctl("max_user_watches");
	if (watches > 20000) {
		/* too many files to make here: the limit is checked where it is small */
		printf("max_user_watches watches, then ENOSPC: ok\n");
		return;
	}
	/* on a tmpfs: as many files as the limit fit on no disk image */
	if (mkdir(D "/w", 0777) || mount("none", D "/w", "tmpfs", 0, "mode=0777"))
		DIE("mkdir");
	for (long i = 0; i <= watches; i++) {
		char p[64];
		snprintf(p, sizeof(p), D "/w/%ld", i);
		close(open(p, O_CREAT | O_WRONLY, 0644));
	}
	pid = fork();
	if (pid == 0) {
		t_failures = 0;
		if (setgid(54321) || setuid(54321))
			_exit(2);
		int fd = inotify_init1(0);
		long n = 0;
		int e = 0;
		for (long i = 0; i <= watches; i++) {
			char p[64];
			snprintf(p, sizeof(p), D "/w/%ld", i);
			if (inotify_add_watch(fd, p, IN_MODIFY) < 0) {
				e = errno;
				break;
			}
			n++;
		}
		CHECK("max_user_watches watches, then ENOSPC", n == watches && e == ENOSPC);
		_exit(t_failures ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		t_failures++;
	umount(D "/w");
	rmdir(D "/w");
}

static void test_unmount(void)
{
	if (geteuid() != 0) {
		printf("unmount: need root\n");
		return;
	}
	if (mkdir(D "/mnt", 0755) || mount("none", D "/mnt", "tmpfs", 0, NULL))
		DIE("mount");
	put_file(D "/mnt/file", "x");
	int fd = inotify_init1(IN_NONBLOCK);
	watch(fd, D "/mnt", IN_ALL_EVENTS, "mnt-root");
	watch(fd, D "/mnt/file", IN_ALL_EVENTS, "mnt-file");
	/* the same sequences on tmpfs */
	put_file(D "/mnt/new", "abc");
	rename(D "/mnt/new", D "/mnt/file");
	mkdir(D "/mnt/d", 0755);
	rmdir(D "/mnt/d");
	drain(fd, "tmpfs: create+write+close, rename over the watched file, mkdir, rmdir");
	watch(fd, D "/mnt/file", IN_MODIFY, "mnt-file");
	watch(fd, D, IN_ALL_EVENTS, "dir");
	CHECK_OK("umount", umount(D "/mnt"));
	drain(fd, "umount of the tmpfs");
	close(fd);
	nwds = 0;
	rmdir(D "/mnt");
}

int main(void)
{
	rm_rf(D);
	if (mkdir(D, 0755))
		DIE("mkdir " D);
	test_init();
	test_errors();
	test_same_wd();
	test_files();
	test_dirs();
	test_rename();
	test_open_deleted();
	test_flags();
	test_read();
	test_poll();
	test_overflow();
	test_sysctls_fdinfo();
	test_limits();
	test_unmount();
	rm_rf(D);
	return t_failures ? 1 : 0;
}
