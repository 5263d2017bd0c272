/* ethN=mcast,MAC,ADDR,PORT,TTL: a LAN of guests over host UDP multicast,
 * as UML's mcast transport (and interoperable with it): every card joins
 * the group ADDR:PORT (UML's defaults 239.192.168.1, 1102, TTL 1 when
 * fields are empty) and each frame is one datagram to the group, so the
 * segment is a hub. Multicast loopback is on (other guests on this host
 * are members); the copies of our own frames that come back are dropped
 * by their source address. No privileges; no switch to lose: the link is
 * always up. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "net_host.h"

struct mcast_link {
	struct sockaddr_in group;
	int ttl;
	int fd;
};

static const char *mcast_parse(struct net_if *nif, char **f, int n)
{
	if (n > 4)
		return "expected mcast,MAC,ADDR,PORT,TTL";
	const char *err = net_parse_mac(n > 0 ? f[0] : "", nif->mac, &nif->have_mac);
	if (err)
		return err;
	struct mcast_link *m = calloc(1, sizeof(*m));
	if (!m)
		return "out of memory";
	const char *addr = n > 1 && *f[1] ? f[1] : "239.192.168.1";
	m->group.sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &m->group.sin_addr) != 1)
		return net_err("'%s' is not an IPv4 address", addr);
	if (!IN_MULTICAST(ntohl(m->group.sin_addr.s_addr)))
		return net_err("%s is not a multicast address (224.0.0.0/4)", addr);
	unsigned long v = 1102;
	if (n > 2 && *f[2] && net_parse_uint(f[2], 1, 65535, &v))
		return net_err("port '%s': expected 1 to 65535", f[2]);
	m->group.sin_port = htons((uint16_t)v);
	v = 1;
	if (n > 3 && *f[3] && net_parse_uint(f[3], 0, 255, &v))
		return net_err("ttl '%s': expected 0 to 255", f[3]);
	m->ttl = (int)v;
	m->fd = -1;
	nif->priv = m;
	snprintf(nif->desc, sizeof(nif->desc), "mcast %s:%lu ttl %d", addr, (unsigned long)ntohs(m->group.sin_port),
		 m->ttl);
	return NULL;
}

static void mcast_close(struct net_if *nif)
{
	struct mcast_link *m = nif->priv;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

static int mcast_open(struct net_if *nif)
{
	struct mcast_link *m = nif->priv;
	int one = 1, loop = 1;
	struct ip_mreq mreq = { .imr_multiaddr = m->group.sin_addr, .imr_interface.s_addr = htonl(INADDR_ANY) };
	m->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err = m->fd < 0 ? -errno : 0;
	/* several guests of this host bind the same group and port */
	if (!err && (setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		     setsockopt(m->fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
		     setsockopt(m->fd, IPPROTO_IP, IP_MULTICAST_TTL, &m->ttl, sizeof(m->ttl)) < 0 ||
		     setsockopt(m->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0 ||
		     bind(m->fd, (struct sockaddr *)&m->group, sizeof(m->group)) < 0 ||
		     setsockopt(m->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0))
		err = -errno;
	return net_open_done(nif, m->fd, err);
}

/* (our own frames come back by the multicast loopback) */
static int mcast_recv(struct net_if *nif, struct net_buf *bufs, int count, unsigned *oversize)
{
	struct mcast_link *m = nif->priv;
	return net_sock_recv_others(nif, m->fd, bufs, count, oversize);
}

static int mcast_send(struct net_if *nif, const struct net_buf *frames, int count)
{
	struct mcast_link *m = nif->priv;
	return net_sock_send(nif, m->fd, frames, count, (struct sockaddr *)&m->group, sizeof(m->group));
}

/* A UDP datagram carries 65507 bytes: the frame, its header and a tag. */
static const struct net_transport mcast_transport = {
	.name = "mcast", .parse_eth = mcast_parse, .open = mcast_open, .close = mcast_close, .recv = mcast_recv,
	.send = mcast_send, .max_mtu = 65507 - 14 - 4,
};
NET_TRANSPORT(mcast_transport);
