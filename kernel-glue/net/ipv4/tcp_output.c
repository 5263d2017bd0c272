/* TCP output (Linux's tcp_output.c): segments from the write queue as
 * the peer's window, the congestion window and Nagle/cork allow, their
 * options (MSS, window scale, SACK, timestamps), the windows we
 * announce, pure ACKs, resets, and retransmissions.
 *
 * The write queue keeps one buffer per segment (payload only); sending
 * copies it into a fresh buffer with the headers, so the queued copy
 * stays for retransmission. Everything a send changes in the socket is
 * changed before the segment goes out: on lo the peer's answer may be
 * processed before the output call returns. */
#include "tcp.h"

#define MAX_TCP_HEADER 60
#define TCPOLEN_TS_ALIGNED 12

uint16_t tcp_v4_check(const void *th, size_t len, __be32 saddr, __be32 daddr)
{
	return csum_fold(csum_tcpudp_nofold(saddr, daddr, (uint32_t)len, IPPROTO_TCP, csum_partial(th, len, 0)));
}

int tcp_route(struct tcp_sock *tp, struct rtable *rt)
{
	struct inet_sock *sk = &tp->inet;
	struct flowi4 fl = { .daddr = sk->daddr, .saddr = sk->saddr, .oif = inet_sk_bound_dev(sk),
			     .tos = sk->tos & 0x1e, .proto = IPPROTO_TCP };
	return ip_route_output(&fl, rt);
}

static uint8_t tcp_ttl(const struct tcp_sock *tp, const struct rtable *rt)
{
	if (tp->inet.uc_ttl > 0)
		return (uint8_t)tp->inet.uc_ttl;
	if (rt->route && rt->route->metrics[RTAX_HOPLIMIT - 1])
		return (uint8_t)rt->route->metrics[RTAX_HOPLIMIT - 1];
	return ip_select_ttl(-1);
}

/* ---- windows ---- */

uint32_t tcp_receive_window(const struct tcp_sock *tp)
{
	int32_t w = (int32_t)(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt);
	return w < 0 ? 0 : (uint32_t)w;
}

/* Free receive space as a window: half the free buffer (Linux's
 * tcp_adv_win_scale 1: the rest is bookkeeping). */
static uint32_t tcp_space(const struct tcp_sock *tp)
{
	long free = (long)tcp_rcvbuf(tp) - (long)tp->inet.rmem;
	if (free <= 0)
		return 0;
	uint32_t w = (uint32_t)(free / 2);
	if (tp->window_clamp && w > (uint32_t)tp->window_clamp)
		w = (uint32_t)tp->window_clamp;
	return w;
}

/* The window of the next segment (tcp_select_window): never shrinking
 * the right edge we announced, rounded to the scale, scaled down. */
uint32_t tcp_select_window(struct tcp_sock *tp)
{
	uint32_t cur = tcp_receive_window(tp);
	uint32_t win = tcp_space(tp);
	uint32_t mss = tp->rcv_mss ? tp->rcv_mss : tp->advmss;
	if (win < cur) {
		win = cur;	/* never shrink */
	} else if (win < mss && win < tcp_rcvbuf(tp) / 4u) {
		win = cur;	/* silly window avoidance: wait for a useful size */
	}
	uint32_t maxw = 65535u << tp->rcv_wscale;
	if (win > maxw)
		win = maxw;
	/* keep the announced edge exact after scaling */
	win = (win + (1u << tp->rcv_wscale) - 1) >> tp->rcv_wscale << tp->rcv_wscale;
	if (win > maxw)
		win = maxw;
	tp->rcv_wnd = win;
	tp->rcv_wup = tp->rcv_nxt;
	return win >> tp->rcv_wscale;
}

