/* Forwarding (net.ipv4.ip_forward=1, Linux's ip_forward.c): a datagram
 * for another host goes on with its TTL one less; one whose TTL runs out
 * gets ICMP time exceeded, one too big for the next link with DF set
 * gets ICMP fragmentation needed. No redirects are sent. */
#include "ipv4.h"

void ip_forward(struct sk_buff *skb, struct rtable *rt)
{
	if (skb->pkt_type != PACKET_HOST)
		goto drop;
	struct iphdr *iph = ip_hdr(skb);
	if (iph->ttl <= 1) {
		IP_INC_STATS(IPSTATS_INHDRERRORS);
		icmp_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		goto drop;
	}
	unsigned mtu = ip_rt_mtu(rt);
	if (skb->len > mtu && (iph->frag_off & htons(IP_DF))) {
		IP_INC_STATS(IPSTATS_FRAGFAILS);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
		goto drop;
	}
	/* TTL - 1: the checksum changes by +0x0100 (RFC 1141) */
	uint32_t check = iph->check;
	check += htons(0x0100);
	iph->check = (uint16_t)(check + (check >= 0xFFFF));
	iph->ttl--;
	IP_INC_STATS(IPSTATS_FORWDATAGRAMS);
	INET_CB(skb)->ignore_df = false;
	ip_output(skb, rt);
	return;
drop:
	kfree_skb(skb);
}
