/* UDP (RFC 768, Linux's udp.c): ports and their sharing rules
 * (SO_REUSEADDR, SO_REUSEPORT groups), which socket a datagram is for
 * (an exactly bound address before a wildcard one, then the best match
 * as Linux scores it; every matching socket for broadcasts and
 * multicasts), ICMP port unreachable for nobody's datagrams, ICMP errors
 * turned into socket errors, and send/receive. */
#include "inet_sock.h"

LIST_HEAD(udp_table);	/* every socket with a port, newest first */

static bool reuseaddr(const struct inet_sock *sk) { return sk->sock && (sk->sock->flags & SOCKF_REUSEADDR); }
static bool reuseport(const struct inet_sock *sk) { return sk->sock && (sk->sock->flags & SOCKF_REUSEPORT); }

/* Would sk on port num clash with an existing socket (udp_lib_lport_inuse)? */
static bool port_inuse(struct inet_sock *sk, uint16_t num)
{
	struct inet_sock *o;
	int dev = inet_sk_bound_dev(sk);
	list_for_each_entry(o, &udp_table, node) {
		if (o == sk || o->num != num)
			continue;
		if (reuseaddr(o) && reuseaddr(sk))
			continue;
		int odev = inet_sk_bound_dev(o);
		if (odev && dev && odev != dev)
			continue;
		if (o->rcv_saddr && sk->rcv_saddr && o->rcv_saddr != sk->rcv_saddr)
			continue;
		if (reuseport(o) && reuseport(sk) && o->uid == sk->uid)
			continue;
		return true;
	}
	return false;
}

static int udp_get_port(struct inet_sock *sk, uint16_t snum)
{
	if (!snum) {
		int lo = sysctl_ip_local_port_range[0], hi = sysctl_ip_local_port_range[1];
		unsigned n = (unsigned)(hi - lo + 1), start;
		get_random_bytes(&start, sizeof(start));
		unsigned i;
		for (i = 0; i < n; i++) {
			uint16_t cand = (uint16_t)(lo + (start + i) % n);
			if (!port_inuse(sk, cand)) {
				snum = cand;
				break;
			}
		}
		if (i == n)
			return -EADDRINUSE;
	} else if (port_inuse(sk, snum)) {
		return -EADDRINUSE;
	}
	sk->num = sk->sport = snum;
	list_add(&sk->node, &udp_table);
	sk->hashed = true;
	return 0;
}

static void udp_unhash(struct inet_sock *sk)
{
	list_del(&sk->node);
	INIT_LIST_HEAD(&sk->node);
	sk->hashed = false;
	sk->num = sk->sport = 0;
}

/* ---- which socket ---- */

static int score(struct inet_sock *sk, __be32 saddr, uint16_t sport, int dif)
{
	int s = 2;
	if (sk->daddr) {
		if (sk->daddr != saddr)
			return -1;
		s += 4;
	}
	if (sk->dport) {
		if (sk->dport != sport)
			return -1;
		s += 4;
	}
	int bound = inet_sk_bound_dev(sk);
	if (bound) {
		if (bound != dif)
			return -1;
		s += 4;
	}
	return s;
}

/* One of a SO_REUSEPORT group, the same one for a given flow. */
static struct inet_sock *reuseport_select(struct inet_sock *first, __be32 saddr, uint16_t sport)
{
	struct inet_sock *o, *group[64];
	int n = 0;
	/* members in bind order: the table is newest first */
	list_for_each_entry(o, &udp_table, node)
		if (o->num == first->num && o->rcv_saddr == first->rcv_saddr && reuseport(o) && !o->connected &&
		    o->uid == first->uid && n < (int)ARRAY_SIZE(group))
			group[n++] = o;
	if (n <= 1)
		return first;
	uint32_t h = ntohl(saddr) * 2654435761u ^ sport * 40503u;
	return group[n - 1 - (int)(h % (unsigned)n)];
}

