/* Routing decisions (Linux's route.c without its cache): for a packet we
 * send, the output device, next hop and source address; for a packet we
 * receive, whether it is for us (local, broadcast, a multicast group we
 * joined), to be forwarded, or to be dropped as martian. */
#include "ipv4.h"

unsigned ip_rt_mtu(const struct rtable *rt)
{
	return rt->mtu;
}

/* Fill the parts every route shares: type, flags, MTU. */
static int make_route(struct flowi4 *fl, struct rtable *rt, uint8_t type, struct net_device *dev, __be32 gw,
		      const struct fib_route *route)
{
	__be32 daddr = fl->daddr;
	unsigned flags = 0;
	if (ipv4_is_lbcast(daddr))
		type = RTN_BROADCAST;
	else if (ipv4_is_multicast(daddr))
		type = RTN_MULTICAST;
	else if (ipv4_is_zeronet(daddr))
		return -EINVAL;
	if (dev->flags & IFF_LOOPBACK)
		flags |= RTCF_LOCAL;
	if (type == RTN_BROADCAST) {
		flags |= RTCF_BROADCAST | RTCF_LOCAL;
		route = NULL;
	} else if (type == RTN_MULTICAST) {
		flags |= RTCF_MULTICAST | RTCF_LOCAL;
		if (!ip_check_mc(dev, daddr))
			flags &= ~(unsigned)RTCF_LOCAL;
		route = NULL;
	}
	*rt = (struct rtable){ .type = type, .flags = flags, .dev = dev, .dst = daddr, .src = fl->saddr,
			       .gw = gw, .route = route };
	rt->mtu = dev->mtu;
	if (route && route->metrics[RTAX_MTU - 1]) {
		rt->mtu = MIN(route->metrics[RTAX_MTU - 1], dev->mtu);
		rt->mtu_locked = route->metrics[RTAX_LOCK - 1] & (1u << RTAX_MTU);
	}
	if (rt->mtu > IP_MAX_MTU)
		rt->mtu = IP_MAX_MTU;
	return 0;
}

int ip_route_output(struct flowi4 *fl, struct rtable *rt)
{
	struct net_device *dev_out = NULL;
	if (fl->saddr) {
		if (ipv4_is_multicast(fl->saddr) || ipv4_is_lbcast(fl->saddr) || ipv4_is_zeronet(fl->saddr))
			return -EINVAL;
		/* the source must be ours (Linux's __ip_dev_find check) */
		if (inet_addr_type(fl->saddr) != RTN_LOCAL)
			return -EINVAL;
		if (!fl->oif && (ipv4_is_multicast(fl->daddr) || ipv4_is_lbcast(fl->daddr))) {
			/* multicast/limited broadcast from a given source: its device */
			dev_out = ip_dev_find(fl->saddr);
			if (!dev_out)
				return -EINVAL;
			fl->oif = dev_out->ifindex;
			return make_route(fl, rt, RTN_UNICAST, dev_out, 0, NULL);
		}
	}
	if (fl->oif) {
		dev_out = dev_get_by_index(fl->oif);
		if (!dev_out)
			return -ENODEV;
		if (!(dev_out->flags & IFF_UP) || !in_dev_get(dev_out))
			return -ENETUNREACH;
		/* multicast and limited broadcast go out of the asked
		 * device whatever the tables say */
		if (ipv4_is_multicast(fl->daddr) || ipv4_is_lbcast(fl->daddr)) {
			if (!fl->saddr)
				fl->saddr = inet_select_addr(dev_out, 0, RT_SCOPE_LINK);
			return make_route(fl, rt, RTN_UNICAST, dev_out, 0, NULL);
		}
		if (!fl->saddr && !fl->daddr)
			fl->saddr = inet_select_addr(dev_out, 0, RT_SCOPE_HOST);
	}
	if (!fl->daddr) {
		/* 0.0.0.0 is this host: through lo */
		fl->daddr = fl->saddr;
		if (!fl->daddr)
			fl->daddr = fl->saddr = htonl(INADDR_LOOPBACK);
		struct net_device *lo = dev_get_by_index(1);
		if (!lo)
			return -ENETUNREACH;
		fl->oif = lo->ifindex;
		return make_route(fl, rt, RTN_LOCAL, lo, 0, NULL);
	}
	struct fib_result res;
	int err = fib_lookup(fl->daddr, fl->tos, fl->scope, fl->oif, &res);
	if (err) {
		if (fl->oif && err == -ENETUNREACH) {
			/* no route through the asked device: assume the
			 * destination is on its link, as Linux */
			if (!fl->saddr)
				fl->saddr = inet_select_addr(dev_out, 0, RT_SCOPE_LINK);
			return make_route(fl, rt, RTN_UNICAST, dev_out, 0, NULL);
		}
		if (err == -ENETUNREACH)
			IP_INC_STATS(IPSTATS_OUTNOROUTES);
		return err;
	}
	if (res.type == RTN_LOCAL) {
		if (!fl->saddr)
			fl->saddr = res.prefsrc ? res.prefsrc : fl->daddr;
		struct net_device *lo = dev_get_by_index(1);
		if (!lo)
			return -ENETUNREACH;
		fl->oif = lo->ifindex;
		return make_route(fl, rt, RTN_LOCAL, lo, 0, res.route);
	}
	dev_out = res.dev;
	if (!dev_out)
		return -ENETUNREACH;
	if (!fl->saddr)
		fl->saddr = fib_result_prefsrc(&res);
	fl->oif = dev_out->ifindex;
	return make_route(fl, rt, res.type, dev_out, res.gw, res.route);
}

