/* Pseudo-terminals: a pair from /dev/ptmx, ptsname/TIOCGPTN, locking,
 * the line discipline on the slave (canonical editing with echo, echo
 * off, ECHONL, EOF, raw VMIN/VTIME), output and input translation,
 * FIONREAD/TCFLSH, poll, TIOCGPTPEER, and what closing either side does. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

static int m, s;
static char name[64];

static void show(const char *label, const char *b, ssize_t n)
{
	printf("%s: %zd \"", label, n);
	for (ssize_t i = 0; i < n; i++) {
		unsigned char c = b[i];
		if (c == '\n') printf("\\n");
		else if (c == '\r') printf("\\r");
		else if (c == '\b') printf("\\b");
		else if (c < 32 || c == 127) printf("\\x%02x", c);
		else putchar(c);
	}
	printf("\"\n");
}

/* Everything the master can read within 200 ms of quiet. */
static void drain(const char *label, int fd)
{
	char buf[512];
	ssize_t n = 0;
	struct pollfd p = { fd, POLLIN, 0 };
	while (n < (ssize_t)sizeof(buf) && poll(&p, 1, 200) == 1 && (p.revents & POLLIN)) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);
		if (r <= 0)
			break;
		n += r;
	}
	show(label, buf, n);
}

static void wait_inq(int fd, int want)
{
	for (int i = 0; i < 200; i++) {
		int q = -1;
		ioctl(fd, FIONREAD, &q);
		if (q >= want)
			return;
		usleep(5000);
	}
}

static void put(const char *str)
{
	if (write(m, str, strlen(str)) != (ssize_t)strlen(str))
		DIE("write master");
}

static void slave_read(const char *label)
{
	char buf[256];
	ssize_t n = read(s, buf, sizeof(buf));
	show(label, buf, n);
}

static void set_lflag(tcflag_t on, tcflag_t off)
{
	struct termios t;
	tcgetattr(s, &t);
	t.c_lflag = (t.c_lflag | on) & ~off;
	tcsetattr(s, TCSANOW, &t);
}

static void open_pair(void)
{
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m))
		DIE("posix_openpt");
	strcpy(name, ptsname(m));
	s = open(name, O_RDWR | O_NOCTTY);
	if (s < 0)
		DIE("open slave");
}

