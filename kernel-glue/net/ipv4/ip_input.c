/* Receiving IP datagrams (Linux's ip_input.c): the header checks, with
 * the drops counted as /proc/net/snmp counts them, options checked for
 * sanity and then ignored, the routing decision (ours, to forward, or
 * martian), reassembly, and delivery to raw sockets and the protocol. */
#include "ipv4.h"

struct ipv4_mib ipv4_mib;	/* shown by proc.c */

umk_section_declare(const struct net_protocol *const, umk_inet_protocols);

const struct net_protocol *inet_protocol(uint8_t proto)
{
	umk_section_foreach(const struct net_protocol *const, umk_inet_protocols, p)
		if ((*p)->protocol == proto)
			return *p;
	return NULL;
}

void ip_local_deliver(struct sk_buff *skb)
{
	struct iphdr *iph = ip_hdr(skb);
	if (ip_is_fragment(iph)) {
		skb = ip_defrag(skb);
		if (!skb)
			return;
		iph = ip_hdr(skb);
	}
	size_t hlen = iph->ihl * 4u;
	skb_pull(skb, hlen);
	skb_reset_transport_header(skb);
	uint8_t proto = iph->protocol;
	bool raw = raw_local_deliver(skb, proto);
	const struct net_protocol *p = inet_protocol(proto);
	if (p) {
		IP_INC_STATS(IPSTATS_INDELIVERS);
		p->handler(skb);
		return;
	}
	if (raw) {
		IP_INC_STATS(IPSTATS_INDELIVERS);
	} else {
		IP_INC_STATS(IPSTATS_INUNKNOWNPROTOS);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
	}
	kfree_skb(skb);
}

/* The options of a received header: each one's length must fit (else a
 * parameter problem at the offending byte, as ip_options_compile); a
 * source route is dropped (accept_source_route 0). Nothing else is done
 * with them. 0: fine, -1: drop. */
static int check_options(struct sk_buff *skb)
{
	struct iphdr *iph = ip_hdr(skb);
	uint8_t *opt = (uint8_t *)(iph + 1);
	size_t len = iph->ihl * 4u - sizeof(*iph), i = 0;
	while (i < len) {
		uint8_t t = opt[i];
		if (t == IPOPT_END)
			break;
		if (t == IPOPT_NOOP) {
			i++;
			continue;
		}
		size_t bad = i;
		if (len - i >= 2) {
			size_t ol = opt[i + 1];
			bad = i + 1;
			if (ol >= 2 && ol <= len - i) {
				if (t == IPOPT_LSRR || t == IPOPT_SSRR)
					return -1;
				i += ol;
				continue;
			}
		}
		IP_INC_STATS(IPSTATS_INHDRERRORS);
		icmp_send(skb, ICMP_PARAMETERPROB, 0, htonl((uint32_t)(sizeof(*iph) + bad) << 24));
		return -1;
	}
	return 0;
}

/* No route for a received packet (Linux's ip_error): a host that does
 * not forward just counts it; a router says why, rate limited. */
static void route_error(struct sk_buff *skb, struct net_device *dev, int err)
{
	struct in_device *idev = in_dev_get(dev);
	if (!idev || !idev->forwarding) {
		if (err == -EHOSTUNREACH)
			IP_INC_STATS(IPSTATS_INADDRERRORS);
		else if (err == -ENETUNREACH)
			IP_INC_STATS(IPSTATS_INNOROUTES);
		return;
	}
	int code;
	switch (err) {
	case -EHOSTUNREACH: code = ICMP_HOST_UNREACH; break;
	case -ENETUNREACH: code = ICMP_NET_UNREACH; IP_INC_STATS(IPSTATS_INNOROUTES); break;
	case -EACCES: code = ICMP_PKT_FILTERED; break;
	default: return;
	}
	icmp_send(skb, ICMP_DEST_UNREACH, code, 0);
}

void ip_count_in(const struct sk_buff *skb)
{
	IP_INC_STATS(IPSTATS_INRECEIVES);
	IP_ADD_STATS(IPSTATS_INOCTETS, skb->len);
}

static int ip_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt __unused)
{
	if (skb->pkt_type == PACKET_OTHERHOST) {
		kfree_skb(skb);
		return 0;
	}
	ip_count_in(skb);
	skb_reset_network_header(skb);
	struct iphdr *iph = ip_hdr(skb);
	if (skb->len < sizeof(struct iphdr) || iph->ihl < 5 || iph->version != 4)
		goto hdr_error;
	IP_INC_STATS(IPSTATS_NOECTPKTS + (iph->tos & 3));
	size_t hlen = iph->ihl * 4u;
	if (skb->len < hlen)
		goto hdr_error;
	if (ip_compute_csum(iph, hlen)) {
		IP_INC_STATS(IPSTATS_INCSUMERRORS);
		goto hdr_error;
	}
	size_t len = ntohs(iph->tot_len);
	if (skb->len < len) {
		IP_INC_STATS(IPSTATS_INTRUNCATEDPKTS);
		goto drop;
	}
	if (len < hlen)
		goto hdr_error;
	skb_trim(skb, len);	/* the link may have padded the frame */
	memset(skb->cb, 0, sizeof(skb->cb));
	struct rtable rt;
	int err = ip_route_input(skb, iph->daddr, iph->saddr, iph->tos, dev, &rt);
	if (err) {
		route_error(skb, dev, err);
		goto drop;
	}
	if (hlen > sizeof(struct iphdr) && check_options(skb))
		goto drop;
	if (rt.type == RTN_MULTICAST) {
		IP_INC_STATS(IPSTATS_INMCASTPKTS);
		IP_ADD_STATS(IPSTATS_INMCASTOCTETS, skb->len);
	} else if (rt.type == RTN_BROADCAST) {
		IP_INC_STATS(IPSTATS_INBCASTPKTS);
		IP_ADD_STATS(IPSTATS_INBCASTOCTETS, skb->len);
	}
	if (rt.type == RTN_UNICAST) {
		ip_forward(skb, &rt);
		return 0;
	}
	ip_local_deliver(skb);
	return 0;

hdr_error:
	IP_INC_STATS(IPSTATS_INHDRERRORS);
drop:
	kfree_skb(skb);
	return 0;
}

static struct packet_type ip_packet_type = { .type = ETH_P_IP, .func = ip_rcv };
DEFINE_PACKET_TYPE(ip_packet_type);