void tcp_select_initial_window(struct tcp_sock *tp)
{
	int space = tcp_rcvbuf(tp);
	tp->rcv_wscale = 0;
	if (tp->wscale_ok) {
		/* scale for the largest buffer the socket may grow to */
		int maxspace = MAX(space, tcp_buf_locked(tp, SOCK_RCVBUF_LOCK) ? space : sysctl_tcp_rmem[2]);
		while (maxspace > 65535 && tp->rcv_wscale < TCP_MAX_WSCALE) {
			maxspace >>= 1;
			tp->rcv_wscale++;
		}
	}
	/* whole segments of what the peer will send, at most 64 KiB
	 * (Linux's tcp_select_initial_window) */
	uint32_t w = tcp_space(tp);
	uint32_t mss = tp->advmss - (tp->tstamp_ok && tp->state == TCP_SYN_RECV ? TCPOLEN_TS_ALIGNED : 0);
	if (mss && w > mss)
		w = w / mss * mss;
	if (w > 65535)
		w = 65535;
	tp->rcv_wnd = w;
	tp->rcv_ssthresh = w;
}

/* ---- MSS ---- */

void tcp_sync_mss(struct tcp_sock *tp, unsigned pmtu)
{
	if (pmtu < IPV4_MIN_MTU)
		pmtu = IPV4_MIN_MTU;
	if (pmtu > IP_MAX_MTU)
		pmtu = IP_MAX_MTU;	/* lo's 65536: a datagram is at most 65535 */
	uint32_t full = pmtu - sizeof(struct iphdr);
	uint32_t mss = full - sizeof(struct tcphdr);
	uint32_t peer = tp->rx_mss ? tp->rx_mss : TCP_MSS_DEFAULT;
	if (tp->state != TCP_SYN_SENT && tp->state != TCP_LISTEN && tp->state != TCP_CLOSE && mss > peer)
		mss = peer;
	if (tp->user_mss && mss > tp->user_mss)
		mss = tp->user_mss;
	if (tp->tstamp_ok)
		mss -= TCPOLEN_TS_ALIGNED;
	/* never more than half the largest window the peer offered
	 * (tcp_bound_to_half_wnd) */
	if (tp->max_window) {
		uint32_t cutoff = tp->max_window > TCP_MSS_DEFAULT ? tp->max_window / 2 : tp->max_window;
		if (mss > cutoff)
			mss = MAX(cutoff, 68u - sizeof(struct tcphdr) - (tp->tstamp_ok ? TCPOLEN_TS_ALIGNED : 0));
	}
	if (mss < 48)
		mss = 48;	/* Linux's floor (tcp_min_snd_mss) */
	tp->mss_full = full;
	tp->mss_cache = mss;
}

uint32_t tcp_current_mss(struct tcp_sock *tp)
{
	return tp->mss_cache ? tp->mss_cache : TCP_MSS_DEFAULT;
}

/* ---- building segments ---- */

/* Options of a SYN or SYN-ACK in Linux's order: MSS, SACK permitted +
 * timestamps, NOP + window scale. */
static size_t syn_options(struct tcp_sock *tp, uint8_t *o)
{
	size_t n = 0;
	o[n++] = TCPOPT_MSS;
	o[n++] = 4;
	o[n++] = (uint8_t)(tp->advmss >> 8);
	o[n++] = (uint8_t)tp->advmss;
	if (tp->tstamp_ok) {
		if (tp->sack_ok) {
			o[n++] = TCPOPT_SACK_PERM;
			o[n++] = 2;
		} else {
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_NOP;
		}
		o[n++] = TCPOPT_TIMESTAMP;
		o[n++] = 10;
		uint32_t v = htonl(tcp_ts_now(tp)), e = htonl(tp->ts_recent);
		memcpy(o + n, &v, 4);
		memcpy(o + n + 4, &e, 4);
		n += 8;
	} else if (tp->sack_ok) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_SACK_PERM;
		o[n++] = 2;
	}
	if (tp->wscale_ok) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_WINDOW;
		o[n++] = 3;
		o[n++] = tp->rcv_wscale;
	}
	return n;
}

