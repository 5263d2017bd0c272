/* rtnetlink links: RTM_GETLINK (one, or the dump `ip link` reads),
 * RTM_NEWLINK/RTM_SETLINK on an existing device (flags, MTU, hardware
 * and broadcast address, queue length: `ip link set`), RTM_DELLINK, and
 * RTM_NEWLINK/RTM_DELLINK notifications to RTNLGRP_LINK. Messages carry
 * what Linux's rtnl_fill_ifinfo does, in its order. Creating, renaming
 * and moving links is not implemented: refused, logged once. */
#include <linux/if_link.h>
#include "netlink.h"

/* What a link's messages report that the device layer does not keep:
 * whether it was ever brought up (Linux attaches the qdisc then: "noop"
 * before, "noqueue" after; umk cards have no queue), carrier counts. */
struct link_state {
	bool activated, carrier;
	uint32_t carrier_up, carrier_down;
};
static struct link_state *states;
static int nstates;

static struct link_state *state_of(const struct net_device *dev)
{
	if (dev->ifindex >= nstates) {
		int n = MAX(dev->ifindex + 1, 16);
		states = krealloc(states, sizeof(*states) * (size_t)n);
		memset(states + nstates, 0, sizeof(*states) * (size_t)(n - nstates));
		nstates = n;
	}
	return &states[dev->ifindex];
}

static uint8_t operstate(const struct net_device *dev)
{
	if (!(dev->flags & IFF_UP))
		return IF_OPER_DOWN;
	if (dev->type == ARPHRD_LOOPBACK)
		return IF_OPER_UNKNOWN;	/* lo never reports one, as Linux */
	return dev->carrier ? IF_OPER_UP : IF_OPER_DOWN;
}

/* An attribute whose payload must be 8-byte aligned: an IFLA_PAD first
 * when needed, as Linux's nla_put_64bit. */
static void put_64bit(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	if ((b->len + NLA_HDRLEN) % 8)
		nla_put(b, IFLA_PAD, NULL, 0);
	nla_put(b, type, data, len);
}

static void fill_stats(struct nlbuf *b, const struct net_device *dev)
{
	const struct net_device_stats *s = &dev->stats;
	struct rtnl_link_stats64 a;
	memset(&a, 0, sizeof(a));
	a.rx_packets = s->rx_packets;
	a.tx_packets = s->tx_packets;
	a.rx_bytes = s->rx_bytes;
	a.tx_bytes = s->tx_bytes;
	a.rx_errors = s->rx_errors;
	a.tx_errors = s->tx_errors;
	a.rx_dropped = s->rx_dropped;
	a.tx_dropped = s->tx_dropped;
	a.multicast = s->multicast;
	a.collisions = s->collisions;
	a.rx_length_errors = s->rx_length_errors;
	a.rx_over_errors = s->rx_over_errors;
	a.rx_crc_errors = s->rx_crc_errors;
	a.rx_frame_errors = s->rx_frame_errors;
	a.rx_fifo_errors = s->rx_fifo_errors;
	a.tx_carrier_errors = s->tx_carrier_errors;
	a.tx_fifo_errors = s->tx_fifo_errors;
	put_64bit(b, IFLA_STATS64, &a, sizeof(a));
	struct rtnl_link_stats c;
	memset(&c, 0, sizeof(c));
	c.rx_packets = (uint32_t)a.rx_packets;
	c.tx_packets = (uint32_t)a.tx_packets;
	c.rx_bytes = (uint32_t)a.rx_bytes;
	c.tx_bytes = (uint32_t)a.tx_bytes;
	c.rx_errors = (uint32_t)a.rx_errors;
	c.tx_errors = (uint32_t)a.tx_errors;
	c.rx_dropped = (uint32_t)a.rx_dropped;
	c.tx_dropped = (uint32_t)a.tx_dropped;
	c.multicast = (uint32_t)a.multicast;
	c.collisions = (uint32_t)a.collisions;
	c.rx_length_errors = (uint32_t)a.rx_length_errors;
	c.rx_over_errors = (uint32_t)a.rx_over_errors;
	c.rx_crc_errors = (uint32_t)a.rx_crc_errors;
	c.rx_frame_errors = (uint32_t)a.rx_frame_errors;
	c.rx_fifo_errors = (uint32_t)a.rx_fifo_errors;
	c.tx_carrier_errors = (uint32_t)a.tx_carrier_errors;
	c.tx_fifo_errors = (uint32_t)a.tx_fifo_errors;
	nla_put(b, IFLA_STATS, &c, sizeof(c));
}

