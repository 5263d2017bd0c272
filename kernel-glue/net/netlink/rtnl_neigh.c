/* rtnetlink neighbours (the ARP cache): RTM_NEWNEIGH/RTM_DELNEIGH (`ip
 * neigh add/replace/change/del`), RTM_GETNEIGH of one entry (`ip neigh
 * get`) and the dump (`ip neigh`), and notifications to RTNLGRP_NEIGH,
 * as Linux's net/core/neighbour.c. Proxy ARP entries are refused. */
#include "netlink.h"

static const struct nla_policy neigh_policy[NDA_MAX + 1] = {
	[NDA_DST] = { NLA_BINARY, 32 },
	[NDA_LLADDR] = { NLA_BINARY, 32 },
	[NDA_CACHEINFO] = { NLA_UNSPEC, sizeof(struct nda_cacheinfo) },
	[NDA_PROBES] = { NLA_U32, 0 },
	[NDA_VLAN] = { NLA_U16, 0 },
	[NDA_PORT] = { NLA_U16, 0 },
	[NDA_VNI] = { NLA_U32, 0 },
	[NDA_IFINDEX] = { NLA_U32, 0 },
	[NDA_MASTER] = { NLA_U32, 0 },
	[NDA_LINK_NETNSID] = { NLA_U32, 0 },
	[NDA_PROTOCOL] = { NLA_U8, 0 },
	[NDA_NH_ID] = { NLA_U32, 0 },
	[NDA_FLAGS_EXT] = { NLA_U32, 0 },
};

/* clock_t (USER_HZ 100) since a CLOCK_MONOTONIC time. */
static uint32_t ago(int64_t now, int64_t then)
{
	return then && now > then ? (uint32_t)((now - then) / 10000000) : 0;
}

void rtnl_fill_neigh(struct nlbuf *b, const struct neighbour *n, uint16_t type, uint16_t flags, uint32_t seq,
		     uint32_t portid)
{
	struct ndmsg ndm = {
		.ndm_family = AF_INET, .ndm_ifindex = n->dev->ifindex, .ndm_state = n->nud_state,
		.ndm_flags = n->flags, .ndm_type = (uint8_t)inet_addr_type(n->ip),
	};
	size_t msg = nlmsg_begin(b, type, flags, seq, portid, &ndm, sizeof(ndm));
	nla_put(b, NDA_DST, &n->ip, 4);
	if (n->nud_state & NUD_VALID)
		nla_put(b, NDA_LLADDR, n->ha, n->dev->addr_len);
	int64_t now = ktime_mono_ns();
	struct nda_cacheinfo ci = {
		.ndm_confirmed = ago(now, n->confirmed), .ndm_used = ago(now, n->used),
		.ndm_updated = ago(now, n->updated), .ndm_refcnt = (uint32_t)(n->refs > 0 ? n->refs - 1 : 0),
	};
	nla_put_u32(b, NDA_PROBES, (uint32_t)n->probes);
	nla_put(b, NDA_CACHEINFO, &ci, sizeof(ci));
	nlmsg_end(b, msg);
}

static int refuse_proxy(uint8_t ndm_flags)
{
	if (!(ndm_flags & (NTF_PROXY | NTF_USE)))
		return 0;
	printk_once_key("neigh proxy", KERN_NOTICE "rtnetlink: proxy and 'use' neighbour entries are not implemented\n");
	return -EOPNOTSUPP;
}

/* The device and address of an add or delete (Linux's checks, in its
 * order); 0 or -errno. */