/* Options of other segments: timestamps, and SACK blocks as room allows. */
static size_t est_options(struct tcp_sock *tp, uint8_t *o, size_t room)
{
	size_t n = 0;
	if (tp->tstamp_ok) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_TIMESTAMP;
		o[n++] = 10;
		uint32_t v = htonl(tcp_ts_now(tp)), e = htonl(tp->ts_recent);
		memcpy(o + n, &v, 4);
		memcpy(o + n + 4, &e, 4);
		n += 8;
	}
	if (tp->sack_ok && (tp->num_sacks || tp->dsack_pending) && room >= n + 12) {
		struct sack_block b[TCP_MAX_OOO_BLOCKS + 1];
		int nb = 0;
		if (tp->dsack_pending)
			b[nb++] = tp->dsack;
		for (int i = 0; i < tp->num_sacks && nb < TCP_MAX_OOO_BLOCKS; i++)
			b[nb++] = tp->sacks[i];
		int fit = (int)((room - n - 4) / 8);
		if (nb > fit)
			nb = fit;
		if (nb > 0) {
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_SACK;
			o[n++] = (uint8_t)(2 + 8 * nb);
			for (int i = 0; i < nb; i++) {
				uint32_t s = htonl(b[i].start), e = htonl(b[i].end);
				memcpy(o + n, &s, 4);
				memcpy(o + n + 4, &e, 4);
				n += 8;
			}
			tp->dsack_pending = false;
		}
	}
	return n;
}

/* Build and send one segment of len bytes at data (NULL: none). 0 or
 * -errno (-ENOBUFS: not sent). */
static int tcp_transmit(struct tcp_sock *tp, struct rtable *rt, uint32_t seq, uint8_t flags, const void *data,
			size_t len)
{
	struct inet_sock *sk = &tp->inet;
	uint8_t opts[40];
	size_t olen;
	if (flags & TCPHDR_SYN) {
		olen = syn_options(tp, opts);
	} else {
		size_t room = 40;
		if (tp->mss_full && tp->mss_full > len + sizeof(struct tcphdr) &&
		    tp->mss_full - len - sizeof(struct tcphdr) < room)
			room = tp->mss_full - len - sizeof(struct tcphdr);
		olen = est_options(tp, opts, room);
	}
	size_t hlen = sizeof(struct tcphdr) + olen;
	struct sk_buff *skb = alloc_skb(ll_reserved(rt->dev) + sizeof(struct iphdr), hlen + len);
	if (!skb)
		return -ENOBUFS;
	struct tcphdr *th = (struct tcphdr *)skb_put(skb, hlen + len);
	memset(th, 0, sizeof(*th));
	th->source = htons(sk->num);
	th->dest = htons(sk->dport);
	th->seq = htonl(seq);
	th->doff = (uint16_t)(hlen / 4);
	if (!(flags & TCPHDR_SYN) || (flags & TCPHDR_ACK))
		flags |= TCPHDR_ACK;
	((uint8_t *)th)[13] = flags;
	if (flags & TCPHDR_ACK)
		th->ack_seq = htonl(tp->rcv_nxt);
	uint32_t win = (flags & TCPHDR_SYN) ? MIN(tp->rcv_wnd, 65535u) : tcp_select_window(tp);
	th->window = htons((uint16_t)MIN(win, 65535u));
	memcpy(th + 1, opts, olen);
	if (len)
		memcpy((uint8_t *)th + hlen, data, len);
	th->check = tcp_v4_check(th, hlen + len, sk->saddr, sk->daddr);
	if (flags & TCPHDR_ACK) {
		tp->ack_pending = false;
		tp->rcv_since_ack = 0;
		if (tp->delack_timer.armed)
			ktimer_cancel(&tp->delack_timer);
		if (tp->quickack > 0 && len == 0)
			tp->quickack--;
	}
	tp->segs_out++;
	if (len) {
		tp->data_segs_out++;
		tp->lsndtime = ktime_mono_ns();
	}
	TCP_INC_STATS(TCP_MIB_OUTSEGS);
	if (flags & TCPHDR_RST)
		TCP_INC_STATS(TCP_MIB_OUTRSTS);
	struct ip_build b = {
		.saddr = sk->saddr, .daddr = sk->daddr, .protocol = IPPROTO_TCP, .tos = sk->tos,
		.ttl = tcp_ttl(tp, rt), .df = sk->pmtudisc != IP_PMTUDISC_DONT, .id = sk->inet_id++,
	};
	inet_sock_hold(sk);	/* the peer's answer on lo may end us */
	int err = ip_build_and_send(skb, &b, rt);
	tcp_drop_ref(tp);
	return err;
}

