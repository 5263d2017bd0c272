/* netprobe: link-layer probes for the network card tests, run inside a
 * guest (static, in build/test-rootfs/tests). It talks to a card through
 * an AF_PACKET socket and finds it through /sys/class/net, so it needs
 * neither IPv4 nor the interface ioctls.
 *
 *   netprobe send IF DSTMAC COUNT [SIZE [ETHERTYPE]]   COUNT frames; those the
 *                                           card drops (ENOBUFS) are counted
 *   netprobe recv IF COUNT MS [ETHERTYPE]   count frames for us (until COUNT
 *                                           or MS without one); "received=N";
 *                                           build/umk-switch-peer's hello
 *                                           frame is not counted
 *   netprobe count IF MS [ETHERTYPE]        count every frame of the type that
 *                                           comes in MS, whoever it is for
 *                                           (promiscuous ones too); "count=N"
 *   netprobe arp IF SRCIP DSTIP             ARP who-has, print the answer
 *   netprobe dhcp IF                        DHCPDISCOVER, print the offer
 *   netprobe udp IF SRCIP RTRIP DSTIP PORT TEXT   a UDP datagram through the
 *                                           router RTRIP; print the answer
 *
 * ETHERTYPE defaults to 0x88b5 (IEEE 802 local experimental). Exits 0 when
 * it got what it asked for. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *ifname;
static int ifindex;
static uint8_t mymac[6];

static void die(const char *what)
{
	fprintf(stderr, "netprobe: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void read_sys(const char *attr, char *buf, size_t len)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(buf, (int)len, f))
		die(path);
	fclose(f);
}

static int parse_mac(const char *s, uint8_t m[6])
{
	unsigned v[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_card(int proto)
{
	char buf[64];
	read_sys("ifindex", buf, sizeof(buf));
	ifindex = atoi(buf);
	read_sys("address", buf, sizeof(buf));
	if (parse_mac(buf, mymac))
		die("address");
	int fd = socket(AF_PACKET, SOCK_RAW, htons((uint16_t)proto));
	if (fd < 0)
		die("socket");
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons((uint16_t)proto), .sll_ifindex = ifindex };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind");
	return fd;
}

static void put_frame(int fd, const uint8_t *frame, size_t len)
{
	if (send(fd, frame, len, 0) != (ssize_t)len)
		die("send");
}

/* As put_frame, but a full card (ENOBUFS, as Linux says when its queue
 * drops) is counted, not fatal: 1 if the frame was dropped. */
static int put_frame_or_drop(int fd, const uint8_t *frame, size_t len)
{
	if (send(fd, frame, len, 0) == (ssize_t)len)
		return 0;
	if (errno != ENOBUFS)
		die("send");
	return 1;
}

static bool any_host;	/* get_frame: frames for other hosts count too */

/* One frame for us (unicast to our address, or broadcast) of type proto
 * within ms, into buf: its length, or 0 on timeout. */
static ssize_t get_frame(int fd, uint8_t *buf, size_t len, int ms, int proto)
{
	int64_t end = now_ms() + ms;
	for (;;) {
		int left = (int)(end - now_ms());
		if (left <= 0)
			return 0;
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, left) <= 0)
			continue;
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(fd, buf, len, 0, (struct sockaddr *)&from, &fl);
		if (r < 0)
			die("recv");
		if (r < 14 || from.sll_pkttype == PACKET_OUTGOING || (from.sll_pkttype == PACKET_OTHERHOST && !any_host))
			continue;
		if (((buf[12] << 8) | buf[13]) != proto)
			continue;
		return r;
	}
}

