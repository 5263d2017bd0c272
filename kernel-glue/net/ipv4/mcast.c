/* Multicast groups a device's host belongs to (Linux's igmp.c, the
 * membership part): all-hosts (224.0.0.1) while the device is up, and
 * each group a socket joined on it (counted: joined by several sockets,
 * left by the last). Receive accepts a multicast datagram only for a
 * group of the receiving device. /proc/net/igmp lists them. IGMP
 * reports and queries are not sent or answered yet. */
#include <umk/proc.h>
#include "ipv4.h"

#define IGMP_ALL_HOSTS htonl(0xE0000001)

struct ip_mc_group {
	struct list_head link;
	__be32 addr;
	int users;
};

static struct ip_mc_group *find(struct in_device *idev, __be32 group)
{
	struct ip_mc_group *g;
	list_for_each_entry(g, &idev->mc_list, link)
		if (g->addr == group)
			return g;
	return NULL;
}

bool ip_check_mc(const struct net_device *dev, __be32 group)
{
	struct in_device *idev = in_dev_get(dev);
	return idev && find(idev, group);
}

int ip_mc_join(struct net_device *dev, __be32 group)
{
	struct in_device *idev = in_dev_get(dev);
	if (!idev)
		return -ENODEV;
	struct ip_mc_group *g = find(idev, group);
	if (!g) {
		g = kzalloc(sizeof(*g));
		g->addr = group;
		list_add(&g->link, &idev->mc_list);	/* newest first, as Linux lists them */
	}
	g->users++;
	return 0;
}

void ip_mc_leave(struct net_device *dev, __be32 group)
{
	struct in_device *idev = in_dev_get(dev);
	struct ip_mc_group *g = idev ? find(idev, group) : NULL;
	if (!g || --g->users)
		return;
	list_del(&g->link);
	kfree(g);
}

void ip_mc_up(struct net_device *dev)
{
	ip_mc_join(dev, IGMP_ALL_HOSTS);
}

void ip_mc_down(struct net_device *dev)
{
	ip_mc_leave(dev, IGMP_ALL_HOSTS);
}

void ip_mc_destroy_dev(struct in_device *idev)
{
	while (!list_empty(&idev->mc_list)) {
		struct ip_mc_group *g = list_first_entry(&idev->mc_list, struct ip_mc_group, link);
		list_del(&g->link);
		kfree(g);
	}
}

static int igmp_show(struct sbuf *o, void *data __unused)
{
	sbuf_printf(o, "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n");
	for_each_netdev(dev) {
		struct in_device *idev = in_dev_get(dev);
		if (!idev || list_empty(&idev->mc_list))
			continue;
		int n = 0;
		struct ip_mc_group *g;
		list_for_each_entry(g, &idev->mc_list, link)
			n++;
		sbuf_printf(o, "%d\t%-10s: %5d %7s\n", dev->ifindex, dev->name, n, "V3");
		list_for_each_entry(g, &idev->mc_list, link)
			sbuf_printf(o, "\t\t\t\t%08X %5d %d:%08X\t\t%d\n", g->addr, g->users, 0, 0, 0);
	}
	return 0;
}
DEFINE_PROC_FILE(net_igmp, "net/igmp", 0444, igmp_show, NULL, NULL);
