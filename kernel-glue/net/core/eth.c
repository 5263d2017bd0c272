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

int dev_hard_header(struct sk_buff *skb, struct net_device *dev, uint16_t type, const uint8_t *daddr,
		    const uint8_t *saddr, unsigned len)
{
	if (!dev_has_header(dev))
		return 0;
	if (!daddr && !(dev->flags & (IFF_LOOPBACK | IFF_NOARP)))
		return -ETH_HLEN;	/* Linux: the address is still to be resolved */
	if (skb_headroom(skb) < ETH_HLEN)
		return -ENOBUFS;
	uint8_t *h = skb_push(skb, ETH_HLEN);
	if (daddr)
		memcpy(h, daddr, ETH_ALEN);
	else
		memset(h, 0, ETH_ALEN);
	memcpy(h + ETH_ALEN, saddr ? saddr : dev->dev_addr, ETH_ALEN);
	/* 802.3 and 802.2 frames carry their length in the type field */
	uint16_t t = type == ETH_P_802_3 || type == ETH_P_802_2 ? (uint16_t)len : type;
	h[12] = (uint8_t)(t >> 8);
	h[13] = (uint8_t)t;
	skb_reset_mac_header(skb);
	return ETH_HLEN;
}

int dev_parse_header(const struct sk_buff *skb, uint8_t *haddr)
{
	if (!dev_has_header(skb->dev) || skb->mac_off < 0 || skb->mac_off + ETH_HLEN > (int)skb->size)
		return 0;
	memcpy(haddr, skb_mac_header(skb) + ETH_ALEN, ETH_ALEN);	/* the source */
	return ETH_ALEN;
}

/* The protocol of a type field: a real EtherType, or an 802.3 length, in
 * which case the first payload bytes tell raw IPX (0xffff, Novell's
 * 802.3 without LLC) from 802.2 LLC, as Linux's eth_type_trans. */
static uint16_t type_of(uint16_t t, const struct sk_buff *skb)
{
	if (t >= ETH_P_802_3_MIN)
		return t;
	if (skb->len >= 2 && skb->data[0] == 0xff && skb->data[1] == 0xff)
		return ETH_P_802_3;
	return ETH_P_802_2;
}

uint16_t eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	skb_reset_mac_header(skb);
	if (skb->len < ETH_HLEN) {
		skb->pkt_type = PACKET_OTHERHOST;	/* a runt: nobody's */
		skb->protocol = 0;
		return 0;
	}
	const uint8_t *h = skb->data;
	if (memcmp(h, dev->dev_addr, ETH_ALEN)) {
		/* lo's broadcast address is zeros: ff:ff:... is multicast there, as Linux */
		if (h[0] & 1)
			skb->pkt_type = memcmp(h, dev->broadcast, ETH_ALEN) ? PACKET_MULTICAST : PACKET_BROADCAST;
		else
			skb->pkt_type = PACKET_OTHERHOST;
	}
	skb_pull(skb, ETH_HLEN);
	skb->protocol = type_of((uint16_t)(h[12] << 8 | h[13]), skb);
	return skb->protocol;
}

bool skb_vlan_untag(struct sk_buff *skb)
{
	if (skb->len < VLAN_HLEN + 2 || skb->mac_off < 0 || skb_headroom(skb) < ETH_HLEN)
		return false;
	skb->vlan_present = true;
	skb->vlan_proto = skb->protocol;
	skb->vlan_tci = (uint16_t)(skb->data[0] << 8 | skb->data[1]);
	uint16_t inner = (uint16_t)(skb->data[2] << 8 | skb->data[3]);
	skb_pull(skb, VLAN_HLEN);
	skb->protocol = type_of(inner, skb);
	/* the MACs move up to the inner type: the header reads as untagged */
	uint8_t *mac = skb_mac_header(skb);
	memmove(mac + VLAN_HLEN, mac, 2 * ETH_ALEN);
	skb->mac_off += VLAN_HLEN;
	return true;
}
