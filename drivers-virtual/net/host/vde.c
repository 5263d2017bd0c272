/* ethN=vde,SOCKET[,MAC[,PORT[,GROUP[,MODE[,DESCRIPTION]]]]] (UML's vde
 * transport) and vecN:transport=vde,vnl=URL (the vector driver's, UML
 * 6.16): a plug made by libvdeplug. SOCKET is a vde_switch directory or
 * any vdeplug4 URL (vde:///tmp/sw, vxvde://239.1.2.3, tap://tap0,
 * cmd://"ssh host vde_plug"). libvdeplug's modules hide their sockets, so
 * frames go one vde_recv/vde_send at a time, each after a poll saying
 * the plug is ready (its fds may block). The switch going away shows as
 * EOF on the plug's control fd. */
#include <errno.h>
#include <libvdeplug.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "net_host.h"

struct vde_plug {
	char *url, *descr;
	struct vde_open_args args;
	VDECONN *conn;
	int data, ctl;
};

static struct vde_plug *new_plug(struct net_if *nif, const char *url)
{
	struct vde_plug *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->url = strdup(url);
	v->data = v->ctl = -1;
	v->args.mode = 0700;
	nif->priv = v;
	snprintf(nif->desc, sizeof(nif->desc), "vde %.80s", url);
	return v;
}

static const char *vde_parse(struct net_if *nif, char **f, int n)
{
	if (n < 1 || !*f[0])
		return "expected vde,SOCKET[,MAC[,PORT[,GROUP[,MODE[,DESCRIPTION]]]]]";
	if (n > 6)
		return "too many fields for vde";
	struct vde_plug *v = new_plug(nif, f[0]);
	if (!v)
		return "out of memory";
	const char *err = net_parse_mac(n > 1 ? f[1] : "", nif->mac, &nif->have_mac);
	if (err)
		return err;
	unsigned long x;
	if (n > 2 && *f[2]) {
		if (net_parse_uint(f[2], 0, 65535, &x))
			return net_err("port '%s': expected a switch port number", f[2]);
		v->args.port = (int)x;
	}
	if (n > 3 && *f[3])
		v->args.group = strdup(f[3]);
	if (n > 4 && *f[4]) {
		char *end;
		x = strtoul(f[4], &end, 8);
		if (*end || x > 07777)
			return net_err("mode '%s': expected octal permissions like 0700", f[4]);
		v->args.mode = (int)x;
	}
	if (n > 5 && *f[5])
		v->descr = strdup(f[5]);
	return NULL;
}

static const char *vde_parse_vec(struct net_if *nif, const struct net_kv *kv, int n)
{
	const char *url = NULL;
	for (int i = 0; i < n; i++) {
		if (strcmp(kv[i].key, "vnl"))
			return net_err("%s= is not a key of transport=vde (vnl=URL)", kv[i].key);
		url = kv[i].val;
	}
	if (!url || !*url)
		return "transport=vde needs vnl=URL";
	return new_plug(nif, url) ? NULL : "out of memory";
}

static void vde_close_plug(struct net_if *nif)
{
	struct vde_plug *v = nif->priv;
	if (v->conn)
		vde_close(v->conn);
	v->conn = NULL;
	v->data = v->ctl = -1;
}

static int vde_open_plug(struct net_if *nif)
{
	struct vde_plug *v = nif->priv;
	char descr[64];
	snprintf(descr, sizeof(descr), "umk %s pid %d", nif->name, (int)getpid());
	errno = 0;
	v->conn = vde_open(v->url, v->descr ? v->descr : descr, &v->args);
	if (!v->conn)
		return errno ? -errno : -ECONNREFUSED;
	v->data = vde_datafd(v->conn);
	v->ctl = vde_ctlfd(v->conn);
	int err = v->ctl >= 0 && v->ctl != v->data ? net_watch(nif, v->ctl) : 0;
	return net_open_done(nif, v->data, err);
}

/* fd's poll events among ev (and POLLERR/POLLHUP), without waiting. */
static short ready(int fd, short ev)
{
	struct pollfd p = { fd, ev, 0 };
	return poll(&p, 1, 0) > 0 ? p.revents : 0;
}

static int vde_events(struct net_if *nif)
{
	struct vde_plug *v = nif->priv;
	if (v->ctl < 0 || v->ctl == v->data || !ready(v->ctl, POLLIN))
		return 0;
	char b[256];
	ssize_t r = read(v->ctl, b, sizeof(b));
	return r == 0 ? -ECONNRESET : r < 0 && errno != EAGAIN ? -errno : 0;
}

/* (A frame too long for the buffer cannot be told from a whole one
 * here: libvdeplug truncates silently, so *oversize stays 0.) */
static int vde_recv_frames(struct net_if *nif, struct net_buf *bufs, int count, unsigned *oversize __attribute__((unused)))
{
	struct vde_plug *v = nif->priv;
	int got = 0;
	short ev;
	while (got < count && (ev = ready(v->data, POLLIN))) {
		if (!(ev & POLLIN))
			return got ? got : -ECONNRESET;	/* a plug's stream ended */
		ssize_t r = vde_recv(v->conn, bufs[got].data, bufs[got].len, 0);
		if (r < 0)
			return got ? got : (errno == EAGAIN ? 0 : -errno);
		bufs[got++].len = (size_t)r;	/* 0: a plug's "nothing after all" */
	}
	return got;
}

static int vde_send_frames(struct net_if *nif, const struct net_buf *frames, int count)
{
	struct vde_plug *v = nif->priv;
	for (int i = 0; i < count; i++) {
		if (!ready(v->data, POLLOUT)) {
			net_want_write(nif, v->data, true);
			return i;
		}
		if (vde_send(v->conn, frames[i].data, frames[i].len, 0) < 0 && errno != EAGAIN)
			return i ? i : -errno;
	}
	net_want_write(nif, v->data, false);
	return count;
}

/* vde_switch's packet buffer holds a 1500-byte payload (and a tag). */
static const struct net_transport vde_transport = {
	.name = "vde", .vec_name = "vde", .parse_eth = vde_parse, .parse_vec = vde_parse_vec, .open = vde_open_plug,
	.close = vde_close_plug, .recv = vde_recv_frames, .send = vde_send_frames, .events = vde_events,
	.max_mtu = 1500, .reconnect = true,
};
NET_TRANSPORT(vde_transport);
