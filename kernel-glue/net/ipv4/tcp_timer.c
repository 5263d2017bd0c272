/* TCP timers (Linux's tcp_timer.c): retransmission with exponential
 * backoff (and the give-up rules of tcp_syn_retries, tcp_retries2 and
 * TCP_USER_TIMEOUT), zero-window probes, delayed ACKs, keepalive, and
 * the timed states FIN_WAIT2 and TIME_WAIT. The keepalive timer also
 * times those states, as Linux's does. */
#include "tcp.h"

static void rtx_fire(struct ktimer *t);
static void delack_fire(struct ktimer *t);
static void ka_fire(struct ktimer *t);

void tcp_init_timers(struct tcp_sock *tp)
{
	ktimer_init(&tp->rtx_timer, rtx_fire, tp);
	ktimer_init(&tp->delack_timer, delack_fire, tp);
	ktimer_init(&tp->ka_timer, ka_fire, tp);
}

void tcp_stop_timers(struct tcp_sock *tp)
{
	ktimer_cancel(&tp->rtx_timer);
	ktimer_cancel(&tp->delack_timer);
	ktimer_cancel(&tp->ka_timer);
	tp->pending = TIMER_NONE;
}

void tcp_reset_rtx_timer(struct tcp_sock *tp, int what, uint32_t us)
{
	if (us > TCP_RTO_MAX_US)
		us = TCP_RTO_MAX_US;
	tp->pending = what;
	ktimer_arm(&tp->rtx_timer, ktime_mono_ns() + (int64_t)us * 1000);
}

void tcp_rearm_rto(struct tcp_sock *tp)
{
	if (!tp->packets_out) {
		if (tp->pending == TIMER_RTO) {
			ktimer_cancel(&tp->rtx_timer);
			tp->pending = TIMER_NONE;
		}
		return;
	}
	tcp_reset_rtx_timer(tp, TIMER_RTO, tp->rto_us);
}

void tcp_schedule_delack(struct tcp_sock *tp)
{
	if (tp->delack_timer.armed)
		return;
	uint32_t ato = TCP_DELACK_MIN_US;
	if (tp->srtt_us) {
		uint32_t rtt = tp->srtt_us >> 3;
		if (rtt > ato)
			ato = MIN(rtt, (uint32_t)TCP_DELACK_MAX_US);
	}
	ktimer_arm(&tp->delack_timer, ktime_mono_ns() + (int64_t)ato * 1000);
}

/* The time the connection gives a segment before it gives up: TCP_USER_TIMEOUT,
 * or tcp_retries2's backoff sum as Linux computes it (retransmits_timed_out). */
static bool timed_out(struct tcp_sock *tp, int boundary)
{
	if (!tp->retrans_stamp)
		return false;
	int64_t elapsed_us = (ktime_mono_ns() - tp->retrans_stamp) / 1000;
	if (tp->user_timeout_ms)
		return elapsed_us >= (int64_t)tp->user_timeout_ms * 1000;
	int64_t rto_base = tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV ? TCP_TIMEOUT_INIT_US : TCP_RTO_MIN_US;
	int thresh = 9;	/* ilog2(TCP_RTO_MAX / TCP_RTO_MIN) */
	int64_t timeout;
	if (boundary <= thresh)
		timeout = ((2ll << boundary) - 1) * rto_base;
	else
		timeout = ((2ll << thresh) - 1) * rto_base + (boundary - thresh) * (int64_t)TCP_RTO_MAX_US;
	return elapsed_us >= timeout;
}

static void write_err(struct tcp_sock *tp)
{
	int err = tp->err_soft ? tp->err_soft : ETIMEDOUT;
	TCPEXT_INC(LINUX_MIB_TCPABORTONTIMEOUT);
	tcp_set_error(tp, err);
	tcp_done(tp);
}

