/* UDP on lo: socket(2) choices, bind/connect rules and their errors in
 * Linux's order, send/receive corner cases (peek, truncation, empty
 * datagrams, the 65507-byte limit), broadcast, multicast on lo, control
 * messages, buffer sizes, readiness, and ICMP port unreachable reported
 * to a connected socket (SO_ERROR, the next call, IP_RECVERR), receive
 * timestamps (SO_TIMESTAMP, SO_TIMESTAMPNS, their _NEW forms). */
#include "net.h"
#include <linux/errqueue.h>
#include <stdbool.h>
#include <time.h>

static int udp(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		DIE("socket");
	return s;
}

static void sockets(void)
{
	int s;
	CHECK_OK("socket dgram 0", s = socket(AF_INET, SOCK_DGRAM, 0));
	close(s);
	CHECK_OK("socket dgram udp", s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
	close(s);
	CHECK_ERR("socket dgram tcp", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
	CHECK_ERR("socket dgram 256", socket(AF_INET, SOCK_DGRAM, 256), EPROTONOSUPPORT);
	CHECK_ERR("socket dgram 300", socket(AF_INET, SOCK_DGRAM, 300), EINVAL);
	CHECK_ERR("socket seqpacket", socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	CHECK_ERR("socket raw 0", socket(AF_INET, SOCK_RAW, 0), EPROTONOSUPPORT);
	int v;
	socklen_t l = sizeof(v);
	s = udp();
	CHECK("SO_TYPE dgram", !getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l) && v == SOCK_DGRAM);
	CHECK("SO_PROTOCOL udp", !getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l) && v == IPPROTO_UDP);
	CHECK("SO_DOMAIN inet", !getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l) && v == AF_INET);
	CHECK_ERR("listen", listen(s, 1), EOPNOTSUPP);
	CHECK_ERR("accept", accept(s, NULL, NULL), EOPNOTSUPP);
	close(s);
}

