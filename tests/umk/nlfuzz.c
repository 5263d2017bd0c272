/* Runs as init under umk: hostile rtnetlink. Random NETLINK_ROUTE
 * requests (every message type and some past the last, random flags,
 * family headers of random length and content, attributes of random
 * types with lengths that lie, nests, several messages per datagram,
 * truncated ones), random SOL_NETLINK options and values, binds and
 * connects, reads with small buffers, MSG_PEEK and MSG_TRUNC, and
 * sockets left full. lo and the card are configured and reconfigured
 * at random along the way (root). Afterwards a fresh socket must still
 * dump the links and get an ack for a good request; init reports and
 * powers off. The seed is printed (and taken after "--"). */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rng.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static uint8_t buf[70000];
static unsigned n_msgs, n_replies;

/* A plausible attribute value: an address of ours, a small number, an
 * interface name, or bytes. */
static size_t random_value(uint8_t *p, size_t room)
{
	static const uint8_t addrs[][4] = { { 127, 0, 0, 1 }, { 10, 0, 0, 1 }, { 10, 0, 0, 254 }, { 0, 0, 0, 0 },
					    { 255, 255, 255, 255 }, { 224, 0, 0, 1 } };
	size_t n;
	switch (next() % 5) {
	case 0:
		n = 4;
		memcpy(p, addrs[next() % 6], 4);
		break;
	case 1:
		n = 4;
		*(uint32_t *)p = (uint32_t)(next() % 3 ? next() % 70000 : next());
		break;
	case 2: {
		static const char *const names[] = { "lo", "eth0", "nosuch", "lo:1", "" };
		const char *s = names[next() % 5];
		n = strlen(s) + (next() % 4 ? 1 : 0);
		memcpy(p, s, n);
		break;
	}
	default:
		n = next() % (next() % 8 ? 24 : 300);
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)next();
	}
	return n < room ? n : room;
}

/* Attributes after off in a message buffer of cap bytes; the new end. */
static size_t random_attrs(uint8_t *m, size_t off, size_t cap, int depth)
{
	unsigned n = (unsigned)(next() % 8);
	for (unsigned i = 0; i < n && off + 8 < cap; i++) {
		struct nlattr *a = (struct nlattr *)(m + off);
		a->nla_type = (uint16_t)(next() % 4 ? next() % 40 : next());
		size_t len;
		if (depth < 3 && next() % 6 == 0) {
			a->nla_type |= NLA_F_NESTED;
			len = random_attrs(m, off + NLA_HDRLEN, cap, depth + 1) - off - NLA_HDRLEN;
		} else {
			len = random_value(m + off + NLA_HDRLEN, cap - off - NLA_HDRLEN);
		}
		a->nla_len = (uint16_t)(NLA_HDRLEN + len);
		if (next() % 16 == 0)
			a->nla_len = (uint16_t)next();	/* a length that lies */
		off += NLA_ALIGN(NLA_HDRLEN + len);
	}
	return off < cap ? off : cap;
}

/* One datagram of 1..3 requests. */
static size_t random_request(uint8_t *m, size_t cap)
{
	size_t off = 0;
	unsigned n = 1 + (unsigned)(next() % 3);
	for (unsigned i = 0; i < n && off + 64 < cap; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)(m + off);
		memset(h, 0, NLMSG_HDRLEN);
		h->nlmsg_type = (uint16_t)(next() % 8 ? RTM_BASE + next() % (RTM_MAX - RTM_BASE + 8) : next() % 0x20);
		h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | (next() % 2 ? NLM_F_ACK : 0) |
					    (next() % 3 ? 0 : NLM_F_DUMP) | (next() % 4 ? 0 : (next() & 0x0f00)));
		if (next() % 20 == 0)
			h->nlmsg_flags = (uint16_t)next();
		h->nlmsg_seq = (uint32_t)next();
		size_t hdr = next() % 4 ? 16 : next() % 40;
		uint8_t *p = m + off + NLMSG_HDRLEN;
		for (size_t k = 0; k < hdr && off + NLMSG_HDRLEN + k < cap; k++)
			p[k] = next() % 3 ? 0 : (uint8_t)next();
		p[0] = (uint8_t)(next() % 4 ? 2 : next() % 3 ? 0 : next());	/* the family: AF_INET mostly */
		if (hdr > 4 && next() % 2)
			p[4] = (uint8_t)(next() % 3);	/* an index: lo, eth0 */
		size_t end = random_attrs(m, off + NLMSG_HDRLEN + NLMSG_ALIGN(hdr), cap, 0);
		h->nlmsg_len = (uint32_t)(end - off);
		if (next() % 25 == 0)
			h->nlmsg_len = (uint32_t)(next() % 2 ? next() % 20 : next());	/* lies */
		off = NLMSG_ALIGN(end);
		n_msgs++;
	}
	if (next() % 10 == 0)
		off = next() % (off + 1);	/* cut short */
	return off;
}

