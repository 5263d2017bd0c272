/* Passive opens (Linux's tcp_conn_request, tcp_minisocks.c and
 * syncookies.c): a SYN to a listener makes a child socket in SYN_RECV
 * on the listener's SYN queue; its handshake's ACK moves it to the
 * accept queue. The listen backlog bounds both queues; when the SYN
 * queue is full, SYN cookies answer without keeping state, so a SYN
 * flood neither exhausts memory nor keeps real clients out. */
#include "tcp.h"

static uint32_t cookie_secret[2];

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	return h ^ (h >> 16);
}

/* An initial sequence number as RFC 6528 (Linux's secure_tcp_seq): a
 * keyed hash of the connection plus a clock ticking every 64 ns, so a
 * new incarnation of a 4-tuple starts above the old one's sequence
 * numbers (TIME_WAIT takes its SYN: tcp_tw_rcv) and an off-path host
 * cannot guess it. */
uint32_t tcp_secure_isn(__be32 saddr, __be32 daddr, uint16_t sport, uint16_t dport)
{
	static uint32_t secret[4];
	if (!secret[0])
		get_random_bytes(secret, sizeof(secret));
	uint32_t h = mix(secret[0], saddr);
	h = mix(h ^ secret[1], daddr);
	h = mix(h ^ secret[2], (uint32_t)sport << 16 | dport);
	h = mix(h, secret[3]);
	return h + (uint32_t)(ktime_mono_ns() >> 6);
}

/* Linux's MSS table for cookies (msstab). */
static const uint16_t msstab[] = { 536, 1300, 1440, 1460 };

static uint32_t cookie_hash(__be32 saddr, __be32 daddr, uint16_t sport, uint16_t dport, uint32_t count, int c)
{
	if (!cookie_secret[0])
		get_random_bytes(cookie_secret, sizeof(cookie_secret));
	uint32_t h = mix(cookie_secret[c], saddr);
	h = mix(h, daddr);
	h = mix(h, (uint32_t)sport << 16 | dport);
	return mix(h, count);
}

/* The cookie: hash of the flow and the minute, plus the MSS index (RFC 4987). */
static uint32_t cookie_for(struct sk_buff *skb, uint32_t count, int mssind)
{
	struct iphdr *iph = ip_hdr(skb);
	struct tcphdr *th = (struct tcphdr *)skb->data;
	uint32_t seq = TCP_SKB_CB(skb)->seq;
	uint32_t h1 = cookie_hash(iph->saddr, iph->daddr, th->source, th->dest, 0, 0);
	uint32_t h2 = cookie_hash(iph->saddr, iph->daddr, th->source, th->dest, count, 1);
	return h1 + seq + (count << 24) + ((h2 + (uint32_t)mssind) & 0xFFFFFF);
}

static uint32_t cookie_count(void) { return (uint32_t)(ktime_mono_ns() / 60000000000ll); }

uint32_t tcp_cookie_make(struct sk_buff *skb, uint16_t *mss)
{
	int ind = 0;
	for (int i = (int)ARRAY_SIZE(msstab) - 1; i >= 0; i--)
		if (*mss >= msstab[i]) {
			ind = i;
			break;
		}
	*mss = msstab[ind];
	return cookie_for(skb, cookie_count(), ind);
}

/* For the final ACK of a cookie handshake: skb's seq is the SYN's + 1. */
int tcp_cookie_check(struct sk_buff *skb, uint32_t cookie)
{
	struct iphdr *iph = ip_hdr(skb);
	struct tcphdr *th = (struct tcphdr *)skb->data;
	uint32_t seq = TCP_SKB_CB(skb)->seq - 1;
	uint32_t h1 = cookie_hash(iph->saddr, iph->daddr, th->source, th->dest, 0, 0);
	uint32_t c = cookie - h1 - seq;
	uint32_t count = cookie_count();
	uint32_t then = c >> 24;
	if (((count - then) & 0xFF) > 2)
		return 0;	/* older than two minutes */
	uint32_t full = count - ((count - then) & 0xFF);
	uint32_t h2 = cookie_hash(iph->saddr, iph->daddr, th->source, th->dest, full, 1);
	uint32_t ind = ((c & 0xFFFFFF) - h2) & 0xFFFFFF;
	return ind < ARRAY_SIZE(msstab) ? msstab[ind] : 0;
}

