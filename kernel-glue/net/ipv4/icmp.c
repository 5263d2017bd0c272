/* ICMP (RFC 792, Linux's icmp.c): echo and timestamp replies, errors
 * handed to the protocol (and raw sockets) of the datagram they quote,
 * and the errors we send, with Linux's rules: never about an ICMP error,
 * a fragment other than the first, or a broadcast/multicast; quoting at
 * most 576 bytes of reply; rate limited per destination (icmp_ratelimit,
 * for the types in icmp_ratemask) and globally (icmp_msgs_per_sec), but
 * never on loopback. */
#include "ipv4.h"

/* ---- rate limits ---- */

#define XRLIM_BURST_FACTOR 6
#define PEERS 64

/* One token bucket per destination (Linux's inet_peer): up to 6 x
 * icmp_ratelimit of credit, one icmp_ratelimit per message. */
static struct peer {
	__be32 addr;
	int64_t last, tokens;		/* ms */
	uint64_t used;
} peers[PEERS];
static uint64_t peer_clock;
static int64_t global_credit = -1, global_stamp;	/* ms */

static int64_t now_ms(void) { return ktime_mono_ns() / 1000000; }

static bool mask_allows(int type, int code)
{
	if (type > NR_ICMP_TYPES)
		return true;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		return true;	/* path MTU discovery is never limited */
	return !((1 << type) & sysctl_icmp_ratemask);
}

static bool global_allow(void)
{
	int64_t now = now_ms();
	if (global_credit < 0) {
		global_credit = sysctl_icmp_msgs_burst;
		global_stamp = now;
	}
	int64_t delta = MIN(now - global_stamp, 1000);
	if (delta >= 20) {
		global_credit = MIN(global_credit + sysctl_icmp_msgs_per_sec * delta / 1000, (int64_t)sysctl_icmp_msgs_burst);
		global_stamp = now;
	}
	if (global_credit <= 0)
		return false;
	global_credit--;
	return true;
}

static bool peer_allow(__be32 addr)
{
	int64_t now = now_ms(), timeout = sysctl_icmp_ratelimit;
	struct peer *p = NULL, *lru = &peers[0];
	for (int i = 0; i < PEERS; i++) {
		if (peers[i].used && peers[i].addr == addr) {
			p = &peers[i];
			break;
		}
		if (peers[i].used < lru->used)
			lru = &peers[i];
	}
	if (!p) {
		p = lru;
		*p = (struct peer){ .addr = addr, .last = now - 60000, .tokens = 0 };
	}
	p->used = ++peer_clock;
	int64_t token = p->tokens + (now - p->last);
	p->last = now;
	if (token > XRLIM_BURST_FACTOR * timeout)
		token = XRLIM_BURST_FACTOR * timeout;
	bool ok = false;
	if (token >= timeout) {
		token -= timeout;
		ok = true;
	}
	p->tokens = token;
	return ok;
}

/* ---- sending ---- */

void icmp_out_count(uint8_t type)
{
	ipv4_mib.icmp_out[type]++;
	ICMP_INC_STATS(ICMP_MIB_OUTMSGS);
}

