/* SOL_TCP options (Linux's do_tcp_setsockopt / do_tcp_getsockopt) and
 * TCP_INFO. Options Linux has that umk does not implement are refused
 * with ENOPROTOOPT and logged once. */
#include <umk/uaccess.h>
#include "tcp.h"

#define MAX_TCP_KEEPIDLE 32767
#define MAX_TCP_KEEPINTVL 32767
#define MAX_TCP_KEEPCNT 127
#define MAX_TCP_SYNCNT 127

int tcp_setsockopt(struct inet_sock *sk, int level, int name, uaddr_t val, int len)
{
	struct tcp_sock *tp = tcp_sk(sk);
	if (level != SOL_TCP)
		return -ENOPROTOOPT;
	if (name == TCP_CONGESTION) {
		char buf[16];
		int n = MIN(len, (int)sizeof(buf) - 1);
		if (n <= 0)
			return -EINVAL;
		if (copy_from_user(buf, val, n))
			return -EFAULT;
		buf[n] = 0;
		const struct tcp_cong_ops *ops = tcp_cong_find(buf);
		if (!ops)
			return -ENOENT;
		if (ops != tp->cong)
			tcp_cong_init(tp, ops);
		return 0;
	}
	if (len < (int)sizeof(int))
		return -EINVAL;
	int v;
	if (copy_from_user(&v, val, sizeof(v)))
		return -EFAULT;
	switch (name) {
	case TCP_NODELAY:
		tp->nodelay = v != 0;
		if (v)
			tcp_push(tp, 1);
		return 0;
	case TCP_CORK:
		tp->corked = v != 0;
		if (!v)
			tcp_push(tp, 2);
		return 0;
	case TCP_MAXSEG:
		if (v && (v < 88 || v > 65535 - 40))
			return -EINVAL;
		tp->user_mss = (uint16_t)v;
		return 0;
	case TCP_KEEPIDLE:
		if (v < 1 || v > MAX_TCP_KEEPIDLE)
			return -EINVAL;
		tp->keepidle = v;
		tcp_reset_keepalive(tp);
		return 0;
	case TCP_KEEPINTVL:
		if (v < 1 || v > MAX_TCP_KEEPINTVL)
			return -EINVAL;
		tp->keepintvl = v;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > MAX_TCP_KEEPCNT)
			return -EINVAL;
		tp->keepcnt = v;
		return 0;
	case TCP_SYNCNT:
		if (v < 1 || v > MAX_TCP_SYNCNT)
			return -EINVAL;
		tp->syncnt = v;
		return 0;
	case TCP_LINGER2:
		tp->linger2 = v < 0 ? -1 : v > sysctl_tcp_fin_timeout * 2 ? 0 : v;
		return 0;
	case TCP_DEFER_ACCEPT:
		tp->defer_accept = v < 0 ? 0 : v;
		return 0;
	case TCP_WINDOW_CLAMP:
		if (!v) {
			if (tp->state != TCP_CLOSE)
				return -EINVAL;
			tp->window_clamp = 0;
		} else {
			tp->window_clamp = v < 2304 / 2 ? 2304 / 2 : v;	/* SOCK_MIN_RCVBUF / 2 */
		}
		return 0;
	case TCP_QUICKACK:
		if (v)
			tp->quickack = 16;
		else
			tp->quickack = 0;
		if (v && tp->ack_pending)
			tcp_send_ack(tp);
		return 0;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			return -EINVAL;
		tp->user_timeout_ms = (uint32_t)v;
		return 0;
	case TCP_NOTSENT_LOWAT:
		tp->notsent_lowat = v ? (uint32_t)v : 0xFFFFFFFFu;
		tcp_wake(tp);
		return 0;
	case TCP_THIN_LINEAR_TIMEOUTS:
	case TCP_THIN_DUPACK:
		return v < 0 || v > 1 ? -EINVAL : 0;
	}
	printk_once_key("tcp-sockopt", KERN_NOTICE "TCP socket option %d is not implemented: ENOPROTOOPT\n", name);
	return -ENOPROTOOPT;
}

