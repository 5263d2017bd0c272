/* AF_PACKET sockets: frames straight from and to a network device, as
 * Linux's af_packet without the mapped rings. SOCK_RAW sees and sends
 * whole frames (link header included); SOCK_DGRAM the payload, the link
 * header made from the address given. A socket hears one EtherType
 * (ETH_P_ALL: every frame, sent ones too) on one device or on all of
 * them; PACKET_ADD_MEMBERSHIP puts a device in promiscuous or
 * all-multicast mode for as long as the socket holds it. Root only
 * (Linux: CAP_NET_RAW). tcpdump, udhcpc and arping speak this. */
#include <umk/net.h>
#include <umk/netdevice.h>
#include <umk/sched.h>
#include <umk/uaccess.h>
#include <umk/wait.h>
#include <linux/if_packet.h>

#define SOL_PACKET 263
#define PACKET_MAX_MEMBERSHIPS 8

static uint16_t be16(uint16_t v) { return (uint16_t)(v << 8 | v >> 8); }

struct membership {
	int ifindex;
	int type;	/* PACKET_MR_PROMISC or PACKET_MR_ALLMULTI */
};

struct packet_sock {
	struct socket *sock;
	struct packet_type pt;
	bool hooked;			/* pt is on the device layer's list */
	int ifindex;			/* bound device, 0: any */
	uint16_t proto;			/* host order; 0: hears nothing */
	struct sk_buff_head rq;
	struct wait_queue_head wq;
	struct membership mr[PACKET_MAX_MEMBERSHIPS];
	int nmr;
	struct list_head all;		/* every packet socket, for device removal */
};

static LIST_HEAD(packet_socks);

/* What recvmsg reports about a frame, kept in skb->cb. */
struct packet_cb {
	int ifindex;
	uint16_t hatype, protocol;
	uint8_t pkttype, halen;
	uint8_t addr[8];
};

static struct packet_sock *pkt_sk(struct socket *s) { return s->sk; }

/* The device layer hands us a copy with data at the network header and
 * the link header at skb_mac_header (sent frames included). */
static int packet_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt)
{
	struct packet_sock *p = pt->priv;
	struct socket *s = p->sock;
	struct packet_cb cb = { .ifindex = dev->ifindex, .hatype = dev->type, .protocol = skb->protocol,
				.pkttype = skb->pkt_type };
	if (skb->mac_off >= 0 && dev->hard_header_len && (int)(skb->data - skb->head) >= skb->mac_off + ETH_HLEN) {
		const uint8_t *mac = skb_mac_header(skb);
		cb.halen = dev->addr_len;
		memcpy(cb.addr, mac + ETH_ALEN, ETH_ALEN);	/* the source, as Linux */
		if (s->type == SOCK_RAW) {
			size_t hl = (size_t)(skb->data - mac);
			skb->data -= hl;
			skb->len += (uint32_t)hl;
		}
	}
	if (p->rq.bytes + skb->len > (size_t)s->rcvbuf) {
		kfree_skb(skb);	/* the reader is behind: the socket's loss */
		return 0;
	}
	memcpy(skb->cb, &cb, sizeof(cb));
	skb_queue_tail(&p->rq, skb);
	wake_up(&p->wq);
	return 0;
}

static void unhook(struct packet_sock *p)
{
	if (p->hooked) {
		dev_remove_pack(&p->pt);
		p->hooked = false;
	}
}

/* (Re)listen for proto on the bound device. */
static void hook(struct packet_sock *p)
{
	unhook(p);
	if (!p->proto)
		return;
	p->pt.type = p->proto;
	p->pt.dev = p->ifindex ? dev_get_by_index(p->ifindex) : NULL;
	if (p->ifindex && !p->pt.dev)
		return;
	dev_add_pack(&p->pt);
	p->hooked = true;
}

static void drop_membership(struct packet_sock *p, int i)
{
	struct net_device *dev = dev_get_by_index(p->mr[i].ifindex);
	if (dev && p->mr[i].type == PACKET_MR_PROMISC)
		dev_set_promiscuity(dev, -1);
	else if (dev)
		dev_set_allmulti(dev, -1);
	p->mr[i] = p->mr[--p->nmr];
}

static int packet_release(struct socket *s)
{
	struct packet_sock *p = pkt_sk(s);
	unhook(p);
	while (p->nmr)
		drop_membership(p, p->nmr - 1);
	skb_queue_purge(&p->rq);
	list_del(&p->all);
	kfree(p);
	s->sk = NULL;
	return 0;
}

