/* TCP over IPv4 (Linux's tcp_ipv4.c and inet_hashtables.c): the tables
 * of sockets (by port for bind and listen, by 4-tuple for connections),
 * port choice for bind and connect with Linux's sharing rules, the
 * receive entry that finds a segment's socket (or answers with a reset),
 * and ICMP errors about what we sent. */
#include "tcp.h"

LIST_HEAD(tcp_bind_table);	/* sockets with a port, newest first */

#define EHASH_SIZE 1024
static struct list_head ehash[EHASH_SIZE];

static unsigned ehashfn(__be32 laddr, uint16_t lport, __be32 faddr, uint16_t fport)
{
	uint32_t h = ntohl(laddr) * 2654435761u ^ ntohl(faddr) * 40503u ^ ((uint32_t)lport << 16 | fport) * 2246822519u;
	return (h ^ (h >> 15)) & (EHASH_SIZE - 1);
}

static int tcp_hash_init(void)
{
	for (int i = 0; i < EHASH_SIZE; i++)
		INIT_LIST_HEAD(&ehash[i]);
	return 0;
}
core_initcall(tcp_hash_init);

void tcp_ehash_add(struct tcp_sock *tp)
{
	if (tp->in_ehash)
		return;
	struct inet_sock *sk = &tp->inet;
	list_add(&tp->ehash_node, &ehash[ehashfn(sk->rcv_saddr, sk->num, sk->daddr, sk->dport)]);
	tp->in_ehash = true;
}

void tcp_ehash_del(struct tcp_sock *tp)
{
	if (!tp->in_ehash)
		return;
	list_del(&tp->ehash_node);
	INIT_LIST_HEAD(&tp->ehash_node);
	tp->in_ehash = false;
}

struct tcp_sock *tcp_lookup_established(__be32 saddr, uint16_t sport, __be32 daddr, uint16_t dport)
{
	struct tcp_sock *tp;
	list_for_each_entry(tp, &ehash[ehashfn(daddr, dport, saddr, sport)], ehash_node) {
		struct inet_sock *sk = &tp->inet;
		if (sk->daddr == saddr && sk->dport == sport && sk->num == dport && sk->rcv_saddr == daddr)
			return tp;
	}
	return NULL;
}

/* The listener for a SYN to daddr:dport: an exactly bound one before a
 * wildcard one; a device-bound one only for its device; a SO_REUSEPORT
 * group spreads flows by hash. */
struct tcp_sock *tcp_lookup_listener(__be32 saddr, uint16_t sport, __be32 daddr, uint16_t dport, int dif)
{
	struct inet_sock *sk;
	struct tcp_sock *best = NULL;
	int best_score = -1, group = 0;
	struct tcp_sock *members[64];
	list_for_each_entry(sk, &tcp_bind_table, node) {
		struct tcp_sock *tp = tcp_sk(sk);
		if (tp->state != TCP_LISTEN || sk->num != dport)
			continue;
		if (sk->rcv_saddr && sk->rcv_saddr != daddr)
			continue;
		int bound = inet_sk_bound_dev(sk);
		if (bound && bound != dif)
			continue;
		int score = (sk->rcv_saddr ? 4 : 2) + (bound ? 1 : 0);
		if (score > best_score) {
			best = tp;
			best_score = score;
			group = 0;
		}
		if (score == best_score && group < (int)ARRAY_SIZE(members))
			members[group++] = tp;
	}
	if (best && group > 1 && sk_reuseport(&best->inet)) {
		uint32_t h = ntohl(saddr) * 2654435761u ^ sport * 40503u;
		/* members are newest first; pick in bind order */
		return members[group - 1 - (int)(h % (unsigned)group)];
	}
	return best;
}

/* ---- ports ---- */

static bool flag(const struct inet_sock *sk, unsigned f) { return sk->sock && (sk->sock->flags & f); }
bool sk_reuseport(const struct inet_sock *sk) { return flag(sk, SOCKF_REUSEPORT); }

/* Would sk bound to port num conflict with o (inet_bind_conflict)? */
static bool bind_conflict(struct inet_sock *sk, struct inet_sock *o)
{
	struct tcp_sock *ot = tcp_sk(o);
	int dev = inet_sk_bound_dev(sk), odev = inet_sk_bound_dev(o);
	if (dev && odev && dev != odev)
		return false;
	if (sk->rcv_saddr && o->rcv_saddr && sk->rcv_saddr != o->rcv_saddr)
		return false;
	/* SO_REUSEADDR on both: only a listener blocks */
	if (flag(sk, SOCKF_REUSEADDR) && (flag(o, SOCKF_REUSEADDR) || ot->orphan) && ot->state != TCP_LISTEN)
		return false;
	/* TIME_WAIT sockets do not block SO_REUSEADDR binds */
	if (flag(sk, SOCKF_REUSEADDR) && ot->state == TCP_TIME_WAIT)
		return false;
	if (flag(sk, SOCKF_REUSEPORT) && flag(o, SOCKF_REUSEPORT) && sk->uid == o->uid)
		return false;
	if (flag(sk, SOCKF_REUSEPORT) && ot->orphan && ot->state == TCP_TIME_WAIT)
		return false;
	return true;
}