static int target(struct rtnl_req *r, const struct nlattr **tb, struct net_device **dev, __be32 *ip)
{
	const struct ndmsg *ndm = nlmsg_payload(r->nlh);
	if (!tb[NDA_DST])
		return rtnl_err(r, -EINVAL, "Network address not specified");
	*dev = NULL;
	if (ndm->ndm_ifindex) {
		*dev = dev_get_by_index(ndm->ndm_ifindex);
		if (!*dev)
			return -ENODEV;
		if (tb[NDA_LLADDR] && nla_len(tb[NDA_LLADDR]) < (*dev)->addr_len)
			return rtnl_err(r, -EINVAL, "Invalid link address");
	}
	if (ndm->ndm_family != AF_INET)
		return -EAFNOSUPPORT;
	if (nla_len(tb[NDA_DST]) < 4)
		return rtnl_err(r, -EINVAL, "Invalid network address");
	memcpy(ip, nla_data(tb[NDA_DST]), 4);
	int err = refuse_proxy(ndm->ndm_flags);
	if (err)
		return err;
	if (!*dev)
		return rtnl_err(r, -EINVAL, "Device not specified");
	return 0;
}

static int newneigh(struct rtnl_req *r)
{
	const struct nlattr *tb[NDA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(struct ndmsg), tb, NDA_MAX, neigh_policy);
	if (err)
		return err;
	struct net_device *dev;
	__be32 ip;
	err = target(r, tb, &dev, &ip);
	if (err)
		return err;
	const struct ndmsg *ndm = nlmsg_payload(r->nlh);
	const uint8_t *lladdr = tb[NDA_LLADDR] ? nla_data(tb[NDA_LLADDR]) : NULL;
	return neigh_add(dev, ip, lladdr, ndm->ndm_state, ndm->ndm_flags, r->nlh->nlmsg_flags);
}

static int delneigh(struct rtnl_req *r)
{
	const struct nlattr *tb[NDA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(struct ndmsg), tb, NDA_MAX, neigh_policy);
	if (err)
		return err;
	struct net_device *dev;
	__be32 ip;
	err = target(r, tb, &dev, &ip);
	if (err)
		return err;
	return neigh_delete(dev, ip);
}

static int getneigh(struct rtnl_req *r)
{
	const struct ndmsg *ndm = nlmsg_payload(r->nlh);
	if (nlmsg_plen(r->nlh) < sizeof(*ndm))
		return rtnl_err(r, -EINVAL, "Invalid header for neighbor get request");
	if (ndm->ndm_pad1 || ndm->ndm_pad2 || ndm->ndm_state || ndm->ndm_type)
		return rtnl_err(r, -EINVAL, "Invalid values in header for neighbor get request");
	if (ndm->ndm_flags & ~NTF_PROXY)
		return rtnl_err(r, -EINVAL, "Invalid flags in header for neighbor get request");
	const struct nlattr *tb[NDA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(*ndm), tb, NDA_MAX, neigh_policy);
	if (err)
		return err;
	if (ndm->ndm_family != AF_INET)
		return rtnl_err(r, -EAFNOSUPPORT, "Unsupported family in header for neighbor get request");
	for (int i = 1; i <= NDA_MAX; i++) {
		if (!tb[i])
			continue;
		if (i != NDA_DST)
			return rtnl_err(r, -EINVAL, "Unsupported attribute in neighbor get request");
		if (nla_len(tb[i]) != 4)
			return rtnl_err(r, -EINVAL, "Invalid network address in neighbor get request");
	}
	struct net_device *dev = NULL;
	if (ndm->ndm_ifindex) {
		dev = dev_get_by_index(ndm->ndm_ifindex);
		if (!dev)
			return rtnl_err(r, -ENODEV, "Unknown device ifindex");
	}
	if (!tb[NDA_DST])
		return rtnl_err(r, -EINVAL, "Network address not specified");
	err = refuse_proxy(ndm->ndm_flags);
	if (err)
		return err;
	if (!dev)
		return rtnl_err(r, -EINVAL, "No device specified");
	__be32 ip;
	memcpy(&ip, nla_data(tb[NDA_DST]), 4);
	struct neighbour *n = neigh_lookup(dev, ip);
	if (!n)
		return rtnl_err(r, -ENOENT, "Neighbour entry not found");
	struct nlbuf b = { 0 };
	rtnl_fill_neigh(&b, n, RTM_NEWNEIGH, 0, r->nlh->nlmsg_seq, r->nlk->portid);
	rtnl_unicast(r, &b);
	nlb_free(&b);
	return 0;
}

struct dump_arg {
	struct rtnl_req *r;
	struct nlbuf *out;
};

