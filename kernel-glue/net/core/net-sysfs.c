/* /sys/class/net/NAME: each network device's attributes, as Linux's
 * net-sysfs: identity (ifindex, address, type, mtu), state (flags,
 * carrier, operstate) and counters (statistics/). mtu, flags and
 * tx_queue_len are writable, so a device can be brought up and sized
 * without the ioctls (`echo 0x1003 > /sys/class/net/eth0/flags`). */
#include <umk/capability.h>
#include <umk/netdevice.h>
#include <umk/sysfs.h>
#include <umk/sched.h>

static bool admin(void)
{
	return capable(CAP_NET_ADMIN);
}

static void show_hw(struct sbuf *o, const uint8_t *a, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		sbuf_printf(o, "%s%02x", i ? ":" : "", a[i]);
	sbuf_printf(o, "\n");
}

static int parse_uint(const char *buf, unsigned long long *v)
{
	char t[32];
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	if (n == 0 || n >= sizeof(t))
		return -EINVAL;
	memcpy(t, buf, n);
	t[n] = 0;
	return kstrtoull(t, 0, v);	/* 0x... as Linux's flags take */
}

#define D(o) ((struct net_device *)(o))

static int show_ifindex(void *o, struct sbuf *s) { sbuf_printf(s, "%d\n", D(o)->ifindex); return 0; }
static int show_type(void *o, struct sbuf *s) { sbuf_printf(s, "%u\n", D(o)->type); return 0; }
static int show_addr_len(void *o, struct sbuf *s) { sbuf_printf(s, "%u\n", D(o)->addr_len); return 0; }
static int show_address(void *o, struct sbuf *s) { show_hw(s, D(o)->dev_addr, D(o)->addr_len); return 0; }
static int show_broadcast(void *o, struct sbuf *s) { show_hw(s, D(o)->broadcast, D(o)->addr_len); return 0; }
static int show_mtu(void *o, struct sbuf *s) { sbuf_printf(s, "%u\n", D(o)->mtu); return 0; }
static int show_flags(void *o, struct sbuf *s) { sbuf_printf(s, "0x%x\n", D(o)->flags & ~(unsigned)(IFF_RUNNING | IFF_LOWER_UP)); return 0; }
static int show_txqlen(void *o, struct sbuf *s) { sbuf_printf(s, "%u\n", D(o)->tx_queue_len); return 0; }

/* Linux answers EINVAL for the carrier of a device that is down. */
static int show_carrier(void *o, struct sbuf *s)
{
	if (!(D(o)->flags & IFF_UP))
		return -EINVAL;
	sbuf_printf(s, "%d\n", D(o)->carrier ? 1 : 0);
	return 0;
}

/* RFC 2863 operational state, as Linux reports it (lo: unknown). */
static int show_operstate(void *o, struct sbuf *s)
{
	struct net_device *d = o;
	const char *st = !(d->flags & IFF_UP) ? "down" : d->type == ARPHRD_LOOPBACK ? "unknown" : d->carrier ? "up" : "down";
	sbuf_printf(s, "%s\n", st);
	return 0;
}

/* A written number for an attribute only root may change: 0 or -errno. */
static int take_uint(const char *buf, unsigned *v)
{
	unsigned long long x;
	if (!admin())
		return -EPERM;
	if (parse_uint(buf, &x) || x > 0xffffffffull)
		return -EINVAL;
	*v = (unsigned)x;
	return 0;
}

static int store_mtu(void *o, const char *buf, size_t len __unused)
{
	unsigned v;
	int err = take_uint(buf, &v);
	return err ? err : dev_set_mtu(D(o), v);
}

static int store_flags(void *o, const char *buf, size_t len __unused)
{
	unsigned v;
	int err = take_uint(buf, &v);
	return err ? err : dev_change_flags(D(o), v);
}

static int store_txqlen(void *o, const char *buf, size_t len __unused)
{
	unsigned v;
	int err = take_uint(buf, &v);
	if (!err)
		D(o)->tx_queue_len = v;
	return err;
}

static const struct sysfs_attr dev_attrs[] = {
	{ "ifindex", 0444, show_ifindex, NULL },
	{ "iflink", 0444, show_ifindex, NULL },
	{ "type", 0444, show_type, NULL },
	{ "addr_len", 0444, show_addr_len, NULL },
	{ "address", 0444, show_address, NULL },
	{ "broadcast", 0444, show_broadcast, NULL },
	{ "mtu", 0644, show_mtu, store_mtu },
	{ "flags", 0644, show_flags, store_flags },
	{ "tx_queue_len", 0644, show_txqlen, store_txqlen },
	{ "carrier", 0444, show_carrier, NULL },
	{ "operstate", 0444, show_operstate, NULL },
};

/* statistics/NAME: one counter of struct net_device_stats each. */
#define STAT(field)                                                                  \
	static int show_##field(void *o, struct sbuf *s)                             \
	{                                                                            \
		sbuf_printf(s, "%llu\n", (unsigned long long)D(o)->stats.field);     \
		return 0;                                                            \
	}
STAT(rx_packets) STAT(tx_packets) STAT(rx_bytes) STAT(tx_bytes) STAT(rx_errors) STAT(tx_errors)
STAT(rx_dropped) STAT(tx_dropped) STAT(multicast) STAT(collisions) STAT(rx_length_errors)
STAT(rx_over_errors) STAT(rx_crc_errors) STAT(rx_frame_errors) STAT(rx_fifo_errors)
STAT(tx_carrier_errors) STAT(tx_fifo_errors)
#define STAT_ATTR(field) { #field, 0444, show_##field, NULL }
static const struct sysfs_attr stat_attrs[] = {
	STAT_ATTR(rx_packets), STAT_ATTR(tx_packets), STAT_ATTR(rx_bytes), STAT_ATTR(tx_bytes),
	STAT_ATTR(rx_errors), STAT_ATTR(tx_errors), STAT_ATTR(rx_dropped), STAT_ATTR(tx_dropped),
	STAT_ATTR(multicast), STAT_ATTR(collisions), STAT_ATTR(rx_length_errors), STAT_ATTR(rx_over_errors),
	STAT_ATTR(rx_crc_errors), STAT_ATTR(rx_frame_errors), STAT_ATTR(rx_fifo_errors),
	STAT_ATTR(tx_carrier_errors), STAT_ATTR(tx_fifo_errors),
};

static void net_sysfs_add(struct net_device *dev, enum netdev_event ev)
{
	char dir[64], stats[80];
	if (ev == NETDEV_UNREGISTER) {
		snprintf(dir, sizeof(dir), "class/net/%s", dev->name);
		sysfs_remove(dir);
		return;
	}
	if (ev != NETDEV_REGISTER)
		return;
	int err = 0;
	snprintf(dir, sizeof(dir), "class/net/%s", dev->name);
	snprintf(stats, sizeof(stats), "%s/statistics", dir);
	for (size_t i = 0; i < ARRAY_SIZE(dev_attrs); i++)
		err = err ? err : sysfs_create_file(dir, &dev_attrs[i], dev);
	for (size_t i = 0; i < ARRAY_SIZE(stat_attrs); i++)
		err = err ? err : sysfs_create_file(stats, &stat_attrs[i], dev);
	if (err)
		printk(KERN_WARNING "%s: no /sys/class/net entry (error %d)\n", dev->name, -err);
}

static const struct netdev_notifier net_sysfs_notifier = { .fn = net_sysfs_add };
DEFINE_NETDEV_NOTIFIER(net_sysfs_notifier);
