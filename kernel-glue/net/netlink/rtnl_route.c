/* rtnetlink IPv4 routes: RTM_NEWROUTE/RTM_DELROUTE (`ip route add/del/
 * replace/change`), the RTM_GETROUTE dump (`ip route`, in Linux's order:
 * tables by id, prefixes ascending, longer first), `ip route get`
 * (RTM_GETROUTE of one destination, with RTM_F_FIB_MATCH too), and
 * notifications to RTNLGRP_IPV4_ROUTE, as Linux's fib_frontend.c,
 * fib_semantics.c (fib_dump_info) and route.c (rt_fill_info). */
#include <umk/sched.h>
#include "netlink.h"

static const struct nla_policy route_policy[RTA_MAX + 1] = {
	[RTA_DST] = { NLA_U32, 0 },
	[RTA_SRC] = { NLA_U32, 0 },
	[RTA_IIF] = { NLA_U32, 0 },
	[RTA_OIF] = { NLA_U32, 0 },
	[RTA_GATEWAY] = { NLA_U32, 0 },
	[RTA_PRIORITY] = { NLA_U32, 0 },
	[RTA_PREFSRC] = { NLA_U32, 0 },
	[RTA_METRICS] = { NLA_NESTED, 0 },
	[RTA_MULTIPATH] = { NLA_UNSPEC, sizeof(struct rtnexthop) },
	[RTA_FLOW] = { NLA_U32, 0 },
	[RTA_ENCAP_TYPE] = { NLA_U16, 0 },
	[RTA_ENCAP] = { NLA_NESTED, 0 },
	[RTA_UID] = { NLA_U32, 0 },
	[RTA_MARK] = { NLA_U32, 0 },
	[RTA_TABLE] = { NLA_U32, 0 },
	[RTA_IP_PROTO] = { NLA_U8, 0 },
	[RTA_SPORT] = { NLA_U16, 0 },
	[RTA_DPORT] = { NLA_U16, 0 },
	[RTA_NH_ID] = { NLA_U32, 0 },
};

/* RTA_METRICS, only the set ones, nothing if none (rtnetlink_put_metrics). */
static void put_metrics(struct nlbuf *b, const uint32_t *metrics)
{
	size_t nest = 0;
	for (int i = 0; i < RTAX_MAX; i++) {
		if (!metrics[i])
			continue;
		if (!nest)
			nest = nla_nest_start(b, RTA_METRICS);
		nla_put_u32(b, (uint16_t)(i + 1), metrics[i]);
	}
	if (nest)
		nla_nest_end(b, nest);
}

void rtnl_fill_route(struct nlbuf *b, const struct fib_route *rt, uint16_t type, uint16_t flags, uint32_t seq,
		     uint32_t portid)
{
	struct rtmsg rtm = {
		.rtm_family = AF_INET, .rtm_dst_len = rt->dst_len, .rtm_tos = rt->tos,
		.rtm_table = rt->table < 256 ? (uint8_t)rt->table : RT_TABLE_COMPAT,
		.rtm_protocol = rt->protocol, .rtm_scope = rt->scope, .rtm_type = rt->type,
		.rtm_flags = rt->nh_flags & (RTNH_F_ONLINK | RTNH_F_DEAD | RTNH_F_LINKDOWN),
	};
	size_t msg = nlmsg_begin(b, type, flags, seq, portid, &rtm, sizeof(rtm));
	nla_put_u32(b, RTA_TABLE, rt->table);
	if (rt->dst_len)
		nla_put(b, RTA_DST, &rt->dst, 4);
	if (rt->priority)
		nla_put_u32(b, RTA_PRIORITY, rt->priority);
	put_metrics(b, rt->metrics);
	if (rt->prefsrc)
		nla_put(b, RTA_PREFSRC, &rt->prefsrc, 4);
	if (rt->gw)
		nla_put(b, RTA_GATEWAY, &rt->gw, 4);
	if (rt->dev)
		nla_put_u32(b, RTA_OIF, (uint32_t)rt->dev->ifindex);
	nlmsg_end(b, msg);
}

