/* rtnetlink on lo, as iproute2 and busybox ip use it: the socket
 * (families, protocols, bind/getsockname, autobind, SOL_NETLINK
 * options), link/address/route/neighbour dumps and gets, adding and
 * deleting addresses and routes with acks and Linux's errors, strict
 * dump checking, extended acks, truncation, requests that are ignored,
 * who may change things, and the multicast groups `ip monitor` reads.
 * Only what is stable natively (a fresh network namespace) is printed:
 * no times, counters or port ids. */
#include "net.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/fib_rules.h>
#include <stdbool.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static uint32_t seq = 100;

static int nl_open(unsigned groups)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		DIE("netlink socket");
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		DIE("netlink bind");
	return s;
}

struct req {
	struct nlmsghdr h;
	char body[1024];
};

static void req_init(struct req *r, int type, int flags, const void *hdr, size_t hdrlen)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(hdrlen);
	r->h.nlmsg_type = (uint16_t)type;
	r->h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	r->h.nlmsg_seq = ++seq;
	memcpy(NLMSG_DATA(&r->h), hdr, hdrlen);
}

static void req_attr(struct req *r, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static void req_addr(struct req *r, int type, const char *ip)
{
	struct in_addr a;
	inet_pton(AF_INET, ip, &a);
	req_attr(r, type, &a, 4);
}

static void send_req(int s, struct req *r)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	if (sendto(s, r, r->h.nlmsg_len, 0, (struct sockaddr *)&k, sizeof(k)) != (ssize_t)r->h.nlmsg_len)
		DIE("netlink sendto");
}

static char buf[65536];

/* One datagram (waiting at most 2 s): its length, 0 if none came. */
static ssize_t recv_one(int s)
{
	struct pollfd p = { s, POLLIN, 0 };
	if (poll(&p, 1, 2000) != 1)
		return 0;
	struct sockaddr_nl from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n < 0)
		DIE("netlink recv");
	if (fl != sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0)
		printf("unexpected sender address\n");
	return n;
}

static bool pending(int s)
{
	struct pollfd p = { s, POLLIN, 0 };
	return poll(&p, 1, 100) == 1;
}

static void rta_table(struct rtattr **tb, int max, struct rtattr *rta, int len)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type <= max)
			tb[rta->rta_type] = rta;
}

static const char *ip4(const struct rtattr *a)
{
	static char s[4][INET_ADDRSTRLEN];
	static int i;
	if (!a)
		return "-";
	i = (i + 1) % 4;
	return inet_ntop(AF_INET, RTA_DATA(a), s[i], sizeof(s[i]));
}

static unsigned u32(const struct rtattr *a)
{
	unsigned v = 0;
	if (a)
		memcpy(&v, RTA_DATA(a), 4);
	return v;
}

static void show_link(struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];
	rta_table(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(h));
	printf("  link %d %s type %u flags %#x mtu %u txqlen %u operstate %u linkmode %u qdisc %s carrier %u",
	       ifi->ifi_index, tb[IFLA_IFNAME] ? (char *)RTA_DATA(tb[IFLA_IFNAME]) : "?", ifi->ifi_type,
	       ifi->ifi_flags, u32(tb[IFLA_MTU]), u32(tb[IFLA_TXQLEN]),
	       tb[IFLA_OPERSTATE] ? *(uint8_t *)RTA_DATA(tb[IFLA_OPERSTATE]) : 99,
	       tb[IFLA_LINKMODE] ? *(uint8_t *)RTA_DATA(tb[IFLA_LINKMODE]) : 99,
	       tb[IFLA_QDISC] ? (char *)RTA_DATA(tb[IFLA_QDISC]) : "-",
	       tb[IFLA_CARRIER] ? *(uint8_t *)RTA_DATA(tb[IFLA_CARRIER]) : 99);
	printf(" addrlen %d stats64 %s group %u promisc %u\n",
	       tb[IFLA_ADDRESS] ? (int)RTA_PAYLOAD(tb[IFLA_ADDRESS]) : -1,
	       tb[IFLA_STATS64] && RTA_PAYLOAD(tb[IFLA_STATS64]) >= sizeof(struct rtnl_link_stats64) ? "yes" : "no",
	       u32(tb[IFLA_GROUP]), u32(tb[IFLA_PROMISCUITY]));
}