static int packet_bind(struct socket *s, const void *addr, int len)
{
	struct packet_sock *p = pkt_sk(s);
	const struct sockaddr_ll *sll = addr;
	if (len < (int)sizeof(*sll) || sll->sll_family != AF_PACKET)
		return -EINVAL;
	if (sll->sll_ifindex && !dev_get_by_index(sll->sll_ifindex))
		return -ENODEV;
	p->ifindex = sll->sll_ifindex;
	if (sll->sll_protocol)
		p->proto = be16(sll->sll_protocol);
	hook(p);
	return 0;
}

static int packet_getname(struct socket *s, void *addr, bool peer)
{
	struct packet_sock *p = pkt_sk(s);
	if (peer)
		return -EOPNOTSUPP;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = be16(p->proto), .sll_ifindex = p->ifindex };
	struct net_device *dev = p->ifindex ? dev_get_by_index(p->ifindex) : NULL;
	if (dev) {
		sll.sll_hatype = dev->type;
		sll.sll_halen = dev->addr_len;
		memcpy(sll.sll_addr, dev->dev_addr, dev->addr_len);
	}
	memcpy(addr, &sll, sizeof(sll));
	return (int)(offsetof(struct sockaddr_ll, sll_addr) + sll.sll_halen);
}

static unsigned packet_poll(struct file *f, struct socket *s, struct poll_table *pt)
{
	struct packet_sock *p = pkt_sk(s);
	poll_wait(f, &p->wq, pt);
	unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;
	if (p->rq.qlen)
		mask |= POLLIN | POLLRDNORM;
	if (s->err)
		mask |= POLLERR;
	return mask;
}

static ssize_t packet_sendmsg(struct socket *s, struct kmsg *m, unsigned flags __unused)
{
	struct packet_sock *p = pkt_sk(s);
	const struct sockaddr_ll *sll = (const struct sockaddr_ll *)&m->name;
	int ifindex = p->ifindex;
	uint16_t proto = p->proto;
	const uint8_t *daddr = NULL;
	if (m->namelen) {
		if (m->namelen < (int)offsetof(struct sockaddr_ll, sll_addr) || sll->sll_family != AF_PACKET)
			return -EINVAL;
		ifindex = sll->sll_ifindex;
		proto = be16(sll->sll_protocol);
		daddr = sll->sll_addr;
		if (s->type == SOCK_DGRAM && (sll->sll_halen < ETH_ALEN ||
					      m->namelen < (int)offsetof(struct sockaddr_ll, sll_addr) + ETH_ALEN))
			return -EINVAL;
	}
	struct net_device *dev = ifindex ? dev_get_by_index(ifindex) : NULL;
	if (!dev)
		return -ENXIO;
	if (!(dev->flags & IFF_UP))
		return -ENETDOWN;
	size_t hl = s->type == SOCK_RAW ? 0 : dev->hard_header_len;
	size_t limit = dev->mtu + (s->type == SOCK_RAW ? dev->hard_header_len : 0);
	if (m->it.len > limit)
		return -EMSGSIZE;
	if (s->type == SOCK_RAW && m->it.len < dev->hard_header_len)
		return -EINVAL;
	struct sk_buff *skb = alloc_skb(16 + hl, m->it.len);
	if (!skb)
		return -ENOBUFS;
	if (miter_from(&m->it, 0, skb_put(skb, m->it.len), m->it.len)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	if (s->type == SOCK_DGRAM && dev->type == ARPHRD_ETHER) {
		if (!daddr) {
			kfree_skb(skb);
			return -EDESTADDRREQ;
		}
		eth_header(skb, dev, proto, daddr, NULL);
	}
	skb->dev = dev;
	skb->protocol = proto;
	int err = dev_queue_xmit(skb);
	return err ? err : (ssize_t)m->it.len;
}

static ssize_t packet_recvmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct packet_sock *p = pkt_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, true);
	while (!p->rq.qlen) {
		if (s->err) {
			int e = s->err;
			s->err = 0;
			return -e;
		}
		long err = wait_event_interruptible_deadline(p->wq, p->rq.qlen || s->err, deadline);
		if (err)
			return sock_wait_error(s, err, true);
	}
	struct sk_buff *skb = skb_peek(&p->rq);
	size_t n = MIN(m->it.len, skb->len);
	if (miter_to(&m->it, 0, skb->data, n))
		return -EFAULT;
	struct packet_cb cb;
	memcpy(&cb, skb->cb, sizeof(cb));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = be16(cb.protocol), .sll_ifindex = cb.ifindex,
				   .sll_hatype = cb.hatype, .sll_pkttype = cb.pkttype, .sll_halen = cb.halen };
	memcpy(sll.sll_addr, cb.addr, sizeof(sll.sll_addr));
	memcpy(&m->name, &sll, sizeof(sll));
	m->namelen = sizeof(sll);
	size_t full = skb->len;
	if (n < full)
		m->flags |= MSG_TRUNC;
	if (!(flags & MSG_PEEK))
		kfree_skb(skb_dequeue(&p->rq));
	return (flags & MSG_TRUNC) ? (ssize_t)full : (ssize_t)n;
}

