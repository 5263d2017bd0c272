/* IPv4 addresses of devices (Linux's devinet.c): the in_device of each
 * device, adding and deleting addresses with the routes that come with
 * them, address lifetimes, choosing a source address, and what happens
 * to IPv4 when a device goes up or down. lo gets 127.0.0.1/8 when it is
 * brought up without an address, as on Linux. */
#include <umk/proc.h>
#include "ipv4.h"

umk_section_declare(const struct inet_notifier *const, umk_inet_notifiers);

void inet_notify_addr(const struct in_ifaddr *ifa, enum inet_event ev)
{
	umk_section_foreach(const struct inet_notifier *const, umk_inet_notifiers, n)
		if ((*n)->addr)
			(*n)->addr(ifa, ev);
}

void inet_notify_route(const struct fib_route *r, enum inet_event ev)
{
	umk_section_foreach(const struct inet_notifier *const, umk_inet_notifiers, n)
		if ((*n)->route)
			(*n)->route(r, ev);
}

void inet_notify_neigh(const struct neighbour *nb, enum inet_event ev)
{
	umk_section_foreach(const struct inet_notifier *const, umk_inet_notifiers, n)
		if ((*n)->neigh)
			(*n)->neigh(nb, ev);
}

int inet_mask_len(__be32 mask)
{
	uint32_t hmask = ntohl(mask);
	int len = hmask ? 32 - __builtin_ctz(hmask) : 0;
	return inet_make_mask(len) == mask ? len : -1;
}

struct in_ifaddr *inet_ifa_byprefix(struct in_device *idev, __be32 prefix, __be32 mask)
{
	struct in_ifaddr *ifa;
	in_dev_for_each_ifa(ifa, idev)
		if (ifa->mask == mask && inet_ifa_match(prefix, ifa))
			return ifa;
	return NULL;
}

/* ---- lifetimes ---- */

static void lft_expired(struct ktimer *t);

static void lft_arm(struct in_ifaddr *ifa)
{
	ktimer_cancel(&ifa->lft_timer);
	if (ifa->valid_lft == INFINITY_LIFE_TIME)
		return;
	int64_t base = ifa->tstamp - ktime_boot_ns() + ktime_mono_ns();	/* tstamp on CLOCK_MONOTONIC */
	uint32_t next = ifa->valid_lft;
	if (ifa->preferred_lft != INFINITY_LIFE_TIME && !(ifa->flags & IFA_F_DEPRECATED) && ifa->preferred_lft < next)
		next = ifa->preferred_lft;
	ktimer_arm(&ifa->lft_timer, base + (int64_t)next * 1000000000ll);
}

static void lft_expired(struct ktimer *t)
{
	struct in_ifaddr *ifa = t->data;
	int64_t age = (ktime_boot_ns() - ifa->tstamp) / 1000000000ll;
	if (age >= ifa->valid_lft) {
		inet_ifa_delete(ifa);
		return;
	}
	if (ifa->preferred_lft != INFINITY_LIFE_TIME && age >= ifa->preferred_lft &&
	    !(ifa->flags & IFA_F_DEPRECATED)) {
		ifa->flags |= IFA_F_DEPRECATED;
		inet_notify_addr(ifa, INET_NEW);
	}
	lft_arm(ifa);
}

/* Linux's set_ifa_lifetime: 0 means forever; a finite valid lifetime
 * makes the address non-permanent. */
static void set_lifetime(struct in_ifaddr *ifa, uint32_t valid, uint32_t prefered)
{
	if (!valid)
		valid = INFINITY_LIFE_TIME;
	if (!prefered)
		prefered = INFINITY_LIFE_TIME;
	ifa->flags &= ~(IFA_F_PERMANENT | IFA_F_DEPRECATED);
	ifa->valid_lft = valid;
	ifa->preferred_lft = prefered;
	if (valid == INFINITY_LIFE_TIME)
		ifa->flags |= IFA_F_PERMANENT;
	else if (!prefered)
		ifa->flags |= IFA_F_DEPRECATED;
	ifa->tstamp = ktime_boot_ns();
	if (!ifa->cstamp)
		ifa->cstamp = ifa->tstamp;
}

/* ---- adding and deleting ---- */

static void free_ifa(struct in_ifaddr *ifa)
{
	ktimer_cancel(&ifa->lft_timer);
	kfree(ifa);
}

/* Link ifa into its device's list as Linux's __inet_insert_ifa does: a
 * second address in the subnet of an existing one is a secondary
 * (appended); a primary goes after the last primary of no smaller
 * scope. */
