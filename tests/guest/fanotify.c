/* fanotify's notification class as Linux has it: root only (EPERM
 * otherwise), init and mark errors, events on inode marks (open, read,
 * write and close of one object by one process merge into one event),
 * directories with and without FAN_EVENT_ON_CHILD and FAN_ONDIR, mount
 * and filesystem marks on a private tmpfs, the event's fd (the object,
 * opened with the group's event_f_flags, itself unreported) and pid,
 * FAN_MARK_REMOVE / FAN_MARK_FLUSH, FIONREAD, poll, and responses that
 * name no pending permission event. Prints no fd numbers or pids, only
 * relations. Runs as root (natively too); otherwise says so. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define D "/tmp/umk-fanotify"
#define M D "/mnt"

static void mask_str(uint64_t m, char *out)
{
	static const struct { uint64_t bit; const char *n; } names[] = {
		{ FAN_ACCESS, "ACCESS" }, { FAN_MODIFY, "MODIFY" }, { FAN_CLOSE_WRITE, "CLOSE_WRITE" },
		{ FAN_CLOSE_NOWRITE, "CLOSE_NOWRITE" }, { FAN_OPEN, "OPEN" }, { FAN_OPEN_EXEC, "OPEN_EXEC" },
		{ FAN_Q_OVERFLOW, "Q_OVERFLOW" }, { FAN_ONDIR, "ONDIR" }, { FAN_OPEN_PERM, "OPEN_PERM" },
		{ FAN_ACCESS_PERM, "ACCESS_PERM" }, { FAN_OPEN_EXEC_PERM, "OPEN_EXEC_PERM" },
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
		sprintf(out + strlen(out), "|0x%llx", (unsigned long long)m);
}

static pid_t child_pid;

/* read everything queued (fd non-blocking), print each event */
static void drain(int fd, const char *what)
{
	char buf[4096] __attribute__((aligned(8)));
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
		struct fanotify_event_metadata *md = (struct fanotify_event_metadata *)buf;
		for (; FAN_EVENT_OK(md, n); md = FAN_EVENT_NEXT(md, n)) {
			char m[256], link[64], target[512] = "?";
			mask_str(md->mask, m);
			if (md->vers != FANOTIFY_METADATA_VERSION || md->metadata_len != sizeof(*md)) {
				printf("  BAD METADATA\n");
				t_failures++;
			}
			if (md->fd >= 0) {
				snprintf(link, sizeof(link), "/proc/self/fd/%d", md->fd);
				ssize_t l = readlink(link, target, sizeof(target) - 1);
				target[l > 0 ? l : 0] = 0;
				int fl = fcntl(md->fd, F_GETFL);
				printf("  %s %s fd %s%s pid %s\n", m, target,
				       (fl & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "not O_RDONLY",
				       fcntl(md->fd, F_GETFD) == FD_CLOEXEC ? " cloexec" : "",
				       md->pid == getpid() ? "self" : md->pid == child_pid ? "child" : "OTHER");
				close(md->fd);
			} else {
				printf("  %s fd %d\n", m, md->fd);
			}
			total++;
		}
	}
	if (!total)
		printf("  (none)\n");
}

static void put_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		DIE(path);
	close(fd);
}

static void read_file(const char *path)
{
	char b[64];
	int fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, b, sizeof(b)) < 0)
		DIE(path);
	close(fd);
}

