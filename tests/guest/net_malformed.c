/* Malformed datagrams injected on lo through raw sockets (IP_HDRINCL
 * for the IP header, raw UDP/ICMP sockets for the layers above): each
 * must be dropped and counted where Linux counts it, answered with the
 * ICMP message Linux sends (if any), and leave the stack working. The
 * program prints which counters moved for each case. */
#include "net.h"

static const struct { const char *t, *n; } ctr[] = {
	{ "Ip", "InReceives" }, { "Ip", "InHdrErrors" }, { "Ip", "InAddrErrors" }, { "Ip", "InUnknownProtos" },
	{ "Ip", "InDiscards" }, { "Ip", "InDelivers" }, { "Ip", "ReasmFails" }, { "IpExt", "InTruncatedPkts" },
	{ "IpExt", "InCsumErrors" },
	{ "Icmp", "InMsgs" }, { "Icmp", "InErrors" }, { "Icmp", "InCsumErrors" }, { "Icmp", "OutMsgs" },
	{ "Icmp", "InDestUnreachs" }, { "Icmp", "OutDestUnreachs" }, { "Icmp", "OutParmProbs" },
	{ "Udp", "InDatagrams" }, { "Udp", "NoPorts" }, { "Udp", "InErrors" }, { "Udp", "InCsumErrors" },
};
#define NCTR (sizeof(ctr) / sizeof(ctr[0]))
static long long before[NCTR];

static void snap(void)
{
	for (unsigned i = 0; i < NCTR; i++)
		before[i] = t_counter(ctr[i].t, ctr[i].n);
}

static void moved(const char *what)
{
	printf("%s:", what);
	for (unsigned i = 0; i < NCTR; i++) {
		long long d = t_counter(ctr[i].t, ctr[i].n) - before[i];
		if (d)
			printf(" %s%s%+lld", ctr[i].t, ctr[i].n, d);
	}
	printf("\n");
}

static int hdr, icmp_raw, udp_raw, icmp_watch;
static struct sockaddr_in lo_addr;

/* An IP header for IP_HDRINCL: ihl words, protocol, to/from 127.0.0.1. */
static size_t ip(uint8_t *p, int version, int ihl, int proto, size_t payload)
{
	struct iphdr *h = (struct iphdr *)p;
	memset(p, 0, (size_t)(ihl > 5 ? ihl : 5) * 4);
	h->version = (unsigned)version;
	h->ihl = (unsigned)ihl;
	h->ttl = 64;
	h->protocol = (uint8_t)proto;
	h->saddr = h->daddr = htonl(INADDR_LOOPBACK);
	h->tot_len = htons((uint16_t)(ihl * 4 + payload));
	h->check = t_csum(p, (size_t)ihl * 4);
	return (size_t)ihl * 4 + payload;
}

static void send_hdr(const char *what, const uint8_t *p, size_t n)
{
	snap();
	if (sendto(hdr, p, n, 0, (struct sockaddr *)&lo_addr, sizeof(lo_addr)) != (ssize_t)n)
		printf("%s: send: %s\n", what, strerror(errno));
	moved(what);
}

/* ICMP messages that came back (type/code), then drained. */
static void icmp_seen(const char *what)
{
	uint8_t b[2000];
	printf("%s: ICMP back:", what);
	ssize_t n;
	while ((n = recv(icmp_watch, b, sizeof(b), MSG_DONTWAIT)) > 0) {
		struct iphdr *h = (struct iphdr *)b;
		if (n >= h->ihl * 4 + 2)
			printf(" %d/%d", b[h->ihl * 4], b[h->ihl * 4 + 1]);
	}
	printf("\n");
}