static int insert_ifa(struct in_ifaddr *ifa)
{
	struct in_device *idev = ifa->idev;
	ifa->flags &= ~(uint32_t)IFA_F_SECONDARY;
	struct list_head *last_primary = &idev->ifa_list;
	struct in_ifaddr *o;
	in_dev_for_each_ifa(o, idev) {
		if (!(o->flags & IFA_F_SECONDARY) && ifa->scope <= o->scope)
			last_primary = &o->list;
		if (o->mask == ifa->mask && inet_ifa_match(o->address, ifa)) {
			if (o->local == ifa->local)
				return -EEXIST;
			if (o->scope != ifa->scope)
				return -EINVAL;
			ifa->flags |= IFA_F_SECONDARY;
		}
	}
	if (ifa->flags & IFA_F_SECONDARY)
		list_add_tail(&ifa->list, &idev->ifa_list);
	else
		list_add(&ifa->list, last_primary);
	ktimer_init(&ifa->lft_timer, lft_expired, ifa);
	lft_arm(ifa);
	inet_notify_addr(ifa, INET_NEW);
	fib_add_ifaddr(ifa);
	struct net_device *dev = idev->dev;
	if ((dev->flags & IFF_UP) && dev->type == ARPHRD_ETHER && !(dev->flags & IFF_NOARP))
		arp_send_garp(dev, ifa->local);
	return 0;
}

/* Unlink and announce one address (not its secondaries). */
static void unlink_ifa(struct in_ifaddr *ifa)
{
	struct in_device *idev = ifa->idev;
	list_del(&ifa->list);
	ktimer_cancel(&ifa->lft_timer);
	inet_notify_addr(ifa, INET_DEL);
	fib_del_ifaddr(ifa, NULL);
	if (list_empty(&idev->ifa_list))
		fib_sync_down_dev(idev->dev, true);	/* last address gone: IP is off on it */
}

/* Delete ifa; a primary takes its secondaries with it
 * (promote_secondaries 0, Linux's default). */
static void del_ifa(struct in_ifaddr *ifa)
{
	struct in_device *idev = ifa->idev;
	if (!(ifa->flags & IFA_F_SECONDARY)) {
		struct in_ifaddr *o, *n;
		list_for_each_entry_safe(o, n, &idev->ifa_list, list) {
			if (o == ifa || !(o->flags & IFA_F_SECONDARY) || o->mask != ifa->mask ||
			    !inet_ifa_match(ifa->address, o))
				continue;
			list_del(&o->list);
			ktimer_cancel(&o->lft_timer);
			inet_notify_addr(o, INET_DEL);
			fib_del_ifaddr(o, ifa);
			free_ifa(o);
		}
	}
	unlink_ifa(ifa);
}

void inet_ifa_delete(struct in_ifaddr *ifa)
{
	del_ifa(ifa);
	free_ifa(ifa);
}

/* Any label that fits: Linux's rtm_to_ifaddr takes even another
 * device's name (`ip addr add ... label eth0` on lo). */
static bool label_ok(const struct net_device *dev __unused, const char *label)
{
	return strnlen(label, IFNAMSIZ) < IFNAMSIZ;
}