/* ---- input ---- */

static void set_input(struct sk_buff *skb, struct rtable *rt, uint8_t type, unsigned flags, __be32 spec_dst,
		      struct net_device *dev)
{
	INET_CB(skb)->rt_type = type;
	INET_CB(skb)->rt_flags = flags;
	INET_CB(skb)->spec_dst = spec_dst;
	INET_CB(skb)->iif = dev->ifindex;
	*rt = (struct rtable){ .type = type, .flags = flags, .dev = dev, .iif = dev->ifindex, .mtu = dev->mtu };
}

/* What comes in on lo we sent ourselves: on Linux it carries the output
 * route it went out by, which delivers it here whatever its addresses
 * (no martian checks, never forwarded); a multicast only to a member. */
static int lo_input(struct sk_buff *skb, __be32 daddr, struct net_device *dev, struct rtable *rt)
{
	if (ipv4_is_multicast(daddr)) {
		if (!ip_check_mc(dev, daddr))
			return -EINVAL;
		set_input(skb, rt, RTN_MULTICAST, RTCF_MULTICAST | RTCF_LOCAL, inet_select_addr(dev, 0, RT_SCOPE_LINK), dev);
		return 0;
	}
	if (ipv4_is_lbcast(daddr) || inet_addr_type(daddr) == RTN_BROADCAST) {
		set_input(skb, rt, RTN_BROADCAST, RTCF_BROADCAST | RTCF_LOCAL, inet_select_addr(dev, 0, RT_SCOPE_LINK), dev);
		return 0;
	}
	set_input(skb, rt, RTN_LOCAL, RTCF_LOCAL, daddr, dev);
	return 0;
}

int ip_route_input(struct sk_buff *skb, __be32 daddr, __be32 saddr, uint8_t tos, struct net_device *dev,
		   struct rtable *rt)
{
	struct in_device *idev = in_dev_get(dev);
	if (!idev)
		return -EINVAL;
	if (dev->flags & IFF_LOOPBACK)
		return lo_input(skb, daddr, dev, rt);
	if (ipv4_is_multicast(daddr)) {
		/* a group joined on this device (all-hosts always is) */
		if (ipv4_is_zeronet(saddr) && !ipv4_is_local_multicast(daddr))
			return -EINVAL;
		if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) || ipv4_is_loopback(saddr))
			return -EINVAL;
		if (!ip_check_mc(dev, daddr))
			return -EINVAL;
		set_input(skb, rt, RTN_MULTICAST, RTCF_MULTICAST | RTCF_LOCAL, inet_select_addr(dev, 0, RT_SCOPE_LINK),
			  dev);
		return 0;
	}
	/* martian sources and destinations (Linux's ip_route_input_slow) */
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr))
		return -EINVAL;
	if (ipv4_is_lbcast(daddr) || (!saddr && !daddr))
		goto brd_input;
	if (ipv4_is_zeronet(saddr))
		return -EINVAL;
	if (ipv4_is_zeronet(daddr))
		return -EINVAL;
	if (ipv4_is_loopback(daddr) || ipv4_is_loopback(saddr))
		return -EINVAL;
	struct fib_result res;
	int err = fib_lookup(daddr, tos, RT_SCOPE_UNIVERSE, 0, &res);
	if (err)
		return idev->forwarding ? err : -EHOSTUNREACH;
	if (res.type == RTN_BROADCAST)
		goto brd_input;
	if (res.type == RTN_LOCAL) {
		/* our own address coming in from outside is a spoof
		 * (accept_local 0) */
		if (inet_addr_type(saddr) == RTN_LOCAL)
			return -EINVAL;
		set_input(skb, rt, RTN_LOCAL, RTCF_LOCAL, daddr, dev);
		return 0;
	}
	if (!idev->forwarding)
		return -EHOSTUNREACH;
	if (res.type != RTN_UNICAST)
		return -EINVAL;
	set_input(skb, rt, RTN_UNICAST, 0, 0, dev);
	rt->dev = res.dev;
	rt->gw = res.gw;
	rt->dst = daddr;
	rt->route = res.route;
	rt->mtu = res.dev->mtu;
	if (res.route && res.route->metrics[RTAX_MTU - 1])
		rt->mtu = MIN(res.route->metrics[RTAX_MTU - 1], res.dev->mtu);
	if (rt->mtu > IP_MAX_MTU)
		rt->mtu = IP_MAX_MTU;
	return 0;

brd_input:
	if (saddr && inet_addr_type(saddr) == RTN_LOCAL)
		return -EINVAL;
	set_input(skb, rt, RTN_BROADCAST, RTCF_BROADCAST | RTCF_LOCAL, inet_select_addr(dev, 0, RT_SCOPE_LINK), dev);
	return 0;
}
