/* ARP (RFC 826, Linux's arp.c) on Ethernet devices: answering requests
 * for any of our addresses (Linux's weak host model, arp_ignore 0) and
 * caching the asker, taking replies to our requests (unsolicited ones
 * are ignored, arp_accept 0), requests of the neighbour cache,
 * gratuitous ARP when an address appears; /proc/net/arp is proc.c's, the
 * ioctls arp_ioctl.c's. Malformed packets are dropped. */
#include "ipv4.h"

/* The fixed part plus Ethernet/IPv4 addresses: 28 bytes. */
struct arp_eth {
	struct arphdr h;
	uint8_t sha[ETH_ALEN];
	uint8_t sip[4];
	uint8_t tha[ETH_ALEN];
	uint8_t tip[4];
} __attribute__((packed));

static void arp_send(int op, struct net_device *dev, __be32 tip, const uint8_t *dest_hw, __be32 sip,
		     const uint8_t *tha)
{
	if (dev->flags & IFF_NOARP)
		return;
	struct sk_buff *skb = alloc_skb(ll_reserved(dev), sizeof(struct arp_eth));
	if (!skb)
		return;
	struct arp_eth *a = (struct arp_eth *)skb_put(skb, sizeof(*a));
	a->h.ar_hrd = htons(ARPHRD_ETHER);
	a->h.ar_pro = htons(ETH_P_IP);
	a->h.ar_hln = ETH_ALEN;
	a->h.ar_pln = 4;
	a->h.ar_op = htons((uint16_t)op);
	memcpy(a->sha, dev->dev_addr, ETH_ALEN);
	memcpy(a->sip, &sip, 4);
	if (tha)
		memcpy(a->tha, tha, ETH_ALEN);
	else
		memset(a->tha, 0, ETH_ALEN);
	memcpy(a->tip, &tip, 4);
	skb->dev = dev;
	skb->protocol = ETH_P_ARP;
	if (eth_header(skb, dev, ETH_P_ARP, dest_hw, NULL)) {
		kfree_skb(skb);
		return;
	}
	dev_queue_xmit(skb);
}

void arp_send_garp(struct net_device *dev, __be32 addr)
{
	arp_send(ARPOP_REQUEST, dev, addr, NULL, addr, NULL);
}

bool arp_noarp_address(struct neighbour *n)
{
	struct net_device *dev = n->dev;
	if (ipv4_is_multicast(n->ip)) {
		ip_eth_mc_map(n->ip, n->ha);
		return true;
	}
	if (dev->type != ARPHRD_ETHER || (dev->flags & (IFF_NOARP | IFF_LOOPBACK))) {
		memcpy(n->ha, dev->dev_addr, dev->addr_len);	/* as Linux's arp_constructor */
		return true;
	}
	if (inet_is_dev_broadcast(dev, n->ip) || (dev->flags & IFF_POINTOPOINT)) {
		memcpy(n->ha, dev->broadcast, dev->addr_len);
		return true;
	}
	return false;
}

void arp_solicit(struct neighbour *n, struct sk_buff *skb)
{
	struct net_device *dev = n->dev;
	/* the source of the datagram that waits, if it is ours (arp_announce 0) */
	__be32 saddr = 0;
	if (skb && skb->network_off >= 0 && inet_addr_type(ip_hdr(skb)->saddr) == RTN_LOCAL)
		saddr = ip_hdr(skb)->saddr;
	if (!saddr)
		saddr = inet_select_addr(dev, n->ip, RT_SCOPE_LINK);
	const uint8_t *dst = NULL;
	if (n->probes < in_dev_get(dev)->arp_parms.ucast_solicit && (n->nud_state & NUD_VALID))
		dst = n->ha;	/* re-checking a known address: unicast */
	arp_send(ARPOP_REQUEST, dev, n->ip, dst, saddr, NULL);
}

static int arp_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt __unused)
{
	struct in_device *idev = in_dev_get(dev);
	if (!idev || dev->type != ARPHRD_ETHER || (dev->flags & IFF_NOARP) || skb->pkt_type == PACKET_OTHERHOST ||
	    skb->pkt_type == PACKET_LOOPBACK || skb->len < sizeof(struct arp_eth))
		goto out;
	struct arp_eth *a = (struct arp_eth *)skb->data;
	if (a->h.ar_hln != dev->addr_len || a->h.ar_pln != 4)
		goto out;
	if ((a->h.ar_hrd != htons(ARPHRD_ETHER) && a->h.ar_hrd != htons(ARPHRD_IEEE802)) || a->h.ar_pro != htons(ETH_P_IP))
		goto out;
	uint16_t op = ntohs(a->h.ar_op);
	if (op != ARPOP_REQUEST && op != ARPOP_REPLY)
		goto out;
	__be32 sip, tip;
	memcpy(&sip, a->sip, 4);
	memcpy(&tip, a->tip, 4);
	if (ipv4_is_multicast(tip) || ipv4_is_loopback(tip))
		goto out;
	/* a sender claiming a multicast or broadcast hardware address is bogus */
	if (!is_valid_ether_addr(a->sha))
		goto out;
	if (!sip) {
		/* duplicate address detection (RFC 2131): answer if it is ours */
		if (op == ARPOP_REQUEST && inet_addr_type(tip) == RTN_LOCAL)
			arp_send(ARPOP_REPLY, dev, sip, a->sha, tip, a->sha);
		goto out;
	}
	struct rtable rt;
	if (op == ARPOP_REQUEST && !ip_route_input(skb, tip, sip, 0, dev, &rt) && rt.type == RTN_LOCAL) {
		/* for one of our addresses: remember who asks, and answer */
		struct neighbour *n = neigh_find(dev, sip, true);
		if (n && !(n->nud_state & (NUD_NOARP | NUD_PERMANENT)))
			neigh_update(n, a->sha, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
		if (n)
			arp_send(ARPOP_REPLY, dev, sip, a->sha, tip, a->sha);
		goto out;
	}
	struct neighbour *n = neigh_lookup(dev, sip);
	if (n && !(n->nud_state & (NUD_NOARP | NUD_PERMANENT))) {
		bool garp = sip == tip && inet_addr_type(sip) == RTN_UNICAST;
		/* the first of several answers wins until locktime passed */
		bool override = ktime_mono_ns() - n->updated > (int64_t)idev->arp_parms.locktime_ms * 1000000ll || garp;
		/* broadcast replies and requests do not prove reachability */
		uint16_t state = (op == ARPOP_REPLY && skb->pkt_type == PACKET_HOST) ? NUD_REACHABLE : NUD_STALE;
		neigh_update(n, a->sha, state, override ? NEIGH_UPDATE_F_OVERRIDE : 0);
	}
out:
	kfree_skb(skb);
	return 0;
}

static struct packet_type arp_packet_type = { .type = ETH_P_ARP, .func = arp_rcv };
DEFINE_PACKET_TYPE(arp_packet_type);