static bool port_taken(struct inet_sock *sk, uint16_t num)
{
	struct inet_sock *o;
	list_for_each_entry(o, &tcp_bind_table, node)
		if (o != sk && o->num == num && bind_conflict(sk, o))
			return true;
	return false;
}

static void hash_port(struct inet_sock *sk, uint16_t num)
{
	sk->num = sk->sport = num;
	list_add(&sk->node, &tcp_bind_table);
	sk->hashed = true;
}

void tcp_bind_hash_child(struct tcp_sock *child, uint16_t num)
{
	hash_port(&child->inet, num);
}

static int tcp_get_port(struct inet_sock *sk, uint16_t snum)
{
	if (!snum) {
		int lo = sysctl_ip_local_port_range[0], hi = sysctl_ip_local_port_range[1];
		unsigned n = (unsigned)(hi - lo + 1), start;
		get_random_bytes(&start, sizeof(start));
		/* bind(0) looks for a port nobody uses (Linux prefers odd ... we take any) */
		for (unsigned i = 0; i < n; i++) {
			uint16_t cand = (uint16_t)(lo + (start + i) % n);
			bool used = false;
			struct inet_sock *o;
			list_for_each_entry(o, &tcp_bind_table, node)
				if (o->num == cand) {
					used = true;
					break;
				}
			if (!used) {
				hash_port(sk, cand);
				return 0;
			}
		}
		return -EADDRINUSE;
	}
	if (port_taken(sk, snum))
		return -EADDRINUSE;
	hash_port(sk, snum);
	return 0;
}

void tcp_unhash(struct inet_sock *sk)
{
	if (sk->hashed) {
		list_del(&sk->node);
		INIT_LIST_HEAD(&sk->node);
		sk->hashed = false;
	}
	tcp_ehash_del(tcp_sk(sk));
}

/* connect's port: an unbound socket takes an ephemeral port whose
 * 4-tuple is free, sharing the port with other connections made by
 * connect (Linux's __inet_hash_connect); a TIME_WAIT holder of the same
 * 4-tuple is reused on loopback (tcp_tw_reuse 2). */
int tcp_connect_port(struct tcp_sock *tp, __be32 saddr, __be32 daddr, uint16_t dport)
{
	struct inet_sock *sk = &tp->inet;
	if (sk->num) {
		struct tcp_sock *o = tcp_lookup_established(daddr, dport, saddr, sk->num);
		if (o && o != tp) {
			if (o->state == TCP_TIME_WAIT && ipv4_is_loopback(daddr) && sysctl_tcp_tw_reuse) {
				tcp_done(o);
				return 0;
			}
			return -EADDRNOTAVAIL;
		}
		return 0;
	}
	int lo = sysctl_ip_local_port_range[0], hi = sysctl_ip_local_port_range[1];
	unsigned n = (unsigned)(hi - lo + 1), start;
	get_random_bytes(&start, sizeof(start));
	start &= ~1u;	/* connect prefers even ports, bind odd ones (as Linux) */
	struct tcp_sock *tw_victim = NULL;
	uint16_t tw_port = 0;
	for (unsigned i = 0; i < n; i++) {
		uint16_t cand = (uint16_t)(lo + (start + i) % n);
		bool ok = true;
		struct inet_sock *o;
		list_for_each_entry(o, &tcp_bind_table, node) {
			if (o->num != cand)
				continue;
			if (!tcp_sk(o)->bound_by_connect) {
				ok = false;
				break;
			}
		}
		if (!ok)
			continue;
		struct tcp_sock *e = tcp_lookup_established(daddr, dport, saddr, cand);
		if (e) {
			if (!tw_victim && e->state == TCP_TIME_WAIT && ipv4_is_loopback(daddr) && sysctl_tcp_tw_reuse) {
				tw_victim = e;
				tw_port = cand;
			}
			continue;
		}
		hash_port(sk, cand);
		tp->bound_by_connect = true;
		return 0;
	}
	if (tw_victim) {
		tcp_done(tw_victim);
		hash_port(sk, tw_port);
		tp->bound_by_connect = true;
		return 0;
	}
	return -EADDRNOTAVAIL;
}

/* ---- receiving ---- */

