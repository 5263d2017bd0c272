/* Raw IP sockets and ICMP echo ("ping") sockets on lo: who may open
 * them, what they receive (IP header included, ICMP_FILTER, protocol
 * unreachable when nobody takes a protocol), IP_HDRINCL (the kernel fills
 * length, checksum and a zero source), echo replies and their source
 * address, and ping sockets' identifiers, checks and group range. */
#include "net.h"

#define ICMP_FILTER 1
struct icmp_filter_ { uint32_t data; };

/* An echo request with id and seq, data "umk-ping". */
static size_t echo(uint8_t *buf, int type, uint16_t id, uint16_t seq)
{
	struct icmphdr *h = (struct icmphdr *)buf;
	memset(h, 0, sizeof(*h));
	h->type = (uint8_t)type;
	h->un.echo.id = htons(id);
	h->un.echo.sequence = htons(seq);
	memcpy(buf + 8, "umk-ping", 8);
	h->checksum = t_csum(buf, 16);
	return 16;
}

/* The next ICMP message of type with our id on a raw socket (other
 * traffic skipped); its IP header in *ip. -1 if none within a second. */
static int next_icmp(int s, int type, uint16_t id, struct iphdr *ip, uint8_t *icmp)
{
	uint8_t buf[1500];
	while (t_readable(s, 1000)) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		if (n < 28)
			continue;
		struct iphdr *h = (struct iphdr *)buf;
		struct icmphdr *ic = (struct icmphdr *)(buf + h->ihl * 4);
		if (ic->type != type || (id && ic->un.echo.id != htons(id)))
			continue;
		*ip = *h;
		memcpy(icmp, ic, 16);
		return (int)(n - h->ihl * 4);
	}
	return -1;
}

static void raw_icmp(void)
{
	int s;
	CHECK_OK("raw ICMP socket as root", s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	CHECK("getsockname: the port is the protocol", !getsockname(s, (struct sockaddr *)&a, &l) &&
	      ntohs(a.sin_port) == IPPROTO_ICMP && !a.sin_addr.s_addr);
	int v;
	l = sizeof(v);
	CHECK("SO_PROTOCOL icmp", !getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l) && v == IPPROTO_ICMP);
	l = sizeof(v);
	CHECK("IP_HDRINCL off", !getsockopt(s, SOL_IP, IP_HDRINCL, &v, &l) && v == 0);
	uint8_t pkt[64], got[16];
	struct sockaddr_in d = t_sin("127.0.0.1", 0);
	size_t n = echo(pkt, ICMP_ECHO, 0x5151, 1);
	long long ins = t_counter("Icmp", "InEchos"), outs = t_counter("Icmp", "OutEchoReps");
	CHECK("send echo request", sendto(s, pkt, n, 0, (struct sockaddr *)&d, sizeof(d)) == (ssize_t)n);
	struct iphdr ip;
	CHECK("the raw socket sees its own request", next_icmp(s, ICMP_ECHO, 0x5151, &ip, got) == 16);
	CHECK("and the reply", next_icmp(s, ICMP_ECHOREPLY, 0x5151, &ip, got) == 16 && !memcmp(got + 8, "umk-ping", 8));
	CHECK("reply header: v4, ihl 5, ICMP, TTL 64", ip.version == 4 && ip.ihl == 5 && ip.protocol == IPPROTO_ICMP &&
	      ip.ttl == 64);
	CHECK("reply from and to 127.0.0.1", ip.saddr == htonl(INADDR_LOOPBACK) && ip.daddr == htonl(INADDR_LOOPBACK));
	CHECK("reply checksum", t_csum(got, 16) == 0);
	CHECK("counters: one echo in, one reply out", t_counter("Icmp", "InEchos") == ins + 1 &&
	      t_counter("Icmp", "OutEchoReps") == outs + 1);
	/* an echo to another local address is answered from that address */
	d = t_sin("127.0.0.9", 0);
	sendto(s, pkt, n, 0, (struct sockaddr *)&d, sizeof(d));
	CHECK("reply from 127.0.0.9", next_icmp(s, ICMP_ECHOREPLY, 0x5151, &ip, got) == 16 && ip.saddr == d.sin_addr.s_addr);
	/* ICMP_FILTER: requests no more */
	struct icmp_filter_ f = { 1u << ICMP_ECHO };
	CHECK_OK("ICMP_FILTER", setsockopt(s, SOL_RAW, ICMP_FILTER, &f, sizeof(f)));
	d = t_sin("127.0.0.1", 0);
	sendto(s, pkt, n, 0, (struct sockaddr *)&d, sizeof(d));
	uint8_t buf[256];
	ssize_t r = recv(s, buf, sizeof(buf), 0);
	CHECK("filtered: the first thing seen is the reply", r == 36 && buf[20] == ICMP_ECHOREPLY);
	close(s);
	CHECK_ERR("ICMP_FILTER on a raw UDP socket",
		  ({ int u = socket(AF_INET, SOCK_RAW, IPPROTO_UDP); int e = setsockopt(u, SOL_RAW, ICMP_FILTER, &f, sizeof(f)); int k = errno; close(u); errno = k; e; }),
		  EOPNOTSUPP);
}

