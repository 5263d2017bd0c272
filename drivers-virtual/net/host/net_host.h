/* Network cards, host half: the cards named on the command line and the
 * transports that carry their frames. A transport is one file that fills
 * a struct net_transport and registers it with NET_TRANSPORT(); the
 * option parser (net_opt.c) finds it by name, the card layer
 * (net_card.c) runs it: open on ifup, close on ifdown, and when its
 * peer goes away (an error from recv/send/events) close, no carrier,
 * and for transports whose peer can come back (a switch), open again
 * after a back-off. */
#ifndef NET_HOST_H
#define NET_HOST_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "../net.h"

struct net_if;

/* One key=value of a vecN: option. */
struct net_kv {
	const char *key, *val;
};

struct net_transport {
	const char *name;	/* ethN=NAME,... */
	const char *vec_name;	/* vecN:transport=NAME (NULL: eth only) */
	/* Options, checked at boot: NULL, or the phrase saying what was
	 * expected. eth: the fields after the name (split at commas, empty
	 * ones ""), vec: the keys the card layer does not take itself. */
	const char *(*parse_eth)(struct net_if *nif, char **f, int n);
	const char *(*parse_vec)(struct net_if *nif, const struct net_kv *kv, int n);
	/* Connect: 0 (up now, or later through net_link_up from events),
	 * or -errno. */
	int (*open)(struct net_if *nif);
	void (*close)(struct net_if *nif);
	/* Frames in: the number (0 none), or -errno: the peer is gone. */
	int (*recv)(struct net_if *nif, struct net_buf *bufs, int count, unsigned *oversize);
	/* Frames out: the number taken (0 and net_want_write when full), or
	 * -errno: the peer is gone. NULL: the transport only receives. */
	int (*send)(struct net_if *nif, const struct net_buf *frames, int count);
	/* Optional: its fds (other than the data one) may be ready, or its
	 * timer is due: 0, or -errno: the peer is gone. */
	int (*events)(struct net_if *nif);
	int64_t (*timeout)(struct net_if *nif);	/* optional: ns, -1 none */
	int (*set_mtu)(struct net_if *nif, unsigned mtu);	/* optional */
	void (*set_rx_mode)(struct net_if *nif);	/* optional */
	unsigned max_mtu;	/* largest MTU it carries */
	bool reconnect;		/* a lost peer may come back: retry */
};

#define NET_TRANSPORT(var)                                                        \
	static const struct net_transport *const __net_transport_##var            \
		__attribute__((used, section("umk_net_transports"), aligned(8))) = &(var)

struct net_if {
	char name[16];		/* eth0, vec3 */
	const char *word;	/* the option as given, for messages */
	const struct net_transport *t;
	uint8_t mac[6];
	bool have_mac;		/* given on the command line */
	unsigned mtu, max_mtu;
	bool promisc, allmulti;	/* receive mode asked for by the guest */
	char desc[96];		/* "daemon /tmp/uml.ctl", for the boot log */
	/* run time */
	int epfd;		/* the card's event fd: an epoll set, -1 while down */
	int kick[2];		/* a pipe in the set, for events made in-process */
	bool up;		/* ifup'd */
	bool active;		/* the transport is open */
	bool link;		/* ... and connected: carrier */
	int64_t retry_at, backoff;	/* reconnecting (CLOCK_MONOTONIC ns) */
	int write_fd;		/* waiting for room on this fd, or -1 */
	char msgs[512];		/* lines for the kernel log */
	void *priv;		/* the transport's */
};

/* ---- for transports (net_card.c) ---- */
/* Watch fd for readability in the card's event set (and have it raise
 * the host I/O signal, so a running guest is interrupted). */
int net_watch(struct net_if *nif, int fd);
int net_watch_ev(struct net_if *nif, int fd, uint32_t epoll_events);	/* add or change */
void net_unwatch(struct net_if *nif, int fd);
/* fd is full: make the event fd readable when it has room (true), or
 * stop watching for that (false). */
void net_want_write(struct net_if *nif, int fd, bool on);
/* Something in-process has work for events/recv (slirp queued frames). */
void net_kick(struct net_if *nif);
void net_link_up(struct net_if *nif);	/* an asynchronous connect finished */
/* The end of a transport's open: on success (err 0) watch fd and the
 * link is up; else, or if fd cannot be watched, close what open made.
 * Returns 0 or the error. */
int net_open_done(struct net_if *nif, int fd, int err);
/* A line for the kernel log (printf-style, no newline). */
void net_msg(struct net_if *nif, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t net_now(void);			/* CLOCK_MONOTONIC ns */

/* ---- socket helpers (net_sock.c) ---- */
/* Frames from a datagram socket with recvmmsg: the number, 0 when none
 * is waiting, or -errno. Truncated ones are dropped and counted. */
int net_sock_recv(int fd, struct net_buf *bufs, int count, unsigned *oversize);
/* As net_sock_recv, less the frames with the card's own source address
 * (a hub or a host interface that hands the card's frames back). */
int net_sock_recv_others(struct net_if *nif, int fd, struct net_buf *bufs, int count, unsigned *oversize);
/* Frames to a datagram socket with sendmmsg (to: NULL when connected):
 * the number taken; when the socket is full, 0 more and the card waits
 * for room. -errno when the peer is gone. */
int net_sock_send(struct net_if *nif, int fd, const struct net_buf *frames, int count, const struct sockaddr *to,
		  socklen_t tolen);

/* ---- options (net_opt.c, net_mac.c) ---- */
/* "fe:fd:0:0:0:1" (or "" for none: false, no error); NULL or the error. */
const char *net_parse_mac(const char *s, uint8_t mac[6], bool *given);
/* A stable locally administered unicast address from the instance's
 * umid and the card's name; random when umk has no umid=. */
void net_default_mac(const char *umid, const char *card, uint8_t mac[6]);
/* "123" into *v within [lo, hi]: 0, or -1. */
int net_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *v);
/* A host interface name (IFNAMSIZ): NULL, or the error. */
const char *net_check_ifname(const char *s);
/* For messages: a phrase with one %s filled in (a static buffer). */
const char *net_err(const char *fmt, const char *arg);
#endif