/* ---- children ---- */

struct tcp_sock *tcp_create_child(struct tcp_sock *lp, struct sk_buff *skb, const struct tcp_opts *o, uint32_t isn)
{
	struct iphdr *iph = ip_hdr(skb);
	struct tcphdr *th = (struct tcphdr *)skb->data;
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	struct tcp_sock *tp = tcp_alloc_sock();
	if (!tp)
		return NULL;
	struct inet_sock *sk = &tp->inet, *lsk = &lp->inet;
	struct socket *ls = tp_sock(lp);
	/* what a child inherits from its listener */
	sk->uc_ttl = lsk->uc_ttl;
	sk->tos = lsk->tos;
	sk->pmtudisc = lsk->pmtudisc;
	sk->recverr = lsk->recverr;
	sk->uid = lsk->uid;
	tp->nodelay = lp->nodelay;
	tp->corked = lp->corked;
	tp->keepidle = lp->keepidle;
	tp->keepintvl = lp->keepintvl;
	tp->keepcnt = lp->keepcnt;
	tp->syncnt = lp->syncnt;
	tp->linger2 = lp->linger2;
	tp->user_mss = lp->user_mss;
	tp->window_clamp = lp->window_clamp;
	tcp_cong_init(tp, lp->cong);
	tp->user_timeout_ms = lp->user_timeout_ms;
	tp->notsent_lowat = lp->notsent_lowat;
	tp->sndbuf_locked = tcp_buf_locked(lp, SOCK_SNDBUF_LOCK);
	tp->rcvbuf_locked = tcp_buf_locked(lp, SOCK_RCVBUF_LOCK);
	tp->sndbuf = tcp_sndbuf(lp);
	tp->rcvbuf = tcp_rcvbuf(lp);
	tp->parent_flags = ls ? ls->flags : 0;
	sk->rcv_saddr = sk->saddr = iph->daddr;
	sk->daddr = iph->saddr;
	sk->dport = ntohs(th->source);
	get_random_bytes(&sk->inet_id, sizeof(sk->inet_id));
	tcp_bind_hash_child(tp, lsk->num);
	/* the handshake so far */
	tp->irs = cb->seq;
	tp->rcv_nxt = tp->copied_seq = tp->rcv_wup = cb->seq + 1;
	tp->iss = isn;
	tp->snd_una = tp->snd_nxt = tp->write_seq = isn;
	tp->wscale_ok = sysctl_tcp_window_scaling && o->wscale >= 0;
	tp->snd_wscale = tp->wscale_ok ? (uint8_t)o->wscale : 0;
	tp->sack_ok = sysctl_tcp_sack && o->sack_ok;
	tp->tstamp_ok = sysctl_tcp_timestamps && o->saw_tstamp;
	if (tp->tstamp_ok) {
		tp->ts_recent = o->tsval;
		tp->ts_recent_stamp = ktime_mono_ns();
	}
	tp->rx_mss = o->mss ? o->mss : TCP_MSS_DEFAULT;
	tp->snd_wnd = ntohs(th->window);
	tp->snd_wl1 = cb->seq;
	struct rtable rt;
	if (tcp_route(tp, &rt)) {
		tcp_unhash(sk);
		tcp_drop_ref(tp);
		return NULL;
	}
	unsigned mtu = ip_rt_mtu(&rt);
	tp->advmss = (uint16_t)(MIN(mtu, (unsigned)IP_MAX_MTU) - 40);
	if (tp->user_mss && tp->advmss > tp->user_mss)
		tp->advmss = tp->user_mss;
	tcp_set_state(tp, TCP_SYN_RECV);
	tcp_sync_mss(tp, mtu);
	tcp_select_initial_window(tp);
	tcp_ehash_add(tp);
	tp->parent = lp;
	inet_sock_hold(lsk);	/* the child's hold on its listener */
	return tp;
}

void tcp_child_established(struct tcp_sock *tp)
{
	struct tcp_sock *lp = tp->parent;
	list_del(&tp->child_node);
	lp->synq_len--;
	tp->synq_member = false;
	list_add_tail(&tp->child_node, &lp->acceptq);
	lp->acceptq_len++;
	TCP_INC_STATS(TCP_MIB_PASSIVEOPENS);
	tcp_wake(lp);
}