/* ---- the write queue ---- */

/* Split skb so that it holds len bytes; the rest goes into a new buffer
 * after it (tcp_fragment). */
static int split_skb(struct tcp_sock *tp, struct sk_buff *skb, uint32_t len)
{
	uint32_t rest = skb->len - len;
	struct sk_buff *n = alloc_skb(0, rest);
	if (!n)
		return -ENOBUFS;
	memcpy(skb_put(n, rest), skb->data + len, rest);
	struct tcp_cb *cb = TCP_SKB_CB(skb), *ncb = TCP_SKB_CB(n);
	*ncb = *cb;
	ncb->seq = cb->seq + len;
	cb->end_seq = ncb->seq;
	cb->flags &= (uint8_t)~(TCPHDR_FIN | TCPHDR_PSH);
	skb_trim(skb, len);
	tp->inet.wmem += skb_truesize(n);	/* the original keeps its allocation */
	list_add(&n->list, &skb->list);	/* after skb */
	tp->wq.qlen++;
	if (before(cb->seq, tp->snd_nxt)) {	/* sent: now two segments in flight */
		tp->packets_out++;
		if (cb->sacked & TCPCB_LOST)
			tp->lost_out++;
		if (cb->sacked & TCPCB_RETRANS)
			tp->retrans_out++;
	}
	return 0;
}

static struct sk_buff *wq_next(struct tcp_sock *tp, struct sk_buff *skb)
{
	return skb->list.next == &tp->wq.list ? NULL : list_entry(skb->list.next, struct sk_buff, list);
}

/* May a partial segment go now (Nagle, cork)? */
static bool nagle_allows(struct tcp_sock *tp, struct sk_buff *skb, uint32_t mss, int push)
{
	if (skb->len >= mss || (TCP_SKB_CB(skb)->flags & TCPHDR_FIN) || push == 2)
		return true;
	if (tp->corked || push < 0)
		return false;	/* TCP_CORK / MSG_MORE: only full segments */
	if (tp->nodelay || push == 1)
		return true;
	return tp->packets_out == 0;	/* Nagle: one small segment in flight at a time */
}

static void tcp_event_new_data_sent(struct tcp_sock *tp, struct sk_buff *skb)
{
	tp->send_head = wq_next(tp, skb);
	uint32_t prior = tp->packets_out;
	tp->snd_nxt = TCP_SKB_CB(skb)->end_seq;
	tp->packets_out++;
	tp->bytes_sent += skb->len;
	if (!prior || tp->pending != TIMER_RTO)
		tcp_rearm_rto(tp);
}

/* push: -1 more is coming (MSG_MORE), 0 normal, 1 push (no Nagle), 2
 * everything (uncork, FIN). */
void tcp_write_xmit(struct tcp_sock *tp, bool force_push)
{
	tcp_push(tp, force_push ? 2 : 0);
}

