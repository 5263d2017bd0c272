/* vecN:transport=raw,ifname=IF: the card's frames go out of and come in
 * from a host interface (typically one end of a veth pair) through a
 * packet socket, as UML's vector raw transport. That needs CAP_NET_RAW:
 * without it umk stops at boot with one line saying so. The interface is
 * put in promiscuous mode while the card is up (frames for the guest's
 * own address must be received), the host's copies of the frames the
 * card sends are ignored (PACKET_IGNORE_OUTGOING) and so are frames
 * carrying the card's own source address, as UML's default filter does.
 * The MTU is at most the host interface's. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "net_host.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

struct raw_port {
	char ifname[IFNAMSIZ];
	int fd;
};

static const char *raw_parse_vec(struct net_if *nif, const struct net_kv *kv, int n)
{
	const char *ifname = NULL;
	for (int i = 0; i < n; i++) {
		if (!strcmp(kv[i].key, "ifname"))
			ifname = kv[i].val;
		else if (!strcmp(kv[i].key, "bpffile") || !strcmp(kv[i].key, "bpfflash"))
			return net_err("%s= (a BPF program) is not supported by umk", kv[i].key);
		else
			return net_err("%s= is not a key of transport=raw (ifname=IF)", kv[i].key);
	}
	if (!ifname)
		return "transport=raw needs ifname=IF";
	const char *err = net_check_ifname(ifname);
	if (err)
		return err;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0 && (errno == EPERM || errno == EACCES))
		return "transport=raw needs CAP_NET_RAW (run umk as root, or setcap cap_net_raw+ep on it)";
	if (fd < 0)
		return net_err("cannot open a packet socket: %s", strerror(errno));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int r = ioctl(fd, SIOCGIFMTU, &ifr);
	close(fd);
	if (r < 0)
		return net_err("there is no interface %s", ifname);
	nif->max_mtu = (unsigned)ifr.ifr_mtu;
	struct raw_port *p = calloc(1, sizeof(*p));
	if (!p)
		return "out of memory";
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	p->fd = -1;
	nif->priv = p;
	snprintf(nif->desc, sizeof(nif->desc), "raw %s", ifname);
	return NULL;
}

static void raw_close(struct net_if *nif)
{
	struct raw_port *p = nif->priv;
	if (p->fd >= 0)
		close(p->fd);	/* also ends the promiscuous membership */
	p->fd = -1;
}

static int raw_open(struct net_if *nif)
{
	struct raw_port *p = nif->priv;
	int ifindex = (int)if_nametoindex(p->ifname);
	if (!ifindex)
		return -ENODEV;
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (p->fd < 0)
		return -errno;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifindex };
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC };
	int one = 1, err = 0;
	/* an old host kernel without it: the source address check remains */
	setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		err = -errno;
	return net_open_done(nif, p->fd, err);
}

static int raw_recv(struct net_if *nif, struct net_buf *bufs, int count, unsigned *oversize)
{
	struct raw_port *p = nif->priv;
	return net_sock_recv_others(nif, p->fd, bufs, count, oversize);
}

static int raw_send(struct net_if *nif, const struct net_buf *frames, int count)
{
	struct raw_port *p = nif->priv;
	return net_sock_send(nif, p->fd, frames, count, NULL, 0);
}

static const struct net_transport raw_transport = {
	.vec_name = "raw", .parse_vec = raw_parse_vec, .open = raw_open, .close = raw_close, .recv = raw_recv,
	.send = raw_send, .max_mtu = 65535 - 14,
};
NET_TRANSPORT(raw_transport);