void rtnl_fill_link(struct nlbuf *b, struct net_device *dev, uint16_t type, uint16_t flags, uint32_t seq,
		    uint32_t portid, unsigned change)
{
	struct link_state *st = state_of(dev);
	struct ifinfomsg ifm = {
		.ifi_family = AF_UNSPEC, .ifi_type = dev->type, .ifi_index = dev->ifindex,
		.ifi_flags = dev_get_flags(dev), .ifi_change = change,
	};
	size_t msg = nlmsg_begin(b, type, flags, seq, portid, &ifm, sizeof(ifm));
	nla_put_string(b, IFLA_IFNAME, dev->name);
	nla_put_u32(b, IFLA_TXQLEN, dev->tx_queue_len);
	nla_put_u8(b, IFLA_OPERSTATE, operstate(dev));
	nla_put_u8(b, IFLA_LINKMODE, IF_LINK_MODE_DEFAULT);
	nla_put_u32(b, IFLA_MTU, dev->mtu);
	nla_put_u32(b, IFLA_MIN_MTU, dev->min_mtu);
	nla_put_u32(b, IFLA_MAX_MTU, dev->max_mtu);
	nla_put_u32(b, IFLA_GROUP, 0);
	nla_put_u32(b, IFLA_PROMISCUITY, (uint32_t)dev->promiscuity);
	nla_put_u32(b, IFLA_ALLMULTI, (uint32_t)dev->allmulti);
	nla_put_u32(b, IFLA_NUM_TX_QUEUES, 1);
	nla_put_u32(b, IFLA_GSO_MAX_SEGS, 65535);
	nla_put_u32(b, IFLA_GSO_MAX_SIZE, 65536);
	nla_put_u32(b, IFLA_GRO_MAX_SIZE, 65536);
	nla_put_u32(b, IFLA_TSO_MAX_SIZE, 65536);
	nla_put_u32(b, IFLA_TSO_MAX_SEGS, 65535);
	nla_put_u32(b, IFLA_NUM_RX_QUEUES, 1);
	nla_put_u8(b, IFLA_CARRIER, dev->carrier);
	nla_put_string(b, IFLA_QDISC, st->activated ? "noqueue" : "noop");
	nla_put_u32(b, IFLA_CARRIER_CHANGES, st->carrier_up + st->carrier_down);
	nla_put_u32(b, IFLA_CARRIER_UP_COUNT, st->carrier_up);
	nla_put_u32(b, IFLA_CARRIER_DOWN_COUNT, st->carrier_down);
	nla_put_u8(b, IFLA_PROTO_DOWN, 0);
	struct rtnl_link_ifmap map;
	memset(&map, 0, sizeof(map));
	put_64bit(b, IFLA_MAP, &map, sizeof(map));
	if (dev->addr_len) {
		nla_put(b, IFLA_ADDRESS, dev->dev_addr, dev->addr_len);
		nla_put(b, IFLA_BROADCAST, dev->broadcast, dev->addr_len);
	}
	fill_stats(b, dev);
	size_t xdp = nla_nest_start(b, IFLA_XDP);
	nla_put_u8(b, IFLA_XDP_ATTACHED, XDP_ATTACHED_NONE);
	nla_nest_end(b, xdp);
	nlmsg_end(b, msg);
}