/* Features of routes umk does not have, refused (logged once). */
static int refuse_unsupported(const struct nlattr **tb)
{
	static const struct { int type; const char *what; } no[] = {
		{ RTA_MULTIPATH, "multipath routes" }, { RTA_ENCAP, "route encapsulation" },
		{ RTA_NH_ID, "nexthop objects" }, { RTA_VIA, "RTA_VIA next hops" }, { RTA_FLOW, "route realms" },
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (tb[no[i].type]) {
			printk_once_key(no[i].what, KERN_NOTICE "rtnetlink: %s are not implemented\n", no[i].what);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* Linux's rtm_to_fib_config. */
static int to_cfg(struct rtnl_req *r, struct fib_route_cfg *c)
{
	const struct nlattr *tb[RTA_MAX + 1];
	int err = nlmsg_parse(r->nlh, sizeof(struct rtmsg), tb, RTA_MAX, route_policy);
	if (err)
		return err;
	const struct rtmsg *rtm = nlmsg_payload(r->nlh);
	if (rtm->rtm_tos & 3)
		return rtnl_err(r, -EINVAL, "Invalid dsfield (tos): ECN bits must be 0");
	err = refuse_unsupported(tb);
	if (err)
		return err;
	memset(c, 0, sizeof(*c));
	c->dst_len = rtm->rtm_dst_len;
	c->tos = rtm->rtm_tos;
	c->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	c->protocol = rtm->rtm_protocol;
	c->scope = rtm->rtm_scope;
	c->type = rtm->rtm_type;
	c->nh_flags = rtm->rtm_flags;
	c->nlflags = r->nlh->nlmsg_flags;
	if (tb[RTA_DST])
		c->dst = nla_get_u32(tb[RTA_DST]);
	if (tb[RTA_OIF])
		c->oif = (int)nla_get_u32(tb[RTA_OIF]);
	if (tb[RTA_GATEWAY])
		c->gw = nla_get_u32(tb[RTA_GATEWAY]);
	if (tb[RTA_PRIORITY])
		c->priority = nla_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_PREFSRC])
		c->prefsrc = nla_get_u32(tb[RTA_PREFSRC]);
	if (tb[RTA_METRICS]) {
		const struct nlattr *mx[RTAX_MAX + 1];
		static const struct nla_policy mx_policy[RTAX_MAX + 1] = {
			[1 ... RTAX_MAX] = { NLA_U32, 0 },
		};
		err = nla_parse_nested(tb[RTA_METRICS], mx, RTAX_MAX, mx_policy);
		if (err)
			return err;
		for (int i = 1; i <= RTAX_MAX; i++) {
			if (!mx[i])
				continue;
			if (i == RTAX_CC_ALGO) {
				printk_once_key("cc algo", KERN_NOTICE "rtnetlink: congctl route metrics are not implemented\n");
				return -EOPNOTSUPP;
			}
			c->metrics[i - 1] = nla_get_u32(mx[i]);
		}
	}
	return 0;
}

static int newroute(struct rtnl_req *r)
{
	struct fib_route_cfg c;
	int err = to_cfg(r, &c);
	return err ? err : fib_route_add(&c);
}

static int delroute(struct rtnl_req *r)
{
	struct fib_route_cfg c;
	int err = to_cfg(r, &c);
	return err ? err : fib_route_del(&c);
}

/* ---- dumps ---- */

struct route_list {
	const struct fib_route **v;
	int n, cap;
};

static int collect(const struct fib_route *rt, void *arg)
{
	struct route_list *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = krealloc(l->v, sizeof(*l->v) * (size_t)l->cap);
	}
	l->v[l->n++] = rt;
	return 0;
}

/* Linux's dump order: tables by their hash (the low byte of the id, so
 * main before local), then the trie's: prefixes ascending, and for one
 * prefix the longer first, then by TOS and metric. */
static bool dumps_before(const struct fib_route *a, const struct fib_route *b)
{
	if ((a->table & 0xff) != (b->table & 0xff))
		return (a->table & 0xff) < (b->table & 0xff);
	if (a->table != b->table)
		return a->table < b->table;
	if (a->dst != b->dst)
		return ntohl(a->dst) < ntohl(b->dst);
	if (a->dst_len != b->dst_len)
		return a->dst_len > b->dst_len;
	if (a->tos != b->tos)
		return a->tos > b->tos;
	return a->priority < b->priority;
}

struct route_filter {
	uint32_t table;
	uint8_t protocol, type;
	struct net_device *dev;
	bool clones_only;		/* RTM_F_CLONED: the route cache, which umk has none of */
};