int inet_addr_add(struct net_device *dev, const struct inet_addr_cfg *cfg, unsigned nlflags)
{
	struct in_device *idev = in_dev_get(dev);
	if (!idev)
		return -ENODEV;
	if (cfg->prefixlen > 32 || (cfg->label && !label_ok(dev, cfg->label)))
		return -EINVAL;
	uint32_t valid = cfg->valid_lft ? cfg->valid_lft : INFINITY_LIFE_TIME;
	uint32_t pref = cfg->preferred_lft ? cfg->preferred_lft : INFINITY_LIFE_TIME;
	if (pref > valid)
		return -EINVAL;
	__be32 address = cfg->address ? cfg->address : cfg->local;
	__be32 mask = inet_make_mask(cfg->prefixlen);
	struct in_ifaddr *o;
	in_dev_for_each_ifa(o, idev) {
		/* Linux's find_matching_ifa: the same address in the same subnet */
		if (o->mask != mask || ((o->address ^ address) & mask) || o->local != cfg->local)
			continue;
		if ((nlflags & NLM_F_EXCL) || !(nlflags & NLM_F_REPLACE))
			return -EEXIST;
		set_lifetime(o, cfg->valid_lft, cfg->preferred_lft);
		if (o->rt_priority != cfg->rt_priority) {
			fib_del_ifaddr(o, NULL);
			o->rt_priority = cfg->rt_priority;
			fib_add_ifaddr(o);
		}
		lft_arm(o);
		inet_notify_addr(o, INET_NEW);
		return 0;
	}
	if (!(nlflags & NLM_F_CREATE) && (nlflags & NLM_F_REPLACE))
		return -ENOENT;
	struct in_ifaddr *ifa = kzalloc(sizeof(*ifa));
	ifa->idev = idev;
	ifa->local = cfg->local;
	ifa->address = address;
	ifa->prefixlen = cfg->prefixlen;
	ifa->mask = mask;
	ifa->broadcast = cfg->broadcast;
	ifa->scope = ipv4_is_loopback(cfg->local) ? RT_SCOPE_HOST : cfg->scope;
	ifa->flags = cfg->flags & ~(uint32_t)(IFA_F_SECONDARY | IFA_F_DEPRECATED);
	ifa->rt_priority = cfg->rt_priority;
	strlcpy(ifa->label, cfg->label ? cfg->label : dev->name, IFNAMSIZ);
	set_lifetime(ifa, cfg->valid_lft, cfg->preferred_lft);
	int err = insert_ifa(ifa);
	if (err)
		kfree(ifa);
	return err;
}

int inet_addr_del(struct net_device *dev, const struct inet_addr_match *m)
{
	struct in_device *idev = in_dev_get(dev);
	if (!idev)
		return -ENODEV;
	struct in_ifaddr *ifa;
	in_dev_for_each_ifa(ifa, idev) {
		if (m->has_local && ifa->local != m->local)
			continue;
		if (m->label && strcmp(m->label, ifa->label))
			continue;
		if (m->has_address && (m->prefixlen != ifa->prefixlen || !inet_ifa_match(m->address, ifa)))
			continue;
		inet_ifa_delete(ifa);
		return 0;
	}
	return -EADDRNOTAVAIL;
}

/* ---- queries ---- */

__be32 inet_dev_primary(const struct net_device *dev)
{
	struct in_device *idev = in_dev_get(dev);
	struct in_ifaddr *ifa;
	if (idev)
		in_dev_for_each_ifa(ifa, idev)
			if (!(ifa->flags & IFA_F_SECONDARY))
				return ifa->local;
	return 0;
}

static __be32 in_dev_select_addr(const struct in_device *idev, int scope)
{
	struct in_ifaddr *ifa;
	in_dev_for_each_ifa(ifa, idev)
		if (!(ifa->flags & IFA_F_SECONDARY) && ifa->scope != RT_SCOPE_LINK && ifa->scope <= scope)
			return ifa->local;
	return 0;
}

__be32 inet_select_addr(const struct net_device *dev, __be32 dst, int scope)
{
	__be32 addr = 0;
	struct in_device *idev = dev ? in_dev_get(dev) : NULL;
	struct in_ifaddr *ifa;
	if (idev) {
		in_dev_for_each_ifa(ifa, idev) {
			if (ifa->flags & IFA_F_SECONDARY)
				continue;
			if (MIN(ifa->scope, RT_SCOPE_HOST) > scope)
				continue;
			if (!dst || inet_ifa_match(dst, ifa))
				return ifa->local;
			if (!addr)
				addr = ifa->local;
		}
	}
	if (addr)
		return addr;
	/* any device's address of the scope (lo, the first device, first) */
	for_each_netdev(d) {
		struct in_device *i = in_dev_get(d);
		if (i && (addr = in_dev_select_addr(i, scope)))
			return addr;
	}
	return 0;
}

struct net_device *ip_dev_find(__be32 addr)
{
	for_each_netdev(d) {
		struct in_device *idev = in_dev_get(d);
		struct in_ifaddr *ifa;
		if (idev)
			in_dev_for_each_ifa(ifa, idev)
				if (ifa->local == addr)
					return d;
	}
	return NULL;
}

bool inet_dev_has_addr(const struct net_device *dev, __be32 addr)
{
	struct in_device *idev = in_dev_get(dev);
	struct in_ifaddr *ifa;
	if (idev)
		in_dev_for_each_ifa(ifa, idev)
			if (!addr || ifa->local == addr)
				return true;
	return false;
}

