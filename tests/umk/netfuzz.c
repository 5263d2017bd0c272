/* Runs as init under umk: a guest hammers the IPv4 stack on lo with
 * random datagrams through raw sockets (IP_HDRINCL headers with random
 * fields and lengths, raw UDP and ICMP with random contents, fragments)
 * and random socket options and calls on UDP, raw and ping sockets. The
 * kernel must survive, and lo must still carry a datagram afterwards;
 * init reports and powers off. The seed comes from the command line. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rng.h"

static void lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq r;
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	r.ifr_flags = IFF_UP | IFF_LOOPBACK;
	ioctl(s, SIOCSIFFLAGS, &r);	/* lo up: 127.0.0.1/8, as Linux */
	close(s);
}

static uint8_t pkt[70000];

/* A datagram for IP_HDRINCL: a plausible header with random fields. */
static size_t random_header(void)
{
	size_t len = 20 + next() % (next() % 4 ? 1500 : 66000);
	for (size_t i = 0; i < len; i++)
		pkt[i] = (uint8_t)next();
	struct iphdr *h = (struct iphdr *)pkt;
	if (next() % 8) {
		h->version = 4;
		h->ihl = 5 + (unsigned)(next() % 11);
	}
	if (next() % 2)
		h->protocol = (uint8_t[]){ IPPROTO_UDP, IPPROTO_ICMP, 253, 0, 2 }[next() % 5];
	if (next() % 2)
		h->daddr = htonl(next() % 4 ? INADDR_LOOPBACK : (0x7f000000u | (uint32_t)(next() & 0xffffff)));
	if (next() % 3 == 0)
		h->daddr = (uint32_t)next();	/* anywhere: multicast, broadcast, 0 */
	if (next() % 2)
		h->frag_off = htons((uint16_t)(next() % 2 ? (next() & 0x3fff) : 0x2000));
	return len < 65535 ? len : 65535;
}

static const int ip_opts[] = { IP_TTL, IP_TOS, IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IP_RECVOPTS, IP_RECVERR,
			       IP_MTU_DISCOVER, IP_MULTICAST_TTL, IP_MULTICAST_LOOP, IP_MULTICAST_IF,
			       IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_HDRINCL, IP_RECVORIGDSTADDR,
			       IP_RECVFRAGSIZE, IP_FREEBIND, IP_MULTICAST_ALL, IP_MTU };

int main(int argc, char **argv)
{
	rng = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	if (!rng)
		rng = 1;
	printf("netfuzz: seed %llu\n", (unsigned long long)rng);
	fflush(stdout);
	lo_up();
	int socks[8];
	socks[0] = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	socks[1] = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	socks[2] = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	socks[3] = socket(AF_INET, SOCK_RAW, 253);
	socks[4] = socket(AF_INET, SOCK_DGRAM, 0);
	socks[5] = socket(AF_INET, SOCK_DGRAM, 0);
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "w");
	if (f) {
		fputs("0 0", f);
		fclose(f);
	}
	socks[6] = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	socks[7] = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	lo.sin_port = htons(7000);
	bind(socks[4], (struct sockaddr *)&lo, sizeof(lo));
	static char buf[70000];
	long sent = 0;
	for (int i = 0; i < 20000; i++) {
		int s = socks[next() % 8];
		struct sockaddr_in to = lo;
		to.sin_port = htons((uint16_t)(7000 + next() % 3));
		if (next() % 5 == 0)
			to.sin_addr.s_addr = (uint32_t)next();
		switch (next() % 6) {
		case 0:
		case 1: {
			size_t n = s == socks[0] ? random_header() : (size_t)(next() % 3000);
			if (s != socks[0])
				for (size_t k = 0; k < n; k++)
					pkt[k] = (uint8_t)next();
			if (sendto(s, pkt, n, (int)(next() % 2 ? MSG_DONTWAIT : 0), (struct sockaddr *)&to, sizeof(to)) >= 0)
				sent++;
			break;
		}
		case 2: {
			int v = (int)(next() % 3 ? next() % 300 : next());
			int opt = ip_opts[next() % (sizeof(ip_opts) / sizeof(ip_opts[0]))];
			struct ip_mreqn m = { .imr_multiaddr.s_addr = htonl(0xe0000000u | (uint32_t)(next() & 0xfffffff)),
					      .imr_address.s_addr = htonl(INADDR_LOOPBACK) };
			if (opt == IP_ADD_MEMBERSHIP || opt == IP_DROP_MEMBERSHIP || opt == IP_MULTICAST_IF)
				setsockopt(s, SOL_IP, opt, &m, (socklen_t)(next() % 16));
			else if (next() % 2)
				setsockopt(s, SOL_IP, opt, &v, (socklen_t)(next() % 6));
			else {
				socklen_t l = (socklen_t)(next() % 8);
				getsockopt(s, SOL_IP, opt, &v, &l);
			}
			break;
		}
		case 3: {
			struct iovec iov = { buf, (size_t)(next() % sizeof(buf)) };
			char ctl[64];
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
					     .msg_controllen = next() % sizeof(ctl) };
			int fl = MSG_DONTWAIT | (int)((next() % 2 ? MSG_PEEK : 0) | (next() % 2 ? MSG_TRUNC : 0) |
						      (next() % 4 ? 0 : MSG_ERRQUEUE));
			recvmsg(s, &mh, fl);
			break;
		}
		case 4:
			if (next() % 2)
				connect(s, (struct sockaddr *)&to, sizeof(to));
			else {
				struct sockaddr un = { .sa_family = AF_UNSPEC };
				connect(s, &un, sizeof(un));
			}
			break;
		default: {
			int n;
			ioctl(s, next() % 2 ? FIONREAD : TIOCOUTQ, &n);
			break;
		}
		}
	}
	/* still working? */
	int r = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ra = lo;
	ra.sin_port = htons(7100);
	bind(r, (struct sockaddr *)&ra, sizeof(ra));
	sendto(c, "alive", 5, 0, (struct sockaddr *)&ra, sizeof(ra));
	char got[8];
	ssize_t n = recv(r, got, sizeof(got), MSG_DONTWAIT);
	printf("netfuzz: %ld sends accepted\n", sent);
	printf("netfuzz: lo %s\n", n == 5 && !memcmp(got, "alive", 5) ? "still works" : "BROKEN");
	printf("netfuzz: kernel alive\n");
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 0;
}