static void show_addr(struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	if (ifa->ifa_family != AF_INET)
		return;	/* IPv6's, natively */
	struct rtattr *tb[IFA_MAX + 1];
	rta_table(tb, IFA_MAX, IFA_RTA(ifa), (int)IFA_PAYLOAD(h));
	struct ifa_cacheinfo ci = { 0 };
	if (tb[IFA_CACHEINFO])
		memcpy(&ci, RTA_DATA(tb[IFA_CACHEINFO]), sizeof(ci));
	printf("  addr if %u %s/%u local %s brd %s scope %u flags %#x/%#x label %s lft %d/%d\n", ifa->ifa_index,
	       ip4(tb[IFA_ADDRESS]), ifa->ifa_prefixlen, ip4(tb[IFA_LOCAL]), ip4(tb[IFA_BROADCAST]), ifa->ifa_scope,
	       ifa->ifa_flags, u32(tb[IFA_FLAGS]), tb[IFA_LABEL] ? (char *)RTA_DATA(tb[IFA_LABEL]) : "-",
	       (int)ci.ifa_prefered, (int)ci.ifa_valid);
}

static void show_route(struct nlmsghdr *h)
{
	struct rtmsg *rt = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];
	rta_table(tb, RTA_MAX, RTM_RTA(rt), (int)RTM_PAYLOAD(h));
	printf("  route %s/%u table %u/%u type %u scope %u proto %u flags %#x tos %u src %s gw %s oif %u prio %u\n",
	       ip4(tb[RTA_DST]), rt->rtm_dst_len, rt->rtm_table, u32(tb[RTA_TABLE]), rt->rtm_type, rt->rtm_scope,
	       rt->rtm_protocol, rt->rtm_flags, rt->rtm_tos, ip4(tb[RTA_PREFSRC]), ip4(tb[RTA_GATEWAY]),
	       u32(tb[RTA_OIF]), u32(tb[RTA_PRIORITY]));
}

static void show_neigh(struct nlmsghdr *h)
{
	struct ndmsg *nd = NLMSG_DATA(h);
	if (nd->ndm_state == NUD_NOARP)
		return;	/* as ip neigh: the kernel's own entries for lo, if any */
	struct rtattr *tb[NDA_MAX + 1];
	rta_table(tb, NDA_MAX, (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd))),
		  (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd))));
	printf("  neigh if %d %s state %#x flags %#x lladdr %s\n", nd->ndm_ifindex, ip4(tb[NDA_DST]),
	       nd->ndm_state, nd->ndm_flags, tb[NDA_LLADDR] ? "yes" : "no");
}

static void show_rule(struct nlmsghdr *h)
{
	struct fib_rule_hdr *fr = NLMSG_DATA(h);
	struct rtattr *tb[FRA_MAX + 1];
	rta_table(tb, FRA_MAX, (struct rtattr *)((char *)fr + NLMSG_ALIGN(sizeof(*fr))),
		  (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*fr))));
	printf("  rule family %u pref %u table %u/%u action %u flags %#x proto %u suppress %#x\n", fr->family,
	       u32(tb[FRA_PRIORITY]), fr->table, u32(tb[FRA_TABLE]), fr->action, fr->flags,
	       tb[FRA_PROTOCOL] ? *(uint8_t *)RTA_DATA(tb[FRA_PROTOCOL]) : 99, u32(tb[FRA_SUPPRESS_PREFIXLEN]));
}

static void show(struct nlmsghdr *h)
{
	switch (h->nlmsg_type) {
	case RTM_NEWRULE: show_rule(h); break;
	case RTM_NEWLINK: show_link(h); break;
	case RTM_NEWADDR: case RTM_DELADDR: show_addr(h); break;
	case RTM_NEWROUTE: case RTM_DELROUTE: show_route(h); break;
	case RTM_NEWNEIGH: case RTM_DELNEIGH: show_neigh(h); break;
	default: printf("  message type %u\n", h->nlmsg_type);
	}
}

