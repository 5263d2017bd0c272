/* The address ioctls of AF_INET sockets (Linux's devinet_ioctl), as
 * busybox ifconfig uses them: SIOCGIFADDR/BRDADDR/DSTADDR/NETMASK read
 * the address of a label ("eth0", "eth0:1"); SIOCSIFADDR sets it with the
 * class's prefix and broadcast (0.0.0.0 removes it), SIOCSIFNETMASK
 * narrows or widens it (the broadcast follows if it was the default),
 * SIOCSIFBRDADDR and SIOCSIFDSTADDR change those; SIOCSIFFLAGS on an
 * alias label without IFF_UP removes the alias, otherwise it is the
 * device's. */
#include <umk/uaccess.h>
#include <linux/sockios.h>
#include "ipv4.h"

/* The prefix length of an address's class; -1 for class D (multicast). */
static int abc_len(__be32 addr)
{
	if (ipv4_is_zeronet(addr) || ipv4_is_lbcast(addr))
		return 0;
	uint32_t h = ntohl(addr);
	if (!(h & 0x80000000))
		return 8;
	if ((h & 0xc0000000) == 0x80000000)
		return 16;
	if ((h & 0xe0000000) == 0xc0000000)
		return 24;
	if ((h & 0xf0000000) == 0xf0000000)
		return 32;
	return -1;
}

static bool bad_mask(__be32 mask)
{
	return inet_mask_len(mask) < 0;
}

/* Re-add ifa's address with changed fields (as Linux's del + insert of
 * the same ifaddr). */
static int readd(struct in_ifaddr *ifa, struct net_device *dev, __be32 local, __be32 address, __be32 mask,
		 __be32 brd)
{
	char label[IFNAMSIZ];
	strlcpy(label, ifa->label, IFNAMSIZ);
	uint32_t flags = ifa->flags & ~(uint32_t)(IFA_F_SECONDARY | IFA_F_DEPRECATED);
	uint32_t prio = ifa->rt_priority;
	uint8_t scope = ifa->scope;
	inet_ifa_delete(ifa);
	if (!local)
		return 0;	/* 0.0.0.0: no address */
	struct inet_addr_cfg c = { .local = local, .address = address, .broadcast = brd,
				   .prefixlen = (uint8_t)inet_mask_len(mask), .scope = scope, .flags = flags,
				   .label = label, .rt_priority = prio };
	return inet_addr_add(dev, &c, NLM_F_CREATE);
}

long devinet_ioctl(unsigned cmd, uaddr_t arg)
{
	struct ifreq ifr;
	if (copy_from_user(&ifr, arg, sizeof(ifr)))
		return -EFAULT;
	ifr.ifr_name[IFNAMSIZ - 1] = 0;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	struct sockaddr_in orig = *sin;
	bool get = cmd == SIOCGIFADDR || cmd == SIOCGIFBRDADDR || cmd == SIOCGIFDSTADDR || cmd == SIOCGIFNETMASK;
	if (get) {
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
	} else {
		if (!net_admin())
			return -EPERM;
		if (cmd != SIOCSIFFLAGS && sin->sin_family != AF_INET)
			return -EINVAL;
	}
	char name[IFNAMSIZ];
	strlcpy(name, ifr.ifr_name, IFNAMSIZ);
	char *colon = strchr(name, ':');
	if (colon)
		*colon = 0;
	struct net_device *dev = dev_get_by_name(name);
	if (!dev)
		return -ENODEV;
	struct in_device *idev = in_dev_get(dev);
	struct in_ifaddr *ifa = NULL, *i;
	if (idev) {
		/* the label and address (4.4BSD), else the label alone */
		if (get && orig.sin_family == AF_INET)
			in_dev_for_each_ifa(i, idev)
				if (!strcmp(ifr.ifr_name, i->label) && orig.sin_addr.s_addr == i->local) {
					ifa = i;
					break;
				}
		if (!ifa)
			in_dev_for_each_ifa(i, idev)
				if (!strcmp(ifr.ifr_name, i->label)) {
					ifa = i;
					break;
				}
	}
	if (!ifa && cmd != SIOCSIFADDR && cmd != SIOCSIFFLAGS)
		return -EADDRNOTAVAIL;
	__be32 a = sin->sin_addr.s_addr;
	switch (cmd) {
	case SIOCGIFADDR: sin->sin_addr.s_addr = ifa->local; break;
	case SIOCGIFBRDADDR: sin->sin_addr.s_addr = ifa->broadcast; break;
	case SIOCGIFDSTADDR: sin->sin_addr.s_addr = ifa->address; break;
	case SIOCGIFNETMASK: sin->sin_addr.s_addr = ifa->mask; break;
	case SIOCSIFFLAGS:
		if (colon) {
			if (!ifa)
				return -EADDRNOTAVAIL;
			if (!(ifr.ifr_flags & IFF_UP))
				inet_ifa_delete(ifa);
			return 0;
		}
		return dev_change_flags(dev, (unsigned short)ifr.ifr_flags);
	case SIOCSIFADDR: {
		int len = abc_len(a);
		if (len < 0)
			return -EINVAL;
		if (ifa && ifa->local == a)
			return 0;
		__be32 mask = inet_make_mask(len), brd = 0;
		if (dev->flags & IFF_POINTOPOINT)
			mask = inet_make_mask(32);
		else if ((dev->flags & IFF_BROADCAST) && len < 31)
			brd = a | ~mask;
		if (ifa)
			return readd(ifa, dev, a, a, mask, brd);
		if (!idev)
			return -ENOBUFS;
		if (!a)
			return 0;
		struct inet_addr_cfg c = { .local = a, .prefixlen = (uint8_t)inet_mask_len(mask), .broadcast = brd,
					   .label = colon ? ifr.ifr_name : NULL };
		return inet_addr_add(dev, &c, NLM_F_CREATE);
	}
	case SIOCSIFBRDADDR:
		if (ifa->broadcast == a)
			return 0;
		return readd(ifa, dev, ifa->local, ifa->address, ifa->mask, a);
	case SIOCSIFDSTADDR:
		if (ifa->address == a)
			return 0;
		if (abc_len(a) < 0)
			return -EINVAL;
		return readd(ifa, dev, ifa->local, a, ifa->mask, ifa->broadcast);
	case SIOCSIFNETMASK: {
		if (bad_mask(a))
			return -EINVAL;
		if (ifa->mask == a)
			return 0;
		__be32 brd = ifa->broadcast;
		/* a broadcast that followed the old mask follows the new one */
		if ((dev->flags & IFF_BROADCAST) && inet_mask_len(a) < 31 && brd == (ifa->local | ~ifa->mask))
			brd = ifa->local | ~a;
		return readd(ifa, dev, ifa->local, ifa->address, a, brd);
	}
	default:
		return -EINVAL;
	}
	return copy_to_user(arg, &ifr, sizeof(ifr)) ? -EFAULT : 0;
}