static void fill_info(struct tcp_sock *tp, struct tcp_info *i)
{
	memset(i, 0, sizeof(*i));
	int64_t now = ktime_mono_ns();
	i->tcpi_state = (uint8_t)tp->state;
	i->tcpi_ca_state = (uint8_t)tp->ca_state;
	i->tcpi_retransmits = (uint8_t)tp->retransmits;
	i->tcpi_probes = (uint8_t)tp->probes_out;
	i->tcpi_backoff = (uint8_t)tp->backoff;
	if (tp->state == TCP_LISTEN) {
		i->tcpi_unacked = (uint32_t)tp->acceptq_len;
		i->tcpi_sacked = (uint32_t)tp->backlog;
		return;
	}
	if (tp->tstamp_ok)
		i->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tp->sack_ok)
		i->tcpi_options |= TCPI_OPT_SACK;
	if (tp->wscale_ok) {
		i->tcpi_options |= TCPI_OPT_WSCALE;
		i->tcpi_snd_wscale = tp->snd_wscale & 0xf;
		i->tcpi_rcv_wscale = tp->rcv_wscale & 0xf;
	}
	i->tcpi_rto = tp->rto_us;
	i->tcpi_ato = tp->delack_timer.armed ? TCP_DELACK_MIN_US : 0;
	i->tcpi_snd_mss = tp->mss_cache;
	i->tcpi_rcv_mss = tp->rcv_mss ? tp->rcv_mss : MIN((uint32_t)tp->advmss, (uint32_t)TCP_MSS_DEFAULT);
	i->tcpi_unacked = tp->packets_out;
	i->tcpi_sacked = tp->sacked_out;
	i->tcpi_lost = tp->lost_out;
	i->tcpi_retrans = tp->retrans_out;
	i->tcpi_last_data_sent = tp->lsndtime ? (uint32_t)((now - tp->lsndtime) / 1000000) : 0;
	i->tcpi_last_data_recv = tp->lrcvtime ? (uint32_t)((now - tp->lrcvtime) / 1000000) : 0;
	i->tcpi_last_ack_recv = i->tcpi_last_data_recv;
	i->tcpi_pmtu = tp->mss_full ? tp->mss_full + 20 : 0;
	i->tcpi_rcv_ssthresh = tp->rcv_ssthresh;
	i->tcpi_rtt = tp->srtt_us >> 3;
	i->tcpi_rttvar = tp->rttvar_us >> 2;
	i->tcpi_snd_ssthresh = tp->ssthresh;
	i->tcpi_snd_cwnd = tp->cwnd;
	i->tcpi_advmss = tp->advmss;
	i->tcpi_reordering = tp->reordering;
	i->tcpi_rcv_rtt = tp->rcv_rtt_us;
	i->tcpi_rcv_space = tp->rcv_space;
	i->tcpi_total_retrans = tp->total_retrans;
	i->tcpi_bytes_acked = tp->bytes_acked;
	i->tcpi_bytes_received = tp->bytes_received;
	i->tcpi_segs_out = tp->segs_out;
	i->tcpi_segs_in = tp->segs_in;
	i->tcpi_notsent_bytes = tcp_notsent(tp);
	i->tcpi_min_rtt = tp->min_rtt_us;
	i->tcpi_data_segs_in = tp->data_segs_in;
	i->tcpi_data_segs_out = tp->data_segs_out;
	i->tcpi_delivered = tp->delivered;
	i->tcpi_bytes_sent = tp->bytes_sent;
	i->tcpi_bytes_retrans = tp->bytes_retrans;
	i->tcpi_snd_wnd = tp->snd_wnd;
}

int tcp_getsockopt(struct inet_sock *sk, int level, int name, uaddr_t val, uaddr_t ulen)
{
	struct tcp_sock *tp = tcp_sk(sk);
	if (level != SOL_TCP)
		return -ENOPROTOOPT;
	int len;
	int err = get_user_optlen(ulen, &len);
	if (err)
		return err;
	if (name == TCP_INFO) {
		struct tcp_info info;
		fill_info(tp, &info);
		len = MIN(len, (int)sizeof(info));
		if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(val, &info, len))
			return -EFAULT;
		return 0;
	}
	if (name == TCP_CONGESTION) {
		char buf[16] = { 0 };
		memcpy(buf, tp->cong->name, strlen(tp->cong->name));
		len = MIN(len, 16);
		if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(val, buf, len))
			return -EFAULT;
		return 0;
	}
	int v;
	switch (name) {
	case TCP_NODELAY: v = tp->nodelay; break;
	case TCP_CORK: v = tp->corked; break;
	case TCP_MAXSEG:
		v = tp->state == TCP_CLOSE || tp->state == TCP_LISTEN ? (tp->user_mss ? (int)tp->user_mss : (int)TCP_MSS_DEFAULT)
								   : (int)tp->mss_cache;
		break;
	case TCP_KEEPIDLE: v = tp->keepidle ? tp->keepidle : sysctl_tcp_keepalive_time; break;
	case TCP_KEEPINTVL: v = tp->keepintvl ? tp->keepintvl : sysctl_tcp_keepalive_intvl; break;
	case TCP_KEEPCNT: v = tp->keepcnt ? tp->keepcnt : sysctl_tcp_keepalive_probes; break;
	case TCP_SYNCNT: v = tp->syncnt ? tp->syncnt : sysctl_tcp_syn_retries; break;
	case TCP_LINGER2: v = tp->linger2 ? (tp->linger2 < 0 ? -1 : tp->linger2) : sysctl_tcp_fin_timeout; break;
	case TCP_DEFER_ACCEPT: v = tp->defer_accept; break;
	case TCP_WINDOW_CLAMP: v = tp->window_clamp; break;
	case TCP_QUICKACK: v = tp->quickack > 0; break;
	case TCP_USER_TIMEOUT: v = (int)tp->user_timeout_ms; break;
	case TCP_NOTSENT_LOWAT: v = tp->notsent_lowat == 0xFFFFFFFFu ? 0 : (int)tp->notsent_lowat; break;
	case TCP_THIN_LINEAR_TIMEOUTS: case TCP_THIN_DUPACK: v = 0; break;
	default:
		printk_once_key("tcp-getsockopt", KERN_NOTICE "TCP socket option %d is not implemented: ENOPROTOOPT\n",
				name);
		return -ENOPROTOOPT;
	}
	len = MIN(len, (int)sizeof(int));
	if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(val, &v, len))
		return -EFAULT;
	return 0;
}