static int cmd_send(int argc, char **argv)
{
	uint8_t dst[6], f[65536];
	if (argc < 2 || parse_mac(argv[0], dst))
		return fprintf(stderr, "usage: send IF DSTMAC COUNT [SIZE [ETHERTYPE]]\n"), 2;
	long count = atol(argv[1]), size = argc > 2 ? atol(argv[2]) : 64;
	int type = argc > 3 ? (int)strtol(argv[3], NULL, 0) : 0x88b5;
	if (size < 14 || size > (long)sizeof(f))
		return fprintf(stderr, "netprobe: bad size\n"), 2;
	int fd = open_card(type);
	memcpy(f, dst, 6);
	memcpy(f + 6, mymac, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	long dropped = 0;
	for (long i = 0; i < count; i++) {
		memset(f + 14, (int)(i & 0xff), (size_t)size - 14);
		snprintf((char *)f + 14, (size_t)size - 14, "umk-probe %ld", i);
		dropped += put_frame_or_drop(fd, f, (size_t)size);
	}
	printf("sent=%ld dropped=%ld\n", count - dropped, dropped);
	return 0;
}

static int cmd_recv(int argc, char **argv)
{
	if (argc < 2)
		return fprintf(stderr, "usage: recv IF COUNT MS [ETHERTYPE]\n"), 2;
	long want = atol(argv[0]);
	int ms = atoi(argv[1]);
	int type = argc > 2 ? (int)strtol(argv[2], NULL, 0) : 0x88b5;
	int fd = open_card(type);
	printf("listening\n");
	fflush(stdout);
	static uint8_t buf[65536];
	long got = 0;
	ssize_t r;
	static const uint8_t hello[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	while (got < want && (r = get_frame(fd, buf, sizeof(buf), ms, type)) > 0)
		if (r < 22 || memcmp(buf + 14, hello, 8))
			got++;	/* not umk-switch-peer's hello (sequence -1) */
	printf("received=%ld\n", got);
	return got == want ? 0 : 1;
}

static int cmd_count(int argc, char **argv)
{
	if (argc < 1)
		return fprintf(stderr, "usage: count IF MS [ETHERTYPE]\n"), 2;
	int ms = atoi(argv[0]);
	int type = argc > 1 ? (int)strtol(argv[1], NULL, 0) : 0x88b5;
	int fd = open_card(type);
	printf("listening\n");
	any_host = true;
	static uint8_t buf[65536];
	long n = 0;
	int64_t end = now_ms() + ms;
	while (now_ms() < end)
		n += get_frame(fd, buf, sizeof(buf), (int)(end - now_ms()), type) > 0;
	printf("count=%ld\n", n);
	return 0;
}

/* ARP who-has dst from src (resent each second, 10 s): its MAC into mac. */
static int resolve(struct in_addr src, struct in_addr dst, uint8_t mac[6])
{
	int fd = open_card(ETH_P_ARP);
	uint8_t f[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	memcpy(f + 6, mymac, 6);
	const uint8_t hdr[] = { 0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1 };	/* request */
	memcpy(f + 12, hdr, sizeof(hdr));
	memcpy(f + 22, mymac, 6);
	memcpy(f + 28, &src, 4);
	memcpy(f + 38, &dst, 4);
	uint8_t buf[1600];
	for (int tries = 0; tries < 10; tries++) {
		put_frame(fd, f, sizeof(f));
		int64_t end = now_ms() + 1000;
		ssize_t r;
		while (now_ms() < end && (r = get_frame(fd, buf, sizeof(buf), (int)(end - now_ms()), ETH_P_ARP)) > 0) {
			if (r >= 42 && buf[21] == 2 && !memcmp(buf + 28, &dst, 4)) {
				memcpy(mac, buf + 22, 6);
				close(fd);
				return 0;
			}
		}
	}
	close(fd);
	return -1;
}

static int cmd_arp(int argc, char **argv)
{
	struct in_addr src, dst;
	uint8_t m[6];
	if (argc < 2 || inet_pton(AF_INET, argv[0], &src) != 1 || inet_pton(AF_INET, argv[1], &dst) != 1)
		return fprintf(stderr, "usage: arp IF SRCIP DSTIP\n"), 2;
	if (resolve(src, dst, m)) {
		printf("arp: no reply from %s\n", argv[1]);
		return 1;
	}
	printf("arp-reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x\n", argv[1], m[0], m[1], m[2], m[3], m[4], m[5]);
	return 0;
}

static uint16_t ip_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* IPv4 header (20 bytes, no options) at ip for a datagram of len bytes. */
static void ip_header(uint8_t *ip, struct in_addr src, struct in_addr dst, uint8_t proto, size_t len)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + len) >> 8);
	ip[3] = (uint8_t)(20 + len);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	uint16_t c = ip_csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* A DHCPDISCOVER in an Ethernet broadcast from 0.0.0.0:68 (RFC 2131). */
static size_t make_discover(uint8_t *f, uint32_t xid)
{
	memset(f, 0, 342);
	memset(f, 0xff, 6);
	memcpy(f + 6, mymac, 6);
	f[12] = 0x08;
	uint8_t *ip = f + 14, *udp = ip + 20, *d = udp + 8;
	d[0] = 1;	/* BOOTREQUEST */
	d[1] = 1;	/* Ethernet */
	d[2] = 6;
	memcpy(d + 4, &xid, 4);
	d[10] = 0x80;	/* broadcast flag: answer to ff:ff:... */
	memcpy(d + 28, mymac, 6);
	const uint8_t opts[] = { 99, 130, 83, 99, 53, 1, 1, 55, 3, 1, 3, 6, 255 };
	memcpy(d + 236, opts, sizeof(opts));
	size_t ulen = 8 + 300;
	udp[0] = 0; udp[1] = 68; udp[2] = 0; udp[3] = 67;
	udp[4] = (uint8_t)(ulen >> 8); udp[5] = (uint8_t)ulen;	/* checksum 0: none (IPv4) */
	struct in_addr any = { 0 }, all = { 0xffffffff };
	ip_header(ip, any, all, 17, ulen);
	return 14 + 20 + ulen;
}

static void print_addr(const char *name, const uint8_t *a)
{
	printf(" %s=%u.%u.%u.%u", name, a[0], a[1], a[2], a[3]);
}

static int cmd_dhcp(void)
{
	int fd = open_card(ETH_P_IP);
	uint8_t f[400], buf[1600];
	uint32_t xid = (uint32_t)getpid() * 2654435761u;
	size_t len = make_discover(f, xid);
	for (int tries = 0; tries < 5; tries++) {
		put_frame(fd, f, len);
		int64_t end = now_ms() + 2000;
		ssize_t r;
		while (now_ms() < end && (r = get_frame(fd, buf, sizeof(buf), (int)(end - now_ms()), ETH_P_IP)) > 0) {
			const uint8_t *ip = buf + 14, *udp = ip + (ip[0] & 15) * 4, *d = udp + 8;
			if (r < 14 + 20 + 8 + 240 || ip[9] != 17 || udp[2] != 0 || udp[3] != 68 || d[0] != 2 ||
			    memcmp(d + 4, &xid, 4))
				continue;
			printf("dhcp-offer");
			print_addr("yiaddr", d + 16);
			for (const uint8_t *o = d + 240; o < buf + r && *o != 255; o += *o ? 2 + o[1] : 1) {
				if (*o == 0)
					continue;
				if (*o == 53)
					printf(" type=%u", o[2]);
				if (*o == 54 && o[1] == 4)
					print_addr("server", o + 2);
				if (*o == 3 && o[1] >= 4)
					print_addr("router", o + 2);
				if (*o == 6 && o[1] >= 4)
					print_addr("dns", o + 2);
				if (*o == 1 && o[1] == 4)
					print_addr("mask", o + 2);
			}
			printf("\n");
			return 0;
		}
	}
	printf("dhcp: no offer\n");
	return 1;
}

/* A UDP datagram to DSTIP:PORT (through the router RTRIP's MAC) and the
 * first answer to its source port. */
static int cmd_udp(int argc, char **argv)
{
	struct in_addr src, dst, rtr;
	if (argc < 5 || inet_pton(AF_INET, argv[0], &src) != 1 || inet_pton(AF_INET, argv[1], &rtr) != 1 ||
	    inet_pton(AF_INET, argv[2], &dst) != 1)
		return fprintf(stderr, "usage: udp IF SRCIP RTRIP DSTIP PORT TEXT\n"), 2;
	uint8_t rmac[6], f[1600], buf[1600];
	if (resolve(src, rtr, rmac)) {
		printf("udp: no ARP reply from %s\n", argv[1]);
		return 1;
	}
	int fd = open_card(ETH_P_IP);
	uint16_t sport = (uint16_t)(40000 + getpid() % 10000), dport = (uint16_t)atoi(argv[3]);
	size_t tlen = strlen(argv[4]), ulen = 8 + tlen;
	memcpy(f, rmac, 6);
	memcpy(f + 6, mymac, 6);
	f[12] = 0x08;
	f[13] = 0;
	ip_header(f + 14, src, dst, 17, ulen);
	uint8_t *udp = f + 34;
	udp[0] = (uint8_t)(sport >> 8); udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8); udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)(ulen >> 8); udp[5] = (uint8_t)ulen;
	udp[6] = udp[7] = 0;	/* no checksum (IPv4 allows it) */
	memcpy(udp + 8, argv[4], tlen);
	for (int tries = 0; tries < 5; tries++) {
		put_frame(fd, f, 34 + ulen);
		int64_t end = now_ms() + 1000;
		ssize_t r;
		while (now_ms() < end && (r = get_frame(fd, buf, sizeof(buf), (int)(end - now_ms()), ETH_P_IP)) > 0) {
			const uint8_t *ip = buf + 14, *u = ip + (ip[0] & 15) * 4;
			if (r < 42 || ip[9] != 17 || ((u[2] << 8) | u[3]) != sport)
				continue;
			int plen = ((u[4] << 8) | u[5]) - 8;
			if (plen < 0 || u + 8 + plen > buf + r)
				continue;
			printf("udp-reply %.*s\n", plen, (const char *)u + 8);
			return 0;
		}
	}
	printf("udp: no answer\n");
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: netprobe send|recv|count|arp|dhcp|udp IF ...\n");
		return 2;
	}
	ifname = argv[2];
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 3, argv + 3);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 3, argv + 3);
	if (!strcmp(argv[1], "count"))
		return cmd_count(argc - 3, argv + 3);
	if (!strcmp(argv[1], "arp"))
		return cmd_arp(argc - 3, argv + 3);
	if (!strcmp(argv[1], "udp"))
		return cmd_udp(argc - 3, argv + 3);
	if (!strcmp(argv[1], "dhcp"))
		return cmd_dhcp();
	fprintf(stderr, "netprobe: unknown command %s\n", argv[1]);
	return 2;
}