static void binding(void)
{
	int s = udp();
	struct sockaddr_in a, b;
	socklen_t l = sizeof(a);
	CHECK("unbound name is 0.0.0.0:0",
	      !getsockname(s, (struct sockaddr *)&a, &l) && l == sizeof(a) && !a.sin_addr.s_addr && !a.sin_port);
	CHECK_ERR("getpeername unconnected", getpeername(s, (struct sockaddr *)&a, &l), ENOTCONN);
	a = t_sin("127.0.0.1", 0);
	CHECK_ERR("bind short", bind(s, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
	a.sin_family = AF_INET6;
	CHECK_ERR("bind AF_INET6", bind(s, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a.sin_family = AF_UNSPEC;
	CHECK_ERR("bind AF_UNSPEC 127.0.0.1", bind(s, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a = t_sin("10.1.2.3", 0);
	CHECK_ERR("bind foreign address", bind(s, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL);
	a = t_sin("127.0.0.5", 0);
	CHECK_OK("bind 127.0.0.5 (all of 127/8 is ours)", bind(s, (struct sockaddr *)&a, sizeof(a)));
	l = sizeof(b);
	getsockname(s, (struct sockaddr *)&b, &l);
	int port = ntohs(b.sin_port);
	CHECK("bound port in ip_local_port_range", port >= 32768 && port <= 60999);
	CHECK("bound address", b.sin_addr.s_addr == a.sin_addr.s_addr);
	CHECK_ERR("bind twice", bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	int s2 = udp();
	b = t_sin("127.0.0.5", port);
	CHECK_ERR("same address and port", bind(s2, (struct sockaddr *)&b, sizeof(b)), EADDRINUSE);
	b = t_sin("0.0.0.0", port);
	CHECK_ERR("wildcard on a used port", bind(s2, (struct sockaddr *)&b, sizeof(b)), EADDRINUSE);
	b = t_sin("127.0.0.6", port);
	CHECK_OK("other address, same port", bind(s2, (struct sockaddr *)&b, sizeof(b)));
	close(s2);
	close(s);

	/* SO_REUSEADDR on both: the same address and port twice */
	int one = 1;
	s = udp();
	s2 = udp();
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a = t_sin("127.0.0.1", 0);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	l = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &l);
	CHECK_ERR("reuseaddr on one only", bind(s2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	setsockopt(s2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK_OK("reuseaddr on both", bind(s2, (struct sockaddr *)&a, sizeof(a)));
	/* unicast goes to the newer one */
	int c = udp();
	sendto(c, "u", 1, 0, (struct sockaddr *)&a, sizeof(a));
	char buf[8];
	CHECK("unicast to the last bound", recv(s2, buf, sizeof(buf), MSG_DONTWAIT) == 1 &&
	      recv(s, buf, sizeof(buf), MSG_DONTWAIT) == -1);
	close(s);
	close(s2);

	/* SO_REUSEPORT on both: a group; each gets a share by flow */
	s = udp();
	s2 = udp();
	setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	setsockopt(s2, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	a = t_sin("127.0.0.1", 0);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	l = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &l);
	CHECK_OK("reuseport on both", bind(s2, (struct sockaddr *)&a, sizeof(a)));
	int got = 0;
	for (int i = 0; i < 4; i++)
		sendto(c, "p", 1, 0, (struct sockaddr *)&a, sizeof(a));
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) == 1)
		got++;
	while (recv(s2, buf, sizeof(buf), MSG_DONTWAIT) == 1)
		got++;
	CHECK("reuseport group got every datagram", got == 4);
	close(s);
	close(s2);
	close(c);

	/* bind below 1024 as root */
	s = udp();
	a = t_sin("127.0.0.1", t_free_port());
	CHECK_OK("bind a chosen port", bind(s, (struct sockaddr *)&a, sizeof(a)));
	close(s);
}

static void data(void)
{
	struct sockaddr_in ra, sa, from;
	int r = t_udp_bound(&ra);
	int s = udp();
	char buf[256];
	CHECK_ERR("send unconnected without address", send(s, "x", 1, 0), EDESTADDRREQ);
	struct sockaddr_in z = ra;
	z.sin_port = 0;
	CHECK_ERR("sendto port 0", sendto(s, "x", 1, 0, (struct sockaddr *)&z, sizeof(z)), EINVAL);
	CHECK_ERR("sendto short address", sendto(s, "x", 1, 0, (struct sockaddr *)&ra, sizeof(ra) - 1), EINVAL);
	z = ra;
	z.sin_family = AF_INET6;
	CHECK_ERR("sendto AF_INET6", sendto(s, "x", 1, 0, (struct sockaddr *)&z, sizeof(z)), EAFNOSUPPORT);
	CHECK_ERR("sendto MSG_OOB", sendto(s, "x", 1, MSG_OOB, (struct sockaddr *)&ra, sizeof(ra)), EOPNOTSUPP);
	CHECK("sendto 5 bytes", sendto(s, "hello", 5, 0, (struct sockaddr *)&ra, sizeof(ra)) == 5);
	socklen_t l = sizeof(sa);
	getsockname(s, (struct sockaddr *)&sa, &l);
	CHECK("sender was autobound", ntohs(sa.sin_port) >= 32768 && ntohs(sa.sin_port) <= 60999);
	int n = 0;
	CHECK("FIONREAD is the datagram's size", !ioctl(r, FIONREAD, &n) && n == 5);
	CHECK("SIOCOUTQ of the sender is 0", !ioctl(s, TIOCOUTQ, &n) && n == 0);
	CHECK("MSG_PEEK sees it", recv(r, buf, sizeof(buf), MSG_PEEK) == 5);
	l = sizeof(from);
	memset(buf, 0, sizeof(buf));
	CHECK("recvfrom gets it", recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &l) == 5 &&
	      !memcmp(buf, "hello", 5));
	CHECK("from is the sender", l == sizeof(from) && from.sin_port == sa.sin_port &&
	      from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK_ERR("queue empty: MSG_DONTWAIT", recv(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

	/* truncation */
	sendto(s, "0123456789", 10, 0, (struct sockaddr *)&ra, sizeof(ra));
	struct iovec iov = { buf, 4 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK("recvmsg truncates", recvmsg(r, &mh, 0) == 4 && (mh.msg_flags & MSG_TRUNC));
	sendto(s, "0123456789", 10, 0, (struct sockaddr *)&ra, sizeof(ra));
	CHECK("MSG_TRUNC returns the real length", recv(r, buf, 3, MSG_TRUNC) == 10);
	CHECK("the rest is gone", recv(r, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);

	/* empty datagrams are datagrams */
	CHECK("send empty", sendto(s, "", 0, 0, (struct sockaddr *)&ra, sizeof(ra)) == 0);
	CHECK("poll sees it", t_readable(r, 1000));
	CHECK("recv empty", recv(r, buf, sizeof(buf), 0) == 0);

	/* iovecs gather and scatter */
	struct iovec out[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	struct msghdr om = { .msg_name = &ra, .msg_namelen = sizeof(ra), .msg_iov = out, .msg_iovlen = 3 };
	CHECK("sendmsg 3 iovecs", sendmsg(s, &om, 0) == 5);
	char p1[2], p2[10];
	struct iovec in[2] = { { p1, 2 }, { p2, 10 } };
	struct msghdr im = { .msg_iov = in, .msg_iovlen = 2 };
	CHECK("recvmsg 2 iovecs", recvmsg(r, &im, 0) == 5 && !memcmp(p1, "ab", 2) && !memcmp(p2, "cde", 3));

	/* the biggest datagram, and one more byte */
	static char big[65536];
	memset(big, 'b', sizeof(big));
	int rb = 1 << 20;
	setsockopt(r, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	CHECK("send 65507 bytes", sendto(s, big, 65507, 0, (struct sockaddr *)&ra, sizeof(ra)) == 65507);
	CHECK("receive 65507 bytes", recv(r, big, sizeof(big), 0) == 65507);
	CHECK_ERR("send 65508 bytes", sendto(s, big, 65508, 0, (struct sockaddr *)&ra, sizeof(ra)), EMSGSIZE);
	CHECK_ERR("send 65536 bytes", sendto(s, big, 65536, 0, (struct sockaddr *)&ra, sizeof(ra)), EMSGSIZE);
	close(s);
	close(r);
}

static void connecting(void)
{
	struct sockaddr_in ra, oa, a;
	int r = t_udp_bound(&ra);
	int other = t_udp_bound(&oa);
	int s = udp();
	socklen_t l = sizeof(a);
	CHECK_ERR("connect short", connect(s, (struct sockaddr *)&ra, sizeof(ra) - 1), EINVAL);
	/* connect autobinds first, whatever the address says */
	struct sockaddr_in bad = ra;
	bad.sin_family = AF_INET6;
	CHECK_ERR("connect AF_INET6", connect(s, (struct sockaddr *)&bad, sizeof(bad)), EAFNOSUPPORT);
	l = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &l);
	CHECK("a failed connect still autobound", a.sin_port != 0);
	CHECK_OK("connect", connect(s, (struct sockaddr *)&ra, sizeof(ra)));
	l = sizeof(a);
	CHECK("getpeername", !getpeername(s, (struct sockaddr *)&a, &l) && a.sin_port == ra.sin_port &&
	      a.sin_addr.s_addr == ra.sin_addr.s_addr);
	l = sizeof(a);
	CHECK("connect chose the source address", !getsockname(s, (struct sockaddr *)&a, &l) &&
	      a.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK("send connected", send(s, "c1", 2, 0) == 2);
	char buf[16];
	CHECK("received", recv(r, buf, sizeof(buf), 0) == 2);
	CHECK("sendto another address on a connected socket", sendto(s, "o", 1, 0, (struct sockaddr *)&oa,
	      sizeof(oa)) == 1 && recv(other, buf, sizeof(buf), 0) == 1);
	/* a connected socket hears only its peer */
	l = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &l);
	sendto(other, "stranger", 8, 0, (struct sockaddr *)&a, sizeof(a));
	sendto(r, "peer", 4, 0, (struct sockaddr *)&a, sizeof(a));
	CHECK("only the peer's datagram arrives", recv(s, buf, sizeof(buf), 0) == 4 &&
	      recv(s, buf, sizeof(buf), MSG_DONTWAIT) == -1);
	CHECK_ERR("bind after connect", bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	/* AF_UNSPEC dissolves the association and the autobound port */
	struct sockaddr un = { .sa_family = AF_UNSPEC };
	CHECK_OK("connect AF_UNSPEC", connect(s, &un, sizeof(un)));
	l = sizeof(a);
	CHECK_ERR("getpeername after disconnect", getpeername(s, (struct sockaddr *)&a, &l), ENOTCONN);
	l = sizeof(a);
	CHECK("disconnect released the autobound port", !getsockname(s, (struct sockaddr *)&a, &l) && !a.sin_port &&
	      !a.sin_addr.s_addr);
	CHECK_ERR("send after disconnect", send(s, "x", 1, 0), EDESTADDRREQ);
	close(s);
	/* a port given to bind survives disconnect (one bind chose does not) */
	s = udp();
	a = t_sin("0.0.0.0", t_free_port());
	bind(s, (struct sockaddr *)&a, sizeof(a));
	connect(s, (struct sockaddr *)&ra, sizeof(ra));
	connect(s, &un, sizeof(un));
	l = sizeof(a);
	CHECK("disconnect keeps a bound port and drops the address", !getsockname(s, (struct sockaddr *)&a, &l) &&
	      a.sin_port && !a.sin_addr.s_addr);
	close(s);
	/* connecting to 0.0.0.0 means this host */
	s = udp();
	struct sockaddr_in any = ra;
	any.sin_addr.s_addr = 0;
	CHECK_OK("connect 0.0.0.0", connect(s, (struct sockaddr *)&any, sizeof(any)));
	l = sizeof(a);
	CHECK("peer became 127.0.0.1", !getpeername(s, (struct sockaddr *)&a, &l) &&
	      a.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	close(s);
	close(r);
	close(other);
}

static void refused(void)
{
	int port = t_free_port();
	struct sockaddr_in d = t_sin("127.0.0.1", port);
	long long noports = t_counter("Udp", "NoPorts"), unreach = t_counter("Icmp", "OutDestUnreachs");
	int s = udp();
	connect(s, (struct sockaddr *)&d, sizeof(d));
	CHECK("send to a closed port", send(s, "x", 1, 0) == 1);
	CHECK("Udp NoPorts counted", t_counter("Udp", "NoPorts") == noports + 1);
	CHECK("ICMP port unreachable sent", t_counter("Icmp", "OutDestUnreachs") == unreach + 1);
	CHECK("poll says POLLERR", ({ struct pollfd p = { s, POLLIN, 0 }; poll(&p, 1, 1000) == 1 && (p.revents & POLLERR); }));
	CHECK_ERR("next send: ECONNREFUSED", send(s, "y", 1, 0), ECONNREFUSED);
	CHECK("error taken", ({ int e = -1; socklen_t l = sizeof(e); !getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l) && !e; }));
	send(s, "z", 1, 0);
	char buf[8];
	CHECK_ERR("recv: ECONNREFUSED", recv(s, buf, sizeof(buf), 0), ECONNREFUSED);
	send(s, "z", 1, 0);
	CHECK("SO_ERROR: ECONNREFUSED", ({ int e = 0; socklen_t l = sizeof(e); !getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l) && e == ECONNREFUSED; }));
	close(s);

	/* unconnected: nothing, unless IP_RECVERR */
	s = udp();
	sendto(s, "u", 1, 0, (struct sockaddr *)&d, sizeof(d));
	CHECK("unconnected: no error", ({ int e = -1; socklen_t l = sizeof(e); !getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l) && !e; }));
	int one = 1;
	CHECK_OK("IP_RECVERR", setsockopt(s, SOL_IP, IP_RECVERR, &one, sizeof(one)));
	sendto(s, "recverr", 7, 0, (struct sockaddr *)&d, sizeof(d));
	CHECK_ERR("recv with a queued report: ECONNREFUSED", recv(s, buf, sizeof(buf), MSG_DONTWAIT), ECONNREFUSED);
	char data[32], ctl[256];
	struct sockaddr_in name;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_name = &name, .msg_namelen = sizeof(name), .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(s, &mh, MSG_ERRQUEUE);
	CHECK("MSG_ERRQUEUE: the datagram", n == 7 && !memcmp(data, "recverr", 7) && (mh.msg_flags & MSG_ERRQUEUE));
	CHECK("MSG_ERRQUEUE: its destination", mh.msg_namelen == sizeof(name) && name.sin_port == d.sin_port &&
	      name.sin_addr.s_addr == d.sin_addr.s_addr);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	CHECK("IP_RECVERR message", c && c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR);
	if (c) {
		struct sock_extended_err *ee = (struct sock_extended_err *)CMSG_DATA(c);
		struct sockaddr_in *off = (struct sockaddr_in *)SO_EE_OFFENDER(ee);
		CHECK("ee_errno ECONNREFUSED", ee->ee_errno == ECONNREFUSED);
		CHECK("ee_origin ICMP, type 3 code 3", ee->ee_origin == SO_EE_ORIGIN_ICMP && ee->ee_type == 3 && ee->ee_code == 3);
		CHECK("offender 127.0.0.1", off->sin_family == AF_INET && off->sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	}
	CHECK_ERR("error queue empty", recvmsg(s, &mh, MSG_ERRQUEUE), EAGAIN);
	close(s);
}

static void broadcast_and_multicast(void)
{
	struct sockaddr_in a = t_sin("0.0.0.0", 0), b;
	int r = socket(AF_INET, SOCK_DGRAM, 0);
	bind(r, (struct sockaddr *)&a, sizeof(a));
	socklen_t l = sizeof(a);
	getsockname(r, (struct sockaddr *)&a, &l);
	int port = ntohs(a.sin_port);
	int s = udp();
	b = t_sin("127.255.255.255", port);
	CHECK_ERR("broadcast without SO_BROADCAST", sendto(s, "b", 1, 0, (struct sockaddr *)&b, sizeof(b)), EACCES);
	CHECK_ERR("connect to broadcast without SO_BROADCAST", connect(s, (struct sockaddr *)&b, sizeof(b)), EACCES);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	CHECK("broadcast with SO_BROADCAST", sendto(s, "b", 1, 0, (struct sockaddr *)&b, sizeof(b)) == 1);
	char buf[8];
	CHECK("the wildcard socket gets the broadcast", recv(r, buf, sizeof(buf), MSG_DONTWAIT) == 1);
	/* a socket bound to 127.0.0.1 does not */
	int r2 = socket(AF_INET, SOCK_DGRAM, 0);
	a = t_sin("127.0.0.1", port);
	CHECK_ERR("127.0.0.1 beside a wildcard without reuse", bind(r2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	setsockopt(r2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(r, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK_OK("127.0.0.1 beside a wildcard, both SO_REUSEADDR", bind(r2, (struct sockaddr *)&a, sizeof(a)));
	sendto(s, "b", 1, 0, (struct sockaddr *)&b, sizeof(b));
	CHECK("broadcast: to the wildcard socket only", recv(r, buf, sizeof(buf), MSG_DONTWAIT) == 1 &&
	      recv(r2, buf, sizeof(buf), MSG_DONTWAIT) == -1);
	close(r2);

	/* multicast: join on lo (by its address), send through lo */
	struct ip_mreqn m;
	memset(&m, 0, sizeof(m));
	inet_pton(AF_INET, "239.1.2.3", &m.imr_multiaddr);
	inet_pton(AF_INET, "127.0.0.1", &m.imr_address);
	CHECK_OK("IP_ADD_MEMBERSHIP on lo", setsockopt(r, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
	CHECK_ERR("joining twice", setsockopt(r, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)), EADDRINUSE);
	struct ip_mreqn bad = m;
	inet_pton(AF_INET, "10.0.0.1", &bad.imr_multiaddr);
	CHECK_ERR("joining a unicast address", setsockopt(r, SOL_IP, IP_ADD_MEMBERSHIP, &bad, sizeof(bad)), EINVAL);
	struct in_addr lo_addr;
	inet_pton(AF_INET, "127.0.0.1", &lo_addr);
	CHECK_OK("IP_MULTICAST_IF 127.0.0.1", setsockopt(s, SOL_IP, IP_MULTICAST_IF, &lo_addr, sizeof(lo_addr)));
	struct in_addr got;
	l = sizeof(got);
	CHECK("IP_MULTICAST_IF reads back", !getsockopt(s, SOL_IP, IP_MULTICAST_IF, &got, &l) && got.s_addr == lo_addr.s_addr);
	int ttl;
	l = sizeof(ttl);
	CHECK("IP_MULTICAST_TTL default 1", !getsockopt(s, SOL_IP, IP_MULTICAST_TTL, &ttl, &l) && ttl == 1);
	l = sizeof(ttl);
	CHECK("IP_MULTICAST_LOOP default 1", !getsockopt(s, SOL_IP, IP_MULTICAST_LOOP, &ttl, &l) && ttl == 1);
	b = t_sin("239.1.2.3", port);
	CHECK("send to the group", sendto(s, "mc", 2, 0, (struct sockaddr *)&b, sizeof(b)) == 2);
	int on = 1;
	setsockopt(r, SOL_IP, IP_RECVTTL, &on, sizeof(on));
	char ctl[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	CHECK("the member receives it", t_readable(r, 1000) && recvmsg(r, &mh, 0) == 2 && !memcmp(buf, "mc", 2));
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	CHECK("with the multicast TTL 1", c && c->cmsg_type == IP_TTL && *(int *)CMSG_DATA(c) == 1);
	CHECK_OK("IP_DROP_MEMBERSHIP", setsockopt(r, SOL_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m)));
	CHECK_ERR("dropping again", setsockopt(r, SOL_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m)), EADDRNOTAVAIL);
	sendto(s, "mc", 2, 0, (struct sockaddr *)&b, sizeof(b));
	CHECK("after leaving: nothing", !t_readable(r, 100));
	close(s);
	close(r);
}

static void options_and_cmsgs(void)
{
	struct sockaddr_in ra;
	int r = t_udp_bound(&ra);
	int s = udp();
	int v;
	socklen_t l = sizeof(v);
	CHECK("IP_TTL default 64", !getsockopt(s, SOL_IP, IP_TTL, &v, &l) && v == 64);
	v = 0;
	CHECK_ERR("IP_TTL 0", setsockopt(s, SOL_IP, IP_TTL, &v, sizeof(v)), EINVAL);
	v = 256;
	CHECK_ERR("IP_TTL 256", setsockopt(s, SOL_IP, IP_TTL, &v, sizeof(v)), EINVAL);
	v = 7;
	CHECK_OK("IP_TTL 7", setsockopt(s, SOL_IP, IP_TTL, &v, sizeof(v)));
	unsigned char byte = 0;
	l = 1;
	CHECK("IP_TTL read as one byte", !getsockopt(s, SOL_IP, IP_TTL, &byte, &l) && l == 1 && byte == 7);
	v = 0x28;
	CHECK_OK("IP_TOS 0x28", setsockopt(s, SOL_IP, IP_TOS, &v, sizeof(v)));
	int on = 1;
	setsockopt(r, SOL_IP, IP_PKTINFO, &on, sizeof(on));
	setsockopt(r, SOL_IP, IP_RECVTTL, &on, sizeof(on));
	setsockopt(r, SOL_IP, IP_RECVTOS, &on, sizeof(on));
	setsockopt(r, SOL_IP, IP_RECVORIGDSTADDR, &on, sizeof(on));
	sendto(s, "opt", 3, 0, (struct sockaddr *)&ra, sizeof(ra));
	char buf[16], ctl[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	CHECK("recvmsg with control messages", recvmsg(r, &mh, 0) == 3);
	int seen = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_IP)
			continue;
		if (c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo *pi = (struct in_pktinfo *)CMSG_DATA(c);
			printf("IP_PKTINFO: ifindex %d spec_dst %s", pi->ipi_ifindex, inet_ntoa(pi->ipi_spec_dst));
			printf(" addr %s\n", inet_ntoa(pi->ipi_addr));
		} else if (c->cmsg_type == IP_TTL) {
			printf("IP_TTL: %d\n", *(int *)CMSG_DATA(c));
		} else if (c->cmsg_type == IP_TOS) {
			printf("IP_TOS: %#x (len %d)\n", *(unsigned char *)CMSG_DATA(c), (int)(c->cmsg_len - CMSG_LEN(0)));
		} else if (c->cmsg_type == IP_ORIGDSTADDR) {
			struct sockaddr_in *o = (struct sockaddr_in *)CMSG_DATA(c);
			printf("IP_ORIGDSTADDR: %s port matches %d\n", inet_ntoa(o->sin_addr), o->sin_port == ra.sin_port);
		}
		seen++;
	}
	CHECK("four control messages", seen == 4);
	/* a too small control buffer */
	sendto(s, "opt", 3, 0, (struct sockaddr *)&ra, sizeof(ra));
	mh.msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
	CHECK("control truncated: MSG_CTRUNC", recvmsg(r, &mh, 0) == 3 && (mh.msg_flags & MSG_CTRUNC));
	/* TTL and TOS given per datagram */
	char sc[CMSG_SPACE(sizeof(int))];
	struct msghdr sm = { .msg_name = &ra, .msg_namelen = sizeof(ra), .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = sc, .msg_controllen = sizeof(sc) };
	iov.iov_len = 2;
	struct cmsghdr *c = CMSG_FIRSTHDR(&sm);
	c->cmsg_level = SOL_IP;
	c->cmsg_type = IP_TTL;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(c) = 3;
	CHECK("sendmsg with IP_TTL 3", sendmsg(s, &sm, 0) == 2);
	iov.iov_len = sizeof(buf);
	mh.msg_controllen = sizeof(ctl);
	recvmsg(r, &mh, 0);
	int ttl = -1;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_type == IP_TTL)
			ttl = *(int *)CMSG_DATA(c);
	CHECK("arrived with TTL 3", ttl == 3);
	c = CMSG_FIRSTHDR(&sm);
	*(int *)CMSG_DATA(c) = 0;
	iov.iov_len = 2;
	CHECK_ERR("sendmsg with IP_TTL 0", sendmsg(s, &sm, 0), EINVAL);

	/* buffer sizes are doubled */
	v = 100000;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	l = sizeof(v);
	CHECK("SO_RCVBUF doubled", !getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l) && v == 200000);
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	l = sizeof(v);
	CHECK("SO_SNDBUF minimum", !getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l) && v == 4608);
	struct pollfd p = { s, POLLIN | POLLOUT, 0 };
	CHECK("an idle socket is writable only", poll(&p, 1, 0) == 1 && p.revents == POLLOUT);
	close(s);
	close(r);
}

/* One datagram to r; the SOL_SOCKET message found (its type and length)
 * and whether its time lies between the send and the receive. */
static void one_stamp(int s, int r, const struct sockaddr_in *ra, const char *label)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_REALTIME, &t0);
	sendto(s, "ts", 2, 0, (const struct sockaddr *)ra, sizeof(*ra));
	char buf[8], ctl[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	if (recvmsg(r, &mh, 0) != 2)
		DIE("recvmsg");
	clock_gettime(CLOCK_REALTIME, &t1);
	int n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c), n++) {
		if (c->cmsg_level != SOL_SOCKET) {
			printf("%s: message %d: level %d type %d\n", label, n, c->cmsg_level, c->cmsg_type);
			continue;
		}
		int64_t v[2];
		memcpy(v, CMSG_DATA(c), sizeof(v));
		bool ns = c->cmsg_type == SO_TIMESTAMPNS_OLD || c->cmsg_type == SO_TIMESTAMPNS_NEW;
		int64_t at = v[0] * 1000000000ll + v[1] * (ns ? 1 : 1000);
		int64_t lo = t0.tv_sec * 1000000000ll + t0.tv_nsec, hi = t1.tv_sec * 1000000000ll + t1.tv_nsec;
		if (!ns)
			lo -= lo % 1000;	/* microseconds, rounded down */
		printf("%s: message %d: SOL_SOCKET type %d, %d bytes, %s, between send and receive: %s\n", label, n,
		       c->cmsg_type, (int)(c->cmsg_len - CMSG_LEN(0)), v[1] < (ns ? 1000000000 : 1000000) ? "fraction in range" : "fraction out of range",
		       at >= lo && at <= hi ? "yes" : "no");
	}
	if (!n)
		printf("%s: no control message\n", label);
}

static void timestamps(void)
{
	struct sockaddr_in ra;
	int r = t_udp_bound(&ra);
	int s = udp();
	static const struct { int opt; const char *name; } opts[] = {
		{ SO_TIMESTAMP_OLD, "SO_TIMESTAMP" }, { SO_TIMESTAMPNS_OLD, "SO_TIMESTAMPNS" },
		{ SO_TIMESTAMP_NEW, "SO_TIMESTAMP_NEW" }, { SO_TIMESTAMPNS_NEW, "SO_TIMESTAMPNS_NEW" },
	};
	one_stamp(s, r, &ra, "no option");
	int on = 1, off = 0;
	for (unsigned i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		CHECK_OK(opts[i].name, setsockopt(r, SOL_SOCKET, opts[i].opt, &on, sizeof(on)));
		for (unsigned j = 0; j < sizeof(opts) / sizeof(opts[0]); j++) {
			int v = -1;
			socklen_t l = sizeof(v);
			getsockopt(r, SOL_SOCKET, opts[j].opt, &v, &l);
			printf("  after %s on: %s reads %d\n", opts[i].name, opts[j].name, v);
		}
		one_stamp(s, r, &ra, opts[i].name);
	}
	/* before the IP level's messages */
	setsockopt(r, SOL_IP, IP_PKTINFO, &on, sizeof(on));
	one_stamp(s, r, &ra, "SO_TIMESTAMPNS_NEW and IP_PKTINFO");
	CHECK_OK("SO_TIMESTAMP off", setsockopt(r, SOL_SOCKET, SO_TIMESTAMP_OLD, &off, sizeof(off)));
	setsockopt(r, SOL_IP, IP_PKTINFO, &off, sizeof(off));
	one_stamp(s, r, &ra, "off again");
	close(s);
	close(r);
}

static void shutting_down(void)
{
	int s = udp();
	CHECK_ERR("shutdown unconnected", shutdown(s, SHUT_RD), ENOTCONN);
	char buf[4];
	CHECK("recv after SHUT_RD returns 0", recv(s, buf, sizeof(buf), 0) == 0);
	struct sockaddr_in ra;
	int r = t_udp_bound(&ra);
	connect(s, (struct sockaddr *)&ra, sizeof(ra));
	CHECK_OK("shutdown connected", shutdown(s, SHUT_WR));
	CHECK_ERR("send after SHUT_WR", send(s, "x", 1, 0), EPIPE);
	close(s);
	close(r);
}

int main(void)
{
	t_lo_up();
	sockets();
	binding();
	data();
	connecting();
	refused();
	broadcast_and_multicast();
	options_and_cmsgs();
	timestamps();
	shutting_down();
	return t_done();
}