bool inet_is_dev_broadcast(const struct net_device *dev, __be32 addr)
{
	if (ipv4_is_lbcast(addr))
		return true;
	struct in_device *idev = in_dev_get(dev);
	struct in_ifaddr *ifa;
	if (idev)
		in_dev_for_each_ifa(ifa, idev)
			if (ifa->broadcast == addr || (ifa->prefixlen < 31 && (ifa->address | ~ifa->mask) == addr))
				return true;
	return false;
}

int inet_gifconf(struct net_device *dev, void *buf, int max)
{
	struct in_device *idev = in_dev_get(dev);
	struct in_ifaddr *ifa;
	int done = 0;
	if (!idev)
		return 0;
	in_dev_for_each_ifa(ifa, idev) {
		if (!buf) {
			done += sizeof(struct ifreq);
			continue;
		}
		if (max - done < (int)sizeof(struct ifreq))
			break;
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		strlcpy(ifr.ifr_name, ifa->label, IFNAMSIZ);
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = ifa->local;
		memcpy((char *)buf + done, &ifr, sizeof(ifr));
		done += sizeof(ifr);
	}
	return done;
}

/* ---- devices coming and going ---- */

static void inetdev_up(struct net_device *dev, struct in_device *idev)
{
	if (dev->mtu < IPV4_MIN_MTU)
		return;
	if ((dev->flags & IFF_LOOPBACK) && list_empty(&idev->ifa_list)) {
		struct inet_addr_cfg c = { .local = htonl(INADDR_LOOPBACK), .prefixlen = 8, .scope = RT_SCOPE_HOST };
		inet_addr_add(dev, &c, NLM_F_CREATE);
	}
	struct in_ifaddr *ifa;
	in_dev_for_each_ifa(ifa, idev)
		fib_add_ifaddr(ifa);
	ip_mc_up(dev);
	if (dev->type == ARPHRD_ETHER && !(dev->flags & IFF_NOARP))
		in_dev_for_each_ifa(ifa, idev)
			arp_send_garp(dev, ifa->local);
}

/* The device is going (hot-unplug; it is down already): as Linux's
 * inetdev_destroy and fib_disable_ip, its addresses, every route
 * through it (static and local ones too), its neighbours and groups,
 * and its sysctl directories go. Sockets keep the ifindex they were
 * given (bound, multicast): it is never reused, so they find nothing. */
static void inetdev_destroy(struct net_device *dev, struct in_device *idev)
{
	while (!list_empty(&idev->ifa_list))
		inet_ifa_delete(list_first_entry(&idev->ifa_list, struct in_ifaddr, list));
	fib_sync_down_dev(dev, true);
	neigh_ifdown(dev, false);
	ip_mc_destroy_dev(idev);
	inet_sysctl_del_dev(idev);
	dev->ip_ptr = NULL;
	kfree(idev);
}

static void inetdev_event(struct net_device *dev, enum netdev_event ev)
{
	struct in_device *idev = in_dev_get(dev);
	if (ev == NETDEV_REGISTER) {
		if (idev)
			return;
		idev = kzalloc(sizeof(*idev));
		idev->dev = dev;
		INIT_LIST_HEAD(&idev->ifa_list);
		INIT_LIST_HEAD(&idev->mc_list);
		neigh_parms_init(&idev->arp_parms);
		idev->forwarding = sysctl_conf_default_forwarding;
		dev->ip_ptr = idev;
		inet_sysctl_add_dev(idev);
		return;
	}
	if (!idev)
		return;
	switch (ev) {
	case NETDEV_UP:
		inetdev_up(dev, idev);
		break;
	case NETDEV_DOWN:
		ip_mc_down(dev);
		fib_sync_down_dev(dev, false);
		neigh_ifdown(dev, false);
		break;
	case NETDEV_CHANGE:
		fib_sync_carrier(dev);
		if (!dev->carrier)
			neigh_ifdown(dev, true);
		break;
	case NETDEV_CHANGEMTU:
		/* below 68 bytes IPv4 is off on the device: its addresses go */
		if (dev->mtu < IPV4_MIN_MTU)
			while (!list_empty(&idev->ifa_list))
				inet_ifa_delete(list_first_entry(&idev->ifa_list, struct in_ifaddr, list));
		break;
	case NETDEV_CHANGEADDR:
		neigh_ifdown(dev, false);
		break;
	case NETDEV_UNREGISTER:
		inetdev_destroy(dev, idev);
		break;
	default:
		break;
	}
}

static const struct netdev_notifier inetdev_notifier = { inetdev_event };
DEFINE_NETDEV_NOTIFIER(inetdev_notifier);