static void test_errors(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		t_failures = 0;
		if (setgid(54321) || setuid(54321))
			_exit(2);
		CHECK_ERR("fanotify_init unprivileged", fanotify_init(FAN_CLASS_NOTIF, O_RDONLY), EPERM);
		_exit(t_failures ? 1 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("unprivileged child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_ERR("fanotify_init unknown flag", fanotify_init(0x80000000, O_RDONLY), EINVAL);
	CHECK_ERR("fanotify_init O_CREAT in event flags", fanotify_init(0, O_RDONLY | O_CREAT), EINVAL);
	CHECK_ERR("fanotify_init O_ACCMODE event flags", fanotify_init(0, O_ACCMODE), EINVAL);
	CHECK_ERR("fanotify_init two classes", fanotify_init(FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT, O_RDONLY), EINVAL);

	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK | FAN_CLOEXEC, O_RDONLY);
	CHECK("FAN_NONBLOCK, FAN_CLOEXEC", fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK("opened O_RDWR", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
	char link[64], target[64] = "";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t l = readlink(link, target, sizeof(target) - 1);
	target[l > 0 ? l : 0] = 0;
	printf("fd link: %s\n", target);
	char b[64];
	CHECK_ERR("read of an empty queue", read(fd, b, sizeof(b)), EAGAIN);
	int p[2];
	if (pipe(p))
		DIE("pipe");
	put_file(D "/file", "x");
	CHECK_ERR("mark: bad fd", fanotify_mark(-1, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, D), EBADF);
	CHECK_ERR("mark: not fanotify", fanotify_mark(p[0], FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, D), EINVAL);
	CHECK_ERR("mark: no command", fanotify_mark(fd, 0, FAN_OPEN, AT_FDCWD, D), EINVAL);
	CHECK_ERR("mark: ADD|REMOVE", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, D), EINVAL);
	CHECK_ERR("mark: empty mask", fanotify_mark(fd, FAN_MARK_ADD, 0, AT_FDCWD, D), EINVAL);
	CHECK_ERR("mark: upper mask bits", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN | (1ull << 40), AT_FDCWD, D), EINVAL);
	CHECK_ERR("mark: unknown flag", fanotify_mark(fd, FAN_MARK_ADD | 0x80000000, FAN_OPEN, AT_FDCWD, D), EINVAL);
	CHECK_ERR("mark: MOUNT|FILESYSTEM", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD, D), EINVAL);
	CHECK_ERR("mark: FAN_CREATE needs FID", fanotify_mark(fd, FAN_MARK_ADD, FAN_CREATE, AT_FDCWD, D), EINVAL);
	CHECK_ERR("mark: FAN_OPEN_PERM needs a content class", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, D), EINVAL);
	CHECK_ERR("mark: missing path", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, D "/none"), ENOENT);
	CHECK_ERR("mark: ONLYDIR on a file", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_ONLYDIR, FAN_OPEN, AT_FDCWD, D "/file"), ENOTDIR);
	CHECK_ERR("mark: no path, bad dirfd", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, -1, NULL), EBADF);
	CHECK_ERR("mark: remove of no mark", fanotify_mark(fd, FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, D), ENOENT);
	CHECK_ERR("mark: FLUSH with a mask flag", fanotify_mark(fd, FAN_MARK_FLUSH | FAN_MARK_ONLYDIR, 0, AT_FDCWD, D), EINVAL);
	CHECK_OK("mark: FLUSH", fanotify_mark(fd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL));
	struct fanotify_response r = { .fd = 0, .response = FAN_ALLOW };
	CHECK_ERR("write: short response", write(fd, &r, 4), EINVAL);
	CHECK_ERR("write: no such pending event", write(fd, &r, sizeof(r)), ENOENT);
	r.response = 7;
	CHECK_ERR("write: bad response", write(fd, &r, sizeof(r)), EINVAL);
	CHECK_ERR("ioctl: unknown", ioctl(fd, 0x5401, b), ENOTTY);
	close(p[0]);
	close(p[1]);
	close(fd);
	unlink(D "/file");
}

