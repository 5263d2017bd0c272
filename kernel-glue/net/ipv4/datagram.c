/* What AF_INET datagram sockets (UDP, raw, ping) share beyond af_inet.c
 * (Linux's datagram.c, ip_sockglue.c's error queue, sock.c's buffer
 * accounting): receive queues charged against SO_RCVBUF, send buffers
 * charged against SO_SNDBUF, waiting for data, pending errors and the
 * IP_RECVERR queue, receive control messages, connect and disconnect,
 * and the route, size and TTL rules of a send. */
#include "inet_sock.h"

/* ---- memory ---- */

static void rfree(struct sk_buff *skb)
{
	struct inet_sock *sk = skb->owner;
	sk->rmem -= skb_truesize(skb);
	inet_sock_put(sk);
}

static void wfree(struct sk_buff *skb)
{
	struct inet_sock *sk = skb->owner;
	sk->wmem -= skb_truesize(skb);
	wake_up(&sk->wq);	/* writable again */
	inet_sock_put(sk);
}

static void charge(struct inet_sock *sk, struct sk_buff *skb, bool rcv)
{
	skb_orphan(skb);
	skb->owner = sk;
	skb->destructor = rcv ? rfree : wfree;
	if (rcv)
		sk->rmem += skb_truesize(skb);
	else
		sk->wmem += skb_truesize(skb);
	inet_sock_hold(sk);
}

bool inet_queue_rcv(struct inet_sock *sk, struct sk_buff *skb)
{
	if (!sk->sock || sk->rmem >= (size_t)sk->sock->rcvbuf) {
		sk->drops++;
		return false;
	}
	charge(sk, skb, true);
	skb_queue_tail(&sk->rq, skb);
	wake_up(&sk->wq);
	return true;
}

struct sk_buff *inet_alloc_send_skb(struct inet_sock *sk, const struct rtable *rt, size_t len, unsigned flags,
				    int *err)
{
	struct socket *s = sk->sock;
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, false);
	for (;;) {
		*err = inet_sock_error(sk);
		if (*err)
			return NULL;
		if (s->shutdown & SEND_SHUTDOWN) {
			*err = -EPIPE;
			return NULL;
		}
		if (sk->wmem < (size_t)s->sndbuf)
			break;
		if (!deadline) {
			*err = -EAGAIN;
			return NULL;
		}
		long r = wait_event_interruptible_deadline(sk->wq, sk->wmem < (size_t)s->sndbuf || s->err ||
							   (s->shutdown & SEND_SHUTDOWN), deadline);
		if (r) {
			*err = (int)sock_wait_error(s, r, false);
			return NULL;
		}
	}
	struct sk_buff *skb = alloc_skb(ll_reserved(rt->dev) + sizeof(struct iphdr), len);
	if (!skb) {
		*err = -ENOBUFS;
		return NULL;
	}
	charge(sk, skb, false);
	return skb;
}

/* ---- receiving ---- */

int inet_sock_error(struct inet_sock *sk)
{
	int e = sk->sock ? sk->sock->err : 0;
	if (e)
		sk->sock->err = 0;
	return -e;
}

struct sk_buff *inet_recv_datagram(struct inet_sock *sk, unsigned flags, int *err)
{
	struct socket *s = sk->sock;
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, true);
	for (;;) {
		*err = inet_sock_error(sk);
		if (*err)
			return NULL;
		struct sk_buff *skb = skb_peek(&sk->rq);
		if (skb) {
			if (!(flags & MSG_PEEK))
				skb_dequeue(&sk->rq);
			return skb;
		}
		if (s->shutdown & RCV_SHUTDOWN) {
			*err = 0;
			return NULL;
		}
		if (!deadline) {
			*err = -EAGAIN;
			return NULL;
		}
		long r = wait_event_interruptible_deadline(sk->wq, sk->rq.qlen || s->err || (s->shutdown & RCV_SHUTDOWN),
							   deadline);
		if (r) {
			*err = (int)sock_wait_error(s, r, true);
			return NULL;
		}
	}
}

void inet_put_name(struct kmsg *m, __be32 addr, uint16_t port)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = addr;
	memcpy(&m->name, &sin, sizeof(sin));
	m->namelen = sizeof(sin);
}

