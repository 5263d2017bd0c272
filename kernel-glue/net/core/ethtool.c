/* SIOCETHTOOL: the few ethtool queries capture tools make before they
 * capture (libpcap asks for the offloads, which change how big a frame
 * can be, and for the timestamping a device does; it gives up on an
 * error other than EOPNOTSUPP/EINVAL). Our devices do no offloading and
 * timestamp received frames in software; anything else is EOPNOTSUPP,
 * as Linux answers for a driver that lacks the operation. */
#include <umk/netdevice.h>
#include <umk/uaccess.h>
#include <linux/net_tstamp.h>

/* <linux/ethtool.h> needs libc's limits.h: the guest ABI's pieces here. */
#define ETHTOOL_GLINK		0x0a
#define ETHTOOL_GRXCSUM		0x14
#define ETHTOOL_GTXCSUM		0x16
#define ETHTOOL_GSG		0x18
#define ETHTOOL_GTSO		0x1e
#define ETHTOOL_GUFO		0x21
#define ETHTOOL_GGSO		0x23
#define ETHTOOL_GFLAGS		0x25
#define ETHTOOL_GGRO		0x2b
#define ETHTOOL_GET_TS_INFO	0x41
struct ethtool_value { uint32_t cmd, data; };
struct ethtool_ts_info {
	uint32_t cmd, so_timestamping;
	int32_t phc_index;
	uint32_t tx_types, tx_reserved[3], rx_filters, rx_reserved[3];
};

static long put_value(uaddr_t data, uint32_t cmd, uint32_t v)
{
	struct ethtool_value ev = { .cmd = cmd, .data = v };
	return copy_to_user(data, &ev, sizeof(ev)) ? -EFAULT : 0;
}

long dev_ethtool(struct net_device *dev, uaddr_t data)
{
	uint32_t cmd;
	if (copy_from_user(&cmd, data, sizeof(cmd)))
		return -EFAULT;
	switch (cmd) {
	case ETHTOOL_GLINK:
		return put_value(data, cmd, (dev->flags & IFF_UP) && dev->carrier);
	case ETHTOOL_GTSO: case ETHTOOL_GUFO: case ETHTOOL_GGSO: case ETHTOOL_GGRO:
	case ETHTOOL_GSG: case ETHTOOL_GTXCSUM: case ETHTOOL_GRXCSUM: case ETHTOOL_GFLAGS:
		return put_value(data, cmd, 0);	/* no offloads, no LRO */
	case ETHTOOL_GET_TS_INFO: {
		struct ethtool_ts_info ti;
		memset(&ti, 0, sizeof(ti));
		ti.cmd = cmd;
		ti.so_timestamping = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
		ti.phc_index = -1;	/* no hardware clock */
		return copy_to_user(data, &ti, sizeof(ti)) ? -EFAULT : 0;
	}
	}
	return -EOPNOTSUPP;
}
