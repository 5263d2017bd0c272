/* The device layer: the list of network devices, their configuration,
 * and the receive and send paths. Received frames are queued and handed
 * to the protocols by one loop (net_rx_action), so a protocol that
 * answers at once (ARP, ICMP echo on lo) never recurses into itself:
 * what it sends on lo is delivered by the same loop, after it returns. */
#include <umk/netdevice.h>
#include <umk/sched.h>
#include <umk/uevent.h>

static LIST_HEAD(devices);
static int next_ifindex = 1;
static LIST_HEAD(taps);		/* dev_add_pack: ETH_P_ALL and dynamic types */
static struct sk_buff_head backlog = { LIST_HEAD_INIT(backlog.list), 0, 0 };
static bool in_rx;

umk_section_declare(struct packet_type *const, umk_packet_types);
umk_section_declare(const struct netdev_notifier *const, umk_netdev_notifiers);

static void notify(struct net_device *dev, enum netdev_event ev)
{
	umk_section_foreach(const struct netdev_notifier *const, umk_netdev_notifiers, n)
		(*n)->fn(dev, ev);
}

struct net_device *next_netdev(struct net_device *prev)
{
	struct list_head *p = prev ? prev->list.next : devices.next;
	return p == &devices ? NULL : list_entry(p, struct net_device, list);
}

