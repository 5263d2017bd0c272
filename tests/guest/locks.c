/* Advisory locks between processes: fcntl record locks (conflicts,
 * F_GETLK, splitting, release on any close, blocking F_SETLKW, EINTR,
 * EDEADLK), OFD locks (per open file description) and flock(2). */
#include "t.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/time.h>
#include <sys/wait.h>

#define F "/tmp/umk-locks-test"

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK for a write lock on [start, start+len): what blocks it */
static void getlk(const char *label, int fd, int cmd, off_t start, off_t len, pid_t owner)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	if (fcntl(fd, cmd, &fl) < 0) {
		printf("%s: FAIL errno %d\n", label, errno);
		t_failures++;
		return;
	}
	printf("%s: type=%s start=%ld len=%ld pid=%s\n", label,
	       fl.l_type == F_UNLCK ? "UNLCK" : fl.l_type == F_WRLCK ? "WRLCK" : "RDLCK", (long)fl.l_start,
	       (long)fl.l_len, fl.l_type == F_UNLCK ? "-" : fl.l_pid == owner ? "owner" : fl.l_pid == -1 ? "-1" : "other");
}

/* Until pid sleeps (state S in /proc/PID/stat): a fixed delay is not
 * enough for the child to reach its blocking call on a loaded machine. */
static void wait_blocked(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");
		char *p = f && fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		if (f)
			fclose(f);
		if (p && (p[2] == 'S' || p[2] == 'D'))
			return;
		usleep(10000);
	}
}