static const struct nla_policy link_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { NLA_STRING, IFNAMSIZ - 1 },
	[IFLA_ADDRESS] = { NLA_BINARY, 32 },
	[IFLA_BROADCAST] = { NLA_BINARY, 32 },
	[IFLA_MTU] = { NLA_U32, 0 },
	[IFLA_LINK] = { NLA_U32, 0 },
	[IFLA_MASTER] = { NLA_U32, 0 },
	[IFLA_CARRIER] = { NLA_U8, 0 },
	[IFLA_TXQLEN] = { NLA_U32, 0 },
	[IFLA_WEIGHT] = { NLA_U32, 0 },
	[IFLA_OPERSTATE] = { NLA_U8, 0 },
	[IFLA_LINKMODE] = { NLA_U8, 0 },
	[IFLA_LINKINFO] = { NLA_NESTED, 0 },
	[IFLA_NET_NS_PID] = { NLA_U32, 0 },
	[IFLA_NET_NS_FD] = { NLA_U32, 0 },
	[IFLA_IFALIAS] = { NLA_STRING, IFALIASZ - 1 },
	[IFLA_EXT_MASK] = { NLA_U32, 0 },
	[IFLA_PROMISCUITY] = { NLA_U32, 0 },
	[IFLA_NUM_TX_QUEUES] = { NLA_U32, 0 },
	[IFLA_NUM_RX_QUEUES] = { NLA_U32, 0 },
	[IFLA_GROUP] = { NLA_U32, 0 },
	[IFLA_PROTO_DOWN] = { NLA_U8, 0 },
	[IFLA_GSO_MAX_SEGS] = { NLA_U32, 0 },
	[IFLA_GSO_MAX_SIZE] = { NLA_U32, 0 },
	[IFLA_TARGET_NETNSID] = { NLA_U32, 0 },
	[IFLA_ALT_IFNAME] = { NLA_STRING, ALTIFNAMSIZ - 1 },
};

/* The device a request names: by index, else by IFLA_IFNAME; NULL and
 * *err (-EINVAL: names none, -ENODEV: no such). */
static struct net_device *request_dev(const struct ifinfomsg *ifm, const struct nlattr **tb, int *err)
{
	struct net_device *dev = NULL;
	if (ifm->ifi_index > 0) {
		dev = dev_get_by_index(ifm->ifi_index);
	} else if (tb[IFLA_IFNAME]) {
		char name[IFNAMSIZ];
		nla_strscpy(name, tb[IFLA_IFNAME], sizeof(name));
		dev = dev_get_by_name(name);
	} else {
		*err = -EINVAL;
		return NULL;
	}
	*err = dev ? 0 : -ENODEV;
	return dev;
}

static int getlink(struct rtnl_req *r)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, link_policy);
	if (err)
		return err;
	const struct ifinfomsg *ifm = nlmsg_payload(r->nlh);
	if (r->strict) {
		if (ifm->__ifi_pad || ifm->ifi_type || ifm->ifi_flags || ifm->ifi_change)
			return rtnl_err(r, -EINVAL, "Invalid values in header for get link request");
		for (int i = 1; i <= IFLA_MAX; i++)
			if (tb[i] && i != IFLA_IFNAME && i != IFLA_ALT_IFNAME && i != IFLA_EXT_MASK &&
			    i != IFLA_TARGET_NETNSID)
				return rtnl_err(r, -EINVAL, "Unsupported attribute in get link request");
	}
	struct net_device *dev = request_dev(ifm, tb, &err);
	if (!dev)
		return err;
	struct nlbuf b = { 0 };
	rtnl_fill_link(&b, dev, RTM_NEWLINK, 0, r->nlh->nlmsg_seq, r->nlk->portid, 0);
	rtnl_unicast(r, &b);
	nlb_free(&b);
	return 0;
}

static int dumplink(struct rtnl_req *r, struct nlbuf *out)
{
	if (r->strict) {
		const struct ifinfomsg *ifm = nlmsg_payload(r->nlh);
		if (nlmsg_plen(r->nlh) < sizeof(*ifm))
			return rtnl_err(r, -EINVAL, "Invalid header for link dump");
		if (ifm->__ifi_pad || ifm->ifi_type || ifm->ifi_flags || ifm->ifi_change)
			return rtnl_err(r, -EINVAL, "Invalid values in header for link dump request");
		if (ifm->ifi_index)
			return rtnl_err(r, -EINVAL, "Filter by device index not supported for link dumps");
		const struct nlattr *tb[IFLA_MAX + 1];
		int err = nlmsg_parse(r->nlh, sizeof(*ifm), tb, IFLA_MAX, link_policy);
		if (err)
			return err;
		for (int i = 1; i <= IFLA_MAX; i++)
			if (tb[i] && i != IFLA_EXT_MASK && i != IFLA_TARGET_NETNSID && i != IFLA_MASTER &&
			    i != IFLA_LINKINFO)
				return rtnl_err(r, -EINVAL, "Unsupported attribute in link dump request");
		if (tb[IFLA_MASTER] || tb[IFLA_LINKINFO])
			r->dump_filtered = true;	/* no device has a master or a kind: none pass */
		if (r->dump_filtered)
			return 0;
	}
	for_each_netdev(dev)
		rtnl_fill_link(out, dev, RTM_NEWLINK, rtnl_dump_flags(r), r->nlh->nlmsg_seq, r->nlk->portid, 0);
	return 0;
}