static int dump_one(const struct neighbour *n, void *arg)
{
	struct dump_arg *a = arg;
	if (!n->dead)
		rtnl_fill_neigh(a->out, n, RTM_NEWNEIGH, rtnl_dump_flags(a->r), a->r->nlh->nlmsg_seq, a->r->nlk->portid);
	return 0;
}

/* Linux's neigh_valid_dump_req: in the lenient mode a bad request is
 * dumped unfiltered rather than refused. */
static int valid_dump(struct rtnl_req *r, int *dev_idx, int *master_idx, bool *proxy)
{
	const struct ndmsg *ndm = nlmsg_payload(r->nlh);
	bool full = nlmsg_plen(r->nlh) >= sizeof(*ndm);
	*proxy = full && ndm->ndm_flags == NTF_PROXY;
	if (r->strict) {
		if (!full)
			return rtnl_err(r, -EINVAL, "Invalid header for neighbor dump request");
		if (ndm->ndm_pad1 || ndm->ndm_pad2 || ndm->ndm_ifindex || ndm->ndm_state || ndm->ndm_type)
			return rtnl_err(r, -EINVAL, "Invalid values in header for neighbor dump request");
		if (ndm->ndm_flags & ~NTF_PROXY)
			return rtnl_err(r, -EINVAL, "Invalid flags in header for neighbor dump request");
	}
	const struct nlattr *tb[NDA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(*ndm), tb, NDA_MAX, neigh_policy);
	if (err)
		return err;
	for (int i = 1; i <= NDA_MAX; i++) {
		if (!tb[i])
			continue;
		if (i == NDA_IFINDEX)
			*dev_idx = (int)nla_get_u32(tb[i]);
		else if (i == NDA_MASTER)
			*master_idx = (int)nla_get_u32(tb[i]);
		else if (r->strict)
			return rtnl_err(r, -EINVAL, "Unsupported attribute in neighbor dump request");
	}
	return 0;
}

static int dumpneigh(struct rtnl_req *r, struct nlbuf *out)
{
	int dev_idx = 0, master_idx = 0;
	bool proxy = false;
	int err = valid_dump(r, &dev_idx, &master_idx, &proxy);
	if (err && r->strict)
		return err;
	r->ext_msg = NULL;
	uint8_t family = ((const struct rtgenmsg *)nlmsg_payload(r->nlh))->rtgen_family;
	if ((family && family != AF_INET) || proxy)
		return 0;	/* no other neighbour tables; no proxy entries */
	if (dev_idx || master_idx)
		r->dump_filtered = true;
	if (master_idx)
		return 0;	/* no device has a master */
	struct net_device *dev = NULL;
	if (dev_idx) {
		dev = dev_get_by_index(dev_idx);
		if (!dev)
			return 0;
	}
	struct dump_arg a = { r, out };
	neigh_walk(dev, dump_one, &a);
	return 0;
}

static const struct rtnl_handler h_newneigh = { RTM_NEWNEIGH, AF_UNSPEC, newneigh, NULL };
static const struct rtnl_handler h_delneigh = { RTM_DELNEIGH, AF_UNSPEC, delneigh, NULL };
static const struct rtnl_handler h_getneigh = { RTM_GETNEIGH, AF_UNSPEC, getneigh, dumpneigh };
DEFINE_RTNL_HANDLER(h_newneigh);
DEFINE_RTNL_HANDLER(h_delneigh);
DEFINE_RTNL_HANDLER(h_getneigh);

static void neigh_event(const struct neighbour *n, enum inet_event ev)
{
	if (!rtnl_has_listeners(RTNLGRP_NEIGH))
		return;
	struct nlbuf b = { 0 };
	rtnl_fill_neigh(&b, n, ev == INET_NEW ? RTM_NEWNEIGH : RTM_DELNEIGH, 0, 0, 0);
	rtnl_notify(RTNLGRP_NEIGH, &b);
	nlb_free(&b);
}
static const struct inet_notifier neigh_notifier = { .neigh = neigh_event };
DEFINE_INET_NOTIFIER(neigh_notifier);
