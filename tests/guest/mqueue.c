/* POSIX message queues: mq_open names, flags and attributes, priorities,
 * O_NONBLOCK and timeouts, a blocked receiver woken by a send and by a
 * signal (EINTR), mq_notify (SIGEV_SIGNAL, SIGEV_NONE, EBUSY, removal),
 * mq_setattr, poll and epoll readiness, the mqueue filesystem (mounted
 * privately: the QSIZE line, listing, unlink), limits for an
 * unprivileged user, and every errno the man pages list that a program
 * can provoke. */
#include "t.h"
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <sys/syscall.h>

#define Q "/umk-mq-test"
#define Q2 "/umk-mq-test2"
#define MNT "/tmp/umk-mq-mnt"

static volatile sig_atomic_t got_sig, got_code, got_val;
static void on_sig(int s, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = s;
	got_code = si->si_code;
	got_val = si->si_value.sival_int;
}
static void on_alarm(int s) { (void)s; }

/* SIGEV_THREAD: glibc starts this in a new thread */
static int thread_pipe[2];
static char scratch_cookie[32];
static void on_thread(union sigval v)
{
	char c = (char)v.sival_int;
	write(thread_pipe[1], &c, 1);
}

static void rcv(const char *label, mqd_t q)
{
	char buf[64];
	unsigned prio = 99;
	ssize_t n = mq_receive(q, buf, sizeof(buf), &prio);
	if (n < 0)
		printf("%s: %s\n", label, strerror(errno));
	else
		printf("%s: %zd prio %u '%.*s'\n", label, n, prio, (int)n, buf);
}

static unsigned pollbits(mqd_t q)
{
	struct pollfd p = { .fd = q, .events = POLLIN | POLLOUT };
	poll(&p, 1, 0);
	return p.revents;
}

/* the queue file's line, with NOTIFY_PID as "self" or the number */
static void show_file(const char *label, const char *path)
{
	char buf[128] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		printf("%s: %s\n", label, strerror(errno));
		return;
	}
	char *pid = strstr(buf, "NOTIFY_PID:");
	if (pid && atoi(pid + 11) == getpid())
		strcpy(pid + 11, "self\n");
	printf("%s: %s", label, buf);
}

