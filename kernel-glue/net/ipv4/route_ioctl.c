/* SIOCADDRT/SIOCDELRT (Linux's ip_rt_ioctl), as busybox route uses them:
 * a struct rtentry becomes a route of the main table (protocol "boot",
 * metric rt_metric - 1); RTF_REJECT makes an unreachable route; RTF_MTU,
 * RTF_WINDOW, RTF_IRTT set the advmss, window and rtt metrics. */
#include <umk/uaccess.h>
#include <linux/route.h>
#include <linux/sockios.h>
#include "ipv4.h"

static __be32 sa_addr(const struct sockaddr *sa)
{
	return ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
}

static int rtentry_to_cfg(unsigned cmd, const struct rtentry *rt, struct fib_route_cfg *c)
{
	memset(c, 0, sizeof(*c));
	if (rt->rt_dst.sa_family != AF_INET)
		return -EAFNOSUPPORT;
	__be32 addr = sa_addr(&rt->rt_dst);
	int plen = 32;
	if (!(rt->rt_flags & RTF_HOST)) {
		__be32 mask = sa_addr(&rt->rt_genmask);
		if (rt->rt_genmask.sa_family != AF_INET && (mask || rt->rt_genmask.sa_family))
			return -EAFNOSUPPORT;
		plen = inet_mask_len(mask);
		if (plen < 0 || (addr & ~mask))
			return -EINVAL;
	}
	c->dst = addr;
	c->dst_len = (uint8_t)plen;
	c->table = RT_TABLE_MAIN;
	if (cmd != SIOCDELRT) {
		c->nlflags = NLM_F_CREATE;
		c->protocol = RTPROT_BOOT;
	}
	if (rt->rt_metric)
		c->priority = (uint32_t)rt->rt_metric - 1;
	if (rt->rt_flags & RTF_REJECT) {
		c->scope = RT_SCOPE_HOST;
		c->type = RTN_UNREACHABLE;
		return 0;
	}
	c->scope = RT_SCOPE_NOWHERE;
	c->type = RTN_UNICAST;
	if (rt->rt_dev) {
		char name[IFNAMSIZ];
		memset(name, 0, sizeof(name));
		if (copy_from_user(name, (uaddr_t)(uintptr_t)rt->rt_dev, IFNAMSIZ - 1))
			return -EFAULT;
		char *colon = strchr(name, ':');
		if (colon)
			*colon = 0;
		struct net_device *dev = dev_get_by_name(name);
		if (!dev)
			return -ENODEV;
		c->oif = dev->ifindex;
		if (colon) {
			/* an alias label: its address is the preferred source */
			*colon = ':';
			struct in_device *idev = in_dev_get(dev);
			struct in_ifaddr *ifa, *found = NULL;
			if (idev)
				in_dev_for_each_ifa(ifa, idev)
					if (!strcmp(ifa->label, name)) {
						found = ifa;
						break;
					}
			if (!found)
				return -ENODEV;
			c->prefsrc = found->local;
		}
	}
	__be32 gw = sa_addr(&rt->rt_gateway);
	if (rt->rt_gateway.sa_family == AF_INET && gw) {
		c->gw = gw;
		if ((rt->rt_flags & RTF_GATEWAY) && inet_addr_type(gw) == RTN_UNICAST)
			c->scope = RT_SCOPE_UNIVERSE;
	}
	if (cmd == SIOCDELRT)
		return 0;
	if ((rt->rt_flags & RTF_GATEWAY) && !c->gw)
		return -EINVAL;
	if (c->scope == RT_SCOPE_NOWHERE)
		c->scope = RT_SCOPE_LINK;
	if (rt->rt_flags & RTF_MTU)
		c->metrics[RTAX_ADVMSS - 1] = (uint32_t)rt->rt_mtu - 40;
	if (rt->rt_flags & RTF_WINDOW)
		c->metrics[RTAX_WINDOW - 1] = (uint32_t)rt->rt_window;
	if (rt->rt_flags & RTF_IRTT)
		c->metrics[RTAX_RTT - 1] = (uint32_t)rt->rt_irtt << 3;
	return 0;
}

long ip_rt_ioctl(unsigned cmd, uaddr_t arg)
{
	if (!net_admin())
		return -EPERM;
	struct rtentry rt;
	if (copy_from_user(&rt, arg, sizeof(rt)))
		return -EFAULT;
	struct fib_route_cfg c;
	int err = rtentry_to_cfg(cmd, &rt, &c);
	if (err)
		return err;
	return cmd == SIOCDELRT ? fib_route_del(&c) : fib_route_add(&c);
}
