/* Network cards (UML's ethN= and vecN:), between the driver's halves.
 * The host half (host/) parses the options and runs the transports, one
 * file each (daemon, vde, mcast, tuntap, pcap, slirp, raw); the kernel
 * half (netdev.c, net_rx.c, net_tx.c) makes one net_device per card,
 * named as its option (eth0, vec1), and moves frames between it and the
 * host half. Everything a card's host side waits for (frames, room to
 * send, a switch going away) shows as one host fd per card, which the
 * kernel half takes as an interrupt; timers (reconnecting, slirp's) the
 * host half asks for with net_host_timeout. Host-agnostic types only;
 * errors are -errno. */
#ifndef NET_CARD_H
#define NET_CARD_H
#include <umk/types.h>

#define NET_CARDS_MAX 32	/* eth0-15 and vec0-15 */

struct net_card_info {
	char name[16];		/* "eth0" */
	char desc[96];		/* the transport, for the boot log */
	uint8_t mac[6];
	unsigned mtu, min_mtu, max_mtu;
	bool rx_only;		/* sends nothing (pcap) */
};

/* A frame to send, or room for one received (len: room in, frame out). */
struct net_buf {
	void *data;
	size_t len;
};

/* Hot-plug (mconsole): the option ethN=.../vecN:... checked and made a
 * card as at boot: NULL with *n its number, or why not. */
const char *net_host_config(const char *word, int *n);
/* Card n's option as given, or NULL if there is no card n. */
const char *net_host_describe(int n);
/* Card n (closed) is gone: its number is free. */
void net_host_forget(int n);
/* Card n (0 .. NET_CARDS_MAX-1, in command-line order): false if none. */
bool net_host_card(int n, struct net_card_info *info);
/* The card is brought up: open its transport. Returns the host fd that
 * becomes readable whenever net_host_events has work, or -errno (the
 * transport cannot start: no such tap, ...). A peer that is not there
 * yet (a switch that is not running) is no error: the card has no link
 * and the host half keeps trying. */
int net_host_open(int n);
void net_host_close(int n);		/* brought down */
/* After the fd became readable or the timeout passed: the transport's
 * own work (a switch's control stream, reconnecting, slirp's sockets and
 * timers). */
void net_host_events(int n);
bool net_host_link(int n);		/* carrier: the transport is connected */
/* ns until net_host_events wants to run again without the fd, or -1. */
int64_t net_host_timeout(int n);
/* Received frames into bufs: the number of buffers used from the front
 * (0: none waiting). A frame longer than its buffer (or empty) is
 * dropped, counted in *oversize, and leaves its buffer unused (len 0). */
int net_host_recv(int n, struct net_buf *bufs, int count, unsigned *oversize);
/* Send frames, in order: the number taken. The rest wait; the fd becomes
 * readable when there is room. -ENOTCONN: no link (nothing taken). */
int net_host_send(int n, const struct net_buf *frames, int count);
/* 0, or -EINVAL when the transport cannot carry frames of this MTU. */
int net_host_set_mtu(int n, unsigned mtu);
/* The card's address and receive mode changed (transports that filter
 * on the host: tap, raw). */
void net_host_set_rx_mode(int n, const uint8_t *mac, bool promisc, bool allmulti);
/* The next line about card n for the kernel log (a switch went away,
 * came back), copied into buf: its length, 0 if none. */
size_t net_host_message(int n, char *buf, size_t size);
#endif