int main(void)
{
	mq_unlink(Q);
	mq_unlink(Q2);
	struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 16 };

	CHECK_ERR("no slash", mq_open("umk", O_RDWR), EINVAL);
	CHECK_ERR("missing", mq_open(Q, O_RDWR), ENOENT);
	CHECK_ERR("inner slash", mq_open("/a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	char longname[300] = "/";
	memset(longname + 1, 'x', 256);
	CHECK_ERR("name too long", mq_open(longname, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG);
	CHECK_ERR("maxmsg 0", mq_open(Q, O_RDWR | O_CREAT, 0600, &(struct mq_attr){ .mq_maxmsg = 0, .mq_msgsize = 8 }), EINVAL);
	CHECK_ERR("msgsize -1", mq_open(Q, O_RDWR | O_CREAT, 0600, &(struct mq_attr){ .mq_maxmsg = 1, .mq_msgsize = -1 }), EINVAL);
	CHECK_ERR("attr EFAULT", syscall(SYS_mq_open, Q + 1, O_RDWR | O_CREAT, 0600, (void *)8), EFAULT);
	mqd_t q = mq_open(Q, O_RDWR | O_CREAT | O_EXCL, 0640, &a);
	CHECK("create", q >= 0);
	CHECK("close-on-exec", fcntl(q, F_GETFD) == FD_CLOEXEC);
	CHECK_ERR("excl", mq_open(Q, O_RDWR | O_CREAT | O_EXCL, 0600, &a), EEXIST);
	CHECK_ERR("O_RDWR|O_WRONLY", mq_open(Q, O_RDWR | O_WRONLY), EINVAL);
	mqd_t ro = mq_open(Q, O_RDONLY);
	mqd_t wo = mq_open(Q, O_WRONLY | O_NONBLOCK);
	CHECK("open existing", ro >= 0 && wo >= 0);

	struct mq_attr g;
	CHECK_OK("getattr", mq_getattr(q, &g));
	printf("flags %ld maxmsg %ld msgsize %ld curmsgs %ld\n", g.mq_flags, g.mq_maxmsg, g.mq_msgsize, g.mq_curmsgs);
	mq_getattr(wo, &g);
	printf("wo flags nonblock %d\n", (g.mq_flags & O_NONBLOCK) != 0);
	printf("empty poll %#x\n", pollbits(q));

	/* priorities: highest first, FIFO within one */
	CHECK_OK("send a", mq_send(q, "a-1", 3, 1));
	CHECK_OK("send b", mq_send(q, "b-5", 3, 5));
	CHECK_OK("send c", mq_send(wo, "c-1", 3, 1));
	CHECK_OK("send d", mq_send(q, "d-5", 3, 5));
	printf("full poll %#x\n", pollbits(q));
	mq_getattr(q, &g);
	printf("curmsgs %ld\n", g.mq_curmsgs);
	CHECK_ERR("full nonblock", mq_send(wo, "x", 1, 0), EAGAIN);
	struct timespec past = { 1, 0 };
	CHECK_ERR("full timeout", mq_timedsend(q, "x", 1, 0, &past), ETIMEDOUT);
	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR("bad timeout", mq_timedsend(q, "x", 1, 0, &bad), EINVAL);
	CHECK_ERR("prio too big", mq_send(q, "x", 1, 32768), EINVAL);
	CHECK_ERR("too long", mq_send(wo, "01234567890123456", 17, 0), EMSGSIZE);
	CHECK_ERR("send on read-only", mq_send(ro, "x", 1, 0), EBADF);
	CHECK_ERR("send bad fd", mq_send(99, "x", 1, 0), EBADF);
	CHECK_ERR("send not a queue", mq_send(1, "x", 1, 0), EBADF);
	CHECK_ERR("send EFAULT", mq_send(q, (void *)8, 1, 0), EFAULT);

	/* the filesystem's view, mounted privately */
	mkdir(MNT, 0755);
	CHECK_OK("mount mqueue", mount("none", MNT, "mqueue", 0, NULL));
	show_file("file", MNT Q);
	struct stat st;
	CHECK_OK("stat", stat(MNT Q, &st));
	printf("mode %o size %lld\n", st.st_mode, (long long)st.st_size);
	DIR *d = opendir(MNT);
	int seen = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		if (!strcmp(e->d_name, Q + 1))
			seen = 1;
	if (d)
		closedir(d);
	CHECK("listed", seen);

	char small[8];
	CHECK_ERR("receive buffer small", mq_receive(q, small, sizeof(small), NULL), EMSGSIZE);
	CHECK_ERR("receive on write-only", mq_receive(wo, small, 64, NULL), EBADF);
	rcv("1st", q);
	rcv("2nd", ro);
	rcv("3rd", q);
	rcv("4th", q);
	printf("drained poll %#x\n", pollbits(q));
	CHECK_OK("setattr nonblock", mq_setattr(q, &(struct mq_attr){ .mq_flags = O_NONBLOCK }, &g));
	printf("old flags %ld\n", g.mq_flags);
	CHECK_ERR("setattr bad flags", mq_setattr(q, &(struct mq_attr){ .mq_flags = O_APPEND }, NULL), EINVAL);
	rcv("empty nonblock", q);
	mq_setattr(q, &(struct mq_attr){ .mq_flags = 0 }, NULL);
	CHECK_ERR("empty timeout", mq_timedreceive(q, small, 64, NULL, &past), ETIMEDOUT);

	/* epoll: readable once a message is there */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
	CHECK_OK("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev));
	CHECK("epoll empty", epoll_wait(ep, &ev, 1, 0) == 0);
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		mq_send(wo, "late", 4, 3);
		_exit(0);
	}
	CHECK("epoll wakes", epoll_wait(ep, &ev, 1, 5000) == 1 && ev.data.u32 == 7);
	waitpid(c, NULL, 0);
	rcv("from child", q);

	/* a blocked receiver woken by a send */
	c = fork();
	if (c == 0) {
		usleep(100000);
		mq_send(wo, "wake", 4, 0);
		_exit(0);
	}
	rcv("blocked", q);
	waitpid(c, NULL, 0);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	CHECK_ERR("receive EINTR", mq_receive(q, small, 64, NULL), EINTR);

	/* notification */
	struct sigaction ss = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
	sigaction(SIGUSR1, &ss, NULL);
	struct sigevent se = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value.sival_int = 42 };
	CHECK_OK("notify", mq_notify(q, &se));
	CHECK_ERR("notify busy (same process)", mq_notify(q, &se), EBUSY);
	/* the owner closing any descriptor of the queue drops it */
	show_file("registered", MNT Q);
	show_file("after the owner's close", MNT Q);
	CHECK_OK("register again", mq_notify(q, &se));
	c = fork();
	if (c == 0) {
		t_failures = 0;
		CHECK_ERR("notify busy (child)", mq_notify(q, &se), EBUSY);
		CHECK_OK("child unregister (not owner: no-op)", mq_notify(q, NULL));
		_exit(t_done());
	}
	int stt;
	waitpid(c, &stt, 0);
	CHECK("child", WIFEXITED(stt) && WEXITSTATUS(stt) == 0);
	CHECK_OK("send to empty", mq_send(q, "n", 1, 0));
	printf("signal %d code %d (SI_MESGQ %d) value %d\n", (int)got_sig, (int)got_code, SI_MESGQ, (int)got_val);
	show_file("fired", MNT Q);
	got_sig = 0;
	rcv("take", q);
	CHECK_OK("send again", mq_send(q, "n", 1, 0));
	CHECK("one-shot", got_sig == 0);
	rcv("take again", q);
	CHECK_OK("notify none", mq_notify(q, &(struct sigevent){ .sigev_notify = SIGEV_NONE }));
	show_file("none", MNT Q);
	CHECK_OK("unregister (none left)", mq_notify(q, NULL));
	CHECK_OK("notify again", mq_notify(q, &se));
	CHECK_ERR("notify bad kind", mq_notify(q, &(struct sigevent){ .sigev_notify = 99 }), EINVAL);
	CHECK_ERR("notify bad signal", mq_notify(q, &(struct sigevent){ .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 65 }), EINVAL);
	CHECK_ERR("notify bad fd", mq_notify(99, &se), EBADF);
	CHECK_OK("send to empty 2", mq_send(q, "m", 1, 0));
	printf("signal again %d\n", (int)got_sig);
	rcv("take 3", q);

	/* SIGEV_THREAD: glibc's helper thread hears through netlink */
	if (pipe(thread_pipe))
		DIE("pipe");
	struct sigevent te = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_thread,
			       .sigev_value.sival_int = 'T' };
	CHECK_OK("notify thread", mq_notify(q, &te));
	CHECK_ERR("busy", mq_notify(q, &se), EBUSY);
	CHECK_OK("send to empty 3", mq_send(q, "t", 1, 0));
	char tc = 0;
	struct pollfd tp = { .fd = thread_pipe[0], .events = POLLIN };
	CHECK("thread ran", poll(&tp, 1, 5000) == 1 && read(thread_pipe[0], &tc, 1) == 1 && tc == 'T');
	rcv("take 4", q);
	CHECK_OK("notify thread again", mq_notify(q, &te));
	CHECK_OK("unregister thread", mq_notify(q, NULL));
	CHECK_OK("send to empty 4", mq_send(q, "u", 1, 0));
	CHECK("no thread after unregister", poll(&tp, 1, 300) == 0);
	rcv("take 5", q);
	CHECK_ERR("thread with a bad socket", syscall(SYS_mq_notify, q, &(struct sigevent){ .sigev_notify = SIGEV_THREAD, .sigev_signo = 999, .sigev_value.sival_ptr = scratch_cookie }), EBADF);
	CHECK_ERR("thread with a pipe", syscall(SYS_mq_notify, q, &(struct sigevent){ .sigev_notify = SIGEV_THREAD, .sigev_signo = thread_pipe[0], .sigev_value.sival_ptr = scratch_cookie }), ENOTSOCK);
	CHECK_ERR("thread cookie EFAULT", syscall(SYS_mq_notify, q, &(struct sigevent){ .sigev_notify = SIGEV_THREAD, .sigev_signo = thread_pipe[0], .sigev_value.sival_ptr = (void *)8 }), EFAULT);

	/* another user: mode 0640 */
	c = fork();
	if (c == 0) {
		t_failures = 0;
		if (setgid(1000) || setuid(1000))
			_exit(3);
		CHECK_ERR("user open", mq_open(Q, O_RDONLY), EACCES);
		/* RLIMIT_MSGQUEUE: a slot costs a header and a tree node (96
		 * bytes in Linux's count) plus its message size */
		struct rlimit rl, small;
		getrlimit(RLIMIT_MSGQUEUE, &rl);
		small = rl;
		small.rlim_cur = 1000;
		setrlimit(RLIMIT_MSGQUEUE, &small);
		CHECK_ERR("over RLIMIT_MSGQUEUE", mq_open(Q2, O_RDWR | O_CREAT, 0600, &(struct mq_attr){ .mq_maxmsg = 4, .mq_msgsize = 256 }), EMFILE);
		mqd_t s1 = mq_open(Q2, O_RDWR | O_CREAT, 0600, &(struct mq_attr){ .mq_maxmsg = 4, .mq_msgsize = 100 });
		CHECK("under RLIMIT_MSGQUEUE", s1 >= 0);
		mq_unlink(Q2);
		CHECK_ERR("an unlinked open queue still counts", mq_open(Q2, O_RDWR | O_CREAT, 0600, &(struct mq_attr){ .mq_maxmsg = 2, .mq_msgsize = 300 }), EMFILE);
		mq_close(s1);
		CHECK_OK("closed: room again", mq_open(Q2, O_RDWR | O_CREAT, 0600, &(struct mq_attr){ .mq_maxmsg = 2, .mq_msgsize = 300 }));
		mq_unlink(Q2);
		setrlimit(RLIMIT_MSGQUEUE, &rl);
		CHECK_ERR("user maxmsg > msg_max", mq_open(Q2, O_RDWR | O_CREAT, 0600, &(struct mq_attr){ .mq_maxmsg = 11, .mq_msgsize = 8 }), EINVAL);
		CHECK_ERR("user msgsize > msgsize_max", mq_open(Q2, O_RDWR | O_CREAT, 0600, &(struct mq_attr){ .mq_maxmsg = 1, .mq_msgsize = 8193 }), EINVAL);
		mqd_t u = mq_open(Q2, O_RDWR | O_CREAT, 0600, NULL);
		CHECK("user create", u >= 0);
		struct mq_attr ua;
		mq_getattr(u, &ua);
		printf("defaults maxmsg %ld msgsize %ld\n", ua.mq_maxmsg, ua.mq_msgsize);
		_exit(t_done());
	}
	waitpid(c, &stt, 0);
	CHECK("user child", WIFEXITED(stt) && WEXITSTATUS(stt) == 0);
	CHECK_OK("stat user's", stat(MNT Q2, &st));
	printf("user's queue uid %u mode %o\n", st.st_uid, st.st_mode & 0777);

	/* unlink: the name goes, open descriptors keep the queue */
	CHECK_OK("unlink", mq_unlink(Q));
	CHECK_ERR("unlink again", mq_unlink(Q), ENOENT);
	CHECK_ERR("gone", mq_open(Q, O_RDWR), ENOENT);
	CHECK_OK("still usable", mq_send(q, "kept", 4, 0));
	rcv("kept", q);
	CHECK_OK("rm from the filesystem", unlink(MNT Q2));
	CHECK_ERR("gone 2", mq_open(Q2, O_RDWR), ENOENT);
	/* a queue made through the filesystem has the defaults */
	int fd = open(MNT "/viafs", O_RDWR | O_CREAT, 0600);
	CHECK("open(O_CREAT) in mqueue", fd >= 0);
	mqd_t v = mq_open("/viafs", O_RDWR);
	CHECK_OK("getattr viafs", mq_getattr(v, &g));
	printf("viafs maxmsg %ld msgsize %ld\n", g.mq_maxmsg, g.mq_msgsize);
	close(fd);
	mq_close(v);
	CHECK_OK("unlink viafs", mq_unlink("/viafs"));
	CHECK_ERR("mkdir in mqueue", mkdir(MNT "/dir", 0755), EPERM);
	mq_close(q);
	mq_close(ro);
	mq_close(wo);
	CHECK_OK("umount", umount(MNT));
	rmdir(MNT);
	return t_done();
}