void tcp_push(struct tcp_sock *tp, int push)
{
	if (!tp->send_head || tp->state == TCP_CLOSE || tp->state == TCP_LISTEN || tp->state == TCP_SYN_SENT)
		return;
	struct rtable rt;
	if (tcp_route(tp, &rt))
		return;	/* no route now: the retransmit timer tries again */
	uint32_t mss = tcp_current_mss(tp);
	struct sk_buff *skb;
	while ((skb = tp->send_head)) {
		struct tcp_cb *cb = TCP_SKB_CB(skb);
		if (tcp_packets_in_flight(tp) >= tp->cwnd && !(cb->flags & TCPHDR_SYN))
			break;
		uint32_t wnd_end = tp->snd_una + tp->snd_wnd;
		if (skb->len > mss && split_skb(tp, skb, mss))
			break;
		if (after(cb->end_seq, wnd_end) && skb->len) {
			/* only part of it fits: send that part if it is worth it */
			int32_t room = (int32_t)(wnd_end - cb->seq);
			if (room <= 0 || ((uint32_t)room < mss / 2 && tp->packets_out) || split_skb(tp, skb, (uint32_t)room)) {
				if (!tp->packets_out && tp->pending == TIMER_NONE)
					tcp_reset_rtx_timer(tp, TIMER_PROBE, tp->rto_us);
				break;
			}
		}
		if (!nagle_allows(tp, skb, mss, push))
			break;
		cb->when = ktime_mono_ns();
		uint32_t seq = cb->seq;
		uint8_t flags = cb->flags;
		if (!wq_next(tp, skb) && skb->len)
			flags |= TCPHDR_PSH;
		tcp_event_new_data_sent(tp, skb);
		/* the copy is made before anything else may run */
		if (tcp_transmit(tp, &rt, seq, flags, skb->data, skb->len) == -ENOBUFS)
			break;
		if (tp->state == TCP_CLOSE)
			break;
	}
}

int tcp_retransmit_skb(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	struct rtable rt;
	int err = tcp_route(tp, &rt);
	if (err)
		return err;
	if (before(cb->seq, tp->snd_una)) {
		/* acknowledged in part: send only the rest */
		uint32_t done = tp->snd_una - cb->seq;
		if (done >= skb->len && !(cb->flags & (TCPHDR_SYN | TCPHDR_FIN)))
			return 0;
		if (done < skb->len) {
			skb_pull(skb, done);
			cb->seq = tp->snd_una;
		}
	}
	uint32_t mss = tcp_current_mss(tp);
	if (skb->len > mss && split_skb(tp, skb, mss))
		return -ENOBUFS;
	if (!(cb->sacked & TCPCB_RETRANS))
		tp->retrans_out++;
	cb->sacked |= TCPCB_RETRANS | TCPCB_EVER_RETRANS;
	cb->retrans++;
	cb->when = ktime_mono_ns();
	if (!tp->retrans_stamp)
		tp->retrans_stamp = cb->when;
	tp->total_retrans++;
	tp->bytes_retrans += skb->len;
	TCP_INC_STATS(TCP_MIB_RETRANSSEGS);
	uint8_t flags = cb->flags;
	if (tp->state == TCP_SYN_RECV)
		flags |= TCPHDR_ACK;
	return tcp_transmit(tp, &rt, cb->seq, flags, skb->data, skb->len);
}

void tcp_xmit_retransmit_queue(struct tcp_sock *tp)
{
	struct sk_buff *skb;
	list_for_each_entry(skb, &tp->wq.list, list) {
		if (skb == tp->send_head)
			break;
		struct tcp_cb *cb = TCP_SKB_CB(skb);
		if (tcp_packets_in_flight(tp) >= tp->cwnd)
			break;
		if (!(cb->sacked & TCPCB_LOST) || (cb->sacked & (TCPCB_SACKED | TCPCB_RETRANS)))
			continue;
		if (tcp_retransmit_skb(tp, skb))
			break;
		if (skb == list_first_entry(&tp->wq.list, struct sk_buff, list))
			tcp_rearm_rto(tp);
		if (tp->state == TCP_CLOSE)
			break;
	}
}

/* ---- control segments ---- */

