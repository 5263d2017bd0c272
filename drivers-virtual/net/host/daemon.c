/* ethN=daemon,MAC,unix,CTL[,DATA]: a port on a uml_switch-protocol switch
 * (umk-switch, Debian's uml_switch, vde_switch), as UML's daemon
 * transport (include/wire/uml_switch.h; shared/reference/protocols.md
 * §a). CTL defaults to /tmp/uml.ctl; DATA (a v0-era data socket) is
 * ignored, as UML does. The card binds an abstract datagram socket,
 * asks for a port on the control stream (a version 3 request), and
 * connects its socket to the address the switch answers with: from then
 * on each datagram is one frame. The answer is awaited without blocking
 * the kernel. The switch going away shows as EOF on the control stream
 * (or ECONNREFUSED on a send): no carrier until it is back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "wire/uml_switch.h"
#include "net_host.h"

#define REPLY_WAIT 5000000000LL	/* a switch that never answers: retry */

struct daemon_port {
	struct sockaddr_un ctl_addr;
	int ctl, data;
	bool connected;			/* the reply came */
	int64_t asked_at;
	size_t got;			/* bytes of the reply so far */
	struct uml_switch_addr reply;
};

static const char *daemon_parse(struct net_if *nif, char **f, int n)
{
	const char *err = net_parse_mac(n > 0 ? f[0] : "", nif->mac, &nif->have_mac);
	if (err)
		return err;
	if (n > 1 && *f[1] && strcmp(f[1], "unix"))
		return net_err("socket type '%s': only unix is supported (as UML)", f[1]);
	const char *ctl = n > 2 && *f[2] ? f[2] : "/tmp/uml.ctl";
	if (n > 4)
		return "expected daemon,MAC,unix,CTL[,DATA]";
	struct daemon_port *p = calloc(1, sizeof(*p));
	if (!p)
		return "out of memory";
	p->ctl = p->data = -1;
	p->ctl_addr.sun_family = AF_UNIX;
	if (strlen(ctl) >= sizeof(p->ctl_addr.sun_path))
		return net_err("%s: the socket path is too long", ctl);
	strcpy(p->ctl_addr.sun_path, ctl);
	nif->priv = p;
	snprintf(nif->desc, sizeof(nif->desc), "daemon %.80s", ctl);
	return NULL;
}

static void daemon_close(struct net_if *nif)
{
	struct daemon_port *p = nif->priv;
	if (p->ctl >= 0)
		close(p->ctl);
	if (p->data >= 0)
		close(p->data);
	p->ctl = p->data = -1;
	p->connected = false;
}

/* The data socket: abstract, bound with the whole sockaddr_un (the
 * switch compares every byte), named after our pid and the card. */
static int bind_data(struct net_if *nif, struct sockaddr_un *me)
{
	static unsigned seq;
	struct daemon_port *p = nif->priv;
	memset(me, 0, sizeof(*me));
	me->sun_family = AF_UNIX;
	snprintf(me->sun_path + 1, sizeof(me->sun_path) - 1, "umk.%d.%s.%u", (int)getpid(), nif->name, seq++);
	p->data = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->data < 0 || bind(p->data, (struct sockaddr *)me, sizeof(*me)) < 0)
		return -errno;
	int sz = 1 << 20;
	setsockopt(p->data, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(p->data, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return 0;
}

static int daemon_open(struct net_if *nif)
{
	struct daemon_port *p = nif->priv;
	struct sockaddr_un me;
	int err = bind_data(nif, &me);
	if (!err) {
		p->ctl = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (p->ctl < 0 || connect(p->ctl, (struct sockaddr *)&p->ctl_addr, sizeof(p->ctl_addr)) < 0)
			err = -errno;	/* EAGAIN: its backlog is full, like a refusal */
	}
	if (!err) {
		struct uml_switch_req_v3 rq;
		memset(&rq, 0, sizeof(rq));
		rq.magic = UML_SWITCH_MAGIC;
		rq.version = UML_SWITCH_VERSION;
		rq.type = UML_SWITCH_REQ_NEW_CONTROL;
		rq.sock.family = AF_UNIX;
		memcpy(rq.sock.path, me.sun_path, sizeof(rq.sock.path));
		ssize_t w = send(p->ctl, &rq, sizeof(rq), MSG_NOSIGNAL);
		if (w != (ssize_t)sizeof(rq))
			err = w < 0 ? -errno : -EPROTO;
	}
	if (!err)
		err = net_watch(nif, p->ctl);
	if (err) {
		daemon_close(nif);
		return err;
	}
	p->got = 0;
	p->asked_at = net_now();
	return 0;
}

/* The reply: the switch's data address; connect to it. */
static int take_reply(struct net_if *nif)
{
	struct daemon_port *p = nif->priv;
	ssize_t r = recv(p->ctl, (char *)&p->reply + p->got, sizeof(p->reply) - p->got, MSG_DONTWAIT);
	if (r == 0)
		return -ECONNRESET;
	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	p->got += (size_t)r;
	if (p->got < sizeof(p->reply))
		return 0;
	struct sockaddr_un sw;
	memset(&sw, 0, sizeof(sw));
	sw.sun_family = AF_UNIX;
	memcpy(sw.sun_path, p->reply.path, sizeof(sw.sun_path));
	/* connected: only the switch can send to us, and a full switch
	 * queue shows as EAGAIN and then as room (POLLOUT) */
	if (connect(p->data, (struct sockaddr *)&sw, sizeof(sw)) < 0)
		return -errno;
	int err = net_watch(nif, p->data);
	if (err)
		return err;
	p->connected = true;
	net_link_up(nif);
	return 0;
}

static int daemon_events(struct net_if *nif)
{
	struct daemon_port *p = nif->priv;
	if (!p->connected) {
		int err = take_reply(nif);
		if (!err && !p->connected && net_now() - p->asked_at > REPLY_WAIT)
			err = -ETIMEDOUT;
		return err;
	}
	/* after the reply the stream only ever ends */
	char b[64];
	ssize_t r = recv(p->ctl, b, sizeof(b), MSG_DONTWAIT);
	if (r == 0)
		return -ECONNRESET;
	if (r < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static int64_t daemon_timeout(struct net_if *nif)
{
	struct daemon_port *p = nif->priv;
	if (p->connected)
		return -1;
	int64_t t = p->asked_at + REPLY_WAIT - net_now();
	return t > 0 ? t : 0;
}

static int daemon_recv(struct net_if *nif, struct net_buf *bufs, int count, unsigned *oversize)
{
	struct daemon_port *p = nif->priv;
	return p->connected ? net_sock_recv(p->data, bufs, count, oversize) : 0;
}

static int daemon_send(struct net_if *nif, const struct net_buf *frames, int count)
{
	struct daemon_port *p = nif->priv;
	return net_sock_send(nif, p->data, frames, count, NULL, 0);
}

/* The largest frame umk-switch takes (uml_switch itself cuts at 1514):
 * 64 KiB with the Ethernet header and an 802.1Q tag. */
static const struct net_transport daemon_transport = {
	.name = "daemon", .parse_eth = daemon_parse, .open = daemon_open, .close = daemon_close,
	.recv = daemon_recv, .send = daemon_send, .events = daemon_events, .timeout = daemon_timeout,
	.max_mtu = UML_SWITCH_FRAME_MAX - 14 - 4, .reconnect = true,
};
NET_TRANSPORT(daemon_transport);
