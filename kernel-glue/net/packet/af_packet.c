/* AF_PACKET sockets: frames straight from and to the network devices.
 * A socket hears one EtherType (ETH_P_ALL: every frame, the sent ones
 * too, as PACKET_OUTGOING) on one device or on all; SOCK_RAW frames
 * keep their link header, SOCK_DGRAM ones are "cooked" (the header is
 * gone and its facts are in the sockaddr_ll). Root only, as Linux's
 * CAP_NET_RAW. This file: creation, bind, names, poll, ioctls, and what
 * a device going down or up does to a bound socket. */
#include <umk/capability.h>
#include <umk/sched.h>
#include <umk/uaccess.h>
#include <umk/filter.h>
#include <asm/ioctls.h>
#include <linux/sockios.h>
#include "packet.h"

LIST_HEAD(packet_socks);
static const struct proto_ops packet_ops;

void packet_hook(struct packet_sock *po)
{
	if (!po->running) {
		dev_add_pack(&po->pt);
		po->running = true;
	}
}

void packet_unhook(struct packet_sock *po)
{
	if (po->running) {
		dev_remove_pack(&po->pt);
		po->running = false;
	}
}

static int packet_create(struct socket *s, int protocol)
{
	if (!capable(CAP_NET_RAW))
		return -EPERM;
	if (s->type == SOCK_PACKET) {
		/* Linux 2.0's interface, superseded by SOCK_RAW in 2.2 */
		static bool told;
		if (!told)
			printk(KERN_INFO "%s (pid %d) asked for obsolete SOCK_PACKET sockets: not supported\n",
			       current->comm, current->tgid);
		told = true;
		return -ESOCKTNOSUPPORT;
	}
	if (s->type != SOCK_RAW && s->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	struct packet_sock *po = kzalloc(sizeof(*po));
	po->sock = s;
	po->num = pkt_ntohs((uint16_t)protocol);	/* network order, as documented */
	po->pt.type = po->num;
	po->pt.func = packet_rcv;
	po->pt.priv = po;
	INIT_LIST_HEAD(&po->pt.list);
	skb_queue_init(&po->rq);
	init_waitqueue_head(&po->wq);
	po->stamp = -1;
	s->sk = po;
	s->ops = &packet_ops;
	list_add_tail(&po->all, &packet_socks);
	if (po->num)
		packet_hook(po);
	return 0;
}

static int packet_release(struct socket *s)
{
	struct packet_sock *po = pkt_sk(s);
	if (!po)
		return 0;
	list_del(&po->all);
	packet_unhook(po);
	packet_mc_flush(po);
	packet_set_ring(po, &(struct tpacket_req3){ 0 }, true);
	skb_queue_purge(&po->rq);
	wake_up(&po->wq);	/* a poller still queued here leaves harmlessly */
	while (!list_empty(&po->wq.head))
		list_del(po->wq.head.next);
	s->sk = NULL;
	kfree(po);
	return 0;
}

/* Linux's packet_do_bind: a new protocol or device takes the tap off
 * and puts it back; a down device leaves it off with ENETDOWN pending. */
static int packet_do_bind(struct packet_sock *po, int ifindex, uint16_t proto)
{
	struct net_device *dev = NULL;
	if (ifindex) {
		dev = dev_get_by_index(ifindex);
		if (!dev)
			return -ENODEV;
	}
	bool rehook = po->pt.type != proto || po->pt.dev != dev;
	if (rehook) {
		packet_unhook(po);
		po->num = proto;
		po->pt.type = proto;
		po->pt.dev = dev;
		po->ifindex = dev ? dev->ifindex : 0;
	}
	if (!proto || !rehook)
		return 0;
	if (!dev || (dev->flags & IFF_UP)) {
		packet_hook(po);
	} else {
		po->sock->err = ENETDOWN;
		wake_up(&po->wq);
	}
	return 0;
}

static int packet_bind(struct socket *s, const void *addr, int len)
{
	const struct sockaddr_ll *sll = addr;
	if (len < (int)sizeof(*sll) || sll->sll_family != AF_PACKET)
		return -EINVAL;
	struct packet_sock *po = pkt_sk(s);
	return packet_do_bind(po, sll->sll_ifindex, sll->sll_protocol ? pkt_ntohs(sll->sll_protocol) : po->num);
}

static int packet_getname(struct socket *s, void *addr, bool peer)
{
	if (peer)
		return -EOPNOTSUPP;
	struct packet_sock *po = pkt_sk(s);
	struct sockaddr_ll *sll = addr;
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = po->ifindex;
	sll->sll_protocol = pkt_ntohs(po->num);
	struct net_device *dev = po->ifindex > 0 ? dev_get_by_index(po->ifindex) : NULL;
	if (dev) {
		sll->sll_hatype = dev->type;
		sll->sll_halen = dev->addr_len;
		/* longer addresses run on past the struct, as Linux's */
		memcpy(sll->sll_addr, dev->dev_addr, dev->addr_len);
	}
	return (int)offsetof(struct sockaddr_ll, sll_addr) + sll->sll_halen;
}

static unsigned packet_poll(struct file *f, struct socket *s, struct poll_table *pt)
{
	struct packet_sock *po = pkt_sk(s);
	unsigned mask = 0;
	poll_wait(f, &po->wq, pt);
	if (s->err)
		mask |= POLLERR;
	if (po->rq.qlen || (po->rx_ring.pages && packet_ring_readable(po)))
		mask |= POLLIN | POLLRDNORM;
	return mask | POLLOUT | POLLWRNORM | POLLWRBAND;	/* sends never wait */
}

/* SIOCGSTAMP/SIOCGSTAMPNS: when the last frame read arrived (Linux's
 * sock_gettstamp: ENOENT before any; asking starts keeping them). */
static long packet_gettstamp(struct packet_sock *po, unsigned long arg, bool ns)
{
	po->stamp_on = true;
	if (po->stamp < 0)
		return -ENOENT;
	if (!po->stamp)
		po->stamp = ktime_real_ns();
	int64_t t[2] = { po->stamp / 1000000000, po->stamp % 1000000000 };
	if (!ns)
		t[1] /= 1000;
	return copy_to_user(arg, t, sizeof(t)) ? -EFAULT : 0;
}

static long packet_ioctl(struct socket *s, unsigned cmd, unsigned long arg)
{
	struct packet_sock *po = pkt_sk(s);
	int v;
	switch (cmd) {
	case SIOCINQ: {
		struct sk_buff *skb = skb_peek(&po->rq);
		v = skb ? (int)skb->len : 0;
		break;
	}
	case SIOCOUTQ:
		v = 0;	/* sends are handed to the device at once */
		break;
	case SIOCGSTAMP_OLD:
		return packet_gettstamp(po, arg, false);
	case SIOCGSTAMPNS_OLD:
		return packet_gettstamp(po, arg, true);
	default:
		return -ENOIOCTLCMD;	/* perhaps a device ioctl */
	}
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int packet_shutdown(struct socket *s __unused, int how __unused)
{
	return -EOPNOTSUPP;
}

static const struct proto_ops packet_ops = {
	.release = packet_release, .bind = packet_bind, .getname = packet_getname, .poll = packet_poll,
	.shutdown = packet_shutdown, .sendmsg = packet_sendmsg, .recvmsg = packet_recvmsg, .ioctl = packet_ioctl,
	.setsockopt = packet_setsockopt, .getsockopt = packet_getsockopt, .mmap = packet_mmap,
	.map_page = packet_map_page, .runs_filters = true,
};

static const struct net_family packet_family = { .family = AF_PACKET, .create = packet_create };
DEFINE_NET_FAMILY(packet_family);

/* A bound device going down takes the tap off (ENETDOWN pending), its
 * coming back up puts it back; a device going away (hot-unplug) also
 * takes the socket's memberships on it, and leaves the socket bound to
 * nothing (ifindex -1: it hears nothing, sends fail), as Linux's
 * packet_notifier. */
static void packet_netdev_event(struct net_device *dev, enum netdev_event ev)
{
	struct packet_sock *po;
	list_for_each_entry(po, &packet_socks, all) {
		if (ev == NETDEV_UNREGISTER)
			packet_mc_dev_gone(po, dev);
		if (po->ifindex != dev->ifindex)
			continue;
		if ((ev == NETDEV_DOWN || ev == NETDEV_UNREGISTER) && po->running) {
			packet_unhook(po);
			po->sock->err = ENETDOWN;
			wake_up(&po->wq);
		} else if (ev == NETDEV_UP && po->num) {
			packet_hook(po);
		}
		if (ev == NETDEV_UNREGISTER) {
			po->ifindex = -1;
			po->pt.dev = NULL;
		}
	}
}
static const struct netdev_notifier packet_notifier = { .fn = packet_netdev_event };
DEFINE_NETDEV_NOTIFIER(packet_notifier);