static struct inet_sock *lookup_pass(__be32 saddr, uint16_t sport, __be32 bound, uint16_t dport, int dif)
{
	struct inet_sock *o, *best = NULL;
	int best_score = -1;
	list_for_each_entry(o, &udp_table, node) {
		if (o->num != dport || o->rcv_saddr != bound)
			continue;
		int s = score(o, saddr, sport, dif);
		if (s > best_score) {
			best = o;
			best_score = s;
		}
	}
	if (best && reuseport(best) && !best->connected)
		best = reuseport_select(best, saddr, sport);
	return best;
}

static struct inet_sock *udp_lookup(__be32 saddr, uint16_t sport, __be32 daddr, uint16_t dport, int dif)
{
	struct inet_sock *sk = lookup_pass(saddr, sport, daddr, dport, dif);
	return sk ? sk : lookup_pass(saddr, sport, htonl(INADDR_ANY), dport, dif);
}

static bool mcast_match(struct inet_sock *o, __be32 saddr, uint16_t sport, __be32 daddr, uint16_t dport, int dif)
{
	if (o->num != dport || (o->daddr && o->daddr != saddr) || (o->dport && o->dport != sport) ||
	    (o->rcv_saddr && o->rcv_saddr != daddr))
		return false;
	int bound = inet_sk_bound_dev(o);
	if (bound && bound != dif)
		return false;
	return ip_mc_sf_allow(o, daddr, dif);
}

/* ---- receiving ---- */

static void udp_queue(struct inet_sock *sk, struct sk_buff *skb)
{
	if (!inet_queue_rcv(sk, skb)) {
		UDP_INC_STATS(UDP_MIB_RCVBUFERRORS);
		UDP_INC_STATS(UDP_MIB_INERRORS);
		kfree_skb(skb);
	}
}

static void udp_rcv(struct sk_buff *skb)
{
	struct iphdr *iph = ip_hdr(skb);
	if (skb->len < sizeof(struct udphdr))
		goto drop;
	struct udphdr *uh = (struct udphdr *)skb->data;
	unsigned ulen = ntohs(uh->len);
	if (ulen > skb->len || ulen < sizeof(*uh))
		goto drop;
	skb_trim(skb, ulen);
	if (uh->check &&
	    csum_fold(csum_tcpudp_nofold(iph->saddr, iph->daddr, ulen, IPPROTO_UDP, csum_partial(uh, ulen, 0)))) {
		UDP_INC_STATS(UDP_MIB_CSUMERRORS);
		goto drop;
	}
	uint16_t sport = ntohs(uh->source), dport = ntohs(uh->dest);
	int dif = INET_CB(skb)->iif;
	if (INET_CB(skb)->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST)) {
		/* a copy for every socket that matches */
		struct inet_sock *o, *last = NULL;
		list_for_each_entry(o, &udp_table, node) {
			if (!mcast_match(o, iph->saddr, sport, iph->daddr, dport, dif))
				continue;
			if (last) {
				struct sk_buff *c = skb_copy(skb);
				if (c)
					udp_queue(last, c);
			}
			last = o;
		}
		if (last) {
			udp_queue(last, skb);
		} else {
			UDP_INC_STATS(UDP_MIB_IGNOREDMULTI);
			kfree_skb(skb);
		}
		return;
	}
	struct inet_sock *sk = udp_lookup(iph->saddr, sport, iph->daddr, dport, dif);
	if (sk) {
		udp_queue(sk, skb);
		return;
	}
	UDP_INC_STATS(UDP_MIB_NOPORTS);
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	kfree_skb(skb);
	return;
drop:
	UDP_INC_STATS(UDP_MIB_INERRORS);
	kfree_skb(skb);
}