static void ip_headers(void)
{
	uint8_t p[128];
	size_t n = ip(p, 6, 5, 253, 4);
	send_hdr("version 6", p, n);
	n = ip(p, 4, 4, 253, 8);
	send_hdr("header length 4", p, n);
	n = ip(p, 4, 0, 253, 24);
	send_hdr("header length 0", p, n);
	/* options: a record-route option that runs past the header */
	n = ip(p, 4, 6, 253, 4);
	p[20] = 7;	/* IPOPT_RR */
	p[21] = 9;	/* longer than the 4 option bytes */
	p[22] = 4;
	p[23] = 0;
	send_hdr("option longer than the header", p, n);
	icmp_seen("option longer than the header");
	n = ip(p, 4, 6, 253, 4);
	p[20] = 68;	/* IPOPT_TS */
	p[21] = 1;	/* shorter than any option */
	send_hdr("option length 1", p, n);
	icmp_seen("option length 1");
	n = ip(p, 4, 6, 253, 4);
	p[20] = 1;	/* NOPs and an END are fine */
	p[21] = 1;
	p[22] = 0;
	int r = socket(AF_INET, SOCK_RAW, 253);
	send_hdr("NOP NOP END options", p, n);
	char b[128];
	CHECK("delivered with its options", recv(r, b, sizeof(b), MSG_DONTWAIT) == 28 && (b[0] & 15) == 6);
	close(r);
	n = ip(p, 4, 5, 0, 8);
	send_hdr("protocol 0, nobody's", p, n);
	icmp_seen("protocol 0, nobody's");
	n = ip(p, 4, 5, 253, 4);
	((struct iphdr *)p)->ttl = 0;
	r = socket(AF_INET, SOCK_RAW, 253);
	send_hdr("TTL 0 for us", p, n);
	CHECK("TTL 0 is delivered locally", recv(r, b, sizeof(b), MSG_DONTWAIT) == 24);
	close(r);
	n = ip(p, 4, 5, 253, 4);
	inet_pton(AF_INET, "224.0.0.1", &((struct iphdr *)p)->saddr);
	send_hdr("multicast source", p, n);
}

static void udp_layer(void)
{
	struct sockaddr_in ra;
	int r = t_udp_bound(&ra);
	uint8_t p[64];
	struct udphdr *u = (struct udphdr *)p;
	memset(p, 0, sizeof(p));
	u->source = htons(7777);
	u->dest = ra.sin_port;
	u->len = htons(12);
	memcpy(p + 8, "data", 4);
	u->check = htons(0x1234);	/* wrong */
	snap();
	sendto(udp_raw, p, 12, 0, (struct sockaddr *)&ra, sizeof(ra));
	moved("UDP bad checksum");
	u->check = 0;	/* none: accepted */
	snap();
	sendto(udp_raw, p, 12, 0, (struct sockaddr *)&ra, sizeof(ra));
	char b[64];
	CHECK("UDP without checksum is accepted", recv(r, b, sizeof(b), MSG_DONTWAIT) == 4);
	moved("UDP checksum 0");
	u->len = htons(40);
	snap();
	sendto(udp_raw, p, 12, 0, (struct sockaddr *)&ra, sizeof(ra));
	moved("UDP length past the datagram");
	u->len = htons(5);
	snap();
	sendto(udp_raw, p, 12, 0, (struct sockaddr *)&ra, sizeof(ra));
	moved("UDP length 5");
	snap();
	sendto(udp_raw, p, 6, 0, (struct sockaddr *)&ra, sizeof(ra));
	moved("UDP shorter than its header");
	u->len = htons(8);	/* length 8 with 4 more bytes: trailing padding is trimmed */
	snap();
	sendto(udp_raw, p, 12, 0, (struct sockaddr *)&ra, sizeof(ra));
	CHECK("UDP length 8 of 12 bytes: an empty datagram", recv(r, b, sizeof(b), MSG_DONTWAIT) == 0);
	moved("UDP length shorter than the datagram");
	CHECK("nothing else arrived", recv(r, b, sizeof(b), MSG_DONTWAIT) == -1);
	close(r);
}