/* A segment's checks and its socket (tcp_v4_rcv). */
static void tcp_v4_rcv(struct sk_buff *skb)
{
	struct iphdr *iph = ip_hdr(skb);
	TCP_INC_STATS(TCP_MIB_INSEGS);
	if (INET_CB(skb)->rt_type != RTN_LOCAL)
		goto drop;	/* no TCP to broadcasts or multicasts */
	if (skb->len < sizeof(struct tcphdr))
		goto bad;
	struct tcphdr *th = (struct tcphdr *)skb->data;
	unsigned doff = th->doff * 4u;
	if (doff < sizeof(*th) || doff > skb->len)
		goto bad;
	/* lo does not corrupt what it carries: Linux does not check there either */
	if (!(skb->dev && (skb->dev->flags & IFF_LOOPBACK)) && tcp_v4_check(th, skb->len, iph->saddr, iph->daddr)) {
		TCP_INC_STATS(TCP_MIB_CSUMERRORS);
		goto bad;
	}
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + th->syn + th->fin + (skb->len - doff);
	cb->ack_seq = ntohl(th->ack_seq);
	cb->flags = ((uint8_t *)th)[13];
	cb->sacked = 0;
	cb->when = 0;
	uint16_t sport = ntohs(th->source), dport = ntohs(th->dest);
	struct tcp_sock *tp = tcp_lookup_established(iph->saddr, sport, iph->daddr, dport);
	if (!tp)
		tp = tcp_lookup_listener(iph->saddr, sport, iph->daddr, dport, INET_CB(skb)->iif);
	if (!tp) {
		tcp_send_reset_reply(skb);
		goto drop;
	}
	skb_orphan(skb);
	inet_sock_hold(&tp->inet);
	if (tp->state == TCP_TIME_WAIT) {
		if (!tcp_tw_rcv(tp, skb)) {	/* taken */
			tcp_drop_ref(tp);
			return;
		}
		/* a new connection reuses the 4-tuple */
		tcp_drop_ref(tp);
		tp = tcp_lookup_listener(iph->saddr, sport, iph->daddr, dport, INET_CB(skb)->iif);
		if (!tp) {
			tcp_send_reset_reply(skb);
			goto drop;
		}
		inet_sock_hold(&tp->inet);
	}
	if (tp->state == TCP_LISTEN)
		tcp_rcv_listen(tp, skb);
	else
		tcp_rcv_segment(tp, skb);
	tcp_drop_ref(tp);
	return;
bad:
	TCP_INC_STATS(TCP_MIB_INERRS);
drop:
	kfree_skb(skb);
}

/* An ICMP error about a segment we sent (tcp_v4_err): unreachable
 * during connect ends it; later errors are soft (kept for when the
 * connection times out); fragmentation needed lowers the MSS. */
static void tcp_v4_err(struct sk_buff *skb, int type, int code, uint32_t info)
{
	struct iphdr *iph = (struct iphdr *)skb->data;
	struct tcphdr *th = (struct tcphdr *)(skb->data + iph->ihl * 4u);
	struct tcp_sock *tp = tcp_lookup_established(iph->daddr, ntohs(th->dest), iph->saddr, ntohs(th->source));
	if (!tp || tp->state == TCP_TIME_WAIT) {
		ICMP_INC_STATS(ICMP_MIB_INERRORS);
		return;
	}
	uint32_t seq = ntohl(th->seq);
	if (tp->state != TCP_LISTEN && !between(seq, tp->snd_una, tp->snd_nxt))
		return;	/* not about anything in flight */
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
		if (tp->inet.pmtudisc != IP_PMTUDISC_DONT && info >= IPV4_MIN_MTU) {
			tcp_sync_mss(tp, info);
			tcp_xmit_retransmit_queue(tp);
		}
		return;
	}
	bool hard;
	int err = icmp_err_errno(type, code, &hard, tp->inet.pmtudisc);
	if (!err || type == ICMP_REDIRECT)
		return;
	if (tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV) {
		if (tp->state == TCP_SYN_SENT && tp_sock(tp)) {
			tcp_set_error(tp, err);
			tcp_done(tp);
		}
		return;
	}
	if (tp->inet.recverr && tp_sock(tp))
		tcp_set_error(tp, err);
	else
		tp->err_soft = err;	/* soft: reported if the connection times out */
}

static const struct net_protocol tcp_protocol = { IPPROTO_TCP, tcp_v4_rcv, tcp_v4_err };
DEFINE_INET_PROTOCOL(tcp_protocol);

extern ssize_t tcp_sendmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags);
extern ssize_t tcp_recvmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags);
extern int tcp_inq(struct inet_sock *sk);
extern int tcp_setsockopt(struct inet_sock *sk, int level, int name, uaddr_t val, int len);
extern int tcp_getsockopt(struct inet_sock *sk, int level, int name, uaddr_t val, uaddr_t ulen);

const struct inet_proto tcp_proto = {
	.name = "TCP", .get_port = tcp_get_port, .unhash = tcp_unhash, .sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg, .inq = tcp_inq, .setsockopt = tcp_setsockopt, .getsockopt = tcp_getsockopt,
};