static void retransmit_timer(struct tcp_sock *tp)
{
	if (!tp->packets_out)
		return;
	if (tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV) {
		int retries = tp->syncnt ? tp->syncnt
					 : tp->state == TCP_SYN_SENT ? sysctl_tcp_syn_retries : sysctl_tcp_synack_retries;
		if (tp->retransmits >= retries || (tp->user_timeout_ms && timed_out(tp, retries))) {
			if (tp->state == TCP_SYN_RECV && tp->parent) {
				tcp_done(tp);	/* an embryo that never completed */
				return;
			}
			write_err(tp);
			return;
		}
	} else if (timed_out(tp, tp->orphan ? 8 : sysctl_tcp_retries2)) {
		write_err(tp);
		return;
	}
	TCPEXT_INC(LINUX_MIB_TCPTIMEOUTS);
	if (tp->state != TCP_SYN_SENT && tp->state != TCP_SYN_RECV)
		tcp_enter_loss(tp);
	struct sk_buff *head = list_first_entry(&tp->wq.list, struct sk_buff, list);
	if (tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV) {
		TCP_SKB_CB(head)->sacked &= (uint8_t)~TCPCB_RETRANS;
		tp->retrans_out = 0;
	}
	tcp_retransmit_skb(tp, head);
	if (tp->state == TCP_CLOSE)
		return;
	tp->backoff++;
	tp->retransmits++;
	uint64_t rto = (uint64_t)tp->rto_us << (tp->backoff > 16 ? 16 : tp->backoff);
	tcp_reset_rtx_timer(tp, TIMER_RTO, rto > TCP_RTO_MAX_US ? TCP_RTO_MAX_US : (uint32_t)rto);
}

/* Zero window: probe with an old sequence so the peer answers with its window. */
static void probe_timer(struct tcp_sock *tp)
{
	if (tp->packets_out || !tp->send_head) {
		tp->probes_out = 0;
		return;
	}
	if (tp->snd_wnd) {
		tcp_push(tp, 1);
		return;
	}
	int max = tp->orphan ? 8 : sysctl_tcp_retries2;
	if (tp->user_timeout_ms) {
		int64_t idle = (ktime_mono_ns() - tp->lrcvtime) / 1000000;
		if (idle >= tp->user_timeout_ms) {
			write_err(tp);
			return;
		}
	} else if (tp->probes_out > max) {
		write_err(tp);
		return;
	}
	tcp_send_probe(tp);
	tp->probes_out++;
	tp->backoff++;
	uint64_t t = (uint64_t)tp->rto_us << (tp->backoff > 16 ? 16 : tp->backoff);
	tcp_reset_rtx_timer(tp, TIMER_PROBE, t > TCP_RTO_MAX_US ? TCP_RTO_MAX_US : (uint32_t)t);
}

static void rtx_fire(struct ktimer *t)
{
	struct tcp_sock *tp = t->data;
	int what = tp->pending;
	tp->pending = TIMER_NONE;
	if (tp->state == TCP_CLOSE || tp->state == TCP_LISTEN)
		return;
	inet_sock_hold(&tp->inet);
	if (what == TIMER_RTO)
		retransmit_timer(tp);
	else if (what == TIMER_PROBE)
		probe_timer(tp);
	else if (what == TIMER_REO)
		tcp_rack_reo_timeout(tp);
	tcp_drop_ref(tp);
}

static void delack_fire(struct ktimer *t)
{
	struct tcp_sock *tp = t->data;
	if (!tp->ack_pending || tp->state == TCP_CLOSE || tp->state == TCP_LISTEN)
		return;
	inet_sock_hold(&tp->inet);
	tcp_send_ack(tp);
	tcp_drop_ref(tp);
}

static int64_t keepalive_time_ns(struct tcp_sock *tp)
{
	return (int64_t)(tp->keepidle ? tp->keepidle : sysctl_tcp_keepalive_time) * 1000000000ll;
}

void tcp_reset_keepalive(struct tcp_sock *tp)
{
	struct socket *s = tp_sock(tp);
	if (!s || !(s->flags & SOCKF_KEEPALIVE) || tp->state == TCP_LISTEN || tp->state == TCP_CLOSE ||
	    tp->state == TCP_SYN_SENT) {
		if (tp->state != TCP_TIME_WAIT && tp->state != TCP_FIN_WAIT2)
			ktimer_cancel(&tp->ka_timer);
		return;
	}
	tp->probes_out = 0;
	ktimer_arm(&tp->ka_timer, ktime_mono_ns() + keepalive_time_ns(tp));
}