static void icmp_layer(void)
{
	uint8_t p[128];
	memset(p, 0, sizeof(p));
	p[0] = ICMP_ECHO;
	*(uint16_t *)(p + 2) = htons(0xbeef);	/* wrong checksum */
	snap();
	sendto(icmp_raw, p, 16, 0, (struct sockaddr *)&lo_addr, sizeof(lo_addr));
	moved("ICMP bad checksum");
	snap();
	sendto(icmp_raw, p, 4, 0, (struct sockaddr *)&lo_addr, sizeof(lo_addr));
	moved("ICMP of 4 bytes");
	memset(p, 0, sizeof(p));
	p[0] = 200;	/* no such type */
	*(uint16_t *)(p + 2) = t_csum(p, 8);
	snap();
	sendto(icmp_raw, p, 8, 0, (struct sockaddr *)&lo_addr, sizeof(lo_addr));
	moved("ICMP type 200");
	/* destination unreachable quoting garbage */
	memset(p, 0, sizeof(p));
	p[0] = ICMP_DEST_UNREACH;
	p[1] = ICMP_PORT_UNREACH;
	*(uint16_t *)(p + 2) = t_csum(p, 8);
	snap();
	sendto(icmp_raw, p, 8, 0, (struct sockaddr *)&lo_addr, sizeof(lo_addr));
	moved("unreachable quoting nothing");
	memset(p + 8, 0, 20);
	p[8] = 0x43;	/* IPv4, header length 3 */
	*(uint16_t *)(p + 2) = 0;
	*(uint16_t *)(p + 2) = t_csum(p, 28);
	snap();
	sendto(icmp_raw, p, 28, 0, (struct sockaddr *)&lo_addr, sizeof(lo_addr));
	moved("unreachable quoting header length 3");
	/* a quoted UDP datagram nobody sent */
	size_t qn = ip(p + 8, 4, 5, IPPROTO_UDP, 8);
	struct udphdr *qu = (struct udphdr *)(p + 28);
	qu->source = htons(1);
	qu->dest = htons(2);
	qu->len = htons(8);
	*(uint16_t *)(p + 2) = 0;
	*(uint16_t *)(p + 2) = t_csum(p, 8 + qn);
	snap();
	sendto(icmp_raw, p, 8 + qn, 0, (struct sockaddr *)&lo_addr, sizeof(lo_addr));
	moved("unreachable for a UDP datagram of no socket");
	/* quoting a header longer than what is quoted */
	ip(p + 8, 4, 15, IPPROTO_UDP, 0);
	*(uint16_t *)(p + 2) = 0;
	*(uint16_t *)(p + 2) = t_csum(p, 8 + 30);
	snap();
	sendto(icmp_raw, p, 8 + 30, 0, (struct sockaddr *)&lo_addr, sizeof(lo_addr));
	moved("unreachable quoting a cut header");
	/* errors about errors are not answered: time exceeded to a closed port
	 * is already an error; an echo is answered */
	icmp_seen("before the echo");
}

static void still_working(void)
{
	struct sockaddr_in ra;
	int r = t_udp_bound(&ra);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char b[8];
	CHECK("after all that, UDP on lo still works", sendto(s, "ok", 2, 0, (struct sockaddr *)&ra, sizeof(ra)) == 2 &&
	      recv(r, b, sizeof(b), 0) == 2);
	close(s);
	close(r);
}

int main(void)
{
	t_lo_up();
	lo_addr = t_sin("127.0.0.1", 0);
	hdr = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	icmp_raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	udp_raw = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	icmp_watch = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (hdr < 0 || icmp_raw < 0 || udp_raw < 0 || icmp_watch < 0)
		DIE("raw sockets");
	/* the watcher sees only errors */
	uint32_t filter = ~((1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED) | (1u << ICMP_PARAMETERPROB));
	setsockopt(icmp_watch, SOL_RAW, 1, &filter, sizeof(filter));
	ip_headers();
	udp_layer();
	icmp_layer();
	still_working();
	return t_done();
}
