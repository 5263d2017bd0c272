/* TCP congestion control: NewReno (RFC 5681, RFC 6582) with Linux's
 * byte-counting slow start, and the RTT estimator and retransmission
 * timeout of RFC 6298 (Linux's tcp_rtt_estimator and tcp_set_rto). */
#include "tcp.h"

void tcp_cong_avoid(struct tcp_sock *tp, uint32_t acked)
{
	if (tp->ca_state >= TCP_CA_Recovery)
		return;
	/* only when the window is the limit (tcp_is_cwnd_limited) */
	if (tcp_packets_in_flight(tp) + acked < tp->cwnd && tp->cwnd >= TCP_INIT_CWND)
		return;
	if (tp->cwnd < tp->ssthresh) {
		/* slow start: one segment per segment acknowledged */
		uint32_t c = tp->cwnd + acked;
		if (c > tp->ssthresh)
			acked = c - tp->ssthresh, c = tp->ssthresh;
		else
			acked = 0;
		tp->cwnd = c;
		if (!acked)
			return;
	}
	/* congestion avoidance: one segment per window */
	tp->cwnd_cnt += acked;
	if (tp->cwnd_cnt >= tp->cwnd) {
		tp->cwnd_cnt -= tp->cwnd;
		tp->cwnd++;
	}
	if (tp->cwnd > 100000)
		tp->cwnd = 100000;
}

uint32_t tcp_recalc_ssthresh(const struct tcp_sock *tp)
{
	return MAX(tp->cwnd >> 1, 2u);
}

/* The retransmission timeout fired: everything in flight is lost. */
void tcp_enter_loss(struct tcp_sock *tp)
{
	if (tp->ca_state < TCP_CA_Recovery || tp->ca_state == TCP_CA_Loss) {
		if (tp->ca_state != TCP_CA_Loss || !tp->retransmits) {
			tp->prior_ssthresh = tp->ssthresh;
			tp->ssthresh = tcp_recalc_ssthresh(tp);
		}
	}
	tp->prior_cwnd = tp->cwnd;
	tp->cwnd = 1;
	tp->cwnd_cnt = 0;
	tp->retrans_out = 0;
	tp->lost_out = 0;
	struct sk_buff *skb;
	list_for_each_entry(skb, &tp->wq.list, list) {
		if (skb == tp->send_head)
			break;
		struct tcp_cb *cb = TCP_SKB_CB(skb);
		cb->sacked &= (uint8_t)~TCPCB_RETRANS;
		if (!(cb->sacked & TCPCB_SACKED)) {
			cb->sacked |= TCPCB_LOST;
			tp->lost_out++;
			tp->lost_total++;
		} else {
			cb->sacked &= (uint8_t)~TCPCB_LOST;
		}
	}
	tp->high_seq = tp->snd_nxt;
	tp->ca_state = TCP_CA_Loss;
	tp->dupacks = 0;
}

/* One RTT measurement (RFC 6298 2.2/2.3, with Linux's mdev handling). */
void tcp_rtt_sample(struct tcp_sock *tp, int64_t rtt_us)
{
	if (rtt_us <= 0)
		rtt_us = 1;
	uint32_t m = (uint32_t)MIN(rtt_us, (int64_t)TCP_RTO_MAX_US);
	tp->last_rtt_us = m;
	if (!tp->min_rtt_us || m < tp->min_rtt_us)
		tp->min_rtt_us = m;
	if (!tp->srtt_us) {
		tp->srtt_us = m << 3;	/* srtt kept x8 */
		tp->rttvar_us = m << 1;	/* rttvar kept x4: R/2 */
	} else {
		int32_t err = (int32_t)m - (int32_t)(tp->srtt_us >> 3);
		tp->srtt_us = (uint32_t)((int32_t)tp->srtt_us + err);
		if (err < 0)
			err = -err;
		tp->rttvar_us = (uint32_t)((int32_t)tp->rttvar_us + (err - (int32_t)(tp->rttvar_us >> 2)));
	}
	tcp_set_rto(tp);
}

void tcp_set_rto(struct tcp_sock *tp)
{
	/* RTO = SRTT + max(G, 4 RTTVAR), at least 200 ms (Linux's RTO_MIN) */
	uint32_t var = tp->rttvar_us;	/* = 4 * RTTVAR */
	if (var < TCP_RTO_MIN_US)
		var = TCP_RTO_MIN_US;
	uint64_t rto = (tp->srtt_us >> 3) + (uint64_t)var;
	if (rto > TCP_RTO_MAX_US)
		rto = TCP_RTO_MAX_US;
	tp->rto_us = (uint32_t)rto;
}