/* A segment for a listener. */
void tcp_rcv_listen(struct tcp_sock *lp, struct sk_buff *skb)
{
	struct tcphdr *th = (struct tcphdr *)skb->data;
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	if (th->rst)
		goto drop;
	if (th->ack) {
		if (!th->syn && sysctl_tcp_syncookies) {
			/* the third packet of a cookie handshake? */
			int mss = tcp_cookie_check(skb, cb->ack_seq - 1);
			if (!mss) {
				TCPEXT_INC(LINUX_MIB_SYNCOOKIESFAILED);
			} else if (lp->acceptq_len > lp->backlog) {
				TCPEXT_INC(LINUX_MIB_LISTENOVERFLOWS);
				goto drop;
			} else {
				TCPEXT_INC(LINUX_MIB_SYNCOOKIESRECV);
				struct tcp_opts o;
				memset(&o, 0, sizeof(o));
				o.wscale = -1;
				o.mss = (uint16_t)mss;
				cb->seq--;	/* as the SYN was */
				struct tcp_sock *c = tcp_create_child(lp, skb, &o, cb->ack_seq - 1);
				cb->seq++;
				if (!c)
					goto drop;
				c->cookie = true;
				c->snd_una = cb->ack_seq - 1;
				c->snd_nxt = c->write_seq = cb->ack_seq;
				list_add_tail(&c->child_node, &lp->synq);
				lp->synq_len++;
				c->synq_member = true;
				inet_sock_hold(&c->inet);
				tcp_rcv_segment(c, skb);
				tcp_drop_ref(c);
				return;
			}
		}
		tcp_send_reset_reply(skb);
		goto drop;
	}
	if (!th->syn || th->fin)
		goto drop;
	if (lp->acceptq_len > lp->backlog) {
		TCPEXT_INC(LINUX_MIB_LISTENOVERFLOWS);
		TCPEXT_INC(LINUX_MIB_LISTENDROPS);
		goto drop;
	}
	struct tcp_opts o;
	tcp_parse_options(th, &o);
	int max_syn = MAX(lp->backlog, 1);
	if (lp->synq_len >= max_syn || lp->synq_len >= sysctl_tcp_max_syn_backlog) {
		if (!sysctl_tcp_syncookies) {
			TCPEXT_INC(LINUX_MIB_LISTENDROPS);
			goto drop;
		}
		printk_once_key("tcp-syncookies", KERN_INFO "TCP: possible SYN flooding on port %u. Sending cookies.\n",
				lp->inet.num);
		uint16_t mss = o.mss ? o.mss : TCP_MSS_DEFAULT;
		uint32_t isn = tcp_cookie_make(skb, &mss);
		TCPEXT_INC(LINUX_MIB_SYNCOOKIESSENT);
		tcp_send_synack_cookie(skb, isn, mss);
		goto drop;
	}
	const struct iphdr *iph = ip_hdr(skb);
	uint32_t isn = tcp_secure_isn(iph->daddr, iph->saddr, ntohs(th->dest), ntohs(th->source));
	struct tcp_sock *c = tcp_create_child(lp, skb, &o, isn);
	if (!c)
		goto drop;
	list_add_tail(&c->child_node, &lp->synq);
	lp->synq_len++;
	c->synq_member = true;
	tcp_send_synack(c);
drop:
	kfree_skb(skb);
}

/* The listener closes: children waiting on it are reset (inet_csk_listen_stop). */
void tcp_listen_stop(struct tcp_sock *lp)
{
	while (!list_empty(&lp->synq)) {
		struct tcp_sock *c = list_first_entry(&lp->synq, struct tcp_sock, child_node);
		tcp_done(c);	/* unlinks it */
	}
	while (!list_empty(&lp->acceptq)) {
		struct tcp_sock *c = list_first_entry(&lp->acceptq, struct tcp_sock, child_node);
		inet_sock_hold(&c->inet);
		if (c->state != TCP_CLOSE) {
			TCPEXT_INC(LINUX_MIB_TCPABORTONCLOSE);
			tcp_send_active_reset(c);
			tcp_done(c);
		}
		tcp_unlink_child(c);
		tcp_drop_ref(c);
	}
}