ssize_t inet_recv_whole(struct inet_sock *sk, struct kmsg *m, unsigned flags, bool trunc_full)
{
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	int err;
	struct sk_buff *skb = inet_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	bool peek = flags & MSG_PEEK;
	size_t n = MIN((size_t)skb->len, m->it.len), full = skb->len;
	if (n < full)
		m->flags |= MSG_TRUNC;
	if (miter_to(&m->it, 0, skb->data, n)) {
		if (!peek)
			kfree_skb(skb);
		return -EFAULT;
	}
	inet_put_name(m, ip_hdr(skb)->saddr, 0);
	m->tstamp = skb->tstamp;	/* SO_TIMESTAMP: the socket layer writes it */
	if (sk->cmsg_flags) {
		/* IP_ORIGDSTADDR reads a "port" where the transport header has one */
		uint8_t *th = skb_transport_header(skb);
		uint16_t port = skb->transport_off >= 0 && th + 4 <= skb_tail(skb) ? (uint16_t)(th[2] << 8 | th[3]) : 0;
		ip_cmsg_recv(sk, m, skb, port);
	}
	if (!peek)
		kfree_skb(skb);
	return (flags & MSG_TRUNC) && trunc_full ? (ssize_t)full : (ssize_t)n;
}

int inet_inq_whole(struct inet_sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->rq);
	return skb ? (int)skb->len : 0;
}

void ip_cmsg_recv(struct inet_sock *sk, struct kmsg *m, struct sk_buff *skb, uint16_t port)
{
	struct iphdr *iph = ip_hdr(skb);
	unsigned f = sk->cmsg_flags;
	if (f & IP_CMSG_PKTINFO) {
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = INET_CB(skb)->iif;
		pi.ipi_spec_dst.s_addr = INET_CB(skb)->spec_dst;
		pi.ipi_addr.s_addr = iph->daddr;
		put_kcmsg(m, SOL_IP, IP_PKTINFO, &pi, sizeof(pi));
	}
	if (f & IP_CMSG_TTL) {
		int ttl = iph->ttl;
		put_kcmsg(m, SOL_IP, IP_TTL, &ttl, sizeof(ttl));
	}
	if (f & IP_CMSG_TOS) {
		uint8_t tos = iph->tos;
		put_kcmsg(m, SOL_IP, IP_TOS, &tos, 1);
	}
	if ((f & IP_CMSG_RECVOPTS) && iph->ihl > 5)
		put_kcmsg(m, SOL_IP, IP_OPTIONS, iph + 1, iph->ihl * 4u - sizeof(*iph));
	if (f & IP_CMSG_ORIGDSTADDR) {
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = iph->daddr;
		sin.sin_port = htons(port);
		put_kcmsg(m, SOL_IP, IP_ORIGDSTADDR, &sin, sizeof(sin));
	}
	if ((f & IP_CMSG_RECVFRAGSIZE) && INET_CB(skb)->frag_max_size) {
		int v = INET_CB(skb)->frag_max_size;
		put_kcmsg(m, SOL_IP, IP_RECVFRAGSIZE, &v, sizeof(v));
	}
}

/* ---- errors ---- */

/* What an IP_RECVERR report keeps in skb->cb (after the inet_cb of the
 * packet that brought it). */
struct err_cb {
	struct inet_cb inet;
	struct sock_extended_err ee;
	__be32 addr;			/* where the datagram went */
	uint16_t port;			/* its destination port (0: none) */
};
_Static_assert(sizeof(struct err_cb) <= sizeof(((struct sk_buff *)0)->cb), "err_cb fits in skb->cb");
#define ERR_CB(skb) ((struct err_cb *)(skb)->cb)

void inet_report_error(struct inet_sock *sk, int err)
{
	if (!sk->sock)
		return;
	sk->sock->err = err;
	wake_up(&sk->wq);
}

static void queue_err(struct inet_sock *sk, struct sk_buff *skb)
{
	if (!sk->sock || sk->rmem + skb_truesize(skb) >= (size_t)sk->sock->rcvbuf) {
		kfree_skb(skb);
		return;
	}
	charge(sk, skb, true);
	skb_queue_tail(&sk->errq, skb);
	wake_up(&sk->wq);
}