static int dumproute(struct rtnl_req *r, struct nlbuf *out)
{
	struct route_filter f = { 0 };
	const struct rtmsg *rtm = nlmsg_payload(r->nlh);
	bool full_hdr = nlmsg_plen(r->nlh) >= sizeof(*rtm);
	if (r->strict) {
		if (!full_hdr)
			return rtnl_err(r, -EINVAL, "Invalid header for FIB dump request");
		if (rtm->rtm_dst_len || rtm->rtm_src_len || rtm->rtm_tos || rtm->rtm_scope)
			return rtnl_err(r, -EINVAL, "Invalid values in header for FIB dump request");
		if (rtm->rtm_flags & ~(unsigned)(RTM_F_CLONED | RTM_F_PREFIX))
			return rtnl_err(r, -EINVAL, "Invalid flags for FIB dump request");
		f.protocol = rtm->rtm_protocol;
		f.type = rtm->rtm_type;
		f.table = rtm->rtm_table;
		const struct nlattr *tb[RTA_MAX + 1];
		int err = nlmsg_parse(r->nlh, sizeof(*rtm), tb, RTA_MAX, route_policy);
		if (err)
			return err;
		for (int i = 1; i <= RTA_MAX; i++) {
			if (!tb[i])
				continue;
			if (i == RTA_TABLE) {
				f.table = nla_get_u32(tb[i]);
			} else if (i == RTA_OIF) {
				f.dev = dev_get_by_index((int)nla_get_u32(tb[i]));
				if (!f.dev)
					return -ENODEV;
			} else {
				return rtnl_err(r, -EINVAL, "Unsupported attribute in dump request");
			}
		}
		if (rtm->rtm_flags || f.protocol || f.type || f.table || f.dev)
			r->dump_filtered = true;
	}
	if (full_hdr && (rtm->rtm_flags & (RTM_F_CLONED | RTM_F_PREFIX)))
		return 0;	/* IPv4 has no prefix routes, umk no route cache */
	struct route_list l = { 0 };
	fib_route_walk(f.table, collect, &l);
	if (f.table && f.table != RT_TABLE_MAIN && f.table != RT_TABLE_LOCAL && !l.n && rtm->rtm_family == AF_INET) {
		kfree(l.v);
		return rtnl_err(r, -ENOENT, "ipv4: FIB table does not exist");
	}
	for (int i = 1; i < l.n; i++) {	/* stable: equal routes keep table order */
		const struct fib_route *x = l.v[i];
		int j = i;
		for (; j > 0 && dumps_before(x, l.v[j - 1]); j--)
			l.v[j] = l.v[j - 1];
		l.v[j] = x;
	}
	for (int i = 0; i < l.n; i++) {
		const struct fib_route *rt = l.v[i];
		if ((f.type && rt->type != f.type) || (f.protocol && rt->protocol != f.protocol) ||
		    (f.dev && rt->dev != f.dev))
			continue;
		rtnl_fill_route(out, rt, RTM_NEWROUTE, rtnl_dump_flags(r), r->nlh->nlmsg_seq, r->nlk->portid);
	}
	kfree(l.v);
	return 0;
}

/* ---- ip route get ---- */

static int valid_getroute(struct rtnl_req *r, const struct nlattr **tb)
{
	if (!r->strict)
		return nlmsg_parse(r->nlh, sizeof(struct rtmsg), tb, RTA_MAX, route_policy);
	const struct rtmsg *rtm = nlmsg_payload(r->nlh);
	if (nlmsg_plen(r->nlh) < sizeof(*rtm))
		return rtnl_err(r, -EINVAL, "ipv4: Invalid header for route get request");
	if ((rtm->rtm_src_len && rtm->rtm_src_len != 32) || (rtm->rtm_dst_len && rtm->rtm_dst_len != 32) ||
	    rtm->rtm_table || rtm->rtm_protocol || rtm->rtm_scope || rtm->rtm_type)
		return rtnl_err(r, -EINVAL, "ipv4: Invalid values in header for route get request");
	if (rtm->rtm_flags & ~(unsigned)(RTM_F_NOTIFY | RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH))
		return rtnl_err(r, -EINVAL, "ipv4: Unsupported rtm_flags for route get request");
	int err = nlmsg_parse(r->nlh, sizeof(*rtm), tb, RTA_MAX, route_policy);
	if (err)
		return err;
	if ((tb[RTA_SRC] && !rtm->rtm_src_len) || (tb[RTA_DST] && !rtm->rtm_dst_len))
		return rtnl_err(r, -EINVAL, "ipv4: rtm_src_len and rtm_dst_len must be 32 for IPv4");
	for (int i = 1; i <= RTA_MAX; i++) {
		if (!tb[i])
			continue;
		switch (i) {
		case RTA_IIF: case RTA_OIF: case RTA_SRC: case RTA_DST: case RTA_IP_PROTO:
		case RTA_SPORT: case RTA_DPORT: case RTA_MARK: case RTA_UID:
			break;
		default:
			return rtnl_err(r, -EINVAL, "ipv4: Unsupported attribute in route get request");
		}
	}
	return 0;
}

