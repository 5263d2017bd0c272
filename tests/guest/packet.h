/* Helpers for the packet socket programs (net_packet*.c). Natively they
 * run in a private network namespace (tests/lib.sh), where, as in a umk
 * guest, lo is down with nothing configured; they bring it up
 * themselves. Frames are sent raw on lo with EtherTypes from the
 * IEEE's local experimental range (0x88b5, 0x88b6), so nothing else on
 * lo is mistaken for them. */
#ifndef UMK_GUEST_PACKET_H
#define UMK_GUEST_PACKET_H
#include "t.h"
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define ETH_P_EXP1 0x88b5
#define ETH_P_EXP2 0x88b6

static inline int t_lo_index(void)
{
	return (int)if_nametoindex("lo");
}

/* lo's flags changed with SIOCSIFFLAGS on any socket (here, s). */
static inline void t_lo_set_up(int s, int up)
{
	struct ifreq r;
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &r))
		DIE("SIOCGIFFLAGS lo");
	if (up)
		r.ifr_flags |= IFF_UP;
	else
		r.ifr_flags &= ~IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &r))
		DIE("SIOCSIFFLAGS lo");
}

static inline struct sockaddr_ll t_sll(int ifindex, uint16_t proto)
{
	struct sockaddr_ll a;
	memset(&a, 0, sizeof(a));
	a.sll_family = AF_PACKET;
	a.sll_ifindex = ifindex;
	a.sll_protocol = htons(proto);
	return a;
}

/* An Ethernet frame: dst, src (6 bytes each), type, then payload
 * bytes 0, 1, 2, ... up to len bytes in all. Returns len. */
static inline size_t t_frame(uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i - 14);
	return len;
}

/* Wait up to a second for s to be readable: 1 if it is. */
static inline int t_readable(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	return poll(&p, 1, 1000) == 1 && (p.revents & POLLIN);
}

/* Attach a program accepting only frames of EtherType type (SOCK_RAW
 * view: the type at byte 12), whole. */
static inline int t_attach_type_filter(int s, uint16_t type)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, type, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0x40000),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog p = { .len = 4, .filter = code };
	return setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p));
}

/* Read what is queued without waiting; returns how many frames. */
static inline int t_drain(int s)
{
	uint8_t b[2048];
	int n = 0;
	while (recv(s, b, sizeof(b), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}
#endif