static void raw_protocols(void)
{
	/* a protocol nobody handles: ICMP protocol unreachable */
	int ic = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	int s = socket(AF_INET, SOCK_RAW, 254);
	struct sockaddr_in d = t_sin("127.0.0.1", 0);
	long long unk = t_counter("Ip", "InUnknownProtos");
	CHECK("send protocol 254", sendto(s, "raw254", 6, 0, (struct sockaddr *)&d, sizeof(d)) == 6);
	char buf[128];
	ssize_t n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
	CHECK("a raw 254 socket receives it, header first", n == 26 && buf[9] == (char)254 && !memcmp(buf + 20, "raw254", 6));
	CHECK("taken by the raw socket: no unknown protocol", t_counter("Ip", "InUnknownProtos") == unk);
	close(s);
	s = socket(AF_INET, SOCK_RAW, 253);
	close(socket(AF_INET, SOCK_RAW, 252));
	int u = socket(AF_INET, SOCK_RAW, 252);
	close(u);
	int r = socket(AF_INET, SOCK_RAW, 253);
	shutdown(r, SHUT_RD);
	close(r);
	/* 252: nobody listens now */
	int x = socket(AF_INET, SOCK_RAW, 252);
	struct sockaddr un = { .sa_family = AF_UNSPEC };
	connect(x, &un, sizeof(un));	/* disconnect unhashes a raw socket, as Linux */
	CHECK("sent to protocol 252", sendto(x, "nobody", 6, 0, (struct sockaddr *)&d, sizeof(d)) == 6);
	CHECK("now unknown", t_counter("Ip", "InUnknownProtos") == unk + 1);
	struct iphdr ip;
	uint8_t got[16];
	CHECK("ICMP protocol unreachable comes back", next_icmp(ic, ICMP_DEST_UNREACH, 0, &ip, got) > 0 &&
	      got[1] == ICMP_PROT_UNREACH);
	close(x);
	close(s);

	/* IP_HDRINCL: our header, the kernel fills length, checksum, source */
	struct sockaddr_in ua;
	int us = t_udp_bound(&ua);
	int h = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	int v;
	socklen_t l = sizeof(v);
	CHECK("IPPROTO_RAW implies IP_HDRINCL", !getsockopt(h, SOL_IP, IP_HDRINCL, &v, &l) && v == 1);
	uint8_t pkt[64];
	memset(pkt, 0, sizeof(pkt));
	struct iphdr *iph = (struct iphdr *)pkt;
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 9;
	iph->protocol = IPPROTO_UDP;
	iph->daddr = htonl(INADDR_LOOPBACK);
	struct udphdr *uh = (struct udphdr *)(pkt + 20);
	uh->source = htons(4444);
	uh->dest = ua.sin_port;
	uh->len = htons(8 + 5);
	memcpy(pkt + 28, "hdrin", 5);
	CHECK("send a UDP datagram through IP_HDRINCL", sendto(h, pkt, 33, 0, (struct sockaddr *)&d, sizeof(d)) == 33);
	struct sockaddr_in from;
	l = sizeof(from);
	n = recvfrom(us, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &l);
	CHECK("the UDP socket gets it", n == 5 && !memcmp(buf, "hdrin", 5));
	CHECK("from 127.0.0.1:4444 (source filled in)", from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
	      ntohs(from.sin_port) == 4444);
	CHECK_ERR("IP_HDRINCL shorter than a header", sendto(h, pkt, 19, 0, (struct sockaddr *)&d, sizeof(d)), EINVAL);
	iph->ihl = 15;
	CHECK_ERR("header length past the data", sendto(h, pkt, 33, 0, (struct sockaddr *)&d, sizeof(d)), EINVAL);
	close(h);
	close(us);
	CHECK_ERR("IP_HDRINCL on UDP", ({ int q = socket(AF_INET, SOCK_DGRAM, 0); int one = 1; int e = setsockopt(q, SOL_IP, IP_HDRINCL, &one, sizeof(one)); int k = errno; close(q); errno = k; e; }), ENOPROTOOPT);
	close(ic);
}