static bool is_error_type(int type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

/* Build and send one ICMP message: header h, then len bytes of data. */
static void icmp_push(const struct icmphdr *h, const void *data, size_t len, __be32 saddr, __be32 daddr, uint8_t tos,
		      struct rtable *rt)
{
	size_t head = ll_reserved(rt->dev) + sizeof(struct iphdr);
	struct sk_buff *skb = alloc_skb(head, sizeof(*h) + len);
	if (!skb) {
		ICMP_INC_STATS(ICMP_MIB_OUTERRORS);
		return;
	}
	struct icmphdr *ih = (struct icmphdr *)skb_put(skb, sizeof(*h) + len);
	*ih = *h;
	memcpy(ih + 1, data, len);
	ih->checksum = 0;
	ih->checksum = ip_compute_csum(ih, sizeof(*h) + len);
	icmp_out_count(h->type);
	struct ip_build b = { .saddr = saddr, .daddr = daddr, .protocol = IPPROTO_ICMP, .tos = tos,
			      .ttl = ip_select_ttl(-1), .df = false, .id = -1 };
	ip_build_and_send(skb, &b, rt);
}

void icmp_send(struct sk_buff *skb_in, int type, int code, uint32_t info)
{
	uint8_t *nh = skb_network_header(skb_in);
	if (skb_in->network_off < 0 || nh + sizeof(struct iphdr) > skb_tail(skb_in))
		return;
	struct iphdr *iph = (struct iphdr *)nh;
	size_t avail = (size_t)(skb_tail(skb_in) - nh);
	if (skb_in->pkt_type != PACKET_HOST)
		return;	/* no replies to link-layer broadcasts and multicasts */
	if (INET_CB(skb_in)->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST))
		return;
	if (iph->frag_off & htons(IP_OFFSET))
		return;	/* only about the first fragment */
	if (is_error_type(type) && iph->protocol == IPPROTO_ICMP) {
		size_t ihl = iph->ihl * 4u;
		if (avail < ihl + 1)
			return;
		uint8_t inner = nh[ihl];
		if (inner > NR_ICMP_TYPES || is_error_type(inner))
			return;	/* never an error about an error */
	}
	bool from_lo = skb_in->dev && (skb_in->dev->flags & IFF_LOOPBACK);
	if (!from_lo && !mask_allows(type, code) && !global_allow()) {
		ICMP_INC_STATS(ICMP_MIB_RATELIMITGLOBAL);
		return;
	}
	/* our address if the datagram was for us, else the route's choice */
	__be32 saddr = (INET_CB(skb_in)->rt_flags & RTCF_LOCAL) ? iph->daddr : 0;
	uint8_t tos = is_error_type(type) ? (uint8_t)((iph->tos & 0x1e) | 0xc0) : iph->tos;	/* IPTOS_PREC_INTERNETCONTROL */
	struct flowi4 fl = { .daddr = iph->saddr, .saddr = saddr, .tos = tos & 0x1e, .proto = IPPROTO_ICMP };
	struct rtable rt;
	if (ip_route_output(&fl, &rt)) {
		if (!saddr)
			return;
		/* our address is not usable as a source for that route: let it choose */
		fl = (struct flowi4){ .daddr = iph->saddr, .tos = tos & 0x1e, .proto = IPPROTO_ICMP };
		if (ip_route_output(&fl, &rt))
			return;
	}
	if (!mask_allows(type, code) && !(rt.dev->flags & IFF_LOOPBACK) && !peer_allow(fl.daddr)) {
		ICMP_INC_STATS(ICMP_MIB_RATELIMITHOST);
		return;
	}
	/* as much of the datagram as fits in 576 bytes */
	int room = (int)MIN(ip_rt_mtu(&rt), 576u) - (int)sizeof(struct iphdr) - (int)sizeof(struct icmphdr);
	if (room <= (int)sizeof(struct iphdr))
		return;
	size_t dlen = MIN(avail, (size_t)room);
	size_t tot = ntohs(iph->tot_len);
	if (tot >= iph->ihl * 4u && dlen > tot)
		dlen = tot;
	struct icmphdr h = { .type = (uint8_t)type, .code = (uint8_t)code };
	h.un.gateway = info;
	icmp_push(&h, nh, dlen, fl.saddr ? fl.saddr : htonl(0xc0000008) /* INADDR_DUMMY */, fl.daddr, tos, &rt);
}

/* ---- receiving ---- */

/* An echo or timestamp reply to the sender of skb (data at the ICMP
 * header), from the address it was sent to (or ours on its network,
 * for a broadcast). */
static void icmp_reply(struct sk_buff *skb, struct icmphdr *h, const void *data, size_t len)
{
	struct iphdr *iph = ip_hdr(skb);
	__be32 saddr = INET_CB(skb)->rt_type == RTN_LOCAL ? iph->daddr : INET_CB(skb)->spec_dst;
	struct flowi4 fl = { .daddr = iph->saddr, .saddr = saddr, .tos = iph->tos & 0x1e, .proto = IPPROTO_ICMP };
	struct rtable rt;
	if (ip_route_output(&fl, &rt))
		return;
	icmp_push(h, data, len, fl.saddr, fl.daddr, iph->tos, &rt);
}

static void icmp_echo(struct sk_buff *skb, struct icmphdr *h)
{
	if (sysctl_icmp_echo_ignore_all)
		return;
	struct icmphdr r = *h;
	r.type = ICMP_ECHOREPLY;
	r.code = 0;
	icmp_reply(skb, &r, h + 1, skb->len - sizeof(*h));
}

static void icmp_timestamp(struct sk_buff *skb, struct icmphdr *h)
{
	if (skb->len < sizeof(*h) + 4) {
		ICMP_INC_STATS(ICMP_MIB_INERRORS);
		return;
	}
	/* originate (theirs), receive and transmit (ms since midnight UT) */
	int64_t ms = (ktime_real_ns() / 1000000) % 86400000;
	uint32_t t[3];
	memcpy(&t[0], h + 1, 4);
	t[1] = t[2] = htonl((uint32_t)ms);
	struct icmphdr r = *h;
	r.type = ICMP_TIMESTAMPREPLY;
	r.code = 0;
	icmp_reply(skb, &r, t, sizeof(t));
}