static void test_names(void)
{
	int n = -1, lck = -1, one = 1, zero = 0;
	m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK("posix_openpt", m >= 0);
	CHECK_OK("grantpt", grantpt(m));
	CHECK_OK("TIOCGPTN", ioctl(m, TIOCGPTN, &n));
	char want[64];
	snprintf(want, sizeof(want), "/dev/pts/%d", n);
	CHECK("ptsname is /dev/pts/N", ptsname(m) && !strcmp(ptsname(m), want));
	CHECK("locked at first", ioctl(m, TIOCGPTLCK, &lck) == 0 && lck == 1);
	CHECK_ERR("open locked slave", open(want, O_RDWR | O_NOCTTY), EIO);
	CHECK_OK("unlockpt", unlockpt(m));
	CHECK("unlocked", ioctl(m, TIOCGPTLCK, &lck) == 0 && lck == 0);
	ioctl(m, TIOCSPTLCK, &one);
	CHECK_ERR("relocked", open(want, O_RDWR | O_NOCTTY), EIO);
	ioctl(m, TIOCSPTLCK, &zero);
	s = open(want, O_RDWR | O_NOCTTY);
	CHECK("open slave", s >= 0);
	struct stat st;
	CHECK("slave is c 136+N/256,N%256", fstat(s, &st) == 0 && S_ISCHR(st.st_mode) &&
	      major(st.st_rdev) == 136u + n / 256 && minor(st.st_rdev) == (unsigned)n % 256);
	CHECK("slave is in /dev/pts", stat(want, &st) == 0 && S_ISCHR(st.st_mode));
	CHECK("/dev/ptmx is c 5,2", stat("/dev/ptmx", &st) == 0 && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2);
	CHECK("isatty both", isatty(m) && isatty(s));
	CHECK_ERR("TIOCGPTN on slave", ioctl(s, TIOCGPTN, &n), ENOTTY);
	struct termios t;
	tcgetattr(s, &t);
	CHECK("default lflag", (t.c_lflag & (ICANON | ECHO | ISIG | ECHOE | ECHOK)) == (ICANON | ECHO | ISIG | ECHOE | ECHOK));
	CHECK("default iflag/oflag", (t.c_iflag & ICRNL) && (t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
	struct winsize ws = { 30, 100, 0, 0 }, got;
	CHECK_OK("TIOCSWINSZ master", ioctl(m, TIOCSWINSZ, &ws));
	CHECK("TIOCGWINSZ slave", ioctl(s, TIOCGWINSZ, &got) == 0 && got.ws_row == 30 && got.ws_col == 100);
	int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	CHECK("TIOCGPTPEER", peer >= 0);
	if (peer >= 0) {
		set_lflag(0, ECHO);
		put("peer\n");
		char buf[16];
		ssize_t r = read(peer, buf, sizeof(buf));
		show("read via peer", buf, r);
		close(peer);
	}
	close(s);
	close(m);
}

static void test_canon(void)
{
	open_pair();
	put("hello\n");
	slave_read("canon read");
	drain("canon echo", m);
	put("abc\177d\n");
	slave_read("erase read");
	drain("erase echo", m);
	put("xyz\025k\n");
	slave_read("kill read");
	drain("kill echo", m);
	put("one two\027three\n");
	slave_read("werase read");
	drain("werase echo", m);
	put("a\001b\n");
	slave_read("ctl read");
	drain("ctl echo", m);
	put("cr\r");
	slave_read("icrnl read");
	drain("icrnl echo", m);
	put("ab\004");
	slave_read("eof after text");
	put("\004");
	slave_read("eof on empty line");
	drain("eof echo", m);
	set_lflag(0, ECHO);
	put("secret\n");
	slave_read("noecho read");
	drain("noecho echo", m);
	set_lflag(ECHONL, 0);
	put("nl\n");
	slave_read("echonl read");
	drain("echonl echo", m);
	set_lflag(ECHO, ECHONL | ECHOK | ECHOKE);
	put("gone\025x\n");
	slave_read("kill noechok read");
	drain("kill noechok echo", m);
	put("two\nlines\n");
	wait_inq(s, 10);
	int q = -1;
	ioctl(s, FIONREAD, &q);
	printf("FIONREAD canon: %d\n", q);
	char buf[3];
	ssize_t r = read(s, buf, sizeof(buf));
	show("short read", buf, r);
	slave_read("rest of line");
	slave_read("next line");
	drain("two lines echo", m);
	put("junk\n");
	wait_inq(s, 5);
	tcflush(s, TCIFLUSH);
	ioctl(s, FIONREAD, &q);
	printf("FIONREAD after TCIFLUSH: %d\n", q);
	drain("junk echo", m);
	close(s);
	close(m);
}

static long ms_since(struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static void set_raw(int vmin, int vtime)
{
	struct termios t;
	tcgetattr(s, &t);
	t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(ICRNL | IXON);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	tcsetattr(s, TCSANOW, &t);
}

static void test_raw(void)
{
	char buf[16];
	struct timespec t0;
	open_pair();
	set_raw(0, 0);
	CHECK("VMIN=0 VTIME=0 empty: 0", read(s, buf, sizeof(buf)) == 0);
	int fl = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	CHECK("VMIN=0 VTIME=0 nonblocking empty: 0", read(s, buf, sizeof(buf)) == 0);
	set_raw(1, 0);
	CHECK_ERR("VMIN=1 nonblocking empty", read(s, buf, sizeof(buf)), EAGAIN);
	fcntl(s, F_SETFL, fl);
	put("abcde\r");
	wait_inq(s, 6);
	ssize_t r = read(s, buf, sizeof(buf));
	show("raw read", buf, r);
	set_raw(0, 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = read(s, buf, sizeof(buf));
	long el = ms_since(&t0);
	CHECK("VMIN=0 VTIME=2 times out with 0", r == 0 && el >= 150 && el < 2000);
	set_raw(3, 1);
	put("x");
	wait_inq(s, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = read(s, buf, sizeof(buf));
	el = ms_since(&t0);
	CHECK("VMIN=3 VTIME=1 inter-byte timeout", r == 1 && el >= 50 && el < 2000);
	set_raw(5, 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		if (write(m, "12", 2) != 2) _exit(1);
		usleep(50000);
		if (write(m, "345", 3) != 3) _exit(1);
		_exit(0);
	}
	r = read(s, buf, sizeof(buf));
	show("VMIN=5 read", buf, r);
	waitpid(pid, NULL, 0);
	struct termios t;
	tcgetattr(s, &t);
	t.c_iflag |= INLCR;
	tcsetattr(s, TCSANOW, &t);
	set_raw(1, 0);
	put("n\n");
	wait_inq(s, 2);
	r = read(s, buf, sizeof(buf));
	show("INLCR read", buf, r);
	t.c_iflag = IGNCR;
	t.c_lflag |= ICANON;
	tcsetattr(s, TCSANOW, &t);
	put("i\rg\n");
	slave_read("IGNCR read");
	close(s);
	close(m);
}

static void test_output(void)
{
	open_pair();
	if (write(s, "a\nb\n", 4) != 4) DIE("write");
	drain("ONLCR", m);
	struct termios t;
	tcgetattr(s, &t);
	t.c_oflag = OPOST | OCRNL;
	tcsetattr(s, TCSANOW, &t);
	if (write(s, "x\ry\n", 4) != 4) DIE("write");
	drain("OCRNL", m);
	t.c_oflag = 0;
	tcsetattr(s, TCSANOW, &t);
	if (write(s, "raw\r\n", 5) != 5) DIE("write");
	int q = -1;
	wait_inq(m, 5);
	ioctl(m, FIONREAD, &q);
	printf("FIONREAD master: %d\n", q);
	drain("no OPOST", m);
	struct pollfd p[2] = { { s, POLLIN | POLLOUT, 0 }, { m, POLLIN | POLLOUT, 0 } };
	poll(p, 2, 0);
	printf("poll idle: slave %s%s master %s%s\n", p[0].revents & POLLIN ? "in" : "-", p[0].revents & POLLOUT ? "out" : "-",
	       p[1].revents & POLLIN ? "in" : "-", p[1].revents & POLLOUT ? "out" : "-");
	put("z\n");
	wait_inq(s, 2);
	poll(p, 2, 0);
	printf("poll input: slave %s master %s\n", p[0].revents & POLLIN ? "in" : "-", p[1].revents & POLLIN ? "in" : "-");
	/* IXON: ^S stops slave output, ^Q resumes */
	t.c_iflag |= IXON;
	tcsetattr(s, TCSANOW, &t);
	drain("before stop", m);
	put("\023");
	usleep(50000);
	int fl = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	CHECK_ERR("write while stopped", write(s, "w", 1), EAGAIN);
	put("\021");
	usleep(50000);
	CHECK("write after ^Q", write(s, "w", 1) == 1);
	fcntl(s, F_SETFL, fl);
	drain("after start", m);
	/* the slave closes: the master reads what was left, then EIO */
	if (write(s, "bye\n", 4) != 4) DIE("write");
	close(s);
	char buf[32];
	ssize_t r = read(m, buf, sizeof(buf));
	show("master after slave close", buf, r);
	CHECK_ERR("master read, no slave", read(m, buf, sizeof(buf)), EIO);
	p[1].events = POLLIN;
	poll(&p[1], 1, 0);
	CHECK("master poll POLLHUP", p[1].revents & POLLHUP);
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK("slave reopened", s >= 0);
	close(s);
	close(m);
}

static void test_master_close(void)
{
	open_pair();
	put("pending\n");
	wait_inq(s, 8);
	close(m);
	char buf[16];
	CHECK("slave read after master close: 0", read(s, buf, sizeof(buf)) == 0);
	CHECK_ERR("slave write after master close", write(s, "x", 1), EIO);
	struct pollfd p = { s, POLLIN | POLLOUT, 0 };
	poll(&p, 1, 0);
	CHECK("slave poll POLLHUP", p.revents & POLLHUP);
	CHECK_ERR("tcgetattr hung up", ioctl(s, TCGETS, &(struct termios){ 0 }), EIO);
	CHECK_ERR("reopen slave", open(name, O_RDWR | O_NOCTTY), ENOENT);
	close(s);
}

int main(void)
{
	test_names();
	test_canon();
	test_raw();
	test_output();
	test_master_close();
	return t_done();
}