void ip_icmp_error(struct inet_sock *sk, struct sk_buff *skb, int err, int type, int code, uint16_t port,
		   uint32_t info, const uint8_t *payload)
{
	if (payload < skb->data || payload > skb_tail(skb))
		return;
	size_t off = (size_t)(payload - skb->data);
	const struct iphdr *quoted = (const struct iphdr *)skb->data;
	struct sk_buff *c = skb_copy(skb);
	if (!c)
		return;
	struct err_cb *e = ERR_CB(c);
	memset(&e->ee, 0, sizeof(e->ee));
	e->ee.ee_errno = (uint32_t)err;
	e->ee.ee_origin = SO_EE_ORIGIN_ICMP;
	e->ee.ee_type = (uint8_t)type;
	e->ee.ee_code = (uint8_t)code;
	e->ee.ee_info = info;
	e->addr = quoted->daddr;
	e->port = port;
	skb_pull(c, off);
	queue_err(sk, c);
}

void ip_local_error(struct inet_sock *sk, int err, __be32 daddr, uint16_t port, uint32_t info)
{
	if (!sk->recverr)
		return;
	struct sk_buff *c = alloc_skb(0, sizeof(struct iphdr));
	if (!c)
		return;
	struct iphdr *iph = (struct iphdr *)skb_put(c, sizeof(struct iphdr));
	skb_reset_network_header(c);
	iph->daddr = daddr;
	struct err_cb *e = ERR_CB(c);
	e->ee.ee_errno = (uint32_t)err;
	e->ee.ee_origin = SO_EE_ORIGIN_LOCAL;
	e->ee.ee_info = info;
	e->addr = daddr;
	e->port = port;
	skb_pull(c, c->len);	/* no payload */
	queue_err(sk, c);
}

ssize_t ip_recv_error(struct inet_sock *sk, struct kmsg *m)
{
	struct sk_buff *skb = skb_dequeue(&sk->errq);
	if (!skb)
		return -EAGAIN;
	/* the next report's errno becomes SO_ERROR, as sock_dequeue_err_skb */
	struct sk_buff *next = skb_peek(&sk->errq);
	bool icmp = ERR_CB(skb)->ee.ee_origin == SO_EE_ORIGIN_ICMP;
	bool icmp_next = next && ERR_CB(next)->ee.ee_origin == SO_EE_ORIGIN_ICMP;
	if (icmp_next && sk->sock)
		sk->sock->err = (int)ERR_CB(next)->ee.ee_errno;
	else if (icmp && sk->sock)
		sk->sock->err = 0;
	size_t n = MIN((size_t)skb->len, m->it.len);
	if (n < skb->len)
		m->flags |= MSG_TRUNC;
	if (miter_to(&m->it, 0, skb->data, n)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	struct err_cb *e = ERR_CB(skb);
	if (e->port)
		inet_put_name(m, e->addr, e->port);
	struct {
		struct sock_extended_err ee;
		struct sockaddr_in offender;
	} eh;
	memset(&eh, 0, sizeof(eh));
	eh.ee = e->ee;
	m->tstamp = skb->tstamp;
	if (icmp) {
		eh.offender.sin_family = AF_INET;
		eh.offender.sin_addr.s_addr = ip_hdr(skb)->saddr;
		if (sk->cmsg_flags)
			ip_cmsg_recv(sk, m, skb, 0);
	}
	put_kcmsg(m, SOL_IP, IP_RECVERR, &eh, sizeof(eh));
	m->flags |= MSG_ERRQUEUE;
	kfree_skb(skb);
	if (next)
		wake_up(&sk->wq);
	return (ssize_t)n;
}

/* Linux's icmp_err_convert (errno, hard) for ICMP_DEST_UNREACH codes. */
static const struct { int err; bool hard; } unreach[] = {
	{ ENETUNREACH, false }, { EHOSTUNREACH, false }, { ENOPROTOOPT, true }, { ECONNREFUSED, true },
	{ EMSGSIZE, false }, { EOPNOTSUPP, false }, { ENETUNREACH, true }, { EHOSTDOWN, true },
	{ ENONET, true }, { ENETUNREACH, true }, { EHOSTUNREACH, true }, { ENETUNREACH, false },
	{ EHOSTUNREACH, false }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true },
};