/* Enter a timed state: FIN_WAIT2 of an orphan, or TIME_WAIT, for ns.
 * TIME_WAIT is kept by a new small socket that holds the 4-tuple while
 * the user's socket goes to CLOSE, as Linux's timewait sockets. */
void tcp_time_wait(struct tcp_sock *tp, int state, int64_t ns)
{
	if (state == TCP_TIME_WAIT) {
		struct tcp_sock *tw = tcp_alloc_sock();
		if (tw) {
			struct inet_sock *sk = &tw->inet;
			sk->rcv_saddr = tp->inet.rcv_saddr;
			sk->saddr = tp->inet.saddr;
			sk->daddr = tp->inet.daddr;
			sk->dport = tp->inet.dport;
			sk->uid = tp->inet.uid;
			sk->tos = tp->inet.tos;
			sk->uc_ttl = tp->inet.uc_ttl;
			tw->rcv_nxt = tp->rcv_nxt;
			tw->snd_nxt = tw->snd_una = tw->write_seq = tp->snd_nxt;
			tw->snd_wnd = tp->snd_wnd;
			tw->rcv_wscale = tp->rcv_wscale;
			tw->rcv_wnd = tp->rcv_wnd;
			tw->rcv_wup = tp->rcv_wup;
			tw->tstamp_ok = tp->tstamp_ok;
			tw->ts_recent = tp->ts_recent;
			tw->ts_offset = tp->ts_offset;
			tw->orphan = true;
			tw->bound_by_connect = tp->bound_by_connect;
			uint16_t num = tp->inet.num;
			tcp_done(tp);	/* the user's socket: CLOSE */
			tcp_bind_hash_child(tw, num);
			tcp_set_state(tw, TCP_TIME_WAIT);
			tcp_ehash_add(tw);
			ktimer_arm(&tw->ka_timer, ktime_mono_ns() + ns);
			tcp_drop_ref(tw);	/* the creation reference: the connection's own keeps it */
			return;
		}
	}
	tcp_set_state(tp, state);
	ktimer_cancel(&tp->rtx_timer);
	tp->pending = TIMER_NONE;
	ktimer_cancel(&tp->delack_timer);
	ktimer_arm(&tp->ka_timer, ktime_mono_ns() + ns);
}

static void ka_fire(struct ktimer *t)
{
	struct tcp_sock *tp = t->data;
	inet_sock_hold(&tp->inet);
	if (tp->state == TCP_TIME_WAIT || (tp->state == TCP_FIN_WAIT2 && tp->orphan)) {
		tcp_done(tp);
	} else if (tp->state == TCP_SYN_RECV) {
		/* nothing: the retransmit timer ends an embryo */
	} else if (tp_sock(tp) && (tp_sock(tp)->flags & SOCKF_KEEPALIVE) && tp->state != TCP_CLOSE &&
		   tp->state != TCP_LISTEN) {
		int64_t now = ktime_mono_ns();
		int64_t idle = now - MAX(tp->lrcvtime, tp->lsndtime);
		int64_t intvl = (int64_t)(tp->keepintvl ? tp->keepintvl : sysctl_tcp_keepalive_intvl) * 1000000000ll;
		int cnt = tp->keepcnt ? tp->keepcnt : sysctl_tcp_keepalive_probes;
		if (tp->packets_out || tp->send_head) {
			ktimer_arm(&tp->ka_timer, now + keepalive_time_ns(tp));
		} else if (idle >= keepalive_time_ns(tp) + (int64_t)tp->probes_out * intvl) {
			if ((tp->user_timeout_ms && idle >= (int64_t)tp->user_timeout_ms * 1000000 && tp->probes_out) ||
			    (!tp->user_timeout_ms && tp->probes_out >= cnt)) {
				tcp_set_error(tp, tp->err_soft ? tp->err_soft : ETIMEDOUT);
				tcp_send_active_reset(tp);
				tcp_done(tp);
			} else {
				tcp_send_probe(tp);
				tp->probes_out++;
				ktimer_arm(&tp->ka_timer, now + intvl);
			}
		} else {
			ktimer_arm(&tp->ka_timer, now + keepalive_time_ns(tp) + (int64_t)tp->probes_out * intvl - idle);
		}
	}
	tcp_drop_ref(tp);
}