struct net_device *dev_get_by_name(const char *name)
{
	for_each_netdev(d)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

struct net_device *dev_get_by_index(int ifindex)
{
	for_each_netdev(d)
		if (d->ifindex == ifindex)
			return d;
	return NULL;
}

/* "eth%d": the lowest number not taken. */
static int pick_name(struct net_device *dev)
{
	char *pct = strchr(dev->name, '%');
	if (!pct)
		return dev_get_by_name(dev->name) ? -EEXIST : 0;
	size_t plen = (size_t)(pct - dev->name);
	char pfx[IFNAMSIZ];
	memcpy(pfx, dev->name, plen);
	pfx[plen] = 0;
	for (int n = 0; n < 1000; n++) {
		char cand[IFNAMSIZ];
		snprintf(cand, sizeof(cand), "%s%d", pfx, n);
		if (!dev_get_by_name(cand)) {
			strlcpy(dev->name, cand, sizeof(dev->name));
			return 0;
		}
	}
	return -ENFILE;
}

static void net_uevent(struct net_device *dev, const char *action)
{
	char path[64], ifname[32], ifindex[24];
	snprintf(path, sizeof(path), "/devices/virtual/net/%s", dev->name);
	snprintf(ifname, sizeof(ifname), "INTERFACE=%s", dev->name);
	snprintf(ifindex, sizeof(ifindex), "IFINDEX=%d", dev->ifindex);
	const char *vars[] = { ifname, ifindex, NULL };
	uevent_send(action, path, "net", vars);
}

int register_netdev(struct net_device *dev)
{
	int err = pick_name(dev);
	if (err)
		return err;
	dev->ifindex = next_ifindex++;
	if (!dev->tx_queue_len)
		dev->tx_queue_len = 1000;
	dev->change_time = (uint64_t)ktime_boot_ns();
	list_add_tail(&dev->list, &devices);
	notify(dev, NETDEV_REGISTER);
	net_uevent(dev, "add");
	return 0;
}

void unregister_netdev(struct net_device *dev)
{
	if (dev->flags & IFF_UP)
		dev_change_flags(dev, dev->flags & ~(unsigned)IFF_UP);
	notify(dev, NETDEV_UNREGISTER);
	list_del(&dev->list);
	net_uevent(dev, "remove");
}

unsigned dev_get_flags(const struct net_device *dev)
{
	unsigned f = dev->flags & ~(unsigned)(IFF_RUNNING | IFF_LOWER_UP);
	if ((dev->flags & IFF_UP) && dev->carrier)
		f |= IFF_RUNNING | IFF_LOWER_UP;
	if (dev->promiscuity && !(dev->flags & IFF_PROMISC))
		f &= ~(unsigned)IFF_PROMISC;	/* sockets' promiscuity is not shown, as Linux */
	return f;
}

int dev_change_flags(struct net_device *dev, unsigned flags)
{
	/* the flags a user may change, as Linux's __dev_change_flags */
	const unsigned user = IFF_UP | IFF_DEBUG | IFF_NOTRAILERS | IFF_NOARP | IFF_DYNAMIC | IFF_MULTICAST |
			      IFF_PORTSEL | IFF_AUTOMEDIA | IFF_PROMISC | IFF_ALLMULTI;
	unsigned old = dev->flags;
	unsigned nf = (old & ~user) | (flags & user);
	if ((nf ^ old) & IFF_UP) {
		if (nf & IFF_UP) {
			int err = dev->ops && dev->ops->open ? dev->ops->open(dev) : 0;
			if (err)
				return err;
		} else if (dev->ops && dev->ops->stop) {
			dev->ops->stop(dev);
		}
	}
	dev->flags = nf;
	if (((nf ^ old) & (IFF_PROMISC | IFF_ALLMULTI)) && dev->ops && dev->ops->set_rx_mode)
		dev->ops->set_rx_mode(dev);
	if ((nf ^ old) & IFF_UP) {
		dev->change_time = (uint64_t)ktime_boot_ns();
		notify(dev, nf & IFF_UP ? NETDEV_UP : NETDEV_DOWN);
	} else if (nf != old) {
		notify(dev, NETDEV_CHANGE);
	}
	return 0;
}

int dev_set_mtu(struct net_device *dev, unsigned mtu)
{
	if (mtu < dev->min_mtu || mtu > dev->max_mtu)
		return -EINVAL;
	if (dev->ops && dev->ops->set_mtu) {
		int err = dev->ops->set_mtu(dev, mtu);
		if (err)
			return err;
	}
	if (mtu != dev->mtu) {
		dev->mtu = mtu;
		notify(dev, NETDEV_CHANGEMTU);
	}
	return 0;
}

int dev_set_mac_address(struct net_device *dev, const uint8_t *addr)
{
	if (!dev->ops || !dev->ops->set_mac)
		return -EOPNOTSUPP;
	if (dev->type == ARPHRD_ETHER && !is_valid_ether_addr(addr))
		return -EADDRNOTAVAIL;
	int err = dev->ops->set_mac(dev, addr);
	if (err)
		return err;
	memcpy(dev->dev_addr, addr, dev->addr_len);
	notify(dev, NETDEV_CHANGEADDR);
	return 0;
}

static void rx_mode_changed(struct net_device *dev)
{
	if (dev->ops && dev->ops->set_rx_mode)
		dev->ops->set_rx_mode(dev);
}

void dev_set_promiscuity(struct net_device *dev, int inc)
{
	int old = dev->promiscuity;
	dev->promiscuity += inc;
	if (dev->promiscuity < 0)
		dev->promiscuity = 0;
	if (!old != !dev->promiscuity) {
		printk(KERN_INFO "device %s %s promiscuous mode\n", dev->name, dev->promiscuity ? "entered" : "left");
		rx_mode_changed(dev);
	}
}

void dev_set_allmulti(struct net_device *dev, int inc)
{
	int old = dev->allmulti;
	dev->allmulti += inc;
	if (dev->allmulti < 0)
		dev->allmulti = 0;
	if (!old != !dev->allmulti)
		rx_mode_changed(dev);
}

static void carrier_changed(struct net_device *dev, bool on)
{
	if (dev->carrier == on)
		return;
	dev->carrier = on;
	dev->change_time = (uint64_t)ktime_boot_ns();
	if (dev->flags & IFF_UP)
		printk(KERN_INFO "%s: link %s\n", dev->name, on ? "becomes ready" : "is down");
	notify(dev, NETDEV_CHANGE);
}

void netif_carrier_on(struct net_device *dev) { carrier_changed(dev, true); }
void netif_carrier_off(struct net_device *dev) { carrier_changed(dev, false); }

void dev_add_pack(struct packet_type *pt)
{
	list_add_tail(&pt->list, &taps);
}

void dev_remove_pack(struct packet_type *pt)
{
	list_del(&pt->list);
	INIT_LIST_HEAD(&pt->list);
}

/* A copy of skb for each matching tap (ETH_P_ALL sees everything). */
static void deliver_taps(struct sk_buff *skb, struct net_device *dev, uint16_t type)
{
	struct packet_type *pt, *n;
	list_for_each_entry_safe(pt, n, &taps, list) {
		if ((pt->type != ETH_P_ALL && pt->type != type) || (pt->dev && pt->dev != dev))
			continue;
		struct sk_buff *c = skb_copy(skb);
		if (c)
			pt->func(c, dev, pt);
	}
}

/* One received frame, link header at data: to the taps, then to its
 * protocol; a frame of no known protocol is freed (as Linux). */
static void receive_one(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	if (!(dev->flags & IFF_UP)) {
		dev->stats.rx_dropped++;
		kfree_skb(skb);
		return;
	}
	skb->tstamp = ktime_real_ns();
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += skb->len;
	if (dev_has_header(dev))
		eth_type_trans(skb, dev);
	else
		skb_reset_mac_header(skb);
	/* a VLAN tag comes off before anyone looks (Linux's skb_vlan_untag) */
	if ((skb->protocol == ETH_P_8021Q || skb->protocol == ETH_P_8021AD) && !skb_vlan_untag(skb)) {
		kfree_skb(skb);
		return;
	}
	uint16_t type = skb->protocol;
	if (skb->pkt_type == PACKET_MULTICAST)
		dev->stats.multicast++;
	skb_reset_network_header(skb);
	if (!list_empty(&taps))
		deliver_taps(skb, dev, type);
	if (skb->pkt_type == PACKET_OTHERHOST) {
		kfree_skb(skb);	/* seen by promiscuous taps only */
		return;
	}
	umk_section_foreach(struct packet_type *const, umk_packet_types, p) {
		if ((*p)->type == type && (!(*p)->dev || (*p)->dev == dev)) {
			(*p)->func(skb, dev, *p);
			return;
		}
	}
	kfree_skb(skb);
}

static void net_rx_action(void)
{
	struct sk_buff *skb;
	in_rx = true;
	while ((skb = skb_dequeue(&backlog)))
		receive_one(skb);
	in_rx = false;
}

void netif_rx(struct sk_buff *skb)
{
	if (backlog.qlen >= 1000) {	/* Linux's netdev_max_backlog */
		skb->dev->stats.rx_dropped++;
		kfree_skb(skb);
		return;
	}
	skb_queue_tail(&backlog, skb);
	if (!in_rx)
		net_rx_action();
}

/* A sent frame to the ETH_P_ALL taps as PACKET_OUTGOING (Linux's
 * dev_queue_xmit_nit): the link header at the mac header, data at the
 * network header the sender set (or the frame's start if it set none
 * that lies in the frame), never back to the socket that sent it. */
static void xmit_taps(struct sk_buff *skb, struct net_device *dev)
{
	struct sk_buff *c = NULL;
	struct packet_type *pt, *n;
	list_for_each_entry_safe(pt, n, &taps, list) {
		if (pt->type != ETH_P_ALL || (pt->dev && pt->dev != dev))
			continue;
		if (pt->priv && pt->priv == skb->owner)
			continue;
		if (!c) {
			c = skb_copy(skb);
			if (!c)
				return;
			c->pkt_type = PACKET_OUTGOING;
			c->tstamp = ktime_real_ns();
			int start = (int)skb_headroom(c);
			int net = c->network_off;
			if (net < start || net > start + (int)c->len)
				net = start;
			c->mac_off = start;
			c->network_off = net;
			skb_pull(c, (size_t)(net - start));
		}
		struct sk_buff *cc = skb_copy(c);
		if (cc)
			pt->func(cc, dev, pt);
	}
	kfree_skb(c);
}

int dev_queue_xmit(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	if (!(dev->flags & IFF_UP) || !dev->carrier) {
		dev->stats.tx_dropped++;
		kfree_skb(skb);
		return -ENETDOWN;
	}
	if (!list_empty(&taps))
		xmit_taps(skb, dev);
	uint32_t len = skb->len;
	int err = dev->ops->xmit(skb, dev);
	if (err == -ENOBUFS) {
		dev->stats.tx_dropped++;	/* the card's queue is full */
		return err;
	}
	if (err) {
		dev->stats.tx_errors++;
		return err;
	}
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += len;
	return 0;
}
