/* TCP over loopback: socket states and errno for misuse, connect (blocking
 * and not, refused), listen/accept4, data with MSG_PEEK/WAITALL/DONTWAIT,
 * FIONREAD/SIOCOUTQ, shutdown both ways, resets (close with unread data,
 * SO_LINGER 0), poll and epoll readiness at each step, the stable fields
 * of TCP_INFO, port sharing rules, and a bulk transfer between processes.
 * Everything is on 127.0.0.1, so natively (in a private network
 * namespace) and under umk the answers must be the same. */
#include "net.h"
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <linux/sockios.h>

#define PORT 47001

static int tcp_sock(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		DIE("socket");
	return s;
}

static unsigned pollev(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP | POLLPRI };
	if (poll(&p, 1, 0) < 0)
		DIE("poll");
	return (unsigned)p.revents;
}

static int geti(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);
	if (getsockopt(fd, level, name, &v, &l))
		return -errno;
	return v;
}

static struct tcp_info info(int fd)
{
	struct tcp_info ti;
	memset(&ti, 0, sizeof(ti));
	socklen_t l = sizeof(ti);
	if (getsockopt(fd, SOL_TCP, TCP_INFO, &ti, &l))
		DIE("TCP_INFO");
	return ti;
}

static int listener(int port, int backlog)
{
	int l = tcp_sock();
	struct sockaddr_in a = t_sin("127.0.0.1", port);
	if (bind(l, (struct sockaddr *)&a, sizeof(a)))
		DIE("bind listener");
	if (listen(l, backlog))
		DIE("listen");
	return l;
}

static int connect_to(int port)
{
	int c = tcp_sock();
	struct sockaddr_in a = t_sin("127.0.0.1", port);
	if (connect(c, (struct sockaddr *)&a, sizeof(a)))
		DIE("connect");
	return c;
}