static int membership(struct packet_sock *p, bool add, uaddr_t val, int len)
{
	struct packet_mreq mr;
	if (len < (int)sizeof(mr))
		return -EINVAL;
	if (copy_from_user(&mr, val, sizeof(mr)))
		return -EFAULT;
	struct net_device *dev = dev_get_by_index(mr.mr_ifindex);
	if (!dev)
		return -ENODEV;
	/* no multicast address lists here: a group asks for all of them */
	int type = mr.mr_type == PACKET_MR_PROMISC ? PACKET_MR_PROMISC : PACKET_MR_ALLMULTI;
	if (mr.mr_type != PACKET_MR_PROMISC && mr.mr_type != PACKET_MR_ALLMULTI && mr.mr_type != PACKET_MR_MULTICAST)
		return -EINVAL;
	if (!add) {
		for (int i = 0; i < p->nmr; i++)
			if (p->mr[i].ifindex == mr.mr_ifindex && p->mr[i].type == type) {
				drop_membership(p, i);
				return 0;
			}
		return -EADDRNOTAVAIL;
	}
	if (p->nmr == PACKET_MAX_MEMBERSHIPS)
		return -ENOBUFS;
	p->mr[p->nmr++] = (struct membership){ mr.mr_ifindex, type };
	if (type == PACKET_MR_PROMISC)
		dev_set_promiscuity(dev, 1);
	else
		dev_set_allmulti(dev, 1);
	return 0;
}

static int packet_setsockopt(struct socket *s, int level, int name, uaddr_t val, int len)
{
	if (level != SOL_PACKET)
		return -ENOPROTOOPT;
	if (name == PACKET_ADD_MEMBERSHIP || name == PACKET_DROP_MEMBERSHIP)
		return membership(pkt_sk(s), name == PACKET_ADD_MEMBERSHIP, val, len);
	return -ENOPROTOOPT;
}

static const struct proto_ops packet_ops = {
	.release = packet_release, .bind = packet_bind, .getname = packet_getname, .poll = packet_poll,
	.sendmsg = packet_sendmsg, .recvmsg = packet_recvmsg, .setsockopt = packet_setsockopt,
};

static int packet_create(struct socket *s, int protocol)
{
	if (s->type != SOCK_RAW && s->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (current->cred.euid != 0)
		return -EPERM;
	struct packet_sock *p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->sock = s;
	skb_queue_init(&p->rq);
	init_waitqueue_head(&p->wq);
	INIT_LIST_HEAD(&p->pt.list);
	p->pt.func = packet_rcv;
	p->pt.priv = p;
	p->proto = be16((uint16_t)protocol);
	list_add_tail(&p->all, &packet_socks);
	s->sk = p;
	s->ops = &packet_ops;
	hook(p);
	return 0;
}

/* A device goes (hot-unplug): sockets bound to it hear nothing more and
 * their sends fail, as Linux's packet_notifier leaves them (ifindex -1). */
static void packet_netdev_event(struct net_device *dev, enum netdev_event ev)
{
	if (ev != NETDEV_UNREGISTER)
		return;
	struct packet_sock *p;
	list_for_each_entry(p, &packet_socks, all)
		if (p->ifindex == dev->ifindex) {
			unhook(p);
			p->ifindex = -1;
		}
}
static const struct netdev_notifier packet_notifier = { .fn = packet_netdev_event };
DEFINE_NETDEV_NOTIFIER(packet_notifier);

static const struct net_family packet_family = { .family = AF_PACKET, .create = packet_create };
DEFINE_NET_FAMILY(packet_family);