/* An error about a datagram we sent: to its protocol and raw sockets. */
static void icmp_unreach(struct sk_buff *skb, struct icmphdr *h)
{
	skb_pull(skb, sizeof(*h));
	if (skb->len < sizeof(struct iphdr)) {
		ICMP_INC_STATS(ICMP_MIB_INERRORS);
		return;
	}
	struct iphdr *iph = (struct iphdr *)skb->data;
	if (iph->ihl < 5) {
		ICMP_INC_STATS(ICMP_MIB_INERRORS);
		return;
	}
	uint32_t info = 0;
	switch (h->type) {
	case ICMP_DEST_UNREACH:
		if ((h->code & 15) == ICMP_FRAG_NEEDED) {
			if (sysctl_ip_no_pmtu_disc == 2)
				return;
			if (sysctl_ip_no_pmtu_disc == 0)
				info = ntohs(h->un.frag.mtu);
		}
		if (h->code > NR_ICMP_UNREACH)
			return;
		break;
	case ICMP_PARAMETERPROB:
		info = ntohl(h->un.gateway) >> 24;
		break;
	case ICMP_TIME_EXCEEDED:
		if (h->code == ICMP_EXC_FRAGTIME)
			return;
		break;
	}
	if (!sysctl_icmp_ignore_bogus_error_responses && inet_addr_type(iph->daddr) == RTN_BROADCAST)
		return;
	if (skb->len < iph->ihl * 4u + 8) {
		ICMP_INC_STATS(ICMP_MIB_INERRORS);	/* too little quoted to tell whose it is */
		return;
	}
	raw_icmp_error(skb, iph->protocol, h->type, h->code, info);
	const struct net_protocol *p = inet_protocol(iph->protocol);
	if (p && p->err_handler)
		p->err_handler(skb, h->type, h->code, info);
}

void ping_rcv(struct sk_buff *skb);

static void icmp_rcv(struct sk_buff *skb)
{
	ICMP_INC_STATS(ICMP_MIB_INMSGS);
	if (ip_compute_csum(skb->data, skb->len)) {
		ICMP_INC_STATS(ICMP_MIB_CSUMERRORS);
		ICMP_INC_STATS(ICMP_MIB_INERRORS);
		goto out;
	}
	if (skb->len < sizeof(struct icmphdr)) {
		ICMP_INC_STATS(ICMP_MIB_INERRORS);
		goto out;
	}
	struct icmphdr *h = (struct icmphdr *)skb->data;
	ipv4_mib.icmp_in[h->type]++;
	if (h->type == ICMP_ECHOREPLY) {
		ping_rcv(skb);
		goto out;
	}
	if (h->type > NR_ICMP_TYPES) {
		ICMP_INC_STATS(ICMP_MIB_INERRORS);
		goto out;
	}
	if (INET_CB(skb)->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST)) {
		/* echo to a broadcast is ignored (icmp_echo_ignore_broadcasts);
		 * errors to one are bogus */
		if ((h->type == ICMP_ECHO || h->type == ICMP_TIMESTAMP) && sysctl_icmp_echo_ignore_broadcasts) {
			ICMP_INC_STATS(ICMP_MIB_INERRORS);
			goto out;
		}
		if (h->type != ICMP_ECHO && h->type != ICMP_TIMESTAMP && h->type != ICMP_ADDRESS &&
		    h->type != ICMP_ADDRESSREPLY) {
			ICMP_INC_STATS(ICMP_MIB_INERRORS);
			goto out;
		}
	}
	switch (h->type) {
	case ICMP_ECHO:
		icmp_echo(skb, h);
		break;
	case ICMP_TIMESTAMP:
		icmp_timestamp(skb, h);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
	case ICMP_REDIRECT:	/* passed on to sockets, routes are not changed */
		icmp_unreach(skb, h);
		break;
	default:
		break;		/* RFC 1122 3.2.2: others are discarded */
	}
out:
	kfree_skb(skb);
}

void ping_err(struct sk_buff *skb, int type, int code, uint32_t info);
static const struct net_protocol icmp_protocol = { IPPROTO_ICMP, icmp_rcv, ping_err };
DEFINE_INET_PROTOCOL(icmp_protocol);
