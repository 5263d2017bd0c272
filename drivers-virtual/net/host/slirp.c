/* ethN=slirp[,MAC][,hostfwd=[tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT]...: user
 * networking by libslirp, in process and without privileges. The guest
 * is on 10.0.2.0/24 behind a NAT to the host's networks: 10.0.2.2 is the
 * host (and the gateway), 10.0.2.3 answers DNS, DHCP hands out 10.0.2.15
 * on, as QEMU's user networking. hostfwd (QEMU's syntax) forwards a host
 * port to the guest (GADDR defaults to 10.0.2.15); its host port is
 * tried at boot, so one in use is a one-line error. (UML's slirp ran the
 * slirp program over SLIP; this one speaks Ethernet, so the card is an
 * ordinary ethN.)
 *
 * No main loop drives libslirp here. Its sockets sit in the card's event
 * set with the events it asks for (re-read after every call into it), so
 * a socket becoming ready interrupts the kernel; its timers and its TCP
 * timers (every 0.5 s while it has connections) come back as the card's
 * timeout. Those TCP timers are only honoured for two minutes after the
 * last traffic (longer than its retransmissions and TIME_WAIT): libslirp
 * asks for them whenever a forwarded port listens, and an idle guest
 * should not wake twice a second for nothing. Frames libslirp makes for
 * the guest wait in a queue and kick the card. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "net_host.h"
#include "um.h"

#define MAX_FWD 16
#define RXQ 256			/* frames for the guest, waiting */
#define IDLE_AFTER 120000000000LL	/* ns of no traffic: TCP timers sleep */
#define MAX_FDS 1024

struct hostfwd {
	bool udp;
	struct in_addr haddr, gaddr;
	uint16_t hport, gport;
};

struct stimer {
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms;
	bool armed;
	struct stimer *next;
};

struct frame {
	size_t len;
	uint8_t data[];
};

struct slirp_net {
	struct net_if *nif;
	struct hostfwd fwd[MAX_FWD];
	int nfwd;
	Slirp *s;
	struct stimer *timers;
	struct frame *rxq[RXQ];
	int rx_head, rx_len;
	uint32_t slirp_ms;		/* its own timeout from the last fill */
	int64_t last_traffic;
	/* the fds of the last fill, with events; and those in the event set */
	struct pollfd pfd[MAX_FDS];
	int npfd;
	int watched[MAX_FDS];
	int nwatched;
};

/* ---- options ---- */

/* "ADDR:PORT" or ":PORT" or "PORT"-less forms of one hostfwd side. */
static const char *parse_side(char *s, struct in_addr *addr, uint16_t *port, const char *dflt)
{
	char *colon = strrchr(s, ':');
	const char *a = dflt, *p = s;
	if (colon) {
		*colon = 0;
		if (*s)
			a = s;
		p = colon + 1;
	}
	unsigned long v;
	if (inet_pton(AF_INET, a, addr) != 1)
		return net_err("hostfwd: '%s' is not an IPv4 address", a);
	if (net_parse_uint(p, 1, 65535, &v))
		return net_err("hostfwd: port '%s': expected 1 to 65535", p);
	*port = (uint16_t)v;
	return NULL;
}

