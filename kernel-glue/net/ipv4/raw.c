/* Raw IP sockets (Linux's raw.c): SOCK_RAW with a protocol number (CAP_NET_RAW).
 * Each gets a copy of every datagram of its protocol for this host (IP
 * header included, after reassembly; ICMP_FILTER drops ICMP types),
 * ICMP errors about what it sent, and sends with the kernel's IP header
 * or, with IP_HDRINCL (always for IPPROTO_RAW), the caller's: the kernel
 * then only fills the total length, the checksum, a zero source and a
 * zero id (without DF), as Linux does, so a malformed header (version,
 * fragment fields, options) reaches the receive path as it was written;
 * a header length below 5 or past the data is EINVAL. */
#include <umk/uaccess.h>
#include "inet_sock.h"

#define SOL_RAW 255
#define ICMP_FILTER 1

LIST_HEAD(raw_table);

void raw_hash(struct inet_sock *sk)
{
	list_add_tail(&sk->node, &raw_table);
	sk->hashed = true;
}

static void raw_unhash(struct inet_sock *sk)
{
	list_del(&sk->node);
	INIT_LIST_HEAD(&sk->node);
	sk->hashed = false;
}

/* raw_v4_match: the protocol, and the addresses the socket is bound or
 * connected to. */
static bool raw_match(struct inet_sock *sk, uint8_t proto, __be32 raddr, __be32 laddr, int dif)
{
	int bound = inet_sk_bound_dev(sk);
	return sk->num == proto && !(sk->daddr && sk->daddr != raddr) && !(sk->rcv_saddr && sk->rcv_saddr != laddr) &&
	       !(bound && bound != dif);
}

/* ICMP_FILTER: is this ICMP type filtered out for sk? */
static bool icmp_filtered(struct inet_sock *sk, struct sk_buff *skb)
{
	if (skb->len < 1)
		return false;
	uint8_t type = skb->data[0];
	return type < 32 && ((1u << type) & sk->icmp_filter);
}

bool raw_local_deliver(struct sk_buff *skb, uint8_t protocol)
{
	struct iphdr *iph = ip_hdr(skb);
	int dif = INET_CB(skb)->iif;
	bool delivered = false;
	struct inet_sock *sk;
	list_for_each_entry(sk, &raw_table, node) {
		if (!raw_match(sk, protocol, iph->saddr, iph->daddr, dif))
			continue;
		delivered = true;	/* even if filtered: no "protocol unreachable" */
		if (protocol == IPPROTO_ICMP && icmp_filtered(sk, skb))
			continue;
		if (ipv4_is_multicast(iph->daddr) && !ip_mc_sf_allow(sk, iph->daddr, dif))
			continue;
		struct sk_buff *c = skb_copy(skb);
		if (!c)
			continue;
		skb_push(c, (size_t)(c->data - skb_network_header(c)));	/* raw sockets read the IP header too */
		if (!inet_queue_rcv(sk, c))
			kfree_skb(c);
	}
	return delivered;
}

void raw_icmp_error(struct sk_buff *skb, uint8_t protocol, int type, int code, uint32_t info)
{
	struct iphdr *iph = (struct iphdr *)skb->data;
	int dif = skb->dev ? skb->dev->ifindex : 0;
	struct inet_sock *sk;
	list_for_each_entry(sk, &raw_table, node) {
		if (!raw_match(sk, protocol, iph->daddr, iph->saddr, dif))
			continue;
		if (type == ICMP_REDIRECT)
			continue;
		if (!sk->recverr && !sk->connected)
			continue;
		bool hard;
		int err = icmp_err_errno(type, code, &hard, sk->pmtudisc);
		if (!err)
			continue;
		if (sk->recverr) {
			const uint8_t *payload = sk->hdrincl ? skb->data : skb->data + iph->ihl * 4u;
			ip_icmp_error(sk, skb, err, type, code, 0, info, payload);
		}
		if (sk->recverr || hard)
			inet_report_error(sk, err);
	}
}

static int raw_bind(struct inet_sock *sk, const struct sockaddr_in *a, int len)
{
	if (sk->connected || len < (int)sizeof(*a))
		return -EINVAL;
	unsigned type = inet_addr_type(a->sin_addr.s_addr);
	if (!inet_addr_valid_or_nonlocal(sk, a->sin_addr.s_addr, type))
		return -EADDRNOTAVAIL;
	sk->rcv_saddr = sk->saddr = a->sin_addr.s_addr;
	if (type == RTN_MULTICAST || type == RTN_BROADCAST)
		sk->saddr = 0;
	return 0;
}