/* Read until the reply to r ends: a dump's NLMSG_DONE, an error/ack,
 * or (a get without ack) the one reply. Prints what came. */
static int read_reply(int s, const struct req *r, const char *what)
{
	bool dump = r->h.nlmsg_flags & NLM_F_DUMP;
	bool want_ack = (r->h.nlmsg_flags & NLM_F_ACK) || r->h.nlmsg_type < RTM_BASE ||
			(r->h.nlmsg_type & 3) != 2;
	printf("%s:\n", what);
	for (;;) {
		ssize_t n = recv_one(s);
		if (!n) {
			printf("  (no reply)\n");
			return -1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq)
				printf("  seq mismatch\n");
			if (h->nlmsg_type == NLMSG_DONE) {
				int e;
				memcpy(&e, NLMSG_DATA(h), sizeof(e));
				printf("  done %d%s flags %#x\n", e, e ? "" : "", h->nlmsg_flags & ~NLM_F_ACK_TLVS);
				if (h->nlmsg_flags & NLM_F_ACK_TLVS)
					printf("  (with extended ack)\n");
				return e;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				printf("  %s %s len %u flags %#x\n", e->error ? "error" : "ack",
				       e->error ? strerror(-e->error) : "", h->nlmsg_len, h->nlmsg_flags);
				return e->error;
			}
			if (dump && !(h->nlmsg_flags & NLM_F_MULTI))
				printf("  dump message without NLM_F_MULTI\n");
			show(h);
			if (!dump && !want_ack)
				return 0;
		}
	}
}

static int talk(int s, struct req *r, const char *what)
{
	send_req(s, r);
	return read_reply(s, r, what);
}

static void dump(int s, int type, const void *hdr, size_t hdrlen, const char *what)
{
	struct req r;
	req_init(&r, type, NLM_F_DUMP, hdr, hdrlen);
	talk(s, &r, what);
}

static void dump_all(int s, const char *when)
{
	char what[80];
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	struct rtmsg rtm = { .rtm_family = AF_INET };
	struct ndmsg nd = { .ndm_family = AF_INET };
	snprintf(what, sizeof(what), "links %s", when);
	dump(s, RTM_GETLINK, &ifi, sizeof(ifi), what);
	snprintf(what, sizeof(what), "addresses %s", when);
	dump(s, RTM_GETADDR, &ifa, sizeof(ifa), what);
	snprintf(what, sizeof(what), "routes %s", when);
	dump(s, RTM_GETROUTE, &rtm, sizeof(rtm), what);
	snprintf(what, sizeof(what), "neighbours %s", when);
	dump(s, RTM_GETNEIGH, &nd, sizeof(nd), what);
	struct fib_rule_hdr fr = { .family = AF_INET };
	snprintf(what, sizeof(what), "IPv4 rules %s", when);
	dump(s, RTM_GETRULE, &fr, sizeof(fr), what);
}