static void drain(int s)
{
	for (int i = 0; i < 64; i++) {
		size_t len = next() % 4 ? sizeof(buf) : next() % 64;
		int fl = MSG_DONTWAIT | (next() % 8 ? 0 : MSG_PEEK) | (next() % 8 ? 0 : MSG_TRUNC);
		ssize_t r = recv(s, buf, len, fl);
		if (r < 0 && errno != ENOBUFS)
			return;
		n_replies++;
	}
}

static void random_option(int s)
{
	int v = (int)(next() % 3 ? next() % 2 : next() % 40);
	socklen_t l = (socklen_t)(next() % 4 ? 4 : next() % 9);
	if (next() % 2)
		setsockopt(s, SOL_NETLINK, (int)(next() % 14), &v, l);
	else
		getsockopt(s, SOL_NETLINK, (int)(next() % 14), buf, &l);
	if (next() % 8 == 0) {
		int b = (int)(next() % 300000);
		setsockopt(s, SOL_SOCKET, next() % 2 ? SO_RCVBUF : SO_SNDBUF, &b, sizeof(b));
	}
}

static void round_of(int *socks, int ns)
{
	int s = socks[next() % ns];
	switch (next() % 8) {
	case 0: {
		struct sockaddr_nl a = { .nl_family = (sa_family_t)(next() % 5 ? AF_NETLINK : next()),
					 .nl_pid = (uint32_t)(next() % 3 ? 0 : next()),
					 .nl_groups = (uint32_t)(next() % 2 ? 0 : next()) };
		if (next() % 2)
			bind(s, (struct sockaddr *)&a, (socklen_t)(next() % 4 ? sizeof(a) : next() % 16));
		else
			connect(s, (struct sockaddr *)&a, (socklen_t)(next() % 4 ? sizeof(a) : next() % 16));
		break;
	}
	case 1:
		random_option(s);
		break;
	case 2:
		drain(s);
		break;
	default: {
		static uint8_t m[8192];
		size_t len = random_request(m, sizeof(m));
		struct sockaddr_nl k = { .nl_family = AF_NETLINK, .nl_pid = (uint32_t)(next() % 10 ? 0 : next()) };
		sendto(s, m, len, MSG_DONTWAIT, (struct sockaddr *)&k, sizeof(k));
		if (next() % 3)
			drain(s);
	}
	}
}

/* A fresh socket dumps the links and acks a good request. */
static int netlink_works(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { { sizeof(req), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0 }, { .ifi_family = AF_UNSPEC } };
	if (s < 0 || send(s, &req, sizeof(req), 0) != sizeof(req))
		return 0;
	int links = 0;
	for (;;) {
		struct pollfd p = { s, POLLIN, 0 };
		if (poll(&p, 1, 2000) != 1)
			return 0;
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto dumped;
			if (h->nlmsg_type == RTM_NEWLINK)
				links++;
		}
	}
dumped:
	req.h.nlmsg_type = NLMSG_NOOP;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = 2;
	if (send(s, &req, sizeof(req), 0) != sizeof(req))
		return 0;
	struct pollfd p = { s, POLLIN, 0 };
	if (poll(&p, 1, 2000) != 1 || recv(s, buf, sizeof(buf), 0) < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)))
		return 0;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = NLMSG_DATA(h);
	printf("nlfuzz: %d links\n", links);
	return links >= 1 && h->nlmsg_type == NLMSG_ERROR && e->error == 0 && h->nlmsg_seq == 2;
}

int main(int argc, char **argv)
{
	rng = argc > 1 ? strtoull(argv[1], NULL, 0) : 88172645463325252ull;
	if (!rng)
		rng = 1;
	printf("nlfuzz seed %llu\n", (unsigned long long)rng);
	fflush(stdout);
	int socks[4];
	for (int i = 0; i < 4; i++) {
		socks[i] = socket(AF_NETLINK, i % 2 ? SOCK_DGRAM : SOCK_RAW, NETLINK_ROUTE);
		if (socks[i] < 0) {
			printf("no netlink sockets\n");
			reboot(RB_POWER_OFF);
		}
	}
	int g = RTNLGRP_LINK, all = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_NEIGH;
	setsockopt(socks[3], SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g));
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = (uint32_t)all };
	bind(socks[2], (struct sockaddr *)&a, sizeof(a));	/* a listener nobody reads: it fills */
	for (int i = 0; i < 4000; i++)
		round_of(socks, 4);
	printf("nlfuzz: %u messages sent, %u replies read\n", n_msgs, n_replies);
	printf("nlfuzz: netlink %s\n", netlink_works() ? "works" : "BROKEN");
	printf("nlfuzz: kernel alive\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