/* Can the host port be had? Checked by binding it for a moment. */
static const char *try_port(const struct hostfwd *f)
{
	int fd = socket(AF_INET, (f->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(f->hport), .sin_addr = f->haddr };
	if (fd < 0)
		return net_err("hostfwd: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));	/* as libslirp does */
	int r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	int e = errno;
	close(fd);
	if (r == 0)
		return NULL;
	static char msg[128];
	snprintf(msg, sizeof(msg), "hostfwd: host %s port %u: %s", f->udp ? "udp" : "tcp", f->hport, strerror(e));
	return msg;
}

static const char *parse_fwd(struct slirp_net *sn, const char *spec)
{
	char buf[128];
	if (sn->nfwd == MAX_FWD)
		return "too many hostfwd= forwards";
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		return "hostfwd: too long";
	struct hostfwd *f = &sn->fwd[sn->nfwd];
	char *proto = buf, *rest = strchr(buf, ':');
	char *dash = rest ? strchr(rest, '-') : NULL;
	if (!rest || !dash)
		return net_err("hostfwd=%s: expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT", spec);
	*rest++ = 0;
	*dash = 0;
	if (*proto && strcmp(proto, "tcp") && strcmp(proto, "udp"))
		return net_err("hostfwd: protocol '%s': expected tcp or udp", proto);
	f->udp = !strcmp(proto, "udp");
	const char *err = parse_side(rest, &f->haddr, &f->hport, "0.0.0.0");
	if (!err)
		err = parse_side(dash + 1, &f->gaddr, &f->gport, "10.0.2.15");
	if (!err)
		err = try_port(f);
	if (err)
		return err;
	sn->nfwd++;
	return NULL;
}

static const char *slirp_parse(struct net_if *nif, char **f, int n)
{
	struct slirp_net *sn = calloc(1, sizeof(*sn));
	if (!sn)
		return "out of memory";
	sn->nif = nif;
	nif->priv = sn;
	for (int i = 0; i < n; i++) {
		const char *err = NULL;
		if (!strncmp(f[i], "hostfwd=", 8))
			err = parse_fwd(sn, f[i] + 8);
		else if (f[i][0] == '/')
			err = "umk runs libslirp in-process: no slirp program is needed";
		else if (i == 0)
			err = net_parse_mac(f[i], nif->mac, &nif->have_mac);
		else
			err = net_err("'%s': expected hostfwd=...", f[i]);
		if (err)
			return err;
	}
	snprintf(nif->desc, sizeof(nif->desc), "slirp 10.0.2.0/24%s", sn->nfwd ? " with forwarded ports" : "");
	return NULL;
}

/* ---- libslirp's callbacks ---- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct slirp_net *sn = opaque;
	if (sn->rx_len == RXQ)
		return (ssize_t)len;	/* the guest is behind: dropped, TCP resends */
	struct frame *fr = malloc(sizeof(*fr) + len);
	if (!fr)
		return (ssize_t)len;
	fr->len = len;
	memcpy(fr->data, buf, len);
	sn->rxq[(sn->rx_head + sn->rx_len++) % RXQ] = fr;
	sn->last_traffic = net_now();
	net_kick(sn->nif);
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	struct slirp_net *sn = opaque;
	net_msg(sn->nif, "slirp: %s", msg);
}

static int64_t cb_clock_ns(void *opaque __attribute__((unused)))
{
	return net_now();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct slirp_net *sn = opaque;
	struct stimer *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->id = id;
	t->cb_opaque = cb_opaque;
	t->next = sn->timers;
	sn->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct slirp_net *sn = opaque;
	for (struct stimer **p = &sn->timers; *p; p = &(*p)->next)
		if (*p == timer) {
			*p = ((struct stimer *)timer)->next;
			free(timer);
			return;
		}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct stimer *t = timer;
	t->expire_ms = expire_ms;
	t->armed = true;
	net_kick(((struct slirp_net *)opaque)->nif);	/* a new timeout to arm */
}

/* Sockets it makes or drops: the event set follows at the next fill. */
static void cb_register_fd(int fd __attribute__((unused)), void *opaque __attribute__((unused))) {}
static void cb_unregister_fd(int fd, void *opaque)
{
	struct slirp_net *sn = opaque;
	for (int i = 0; i < sn->nwatched; i++)
		if (sn->watched[i] == fd) {
			net_unwatch(sn->nif, fd);
			sn->watched[i] = sn->watched[--sn->nwatched];
			return;
		}
}

/* It can take more from the guest: have the card run again. */
static void cb_notify(void *opaque)
{
	net_kick(((struct slirp_net *)opaque)->nif);
}

static const SlirpCb callbacks = {
	.send_packet = cb_send_packet, .guest_error = cb_guest_error, .clock_get_ns = cb_clock_ns,
	.timer_free = cb_timer_free, .timer_mod = cb_timer_mod, .register_poll_fd = cb_register_fd,
	.unregister_poll_fd = cb_unregister_fd, .notify = cb_notify, .timer_new_opaque = cb_timer_new_opaque,
};

/* ---- its sockets ---- */

static int add_poll(int fd, int events, void *opaque)
{
	struct slirp_net *sn = opaque;
	if (sn->npfd == MAX_FDS)
		return -1;
	short ev = (short)(((events & SLIRP_POLL_IN) ? POLLIN : 0) | ((events & SLIRP_POLL_OUT) ? POLLOUT : 0) |
			   ((events & SLIRP_POLL_PRI) ? POLLPRI : 0));
	sn->pfd[sn->npfd] = (struct pollfd){ fd, ev, 0 };
	return sn->npfd++;
}

static int get_revents(int idx, void *opaque)
{
	struct slirp_net *sn = opaque;
	if (idx < 0 || idx >= sn->npfd)
		return 0;
	short r = sn->pfd[idx].revents;
	return ((r & POLLIN) ? SLIRP_POLL_IN : 0) | ((r & POLLOUT) ? SLIRP_POLL_OUT : 0) |
	       ((r & POLLPRI) ? SLIRP_POLL_PRI : 0) | ((r & POLLERR) ? SLIRP_POLL_ERR : 0) |
	       ((r & POLLHUP) ? SLIRP_POLL_HUP : 0);
}

static void fill(struct slirp_net *sn)
{
	sn->npfd = 0;
	sn->slirp_ms = UINT32_MAX;
	slirp_pollfds_fill(sn->s, &sn->slirp_ms, add_poll, sn);
}

/* The event set holds exactly the fds of the last fill, with their
 * events: one it does not ask about would otherwise report HUP forever. */
static void sync_watch(struct slirp_net *sn)
{
	fill(sn);
	for (int i = 0; i < sn->nwatched;) {
		bool keep = false;
		for (int j = 0; j < sn->npfd && !keep; j++)
			keep = sn->pfd[j].fd == sn->watched[i];
		if (keep) {
			i++;
			continue;
		}
		net_unwatch(sn->nif, sn->watched[i]);
		sn->watched[i] = sn->watched[--sn->nwatched];
	}
	for (int j = 0; j < sn->npfd; j++) {
		short e = sn->pfd[j].events;
		uint32_t ev = ((e & POLLIN) ? EPOLLIN : 0) | ((e & POLLOUT) ? EPOLLOUT : 0) | ((e & POLLPRI) ? EPOLLPRI : 0);
		if (net_watch_ev(sn->nif, sn->pfd[j].fd, ev))
			continue;
		bool known = false;
		for (int i = 0; i < sn->nwatched && !known; i++)
			known = sn->watched[i] == sn->pfd[j].fd;
		if (!known && sn->nwatched < MAX_FDS)
			sn->watched[sn->nwatched++] = sn->pfd[j].fd;
	}
}

/* ---- the transport ---- */

static void do_stop(void *arg)
{
	struct net_if *nif = arg;
	struct slirp_net *sn = nif->priv;
	if (sn->s)
		slirp_cleanup(sn->s);
	sn->s = NULL;
	while (sn->timers)
		cb_timer_free(sn->timers, sn);
	for (; sn->rx_len; sn->rx_len--, sn->rx_head = (sn->rx_head + 1) % RXQ)
		free(sn->rxq[sn->rx_head]);
	for (int i = 0; i < sn->nwatched; i++)
		net_unwatch(nif, sn->watched[i]);
	sn->nwatched = 0;
}

static int do_start(struct net_if *nif)
{
	struct slirp_net *sn = nif->priv;
	SlirpConfig cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.version = 4;
	cfg.in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
	inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
	cfg.vhostname = "umk";
	cfg.if_mtu = cfg.if_mru = 1500;
	/* no IPv6: the guest has none, and its router adverts would tick */
	cfg.in6_enabled = false;
	sn->s = slirp_new(&cfg, &callbacks, sn);
	if (!sn->s)
		return -ENOMEM;
	for (int i = 0; i < sn->nfwd; i++) {
		struct hostfwd *f = &sn->fwd[i];
		if (slirp_add_hostfwd(sn->s, f->udp, f->haddr, f->hport, f->gaddr, f->gport) < 0) {
			int e = errno ? errno : EADDRINUSE;
			net_msg(nif, "hostfwd: host port %u: %s", f->hport, strerror(e));
			do_stop(nif);
			return -e;
		}
	}
	sn->last_traffic = 0;	/* nothing yet: no TCP timers */
	sync_watch(sn);
	net_link_up(nif);
	return 0;
}

static void do_events(void *arg)
{
	struct net_if *nif = arg;
	struct slirp_net *sn = nif->priv;
	fill(sn);
	int r = poll(sn->pfd, (nfds_t)sn->npfd, 0);
	if (r > 0)
		sn->last_traffic = net_now();
	slirp_pollfds_poll(sn->s, r < 0, get_revents, sn);
	int64_t now_ms = net_now() / 1000000;
	for (struct stimer *t = sn->timers, *next; t; t = next) {
		next = t->next;	/* the callback may free it */
		if (t->armed && t->expire_ms <= now_ms) {
			t->armed = false;
			slirp_handle_timer(sn->s, t->id, t->cb_opaque);
		}
	}
	sync_watch(sn);
}

static int64_t slirp_timeout(struct net_if *nif)
{
	struct slirp_net *sn = nif->priv;
	int64_t now = net_now(), t = -1;
	if (sn->rx_len)
		return 0;
	if (sn->slirp_ms < 1000 && now - sn->last_traffic < IDLE_AFTER)
		t = (int64_t)sn->slirp_ms * 1000000;
	for (struct stimer *tm = sn->timers; tm; tm = tm->next)
		if (tm->armed) {
			int64_t d = tm->expire_ms * 1000000 - now;
			d = d < 0 ? 0 : d;
			t = t < 0 || d < t ? d : t;
		}
	return t;
}

static int slirp_recv(struct net_if *nif, struct net_buf *bufs, int count, unsigned *oversize)
{
	struct slirp_net *sn = nif->priv;
	int got = 0;
	while (got < count && sn->rx_len) {
		struct frame *fr = sn->rxq[sn->rx_head];
		sn->rx_head = (sn->rx_head + 1) % RXQ;
		sn->rx_len--;
		if (fr->len > bufs[got].len) {
			(*oversize)++;
			bufs[got].len = 0;
		} else {
			memcpy(bufs[got].data, fr->data, fr->len);
			bufs[got].len = fr->len;
		}
		free(fr);
		got++;
	}
	return got;
}

struct send_args {
	struct net_if *nif;
	const struct net_buf *frames;
	int count;
};

static void do_send(void *arg)
{
	struct send_args *a = arg;
	struct net_if *nif = a->nif;
	const struct net_buf *frames = a->frames;
	int count = a->count;
	struct slirp_net *sn = nif->priv;
	for (int i = 0; i < count; i++)
		slirp_input(sn->s, frames[i].data, (int)frames[i].len);
	sn->last_traffic = net_now();
	/* it may have opened sockets (a guest's connect) or armed timers */
	sync_watch(sn);
	net_kick(nif);
}

/* ---- the transport: libslirp runs on the deep host stack (um.h) ---- */

struct start_args {
	struct net_if *nif;
	int ret;
};

static void start_on_stack(void *arg)
{
	struct start_args *a = arg;
	a->ret = do_start(a->nif);
}

static int slirp_start(struct net_if *nif)
{
	struct start_args a = { nif, 0 };
	um_call_deep(start_on_stack, &a);
	return a.ret;
}

static void slirp_stop(struct net_if *nif)
{
	um_call_deep(do_stop, nif);
}

static int slirp_events(struct net_if *nif)
{
	um_call_deep(do_events, nif);
	return 0;
}

static int slirp_send(struct net_if *nif, const struct net_buf *frames, int count)
{
	struct send_args a = { nif, frames, count };
	um_call_deep(do_send, &a);
	return count;
}

static const struct net_transport slirp_transport = {
	.name = "slirp", .parse_eth = slirp_parse, .open = slirp_start, .close = slirp_stop, .recv = slirp_recv,
	.send = slirp_send, .events = slirp_events, .timeout = slirp_timeout, .max_mtu = 1500,
};
NET_TRANSPORT(slirp_transport);