static void sockets(void)
{
	CHECK_ERR("SOCK_STREAM", socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
	CHECK_ERR("protocol 99", socket(AF_NETLINK, SOCK_RAW, 99), EPROTONOSUPPORT);
	int s = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
	CHECK("SOCK_DGRAM", s >= 0);
	struct sockaddr_nl a;
	socklen_t l = sizeof(a);
	CHECK("unbound: nl_pid 0", !getsockname(s, (struct sockaddr *)&a, &l) && l == sizeof(a) &&
		  a.nl_family == AF_NETLINK && a.nl_pid == 0 && a.nl_groups == 0);
	struct sockaddr_nl b = { .nl_family = AF_INET };
	CHECK_ERR("bind AF_INET", bind(s, (struct sockaddr *)&b, sizeof(b)), EINVAL);
	b.nl_family = AF_NETLINK;
	CHECK_ERR("bind short", bind(s, (struct sockaddr *)&b, 4), EINVAL);
	CHECK_OK("bind pid 0", bind(s, (struct sockaddr *)&b, sizeof(b)));
	l = sizeof(a);
	CHECK("first socket: the process id", !getsockname(s, (struct sockaddr *)&a, &l) &&
		  a.nl_pid == (unsigned)getpid());
	int s2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	b.nl_pid = (unsigned)getpid();
	CHECK_ERR("bind a taken id", bind(s2, (struct sockaddr *)&b, sizeof(b)), EADDRINUSE);
	b.nl_pid = 0;
	CHECK_OK("autobind second", bind(s2, (struct sockaddr *)&b, sizeof(b)));
	l = sizeof(a);
	CHECK("second socket: a negative id", !getsockname(s2, (struct sockaddr *)&a, &l) && (int)a.nl_pid < 0);
	b.nl_pid = 12345;
	CHECK_ERR("rebind to another id", bind(s2, (struct sockaddr *)&b, sizeof(b)), EINVAL);
	/* socket to socket (root may): the sender's id comes with it */
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = (unsigned)getpid() };
	CHECK("send to another socket", sendto(s2, "peer", 4, 0, (struct sockaddr *)&to, sizeof(to)) == 4);
	char pb[16];
	struct sockaddr_nl from;
	socklen_t fl = sizeof(from);
	l = sizeof(a);
	getsockname(s2, (struct sockaddr *)&a, &l);
	CHECK("received from its id", recvfrom(s, pb, sizeof(pb), MSG_DONTWAIT, (struct sockaddr *)&from, &fl) == 4 &&
		  !memcmp(pb, "peer", 4) && from.nl_pid == a.nl_pid && from.nl_groups == 0);
	to.nl_pid = 424242;
	CHECK_ERR("send to no socket", sendto(s2, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), ECONNREFUSED);

	int v = 1;
	socklen_t vl = sizeof(v);
	CHECK_OK("NETLINK_EXT_ACK on", setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof(v)));
	v = 0;
	CHECK("NETLINK_EXT_ACK reads 1", !getsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, &vl) && v == 1 && vl == 4);
	vl = 2;
	CHECK_ERR("getsockopt short", getsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, &vl), EINVAL);
	vl = sizeof(v);
	CHECK("NETLINK_GET_STRICT_CHK off", !getsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, &vl) && v == 0);
	CHECK_ERR("option 99", setsockopt(s, SOL_NETLINK, 99, &v, sizeof(v)), ENOPROTOOPT);
	v = 0;
	CHECK_ERR("ADD_MEMBERSHIP 0", setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof(v)), EINVAL);
	v = 1000;
	CHECK_ERR("ADD_MEMBERSHIP 1000", setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof(v)), EINVAL);
	v = RTNLGRP_IPV4_ROUTE;
	CHECK_OK("ADD_MEMBERSHIP ipv4 route", setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof(v)));
	l = sizeof(a);
	CHECK("nl_groups shows it", !getsockname(s, (struct sockaddr *)&a, &l) &&
		  a.nl_groups == 1u << (RTNLGRP_IPV4_ROUTE - 1));
	uint32_t m[8] = { 0 };
	vl = sizeof(m);
	CHECK("LIST_MEMBERSHIPS", !getsockopt(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, m, &vl) &&
		  m[0] == 1u << (RTNLGRP_IPV4_ROUTE - 1));
	CHECK_OK("DROP_MEMBERSHIP", setsockopt(s, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &v, sizeof(v)));
	v = 32768;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	vl = sizeof(v);
	CHECK("SO_RCVBUF doubled", !getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &vl) && v == 65536);
	vl = sizeof(v);
	CHECK("SO_PROTOCOL", !getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &vl) && v == NETLINK_ROUTE);
	close(s);
	close(s2);
}

