/* pktgen: frames for the capture test (tests/bats/packet-capture.bats),
 * run natively in a private network namespace and inside guests. It
 * needs no IPv4: lo is brought up with SIOCSIFFLAGS on a packet socket
 * and the frames are written raw on lo.
 *
 *   pktgen up      lo up
 *   pktgen send    five frames on lo: EtherType 0x88b5, an ARP request,
 *                  0x88b5 in an 802.1Q tag (VLAN 5, priority 1), an IPv4
 *                  UDP datagram, and EtherType 0x88b6 (which the test's
 *                  filter leaves out) */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static const uint8_t dst[6] = { 0, 0, 0, 0, 0, 0 }, src[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 },
	bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static size_t header(uint8_t *f, const uint8_t *to, uint16_t type)
{
	memcpy(f, to, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int send_frame(int s, int lo, const uint8_t *f, size_t len)
{
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_ifindex = lo };
	if (sendto(s, f, len, 0, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)len) {
		fprintf(stderr, "pktgen: send: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int send_all(int s, int lo)
{
	uint8_t f[128];
	int err = 0;
	/* 1: EtherType 0x88b5, 60 bytes */
	size_t n = header(f, dst, 0x88b5);
	for (; n < 60; n++)
		f[n] = (uint8_t)n;
	err |= send_frame(s, lo, f, 60);
	/* 2: ARP who-has 10.0.0.2 tell 10.0.0.1 */
	memset(f, 0, sizeof(f));
	n = header(f, bcast, ETH_P_ARP);
	static const uint8_t arp[] = { 0, 1, 8, 0, 6, 4, 0, 1, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, 10, 0, 0, 1,
				       0, 0, 0, 0, 0, 0, 10, 0, 0, 2 };
	memcpy(f + n, arp, sizeof(arp));
	err |= send_frame(s, lo, f, 60);
	/* 3: 0x88b5 tagged with VLAN 5, priority 1 */
	memset(f, 0, sizeof(f));
	n = header(f, dst, ETH_P_8021Q);
	f[n++] = 0x20;
	f[n++] = 0x05;
	f[n++] = 0x88;
	f[n++] = 0xb5;
	for (; n < 64; n++)
		f[n] = (uint8_t)n;
	err |= send_frame(s, lo, f, 64);
	/* 4: UDP 10.0.0.1:1234 > 10.0.0.2:5678, 8 bytes of data */
	memset(f, 0, sizeof(f));
	n = header(f, dst, ETH_P_IP);
	uint8_t *ip = f + n;
	static const uint8_t iph[] = { 0x45, 0, 0, 36, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
	memcpy(ip, iph, sizeof(iph));
	uint16_t c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	static const uint8_t udp[] = { 0x04, 0xd2, 0x16, 0x2e, 0, 16, 0, 0, 'p', 'k', 't', 'g', 'e', 'n', '!', '\n' };
	memcpy(ip + 20, udp, sizeof(udp));
	err |= send_frame(s, lo, f, n + 36);
	/* 5: EtherType 0x88b6: not for the capture */
	n = header(f, dst, 0x88b6);
	err |= send_frame(s, lo, f, 60);
	return err;
}

int main(int argc, char **argv)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	int lo = (int)if_nametoindex("lo");
	if (s < 0 || !lo || argc != 2) {
		fprintf(stderr, "usage: pktgen up|send (as root): %s\n", strerror(errno));
		return 2;
	}
	if (!strcmp(argv[1], "up")) {
		struct ifreq r;
		memset(&r, 0, sizeof(r));
		strcpy(r.ifr_name, "lo");
		if (ioctl(s, SIOCGIFFLAGS, &r) || (r.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &r))) {
			fprintf(stderr, "pktgen: lo up: %s\n", strerror(errno));
			return 1;
		}
		return 0;
	}
	return send_all(s, lo);
}
