/* TCP input (Linux's tcp_input.c, RFC 9293 3.10.7): a segment for a
 * connection, checked in the RFC's order (sequence, RST, SYN, ACK, data,
 * FIN); the ACK's work (acknowledged data freed, RTT samples, the send
 * window, SACK scoreboard, NewReno recovery); in-order and out-of-order
 * data with the SACK blocks we announce; delayed ACKs. */
#include "tcp.h"

void tcp_parse_options(const struct tcphdr *th, struct tcp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->wscale = -1;
	const uint8_t *p = (const uint8_t *)(th + 1);
	int len = th->doff * 4 - (int)sizeof(*th);
	while (len > 0) {
		int kind = *p;
		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			p++;
			len--;
			continue;
		}
		if (len < 2)
			return;
		int ol = p[1];
		if (ol < 2 || ol > len)
			return;
		switch (kind) {
		case TCPOPT_MSS:
			if (ol == 4 && th->syn)
				o->mss = (uint16_t)(p[2] << 8 | p[3]);
			break;
		case TCPOPT_WINDOW:
			if (ol == 3 && th->syn)
				o->wscale = (int8_t)MIN(p[2], TCP_MAX_WSCALE);
			break;
		case TCPOPT_SACK_PERM:
			if (ol == 2 && th->syn)
				o->sack_ok = true;
			break;
		case TCPOPT_TIMESTAMP:
			if (ol == 10) {
				o->saw_tstamp = true;
				o->tsval = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];
				o->tsecr = (uint32_t)p[6] << 24 | (uint32_t)p[7] << 16 | (uint32_t)p[8] << 8 | p[9];
			}
			break;
		case TCPOPT_SACK:
			if (ol >= 10 && (ol - 2) % 8 == 0 && !th->syn) {
				for (int i = 0; i < (ol - 2) / 8 && o->num_sacks < 4; i++) {
					const uint8_t *b = p + 2 + 8 * i;
					o->sacks[o->num_sacks].start =
						(uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
					o->sacks[o->num_sacks].end =
						(uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
					o->num_sacks++;
				}
			}
			break;
		}
		p += ol;
		len -= ol;
	}
}

/* ---- receive buffer ---- */

/* Grow an untuned receive buffer as the connection needs it (Linux's
 * receive buffer autotuning), up to tcp_rmem[2]. */
static void rcvbuf_autotune(struct tcp_sock *tp)
{
	if (tcp_buf_locked(tp, SOCK_RCVBUF_LOCK))
		return;
	int cur = tcp_rcvbuf(tp);
	if (cur >= sysctl_tcp_rmem[2] || tp->inet.rmem < (size_t)cur / 2)
		return;
	tcp_set_rcvbuf(tp, MIN(cur * 2, sysctl_tcp_rmem[2]));
}

void tcp_init_buffer_space(struct tcp_sock *tp)
{
	/* a send buffer for twice the initial window (tcp_sndbuf_expand) */
	if (!tcp_buf_locked(tp, SOCK_SNDBUF_LOCK)) {
		long need = 2L * 2 * MAX(tp->cwnd, (uint32_t)TCP_INIT_CWND) * (tp->mss_cache + 256);
		if (need > tcp_sndbuf(tp))
			tcp_set_sndbuf(tp, (int)MIN(need, (long)sysctl_tcp_wmem[2]));
	}
}

static void sndbuf_expand(struct tcp_sock *tp)
{
	if (tcp_buf_locked(tp, SOCK_SNDBUF_LOCK))
		return;
	long need = 2L * 2 * tp->cwnd * (tp->mss_cache + 256);
	if (need > tcp_sndbuf(tp))
		tcp_set_sndbuf(tp, (int)MIN(need, (long)sysctl_tcp_wmem[2]));
}

/* ---- connection end ---- */

void tcp_reset(struct tcp_sock *tp)
{
	int err;
	switch (tp->state) {
	case TCP_SYN_SENT: err = ECONNREFUSED; break;
	case TCP_CLOSE_WAIT: err = EPIPE; break;
	case TCP_CLOSE: return;
	default: err = ECONNRESET; break;
	}
	if (tp->state == TCP_ESTABLISHED || tp->state == TCP_CLOSE_WAIT)
		TCP_INC_STATS(TCP_MIB_ESTABRESETS);
	tcp_set_error(tp, err);
	tcp_done(tp);
}