/* Requests the kernel ignores or refuses, whatever their content. */
static void bad_messages(int s)
{
	struct req r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	req_init(&r, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	r.h.nlmsg_len = 8;	/* shorter than a header: the rest is dropped */
	send(s, &r, 20, 0);
	CHECK("too short a message: no answer", !pending(s));
	req_init(&r, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	r.h.nlmsg_flags &= ~NLM_F_REQUEST;
	send_req(s, &r);
	CHECK("not a request: no answer", !pending(s));
	req_init(&r, NLMSG_NOOP, NLM_F_ACK, &ifi, sizeof(ifi));
	talk(s, &r, "NLMSG_NOOP with ack");
	req_init(&r, 0x7ff, NLM_F_ACK, &ifi, sizeof(ifi));
	talk(s, &r, "type 0x7ff");
	req_init(&r, RTM_GETLINK, 0, &ifi, 0);
	talk(s, &r, "RTM_GETLINK without a family");
	req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	talk(s, &r, "RTM_GETLINK naming no link");
	ifi.ifi_index = 99;
	req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	talk(s, &r, "RTM_GETLINK index 99");
	ifi.ifi_index = 0;
	req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_IFNAME, "nosuch0", 8);
	talk(s, &r, "RTM_GETLINK nosuch0");
	req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_IFNAME, "lo", 3);
	send_req(s, &r);
	struct pollfd p = { s, POLLIN, 0 };
	poll(&p, 1, 2000);
	char small[16];
	ssize_t n = recv(s, small, sizeof(small), MSG_TRUNC);
	CHECK("MSG_TRUNC gives the whole length", n > (ssize_t)sizeof(small));
	CHECK("the truncated message is gone", !pending(s));

	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 8, .ifa_index = 1 };
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE, &ifa, sizeof(ifa));
	talk(s, &r, "RTM_NEWADDR without IFA_LOCAL");
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE, &ifa, sizeof(ifa));
	req_attr(&r, IFA_LOCAL, "\x0a\x01", 2);
	talk(s, &r, "RTM_NEWADDR with a 2-byte IFA_LOCAL");
	ifa.ifa_prefixlen = 33;
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE, &ifa, sizeof(ifa));
	req_addr(&r, IFA_LOCAL, "10.1.1.1");
	talk(s, &r, "RTM_NEWADDR /33");
	ifa.ifa_prefixlen = 24;
	ifa.ifa_index = 99;
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE, &ifa, sizeof(ifa));
	req_addr(&r, IFA_LOCAL, "10.1.1.1");
	talk(s, &r, "RTM_NEWADDR on index 99");
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_BOOT, .rtm_type = RTN_UNICAST, .rtm_tos = 1 };
	req_init(&r, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE, &rtm, sizeof(rtm));
	req_addr(&r, RTA_DST, "10.9.0.0");
	talk(s, &r, "RTM_NEWROUTE with ECN bits in the TOS");

	/* the error quotes the request unless NETLINK_CAP_ACK */
	int v = 1;
	setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &v, sizeof(v));
	ifa = (struct ifaddrmsg){ .ifa_family = AF_INET, .ifa_prefixlen = 8, .ifa_index = 1 };
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE, &ifa, sizeof(ifa));
	talk(s, &r, "RTM_NEWADDR without IFA_LOCAL, NETLINK_CAP_ACK");
	v = 0;
	setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &v, sizeof(v));
}

static void strict_dumps(int s)
{
	int v = 1;
	CHECK_OK("NETLINK_GET_STRICT_CHK on", setsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, sizeof(v)));
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1 };
	dump(s, RTM_GETLINK, &ifi, sizeof(ifi), "strict link dump by index");
	struct rtgenmsg g = { .rtgen_family = AF_INET };
	dump(s, RTM_GETADDR, &g, sizeof(g), "strict address dump, short header");
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_index = 1 };
	dump(s, RTM_GETADDR, &ifa, sizeof(ifa), "strict address dump of lo");
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_LOCAL };
	dump(s, RTM_GETROUTE, &rtm, sizeof(rtm), "strict route dump of table local");
	rtm.rtm_dst_len = 8;
	dump(s, RTM_GETROUTE, &rtm, sizeof(rtm), "strict route dump with dst_len");
	struct ndmsg nd = { .ndm_family = AF_INET, .ndm_ifindex = 1 };
	dump(s, RTM_GETNEIGH, &nd, sizeof(nd), "strict neighbour dump with ifindex");
	v = 0;
	setsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, sizeof(v));
	struct rtgenmsg all = { .rtgen_family = AF_UNSPEC };
	dump(s, RTM_GETADDR, &all, sizeof(all), "lenient AF_UNSPEC address dump (busybox ip)");
}

