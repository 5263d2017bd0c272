/* Runs as init under umk: hostile use of packet sockets. Random socket
 * types and protocols, binds, SOL_PACKET and filter options with random
 * values and lengths, random classic BPF programs (the checker's
 * verdict decides; accepted ones run on every frame), random frames of
 * random lengths (runts, bad VLAN tags, 64 KiB) sent raw and cooked on
 * lo, receives with random flags and buffers, rings of random shapes
 * (TPACKET_V1 to V3, with block timers) mapped, written and unmapped, lo
 * going down and up. Afterwards a fresh socket must still hear a frame
 * on lo. The seed is printed (and taken after "--") so a failure can be
 * replayed. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rng.h"

static int lo;
static unsigned n_sent, n_filters, n_rings, n_recv;
static uint8_t buf[70000];

static void lo_updown(int s, int up)
{
	struct ifreq r;
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	ioctl(s, SIOCGIFFLAGS, &r);
	r.ifr_flags = up ? (short)(r.ifr_flags | IFF_UP) : (short)(r.ifr_flags & ~IFF_UP);
	ioctl(s, SIOCSIFFLAGS, &r);
}

static uint32_t some_k(void)
{
	static const uint32_t ks[] = { 0, 1, 12, 13, 14, 15, 16, 0x7fffffff, 0xffffffff, (uint32_t)SKF_NET_OFF,
				       (uint32_t)SKF_LL_OFF + 12, (uint32_t)SKF_AD_OFF, (uint32_t)SKF_AD_OFF + SKF_AD_NLATTR,
				       (uint32_t)SKF_AD_OFF + SKF_AD_VLAN_TAG, (uint32_t)SKF_AD_OFF + SKF_AD_RANDOM };
	return next() % 2 ? ks[next() % (sizeof(ks) / sizeof(ks[0]))] : (uint32_t)next();
}

static void random_filter(int s)
{
	struct sock_filter f[64];
	unsigned n = 1 + (unsigned)(next() % 4 ? next() % 6 : next() % 64);
	for (unsigned i = 0; i < n; i++) {
		static const uint16_t valid[] = {
			BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS, BPF_LD | BPF_B | BPF_IND,
			BPF_LD | BPF_W | BPF_IND, BPF_LD | BPF_W | BPF_LEN, BPF_LD | BPF_IMM, BPF_LDX | BPF_B | BPF_MSH,
			BPF_LDX | BPF_IMM, BPF_ALU | BPF_DIV | BPF_X, BPF_ALU | BPF_MOD | BPF_X, BPF_ALU | BPF_LSH | BPF_X,
			BPF_ALU | BPF_ADD | BPF_K, BPF_JMP | BPF_JEQ | BPF_K, BPF_JMP | BPF_JGT | BPF_X, BPF_JMP | BPF_JA,
			BPF_MISC | BPF_TAX, BPF_RET | BPF_K, BPF_ST, BPF_LD | BPF_MEM,
		};
		f[i].code = next() % 5 ? valid[next() % (sizeof(valid) / sizeof(valid[0]))] : (uint16_t)next();
		f[i].jt = (uint8_t)(next() % 4 ? next() % 3 : next());
		f[i].jf = (uint8_t)(next() % 4 ? next() % 3 : next());
		f[i].k = BPF_CLASS(f[i].code) == BPF_ST || BPF_MODE(f[i].code) == BPF_MEM || BPF_OP(f[i].code) == BPF_JA ?
				 (uint32_t)(next() % 18) : some_k();
	}
	if (next() % 2)
		f[n - 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	struct sock_fprog p = { .len = (unsigned short)(next() % 8 ? n : next()), .filter = f };
	if (!setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &p, next() % 8 ? sizeof(p) : (socklen_t)(next() % 32)))
		n_filters++;
}

static void random_frame(int s)
{
	size_t len = next() % 4 ? next() % 200 : next() % sizeof(buf);
	for (size_t i = 0; i < len && i < 64; i++)
		buf[i] = (uint8_t)next();
	if (len > 13 && next() % 2) {	/* a plausible header: experimental type or a VLAN tag */
		buf[12] = next() % 2 ? 0x88 : 0x81;
		buf[13] = next() % 2 ? 0xb5 : 0x00;
	}
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_ifindex = next() % 8 ? lo : (int)(next() % 4),
				 .sll_protocol = (uint16_t)(next() % 2 ? (uint64_t)htons(0x88b5) : next()),
				 .sll_halen = (uint8_t)(next() % 4 ? 6 : next()) };
	socklen_t al = next() % 8 ? sizeof(a) : (socklen_t)(next() % 40);
	if (sendto(s, buf, len, MSG_DONTWAIT, next() % 8 ? (struct sockaddr *)&a : NULL, al) >= 0)
		n_sent++;
}

