/* rtnetlink IPv4 addresses: RTM_NEWADDR/RTM_DELADDR (`ip addr add/del`),
 * the RTM_GETADDR dump (`ip addr`), and notifications to
 * RTNLGRP_IPV4_IFADDR, as Linux's net/ipv4/devinet.c. */
#include "netlink.h"

static const struct nla_policy addr_policy[IFA_MAX + 1] = {
	[IFA_LOCAL] = { NLA_U32, 0 },
	[IFA_ADDRESS] = { NLA_U32, 0 },
	[IFA_BROADCAST] = { NLA_U32, 0 },
	[IFA_LABEL] = { NLA_STRING, IFNAMSIZ - 1 },
	[IFA_CACHEINFO] = { NLA_UNSPEC, sizeof(struct ifa_cacheinfo) },
	[IFA_FLAGS] = { NLA_U32, 0 },
	[IFA_RT_PRIORITY] = { NLA_U32, 0 },
	[IFA_TARGET_NETNSID] = { NLA_U32, 0 },
	[IFA_PROTO] = { NLA_U8, 0 },
};

/* Hundredths of a second since boot (Linux's cstamp_delta). */
static uint32_t hundredths(int64_t boot_ns)
{
	return (uint32_t)(boot_ns / 10000000);
}

void rtnl_fill_addr(struct nlbuf *b, const struct in_ifaddr *ifa, uint16_t type, uint16_t flags, uint32_t seq,
		    uint32_t portid)
{
	struct ifaddrmsg ifm = {
		.ifa_family = AF_INET, .ifa_prefixlen = ifa->prefixlen, .ifa_flags = (uint8_t)ifa->flags,
		.ifa_scope = ifa->scope, .ifa_index = (uint32_t)ifa->idev->dev->ifindex,
	};
	size_t msg = nlmsg_begin(b, type, flags, seq, portid, &ifm, sizeof(ifm));
	uint32_t preferred = INFINITY_LIFE_TIME, valid = INFINITY_LIFE_TIME;
	if (!(ifa->flags & IFA_F_PERMANENT)) {
		/* what is left of the lifetimes, as Linux counts it */
		preferred = ifa->preferred_lft;
		valid = ifa->valid_lft;
		if (preferred != INFINITY_LIFE_TIME) {
			int64_t age = (ktime_boot_ns() - ifa->tstamp) / 1000000000ll;
			preferred = preferred > age ? preferred - (uint32_t)age : 0;
			if (valid != INFINITY_LIFE_TIME)
				valid = valid > age ? valid - (uint32_t)age : 0;
		}
	}
	if (ifa->address)
		nla_put(b, IFA_ADDRESS, &ifa->address, 4);
	if (ifa->local)
		nla_put(b, IFA_LOCAL, &ifa->local, 4);
	if (ifa->broadcast)
		nla_put(b, IFA_BROADCAST, &ifa->broadcast, 4);
	if (ifa->label[0])
		nla_put_string(b, IFA_LABEL, ifa->label);
	nla_put_u32(b, IFA_FLAGS, ifa->flags);
	if (ifa->rt_priority)
		nla_put_u32(b, IFA_RT_PRIORITY, ifa->rt_priority);
	struct ifa_cacheinfo ci = {
		.ifa_prefered = preferred, .ifa_valid = valid,
		.cstamp = hundredths(ifa->cstamp), .tstamp = hundredths(ifa->tstamp),
	};
	nla_put(b, IFA_CACHEINFO, &ci, sizeof(ci));
	nlmsg_end(b, msg);
}

/* Linux's rtm_to_ifaddr + inet_rtm_newaddr. */
static int newaddr(struct rtnl_req *r)
{
	const struct nlattr *tb[IFA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(struct ifaddrmsg), tb, IFA_MAX, addr_policy);
	if (err)
		return err;
	const struct ifaddrmsg *ifm = nlmsg_payload(r->nlh);
	if (ifm->ifa_prefixlen > 32 || !tb[IFA_LOCAL])
		return -EINVAL;
	struct net_device *dev = dev_get_by_index((int)ifm->ifa_index);
	if (!dev)
		return -ENODEV;
	if (!in_dev_get(dev))
		return -ENOBUFS;
	if (tb[IFA_PROTO] && nla_get_u8(tb[IFA_PROTO])) {
		printk_once_key("ifa proto", KERN_NOTICE "rtnetlink: address protocols (ip addr ... proto) are not implemented\n");
		return -EOPNOTSUPP;
	}
	char label[IFNAMSIZ];
	struct inet_addr_cfg cfg = {
		.local = nla_get_u32(tb[IFA_LOCAL]),
		.address = nla_get_u32(tb[IFA_ADDRESS] ? tb[IFA_ADDRESS] : tb[IFA_LOCAL]),
		.broadcast = tb[IFA_BROADCAST] ? nla_get_u32(tb[IFA_BROADCAST]) : 0,
		.prefixlen = ifm->ifa_prefixlen,
		.scope = ifm->ifa_scope,
		.flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifm->ifa_flags,
		.rt_priority = tb[IFA_RT_PRIORITY] ? nla_get_u32(tb[IFA_RT_PRIORITY]) : 0,
	};
	if (tb[IFA_LABEL]) {
		nla_strscpy(label, tb[IFA_LABEL], sizeof(label));
		cfg.label = label;
	}
	if (tb[IFA_CACHEINFO]) {
		struct ifa_cacheinfo ci;
		memcpy(&ci, nla_data(tb[IFA_CACHEINFO]), sizeof(ci));
		if (!ci.ifa_valid || ci.ifa_prefered > ci.ifa_valid)
			return rtnl_err(r, -EINVAL, "ipv4: address lifetime invalid");
		cfg.valid_lft = ci.ifa_valid;
		cfg.preferred_lft = ci.ifa_prefered;
	}
	/* a new address needs no NLM_F_CREATE: userspace relies on it (Linux) */
	return inet_addr_add(dev, &cfg, r->nlh->nlmsg_flags | NLM_F_CREATE);
}