int icmp_err_errno(int type, int code, bool *hard, uint8_t pmtudisc)
{
	*hard = false;
	switch (type) {
	case ICMP_SOURCE_QUENCH:
		return 0;
	case ICMP_PARAMETERPROB:
		*hard = true;
		return EPROTO;
	case ICMP_DEST_UNREACH:
		if (code == ICMP_FRAG_NEEDED) {
			*hard = pmtudisc != IP_PMTUDISC_DONT;
			return EMSGSIZE;
		}
		if (code <= NR_ICMP_UNREACH) {
			*hard = unreach[code].hard;
			return unreach[code].err;
		}
		return EHOSTUNREACH;
	case ICMP_TIME_EXCEEDED:
	default:
		return EHOSTUNREACH;
	}
}

/* ---- connecting ---- */

int ip4_datagram_connect(struct inet_sock *sk, const struct sockaddr_in *a, int len)
{
	if (len < (int)sizeof(*a))
		return -EINVAL;
	if (a->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	int oif = inet_sk_bound_dev(sk);
	__be32 saddr = sk->saddr;
	if (ipv4_is_multicast(a->sin_addr.s_addr)) {
		if (!oif)
			oif = sk->mc_index;
		if (!saddr)
			saddr = sk->mc_addr;
	}
	struct flowi4 fl = { .daddr = a->sin_addr.s_addr, .saddr = saddr, .oif = oif, .tos = sk->tos & 0x1e,
			     .proto = sk->protocol };
	struct rtable rt;
	int err = ip_route_output(&fl, &rt);
	if (err)
		return err;
	if ((rt.flags & RTCF_BROADCAST) && !(sk->sock->flags & SOCKF_BROADCAST))
		return -EACCES;
	if (!sk->saddr)
		sk->saddr = fl.saddr;
	if (!sk->rcv_saddr)
		sk->rcv_saddr = fl.saddr;
	sk->daddr = fl.daddr;
	sk->dport = ntohs(a->sin_port);
	sk->connected = true;
	get_random_bytes(&sk->inet_id, sizeof(sk->inet_id));
	return 0;
}

int inet_dgram_disconnect(struct inet_sock *sk)
{
	sk->connected = false;
	sk->daddr = 0;
	sk->dport = 0;
	if (sk->sock)
		sk->sock->bound_dev_if = 0;	/* as Linux's __udp_disconnect */
	if (!sk->addr_locked)
		sk->rcv_saddr = sk->saddr = 0;
	if (!sk->port_locked) {
		if (sk->hashed)
			sk->prot->unhash(sk);
		sk->sport = 0;
	}
	return 0;
}

/* ---- sending ---- */

int inet_send_dest(struct inet_sock *sk, const struct kmsg *m, unsigned flags, bool unspec_ok, __be32 *daddr,
		   uint16_t *dport)
{
	if (m->it.len > 0xFFFF)
		return -EMSGSIZE;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&m->name;
		if (m->namelen < (int)sizeof(*a))
			return -EINVAL;
		if (a->sin_family != AF_INET && !(unspec_ok && a->sin_family == AF_UNSPEC))
			return -EAFNOSUPPORT;
		*daddr = a->sin_addr.s_addr;
		*dport = ntohs(a->sin_port);
		return 0;
	}
	if (!sk->connected)
		return -EDESTADDRREQ;
	*daddr = sk->daddr;
	*dport = sk->dport;
	return 0;
}

static int route_send(struct inet_sock *sk, struct ipcm *ipc, __be32 daddr, unsigned msgflags, struct flowi4 *fl,
		      struct rtable *rt)
{
	__be32 saddr = ipc->addr;
	int oif = ipc->oif;
	if (ipv4_is_multicast(daddr)) {
		if (!oif)
			oif = sk->mc_index;
		if (!saddr)
			saddr = sk->mc_addr;
	}
	int tos = ipc->tos >= 0 ? ipc->tos : sk->tos;
	*fl = (struct flowi4){ .daddr = daddr, .saddr = saddr, .oif = oif, .tos = (uint8_t)(tos & 0x1e),
			       .scope = (msgflags & MSG_DONTROUTE) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
			       .proto = sk->protocol };
	int err = ip_route_output(fl, rt);
	if (err)
		return err;
	if ((rt->flags & RTCF_BROADCAST) && !(sk->sock->flags & SOCKF_BROADCAST))
		return -EACCES;
	return 0;
}

