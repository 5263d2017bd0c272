/* The forwarding information base (Linux's fib_frontend/fib_semantics/
 * fib_trie, as seen from outside): routing tables, each a list kept in
 * the order Linux's trie walks (and dumps) them: by destination, then
 * longer prefixes first, then higher TOS, then lower metric, then the
 * order Linux's insert gives; the rules for adding and deleting routes,
 * the routes that come with each address, and what a device going down
 * does to them. A lookup takes the longest matching prefix (its first
 * usable route) in the local table, then main, then default, as Linux's
 * default rules. Tables hold tens of routes here, so scanning a list is
 * fast enough. */
#include "ipv4.h"

struct fib_table {
	uint32_t id;
	struct list_head routes;	/* struct fib_route, lookup order */
	struct list_head link;
};

static LIST_HEAD(tables);

static struct fib_table *get_table(uint32_t id, bool create)
{
	struct fib_table *t;
	list_for_each_entry(t, &tables, link)
		if (t->id == id)
			return t;
	if (!create)
		return NULL;
	t = kzalloc(sizeof(*t));
	t->id = id;
	INIT_LIST_HEAD(&t->routes);
	/* kept by id, main (254) before local (255) as `ip route show table all` */
	struct list_head *pos = &tables;
	struct fib_table *o;
	list_for_each_entry(o, &tables, link)
		if (o->id > id) {
			pos = &o->link;
			break;
		}
	list_add_tail(&t->link, pos);
	return t;
}

/* Error of a route type that is not a real destination (fib_props). */
static int type_error(uint8_t type)
{
	switch (type) {
	case RTN_UNREACHABLE: return -EHOSTUNREACH;
	case RTN_BLACKHOLE: return -EINVAL;
	case RTN_PROHIBIT: return -EACCES;
	case RTN_THROW: return -EAGAIN;
	case RTN_NAT: case RTN_XRESOLVE: return -EINVAL;
	default: return 0;
	}
}

static bool type_has_nexthop(uint8_t type)
{
	return type == RTN_UNICAST || type == RTN_LOCAL || type == RTN_BROADCAST || type == RTN_ANYCAST ||
	       type == RTN_MULTICAST;
}

/* Position order: does a come before b? */
static bool sorts_before(const struct fib_route *a, const struct fib_route *b)
{
	if (a->dst != b->dst)
		return ntohl(a->dst) < ntohl(b->dst);
	if (a->dst_len != b->dst_len)
		return a->dst_len > b->dst_len;
	if (a->tos != b->tos)
		return a->tos > b->tos;
	return a->priority < b->priority;
}

static bool same_key(const struct fib_route *r, __be32 dst, uint8_t len, uint8_t tos)
{
	return r->dst == dst && r->dst_len == len && r->tos == tos;
}

static bool same_info(const struct fib_route *a, const struct fib_route *b)
{
	return a->type == b->type && a->scope == b->scope && a->protocol == b->protocol &&
	       a->prefsrc == b->prefsrc && a->gw == b->gw && a->dev == b->dev &&
	       (a->nh_flags & RTNH_F_ONLINK) == (b->nh_flags & RTNH_F_ONLINK) &&
	       !memcmp(a->metrics, b->metrics, sizeof(a->metrics));
}

/* ---- lookup ---- */

static bool prefix_match(const struct fib_route *r, __be32 addr)
{
	return !((addr ^ r->dst) & inet_make_mask(r->dst_len));
}

int fib_lookup(__be32 daddr, uint8_t tos, uint8_t scope, int oif, struct fib_result *res)
{
	static const uint32_t order[] = { RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_DEFAULT };
	for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
		struct fib_table *t = get_table(order[i], false);
		if (!t)
			continue;
		/* the longest prefix wins; for one prefix, its first route
		 * that fits (an unreachable/blackhole/prohibit one answers
		 * with its error) */
		struct fib_route *r, *best = NULL;
		list_for_each_entry(r, &t->routes, list) {
			if (!prefix_match(r, daddr) || (best && r->dst_len <= best->dst_len))
				continue;
			if (r->tos && r->tos != tos)
				continue;
			if (r->scope < scope)
				continue;
			if (!type_error(r->type) &&
			    ((r->nh_flags & RTNH_F_DEAD) || (oif && r->dev && r->dev->ifindex != oif)))
				continue;
			best = r;
		}
		if (!best)
			continue;
		int err = type_error(best->type);
		if (err)
			return err;
		best->use++;
		*res = (struct fib_result){ .route = best, .type = best->type, .scope = best->scope,
					    .prefixlen = best->dst_len, .dev = best->dev, .gw = best->gw,
					    .prefsrc = best->prefsrc };
		return 0;
	}
	return -ENETUNREACH;
}