static void fresh_socket(void)
{
	int s = tcp_sock();
	printf("fresh: poll %#x\n", pollev(s));
	printf("fresh: SO_TYPE %d SO_PROTOCOL %d SO_ERROR %d ACCEPTCONN %d\n", geti(s, SOL_SOCKET, SO_TYPE),
	       geti(s, SOL_SOCKET, SO_PROTOCOL), geti(s, SOL_SOCKET, SO_ERROR), geti(s, SOL_SOCKET, SO_ACCEPTCONN));
	printf("fresh: SO_SNDBUF %d SO_RCVBUF %d\n", geti(s, SOL_SOCKET, SO_SNDBUF), geti(s, SOL_SOCKET, SO_RCVBUF));
	printf("fresh: NODELAY %d MAXSEG %d CORK %d KEEPIDLE %d KEEPINTVL %d KEEPCNT %d SYNCNT %d\n",
	       geti(s, SOL_TCP, TCP_NODELAY), geti(s, SOL_TCP, TCP_MAXSEG), geti(s, SOL_TCP, TCP_CORK),
	       geti(s, SOL_TCP, TCP_KEEPIDLE), geti(s, SOL_TCP, TCP_KEEPINTVL), geti(s, SOL_TCP, TCP_KEEPCNT),
	       geti(s, SOL_TCP, TCP_SYNCNT));
	printf("fresh: TCP_INFO state %d\n", info(s).tcpi_state);
	char b[4];
	CHECK_ERR("fresh: recv", recv(s, b, sizeof(b), MSG_DONTWAIT), ENOTCONN);
	CHECK_ERR("fresh: send", send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	CHECK_ERR("fresh: getpeername", getpeername(s, (struct sockaddr *)&a, &al), ENOTCONN);
	CHECK_ERR("fresh: shutdown", shutdown(s, SHUT_RDWR), ENOTCONN);
	CHECK_ERR("fresh: accept", accept(s, NULL, NULL), EINVAL);
	CHECK_ERR("fresh: bad shutdown how", shutdown(s, 7), EINVAL);
	CHECK_ERR("fresh: SOCK_STREAM udp", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	struct sockaddr_in b6 = t_sin("127.0.0.1", PORT);
	CHECK_ERR("fresh: connect short addr", connect(s, (struct sockaddr *)&b6, 8), EINVAL);
	b6.sin_family = AF_INET6;
	CHECK_ERR("fresh: connect AF_INET6", connect(s, (struct sockaddr *)&b6, sizeof(b6)), EAFNOSUPPORT);
	int v = 1;
	CHECK("fresh: TCP_NODELAY set", setsockopt(s, SOL_TCP, TCP_NODELAY, &v, sizeof(v)) == 0);
	printf("fresh: NODELAY now %d\n", geti(s, SOL_TCP, TCP_NODELAY));
	v = 0;
	CHECK_ERR("fresh: KEEPIDLE 0", setsockopt(s, SOL_TCP, TCP_KEEPIDLE, &v, sizeof(v)), EINVAL);
	close(s);
}

static void refused(void)
{
	int c = tcp_sock();
	struct sockaddr_in a = t_sin("127.0.0.1", PORT + 9);
	CHECK_ERR("refused: blocking connect", connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	printf("refused: after, SO_ERROR %d poll %#x\n", geti(c, SOL_SOCKET, SO_ERROR), pollev(c));
	close(c);
	c = tcp_sock();
	fcntl(c, F_SETFL, O_NONBLOCK);
	CHECK_ERR("refused: nonblocking connect", connect(c, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	struct pollfd p = { .fd = c, .events = POLLOUT };
	poll(&p, 1, 2000);
	printf("refused: poll %#x full %#x\n", (unsigned)p.revents, pollev(c));
	printf("refused: SO_ERROR %d then %d\n", geti(c, SOL_SOCKET, SO_ERROR), geti(c, SOL_SOCKET, SO_ERROR));
	CHECK_ERR("refused: connect again", connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNABORTED);
	close(c);
}

static void handshake_and_data(void)
{
	int l = listener(PORT, 5);
	printf("listen: poll %#x ACCEPTCONN %d\n", pollev(l), geti(l, SOL_SOCKET, SO_ACCEPTCONN));
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK_ERR("listen: accept empty", accept(l, NULL, NULL), EAGAIN);
	fcntl(l, F_SETFL, 0);
	int v = 0;
	CHECK_ERR("listen: connect on listener", connect(l, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET }, sizeof(struct sockaddr_in)), EISCONN);
	char b[64];
	CHECK_ERR("listen: recv on listener", recv(l, b, sizeof(b), 0), ENOTCONN);
	CHECK_ERR("listen: FIONREAD", ioctl(l, FIONREAD, &v), EINVAL);

	int c = connect_to(PORT);
	printf("listen: poll with a connection %#x\n", pollev(l));
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	int s = accept4(l, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK("accept4", s >= 0);
	printf("accept4: O_NONBLOCK %d FD_CLOEXEC %d addrlen %d\n", !!(fcntl(s, F_GETFL) & O_NONBLOCK),
	       !!(fcntl(s, F_GETFD) & FD_CLOEXEC), (int)pl);
	struct sockaddr_in cn;
	socklen_t cl = sizeof(cn);
	getsockname(c, (struct sockaddr *)&cn, &cl);
	CHECK("accept4: peer is the client", peer.sin_port == cn.sin_port && peer.sin_addr.s_addr == cn.sin_addr.s_addr);
	struct sockaddr_in sn;
	socklen_t sl = sizeof(sn);
	getsockname(s, (struct sockaddr *)&sn, &sl);
	printf("server name %s:%d\n", inet_ntoa(sn.sin_addr), ntohs(sn.sin_port));
	CHECK_ERR("client: connect again", connect(c, (struct sockaddr *)&sn, sizeof(sn)), EISCONN);
	CHECK_ERR("client: listen", listen(c, 1), EINVAL);
	struct sockaddr_in any = t_sin("127.0.0.1", 0);
	CHECK_ERR("client: bind", bind(c, (struct sockaddr *)&any, sizeof(any)), EINVAL);

	struct tcp_info ti = info(c);
	/* (the window scale follows the host's tcp_rmem/rmem_max: only whether there is one) */
	printf("info: state %d ca_state %d options %#x wscale %d/%d snd_mss %u advmss %u pmtu %u cwnd %u "
	       "ssthresh %u retransmits %d unacked %u\n",
	       ti.tcpi_state, ti.tcpi_ca_state, ti.tcpi_options, ti.tcpi_snd_wscale > 0, ti.tcpi_rcv_wscale > 0,
	       ti.tcpi_snd_mss, ti.tcpi_advmss, ti.tcpi_pmtu, ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh,
	       ti.tcpi_retransmits, ti.tcpi_unacked);
	ti = info(s);
	printf("info server: state %d options %#x snd_mss %u advmss %u\n", ti.tcpi_state, ti.tcpi_options,
	       ti.tcpi_snd_mss, ti.tcpi_advmss);
	printf("server: poll idle %#x MAXSEG %d\n", pollev(s), geti(s, SOL_TCP, TCP_MAXSEG));

	CHECK("send hello", send(c, "hello world", 11, 0) == 11);
	printf("server: poll with data %#x\n", pollev(s));
	ioctl(s, FIONREAD, &v);
	printf("server: FIONREAD %d\n", v);
	memset(b, 0, sizeof(b));
	printf("peek: %zd '%s'\n", recv(s, b, 5, MSG_PEEK), b);
	memset(b, 0, sizeof(b));
	printf("recv: %zd '%s'\n", recv(s, b, sizeof(b), 0), b);
	CHECK_ERR("recv empty nonblocking", recv(s, b, sizeof(b), 0), EAGAIN);
	CHECK_ERR("recv empty DONTWAIT", recv(c, b, sizeof(b), MSG_DONTWAIT), EAGAIN);
	ioctl(c, SIOCOUTQ, &v);
	printf("client: SIOCOUTQ %d\n", v);

	/* MSG_WAITALL across several sends */
	if (fork() == 0) {
		for (int i = 0; i < 4; i++) {
			usleep(20000);
			send(c, "abcdefghij", 10, 0);
		}
		_exit(0);
	}
	fcntl(s, F_SETFL, 0);
	memset(b, 0, sizeof(b));
	printf("waitall: %zd '%s'\n", recv(s, b, 40, MSG_WAITALL), b);
	wait(NULL);

	/* epoll, edge-triggered */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = s }, out[4];
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	printf("epoll: idle %d\n", epoll_wait(ep, out, 4, 0));
	send(c, "1", 1, 0);
	int n = epoll_wait(ep, out, 4, 0);
	printf("epoll: after send %d events %#x\n", n, n > 0 ? out[0].events : 0);
	printf("epoll: again %d\n", epoll_wait(ep, out, 4, 0));
	send(c, "2", 1, 0);
	printf("epoll: second send %d\n", epoll_wait(ep, out, 4, 0));
	recv(s, b, sizeof(b), 0);
	close(ep);

	/* half close: client's FIN */
	CHECK("shutdown SHUT_WR", shutdown(c, SHUT_WR) == 0);
	printf("client after SHUT_WR: poll %#x state %d\n", pollev(c), info(c).tcpi_state);
	printf("server sees FIN: poll %#x state %d\n", pollev(s), info(s).tcpi_state);
	printf("server recv at EOF: %zd\n", recv(s, b, sizeof(b), 0));
	CHECK_ERR("client send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK("server still sends", send(s, "bye", 3, 0) == 3);
	memset(b, 0, sizeof(b));
	printf("client recv: %zd '%s'\n", recv(c, b, sizeof(b), 0), b);
	close(s);
	printf("client after server close: poll %#x state %d recv %zd\n", pollev(c), info(c).tcpi_state,
	       recv(c, b, sizeof(b), 0));
	close(c);

	/* a second connection: the server closes with unread data -> reset */
	c = connect_to(PORT);
	s = accept(l, NULL, NULL);
	send(c, "unread", 6, 0);
	close(s);
	printf("reset: client poll %#x\n", pollev(c));
	CHECK_ERR("reset: recv", recv(c, b, sizeof(b), 0), ECONNRESET);
	printf("reset: recv again %zd, SO_ERROR %d\n", recv(c, b, sizeof(b), 0), geti(c, SOL_SOCKET, SO_ERROR));
	CHECK_ERR("reset: send", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(c);

	/* SO_LINGER 0: close is an abort */
	c = connect_to(PORT);
	s = accept(l, NULL, NULL);
	struct linger lg = { 1, 0 };
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c);
	CHECK_ERR("linger0: peer recv", recv(s, b, sizeof(b), 0), ECONNRESET);
	close(s);

	/* nonblocking connect that succeeds */
	c = tcp_sock();
	fcntl(c, F_SETFL, O_NONBLOCK);
	struct sockaddr_in a = t_sin("127.0.0.1", PORT);
	CHECK_ERR("nb connect", connect(c, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	struct pollfd p = { .fd = c, .events = POLLOUT };
	poll(&p, 1, 2000);
	printf("nb connect: poll %#x SO_ERROR %d\n", (unsigned)p.revents, geti(c, SOL_SOCKET, SO_ERROR));
	CHECK("nb connect: again succeeds", connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK_ERR("nb connect: third", connect(c, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	s = accept(l, NULL, NULL);
	close(c);
	close(s);

	/* ports */
	int d = tcp_sock();
	struct sockaddr_in same = t_sin("127.0.0.1", PORT);
	CHECK_ERR("bind: port of a listener", bind(d, (struct sockaddr *)&same, sizeof(same)), EADDRINUSE);
	v = 1;
	setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
	CHECK_ERR("bind: listener even with SO_REUSEADDR", bind(d, (struct sockaddr *)&same, sizeof(same)), EADDRINUSE);
	close(l);
	CHECK("bind: free after the listener closed (REUSEADDR)", bind(d, (struct sockaddr *)&same, sizeof(same)) == 0);
	close(d);
}

static void bulk(void)
{
	int l = listener(PORT + 1, 5);
	enum { TOTAL = 4 << 20 };
	pid_t pid = fork();
	if (pid == 0) {
		int c = connect_to(PORT + 1);
		static unsigned char buf[65536];
		unsigned x = 12345;
		size_t sent = 0;
		while (sent < TOTAL) {
			size_t n = 1000 + (x % 60000);
			if (n > TOTAL - sent)
				n = TOTAL - sent;
			for (size_t i = 0; i < n; i++) {
				x = x * 1103515245u + 12345u;
				buf[i] = (unsigned char)(x >> 16);
			}
			if (write(c, buf, n) != (ssize_t)n)
				_exit(1);
			sent += n;
		}
		close(c);
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	static unsigned char buf[100000];
	size_t got = 0;
	uint32_t sum = 0;
	for (;;) {
		ssize_t n = read(s, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			sum = sum * 31 + buf[i];
		got += (size_t)n;
	}
	int st;
	waitpid(pid, &st, 0);
	printf("bulk: got %zu sum %08x sender exit %d\n", got, sum, WEXITSTATUS(st));
	close(s);
	close(l);
}

int main(void)
{
	t_lo_up();
	fresh_socket();
	refused();
	handshake_and_data();
	bulk();
	return t_failures ? 1 : 0;
}