static void random_opt(int s)
{
	static const int names[] = { PACKET_ADD_MEMBERSHIP, PACKET_DROP_MEMBERSHIP, PACKET_RX_RING, PACKET_STATISTICS,
				     PACKET_COPY_THRESH, PACKET_AUXDATA, PACKET_ORIGDEV, PACKET_VERSION, PACKET_HDRLEN,
				     PACKET_RESERVE, PACKET_TX_RING, PACKET_LOSS, PACKET_TIMESTAMP, PACKET_FANOUT,
				     PACKET_IGNORE_OUTGOING, PACKET_QDISC_BYPASS };
	int name = names[next() % (sizeof(names) / sizeof(names[0]))];
	uint32_t v[16];
	for (int i = 0; i < 16; i++)
		v[i] = (uint32_t)(next() % 3 ? next() % 8192 : next());
	if (name == PACKET_ADD_MEMBERSHIP || name == PACKET_DROP_MEMBERSHIP)
		v[0] = next() % 4 ? (uint32_t)lo : v[0];
	socklen_t len = (socklen_t)(next() % 4 ? 16 : next() % 80);
	if (next() % 2)
		setsockopt(s, next() % 16 ? SOL_PACKET : SOL_SOCKET, name, v, len);
	else
		getsockopt(s, SOL_PACKET, name, v, &len);
	int level[] = { SO_DETACH_FILTER, SO_LOCK_FILTER, SO_RCVBUF, SO_BPF_EXTENSIONS, SO_GET_FILTER };
	int one = (int)(next() % 3);
	if (next() % 4 == 0)
		setsockopt(s, SOL_SOCKET, level[next() % 5], &one, sizeof(one));
}

static void random_ring(int s)
{
	int v = (int)(next() % 3);	/* TPACKET_V1, V2, V3 */
	setsockopt(s, SOL_PACKET, PACKET_VERSION, &v, sizeof(v));
	unsigned bsize = next() % 4 ? 4096u << (next() % 3) : (unsigned)next();
	unsigned fsize = next() % 4 ? 16u * (unsigned)(3 + next() % 256) : (unsigned)next();
	unsigned bnr = (unsigned)(next() % 4 ? 1 + next() % 4 : next());
	unsigned fnr = fsize && bsize / fsize ? bsize / fsize * bnr : (unsigned)next();
	struct tpacket_req3 r = { bsize, bnr, fsize, next() % 8 ? fnr : (unsigned)next(),
				  (unsigned)(next() % 4 ? 1 + next() % 20 : next()), (unsigned)(next() % 4 ? 0 : next() % 8192),
				  (unsigned)(next() % 4) };
	if (setsockopt(s, SOL_PACKET, PACKET_RX_RING, &r, sizeof(r)))
		return;
	size_t len = (size_t)bsize * bnr;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	if (m == MAP_FAILED)
		return;
	n_rings++;
	for (int i = 0; i < 20; i++) {
		random_frame(s);
		size_t at = (size_t)(next() % len);
		m[at] = (uint8_t)next();	/* the guest may scribble on its ring */
		if (next() % 4 == 0)
			memset(m, 0, len);	/* hand everything back */
		if (next() % 8 == 0)
			usleep(2000);	/* let a V3 block time out */
	}
	if (next() % 2)
		munmap(m, len);
	/* else the mapping outlives the socket */
}