__be32 fib_result_prefsrc(const struct fib_result *res)
{
	if (res->prefsrc)
		return res->prefsrc;
	/* an address of the route's scope at most (fib_info_update_nhc_saddr):
	 * a link-scope route through lo finds none (127.0.0.1 is host scope)
	 * and the source stays 0.0.0.0, as on Linux */
	return inet_select_addr(res->dev, res->gw, res->scope);
}

/* ---- adding ---- */

/* The checks of Linux's fib_create_info/fib_check_nh on a new route;
 * fills r->dev. */
static int check_route(const struct fib_route_cfg *c, struct fib_route *r)
{
	if (c->dst_len > 32 || (c->dst & ~inet_make_mask(c->dst_len)))
		return -EINVAL;
	if (c->scope > RT_SCOPE_HOST)
		return -EINVAL;
	if (c->type == RTN_UNSPEC || c->type > RTN_MAX)
		return -EINVAL;
	struct net_device *dev = NULL;
	if (c->oif) {
		dev = dev_get_by_index(c->oif);
		if (!dev)
			return -ENODEV;
	}
	if (type_error(c->type)) {
		if (c->gw || c->oif)
			return -EINVAL;	/* unreachable, blackhole, prohibit have no next hop */
		r->dev = NULL;
		return 0;
	}
	if (!type_has_nexthop(c->type))
		return -EINVAL;
	if (c->scope == RT_SCOPE_HOST) {
		/* a local address: one device, no gateway */
		if (c->gw)
			return -EINVAL;
		if (!dev)
			return -ENODEV;
		r->dev = dev;
	} else if (c->gw) {
		if (c->nh_flags & RTNH_F_ONLINK) {
			if (!dev)
				return -EINVAL;
			if (!(dev->flags & IFF_UP))
				return -ENETDOWN;
			unsigned t = inet_addr_type(c->gw);
			if (t != RTN_UNICAST)
				return -EINVAL;
			r->dev = dev;
		} else {
			/* the gateway must be on a connected network (a route
			 * of scope link or host to it, through dev if given) */
			struct fib_result res;
			int err = fib_lookup(c->gw, 0, MAX(c->scope + 1, RT_SCOPE_LINK), c->oif, &res);
			if (err)
				return err == -EHOSTUNREACH || err == -EACCES || err == -EINVAL ? err : -ENETUNREACH;
			if (res.type != RTN_UNICAST && res.type != RTN_LOCAL)
				return -EINVAL;
			if (!res.dev)
				return -ENODEV;
			if (!(res.dev->flags & IFF_UP))
				return -ENETDOWN;
			r->dev = res.dev;
		}
	} else {
		if (c->nh_flags & RTNH_F_ONLINK)
			return -EINVAL;
		if (!dev || !in_dev_get(dev))
			return -ENODEV;
		if (!(dev->flags & IFF_UP))
			return -ENETDOWN;
		r->dev = dev;
	}
	/* a preferred source must be one of ours (or the local route's own) */
	if (c->prefsrc && !(c->type == RTN_LOCAL && c->dst_len == 32 && c->prefsrc == c->dst) &&
	    inet_addr_type(c->prefsrc) != RTN_LOCAL)
		return -EINVAL;
	return 0;
}

static void link_route(struct fib_table *t, struct fib_route *r, struct fib_route *before)
{
	if (before) {
		list_add_tail(&r->list, &before->list);
		return;
	}
	struct fib_route *o;
	list_for_each_entry(o, &t->routes, list)
		if (sorts_before(r, o)) {
			list_add_tail(&r->list, &o->list);
			return;
		}
	list_add_tail(&r->list, &t->routes);
}

