/* ICMP echo ("ping") sockets, SOCK_DGRAM/IPPROTO_ICMP (Linux's ping.c):
 * for users whose group is in net.ipv4.ping_group_range (default "1 0":
 * nobody). The socket's "port" is the echo identifier: the kernel puts
 * it in every request it sends and hands the socket the replies that
 * carry it (ICMP header and data), and the ICMP errors about its
 * requests. Like raw sockets they start with SO_REUSEADDR set, so two
 * may share an identifier (the newest gets the replies). */
#include "inet_sock.h"

LIST_HEAD(ping_table);
static uint16_t port_rover;

static bool gid_in_range(gid_t g)
{
	return (long)g >= sysctl_ping_group_range[0] && (long)g <= sysctl_ping_group_range[1];
}

int ping_init_sock(struct inet_sock *sk __unused)
{
	const struct cred *c = &current->cred;
	if (gid_in_range(c->egid))
		return 0;
	for (int i = 0; i < c->ngroups; i++)
		if (gid_in_range(c->groups[i]))
			return 0;
	return -EACCES;
}

static int ping_get_port(struct inet_sock *sk, uint16_t ident)
{
	struct inet_sock *o;
	if (!ident) {
		uint16_t r = port_rover + 1;
		unsigned i;
		for (i = 0; i < 0x10000; i++, r++) {
			if (!r)
				r++;	/* never 0 */
			bool used = false;
			list_for_each_entry(o, &ping_table, node)
				if (o->num == r) {
					used = true;
					break;
				}
			if (!used) {
				port_rover = ident = r;
				break;
			}
		}
		if (i >= 0x10000)
			return -EADDRINUSE;
	} else {
		bool reuse = sk->sock && (sk->sock->flags & SOCKF_REUSEADDR);
		list_for_each_entry(o, &ping_table, node) {
			bool oreuse = o->sock && (o->sock->flags & SOCKF_REUSEADDR);
			if (o != sk && o->num == ident && (!oreuse || !reuse))
				return -EADDRINUSE;
		}
	}
	sk->num = sk->sport = ident;
	list_add(&sk->node, &ping_table);	/* newest first, as Linux's hash chain */
	sk->hashed = true;
	return 0;
}

static void ping_unhash(struct inet_sock *sk)
{
	list_del(&sk->node);
	INIT_LIST_HEAD(&sk->node);
	sk->hashed = false;
	sk->num = sk->sport = 0;
}

static int ping_bind(struct inet_sock *sk, const struct sockaddr_in *a, int len)
{
	if (len < (int)sizeof(*a))
		return -EINVAL;
	if (a->sin_family != AF_INET && !(a->sin_family == AF_UNSPEC && a->sin_addr.s_addr == htonl(INADDR_ANY)))
		return -EAFNOSUPPORT;
	if (a->sin_addr.s_addr != htonl(INADDR_ANY)) {
		unsigned type = inet_addr_type(a->sin_addr.s_addr);
		if (type == RTN_MULTICAST || type == RTN_BROADCAST ||
		    (type != RTN_LOCAL && !sysctl_ip_nonlocal_bind && !sk->freebind))
			return -EADDRNOTAVAIL;
	}
	if (sk->num)
		return -EINVAL;
	uint16_t ident = ntohs(a->sin_port);
	if (ping_get_port(sk, ident))
		return -EADDRINUSE;
	sk->rcv_saddr = sk->saddr = a->sin_addr.s_addr;
	sk->addr_locked = sk->rcv_saddr != 0;
	sk->port_locked = ident != 0;
	sk->daddr = 0;
	sk->dport = 0;
	return 0;
}

static struct inet_sock *ping_lookup(struct sk_buff *skb, uint16_t ident)
{
	struct inet_sock *sk;
	int dif = INET_CB(skb)->iif;
	list_for_each_entry(sk, &ping_table, node) {
		if (sk->num != ident)
			continue;
		if (sk->rcv_saddr && sk->rcv_saddr != ip_hdr(skb)->daddr)
			continue;
		int bound = inet_sk_bound_dev(sk);
		if (bound && bound != dif)
			continue;
		return sk;
	}
	return NULL;
}

/* An echo reply (skb->data at its ICMP header): a copy for the socket
 * with its identifier. */
void ping_rcv(struct sk_buff *skb)
{
	struct icmphdr *h = (struct icmphdr *)skb->data;
	struct inet_sock *sk = ping_lookup(skb, ntohs(h->un.echo.id));
	if (!sk)
		return;
	struct sk_buff *c = skb_copy(skb);
	if (c && !inet_queue_rcv(sk, c))
		kfree_skb(c);
}

/* An ICMP error about an echo request we sent (skb->data at its IP header). */
void ping_err(struct sk_buff *skb, int type, int code, uint32_t info)
{
	struct iphdr *iph = (struct iphdr *)skb->data;
	struct icmphdr *q = (struct icmphdr *)(skb->data + iph->ihl * 4u);
	if (q->type != ICMP_ECHO || q->code)
		return;
	struct inet_sock *sk;
	struct inet_sock *found = NULL;
	list_for_each_entry(sk, &ping_table, node)
		if (sk->num == ntohs(q->un.echo.id) && (!sk->rcv_saddr || sk->rcv_saddr == iph->saddr)) {
			found = sk;
			break;
		}
	if (!found)
		return;
	sk = found;
	bool hard = false;
	int err;
	if (type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT) {
		err = EREMOTEIO;	/* not errors, but ping wants to see them */
	} else {
		if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED && sk->pmtudisc == IP_PMTUDISC_DONT)
			return;
		err = icmp_err_errno(type, code, &hard, sk->pmtudisc);
	}
	if (!sk->recverr) {
		if (!hard || !sk->connected)
			return;
	} else {
		ip_icmp_error(sk, skb, err, type, code, 0, info, (const uint8_t *)q);
	}
	inet_report_error(sk, err);
}

static ssize_t ping_sendmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags)
{
	size_t len = m->it.len;
	if (len > 0xFFFF)
		return -EMSGSIZE;
	if (len < sizeof(struct icmphdr))
		return -EINVAL;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	struct icmphdr user;
	if (miter_from(&m->it, 0, &user, sizeof(user)))
		return -EFAULT;
	if (user.type != ICMP_ECHO || user.code)
		return -EINVAL;
	struct inet_send snd;
	int err = inet_send_prepare(sk, m, flags, false, &snd);
	if (err)
		return err;
	struct sk_buff *skb = inet_send_alloc(sk, &snd, len, 0, flags, &err);
	if (!skb)
		return err;
	struct icmphdr *h = (struct icmphdr *)skb->data;
	if (miter_from(&m->it, 0, h, len)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	h->checksum = 0;
	h->un.echo.id = htons(sk->num);
	h->checksum = ip_compute_csum(h, len);
	icmp_out_count(ICMP_ECHO);
	return inet_send_result(sk, inet_send_out(sk, &snd, skb), len);
}

static ssize_t ping_recvmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags)
{
	/* MSG_TRUNC does not give the full length here, as Linux */
	return inet_recv_whole(sk, m, flags, false);
}

const struct inet_proto ping_proto = {
	.name = "PING", .get_port = ping_get_port, .bind = ping_bind, .unhash = ping_unhash,
	.sendmsg = ping_sendmsg, .recvmsg = ping_recvmsg, .inq = inet_inq_whole,
};
