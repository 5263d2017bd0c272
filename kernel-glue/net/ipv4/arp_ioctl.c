/* SIOCSARP/SIOCDARP/SIOCGARP (Linux's arp_ioctl), as busybox arp uses
 * them, on the ARP cache's configuration API: ATF_PERM makes a permanent
 * entry, ATF_COM one with a known address; proxy entries (ATF_PUBL) are
 * not supported. */
#include <umk/uaccess.h>
#include <linux/sockios.h>
#include "ipv4.h"

static struct net_device *arp_dev(const struct arpreq *r, __be32 ip, int *err)
{
	*err = 0;
	if (r->arp_dev[0]) {
		char name[IFNAMSIZ];
		memcpy(name, r->arp_dev, IFNAMSIZ);
		name[IFNAMSIZ - 1] = 0;
		struct net_device *d = dev_get_by_name(name);
		if (!d)
			*err = -ENODEV;
		return d;
	}
	struct flowi4 fl = { .daddr = ip, .scope = RT_SCOPE_LINK };
	struct rtable rt;
	if (ip_route_output(&fl, &rt)) {
		*err = -ENETUNREACH;
		return NULL;
	}
	return rt.dev;
}

long arp_ioctl(unsigned cmd, uaddr_t arg)
{
	if (cmd != SIOCGARP && !net_admin())
		return -EPERM;
	struct arpreq r;
	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.arp_pa.sa_family != AF_INET)
		return -EPFNOSUPPORT;
	if (!(r.arp_flags & ATF_PUBL) && (r.arp_flags & (ATF_NETMASK | ATF_DONTPUB)))
		return -EINVAL;
	if (r.arp_flags & ATF_PUBL)
		return -EOPNOTSUPP;	/* proxy ARP entries are not supported */
	__be32 ip = ((struct sockaddr_in *)&r.arp_pa)->sin_addr.s_addr;
	if (cmd == SIOCGARP && !r.arp_dev[0])
		return -ENODEV;
	int err;
	struct net_device *dev = arp_dev(&r, ip, &err);
	if (!dev)
		return err ? err : -EINVAL;
	if (!r.arp_ha.sa_family)
		r.arp_ha.sa_family = dev->type;
	if ((r.arp_flags & ATF_COM) && r.arp_ha.sa_family != dev->type)
		return -EINVAL;
	switch (cmd) {
	case SIOCSARP: {
		if (r.arp_ha.sa_family != dev->type)
			return -EINVAL;
		uint16_t state = NUD_STALE;
		if (r.arp_flags & ATF_PERM) {
			r.arp_flags |= ATF_COM;
			state = NUD_PERMANENT;
		}
		struct neighbour *n = neigh_find(dev, ip, true);
		if (!n)
			return -ENOBUFS;
		return neigh_update(n, (r.arp_flags & ATF_COM) ? (const uint8_t *)r.arp_ha.sa_data : NULL, state,
				    NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
	}
	case SIOCDARP: {
		struct neighbour *n = neigh_lookup(dev, ip);
		if (!n || n->nud_state == NUD_NOARP)
			return -ENXIO;
		neigh_delete(dev, ip);
		return 0;
	}
	case SIOCGARP: {
		struct neighbour *n = neigh_lookup(dev, ip);
		if (!n || (n->nud_state & NUD_NOARP))
			return -ENXIO;
		memcpy(r.arp_ha.sa_data, n->ha, dev->addr_len);
		r.arp_ha.sa_family = dev->type;
		r.arp_flags = (n->nud_state & NUD_PERMANENT) ? ATF_PERM | ATF_COM : (n->nud_state & NUD_VALID) ? ATF_COM : 0;
		strlcpy(r.arp_dev, dev->name, sizeof(r.arp_dev));
		return copy_to_user(arg, &r, sizeof(r)) ? -EFAULT : 0;
	}
	}
	return -EINVAL;
}