static int getroute(struct rtnl_req *r)
{
	const struct nlattr *tb[RTA_MAX + 1];
	int err = valid_getroute(r, tb);
	if (err)
		return err;
	const struct rtmsg *rtm = nlmsg_payload(r->nlh);
	if (tb[RTA_IIF] && nla_get_u32(tb[RTA_IIF])) {
		printk_once_key("route get iif", KERN_NOTICE "rtnetlink: input route lookups (ip route get ... iif) "
				"are not implemented\n");
		return -EOPNOTSUPP;
	}
	__be32 src = tb[RTA_SRC] ? nla_get_u32(tb[RTA_SRC]) : 0;
	__be32 dst = tb[RTA_DST] ? nla_get_u32(tb[RTA_DST]) : 0;
	struct flowi4 fl = {
		.daddr = dst, .saddr = src, .tos = rtm->rtm_tos & 0x1c,
		.oif = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0,
		.proto = tb[RTA_IP_PROTO] ? nla_get_u8(tb[RTA_IP_PROTO]) : 0,
	};
	struct rtable rt;
	err = ip_route_output(&fl, &rt);
	if (err)
		return err;
	struct nlbuf b = { 0 };
	if (rtm->rtm_flags & RTM_F_FIB_MATCH) {
		if (!rt.route)
			return -EHOSTUNREACH;
		rtnl_fill_route(&b, rt.route, RTM_NEWROUTE, 0, r->nlh->nlmsg_seq, r->nlk->portid);
		rtnl_unicast(r, &b);
		nlb_free(&b);
		return 0;
	}
	uint32_t table = RT_TABLE_MAIN;
	if (rtm->rtm_flags & RTM_F_LOOKUP_TABLE)
		table = rt.route ? rt.route->table : 0;
	struct rtmsg out = {
		.rtm_family = AF_INET, .rtm_dst_len = 32, .rtm_src_len = src ? 32 : 0, .rtm_tos = fl.tos,
		.rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_COMPAT, .rtm_type = rt.type,
		.rtm_scope = RT_SCOPE_UNIVERSE, .rtm_protocol = RTPROT_UNSPEC,
		.rtm_flags = (rt.flags & ~0xFFFFu) | RTM_F_CLONED | (rtm->rtm_flags & RTM_F_NOTIFY),
	};
	size_t msg = nlmsg_begin(&b, RTM_NEWROUTE, 0, r->nlh->nlmsg_seq, r->nlk->portid, &out, sizeof(out));
	nla_put_u32(&b, RTA_TABLE, table);
	nla_put(&b, RTA_DST, &dst, 4);
	if (src)
		nla_put(&b, RTA_SRC, &src, 4);
	if (rt.dev)
		nla_put_u32(&b, RTA_OIF, (uint32_t)rt.dev->ifindex);
	if (fl.saddr != src)
		nla_put(&b, RTA_PREFSRC, &fl.saddr, 4);
	/* a gateway that is one of our own addresses is not used as one
	 * (its next hop has host scope: Linux's rt_uses_gateway) */
	if (rt.gw && inet_addr_type(rt.gw) != RTN_LOCAL)
		nla_put(&b, RTA_GATEWAY, &rt.gw, 4);
	if (rt.route)
		put_metrics(&b, rt.route->metrics);
	nla_put_u32(&b, RTA_UID, tb[RTA_UID] ? nla_get_u32(tb[RTA_UID]) : current->cred.uid);
	struct rta_cacheinfo ci = { 0 };
	nla_put(&b, RTA_CACHEINFO, &ci, sizeof(ci));
	nlmsg_end(&b, msg);
	rtnl_unicast(r, &b);
	nlb_free(&b);
	return 0;
}

static const struct rtnl_handler h_newroute = { RTM_NEWROUTE, AF_INET, newroute, NULL };
static const struct rtnl_handler h_delroute = { RTM_DELROUTE, AF_INET, delroute, NULL };
static const struct rtnl_handler h_getroute = { RTM_GETROUTE, AF_INET, getroute, dumproute };
/* AF_UNSPEC dumps every family's routes: IPv4 is the only one */
static const struct rtnl_handler h_getroute_all = { RTM_GETROUTE, AF_UNSPEC, NULL, dumproute };
DEFINE_RTNL_HANDLER(h_newroute);
DEFINE_RTNL_HANDLER(h_delroute);
DEFINE_RTNL_HANDLER(h_getroute);
DEFINE_RTNL_HANDLER(h_getroute_all);

static void route_event(const struct fib_route *rt, enum inet_event ev)
{
	if (!rtnl_has_listeners(RTNLGRP_IPV4_ROUTE))
		return;
	struct nlbuf b = { 0 };
	rtnl_fill_route(&b, rt, ev == INET_NEW ? RTM_NEWROUTE : RTM_DELROUTE, 0, 0, 0);
	rtnl_notify(RTNLGRP_IPV4_ROUTE, &b);
	nlb_free(&b);
}
static const struct inet_notifier route_notifier = { .route = route_event };
DEFINE_INET_NOTIFIER(route_notifier);
