/* Sending on a packet socket (Linux's packet_snd): a SOCK_RAW frame goes
 * out as written, link header included; a SOCK_DGRAM payload gets the
 * header built from the sockaddr_ll's address and protocol. Without an
 * address the bound device and protocol are used. Our own sends never
 * come back to us as PACKET_OUTGOING (skb->owner). */
#include <umk/sched.h>
#include "packet.h"

/* Bytes 12-13 of an Ethernet frame: its type, or 0 if there is none. */
static uint16_t frame_type(const struct sk_buff *skb)
{
	return skb->len >= ETH_HLEN ? (uint16_t)(skb->data[12] << 8 | skb->data[13]) : 0;
}

ssize_t packet_sendmsg(struct socket *s, struct kmsg *m, unsigned flags __unused)
{
	struct packet_sock *po = pkt_sk(s);
	struct net_device *dev;
	const uint8_t *daddr = NULL;
	uint16_t proto;
	size_t len = m->it.len;
	bool raw = s->type == SOCK_RAW;
	if (m->namelen) {
		const struct sockaddr_ll *sll = (const struct sockaddr_ll *)&m->name;
		int hwoff = (int)offsetof(struct sockaddr_ll, sll_addr);
		if (m->namelen < (int)sizeof(*sll) || m->namelen < sll->sll_halen + hwoff)
			return -EINVAL;
		proto = pkt_ntohs(sll->sll_protocol);
		dev = dev_get_by_index(sll->sll_ifindex);
		if (!raw) {
			if (dev && m->namelen < dev->addr_len + hwoff)
				return -EINVAL;
			daddr = sll->sll_addr;
		}
	} else {
		dev = po->ifindex > 0 ? dev_get_by_index(po->ifindex) : NULL;
		proto = po->num;
	}
	if (!dev)
		return -ENXIO;
	if (!(dev->flags & IFF_UP))
		return -ENETDOWN;
	size_t reserve = raw ? dev->hard_header_len : 0;
	if (len > dev->mtu + reserve + VLAN_HLEN)
		return -EMSGSIZE;
	size_t hlen = (dev->hard_header_len + 15u) & ~15u;	/* Linux's LL_RESERVED_SPACE */
	struct sk_buff *skb = alloc_skb(hlen, len);
	if (!skb)
		return -ENOBUFS;
	skb_reset_network_header(skb);	/* where a link header would end */
	size_t offset = 0;
	if (raw) {
		/* the frame starts a link header's length before the network header */
		skb_push(skb, reserve);
		skb_trim(skb, 0);
		skb_put(skb, len);
	} else {
		skb_put(skb, len);
		int r = dev_hard_header(skb, dev, proto, daddr, NULL, (unsigned)len);
		if (r < 0) {
			kfree_skb(skb);
			return -EINVAL;
		}
		offset = (size_t)r;
	}
	if (miter_from(&m->it, 0, skb->data + offset, len)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	/* a raw frame needs a whole link header (dev_validate_header) */
	if (raw && len < dev->hard_header_len) {
		kfree_skb(skb);
		return -EINVAL;
	}
	/* one 802.1Q tag may go beyond the MTU on Ethernet */
	if (len > dev->mtu + reserve && !(dev->type == ARPHRD_ETHER && frame_type(skb) == ETH_P_8021Q)) {
		kfree_skb(skb);
		return -EMSGSIZE;
	}
	skb->dev = dev;
	skb->protocol = proto;
	if (raw) {
		skb_reset_mac_header(skb);
		if (!proto || proto == ETH_P_ALL)	/* dev_parse_header_protocol */
			skb->protocol = dev_has_header(dev) ? frame_type(skb) : 0;
	}
	skb->owner = po;	/* not back to us as PACKET_OUTGOING */
	/* a full device queue is ENOBUFS (NET_XMIT_DROP); other losses
	 * happen after the send, as on Linux */
	if (dev_queue_xmit(skb) == -ENOBUFS)
		return -ENOBUFS;
	return (ssize_t)len;
}
