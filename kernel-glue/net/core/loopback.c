/* lo: what is sent comes back in. As Linux's loopback it frames with
 * Ethernet headers (eth_header_ops): its address is all zeros, so what
 * the stack sends on it carries zero MACs, and packet sockets and
 * tcpdump see 14-byte Ethernet headers, not bare datagrams. Always
 * there, down until configured, as Linux's. */
#include <umk/netdevice.h>

static int lo_xmit(struct sk_buff *skb, struct net_device *dev)
{
	/* sent: the sender's socket is no longer charged for it, even if it
	 * waits here a while (a fragment in reassembly), as Linux's loopback */
	skb_orphan(skb);
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;	/* eth_type_trans decides on receipt */
	netif_rx(skb);
	return 0;
}

static const struct net_device_ops lo_ops = { .xmit = lo_xmit };

static struct net_device lo = {
	.name = "lo", .type = ARPHRD_LOOPBACK, .hard_header_len = ETH_HLEN, .addr_len = ETH_ALEN,
	.mtu = 65536, .min_mtu = 0, .max_mtu = 65536, .flags = IFF_LOOPBACK, .carrier = true, .ops = &lo_ops,
};

static int loopback_init(void)
{
	return register_netdev(&lo);	/* first: ifindex 1 */
}
core_initcall(loopback_init);