static void configure(int s)
{
	struct req r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	req_init(&r, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	talk(s, &r, "ip link set lo up");
	ifi = (struct ifinfomsg){ .ifi_family = AF_UNSPEC };
	req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_IFNAME, "lo", 3);
	talk(s, &r, "ip link show lo");
	ifi.ifi_index = 1;
	unsigned mtu = 20000;
	req_init(&r, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_MTU, &mtu, 4);
	talk(s, &r, "ip link set lo mtu 20000");
	req_init(&r, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	talk(s, &r, "ip link add lo (exists)");
	req_init(&r, RTM_DELLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	talk(s, &r, "ip link del lo");

	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 1 };
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	req_addr(&r, IFA_LOCAL, "10.11.12.13");
	req_addr(&r, IFA_ADDRESS, "10.11.12.13");
	req_addr(&r, IFA_BROADCAST, "10.11.12.255");
	talk(s, &r, "ip addr add 10.11.12.13/24 brd + dev lo");
	talk(s, &r, "the same again");
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	req_addr(&r, IFA_LOCAL, "10.11.12.14");
	req_attr(&r, IFA_LABEL, "lo:1", 5);
	talk(s, &r, "ip addr add 10.11.12.14/24 label lo:1 (secondary)");
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	req_addr(&r, IFA_LOCAL, "10.11.13.1");
	req_attr(&r, IFA_LABEL, "eth0", 5);
	talk(s, &r, "a label of another device");
	struct ifa_cacheinfo ci = { .ifa_prefered = 50, .ifa_valid = 10 };
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	req_addr(&r, IFA_LOCAL, "10.11.14.1");
	req_attr(&r, IFA_CACHEINFO, &ci, sizeof(ci));
	talk(s, &r, "preferred lifetime over valid");
	req_init(&r, RTM_DELADDR, NLM_F_ACK, &ifa, sizeof(ifa));
	req_addr(&r, IFA_LOCAL, "10.99.99.99");
	talk(s, &r, "ip addr del 10.99.99.99/24 dev lo");

	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 16, .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_BOOT, .rtm_type = RTN_UNICAST };
	req_init(&r, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	req_addr(&r, RTA_DST, "10.20.0.0");
	req_addr(&r, RTA_GATEWAY, "10.11.12.1");
	talk(s, &r, "ip route add 10.20.0.0/16 via 10.11.12.1");
	talk(s, &r, "the same again");
	req_init(&r, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	req_addr(&r, RTA_DST, "10.21.0.0");
	req_addr(&r, RTA_GATEWAY, "1.2.3.4");
	talk(s, &r, "a gateway on no connected network");
	req_init(&r, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	req_addr(&r, RTA_DST, "10.22.1.0");
	talk(s, &r, "a destination with host bits");
	unsigned prio = 7;
	req_init(&r, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	req_addr(&r, RTA_DST, "10.23.0.0");
	req_attr(&r, RTA_OIF, &(unsigned){ 1 }, 4);
	req_attr(&r, RTA_PRIORITY, &prio, 4);
	talk(s, &r, "ip route add 10.23.0.0/16 dev lo metric 7");
	rtm.rtm_dst_len = 0;
	req_init(&r, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	req_addr(&r, RTA_GATEWAY, "10.11.12.2");
	talk(s, &r, "ip route add default via 10.11.12.2");
	struct rtmsg del = { .rtm_family = AF_INET, .rtm_dst_len = 16, .rtm_table = RT_TABLE_MAIN,
			     .rtm_scope = RT_SCOPE_NOWHERE };
	req_init(&r, RTM_DELROUTE, NLM_F_ACK, &del, sizeof(del));
	req_addr(&r, RTA_DST, "10.24.0.0");
	talk(s, &r, "ip route del 10.24.0.0/16 (none)");

	struct rtmsg get = { .rtm_family = AF_INET, .rtm_dst_len = 32 };
	req_init(&r, RTM_GETROUTE, 0, &get, sizeof(get));
	req_addr(&r, RTA_DST, "10.20.3.4");
	talk(s, &r, "ip route get 10.20.3.4");
	req_init(&r, RTM_GETROUTE, 0, &get, sizeof(get));
	req_addr(&r, RTA_DST, "10.23.3.4");
	talk(s, &r, "ip route get 10.23.3.4");
	get.rtm_flags = RTM_F_FIB_MATCH;
	req_init(&r, RTM_GETROUTE, 0, &get, sizeof(get));
	req_addr(&r, RTA_DST, "10.20.3.4");
	talk(s, &r, "ip route get fibmatch 10.20.3.4");

	struct ndmsg nd = { .ndm_family = AF_INET, .ndm_ifindex = 1 };
	req_init(&r, RTM_DELNEIGH, NLM_F_ACK, &nd, sizeof(nd));
	req_addr(&r, NDA_DST, "10.11.12.99");
	talk(s, &r, "ip neigh del 10.11.12.99 dev lo (none)");
	req_init(&r, RTM_DELNEIGH, NLM_F_ACK, &nd, sizeof(nd));
	talk(s, &r, "ip neigh del without an address");
	req_init(&r, RTM_GETNEIGH, 0, &nd, sizeof(nd));
	req_addr(&r, NDA_DST, "10.11.12.99");
	talk(s, &r, "ip neigh get 10.11.12.99 dev lo (none)");
}

static void monitor(int s)
{
	int mon = nl_open(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE);
	struct req r;
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 1 };
	req_init(&r, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	req_addr(&r, IFA_LOCAL, "10.30.0.1");
	talk(s, &r, "ip addr add 10.30.0.1/24 dev lo");
	printf("monitor heard:\n");
	/* Linux announces the address, then its routes, in this order */
	while (pending(mon)) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(mon, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			printf("  group %#x type %u:", from.nl_groups, h->nlmsg_type);
			show(h);
		}
	}
	close(mon);
}

static void unprivileged(void)
{
	pid_t p = fork();
	if (p == 0) {
		if (setuid(65534))
			_exit(2);
		int s = nl_open(0);
		struct req r;
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1 };
		req_init(&r, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
		talk(s, &r, "nobody: ip link set lo");
		req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
		talk(s, &r, "nobody: ip link show lo");
		struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = 1 };
		printf("nobody: send to socket 1: %s\n", sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) < 0 ?
		       strerror(errno) : "sent");
		printf("nobody: connect to socket 1: %s\n", connect(s, (struct sockaddr *)&to, sizeof(to)) ?
		       strerror(errno) : "connected");
		to = (struct sockaddr_nl){ .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
		printf("nobody: send to a group: %s\n", sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) < 0 ?
		       strerror(errno) : "sent");
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	CHECK("unprivileged child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
	sockets();
	int s = nl_open(0);
	dump_all(s, "at start");
	bad_messages(s);
	configure(s);
	dump_all(s, "after configuring");
	strict_dumps(s);
	int v = 1;
	setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof(v));
	struct req r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1 };
	unsigned mtu = 10;
	req_init(&r, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_MTU, &mtu, 4);
	/* lo's minimum is 0 on Linux: any MTU is taken, and below 68 IPv4 leaves */
	talk(s, &r, "ip link set lo mtu 10 (extended ack on)");
	mtu = 65536;
	req_init(&r, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_MTU, &mtu, 4);
	talk(s, &r, "ip link set lo mtu 65536");
	dump_all(s, "after mtu 10");
	monitor(s);
	unprivileged();
	close(s);
	return t_failures ? 1 : 0;
}
