/* Sending IP datagrams (Linux's ip_output.c): the header, the local copy
 * of broadcasts and multicasts we are a member of, fragmentation to the
 * route's MTU, and the hand-over to the link layer (lo, or Ethernet
 * through ARP). */
#include "ipv4.h"

static uint16_t ip_id_next;

uint16_t ip_new_id(void)
{
	if (!ip_id_next)
		get_random_bytes(&ip_id_next, sizeof(ip_id_next));
	return ++ip_id_next;
}

void ip_send_check(struct iphdr *iph)
{
	iph->check = 0;
	iph->check = ip_compute_csum(iph, iph->ihl * 4u);
}

uint8_t ip_select_ttl(int ttl)
{
	return (uint8_t)(ttl > 0 ? ttl : sysctl_ip_default_ttl);
}

void ip_eth_mc_map(__be32 addr, uint8_t *mac)
{
	uint32_t a = ntohl(addr);
	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = (uint8_t)((a >> 16) & 0x7f);
	mac[4] = (uint8_t)(a >> 8);
	mac[5] = (uint8_t)a;
}

/* The link layer: lo takes an Ethernet header of zero addresses, as
 * Linux's; a card needs the destination's MAC (broadcast, a multicast
 * MAC, or ARP's answer). */
static int finish_output(struct sk_buff *skb, struct rtable *rt)
{
	struct net_device *dev = rt->dev;
	skb->dev = dev;
	skb->protocol = ETH_P_IP;
	skb_reset_network_header(skb);
	IP_INC_STATS(IPSTATS_OUTPKTS);
	if (dev->type != ARPHRD_ETHER) {
		if (dev_hard_header(skb, dev, ETH_P_IP, NULL, NULL, skb->len) < 0) {
			kfree_skb(skb);
			IP_INC_STATS(IPSTATS_OUTDISCARDS);
			return 0;
		}
		int err = dev_queue_xmit(skb);
		if (err)
			IP_INC_STATS(IPSTATS_OUTDISCARDS);
		return 0;
	}
	__be32 daddr = ip_hdr(skb)->daddr;
	if (rt->type == RTN_BROADCAST || rt->type == RTN_MULTICAST) {
		uint8_t mac[ETH_ALEN];
		if (rt->type == RTN_MULTICAST)
			ip_eth_mc_map(daddr, mac);
		else
			memcpy(mac, dev->broadcast, ETH_ALEN);
		if (eth_header(skb, dev, ETH_P_IP, mac, NULL)) {
			kfree_skb(skb);
			IP_INC_STATS(IPSTATS_OUTDISCARDS);
			return 0;
		}
		if (dev_queue_xmit(skb))
			IP_INC_STATS(IPSTATS_OUTDISCARDS);
		return 0;
	}
	return neigh_output(skb, dev, rt->gw ? rt->gw : daddr);
}

/* Copy the options of a first fragment that later fragments keep: those
 * without the copy flag become NOPs (Linux's ip_options_fragment). */
static void options_fragment(uint8_t *opt, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t t = opt[i];
		if (t == IPOPT_END)
			return;
		if (t == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return;
		size_t ol = opt[i + 1];
		if (ol < 2 || ol > len - i)
			return;
		if (!(t & 0x80))	/* IPOPT_COPY */
			memset(opt + i, IPOPT_NOOP, ol);
		i += ol;
	}
}

/* Split skb (an IP datagram larger than mtu) into fragments and send
 * them; takes skb. */
static int fragment(struct sk_buff *skb, struct rtable *rt, unsigned mtu)
{
	struct iphdr *iph = ip_hdr(skb);
	unsigned hlen = iph->ihl * 4u;
	if (mtu < hlen + 8) {
		IP_INC_STATS(IPSTATS_FRAGFAILS);
		kfree_skb(skb);
		return -EMSGSIZE;
	}
	unsigned room = mtu - hlen;
	unsigned left = skb->len - hlen, ptr = hlen;
	unsigned offset = (ntohs(iph->frag_off) & IP_OFFSET) << 3;
	bool more = iph->frag_off & htons(IP_MF);
	uint16_t df = iph->frag_off & htons(IP_DF);
	size_t head = ll_reserved(rt->dev);
	bool first = true;
	int err = 0;
	while (left > 0) {
		unsigned len = left;
		if (len > room)
			len = room;
		if (len < left)
			len &= ~7u;	/* fragments other than the last hold multiples of 8 */
		struct sk_buff *f = alloc_skb(head, hlen + len);
		if (!f) {
			err = -ENOBUFS;
			break;
		}
		uint8_t *p = skb_put(f, hlen + len);
		memcpy(p, iph, hlen);
		memcpy(p + hlen, skb->data + ptr, len);
		skb_reset_network_header(f);
		memcpy(f->cb, skb->cb, sizeof(f->cb));
		struct iphdr *fh = (struct iphdr *)p;
		if (!first)
			options_fragment(p + sizeof(struct iphdr), hlen - sizeof(struct iphdr));
		left -= len;
		fh->frag_off = htons((uint16_t)(offset >> 3)) | df;
		if (left > 0 || more)
			fh->frag_off |= htons(IP_MF);
		fh->tot_len = htons((uint16_t)(hlen + len));
		ip_send_check(fh);
		ptr += len;
		offset += len;
		first = false;
		IP_INC_STATS(IPSTATS_FRAGCREATES);
		finish_output(f, rt);
	}
	if (err)
		IP_INC_STATS(IPSTATS_FRAGFAILS);
	else
		IP_INC_STATS(IPSTATS_FRAGOKS);
	kfree_skb(skb);
	return err;
}