/* Attributes that ask for what umk's links cannot do yet. */
static int refuse_unsupported(struct rtnl_req *r, const struct nlattr **tb)
{
	static const struct { int type; const char *what; } no[] = {
		{ IFLA_NET_NS_PID, "moving links to another namespace" },
		{ IFLA_NET_NS_FD, "moving links to another namespace" },
		{ IFLA_TARGET_NETNSID, "moving links to another namespace" },
		{ IFLA_MASTER, "enslaving links" },
		{ IFLA_IFALIAS, "link aliases" },
		{ IFLA_CARRIER, "setting the carrier" },
		{ IFLA_PROTO_DOWN, "protodown" },
		{ IFLA_LINKINFO, "link kinds" },
		{ IFLA_VFINFO_LIST, "virtual functions" },
		{ IFLA_AF_SPEC, "per-family link settings" },
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (!tb[no[i].type])
			continue;
		if (no[i].type == IFLA_MASTER && nla_get_u32(tb[IFLA_MASTER]) == 0)
			continue;	/* "nomaster" of a link without one */
		printk_once_key(no[i].what, KERN_NOTICE "rtnetlink: %s is not implemented\n", no[i].what);
		return -EOPNOTSUPP;
	}
	if (tb[IFLA_GROUP] && nla_get_u32(tb[IFLA_GROUP]) != 0) {
		printk_once_key("link groups", KERN_NOTICE "rtnetlink: link groups are not implemented\n");
		return -EOPNOTSUPP;
	}
	if ((tb[IFLA_LINKMODE] && nla_get_u8(tb[IFLA_LINKMODE]) != IF_LINK_MODE_DEFAULT) ||
	    (tb[IFLA_OPERSTATE] && nla_get_u8(tb[IFLA_OPERSTATE]) != IF_OPER_UP)) {
		printk_once_key("link dormant", KERN_NOTICE "rtnetlink: dormant link mode is not implemented\n");
		return rtnl_err(r, -EOPNOTSUPP, NULL);
	}
	return 0;
}

/* Linux's do_setlink, in its order: address, MTU, name, broadcast,
 * flags, queue length. */
static int do_setlink(struct rtnl_req *r, struct net_device *dev, const struct ifinfomsg *ifm,
		      const struct nlattr **tb)
{
	int err = refuse_unsupported(r, tb);
	if (err)
		return err;
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) < dev->addr_len)
			return -EINVAL;
		err = dev_set_mac_address(dev, nla_data(tb[IFLA_ADDRESS]));
		if (err)
			return err;
	}
	if (tb[IFLA_MTU]) {
		uint32_t mtu = nla_get_u32(tb[IFLA_MTU]);
		if (mtu < dev->min_mtu)
			return rtnl_err(r, -EINVAL, "mtu less than device minimum");
		if (dev->max_mtu && mtu > dev->max_mtu)
			return rtnl_err(r, -EINVAL, "mtu greater than device maximum");
		err = dev_set_mtu(dev, mtu);
		if (err)
			return err;
	}
	if (tb[IFLA_IFNAME]) {
		char name[IFNAMSIZ];
		nla_strscpy(name, tb[IFLA_IFNAME], sizeof(name));
		if (strcmp(name, dev->name)) {
			printk_once_key("link rename", KERN_NOTICE "rtnetlink: renaming links is not implemented\n");
			return -EOPNOTSUPP;
		}
	}
	if (tb[IFLA_BROADCAST]) {
		if (nla_len(tb[IFLA_BROADCAST]) < dev->addr_len)
			return -EINVAL;
		memcpy(dev->broadcast, nla_data(tb[IFLA_BROADCAST]), dev->addr_len);
	}
	if (ifm->ifi_flags || ifm->ifi_change) {
		unsigned flags = dev->flags;
		if (ifm->ifi_change)
			flags = (flags & ~ifm->ifi_change) | (ifm->ifi_flags & ifm->ifi_change);
		err = dev_change_flags(dev, flags);
		if (err)
			return err;
	}
	if (tb[IFLA_TXQLEN])
		dev->tx_queue_len = nla_get_u32(tb[IFLA_TXQLEN]);
	return 0;
}