/* An ICMP error about a datagram we sent (skb->data at its IP header). */
static void udp_err(struct sk_buff *skb, int type, int code, uint32_t info)
{
	struct iphdr *iph = (struct iphdr *)skb->data;
	struct udphdr *uh = (struct udphdr *)(skb->data + iph->ihl * 4u);
	int dif = skb->dev ? skb->dev->ifindex : 0;
	struct inet_sock *sk = udp_lookup(iph->daddr, ntohs(uh->dest), iph->saddr, ntohs(uh->source), dif);
	if (!sk) {
		ICMP_INC_STATS(ICMP_MIB_INERRORS);
		return;
	}
	if (type == ICMP_REDIRECT)
		return;
	bool hard;
	int err = icmp_err_errno(type, code, &hard, sk->pmtudisc);
	if (!err)
		return;	/* source quench */
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED && sk->pmtudisc == IP_PMTUDISC_DONT)
		return;
	if (!sk->recverr) {
		if (!hard || !sk->connected)
			return;
	} else {
		ip_icmp_error(sk, skb, err, type, code, ntohs(uh->dest), info, (const uint8_t *)(uh + 1));
	}
	inet_report_error(sk, err);
}

/* ---- send and receive ---- */

static ssize_t udp_sendmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags)
{
	size_t len = m->it.len;
	__be32 daddr;
	uint16_t dport;
	int err = inet_send_dest(sk, m, flags, true, &daddr, &dport);
	if (err)
		return err;
	if (m->namelen && !dport)
		return -EINVAL;	/* (a socket connected to port 0 may send there) */
	struct inet_send snd;
	err = inet_send_route(sk, m, flags, daddr, &snd);
	if (err)
		return err;
	size_t ulen = len + sizeof(struct udphdr);
	struct sk_buff *skb = inet_send_alloc(sk, &snd, ulen, dport, flags, &err);
	if (!skb)
		return err;
	struct udphdr *uh = (struct udphdr *)skb->data;
	if (miter_from(&m->it, 0, uh + 1, len)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	uh->source = htons(sk->num);
	uh->dest = htons(dport);
	uh->len = htons((uint16_t)ulen);
	uh->check = 0;
	uint16_t c = csum_fold(csum_tcpudp_nofold(snd.fl.saddr, snd.fl.daddr, (uint32_t)ulen, IPPROTO_UDP,
						  csum_partial(uh, ulen, 0)));
	uh->check = c ? c : 0xFFFF;	/* 0 means "no checksum" */
	err = inet_send_out(sk, &snd, skb);
	if (err == -ENOBUFS && !sk->recverr)
		UDP_INC_STATS(UDP_MIB_SNDBUFERRORS);
	else if (!err)
		UDP_INC_STATS(UDP_MIB_OUTDATAGRAMS);
	return inet_send_result(sk, err, len);
}

static ssize_t udp_recvmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags)
{
	int err;
	struct sk_buff *skb = inet_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	bool peek = flags & MSG_PEEK;
	size_t ulen = skb->len - sizeof(struct udphdr);
	size_t n = MIN(ulen, m->it.len);
	if (n < ulen)
		m->flags |= MSG_TRUNC;
	struct udphdr *uh = (struct udphdr *)skb->data;
	if (miter_to(&m->it, 0, uh + 1, n)) {
		if (!peek)
			kfree_skb(skb);
		return -EFAULT;
	}
	if (!peek)
		UDP_INC_STATS(UDP_MIB_INDATAGRAMS);
	inet_put_name(m, ip_hdr(skb)->saddr, ntohs(uh->source));
	m->tstamp = skb->tstamp;	/* SO_TIMESTAMP: the socket layer writes it */
	if (sk->cmsg_flags)
		ip_cmsg_recv(sk, m, skb, ntohs(uh->dest));
	if (!peek)
		kfree_skb(skb);
	return (flags & MSG_TRUNC) ? (ssize_t)ulen : (ssize_t)n;
}

static int udp_inq(struct inet_sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->rq);
	return skb ? (int)(skb->len - sizeof(struct udphdr)) : 0;
}

const struct inet_proto udp_proto = {
	.name = "UDP", .get_port = udp_get_port, .unhash = udp_unhash, .sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg, .inq = udp_inq,
};

static const struct net_protocol udp_protocol = { IPPROTO_UDP, udp_rcv, udp_err };
DEFINE_INET_PROTOCOL(udp_protocol);
