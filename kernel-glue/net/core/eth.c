/* Ethernet II framing: building the header of a frame to send, and
 * reading it off a received one (its type, whether it was for us, and an
 * 802.1Q tag, which is taken off and kept for packet sockets). */
#include <umk/netdevice.h>

static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

bool is_valid_ether_addr(const uint8_t *a)
{
	static const uint8_t zero[ETH_ALEN];
	return !(a[0] & 1) && memcmp(a, zero, ETH_ALEN);
}

void ether_setup(struct net_device *dev)
{
	dev->type = ARPHRD_ETHER;
	dev->hard_header_len = ETH_HLEN;
	dev->addr_len = ETH_ALEN;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_DATA_LEN;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	dev->tx_queue_len = 1000;
	memcpy(dev->broadcast, bcast, ETH_ALEN);
}

int eth_header(struct sk_buff *skb, struct net_device *dev, uint16_t type, const uint8_t *daddr,
	       const uint8_t *saddr)
{
	if (skb_headroom(skb) < ETH_HLEN)
		return -ENOBUFS;
	uint8_t *h = skb_push(skb, ETH_HLEN);
	memcpy(h, daddr ? daddr : bcast, ETH_ALEN);
	memcpy(h + ETH_ALEN, saddr ? saddr : dev->dev_addr, ETH_ALEN);
	h[12] = (uint8_t)(type >> 8);
	h[13] = (uint8_t)type;
	skb_reset_mac_header(skb);
	return 0;
}

uint16_t eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	if (skb->len < ETH_HLEN) {
		skb->pkt_type = PACKET_OTHERHOST;	/* a runt: nobody's */
		skb->protocol = 0;
		return 0;
	}
	const uint8_t *h = skb->data;
	if (h[0] & 1)
		skb->pkt_type = memcmp(h, bcast, ETH_ALEN) ? PACKET_MULTICAST : PACKET_BROADCAST;
	else if (memcmp(h, dev->dev_addr, ETH_ALEN))
		skb->pkt_type = PACKET_OTHERHOST;
	else
		skb->pkt_type = PACKET_HOST;
	uint16_t type = (uint16_t)(h[12] << 8 | h[13]);
	skb_pull(skb, ETH_HLEN);
	if (type == ETH_P_8021Q && skb->len >= 4) {
		skb->vlan_present = true;
		skb->vlan_tci = (uint16_t)(skb->data[0] << 8 | skb->data[1]);
		type = (uint16_t)(skb->data[2] << 8 | skb->data[3]);
		skb_pull(skb, 4);
	}
	/* below 1536 it is an 802.3 length: not a protocol of ours */
	skb->protocol = type >= ETH_P_802_3_MIN ? type : ETH_P_802_2;
	return skb->protocol;
}
