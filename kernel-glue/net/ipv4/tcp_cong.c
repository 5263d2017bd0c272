/* TCP congestion control: Linux's byte-counting slow start, shared by
 * the algorithms (CUBIC, the default, in tcp_cubic.c; Reno here), which
 * a socket picks with TCP_CONGESTION and the system with
 * net.ipv4.tcp_congestion_control; and the RTT estimator and
 * retransmission timeout of RFC 6298 (Linux's tcp_rtt_estimator and
 * tcp_set_rto). */
#include <umk/proc.h>
#include "tcp.h"

void tcp_cong_avoid_ai(struct tcp_sock *tp, uint32_t cnt, uint32_t acked)
{
	if (tp->cwnd_cnt >= cnt) {	/* cnt shrank: catch up at once */
		tp->cwnd_cnt = 0;
		tp->cwnd++;
	}
	tp->cwnd_cnt += acked;
	if (tp->cwnd_cnt >= cnt) {
		uint32_t delta = tp->cwnd_cnt / cnt;
		tp->cwnd_cnt -= delta * cnt;
		tp->cwnd += delta;
	}
}

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
	tp->cong->cong_avoid(tp, acked);
	if (tp->cwnd > 100000)
		tp->cwnd = 100000;
}

uint32_t tcp_recalc_ssthresh(struct tcp_sock *tp)
{
	return tp->cong->ssthresh(tp);
}

/* Reno (RFC 5681): one segment per window, half the window on a loss */
static uint32_t reno_ssthresh(struct tcp_sock *tp)
{
	return MAX(tp->cwnd >> 1, 2u);
}

static void reno_cong_avoid(struct tcp_sock *tp, uint32_t acked)
{
	tcp_cong_avoid_ai(tp, tp->cwnd, acked);
}

static void reno_reset(struct tcp_sock *tp)
{
	(void)tp;
}

const struct tcp_cong_ops tcp_reno = { "reno", reno_ssthresh, reno_cong_avoid, reno_reset };

static const struct tcp_cong_ops *const algorithms[] = { &tcp_reno, &tcp_cubic_ops };
const struct tcp_cong_ops *tcp_cong_default = &tcp_cubic_ops;

const struct tcp_cong_ops *tcp_cong_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(algorithms); i++)
		if (!strcmp(algorithms[i]->name, name))
			return algorithms[i];
	return NULL;
}

void tcp_cong_init(struct tcp_sock *tp, const struct tcp_cong_ops *ops)
{
	tp->cong = ops;
	memset(&tp->cubic, 0, sizeof(tp->cubic));
	ops->reset(tp);
}

/* net.ipv4.tcp_congestion_control and the lists beside it */
static int cc_show(struct sbuf *o, void *data)
{
	(void)data;
	sbuf_printf(o, "%s\n", tcp_cong_default->name);
	return 0;
}

static int cc_write(const char *buf, size_t len, void *data)
{
	(void)data;
	char name[16];
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	if (!len || len >= sizeof(name))
		return -ENOENT;
	memcpy(name, buf, len);
	name[len] = 0;
	const struct tcp_cong_ops *ops = tcp_cong_find(name);
	if (!ops)
		return -ENOENT;
	tcp_cong_default = ops;
	return 0;
}

static int cc_list_show(struct sbuf *o, void *data)
{
	(void)data;
	for (size_t i = 0; i < ARRAY_SIZE(algorithms); i++)
		sbuf_printf(o, "%s%s", i ? " " : "", algorithms[i]->name);
	sbuf_printf(o, "\n");
	return 0;
}
DEFINE_PROC_FILE(tcp_congestion_control, "sys/net/ipv4/tcp_congestion_control", 0644, cc_show, cc_write, NULL);
DEFINE_PROC_FILE(tcp_available_cc, "sys/net/ipv4/tcp_available_congestion_control", 0444, cc_list_show, NULL, NULL);
DEFINE_PROC_FILE(tcp_allowed_cc, "sys/net/ipv4/tcp_allowed_congestion_control", 0444, cc_list_show, NULL, NULL);

/* The retransmission timeout fired: everything in flight is lost. */
void tcp_enter_loss(struct tcp_sock *tp)
{
	if (tp->ca_state < TCP_CA_Recovery || tp->ca_state == TCP_CA_Loss) {
		if (tp->ca_state != TCP_CA_Loss || !tp->retransmits) {
			tp->prior_ssthresh = tp->ssthresh;
			tp->ssthresh = tcp_recalc_ssthresh(tp);
		}
	}
	tp->cong->reset(tp);
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
