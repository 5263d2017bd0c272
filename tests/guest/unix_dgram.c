/* AF_UNIX datagram and seqpacket sockets: message boundaries, MSG_TRUNC,
 * source addresses, connect rules, dead peers, fd passing with MSG_PEEK,
 * sendmmsg/recvmmsg, seqpacket listen/accept and EOF. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

static char dir[64];

static socklen_t mkaddr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1;
}

static socklen_t mkabstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "umk-dg-%d-%s", (int)getpid(), name);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

static short revents(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };
	poll(&p, 1, 0);
	return p.revents;
}

static void test_pair(void)
{
	int sv[2];
	CHECK_OK("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	int v;
	socklen_t l = sizeof v;
	CHECK("SO_TYPE dgram", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_DGRAM);
	CHECK("three sends", send(sv[0], "one", 3, 0) == 3 && send(sv[0], "three", 5, 0) == 5 && send(sv[0], "", 0, 0) == 0);
	CHECK("FIONREAD: next message", ioctl(sv[1], FIONREAD, &v) == 0 && v == 3);
	CHECK("poll readable+writable", revents(sv[1], POLLIN | POLLOUT) == (POLLIN | POLLOUT));
	char buf[16];
	CHECK("boundaries kept", recv(sv[1], buf, sizeof buf, 0) == 3 && !memcmp(buf, "one", 3));
	struct iovec iov = { buf, 2 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK("MSG_PEEK|MSG_TRUNC gives full length", recv(sv[1], buf, 2, MSG_PEEK | MSG_TRUNC) == 5);
	CHECK("truncated recvmsg", recvmsg(sv[1], &m, 0) == 2 && (m.msg_flags & MSG_TRUNC) && !memcmp(buf, "th", 2));
	CHECK("zero-length datagram", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) == 0);
	CHECK_ERR("queue empty", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	/* a message split over iovecs */
	struct iovec two[2] = { { "ab", 2 }, { "cdef", 4 } };
	m = (struct msghdr){ .msg_iov = two, .msg_iovlen = 2 };
	CHECK("sendmsg two iovecs", sendmsg(sv[1], &m, 0) == 6);
	char x[3], y[8];
	struct iovec rv[2] = { { x, 3 }, { y, 8 } };
	m = (struct msghdr){ .msg_iov = rv, .msg_iovlen = 2 };
	CHECK("recvmsg scatter", recvmsg(sv[0], &m, 0) == 6 && !memcmp(x, "abc", 3) && !memcmp(y, "def", 3) && m.msg_flags == 0);
	close(sv[1]);
	CHECK_ERR("send to a closed peer", send(sv[0], "x", 1, 0), ECONNREFUSED);
	CHECK_ERR("then not connected", send(sv[0], "x", 1, 0), ENOTCONN);
	close(sv[0]);
}