static int deladdr(struct rtnl_req *r)
{
	const struct nlattr *tb[IFA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(struct ifaddrmsg), tb, IFA_MAX, addr_policy);
	if (err)
		return err;
	const struct ifaddrmsg *ifm = nlmsg_payload(r->nlh);
	struct net_device *dev = dev_get_by_index((int)ifm->ifa_index);
	if (!dev || !in_dev_get(dev))
		return -ENODEV;
	char label[IFNAMSIZ];
	struct inet_addr_match m = { 0 };
	if (tb[IFA_LOCAL]) {
		m.has_local = true;
		m.local = nla_get_u32(tb[IFA_LOCAL]);
	}
	if (tb[IFA_ADDRESS]) {
		m.has_address = true;
		m.address = nla_get_u32(tb[IFA_ADDRESS]);
		m.prefixlen = ifm->ifa_prefixlen;
	}
	if (tb[IFA_LABEL]) {
		nla_strscpy(label, tb[IFA_LABEL], sizeof(label));
		m.label = label;
	}
	err = inet_addr_del(dev, &m);
	return err == -EADDRNOTAVAIL ? rtnl_err(r, err, "ipv4: Address not found") : err;
}

static int dumpaddr(struct rtnl_req *r, struct nlbuf *out)
{
	int ifindex = 0;
	if (r->strict) {
		const struct ifaddrmsg *ifm = nlmsg_payload(r->nlh);
		if (nlmsg_plen(r->nlh) < sizeof(*ifm))
			return rtnl_err(r, -EINVAL, "ipv4: Invalid header for address dump request");
		if (ifm->ifa_prefixlen || ifm->ifa_flags || ifm->ifa_scope)
			return rtnl_err(r, -EINVAL, "ipv4: Invalid values in header for address dump request");
		ifindex = (int)ifm->ifa_index;
		if (ifindex)
			r->dump_filtered = true;
		const struct nlattr *tb[IFA_MAX + 1];
		int err = nlmsg_parse(r->nlh, sizeof(*ifm), tb, IFA_MAX, addr_policy);
		if (err)
			return err;
		for (int i = 1; i <= IFA_MAX; i++)
			if (tb[i] && i != IFA_TARGET_NETNSID)
				return rtnl_err(r, -EINVAL, "ipv4: Unsupported attribute in dump request");
		if (ifindex && !dev_get_by_index(ifindex))
			return -ENODEV;
	}
	for_each_netdev(dev) {
		struct in_device *idev = in_dev_get(dev);
		if (!idev || (ifindex && dev->ifindex != ifindex))
			continue;
		struct in_ifaddr *ifa;
		in_dev_for_each_ifa(ifa, idev)
			rtnl_fill_addr(out, ifa, RTM_NEWADDR, rtnl_dump_flags(r), r->nlh->nlmsg_seq, r->nlk->portid);
	}
	return 0;
}

static const struct rtnl_handler h_newaddr = { RTM_NEWADDR, AF_INET, newaddr, NULL };
static const struct rtnl_handler h_deladdr = { RTM_DELADDR, AF_INET, deladdr, NULL };
static const struct rtnl_handler h_getaddr = { RTM_GETADDR, AF_INET, NULL, dumpaddr };
/* AF_UNSPEC dumps every family's addresses: IPv4 is the only one */
static const struct rtnl_handler h_getaddr_all = { RTM_GETADDR, AF_UNSPEC, NULL, dumpaddr };
DEFINE_RTNL_HANDLER(h_newaddr);
DEFINE_RTNL_HANDLER(h_deladdr);
DEFINE_RTNL_HANDLER(h_getaddr);
DEFINE_RTNL_HANDLER(h_getaddr_all);

static void addr_event(const struct in_ifaddr *ifa, enum inet_event ev)
{
	if (!rtnl_has_listeners(RTNLGRP_IPV4_IFADDR))
		return;
	struct nlbuf b = { 0 };
	rtnl_fill_addr(&b, ifa, ev == INET_NEW ? RTM_NEWADDR : RTM_DELADDR, 0, 0, 0);
	rtnl_notify(RTNLGRP_IPV4_IFADDR, &b);
	nlb_free(&b);
}
static const struct inet_notifier addr_notifier = { .addr = addr_event };
DEFINE_INET_NOTIFIER(addr_notifier);