void tcp_send_ack(struct tcp_sock *tp)
{
	if (tp->state == TCP_CLOSE || tp->state == TCP_LISTEN)
		return;
	struct rtable rt;
	if (tcp_route(tp, &rt))
		return;
	/* an acceptable sequence: snd_nxt, unless the peer's window shrank */
	uint32_t seq = tp->snd_nxt;
	if (after(seq, tp->snd_una + tp->snd_wnd) && tp->snd_wnd)
		seq = tp->snd_una + tp->snd_wnd;
	tcp_transmit(tp, &rt, seq, TCPHDR_ACK, NULL, 0);
}

void tcp_send_delayed_ack(struct tcp_sock *tp)
{
	tp->ack_pending = true;
	tcp_schedule_delack(tp);
}

void tcp_send_active_reset(struct tcp_sock *tp)
{
	struct rtable rt;
	if (tcp_route(tp, &rt))
		return;
	tcp_transmit(tp, &rt, tp->snd_nxt, TCPHDR_RST | TCPHDR_ACK, NULL, 0);
}

void tcp_send_probe(struct tcp_sock *tp)
{
	struct rtable rt;
	if (tcp_route(tp, &rt))
		return;
	tcp_transmit(tp, &rt, tp->snd_una - 1, TCPHDR_ACK, NULL, 0);
}

/* Queue a control buffer (SYN, FIN) at the write queue's end. */
static struct sk_buff *queue_ctl(struct tcp_sock *tp, uint8_t flags)
{
	struct sk_buff *skb = alloc_skb(0, 0);
	if (!skb)
		return NULL;
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = tp->write_seq;
	cb->end_seq = tp->write_seq + 1;
	cb->flags = flags;
	tp->write_seq++;
	tp->inet.wmem += skb_truesize(skb);
	skb_queue_tail(&tp->wq, skb);
	if (!tp->send_head)
		tp->send_head = skb;
	return skb;
}

int tcp_send_syn(struct tcp_sock *tp)
{
	struct sk_buff *skb = queue_ctl(tp, TCPHDR_SYN);
	if (!skb)
		return -ENOBUFS;
	struct rtable rt;
	int err = tcp_route(tp, &rt);
	if (err)
		return err;
	TCP_SKB_CB(skb)->when = ktime_mono_ns();
	tp->send_head = NULL;
	tp->snd_nxt = tp->write_seq;
	tp->packets_out = 1;
	tcp_reset_rtx_timer(tp, TIMER_RTO, tp->rto_us);
	tp->retrans_stamp = TCP_SKB_CB(skb)->when;
	tcp_transmit(tp, &rt, tp->iss, TCPHDR_SYN, NULL, 0);
	return 0;
}

/* The SYN-ACK of a passive child: its SYN buffer is the head of its queue. */
void tcp_send_synack(struct tcp_sock *tp)
{
	struct sk_buff *skb = queue_ctl(tp, TCPHDR_SYN | TCPHDR_ACK);
	if (!skb)
		return;
	struct rtable rt;
	if (tcp_route(tp, &rt))
		return;
	TCP_SKB_CB(skb)->when = ktime_mono_ns();
	tp->send_head = NULL;
	tp->snd_nxt = tp->write_seq;
	tp->packets_out = 1;
	tcp_reset_rtx_timer(tp, TIMER_RTO, tp->rto_us);
	tcp_transmit(tp, &rt, tp->iss, TCPHDR_SYN | TCPHDR_ACK, NULL, 0);
}

void tcp_send_fin(struct tcp_sock *tp)
{
	struct sk_buff *tail = tp->wq.qlen ? list_last_entry(&tp->wq.list, struct sk_buff, list) : NULL;
	if (tail && tp->send_head && !(TCP_SKB_CB(tail)->flags & (TCPHDR_FIN | TCPHDR_SYN))) {
		/* not sent yet: the FIN rides on the last data */
		TCP_SKB_CB(tail)->flags |= TCPHDR_FIN;
		TCP_SKB_CB(tail)->end_seq++;
		tp->write_seq++;
	} else if (!queue_ctl(tp, TCPHDR_FIN)) {
		return;
	}
	tp->fin_queued = true;
	tcp_push(tp, 2);
}