static void test_names(void)
{
	struct sockaddr_un a, b, from;
	socklen_t alen = mkaddr(&a, "rx"), blen = mkaddr(&b, "tx");
	int rx = socket(AF_UNIX, SOCK_DGRAM, 0), tx = socket(AF_UNIX, SOCK_DGRAM, 0);
	int anon = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK_OK("bind rx", bind(rx, (struct sockaddr *)&a, alen));
	CHECK_OK("bind tx", bind(tx, (struct sockaddr *)&b, blen));
	CHECK_ERR("send unconnected", send(anon, "x", 1, 0), ENOTCONN);
	CHECK("unconnected dgram poll: OUT", revents(anon, POLLIN | POLLOUT) == POLLOUT);
	CHECK("sendto path", sendto(tx, "hi", 2, 0, (struct sockaddr *)&a, alen) == 2);
	CHECK("sendto from unbound", sendto(anon, "yo", 2, 0, (struct sockaddr *)&a, alen) == 2);
	char buf[8];
	socklen_t fl = sizeof from;
	CHECK("recvfrom: sender's path", recvfrom(rx, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) == 2 &&
	      fl == blen && !strcmp(from.sun_path, b.sun_path));
	fl = sizeof from;
	CHECK("recvfrom unbound sender: no address", recvfrom(rx, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) == 2 && fl == 0);
	mkaddr(&from, "nobody");
	CHECK_ERR("sendto missing path", sendto(tx, "x", 1, 0, (struct sockaddr *)&from, alen), ENOENT);
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t slen = mkaddr(&from, "stream");
	bind(st, (struct sockaddr *)&from, slen);
	CHECK_ERR("sendto a stream socket", sendto(tx, "x", 1, 0, (struct sockaddr *)&from, slen), EPROTOTYPE);
	close(st);
	unlink(from.sun_path);
	/* rx connects to tx: now only tx may send to rx */
	CHECK_OK("connect rx -> tx", connect(rx, (struct sockaddr *)&b, blen));
	CHECK_ERR("third party refused", sendto(anon, "x", 1, 0, (struct sockaddr *)&a, alen), EPERM);
	CHECK("tx still may", sendto(tx, "ok", 2, 0, (struct sockaddr *)&a, alen) == 2 && recv(rx, buf, sizeof buf, 0) == 2);
	CHECK("connected send", send(rx, "back", 4, 0) == 4 && recv(tx, buf, sizeof buf, 0) == 4);
	fl = sizeof from;
	CHECK("getpeername", getpeername(rx, (struct sockaddr *)&from, &fl) == 0 && !strcmp(from.sun_path, b.sun_path));
	struct sockaddr unspec = { AF_UNSPEC, { 0 } };
	CHECK_OK("disconnect (AF_UNSPEC)", connect(rx, &unspec, sizeof unspec));
	CHECK_ERR("after disconnect", send(rx, "x", 1, 0), ENOTCONN);
	CHECK("third party allowed again", sendto(anon, "z", 1, 0, (struct sockaddr *)&a, alen) == 1);

	/* abstract dgram with SO_PASSCRED autobind */
	struct sockaddr_un ab;
	socklen_t ablen = mkabstract(&ab, "rx");
	int arx = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK("bind abstract", bind(arx, (struct sockaddr *)&ab, ablen));
	int on = 1;
	int p = socket(AF_UNIX, SOCK_DGRAM, 0);
	setsockopt(p, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	CHECK("sendto abstract", sendto(p, "abs", 3, 0, (struct sockaddr *)&ab, ablen) == 3);
	fl = sizeof from;
	CHECK("SO_PASSCRED autobound the sender", recvfrom(arx, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) == 3 &&
	      fl == 8 && from.sun_path[0] == 0);
	close(p);
	close(arx);
	close(rx);
	close(tx);
	close(anon);
	unlink(a.sun_path);
	unlink(b.sun_path);
}

static void test_fds(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	int p[2];
	pipe(p);
	char cbuf[CMSG_SPACE(2 * sizeof(int))] __attribute__((aligned(8)));
	struct msghdr m = { .msg_iov = &(struct iovec){ "M", 1 }, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(cm), p, sizeof p);
	CHECK("send both pipe ends", sendmsg(sv[0], &m, 0) == 1);
	close(p[0]);
	close(p[1]);
	int got[2] = { -1, -1 }, peeked[2] = { -1, -1 };
	char data[4];
	char rbuf[CMSG_SPACE(2 * sizeof(int))] __attribute__((aligned(8)));
	for (int pass = 0; pass < 2; pass++) {
		m = (struct msghdr){ .msg_iov = &(struct iovec){ data, sizeof data }, .msg_iovlen = 1, .msg_control = rbuf, .msg_controllen = sizeof rbuf };
		ssize_t n = recvmsg(sv[1], &m, pass == 0 ? MSG_PEEK : 0);
		cm = CMSG_FIRSTHDR(&m);
		CHECK(pass == 0 ? "MSG_PEEK gets the fds too" : "recv gets the fds", n == 1 && cm && cm->cmsg_type == SCM_RIGHTS &&
		      cm->cmsg_len == CMSG_LEN(2 * sizeof(int)));
		if (cm)
			memcpy(pass == 0 ? peeked : got, CMSG_DATA(cm), sizeof got);
	}
	CHECK("peeked fds are distinct", peeked[0] != got[0] && peeked[1] != got[1]);
	CHECK("passed pipe works", write(got[1], "pipe", 4) == 4 && read(peeked[0], data, 4) == 4 && !memcmp(data, "pipe", 4));
	for (int i = 0; i < 2; i++) {
		close(got[i]);
		close(peeked[i]);
	}
	/* a socket's own fd in flight, then closed: nothing hangs */
	m = (struct msghdr){ .msg_iov = &(struct iovec){ "S", 1 }, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = CMSG_SPACE(sizeof(int)) };
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &sv[0], sizeof(int));
	CHECK("send a socket over itself", sendmsg(sv[0], &m, 0) == 1);
	m = (struct msghdr){ .msg_iov = &(struct iovec){ data, sizeof data }, .msg_iovlen = 1 };
	CHECK("recv without control: MSG_CTRUNC", recvmsg(sv[1], &m, 0) == 1 && (m.msg_flags & MSG_CTRUNC));
	close(sv[0]);
	close(sv[1]);
}

