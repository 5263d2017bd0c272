/* CUBIC congestion control (RFC 9438), Linux's default, following
 * Linux's tcp_cubic.c in integers: after a loss the window grows along
 * W(t) = C (t - K)^3 + W_max, flat near the window where the loss was
 * (W_max), then probing beyond it; never slower than Reno would be (the
 * "TCP-friendly" estimate). beta 717/1024 (0.7), C 0.4, fast convergence
 * on. Not here: HyStart (slow start ends at the first loss, as Reno's). */
#include "tcp.h"

#define BETA 717		/* /1024 */
#define BETA_SCALE 1024
#define HZ_SHIFT 10		/* time in 1/1024 s */
/* C = 0.4: 410/1024 */
#define CUBE_RTT_SCALE 410ull
/* K = cbrt(cube_factor * (W_max - cwnd)), in 1/1024 s */
#define CUBE_FACTOR ((1ull << (10 + 3 * HZ_SHIFT)) / CUBE_RTT_SCALE)
/* Reno's slope in CUBIC's units: 3 (1 - beta) / (1 + beta), x8 */
#define FRIENDLY_SCALE (8 * (BETA_SCALE + BETA) / 3 / (BETA_SCALE - BETA))

static uint32_t cube_root(uint64_t a)
{
	uint64_t lo = 0, hi = 1 << 22;	/* (2^22)^3 > 2^64: enough */
	while (lo < hi) {
		uint64_t mid = (lo + hi + 1) / 2;
		if (mid * mid * mid <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	return (uint32_t)lo;
}

static void cubic_reset(struct tcp_sock *tp)
{
	memset(&tp->cubic, 0, sizeof(tp->cubic));
}

static uint32_t cubic_ssthresh(struct tcp_sock *tp)
{
	struct tcp_cubic *ca = &tp->cubic;
	ca->epoch_start = 0;
	/* fast convergence: a flow that lost below its last W_max gives way */
	if (tp->cwnd < ca->last_max_cwnd)
		ca->last_max_cwnd = tp->cwnd * (BETA_SCALE + BETA) / (2 * BETA_SCALE);
	else
		ca->last_max_cwnd = tp->cwnd;
	return MAX(tp->cwnd * BETA / BETA_SCALE, 2u);
}

/* ca->cnt: how many segments ACKed per one more segment of window */
static void cubic_update(struct tcp_sock *tp, uint32_t acked)
{
	struct tcp_cubic *ca = &tp->cubic;
	uint32_t cwnd = tp->cwnd;
	int64_t now = ktime_mono_ns();
	ca->ack_cnt += acked;
	if (!ca->epoch_start) {
		ca->epoch_start = now;
		ca->ack_cnt = acked;
		ca->tcp_cwnd = cwnd;
		if (ca->last_max_cwnd <= cwnd) {
			ca->k = 0;
			ca->origin = cwnd;
		} else {
			ca->k = cube_root(CUBE_FACTOR * (ca->last_max_cwnd - cwnd));
			ca->origin = ca->last_max_cwnd;
		}
	}
	/* t: time in the epoch, one minimum RTT ahead (where the window
	 * will be when this one is acknowledged) */
	uint64_t t = (uint64_t)(now - ca->epoch_start) / 1000 + tp->min_rtt_us;
	t = (t << HZ_SHIFT) / 1000000;
	uint64_t offs = t < ca->k ? ca->k - t : t - ca->k;
	if (offs > (1u << 17))
		offs = 1u << 17;	/* 128 s from K: far beyond any window */
	uint64_t delta = (CUBE_RTT_SCALE * offs * offs * offs) >> (10 + 3 * HZ_SHIFT);
	uint64_t target = t < ca->k ? (ca->origin > delta ? ca->origin - delta : 0) : ca->origin + delta;
	if (target > cwnd)
		ca->cnt = (uint32_t)MAX(cwnd / (target - cwnd), 1ull);
	else
		ca->cnt = 100 * cwnd;	/* at the plateau: very slowly */
	if (!ca->last_max_cwnd && ca->cnt > 20)
		ca->cnt = 20;	/* no loss yet: grow at least 5 % a window */
	/* never slower than Reno */
	uint32_t per = (cwnd * FRIENDLY_SCALE) >> 3;
	while (per && ca->ack_cnt > per) {
		ca->ack_cnt -= per;
		ca->tcp_cwnd++;
	}
	if (ca->tcp_cwnd > cwnd) {
		uint32_t max_cnt = cwnd / (ca->tcp_cwnd - cwnd);
		if (ca->cnt > max_cnt)
			ca->cnt = max_cnt;
	}
	ca->cnt = MAX(ca->cnt, 2u);
}

static void cubic_cong_avoid(struct tcp_sock *tp, uint32_t acked)
{
	cubic_update(tp, acked);
	tcp_cong_avoid_ai(tp, tp->cubic.cnt, acked);
}

const struct tcp_cong_ops tcp_cubic_ops = { "cubic", cubic_ssthresh, cubic_cong_avoid, cubic_reset };