int fib_route_add(const struct fib_route_cfg *c)
{
	struct fib_route *r = kzalloc(sizeof(*r));
	r->table = c->table ? c->table : RT_TABLE_MAIN;
	r->dst = c->dst;
	r->dst_len = c->dst_len;
	r->tos = c->tos;
	r->type = c->type;
	r->scope = c->scope;
	r->protocol = c->protocol;
	r->priority = c->priority;
	r->prefsrc = c->prefsrc;
	r->gw = c->gw;
	r->nh_flags = c->nh_flags & RTNH_F_ONLINK;
	memcpy(r->metrics, c->metrics, sizeof(r->metrics));
	int err = check_route(c, r);
	if (err) {
		kfree(r);
		return err;
	}
	if (r->dev && !r->dev->carrier)
		r->nh_flags |= RTNH_F_LINKDOWN;
	struct fib_table *t = get_table(r->table, true);
	/* the first route of the same prefix, TOS and metric (Linux's fa) */
	struct fib_route *fa = NULL, *o;
	list_for_each_entry(o, &t->routes, list)
		if (same_key(o, r->dst, r->dst_len, r->tos) && o->priority == r->priority) {
			fa = o;
			break;
		}
	struct fib_route *before = NULL;
	if (fa) {
		if (c->nlflags & NLM_F_EXCL) {
			kfree(r);
			return -EEXIST;
		}
		if (c->nlflags & NLM_F_REPLACE) {
			list_add_tail(&r->list, &fa->list);
			list_del(&fa->list);
			inet_notify_route(fa, INET_DEL);
			kfree(fa);
			inet_notify_route(r, INET_NEW);
			return 0;
		}
		/* an identical route is an error; else before the first of
		 * its key (prepend), or after the last (NLM_F_APPEND) */
		struct fib_route *last = fa;
		for (o = fa; &o->list != &t->routes && same_key(o, r->dst, r->dst_len, r->tos) && o->priority == r->priority;
		     o = list_entry(o->list.next, struct fib_route, list)) {
			if (o->type == r->type && same_info(o, r)) {
				kfree(r);
				return -EEXIST;
			}
			last = o;
		}
		before = (c->nlflags & NLM_F_APPEND) ? list_entry(last->list.next, struct fib_route, list) : fa;
		if (&before->list == &t->routes) {
			list_add_tail(&r->list, &t->routes);
			before = NULL;
			goto linked;
		}
	} else if (!(c->nlflags & NLM_F_CREATE)) {
		kfree(r);
		return -ENOENT;
	}
	link_route(t, r, before);
linked:
	inet_notify_route(r, INET_NEW);
	return 0;
}

static void free_route(struct fib_route *r)
{
	list_del(&r->list);
	inet_notify_route(r, INET_DEL);
	kfree(r);
}

int fib_route_del(const struct fib_route_cfg *c)
{
	struct fib_table *t = get_table(c->table ? c->table : RT_TABLE_MAIN, false);
	if (!t || c->dst_len > 32)
		return -ESRCH;
	struct fib_route *r;
	list_for_each_entry(r, &t->routes, list) {
		if (!same_key(r, c->dst, c->dst_len, c->tos))
			continue;
		if (c->type && r->type != c->type)
			continue;
		if (c->scope != RT_SCOPE_NOWHERE && r->scope != c->scope)
			continue;
		if (c->priority && r->priority != c->priority)
			continue;
		if (c->prefsrc && r->prefsrc != c->prefsrc)
			continue;
		if (c->protocol && r->protocol != c->protocol)
			continue;
		if (c->oif && (!r->dev || r->dev->ifindex != c->oif))
			continue;
		if (c->gw && r->gw != c->gw)
			continue;
		free_route(r);
		return 0;
	}
	return -ESRCH;
}

int fib_route_walk(uint32_t table, int (*fn)(const struct fib_route *r, void *arg), void *arg)
{
	struct fib_table *t;
	list_for_each_entry(t, &tables, link) {
		if (table && t->id != table)
			continue;
		struct fib_route *r, *n;
		list_for_each_entry_safe(r, n, &t->routes, list) {
			int err = fn(r, arg);
			if (err)
				return err;
		}
	}
	return 0;
}

/* ---- routes that come with addresses (Linux's fib_magic) ---- */

static void magic(bool add, uint8_t type, __be32 dst, int len, const struct in_ifaddr *prim, uint32_t priority)
{
	struct fib_route_cfg c = {
		.table = type == RTN_UNICAST ? RT_TABLE_MAIN : RT_TABLE_LOCAL,
		.dst = dst, .dst_len = (uint8_t)len, .type = type, .protocol = RTPROT_KERNEL,
		.scope = type == RTN_LOCAL ? RT_SCOPE_HOST : RT_SCOPE_LINK,
		.priority = priority, .prefsrc = prim->local, .oif = prim->idev->dev->ifindex,
		.nlflags = NLM_F_CREATE | NLM_F_APPEND,
	};
	if (add)
		fib_route_add(&c);
	else
		fib_route_del(&c);
}