/* The peer's FIN, in sequence (tcp_fin). */
static void tcp_fin(struct tcp_sock *tp)
{
	tp->shutdown |= RCV_SHUTDOWN;
	tp->fin_rcvd = true;
	tp->ack_pending = true;
	tp->pingpong = true;	/* the FIN's ACK is delayed (inet_csk_enter_pingpong_mode) */
	switch (tp->state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		tcp_set_state(tp, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		/* simultaneous close (our FIN not acknowledged yet) */
		tcp_send_ack(tp);
		tcp_set_state(tp, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		tcp_send_ack(tp);
		tcp_time_wait(tp, TCP_TIME_WAIT, TCP_TIMEWAIT_NS);
		break;
	default:
		break;
	}
	skb_queue_purge(&tp->ooo);	/* nothing after a FIN counts */
	tp->num_sacks = 0;
	tcp_wake(tp);
}

/* ---- ACK processing ---- */

static void free_acked(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	list_del(&skb->list);
	tp->wq.qlen--;
	tp->inet.wmem -= skb_truesize(skb);
	tp->packets_out--;
	if (cb->sacked & TCPCB_SACKED)
		tp->sacked_out--;
	if (cb->sacked & TCPCB_LOST)
		tp->lost_out--;
	if (cb->sacked & TCPCB_RETRANS)
		tp->retrans_out--;
	skb->destructor = NULL;
	kfree_skb(skb);
}

/* Mark what the peer's SACK blocks cover (tcp_sacktag_write_queue). */
static int sacktag(struct tcp_sock *tp, const struct tcp_opts *o, uint32_t ack, int64_t now)
{
	int newly = 0;
	for (int i = 0; i < o->num_sacks; i++) {
		uint32_t s = o->sacks[i].start, e = o->sacks[i].end;
		/* ignore D-SACKs and blocks outside what is in flight */
		if (!before(s, e) || !after(e, ack) || after(e, tp->snd_nxt) || before(s, tp->snd_una))
			continue;
		struct sk_buff *skb;
		list_for_each_entry(skb, &tp->wq.list, list) {
			if (skb == tp->send_head)
				break;
			struct tcp_cb *cb = TCP_SKB_CB(skb);
			if (!after(cb->end_seq, s))
				continue;
			if (after(cb->end_seq, e))
				break;
			if (before(cb->seq, s) || (cb->sacked & TCPCB_SACKED))
				continue;
			cb->sacked |= TCPCB_SACKED;
			tp->sacked_out++;
			newly++;
			if (cb->sacked & TCPCB_LOST) {
				cb->sacked &= (uint8_t)~TCPCB_LOST;
				tp->lost_out--;
			}
			if (cb->sacked & TCPCB_RETRANS) {
				cb->sacked &= (uint8_t)~TCPCB_RETRANS;
				tp->retrans_out--;
			}
			tcp_rack_advance(tp, cb, now);
			if (after(cb->end_seq, tp->highest_sack))
				tp->highest_sack = cb->end_seq;
		}
	}
	return newly;
}

/* Mark lost what lies below the highest SACKed segment with at least
 * `reordering` SACKed segments after it (RFC 6675's IsLost, by count);
 * without SACK, only the head (NewReno). */
static void mark_lost(struct tcp_sock *tp)
{
	struct sk_buff *skb;
	if (!tp->sack_ok || !tp->sacked_out) {
		skb = list_first_entry(&tp->wq.list, struct sk_buff, list);
		if (skb != tp->send_head && !(TCP_SKB_CB(skb)->sacked & (TCPCB_LOST | TCPCB_SACKED | TCPCB_RETRANS))) {
			TCP_SKB_CB(skb)->sacked |= TCPCB_LOST;
			tp->lost_out++;
			tp->lost_total++;
		}
		return;
	}
	uint32_t sacked_above = tp->sacked_out;
	list_for_each_entry(skb, &tp->wq.list, list) {
		if (skb == tp->send_head)
			break;
		struct tcp_cb *cb = TCP_SKB_CB(skb);
		if (cb->sacked & TCPCB_SACKED) {
			sacked_above--;
			continue;
		}
		if (sacked_above < tp->reordering && !before(cb->end_seq, tp->highest_sack))
			break;
		if (!after(cb->end_seq, tp->highest_sack) && !(cb->sacked & (TCPCB_LOST | TCPCB_RETRANS))) {
			cb->sacked |= TCPCB_LOST;
			tp->lost_out++;
			tp->lost_total++;
		}
		if (!sacked_above)
			break;
	}
}

void tcp_enter_recovery(struct tcp_sock *tp)
{
	TCPEXT_INC(tp->sack_ok ? LINUX_MIB_TCPSACKRECOVERY : LINUX_MIB_TCPRENORECOVERY);
	TCPEXT_INC(LINUX_MIB_TCPFASTRETRANS);
	tp->prior_ssthresh = tp->ssthresh;
	tp->prior_cwnd = tp->cwnd;
	tp->ssthresh = tcp_recalc_ssthresh(tp);
	tp->cwnd = tp->ssthresh;
	tp->cwnd_cnt = 0;
	tp->high_seq = tp->snd_nxt;
	tp->ca_state = TCP_CA_Recovery;
}

/* Returns false if the ACK acknowledges what we never sent (the caller
 * answers with an ACK and drops the segment). */
static bool tcp_ack(struct tcp_sock *tp, struct sk_buff *skb, const struct tcphdr *th, const struct tcp_opts *o)
{
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	uint32_t ack = cb->ack_seq, prior_una = tp->snd_una;
	if (after(ack, tp->snd_nxt))
		return false;
	if (before(ack, prior_una))
		return true;	/* old: nothing to learn */
	uint32_t nwin = (uint32_t)ntohs(th->window) << tp->snd_wscale;
	bool win_changed = false;
	if (after(ack, tp->snd_una) || after(cb->seq, tp->snd_wl1) || (cb->seq == tp->snd_wl1 && nwin > tp->snd_wnd) ||
	    (cb->seq == tp->snd_wl1 && nwin != tp->snd_wnd && ack == tp->snd_una)) {
		win_changed = nwin != tp->snd_wnd;
		tp->snd_wnd = nwin;
		tp->snd_wl1 = cb->seq;
		tp->snd_wl2 = ack;
		if (nwin > tp->max_window)
			tp->max_window = nwin;
	}
	if (o->saw_tstamp && tp->tstamp_ok && !before(cb->seq, tp->rcv_wup) && !after(cb->seq, tp->rcv_nxt)) {
		tp->ts_recent = o->tsval;
		tp->ts_recent_stamp = ktime_mono_ns();
	}
	int64_t now = ktime_mono_ns();
	int newly_sacked = tp->sack_ok && o->num_sacks ? sacktag(tp, o, ack, now) : 0;
	/* free what is acknowledged */
	uint32_t acked = 0;
	int64_t rtt_stamp = 0;
	bool ever_retrans = false;
	struct sk_buff *s, *n;
	list_for_each_entry_safe(s, n, &tp->wq.list, list) {
		if (s == tp->send_head)
			break;
		struct tcp_cb *scb = TCP_SKB_CB(s);
		if (after(scb->end_seq, ack)) {
			/* acknowledged in part: drop the acknowledged bytes */
			if (after(ack, scb->seq) && !(scb->flags & TCPHDR_SYN)) {
				uint32_t done = ack - scb->seq;
				if (done < s->len) {
					skb_pull(s, done);
					scb->seq = ack;
				}
			}
			break;
		}
		if (scb->sacked & TCPCB_EVER_RETRANS)
			ever_retrans = true;
		else
			rtt_stamp = scb->when;
		if (tp->sack_ok && !(scb->flags & TCPHDR_SYN))
			tcp_rack_advance(tp, scb, now);
		acked++;
		free_acked(tp, s);
	}
	if (!tp->wq.qlen)
		tp->send_head = NULL;
	if (after(ack, prior_una)) {
		tp->bytes_acked += ack - prior_una;
		tp->snd_una = ack;
		tp->delivered += acked;
		tp->retransmits = 0;
		tp->backoff = 0;
		tp->probes_out = 0;
		tp->err_soft = 0;
		if (!tp->retrans_out)
			tp->retrans_stamp = 0;
		/* Karn: only segments never retransmitted give samples */
		if (rtt_stamp && !ever_retrans)
			tcp_rtt_sample(tp, (ktime_mono_ns() - rtt_stamp) / 1000);
		else if (o->saw_tstamp && tp->tstamp_ok && o->tsecr)
			tcp_rtt_sample(tp, (int64_t)(tcp_ts_now(tp) - o->tsecr) * 1000);
		tcp_rearm_rto(tp);
	}
	/* RACK: lost by time, retransmissions too (only while the peer
	 * SACKs something: the common in-order case costs nothing) */
	int rack_lost = 0;
	uint32_t rack_wait_us = 0;
	if (tp->sack_ok && (tp->sacked_out || tp->retrans_out))
		rack_lost = tcp_rack_mark_lost(tp, now, &rack_wait_us);
	/* the congestion state machine */
	bool dupack = ack == prior_una && !win_changed && skb->len == th->doff * 4u && !th->fin && tp->packets_out;
	switch (tp->ca_state) {
	case TCP_CA_Open:
	case TCP_CA_Disorder:
		if (dupack || newly_sacked || rack_lost) {
			tp->dupacks++;
			uint32_t evidence = tp->sack_ok ? tp->sacked_out : (uint32_t)tp->dupacks;
			if (evidence >= tp->reordering || rack_lost) {
				tcp_enter_recovery(tp);
				mark_lost(tp);
			} else {
				tp->ca_state = TCP_CA_Disorder;
			}
		} else if (after(ack, prior_una)) {
			tp->dupacks = 0;
			if (!tp->sacked_out)
				tp->ca_state = TCP_CA_Open;
			tcp_cong_avoid(tp, acked);
		}
		break;
	case TCP_CA_Recovery:
		if (!before(ack, tp->high_seq)) {
			tp->cwnd = MAX(tp->ssthresh, 2u);
			tp->ca_state = TCP_CA_Open;
			tp->dupacks = 0;
		} else if (after(ack, prior_una) || newly_sacked) {
			mark_lost(tp);	/* NewReno partial ACK: the next hole */
		}
		break;
	case TCP_CA_Loss:
		if (!before(ack, tp->high_seq)) {
			tp->ca_state = TCP_CA_Open;
			tp->dupacks = 0;
		}
		if (after(ack, prior_una))
			tcp_cong_avoid(tp, acked);
		break;
	}
	if (acked) {
		sndbuf_expand(tp);
		tcp_wake(tp);	/* room to write */
	}
	if (tp->lost_out)
		tcp_xmit_retransmit_queue(tp);
	if (rack_wait_us && tp->packets_out && tp->state != TCP_CLOSE)
		tcp_reset_rtx_timer(tp, TIMER_REO, rack_wait_us);
	if (win_changed && tp->pending == TIMER_PROBE && tp->snd_wnd) {
		ktimer_cancel(&tp->rtx_timer);
		tp->pending = TIMER_NONE;
		tp->backoff = 0;
	}
	return true;
}

/* ---- data ---- */

/* The SACK blocks we announce: the out-of-order queue's ranges, the one
 * just changed first (RFC 2018). */
static void update_sacks(struct tcp_sock *tp, uint32_t recent)
{
	struct sack_block b[64];
	int n = 0;
	struct sk_buff *skb;
	list_for_each_entry(skb, &tp->ooo.list, list) {
		struct tcp_cb *cb = TCP_SKB_CB(skb);
		if (n && !after(cb->seq, b[n - 1].end)) {
			if (after(cb->end_seq, b[n - 1].end))
				b[n - 1].end = cb->end_seq;
		} else if (n < (int)ARRAY_SIZE(b)) {
			b[n].start = cb->seq;
			b[n].end = cb->end_seq;
			n++;
		}
	}
	tp->num_sacks = 0;
	for (int i = 0; i < n && tp->num_sacks < TCP_MAX_OOO_BLOCKS; i++)
		if (!before(recent, b[i].start) && before(recent, b[i].end))
			tp->sacks[tp->num_sacks++] = b[i];
	for (int i = n - 1; i >= 0 && tp->num_sacks < TCP_MAX_OOO_BLOCKS; i--)
		if (before(recent, b[i].start) || !before(recent, b[i].end))
			tp->sacks[tp->num_sacks++] = b[i];
}

static void queue_rcv(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	bool fin = cb->flags & TCPHDR_FIN;
	tp->rcv_nxt = cb->end_seq;
	if (skb->len) {
		tp->bytes_received += skb->len;
		tp->rcv_since_ack += skb->len;
		tp->inet.rmem += skb_truesize(skb);
		skb_queue_tail(&tp->inet.rq, skb);
	} else {
		kfree_skb(skb);
	}
	if (fin)
		tcp_fin(tp);
}

/* Move what the out-of-order queue now continues. */
static void ofo_drain(struct tcp_sock *tp)
{
	while (tp->ooo.qlen) {
		struct sk_buff *skb = skb_peek(&tp->ooo);
		struct tcp_cb *cb = TCP_SKB_CB(skb);
		if (after(cb->seq, tp->rcv_nxt))
			break;
		skb_dequeue(&tp->ooo);
		tp->inet.rmem -= skb_truesize(skb);
		if (!after(cb->end_seq, tp->rcv_nxt)) {
			kfree_skb(skb);
			continue;
		}
		uint32_t dup = tp->rcv_nxt - cb->seq;
		skb_pull(skb, dup);
		cb->seq = tp->rcv_nxt;
		queue_rcv(tp, skb);
		if (tp->state == TCP_CLOSE || (tp->shutdown & RCV_SHUTDOWN))
			break;
	}
}

static void ofo_insert(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	struct sk_buff *p;
	TCPEXT_INC(LINUX_MIB_TCPOFOQUEUE);
	/* after the last buffer that starts before it */
	struct list_head *pos = &tp->ooo.list;
	list_for_each_entry_reverse(p, &tp->ooo.list, list) {
		struct tcp_cb *pcb = TCP_SKB_CB(p);
		if (!after(pcb->seq, cb->seq)) {
			if (!after(cb->end_seq, pcb->end_seq)) {
				/* already held: a duplicate */
				tp->dsack = (struct sack_block){ cb->seq, cb->end_seq };
				tp->dsack_pending = tp->sack_ok;
				kfree_skb(skb);
				return;
			}
			pos = &p->list;
			break;
		}
	}
	tp->inet.rmem += skb_truesize(skb);
	list_add(&skb->list, pos);
	tp->ooo.qlen++;
	update_sacks(tp, cb->seq);
}

/* Drop out-of-order data, newest first, to stay within the buffer (tcp_prune_ofo_queue). */
static bool prune(struct tcp_sock *tp, size_t need)
{
	while (tp->ooo.qlen && tp->inet.rmem + need > (size_t)tcp_rcvbuf(tp)) {
		struct sk_buff *last = list_last_entry(&tp->ooo.list, struct sk_buff, list);
		list_del(&last->list);
		tp->ooo.qlen--;
		tp->inet.rmem -= skb_truesize(last);
		kfree_skb(last);
	}
	if (tp->ooo.qlen)
		update_sacks(tp, tp->sacks[0].start);
	else
		tp->num_sacks = 0;
	return tp->inet.rmem + need <= (size_t)tcp_rcvbuf(tp);
}

static void tcp_data_queue(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	if (skb->len)
		tp->data_segs_in++;
	if (skb->len > tp->rcv_mss)
		tp->rcv_mss = MIN(skb->len, tp->advmss);
	if (cb->seq == cb->end_seq) {
		kfree_skb(skb);
		return;
	}
	if (!after(cb->end_seq, tp->rcv_nxt)) {
		/* all old: a retransmission we have; D-SACK it */
		tp->dsack = (struct sack_block){ cb->seq, cb->end_seq };
		tp->dsack_pending = tp->sack_ok;
		tp->quickack = MAX(tp->quickack, 1);
		tp->ack_pending = true;
		kfree_skb(skb);
		return;
	}
	if (!before(cb->seq, tp->rcv_nxt + tcp_receive_window(tp))) {
		tp->ack_pending = true;	/* out of window: tell the peer where we are */
		tp->quickack = MAX(tp->quickack, 1);
		kfree_skb(skb);
		return;
	}
	if (before(cb->seq, tp->rcv_nxt)) {
		uint32_t dup = tp->rcv_nxt - cb->seq;
		skb_pull(skb, dup);
		cb->seq = tp->rcv_nxt;
	}
	size_t need = skb_truesize(skb);
	if (tp->inet.rmem + need > (size_t)tcp_rcvbuf(tp)) {
		rcvbuf_autotune(tp);
		if (!prune(tp, need)) {
			TCPEXT_INC(LINUX_MIB_TCPRCVQDROP);
			tp->inet.drops++;
			tp->ack_pending = true;
			kfree_skb(skb);
			return;
		}
	}
	if (cb->seq == tp->rcv_nxt) {
		if (!tcp_receive_window(tp) && skb->len) {
			tp->ack_pending = true;	/* zero window: not taken */
			tp->quickack = MAX(tp->quickack, 1);
			kfree_skb(skb);
			return;
		}
		bool had_ooo = tp->ooo.qlen != 0;
		queue_rcv(tp, skb);
		if (had_ooo) {
			ofo_drain(tp);
			if (tp->ooo.qlen)
				update_sacks(tp, TCP_SKB_CB(skb_peek(&tp->ooo))->seq);
			else
				tp->num_sacks = 0;
			tp->quickack = MAX(tp->quickack, 1);	/* the hole is filled: say so now */
		}
		rcvbuf_autotune(tp);
		tp->ack_pending = true;
		tcp_wake(tp);
		return;
	}
	/* out of order: keep it, and ACK at once (the duplicate ACK the
	 * sender's fast retransmit counts) */
	tp->quickack = MAX(tp->quickack, 1);
	tp->ack_pending = true;
	ofo_insert(tp, skb);
}

/* ACK now or later (__tcp_ack_snd_check): at once for every second full
 * segment, in quick-ACK mode, for out-of-order data; else after the
 * delayed ACK timeout. */
static void ack_snd_check(struct tcp_sock *tp)
{
	if (!tp->ack_pending)
		return;
	uint32_t mss = tp->rcv_mss ? tp->rcv_mss : TCP_MSS_DEFAULT;
	if (tp->rcv_since_ack >= 2 * mss || (tp->quickack > 0 && !tp->pingpong) || tp->ooo.qlen || tp->dsack_pending ||
	    tcp_receive_window(tp) < mss) {
		if (tp->quickack > 0)
			tp->quickack--;
		tcp_send_ack(tp);
	} else {
		tcp_send_delayed_ack(tp);
	}
}

/* After the user read copied bytes (tcp_cleanup_rbuf): a window update
 * when the window we could announce doubled, as Linux. */
void tcp_cleanup_rbuf(struct tcp_sock *tp, uint32_t copied)
{
	if (!copied || tp->state == TCP_CLOSE || tp->state == TCP_LISTEN || (tp->shutdown & RCV_SHUTDOWN))
		return;
	uint32_t cur = tcp_receive_window(tp);
	uint32_t mss = tp->rcv_mss ? tp->rcv_mss : tp->advmss;
	bool send = tp->ack_pending && (tp->rcv_since_ack >= mss || !tp->inet.rq.qlen);
	long free = (long)tcp_rcvbuf(tp) - (long)tp->inet.rmem;
	uint32_t space = free > 0 ? (uint32_t)(free / 2) : 0;
	if (space >= 2 * cur && space >= 2 * mss)
		send = true;
	if (send)
		tcp_send_ack(tp);
}

/* ---- the states ---- */

static void established(struct tcp_sock *tp, const struct tcphdr *th, const struct tcp_cb *cb)
{
	/* a SYN's window is never scaled */
	tp->snd_wnd = (uint32_t)ntohs(th->window) << (th->syn ? 0 : tp->snd_wscale);
	tp->max_window = tp->snd_wnd;
	tp->snd_wl1 = cb->seq;
	tp->snd_wl2 = cb->ack_seq;
	tcp_set_state(tp, TCP_ESTABLISHED);
	/* the MSS we announced counts the timestamps from now on */
	if (tp->tstamp_ok && tp->advmss > 12 + 48)
		tp->advmss -= 12;
	struct rtable rt;
	if (!tcp_route(tp, &rt))
		tcp_sync_mss(tp, ip_rt_mtu(&rt));
	tp->lrcvtime = ktime_mono_ns();
	tcp_init_buffer_space(tp);
	tcp_reset_keepalive(tp);
}

/* SYN_SENT (tcp_rcv_synsent_state_process). */
static void rcv_synsent(struct tcp_sock *tp, struct sk_buff *skb, const struct tcphdr *th, const struct tcp_opts *o)
{
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	if (th->ack) {
		if (!after(cb->ack_seq, tp->iss) || after(cb->ack_seq, tp->snd_nxt)) {
			if (!th->rst)
				tcp_send_reset_reply(skb);
			goto drop;
		}
		if (th->rst) {
			tcp_reset(tp);
			goto drop;
		}
		if (!th->syn)
			goto drop;
		/* SYN-ACK: the connection is up */
		tp->irs = cb->seq;
		tp->rcv_nxt = tp->copied_seq = tp->rcv_wup = cb->seq + 1;
		tp->wscale_ok = tp->wscale_ok && o->wscale >= 0;
		tp->snd_wscale = tp->wscale_ok ? (uint8_t)o->wscale : 0;
		if (!tp->wscale_ok)
			tp->rcv_wscale = 0;
		tp->sack_ok = tp->sack_ok && o->sack_ok;
		tp->tstamp_ok = tp->tstamp_ok && o->saw_tstamp;
		if (tp->tstamp_ok) {
			tp->ts_recent = o->tsval;
			tp->ts_recent_stamp = ktime_mono_ns();
		}
		tp->rx_mss = o->mss ? o->mss : TCP_MSS_DEFAULT;
		struct rtable rt;
		if (!tcp_route(tp, &rt))
			tcp_sync_mss(tp, ip_rt_mtu(&rt));
		/* the SYN is acknowledged */
		struct sk_buff *syn = skb_dequeue(&tp->wq);
		if (syn) {
			if (!(TCP_SKB_CB(syn)->sacked & TCPCB_EVER_RETRANS))
				tcp_rtt_sample(tp, (ktime_mono_ns() - TCP_SKB_CB(syn)->when) / 1000);
			tp->inet.wmem -= skb_truesize(syn);
			kfree_skb(syn);
		}
		tp->snd_una = cb->ack_seq;
		tp->packets_out = 0;
		tp->retrans_out = 0;
		tp->retransmits = 0;
		tp->backoff = 0;
		tp->retrans_stamp = 0;
		tcp_rearm_rto(tp);
		tp->send_head = tp->wq.qlen ? skb_peek(&tp->wq) : NULL;
		established(tp, th, cb);
		TCP_INC_STATS(TCP_MIB_ACTIVEOPENS);
		tp->quickack = 16;
		tcp_wake(tp);
		skb_pull(skb, th->doff * 4u);
		cb->seq++;	/* past the SYN */
		if (skb->len || th->fin) {
			tcp_data_queue(tp, skb);
			skb = NULL;
		}
		tcp_send_ack(tp);
		tcp_push(tp, 0);
		goto drop;
	}
	if (th->rst)
		goto drop;
	if (th->syn) {
		/* simultaneous open: answer with SYN-ACK, wait for its ACK */
		tp->irs = cb->seq;
		tp->rcv_nxt = tp->copied_seq = tp->rcv_wup = cb->seq + 1;
		tp->wscale_ok = tp->wscale_ok && o->wscale >= 0;
		tp->snd_wscale = tp->wscale_ok ? (uint8_t)o->wscale : 0;
		if (!tp->wscale_ok)
			tp->rcv_wscale = 0;
		tp->sack_ok = tp->sack_ok && o->sack_ok;
		tp->tstamp_ok = tp->tstamp_ok && o->saw_tstamp;
		if (tp->tstamp_ok)
			tp->ts_recent = o->tsval;
		tp->rx_mss = o->mss ? o->mss : TCP_MSS_DEFAULT;
		tp->snd_wnd = ntohs(th->window);
		tp->snd_wl1 = cb->seq;
		tcp_set_state(tp, TCP_SYN_RECV);
		struct sk_buff *syn = skb_peek(&tp->wq);
		if (syn) {
			TCP_SKB_CB(syn)->flags |= TCPHDR_ACK;
			tcp_retransmit_skb(tp, syn);
		}
	}
drop:
	kfree_skb(skb);
}

/* TIME_WAIT (tcp_timewait_state_process): true if skb is a new SYN that
 * may open a new connection (the caller hands it to the listener). */
bool tcp_tw_rcv(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcphdr *th = (struct tcphdr *)skb->data;
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	if (th->rst) {
		if (!sysctl_tcp_rfc1337)
			tcp_done(tp);
		kfree_skb(skb);
		return false;
	}
	if (th->syn && !th->ack && after(cb->seq, tp->rcv_nxt)) {
		tcp_done(tp);
		return true;
	}
	if (th->syn || th->fin || cb->end_seq != cb->seq || !th->ack) {
		/* a retransmitted FIN (our ACK was lost) or stray data: ACK and restart */
		if (th->fin && cb->end_seq == tp->rcv_nxt)
			ktimer_arm(&tp->ka_timer, ktime_mono_ns() + TCP_TIMEWAIT_NS);
		if (th->ack || th->syn)
			tcp_send_ack(tp);
	}
	kfree_skb(skb);
	return false;
}

/* Every other state (tcp_rcv_state_process / tcp_rcv_established). */
void tcp_rcv_segment(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcphdr *th = (struct tcphdr *)skb->data;
	struct tcp_cb *cb = TCP_SKB_CB(skb);
	struct tcp_opts o;
	tcp_parse_options(th, &o);
	tp->segs_in++;
	if (tp->state == TCP_CLOSE) {
		tcp_send_reset_reply(skb);
		goto drop;
	}
	if (tp->state == TCP_SYN_SENT) {
		rcv_synsent(tp, skb, th, &o);
		return;
	}
	/* 1. sequence */
	bool acceptable = !before(cb->end_seq, tp->rcv_wup) &&
			  !after(cb->seq, tp->rcv_nxt + tcp_receive_window(tp));
	if (!acceptable) {
		if (!th->rst) {
			if (tp->state == TCP_SYN_RECV && th->syn && cb->seq == tp->irs) {
				/* the SYN again: our SYN-ACK was lost */
				struct sk_buff *syn = skb_peek(&tp->wq);
				if (syn && (TCP_SKB_CB(syn)->flags & TCPHDR_SYN))
					tcp_retransmit_skb(tp, syn);
			} else {
				tcp_send_ack(tp);	/* a duplicate ACK tells the peer where we are */
			}
		}
		goto drop;
	}
	/* 2. RST (RFC 5961: only exactly at rcv_nxt; else a challenge ACK) */
	if (th->rst) {
		if (cb->seq == tp->rcv_nxt || (tp->state == TCP_SYN_RECV && tp->parent)) {
			tcp_reset(tp);
		} else {
			TCPEXT_INC(LINUX_MIB_TCPCHALLENGEACK);
			tcp_send_ack(tp);
		}
		goto drop;
	}
	/* 3. SYN in a synchronized state: a challenge ACK */
	if (th->syn) {
		if (tp->state == TCP_SYN_RECV && cb->seq == tp->irs) {
			struct sk_buff *syn = skb_peek(&tp->wq);
			if (syn && (TCP_SKB_CB(syn)->flags & TCPHDR_SYN))
				tcp_retransmit_skb(tp, syn);
		} else {
			TCPEXT_INC(LINUX_MIB_TCPCHALLENGEACK);
			tcp_send_ack(tp);
		}
		goto drop;
	}
	/* 4. ACK */
	if (!th->ack)
		goto drop;
	if (tp->state == TCP_SYN_RECV) {
		if (!after(cb->ack_seq, tp->snd_una) || after(cb->ack_seq, tp->snd_nxt)) {
			tcp_send_reset_reply(skb);
			goto drop;
		}
		if (tp->parent && tp->parent->acceptq_len > tp->parent->backlog) {
			/* the accept queue is full: as if the ACK were lost */
			TCPEXT_INC(LINUX_MIB_LISTENOVERFLOWS);
			TCPEXT_INC(LINUX_MIB_LISTENDROPS);
			goto drop;
		}
		if (o.saw_tstamp && tp->tstamp_ok)
			tp->ts_recent = o.tsval;
		established(tp, th, cb);
		if (tp->parent)
			tcp_child_established(tp);
		tcp_wake(tp);
	}
	if (!tcp_ack(tp, skb, th, &o)) {
		tcp_send_ack(tp);
		goto drop;
	}
	if (tp->state == TCP_CLOSE)
		goto drop;
	tp->lrcvtime = ktime_mono_ns();
	if (tp->probes_out && tp->pending != TIMER_PROBE)
		tp->probes_out = 0;
	/* our FIN acknowledged? */
	bool fin_acked = tp->fin_queued && tp->snd_una == tp->write_seq;
	switch (tp->state) {
	case TCP_FIN_WAIT1:
		if (fin_acked) {
			tcp_set_state(tp, TCP_FIN_WAIT2);
			tp->shutdown |= SEND_SHUTDOWN;
			tcp_wake(tp);
			if (tp->orphan) {
				int t = tp->linger2 ? tp->linger2 : sysctl_tcp_fin_timeout;
				if (t < 0) {
					tcp_send_active_reset(tp);
					tcp_done(tp);
					goto drop;
				}
				tcp_time_wait(tp, TCP_FIN_WAIT2, (int64_t)t * 1000000000ll);
			}
		}
		break;
	case TCP_CLOSING:
		if (fin_acked)
			tcp_time_wait(tp, TCP_TIME_WAIT, TCP_TIMEWAIT_NS);
		break;
	case TCP_LAST_ACK:
		if (fin_acked) {
			tcp_done(tp);
			goto drop;
		}
		break;
	}
	/* 5. data and FIN */
	skb_pull(skb, th->doff * 4u);
	switch (tp->state) {
	case TCP_CLOSE:
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
	case TCP_TIME_WAIT:
		/* the peer's FIN was taken: nothing more may come */
		goto out;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		if (tp->orphan && after(cb->end_seq - (th->fin ? 1 : 0), tp->rcv_nxt) && cb->end_seq != cb->seq) {
			/* data for a socket nobody can read any more */
			TCPEXT_INC(LINUX_MIB_TCPABORTONDATA);
			tcp_send_active_reset(tp);
			tcp_done(tp);
			goto drop;
		}
		break;
	}
	tcp_data_queue(tp, skb);
	skb = NULL;
out:
	if (tp->state != TCP_CLOSE) {
		ack_snd_check(tp);
		tcp_push(tp, 0);
	}
drop:
	kfree_skb(skb);
}
