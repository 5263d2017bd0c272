/* The device ioctls any socket takes (Linux's dev_ioctl.c): names and
 * indexes, flags, MTU, hardware address, queue length, and SIOCGIFCONF
 * (whose entries are the IPv4 addresses, as on Linux). Reading needs no
 * privilege; changing needs CAP_NET_ADMIN (root here). */
#include <umk/capability.h>
#include <umk/netdevice.h>
#include <umk/inet.h>
#include <umk/sched.h>
#include <umk/uaccess.h>
#include <linux/sockios.h>

static bool net_admin(void) { return capable(CAP_NET_ADMIN); }

/* SIOCGIFCONF: struct ifconf { int len; pointer to the ifreqs }. */
static long ifconf(uaddr_t arg)
{
	struct ifconf ifc;
	if (copy_from_user(&ifc, arg, sizeof(ifc)))
		return -EFAULT;
	uaddr_t pos = (uaddr_t)(uintptr_t)ifc.ifc_buf;
	int len = ifc.ifc_len, total = 0;
	for_each_netdev(dev) {
		if (!pos) {
			total += inet_gifconf(dev, NULL, 0);
			continue;
		}
		int room = len - total;
		if (room < (int)sizeof(struct ifreq))
			break;
		char *buf = kmalloc(room);
		int done = inet_gifconf(dev, buf, room);
		int err = done > 0 ? copy_to_user(pos + total, buf, done) : 0;
		kfree(buf);
		if (err)
			return -EFAULT;
		total += done;
	}
	return copy_to_user(arg + offsetof(struct ifconf, ifc_len), &total, sizeof(total));
}

long dev_ifreq_ioctl(unsigned cmd, struct ifreq *ifr, bool *copy_out)
{
	*copy_out = false;
	if (cmd == SIOCGIFNAME) {
		struct net_device *d = dev_get_by_index(ifr->ifr_ifindex);
		if (!d)
			return -ENODEV;
		strlcpy(ifr->ifr_name, d->name, IFNAMSIZ);
		*copy_out = true;
		return 0;
	}
	ifr->ifr_name[IFNAMSIZ - 1] = 0;
	char name[IFNAMSIZ];
	strlcpy(name, ifr->ifr_name, IFNAMSIZ);
	char *colon = strchr(name, ':');	/* "eth0:1" is eth0 here */
	if (colon)
		*colon = 0;
	switch (cmd) {
	case SIOCGIFHWADDR: case SIOCGIFFLAGS: case SIOCGIFMETRIC: case SIOCGIFMTU:
	case SIOCGIFMAP: case SIOCGIFINDEX: case SIOCGIFTXQLEN:
	case SIOCSIFFLAGS: case SIOCSIFMETRIC: case SIOCSIFMTU: case SIOCSIFHWADDR: case SIOCSIFTXQLEN:
		break;
	default:
		return -ENOTTY;
	}
	bool set = cmd == SIOCSIFFLAGS || cmd == SIOCSIFMETRIC || cmd == SIOCSIFMTU || cmd == SIOCSIFHWADDR ||
		   cmd == SIOCSIFTXQLEN;
	if (set && !net_admin())
		return -EPERM;
	struct net_device *dev = dev_get_by_name(name);
	if (!dev)
		return -ENODEV;
	*copy_out = !set;
	switch (cmd) {
	case SIOCGIFHWADDR:
		memset(ifr->ifr_hwaddr.sa_data, 0, sizeof(ifr->ifr_hwaddr.sa_data));
		memcpy(ifr->ifr_hwaddr.sa_data, dev->dev_addr, MIN((size_t)dev->addr_len, sizeof(ifr->ifr_hwaddr.sa_data)));
		ifr->ifr_hwaddr.sa_family = dev->type;
		return 0;
	case SIOCGIFFLAGS:
		ifr->ifr_flags = (short)dev_get_flags(dev);
		return 0;
	case SIOCGIFMETRIC:
		ifr->ifr_metric = 0;
		return 0;
	case SIOCGIFMTU:
		ifr->ifr_mtu = (int)dev->mtu;
		return 0;
	case SIOCGIFMAP:
		memset(&ifr->ifr_map, 0, sizeof(ifr->ifr_map));	/* virtual cards have no I/O ports */
		return 0;
	case SIOCGIFINDEX:
		ifr->ifr_ifindex = dev->ifindex;
		return 0;
	case SIOCGIFTXQLEN:
		ifr->ifr_qlen = (int)dev->tx_queue_len;
		return 0;
	case SIOCSIFFLAGS:
		return dev_change_flags(dev, (unsigned short)ifr->ifr_flags);
	case SIOCSIFMETRIC:
		return -EOPNOTSUPP;
	case SIOCSIFMTU:
		if (ifr->ifr_mtu < 0)
			return -EINVAL;
		return dev_set_mtu(dev, (unsigned)ifr->ifr_mtu);
	case SIOCSIFHWADDR:
		if (ifr->ifr_hwaddr.sa_family != dev->type)
			return -EINVAL;
		return dev_set_mac_address(dev, (const uint8_t *)ifr->ifr_hwaddr.sa_data);
	case SIOCSIFTXQLEN:
		if (ifr->ifr_qlen < 0)
			return -EINVAL;
		dev->tx_queue_len = (unsigned)ifr->ifr_qlen;
		return 0;
	}
	return -ENOTTY;
}

/* SIOCETHTOOL: the ifreq names the device, ifr_data points at the query. */
static long ethtool_ioctl(uaddr_t arg)
{
	struct ifreq ifr;
	if (copy_from_user(&ifr, arg, sizeof(ifr)))
		return -EFAULT;
	ifr.ifr_name[IFNAMSIZ - 1] = 0;
	struct net_device *dev = dev_get_by_name(ifr.ifr_name);
	if (!dev)
		return -ENODEV;
	return dev_ethtool(dev, (uaddr_t)(uintptr_t)ifr.ifr_data);
}

long dev_ioctl(unsigned cmd, uaddr_t arg)
{
	if (cmd == SIOCGIFCONF)
		return ifconf(arg);
	if (cmd == SIOCETHTOOL)
		return ethtool_ioctl(arg);
	struct ifreq ifr;
	switch (cmd) {
	case SIOCGIFNAME: case SIOCGIFHWADDR: case SIOCGIFFLAGS: case SIOCGIFMETRIC: case SIOCGIFMTU:
	case SIOCGIFMAP: case SIOCGIFINDEX: case SIOCGIFTXQLEN:
	case SIOCSIFFLAGS: case SIOCSIFMETRIC: case SIOCSIFMTU: case SIOCSIFHWADDR: case SIOCSIFTXQLEN:
		break;
	default:
		return -ENOTTY;
	}
	if (copy_from_user(&ifr, arg, sizeof(ifr)))
		return -EFAULT;
	bool out;
	long r = dev_ifreq_ioctl(cmd, &ifr, &out);
	if (!r && out && copy_to_user(arg, &ifr, sizeof(ifr)))
		return -EFAULT;
	return r;
}