int inet_send_route(struct inet_sock *sk, const struct kmsg *m, unsigned flags, __be32 daddr, struct inet_send *snd)
{
	int err = ip_cmsg_send(sk, m, &snd->ipc);
	return err ? err : route_send(sk, &snd->ipc, daddr, flags, &snd->fl, &snd->rt);
}

int inet_send_prepare(struct inet_sock *sk, const struct kmsg *m, unsigned flags, bool unspec_ok,
		      struct inet_send *snd)
{
	__be32 daddr;
	uint16_t port;
	int err = inet_send_dest(sk, m, flags, unspec_ok, &daddr, &port);
	return err ? err : inet_send_route(sk, m, flags, daddr, snd);
}

/* DF and fragmentation policy of a send of total IP length len on rt
 * (Linux's __ip_append_data and __ip_make_skb). */
static int check_size(struct inet_sock *sk, size_t len, const struct rtable *rt, __be32 daddr, uint16_t dport,
		      bool *df, bool *ignore_df)
{
	unsigned mtu = ip_rt_mtu(rt);
	*ignore_df = sk->pmtudisc < IP_PMTUDISC_DO || sk->pmtudisc == IP_PMTUDISC_OMIT;
	size_t maxnonfrag = *ignore_df ? IP_MAX_MTU : mtu;
	if (len > maxnonfrag) {
		ip_local_error(sk, EMSGSIZE, daddr, dport, mtu);
		return -EMSGSIZE;
	}
	*df = sk->pmtudisc == IP_PMTUDISC_DO || sk->pmtudisc == IP_PMTUDISC_PROBE ||
	      (len <= mtu && sk->pmtudisc == IP_PMTUDISC_WANT && !rt->mtu_locked);
	return 0;
}

struct sk_buff *inet_send_alloc(struct inet_sock *sk, struct inet_send *snd, size_t len, uint16_t dport,
				unsigned flags, int *err)
{
	*err = check_size(sk, len + sizeof(struct iphdr), &snd->rt, snd->fl.daddr, dport, &snd->df, &snd->ignore_df);
	if (*err)
		return NULL;
	struct sk_buff *skb = inet_alloc_send_skb(sk, &snd->rt, len, flags, err);
	if (skb)
		skb_put(skb, len);
	return skb;
}

static uint8_t ttl_of(const struct inet_sock *sk, const struct ipcm *ipc, const struct rtable *rt)
{
	if (ipc->ttl)
		return (uint8_t)ipc->ttl;
	if (rt->type == RTN_MULTICAST)
		return (uint8_t)sk->mc_ttl;
	if (sk->uc_ttl > 0)
		return (uint8_t)sk->uc_ttl;
	if (rt->route && rt->route->metrics[RTAX_HOPLIMIT - 1])
		return (uint8_t)rt->route->metrics[RTAX_HOPLIMIT - 1];
	return ip_select_ttl(-1);
}

int inet_send_out(struct inet_sock *sk, struct inet_send *snd, struct sk_buff *skb)
{
	/* a connected socket numbers its datagrams; others get 0 when they
	 * may not be fragmented, else a fresh id (ip_select_ident) */
	int id = sk->connected && sk->daddr == snd->fl.daddr ? sk->inet_id++ : (snd->df && !snd->ignore_df ? 0 : -1);
	struct ip_build b = {
		.saddr = snd->fl.saddr, .daddr = snd->fl.daddr, .protocol = sk->protocol,
		.tos = (uint8_t)(snd->ipc.tos >= 0 ? snd->ipc.tos : sk->tos), .ttl = ttl_of(sk, &snd->ipc, &snd->rt),
		.df = snd->df, .id = id, .ignore_df = snd->ignore_df, .no_mc_loop = !sk->mc_loop,
	};
	return ip_build_and_send(skb, &b, &snd->rt);
}