static void test_inode_marks(void)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDONLY | O_LARGEFILE);
	put_file(D "/f", "hello");
	CHECK_OK("mark f", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN | FAN_ACCESS | FAN_MODIFY | FAN_CLOSE, AT_FDCWD, D "/f"));
	read_file(D "/f");
	drain(fd, "open, read, close f");
	put_file(D "/f", "again");
	drain(fd, "open, write, close f");
	int n = -1;
	read_file(D "/f");
	CHECK("FIONREAD: one event", ioctl(fd, FIONREAD, &n) == 0 && n == (int)sizeof(struct fanotify_event_metadata));
	struct pollfd pfd = { fd, POLLIN, 0 };
	CHECK("poll: readable", poll(&pfd, 1, 0) == 1);
	char b[8];
	CHECK_ERR("read into 8 bytes", read(fd, b, sizeof(b)), EINVAL);
	drain(fd, "open, read, close f (after FIONREAD)");
	CHECK("poll: empty", poll(&pfd, 1, 0) == 0);
	child_pid = fork();
	if (child_pid == 0) {
		read_file(D "/f");
		_exit(0);
	}
	waitpid(child_pid, NULL, 0);
	read_file(D "/f");
	drain(fd, "a child reads f, then this process");

	CHECK_OK("remove FAN_ACCESS", fanotify_mark(fd, FAN_MARK_REMOVE, FAN_ACCESS, AT_FDCWD, D "/f"));
	read_file(D "/f");
	drain(fd, "open, read, close f without FAN_ACCESS");
	CHECK_OK("remove the rest", fanotify_mark(fd, FAN_MARK_REMOVE, FAN_OPEN | FAN_MODIFY | FAN_CLOSE, AT_FDCWD, D "/f"));
	CHECK_ERR("remove again", fanotify_mark(fd, FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, D "/f"), ENOENT);
	read_file(D "/f");
	drain(fd, "no marks");

	CHECK_OK("mark dir, no FAN_EVENT_ON_CHILD", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, D));
	read_file(D "/f");
	close(open(D, O_RDONLY | O_DIRECTORY));
	drain(fd, "child opened, dir opened (no FAN_ONDIR)");
	CHECK_OK("add FAN_EVENT_ON_CHILD|FAN_ONDIR", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN | FAN_EVENT_ON_CHILD | FAN_ONDIR, AT_FDCWD, D));
	read_file(D "/f");
	close(open(D, O_RDONLY | O_DIRECTORY));
	drain(fd, "child opened, dir opened (FAN_EVENT_ON_CHILD|FAN_ONDIR)");
	CHECK_OK("FLUSH inode marks", fanotify_mark(fd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL));
	read_file(D "/f");
	drain(fd, "after FLUSH");
	close(fd);

	fd = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDWR | O_CLOEXEC);
	int dfd = open(D, O_RDONLY | O_DIRECTORY);
	CHECK_OK("mark f by dirfd and name", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, dfd, "f"));
	close(dfd);
	read_file(D "/f");
	drain(fd, "event_f_flags O_RDWR|O_CLOEXEC");
	close(fd);
	unlink(D "/f");
}

static void test_mount_marks(void)
{
	if (mkdir(M, 0755) || mount("none", M, "tmpfs", 0, NULL))
		DIE("mount");
	if (mkdir(M "/sub", 0755))
		DIE("mkdir");
	put_file(M "/sub/g", "x");
	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDONLY);
	CHECK_OK("mount mark", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN | FAN_CLOSE_WRITE, AT_FDCWD, M));
	put_file(M "/sub/g", "y");
	read_file(M "/sub/g");
	close(open(M "/sub", O_RDONLY | O_DIRECTORY));
	put_file(D "/outside", "z");
	drain(fd, "mount mark: write g, read g, open sub, write outside");
	CHECK_OK("mount mark: add FAN_ONDIR", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_ONDIR, AT_FDCWD, M));
	close(open(M "/sub", O_RDONLY | O_DIRECTORY));
	drain(fd, "mount mark with FAN_ONDIR: open sub");
	CHECK_OK("FLUSH mount marks", fanotify_mark(fd, FAN_MARK_FLUSH | FAN_MARK_MOUNT, 0, AT_FDCWD, NULL));
	read_file(M "/sub/g");
	drain(fd, "after FLUSH of mount marks");

	CHECK_OK("filesystem mark", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD, M "/sub"));
	CHECK_OK("and an inode mark on g", fanotify_mark(fd, FAN_MARK_ADD, FAN_CLOSE_NOWRITE, AT_FDCWD, M "/sub/g"));
	read_file(M "/sub/g");
	read_file(D "/outside");
	CHECK_ERR("umount with an unread event", umount(M), EBUSY);
	drain(fd, "filesystem mark + inode mark: read g, read outside");
	CHECK_OK("umount", umount(M));
	put_file(D "/outside", "z");
	drain(fd, "after umount");
	close(fd);
	rmdir(M);
	unlink(D "/outside");
}

