/* /proc/net/dev: every device's counters, in Linux's layout (busybox
 * ifconfig and netstat -i list interfaces from it). */
#include <umk/netdevice.h>
#include <umk/proc.h>

static int dev_show(struct sbuf *o, void *data __unused)
{
	sbuf_printf(o, "Inter-|   Receive                                                |  Transmit\n"
		       " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
		       "drop fifo colls carrier compressed\n");
	for_each_netdev(dev) {
		const struct net_device_stats *s = &dev->stats;
		sbuf_printf(o, "%6s: %7llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu %8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n",
			    dev->name, (unsigned long long)s->rx_bytes, (unsigned long long)s->rx_packets,
			    (unsigned long long)s->rx_errors, (unsigned long long)s->rx_dropped,
			    (unsigned long long)s->rx_fifo_errors,
			    (unsigned long long)(s->rx_length_errors + s->rx_over_errors + s->rx_crc_errors + s->rx_frame_errors),
			    0ULL, (unsigned long long)s->multicast, (unsigned long long)s->tx_bytes,
			    (unsigned long long)s->tx_packets, (unsigned long long)s->tx_errors,
			    (unsigned long long)s->tx_dropped, (unsigned long long)s->tx_fifo_errors,
			    (unsigned long long)s->collisions, (unsigned long long)s->tx_carrier_errors, 0ULL);
	}
	return 0;
}
DEFINE_PROC_FILE(net_dev, "net/dev", 0444, dev_show, NULL, NULL);