static void wait_child(const char *label, pid_t pid)
{
	int st;
	waitpid(pid, &st, 0);
	CHECK(label, WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void on_alarm(int s) { (void)s; }

int main(void)
{
	unlink(F);
	int fd = open(F, O_CREAT | O_RDWR, 0644);
	if (fd < 0)
		DIE("open");
	if (write(fd, "0123456789", 10) != 10)
		DIE("write");
	pid_t me = getpid();
	int p2c[2], c2p[2];
	char c;

	/* POSIX record locks */
	CHECK_OK("lock 0-99 write", setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	CHECK_OK("unlock 40-59 (split)", setlk(fd, F_SETLK, F_UNLCK, 40, 20));
	CHECK_OK("relock own range", setlk(fd, F_SETLK, F_RDLCK, 0, 10));
	CHECK_ERR("getlk unlck type", setlk(fd, F_GETLK, F_UNLCK, 0, 1), EINVAL);
	int ro = open(F, O_RDONLY);
	CHECK_ERR("write lock on read-only fd", setlk(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open(F, O_RDWR);
		CHECK_ERR("child conflicting lock", setlk(cfd, F_SETLK, F_WRLCK, 50, 20), EAGAIN);
		getlk("child getlk 0-9", cfd, F_GETLK, 0, 10, me);
		getlk("child getlk 10-49", cfd, F_GETLK, 20, 5, me);
		getlk("child getlk 40-59", cfd, F_GETLK, 40, 20, me);
		getlk("child getlk 70+", cfd, F_GETLK, 70, 0, me);
		CHECK_OK("child lock hole 40-59", setlk(cfd, F_SETLK, F_WRLCK, 40, 20));
		CHECK_OK("child lock past 100", setlk(cfd, F_SETLK, F_WRLCK, 100, 0));
		CHECK_ERR("child read lock on parent's read range", setlk(cfd, F_SETLK, F_WRLCK, 0, 5), EAGAIN);
		_exit(t_done());
	}
	wait_child("child 1", pid);
	/* the child's locks went away when it exited */
	CHECK_OK("lock past 100 after child exit", setlk(fd, F_SETLK, F_WRLCK, 100, 10));

	/* closing any descriptor of the file drops the process's locks */
	int other = open(F, O_RDWR);
	close(other);
	pid = fork();
	if (pid == 0) {
		int cfd = open(F, O_RDWR);
		CHECK_OK("child locks after parent's close", setlk(cfd, F_SETLK, F_WRLCK, 0, 0));
		_exit(t_done());
	}
	wait_child("child 2", pid);

	/* F_SETLKW blocks until the holder lets go */
	if (pipe(p2c) || pipe(c2p))
		DIE("pipe");
	pid = fork();
	if (pid == 0) {
		int cfd = open(F, O_RDWR);
		setlk(cfd, F_SETLK, F_WRLCK, 0, 10);
		if (write(c2p[1], "L", 1) != 1)
			_exit(1);
		usleep(100000);
		printf("child releasing\n");
		close(cfd);
		_exit(0);
	}
	if (read(c2p[0], &c, 1) != 1)
		DIE("read");
	CHECK_ERR("setlk while child holds", setlk(fd, F_SETLK, F_WRLCK, 5, 1), EAGAIN);
	CHECK_OK("setlkw waits for release", setlk(fd, F_SETLKW, F_WRLCK, 5, 1));
	wait_child("child 3", pid);
	setlk(fd, F_SETLK, F_UNLCK, 0, 0);

	/* F_SETLKW interrupted by a signal without SA_RESTART */
	pid = fork();
	if (pid == 0) {
		int cfd = open(F, O_RDWR);
		setlk(cfd, F_SETLK, F_WRLCK, 0, 10);
		if (write(c2p[1], "L", 1) != 1 || read(p2c[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(c2p[0], &c, 1) != 1)
		DIE("read");
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { .it_value = { 0, 100000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_ERR("setlkw interrupted", setlk(fd, F_SETLKW, F_WRLCK, 0, 1), EINTR);
	if (write(p2c[1], "x", 1) != 1)
		DIE("write");
	wait_child("child 4", pid);

	/* deadlock: parent holds A waits for B; child holds B waits for A */
	CHECK_OK("parent locks A", setlk(fd, F_SETLK, F_WRLCK, 0, 1));
	pid = fork();
	if (pid == 0) {
		int cfd = open(F, O_RDWR);
		setlk(cfd, F_SETLK, F_WRLCK, 1, 1);
		if (write(c2p[1], "L", 1) != 1)
			_exit(1);
		int r = setlk(cfd, F_SETLKW, F_WRLCK, 0, 1);	/* blocks on A */
		/* no output here: it would race with the parent's lines;
		 * wait_child reports the exit status */
		_exit(r == 0 ? 0 : 1);
	}
	if (read(c2p[0], &c, 1) != 1)
		DIE("read");
	wait_blocked(pid);	/* the child sleeps on A */
	CHECK_ERR("deadlock detected", setlk(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);
	CHECK_OK("parent unlocks A", setlk(fd, F_SETLK, F_UNLCK, 0, 1));
	wait_child("child 5", pid);

	/* OFD locks belong to the open file description */
	int o1 = open(F, O_RDWR), o2 = open(F, O_RDWR);
	CHECK_OK("ofd lock on o1", setlk(o1, F_OFD_SETLK, F_WRLCK, 0, 10));
	CHECK_ERR("ofd lock on o2 conflicts", setlk(o2, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
	CHECK_ERR("posix lock conflicts with ofd", setlk(fd, F_SETLK, F_WRLCK, 5, 1), EAGAIN);
	getlk("ofd getlk", o2, F_OFD_GETLK, 0, 0, me);
	struct flock bad = { .l_type = F_WRLCK, .l_pid = 1 };
	CHECK_ERR("ofd with l_pid", fcntl(o2, F_OFD_SETLK, &bad), EINVAL);
	int dup1 = dup(o1);
	close(o1);
	CHECK_ERR("ofd lock kept while a dup is open", setlk(o2, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
	close(dup1);
	CHECK_OK("ofd lock freed with the description", setlk(o2, F_OFD_SETLK, F_WRLCK, 5, 1));
	close(o2);

	/* flock: per open file description, separate from record locks */
	int a = open(F, O_RDWR), b = open(F, O_RDWR);
	CHECK_OK("flock ex a", flock(a, LOCK_EX));
	CHECK_ERR("flock ex b nb", flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_ERR("flock sh b nb", flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	CHECK_OK("record lock ignores flock", setlk(b, F_SETLK, F_WRLCK, 0, 0));
	pid = fork();
	if (pid == 0) {
		/* the child shares a's description, so it shares the lock */
		CHECK_OK("child flock on inherited fd", flock(a, LOCK_EX | LOCK_NB));
		int c2 = open(F, O_RDONLY);
		CHECK_ERR("child flock on own open", flock(c2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
		_exit(t_done());
	}
	wait_child("child 6", pid);
	CHECK_OK("flock convert to shared", flock(a, LOCK_SH));
	CHECK_OK("flock sh b", flock(b, LOCK_SH | LOCK_NB));
	CHECK_ERR("flock ex a blocked by b", flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK("flock un b", flock(b, LOCK_UN));
	CHECK_OK("flock ex a", flock(a, LOCK_EX | LOCK_NB));
	close(a);
	CHECK_OK("flock freed on close", flock(b, LOCK_EX | LOCK_NB));
	close(b);
	CHECK_ERR("flock bad fd", flock(99, LOCK_EX), EBADF);

	close(fd);
	close(ro);
	unlink(F);
	return t_done();
}