/* The local copy of a broadcast or multicast we send on a real device:
 * it comes in through that device as the frame would look on the wire,
 * by the receive backlog (never recursing into the receive path). */
static void loop_back(const struct sk_buff *skb, const struct rtable *rt)
{
	struct net_device *dev = rt->dev;
	if (dev->type != ARPHRD_ETHER)
		return;
	struct sk_buff *c = skb_copy(skb);
	if (!c)
		return;
	uint8_t mac[ETH_ALEN];
	if (rt->type == RTN_MULTICAST)
		ip_eth_mc_map(ip_hdr(skb)->daddr, mac);
	else
		memcpy(mac, dev->broadcast, ETH_ALEN);
	if (eth_header(c, dev, ETH_P_IP, mac, NULL)) {
		kfree_skb(c);
		return;
	}
	c->dev = dev;
	netif_rx(c);
}

int ip_output(struct sk_buff *skb, struct rtable *rt)
{
	struct net_device *dev = rt->dev;
	skb->dev = dev;
	skb->protocol = ETH_P_IP;
	IP_ADD_STATS(IPSTATS_OUTOCTETS, skb->len);
	if (rt->type == RTN_MULTICAST)
		IP_INC_STATS(IPSTATS_OUTMCASTPKTS), IP_ADD_STATS(IPSTATS_OUTMCASTOCTETS, skb->len);
	else if (rt->type == RTN_BROADCAST)
		IP_INC_STATS(IPSTATS_OUTBCASTPKTS), IP_ADD_STATS(IPSTATS_OUTBCASTOCTETS, skb->len);
	/* a broadcast, or a multicast to a group this host joined (unless
	 * the socket said IP_MULTICAST_LOOP 0), also comes back to us; lo
	 * delivers its only copy anyway */
	if ((rt->flags & RTCF_LOCAL) && (rt->flags & (RTCF_BROADCAST | RTCF_MULTICAST)) &&
	    !(dev->flags & IFF_LOOPBACK) && (!(rt->flags & RTCF_MULTICAST) || !INET_CB(skb)->no_mc_loop))
		loop_back(skb, rt);
	if (rt->type == RTN_MULTICAST && ip_hdr(skb)->ttl == 0) {
		kfree_skb(skb);	/* TTL 0 multicasts stay on the host */
		return 0;
	}
	struct iphdr *iph = ip_hdr(skb);
	unsigned mtu = ip_rt_mtu(rt);
	if (skb->len > mtu) {
		if ((iph->frag_off & htons(IP_DF)) && !INET_CB(skb)->ignore_df) {
			IP_INC_STATS(IPSTATS_FRAGFAILS);
			kfree_skb(skb);
			return -EMSGSIZE;
		}
		return fragment(skb, rt, mtu);
	}
	return finish_output(skb, rt);
}

int ip_build_and_send(struct sk_buff *skb, const struct ip_build *b, struct rtable *rt)
{
	if (skb_headroom(skb) < sizeof(struct iphdr)) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	struct iphdr *iph = (struct iphdr *)skb_push(skb, sizeof(struct iphdr));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = b->tos;
	iph->tot_len = htons((uint16_t)skb->len);
	iph->frag_off = b->df ? htons(IP_DF) : 0;
	iph->id = htons(b->id >= 0 ? (uint16_t)b->id : ip_new_id());
	iph->ttl = b->ttl;
	iph->protocol = b->protocol;
	iph->saddr = b->saddr;
	iph->daddr = b->daddr;
	ip_send_check(iph);
	INET_CB(skb)->ignore_df = b->ignore_df;
	INET_CB(skb)->no_mc_loop = b->no_mc_loop;
	IP_INC_STATS(IPSTATS_OUTREQUESTS);
	return ip_output(skb, rt);
}