static int raw_and_ping_refused(void)
{
	errno = 0;
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	int e1 = errno;
	errno = 0;
	int q = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	int e2 = errno;
	return s == -1 && e1 == EPERM && q == -1 && e2 == EACCES ? 0 : 1;
}

static int write_file(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int r = fputs(v, f) < 0 ? -1 : 0;
	return fclose(f) ? -1 : r;
}

static void ping_sockets(void)
{
	char range[64] = "";
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
	CHECK("ping_group_range readable", f && fgets(range, sizeof(range), f));
	if (f)
		fclose(f);
	CHECK("ping_group_range default \"1 0\"", !strcmp(range, "1\t0\n"));
	CHECK_ERR("ping socket outside the range", socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), EACCES);
	CHECK_ERR("ping_group_range: negative", write_file("/proc/sys/net/ipv4/ping_group_range", "-1 5"), EINVAL);
	CHECK_OK("ping_group_range 0 0", write_file("/proc/sys/net/ipv4/ping_group_range", "0 0"));
	int s;
	CHECK_OK("ping socket for group 0", s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	struct sockaddr_in d = t_sin("127.0.0.1", 0), a;
	uint8_t pkt[64], buf[128];
	size_t n = echo(pkt, ICMP_ECHO, 0x7777, 42);
	CHECK_ERR("send too short", sendto(s, pkt, 7, 0, (struct sockaddr *)&d, sizeof(d)), EINVAL);
	echo(pkt, ICMP_ECHOREPLY, 1, 1);
	CHECK_ERR("send a non-echo", sendto(s, pkt, n, 0, (struct sockaddr *)&d, sizeof(d)), EINVAL);
	n = echo(pkt, ICMP_ECHO, 0x7777, 42);
	CHECK("send echo", sendto(s, pkt, n, 0, (struct sockaddr *)&d, sizeof(d)) == (ssize_t)n);
	socklen_t l = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &l);
	uint16_t id = ntohs(a.sin_port);
	CHECK("autobound identifier", id != 0);
	l = sizeof(a);
	ssize_t r = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&a, &l);
	struct icmphdr *h = (struct icmphdr *)buf;
	CHECK("reply: ICMP header and data", r == 16 && h->type == ICMP_ECHOREPLY && !memcmp(buf + 8, "umk-ping", 8));
	CHECK("reply carries the socket's id and our sequence", ntohs(h->un.echo.id) == id && ntohs(h->un.echo.sequence) == 42);
	CHECK("from 127.0.0.1, port 0", a.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && a.sin_port == 0);
	sendto(s, pkt, n, 0, (struct sockaddr *)&d, sizeof(d));
	CHECK("MSG_TRUNC does not give the full length", recv(s, buf, 4, MSG_TRUNC) == 4);
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	a = t_sin("127.0.0.1", 4321);
	CHECK_OK("bind identifier 4321", bind(s, (struct sockaddr *)&a, sizeof(a)));
	int s2 = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	int v = 0;
	socklen_t vl = sizeof(v);
	CHECK("ping sockets start with SO_REUSEADDR", !getsockopt(s2, SOL_SOCKET, SO_REUSEADDR, &v, &vl) && v == 1);
	CHECK_OK("so the same identifier twice", bind(s2, (struct sockaddr *)&a, sizeof(a)));
	close(s2);
	s2 = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	v = 0;
	setsockopt(s2, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
	CHECK_ERR("without SO_REUSEADDR: in use", bind(s2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	close(s2);
	connect(s, (struct sockaddr *)&d, sizeof(d));
	CHECK("send connected", send(s, pkt, n, 0) == (ssize_t)n);
	r = recv(s, buf, sizeof(buf), 0);
	CHECK("reply with id 4321", r == 16 && ntohs(h->un.echo.id) == 4321);
	close(s);
	/* a range with high < low means nobody */
	CHECK_OK("ping_group_range 5 2", write_file("/proc/sys/net/ipv4/ping_group_range", "5 2"));
	f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
	range[0] = 0;
	if (f) {
		if (!fgets(range, sizeof(range), f))
			range[0] = 0;
		fclose(f);
	}
	CHECK("reads back as 1 0", !strcmp(range, "1\t0\n"));
}

int main(void)
{
	t_lo_up();
	raw_icmp();
	raw_protocols();
	CHECK("as nobody: raw EPERM, ping EACCES", t_as_nobody(raw_and_ping_refused));
	ping_sockets();
	return t_done();
}