void fib_add_ifaddr(struct in_ifaddr *ifa)
{
	struct net_device *dev = ifa->idev->dev;
	struct in_ifaddr *prim = ifa;
	__be32 prefix = ifa->address & ifa->mask;
	if (ifa->flags & IFA_F_SECONDARY) {
		prim = inet_ifa_byprefix(ifa->idev, prefix, ifa->mask);
		if (!prim)
			return;
	}
	magic(true, RTN_LOCAL, ifa->local, 32, prim, 0);
	if (!(dev->flags & IFF_UP))
		return;
	if (ifa->broadcast && !ipv4_is_lbcast(ifa->broadcast))
		magic(true, RTN_BROADCAST, ifa->broadcast, 32, prim, 0);
	if (!ipv4_is_zeronet(prefix) && !(ifa->flags & IFA_F_SECONDARY) &&
	    (prefix != ifa->local || ifa->prefixlen < 32)) {
		if (!(ifa->flags & IFA_F_NOPREFIXROUTE))
			magic(true, (dev->flags & IFF_LOOPBACK) ? RTN_LOCAL : RTN_UNICAST, prefix, ifa->prefixlen, prim,
			      ifa->rt_priority);
		if (ifa->prefixlen < 31)
			magic(true, RTN_BROADCAST, prefix | ~ifa->mask, 32, prim, 0);
	}
}

/* ifa is gone from its device's list (its secondaries too, if it was a
 * primary: then primary_gone is it, for the secondaries' routes, which
 * carry the primary's address as their source). */
void fib_del_ifaddr(struct in_ifaddr *ifa, struct in_ifaddr *primary_gone)
{
	struct in_device *idev = ifa->idev;
	struct net_device *dev = idev->dev;
	__be32 prefix = ifa->address & ifa->mask;
	__be32 brd = prefix | ~ifa->mask;
	struct in_ifaddr *prim = ifa;
	if (ifa->flags & IFA_F_SECONDARY) {
		prim = primary_gone ? primary_gone : inet_ifa_byprefix(idev, prefix, ifa->mask);
		if (!prim)
			return;
	} else if (!(ifa->flags & IFA_F_NOPREFIXROUTE) && !ipv4_is_zeronet(prefix) &&
		   (prefix != ifa->local || ifa->prefixlen < 32)) {
		magic(false, (dev->flags & IFF_LOOPBACK) ? RTN_LOCAL : RTN_UNICAST, prefix, ifa->prefixlen, prim,
		      ifa->rt_priority);
	}
	/* what the device's remaining addresses still need */
	bool local_ok = false, brd_ok = false, brd1_ok = false;
	struct in_ifaddr *o;
	in_dev_for_each_ifa(o, idev) {
		if (o == ifa)
			continue;
		if (o->local == ifa->local)
			local_ok = true;
		if (o->broadcast == ifa->broadcast)
			brd_ok = true;
		if (o->broadcast == brd || (o->prefixlen < 31 && ((o->address & o->mask) | ~o->mask) == brd))
			brd1_ok = true;
	}
	if (ifa->broadcast && !brd_ok)
		magic(false, RTN_BROADCAST, ifa->broadcast, 32, prim, 0);
	if (!(ifa->flags & IFA_F_SECONDARY) && ifa->prefixlen < 31 && !brd1_ok && brd != ifa->broadcast)
		magic(false, RTN_BROADCAST, brd, 32, prim, 0);
	if (!local_ok)
		magic(false, RTN_LOCAL, ifa->local, 32, prim, 0);
}

/* ---- devices going down ---- */

void fib_sync_down_dev(struct net_device *dev, bool force)
{
	struct fib_table *t;
	list_for_each_entry(t, &tables, link) {
		struct fib_route *r, *n;
		list_for_each_entry_safe(r, n, &t->routes, list) {
			if (r->dev != dev)
				continue;
			/* down: routes to our own addresses stay (Linux
			 * keeps host-scope next hops); gone: everything */
			if (!force && r->scope == RT_SCOPE_HOST)
				continue;
			free_route(r);
		}
	}
}

void fib_sync_carrier(struct net_device *dev)
{
	struct fib_table *t;
	list_for_each_entry(t, &tables, link) {
		struct fib_route *r;
		list_for_each_entry(r, &t->routes, list) {
			if (r->dev != dev || r->scope == RT_SCOPE_HOST)
				continue;
			if (dev->carrier)
				r->nh_flags &= ~(unsigned)RTNH_F_LINKDOWN;
			else
				r->nh_flags |= RTNH_F_LINKDOWN;
		}
	}
}

/* ---- address types ---- */

unsigned inet_addr_type(__be32 addr)
{
	if (ipv4_is_zeronet(addr) || ipv4_is_lbcast(addr))
		return RTN_BROADCAST;
	if (ipv4_is_multicast(addr))
		return RTN_MULTICAST;
	struct fib_table *t = get_table(RT_TABLE_LOCAL, false);
	if (t) {
		struct fib_route *r;
		list_for_each_entry(r, &t->routes, list)
			if (prefix_match(r, addr))
				return r->type;
	}
	return RTN_UNICAST;
}