static void round_of(int ctl)
{
	int types[] = { SOCK_RAW, SOCK_DGRAM, SOCK_PACKET, SOCK_STREAM };
	int s = socket(AF_PACKET, types[next() % 4], (int)(next() % 2 ? (uint64_t)htons(ETH_P_ALL) : next() % 0x10000));
	if (s < 0)
		return;
	for (int i = 0; i < 60; i++) {
		switch (next() % 8) {
		case 0: {
			struct sockaddr_ll a = { .sll_family = next() % 8 ? AF_PACKET : (unsigned short)next(),
						 .sll_ifindex = next() % 4 ? lo : (int)(next() % 4),
						 .sll_protocol = (uint16_t)(next() % 2 ? (uint64_t)htons(ETH_P_ALL) : next()) };
			bind(s, (struct sockaddr *)&a, next() % 8 ? sizeof(a) : (socklen_t)(next() % 64));
			break;
		}
		case 1: random_filter(s); break;
		case 2: case 3: random_frame(s); break;
		case 4: {
			struct sockaddr_ll from;
			socklen_t fl = (socklen_t)(next() % 2 ? sizeof(from) : next() % 24);
			char ctl_buf[64];
			struct iovec iov = { buf, (size_t)(next() % 100) };
			struct msghdr m = { .msg_name = &from, .msg_namelen = fl, .msg_iov = &iov, .msg_iovlen = 1,
					    .msg_control = ctl_buf, .msg_controllen = (size_t)(next() % 64) };
			n_recv += recvmsg(s, &m, MSG_DONTWAIT | (int)(next() % 2 ? 0 : next() & (uint64_t)(MSG_PEEK | MSG_TRUNC | MSG_ERRQUEUE))) >= 0;
			break;
		}
		case 5: random_opt(s); break;
		case 6: if (next() % 8 == 0) random_ring(s); break;
		case 7:
			if (next() % 16 == 0) {
				lo_updown(ctl, 0);
				random_frame(s);
				lo_updown(ctl, 1);
			} else {
				int q;
				ioctl(s, next() % 2 ? FIONREAD : SIOCGSTAMP, &q);
			}
			break;
		}
	}
	close(s);
}

/* After all that: a fresh socket hears a frame sent on lo. */
static int lo_works(void)
{
	int r = socket(AF_PACKET, SOCK_RAW, htons(0x88b6)), t = socket(AF_PACKET, SOCK_RAW, 0);
	uint8_t f[60] = { 0 };
	f[12] = 0x88;
	f[13] = 0xb6;
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_ifindex = lo };
	if (r < 0 || t < 0 || sendto(t, f, sizeof(f), 0, (struct sockaddr *)&a, sizeof(a)) != sizeof(f))
		return 0;
	struct pollfd p = { .fd = r, .events = POLLIN };
	return poll(&p, 1, 2000) == 1 && recv(r, buf, sizeof(buf), 0) == 60;
}

int main(int argc, char **argv)
{
	rng = argc > 1 ? strtoull(argv[1], NULL, 0) : 88172645463325252ull;
	if (!rng)
		rng = 1;
	printf("pktfuzz seed %llu\n", (unsigned long long)rng);
	fflush(stdout);
	int ctl = socket(AF_PACKET, SOCK_DGRAM, 0);
	lo = (int)if_nametoindex("lo");
	if (ctl < 0 || !lo) {
		printf("no packet sockets or no lo\n");
		reboot(RB_POWER_OFF);
	}
	lo_updown(ctl, 1);
	for (int i = 0; i < 2000; i++)
		round_of(ctl);
	printf("pktfuzz: %u frames sent, %u filters attached, %u rings mapped, %u receives\n", n_sent, n_filters,
	       n_rings, n_recv);
	lo_updown(ctl, 1);
	printf("pktfuzz: lo %s\n", lo_works() ? "works" : "BROKEN");
	printf("pktfuzz: kernel alive\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