/* A reset answering a segment that has no connection (tcp_v4_send_reset). */
void tcp_send_reset_reply(struct sk_buff *in)
{
	struct tcphdr *ith = (struct tcphdr *)in->data;
	if (ith->rst)
		return;
	struct iphdr *iph = ip_hdr(in);
	struct tcp_cb *icb = TCP_SKB_CB(in);
	struct flowi4 fl = { .daddr = iph->saddr, .saddr = iph->daddr, .proto = IPPROTO_TCP };
	struct rtable rt;
	if (ip_route_output(&fl, &rt))
		return;
	struct sk_buff *skb = alloc_skb(ll_reserved(rt.dev) + sizeof(struct iphdr), sizeof(struct tcphdr));
	if (!skb)
		return;
	struct tcphdr *th = (struct tcphdr *)skb_put(skb, sizeof(*th));
	memset(th, 0, sizeof(*th));
	th->source = ith->dest;
	th->dest = ith->source;
	th->doff = sizeof(*th) / 4;
	th->rst = 1;
	if (ith->ack) {
		th->seq = ith->ack_seq;
	} else {
		th->ack = 1;
		th->ack_seq = htonl(icb->end_seq);
	}
	th->check = tcp_v4_check(th, sizeof(*th), iph->daddr, iph->saddr);
	TCP_INC_STATS(TCP_MIB_OUTSEGS);
	TCP_INC_STATS(TCP_MIB_OUTRSTS);
	struct ip_build b = { .saddr = iph->daddr, .daddr = iph->saddr, .protocol = IPPROTO_TCP,
			      .ttl = ip_select_ttl(-1), .df = true, .id = 0 };
	ip_build_and_send(skb, &b, &rt);
}

/* A SYN-ACK with no socket behind it: the answer of a listener whose
 * SYN queue is full (SYN cookies). */
void tcp_send_synack_cookie(struct sk_buff *in, uint32_t isn, uint16_t mss)
{
	struct tcphdr *ith = (struct tcphdr *)in->data;
	struct iphdr *iph = ip_hdr(in);
	struct flowi4 fl = { .daddr = iph->saddr, .saddr = iph->daddr, .proto = IPPROTO_TCP };
	struct rtable rt;
	if (ip_route_output(&fl, &rt))
		return;
	size_t hlen = sizeof(struct tcphdr) + 4;
	struct sk_buff *skb = alloc_skb(ll_reserved(rt.dev) + sizeof(struct iphdr), hlen);
	if (!skb)
		return;
	struct tcphdr *th = (struct tcphdr *)skb_put(skb, hlen);
	memset(th, 0, hlen);
	th->source = ith->dest;
	th->dest = ith->source;
	th->seq = htonl(isn);
	th->ack_seq = htonl(TCP_SKB_CB(in)->seq + 1);
	th->doff = (uint16_t)(hlen / 4);
	th->syn = 1;
	th->ack = 1;
	th->window = htons(65535);
	uint8_t *o = (uint8_t *)(th + 1);
	o[0] = TCPOPT_MSS;
	o[1] = 4;
	o[2] = (uint8_t)(mss >> 8);
	o[3] = (uint8_t)mss;
	th->check = tcp_v4_check(th, hlen, iph->daddr, iph->saddr);
	TCP_INC_STATS(TCP_MIB_OUTSEGS);
	struct ip_build b = { .saddr = iph->daddr, .daddr = iph->saddr, .protocol = IPPROTO_TCP,
			      .ttl = ip_select_ttl(-1), .df = true, .id = 0 };
	ip_build_and_send(skb, &b, &rt);
}
