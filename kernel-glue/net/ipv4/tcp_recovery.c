/* RACK loss detection (RFC 8985, Linux's tcp_recovery.c), beside the
 * SACK scoreboard's count rule (tcp_input.c mark_lost): a segment is lost
 * when one sent after it has been delivered and more than an RTT and a
 * reordering window have passed since it was sent. Unlike counting
 * SACKed segments, this also finds a retransmission that was lost
 * again, which otherwise waits for the retransmission timeout: on a
 * lossy path that is most of the time a transfer takes. */
#include "tcp.h"

/* A segment newly ACKed or SACKed: the latest-sent delivered one moves. */
void tcp_rack_advance(struct tcp_sock *tp, const struct tcp_cb *cb, int64_t now)
{
	int64_t rtt_us = (now - cb->when) / 1000;
	/* an ACK quicker than any RTT seen is for the original, not for
	 * this retransmission: no evidence of when it was sent */
	if ((cb->sacked & TCPCB_EVER_RETRANS) && rtt_us < (int64_t)tp->min_rtt_us)
		return;
	if (cb->when > tp->rack_xmit || (cb->when == tp->rack_xmit && after(cb->end_seq, tp->rack_end_seq))) {
		tp->rack_xmit = cb->when;
		tp->rack_end_seq = cb->end_seq;
		tp->rack_rtt_us = (uint32_t)MAX(rtt_us, 1);
	}
}

/* Mark lost what was sent before the latest delivered segment and is
 * overdue; returns how many. The reordering window is a quarter of the
 * minimum RTT (RFC 8985 6.2), at most the smoothed RTT. */
int tcp_rack_mark_lost(struct tcp_sock *tp, int64_t now, uint32_t *wait_us)
{
	*wait_us = 0;
	if (!tp->rack_xmit)
		return 0;
	int64_t next = 0;
	uint32_t reo_us = MIN(tp->min_rtt_us / 4, tp->srtt_us >> 3);
	int64_t wait_ns = ((int64_t)tp->rack_rtt_us + reo_us) * 1000;
	int n = 0;
	struct sk_buff *skb;
	list_for_each_entry(skb, &tp->wq.list, list) {
		if (skb == tp->send_head)
			break;
		struct tcp_cb *cb = TCP_SKB_CB(skb);
		if (cb->sacked & TCPCB_SACKED)
			continue;
		if ((cb->sacked & TCPCB_LOST) && !(cb->sacked & TCPCB_RETRANS))
			continue;	/* already waiting to be sent again */
		bool sent_before = cb->when < tp->rack_xmit ||
				   (cb->when == tp->rack_xmit && before(cb->end_seq, tp->rack_end_seq));
		if (!sent_before)
			continue;
		if (now - cb->when < wait_ns) {
			/* not yet: the reordering timer comes back for it */
			int64_t left = cb->when + wait_ns - now;
			if (!next || left < next)
				next = left;
			continue;
		}
		if (cb->sacked & TCPCB_LOST) {
			/* a retransmission lost again: to be sent once more
			 * (it is still counted in lost_out) */
			cb->sacked &= (uint8_t)~TCPCB_RETRANS;
			tp->retrans_out--;
			TCPEXT_INC(LINUX_MIB_TCPLOSTRETRANSMIT);
		} else {
			cb->sacked |= TCPCB_LOST;
			tp->lost_out++;
			tp->lost_total++;
		}
		n++;
	}
	if (next)
		*wait_us = (uint32_t)MAX(next / 1000, 1);
	return n;
}

/* The reordering timer (Linux's tcp_rack_reo_timeout): no ACK came to
 * tell, but the time for what was pending has passed. */
void tcp_rack_reo_timeout(struct tcp_sock *tp)
{
	uint32_t wait_us;
	int n = tcp_rack_mark_lost(tp, ktime_mono_ns(), &wait_us);
	if (n) {
		if (tp->ca_state < TCP_CA_Recovery)
			tcp_enter_recovery(tp);
		tcp_xmit_retransmit_queue(tp);
	}
	if (tp->state == TCP_CLOSE)
		return;
	if (wait_us)
		tcp_reset_rtx_timer(tp, TIMER_REO, wait_us);
	else if (tp->pending == TIMER_NONE)
		tcp_rearm_rto(tp);
}