static int newlink(struct rtnl_req *r)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, link_policy);
	if (err)
		return err;
	const struct ifinfomsg *ifm = nlmsg_payload(r->nlh);
	bool named = ifm->ifi_index > 0 || tb[IFLA_IFNAME];
	struct net_device *dev = named ? request_dev(ifm, tb, &err) : NULL;
	if (dev) {
		if (r->nlh->nlmsg_flags & NLM_F_EXCL)
			return -EEXIST;
		if (r->nlh->nlmsg_flags & NLM_F_REPLACE)
			return -EOPNOTSUPP;
		if (tb[IFLA_LINKINFO])
			return -EOPNOTSUPP;
		return do_setlink(r, dev, ifm, tb);
	}
	if (!(r->nlh->nlmsg_flags & NLM_F_CREATE))
		return -ENODEV;
	printk_once_key("link create", KERN_NOTICE "rtnetlink: creating links (ip link add) is not implemented\n");
	return rtnl_err(r, -EOPNOTSUPP, "Unknown device type");
}

static int setlink(struct rtnl_req *r)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, link_policy);
	if (err)
		return err;
	const struct ifinfomsg *ifm = nlmsg_payload(r->nlh);
	struct net_device *dev = request_dev(ifm, tb, &err);
	return dev ? do_setlink(r, dev, ifm, tb) : err;
}

static int dellink(struct rtnl_req *r)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, link_policy);
	if (err)
		return err;
	struct net_device *dev = request_dev(nlmsg_payload(r->nlh), tb, &err);
	return dev ? -EOPNOTSUPP : err;	/* cards and lo are not links one deletes */
}

static const struct rtnl_handler h_getlink = { RTM_GETLINK, AF_UNSPEC, getlink, dumplink };
static const struct rtnl_handler h_newlink = { RTM_NEWLINK, AF_UNSPEC, newlink, NULL };
static const struct rtnl_handler h_setlink = { RTM_SETLINK, AF_UNSPEC, setlink, NULL };
static const struct rtnl_handler h_dellink = { RTM_DELLINK, AF_UNSPEC, dellink, NULL };
DEFINE_RTNL_HANDLER(h_getlink);
DEFINE_RTNL_HANDLER(h_newlink);
DEFINE_RTNL_HANDLER(h_setlink);
DEFINE_RTNL_HANDLER(h_dellink);

/* Every change to a device is an RTM_NEWLINK to RTNLGRP_LINK listeners;
 * a card unplugged (mconsole remove) is an RTM_DELLINK, as Linux's
 * rtmsg_ifinfo at unregister. */
static void link_event(struct net_device *dev, enum netdev_event ev)
{
	struct link_state *st = state_of(dev);
	if (ev == NETDEV_UNREGISTER) {
		if (rtnl_has_listeners(RTNLGRP_LINK)) {
			struct nlbuf b = { 0 };
			rtnl_fill_link(&b, dev, RTM_DELLINK, 0, 0, 0, ~0u);
			rtnl_notify(RTNLGRP_LINK, &b);
			nlb_free(&b);
		}
		*st = (struct link_state){ 0 };	/* ifindexes are not reused; tidy anyway */
		return;
	}
	if (ev == NETDEV_REGISTER)
		st->carrier = dev->carrier;
	if (ev == NETDEV_UP)
		st->activated = true;
	if (dev->carrier != st->carrier) {
		st->carrier = dev->carrier;
		if (dev->carrier)
			st->carrier_up++;
		else
			st->carrier_down++;
	}
	if (!rtnl_has_listeners(RTNLGRP_LINK))
		return;
	struct nlbuf b = { 0 };
	rtnl_fill_link(&b, dev, RTM_NEWLINK, 0, 0, 0, ev == NETDEV_REGISTER ? ~0u : 0);
	rtnl_notify(RTNLGRP_LINK, &b);
	nlb_free(&b);
}
static const struct netdev_notifier link_notifier = { .fn = link_event };
DEFINE_NETDEV_NOTIFIER(link_notifier);