static void test_mmsg(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	struct mmsghdr out[3];
	struct iovec oiov[3] = { { "a", 1 }, { "bb", 2 }, { "ccc", 3 } };
	memset(out, 0, sizeof out);
	for (int i = 0; i < 3; i++) {
		out[i].msg_hdr.msg_iov = &oiov[i];
		out[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK("sendmmsg 3", sendmmsg(sv[0], out, 3, 0) == 3 && out[2].msg_len == 3);
	struct mmsghdr in[4];
	char bufs[4][8];
	struct iovec iiov[4];
	memset(in, 0, sizeof in);
	for (int i = 0; i < 4; i++) {
		iiov[i] = (struct iovec){ bufs[i], 8 };
		in[i].msg_hdr.msg_iov = &iiov[i];
		in[i].msg_hdr.msg_iovlen = 1;
	}
	int n = recvmmsg(sv[1], in, 4, MSG_DONTWAIT, NULL);
	CHECK("recvmmsg 3", n == 3 && in[0].msg_len == 1 && in[1].msg_len == 2 && in[2].msg_len == 3 && !memcmp(bufs[2], "ccc", 3));
	CHECK_ERR("recvmmsg empty", recvmmsg(sv[1], in, 4, MSG_DONTWAIT, NULL), EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

static void test_seqpacket(void)
{
	struct sockaddr_un a;
	socklen_t alen = mkabstract(&a, "seq");
	int srv = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	char buf[16];
	CHECK_ERR("seqpacket send unconnected", send(srv, "x", 1, 0), ENOTCONN);
	CHECK_ERR("seqpacket recv unconnected", recv(srv, buf, 1, MSG_DONTWAIT), ENOTCONN);
	CHECK("unconnected seqpacket poll OUT|HUP", revents(srv, POLLIN | POLLOUT) == (POLLOUT | POLLHUP));
	CHECK_OK("bind", bind(srv, (struct sockaddr *)&a, alen));
	CHECK_OK("listen", listen(srv, 4));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (connect(c, (struct sockaddr *)&a, alen))
			_exit(3);
		send(c, "first", 5, 0);
		send(c, "second!", 7, 0);
		char r[4];
		if (recv(c, r, sizeof r, 0) != 2)
			_exit(4);
		_exit(0);
	}
	int s = accept(srv, NULL, NULL);
	CHECK("accept seqpacket", s >= 0);
	CHECK("first message", recv(s, buf, sizeof buf, 0) == 5 && !memcmp(buf, "first", 5));
	struct msghdr m = { .msg_iov = &(struct iovec){ buf, 3 }, .msg_iovlen = 1 };
	CHECK("second truncated, rest dropped", recvmsg(s, &m, 0) == 3 && (m.msg_flags & MSG_TRUNC));
	CHECK("reply", send(s, "ok", 2, 0) == 2);
	int stt;
	waitpid(pid, &stt, 0);
	CHECK("child exited 0", WIFEXITED(stt) && WEXITSTATUS(stt) == 0);
	CHECK("EOF after peer exit", recv(s, buf, sizeof buf, 0) == 0);
	CHECK("poll after peer exit: IN|OUT|HUP", revents(s, POLLIN | POLLOUT) == (POLLIN | POLLOUT | POLLHUP));
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR("send to dead peer", send(s, "x", 1, 0), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	CHECK_ERR("no SIGPIPE for seqpacket", send(s, "x", 1, 0), EPIPE);
	close(s);
	close(srv);
	int sv[2];
	CHECK_OK("seqpacket socketpair", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	CHECK("pair boundaries", send(sv[0], "12", 2, 0) == 2 && send(sv[0], "345", 3, 0) == 3 &&
	      recv(sv[1], buf, sizeof buf, 0) == 2 && recv(sv[1], buf, sizeof buf, 0) == 3);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	strcpy(dir, "/tmp/unixdg.XXXXXX");
	if (!mkdtemp(dir))
		DIE("mkdtemp");
	test_pair();
	test_names();
	test_fds();
	test_mmsg();
	test_seqpacket();
	rmdir(dir);
	return t_done();
}