/* IP_HDRINCL: the caller's header goes out as it is but for tot_len,
 * checksum, and a zero source or id (raw_send_hdrinc). */
static ssize_t send_hdrinc(struct inet_sock *sk, struct kmsg *m, size_t len, struct rtable *rt, struct flowi4 *fl,
			   unsigned flags)
{
	if (len > rt->dev->mtu) {
		ip_local_error(sk, EMSGSIZE, fl->daddr, 0, rt->dev->mtu);
		return -EMSGSIZE;
	}
	if (len < sizeof(struct iphdr))
		return -EINVAL;
	int err;
	struct sk_buff *skb = inet_alloc_send_skb(sk, rt, len, flags, &err);
	if (!skb)
		return err;
	uint8_t *p = skb_put(skb, len);
	skb_reset_network_header(skb);
	if (miter_from(&m->it, 0, p, len)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	struct iphdr *iph = (struct iphdr *)p;
	unsigned ihl = iph->ihl * 4u;
	if (ihl < sizeof(*iph) || ihl > len) {
		kfree_skb(skb);
		return -EINVAL;
	}
	if (!iph->saddr)
		iph->saddr = fl->saddr;
	iph->tot_len = htons((uint16_t)len);
	if (!iph->id && !(iph->frag_off & htons(IP_DF)))
		iph->id = htons(ip_new_id());
	ip_send_check(iph);
	if (iph->protocol == IPPROTO_ICMP && len >= ihl + sizeof(struct icmphdr))
		icmp_out_count(p[ihl]);
	INET_CB(skb)->no_mc_loop = !sk->mc_loop;
	return inet_send_result(sk, ip_output(skb, rt), len);	/* not counted in OutRequests, as Linux */
}

static ssize_t raw_sendmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags)
{
	size_t len = m->it.len;
	struct inet_send snd;
	int err = inet_send_prepare(sk, m, flags, true, &snd);
	if (err)
		return err;
	if (sk->hdrincl)
		return send_hdrinc(sk, m, len, &snd.rt, &snd.fl, flags);
	struct sk_buff *skb = inet_send_alloc(sk, &snd, len, 0, flags, &err);
	if (!skb)
		return err;
	if (miter_from(&m->it, 0, skb->data, len)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	if (sk->protocol == IPPROTO_ICMP && len)
		icmp_out_count(skb->data[0]);	/* whatever it is, as Linux counts it */
	return inet_send_result(sk, inet_send_out(sk, &snd, skb), len);
}

static ssize_t raw_recvmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags)
{
	return inet_recv_whole(sk, m, flags, true);
}

static int raw_setsockopt(struct inet_sock *sk, int level, int name, uaddr_t val, int len)
{
	if (level != SOL_RAW)
		return -ENOPROTOOPT;
	if (name != ICMP_FILTER)
		return -ENOPROTOOPT;
	if (sk->num != IPPROTO_ICMP)
		return -EOPNOTSUPP;
	if (len > 4)
		len = 4;
	if (len < 0)
		return -EINVAL;
	uint32_t f = sk->icmp_filter;
	if (copy_from_user(&f, val, len))
		return -EFAULT;
	sk->icmp_filter = f;
	return 0;
}

static int raw_getsockopt(struct inet_sock *sk, int level, int name, uaddr_t val, uaddr_t ulen)
{
	if (level != SOL_RAW || name != ICMP_FILTER)
		return -ENOPROTOOPT;
	if (sk->num != IPPROTO_ICMP)
		return -EOPNOTSUPP;
	int len;
	int err = get_user_optlen(ulen, &len);
	if (err)
		return err;
	if (len > 4)
		len = 4;
	if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(val, &sk->icmp_filter, len))
		return -EFAULT;
	return 0;
}

const struct inet_proto raw_proto = {
	.name = "RAW", .bind = raw_bind, .unhash = raw_unhash, .sendmsg = raw_sendmsg, .recvmsg = raw_recvmsg,
	.inq = inet_inq_whole, .setsockopt = raw_setsockopt, .getsockopt = raw_getsockopt,
};