/* one permission event: read it (blocking), print it, answer it */
static void judge(int fd, uint32_t response, const char *what)
{
	struct fanotify_event_metadata md;
	ssize_t n = read(fd, &md, sizeof(md));
	if (n != sizeof(md)) {
		printf("%s: FAIL read %zd %s\n", what, n, strerror(errno));
		t_failures++;
		return;
	}
	char m[128];
	mask_str(md.mask, m);
	printf("%s: %s pid %s, answered %s\n", what, m, md.pid == child_pid ? "child" : "OTHER", response == FAN_ALLOW ? "FAN_ALLOW" : response == FAN_DENY ? "FAN_DENY" : "never");
	if (response) {
		struct fanotify_response r = { .fd = md.fd, .response = response };
		/* silent on success: the child prints next, once answered */
		if (write(fd, &r, sizeof(r)) != sizeof(r)) {
			printf("%s: FAIL response: %s\n", what, strerror(errno));
			t_failures++;
		}
	}
	close(md.fd);
}

static void test_perm(void)
{
	put_file(D "/p", "secret");
	int fd = fanotify_init(FAN_CLASS_CONTENT, O_RDONLY);
	CHECK_OK("mark p: FAN_OPEN_PERM|FAN_ACCESS_PERM", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_ACCESS_PERM, AT_FDCWD, D "/p"));
	child_pid = fork();
	if (child_pid == 0) {
		errno = 0;
		int f = open(D "/p", O_RDONLY);
		printf("child: open denied: %s\n", f < 0 && errno == EPERM ? "EPERM" : "NO");
		_exit(0);
	}
	judge(fd, FAN_DENY, "open p");
	waitpid(child_pid, NULL, 0);
	child_pid = fork();
	if (child_pid == 0) {
		char b[16];
		int f = open(D "/p", O_RDONLY);
		printf("child: open allowed: %s\n", f >= 0 ? "yes" : "NO");
		errno = 0;
		ssize_t n = read(f, b, sizeof(b));
		printf("child: first read: %zd\n", n);
		errno = 0;
		n = read(f, b, sizeof(b));
		printf("child: second read: %s\n", n < 0 && errno == EPERM ? "EPERM" : "NO");
		_exit(0);
	}
	judge(fd, FAN_ALLOW, "open p");
	judge(fd, FAN_ALLOW, "read p");
	judge(fd, FAN_DENY, "read p again");
	waitpid(child_pid, NULL, 0);
	child_pid = fork();
	if (child_pid == 0) {
		close(fd);	/* else the group lives on in this copy */
		int f = open(D "/p", O_RDONLY);
		printf("child: open after the listener closed: %s\n", f >= 0 ? "allowed" : "DENIED");
		_exit(0);
	}
	judge(fd, 0, "open p");
	close(fd);
	waitpid(child_pid, NULL, 0);
	unlink(D "/p");
}

/* exec reports FAN_OPEN_EXEC with FAN_OPEN, in the exec'ing process */
static void test_exec(void)
{
	int in = open("/proc/self/exe", O_RDONLY), out = open(D "/prog", O_CREAT | O_WRONLY | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			DIE("copy");
	close(in);
	close(out);
	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDONLY);
	CHECK_OK("mark prog: FAN_OPEN_EXEC", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_EXEC, AT_FDCWD, D "/prog"));
	read_file(D "/prog");
	child_pid = fork();
	if (child_pid == 0) {
		execl(D "/prog", "prog", "--exit", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(child_pid, &st, 0);
	CHECK("prog ran", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	drain(fd, "read prog, exec prog (FAN_OPEN_EXEC marked)");
	CHECK_OK("mark prog: FAN_OPEN", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, D "/prog"));
	child_pid = fork();
	if (child_pid == 0) {
		execl(D "/prog", "prog", "--exit", (char *)NULL);
		_exit(127);
	}
	waitpid(child_pid, &st, 0);
	drain(fd, "exec prog (FAN_OPEN|FAN_OPEN_EXEC marked)");
	close(fd);
	unlink(D "/prog");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--exit"))
		return 0;
	if (geteuid() != 0) {
		printf("fanotify: needs root\n");
		return 0;
	}
	umount(M);
	rmdir(M);
	mkdir(D, 0755);
	test_errors();
	test_inode_marks();
	test_mount_marks();
	test_exec();
	test_perm();
	rmdir(D);
	return t_failures ? 1 : 0;
}
