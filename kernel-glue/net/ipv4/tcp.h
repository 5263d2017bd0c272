/* TCP (RFC 9293 and what Linux does by default): the connection state
 * every tcp_*.c file shares. A TCP socket is an inet_sock with the
 * connection's sequence space, queues, timers and congestion state
 * after it. It lives from socket(2) until it reaches CLOSE with no user
 * (after close(2): through FIN_WAIT, TIME_WAIT, ...); a passive
 * connection is a full socket from the SYN on, on its listener's SYN
 * queue, then its accept queue. */
#ifndef UMK_NET_TCP_H
#define UMK_NET_TCP_H
#include <linux/tcp.h>
#include "inet_sock.h"

/* Linux's TCP states (include/net/tcp_states.h), as /proc/net/tcp shows. */
enum {
	TCP_ESTABLISHED = 1, TCP_SYN_SENT, TCP_SYN_RECV, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_TIME_WAIT,
	TCP_CLOSE, TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_LISTEN, TCP_CLOSING,
};
#define TCPF(s) (1u << (s))

/* struct socket's connection state (SS_*), as inet_stream_connect keeps it. */
enum { SS_UNCONNECTED = 1, SS_CONNECTING, SS_CONNECTED, SS_DISCONNECTING };

/* congestion avoidance states: the uapi's TCP_CA_Open ... TCP_CA_Loss */
/* option kinds (RFC 793, 7323, 2018) */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WINDOW 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8
#ifndef list_for_each_entry_reverse
#define list_for_each_entry_reverse(pos, head, member) \
	for (pos = list_entry((head)->prev, __typeof__(*pos), member); &pos->member != (head); \
	     pos = list_entry(pos->member.prev, __typeof__(*pos), member))
#endif
#ifndef list_last_entry
#define list_last_entry(h, type, member) list_entry((h)->prev, type, member)
#endif

/* which event the retransmit timer waits for */
enum { TIMER_NONE, TIMER_RTO, TIMER_PROBE, TIMER_REO };

#define TCP_MAX_WSCALE 14
#define TCP_INIT_CWND 10
#define TCP_RTO_MIN_US 200000
#define TCP_RTO_MAX_US 120000000
#define TCP_TIMEOUT_INIT_US 1000000
#define TCP_DELACK_MIN_US 40000
#define TCP_DELACK_MAX_US 200000
#define TCP_TIMEWAIT_NS (60ll * 1000000000)
#define TCP_CORK_NS (200ll * 1000000)	/* a corked partial segment goes after this */
#define TCP_MAX_OOO_BLOCKS 4

/* What the stack keeps about a segment in skb->cb (after the IP layer's). */
struct tcp_cb {
	struct inet_cb inet;		/* (only meaningful on input) */
	uint32_t seq, end_seq;		/* end_seq counts SYN and FIN */
	uint32_t ack_seq;
	uint8_t flags;			/* TCPHDR_* of the segment */
	uint8_t sacked;			/* TCPCB_* (write queue) */
	uint16_t retrans;		/* times retransmitted */
	int64_t when;			/* last sent, CLOCK_MONOTONIC ns */
};
#define TCP_SKB_CB(skb) ((struct tcp_cb *)(skb)->cb)
_Static_assert(sizeof(struct tcp_cb) <= sizeof(((struct sk_buff *)0)->cb), "tcp_cb fits in skb->cb");

#define TCPHDR_FIN 0x01
#define TCPHDR_SYN 0x02
#define TCPHDR_RST 0x04
#define TCPHDR_PSH 0x08
#define TCPHDR_ACK 0x10
#define TCPHDR_URG 0x20

#define TCPCB_SACKED	0x01	/* the peer has it (SACK) */
#define TCPCB_LOST	0x02	/* deemed lost: to be retransmitted */
#define TCPCB_RETRANS	0x04	/* retransmitted, not yet acknowledged */
#define TCPCB_EVER_RETRANS 0x08

struct sack_block { uint32_t start, end; };

struct tcp_sock;

/* CUBIC's per-connection state (RFC 9438, as Linux's tcp_cubic.c) */
struct tcp_cubic {
	uint32_t last_max_cwnd;		/* W_max */
	uint32_t origin, k;		/* the curve's plateau and its time (1/1024 s) */
	uint32_t cnt;			/* ACKed segments per window increase */
	uint32_t ack_cnt, tcp_cwnd;	/* the Reno-friendly estimate */
	int64_t epoch_start;		/* ns; 0: no epoch yet */
};

/* A congestion control algorithm (Linux's tcp_congestion_ops): slow
 * start is common (tcp_cong_avoid), these are what differs. */
struct tcp_cong_ops {
	const char *name;
	uint32_t (*ssthresh)(struct tcp_sock *tp);	/* on a loss: the new ssthresh */
	void (*cong_avoid)(struct tcp_sock *tp, uint32_t acked);
	void (*reset)(struct tcp_sock *tp);		/* new connection, or an RTO */
};

struct tcp_sock {
	struct inet_sock inet;
	int state;			/* TCP_* */
	int sock_state;			/* SS_* of the user's socket */
	struct list_head ehash_node;	/* on the connection table (SYN_SENT on) */
	bool in_ehash;
	bool bound_by_connect;		/* port chosen by connect: may share it by 4-tuple */
	bool orphan;			/* closed by the user: no socket */
	bool synq_member;		/* on its listener's SYN queue (else accept queue) */
	bool dead;			/* destroyed, waiting for the last reference */
	/* listener and passive children */
	struct tcp_sock *parent;	/* listener while on its SYN or accept queue */
	struct list_head child_node;
	struct list_head synq, acceptq;
	int synq_len, acceptq_len, backlog;
	/* sequence space (RFC 9293 names) */
	uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2, write_seq, max_window;
	uint32_t irs, rcv_nxt, rcv_wnd, rcv_wup, copied_seq;
	uint32_t snd_up, rcv_up;
	/* options */
	uint8_t snd_wscale, rcv_wscale;
	bool wscale_ok, sack_ok, tstamp_ok, cookie;
	uint32_t ts_recent, ts_offset;
	int64_t ts_recent_stamp;
	uint16_t rx_mss;		/* the peer's MSS option (0: none, 536 assumed) */
	uint16_t advmss;		/* what we announce */
	uint16_t user_mss;		/* TCP_MAXSEG */
	uint32_t mss_cache;		/* payload of a full segment, options left out */
	uint32_t rcv_mss;		/* the peer's segments, as seen */
	/* RTT and timeouts (RFC 6298), microseconds */
	uint32_t srtt_us, rttvar_us, rto_us, min_rtt_us, last_rtt_us;
	int backoff, retransmits, probes_out;
	int64_t retrans_stamp;		/* first retransmission of the head, 0: none */
	int pending;			/* TIMER_* of rtx_timer */
	/* congestion: the window, the algorithm (tcp_cong.c), its state */
	uint32_t cwnd, ssthresh, cwnd_cnt, prior_cwnd, prior_ssthresh;
	const struct tcp_cong_ops *cong;
	struct tcp_cubic cubic;
	/* RACK (tcp_recovery.c): the latest-sent segment delivered */
	int64_t rack_xmit;
	uint32_t rack_end_seq, rack_rtt_us;
	uint32_t packets_out, sacked_out, lost_out, retrans_out;
	uint32_t high_seq, highest_sack;
	int ca_state, dupacks;
	uint32_t reordering;
	/* queues: inet.rq holds in-order data, data at skb->data */
	struct sk_buff_head wq;		/* sent-not-acked, then unsent; one segment per buffer */
	struct sk_buff *send_head;	/* first unsent buffer of wq, NULL: none */
	struct sk_buff_head ooo;	/* out of order, by sequence */
	struct sack_block sacks[TCP_MAX_OOO_BLOCKS];	/* what we tell the peer, most recent first */
	int num_sacks;
	struct sack_block dsack;
	bool dsack_pending;
	/* delayed ACKs */
	bool ack_pending;
	int quickack;			/* segments still to ACK at once */
	bool pingpong;			/* interactive: ACKs wait (delayed ACK mode) */
	uint32_t rcv_since_ack;		/* bytes received since the last ACK we sent */
	int64_t lrcvtime, lsndtime;	/* last data received / sent */
	/* user options */
	bool nodelay, corked, thin, fin_queued, fin_sent, shut_wr_pending;
	int keepidle, keepintvl, keepcnt, syncnt, linger2, defer_accept, window_clamp;
	uint32_t user_timeout_ms, notsent_lowat;
	bool sndbuf_locked, rcvbuf_locked;
	int rcvbuf, sndbuf;		/* of a child not yet accepted */
	int err;			/* of a child not yet accepted */
	unsigned parent_flags;		/* the listener's SOCKF_*, for accept */
	bool fin_rcvd;
	int shutdown;			/* RCV_SHUTDOWN | SEND_SHUTDOWN (the socket's sk_shutdown) */
	int err_soft;			/* an ICMP error, reported on timeout */
	uint32_t mss_full;		/* path MTU less IP header: TCP header + payload */
	int64_t cork_stamp;
	uint32_t rcv_ssthresh;
	/* timers */
	struct ktimer rtx_timer, delack_timer, ka_timer;
	/* counters (TCP_INFO) */
	uint64_t bytes_acked, bytes_received, bytes_sent, bytes_retrans;
	uint32_t segs_in, segs_out, data_segs_in, data_segs_out, total_retrans, lost_total, delivered;
	uint32_t rcv_rtt_us, rcv_space;
	int64_t rcv_rtt_stamp;
	uint32_t rcv_rtt_seq;
	int64_t create_stamp;
};

static inline struct tcp_sock *tcp_sk(struct inet_sock *sk) { return (struct tcp_sock *)sk; }
static inline struct socket *tp_sock(const struct tcp_sock *tp) { return tp->inet.sock; }

/* sequence comparisons modulo 2^32 */
static inline bool before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool after(uint32_t a, uint32_t b) { return before(b, a); }
static inline bool between(uint32_t x, uint32_t lo, uint32_t hi) { return hi - lo >= x - lo; }

static inline uint32_t tcp_packets_in_flight(const struct tcp_sock *tp)
{
	return tp->packets_out - tp->sacked_out - tp->lost_out + tp->retrans_out;
}
/* Microseconds on CLOCK_MONOTONIC (RTT and timers), milliseconds for
 * timestamps. */
static inline int64_t tcp_now_us(void) { return ktime_mono_ns() / 1000; }
static inline uint32_t tcp_ts_now(const struct tcp_sock *tp) { return (uint32_t)(ktime_mono_ns() / 1000000) + tp->ts_offset; }

/* buffers, of the user's socket or kept while a child waits for accept */
int tcp_rcvbuf(const struct tcp_sock *tp);
int tcp_sndbuf(const struct tcp_sock *tp);
void tcp_set_sndbuf(struct tcp_sock *tp, int v);
void tcp_set_rcvbuf(struct tcp_sock *tp, int v);
bool tcp_buf_locked(const struct tcp_sock *tp, unsigned lock);

/* sysctls (tcp_proc.c): net.ipv4.tcp_* */
extern int sysctl_tcp_rmem[3], sysctl_tcp_wmem[3];
extern int sysctl_tcp_syn_retries, sysctl_tcp_synack_retries, sysctl_tcp_retries2;
extern int sysctl_tcp_fin_timeout, sysctl_tcp_keepalive_time, sysctl_tcp_keepalive_intvl, sysctl_tcp_keepalive_probes;
extern int sysctl_tcp_max_syn_backlog, sysctl_tcp_syncookies, sysctl_tcp_timestamps, sysctl_tcp_sack;
extern int sysctl_tcp_window_scaling, sysctl_tcp_tw_reuse, sysctl_tcp_abort_on_overflow;
extern int sysctl_tcp_max_orphans, sysctl_tcp_base_mss, sysctl_tcp_mtu_probing, sysctl_tcp_rfc1337;

/* counters (/proc/net/snmp Tcp:) */
enum {
	TCP_MIB_ACTIVEOPENS, TCP_MIB_PASSIVEOPENS, TCP_MIB_ATTEMPTFAILS, TCP_MIB_ESTABRESETS, TCP_MIB_INSEGS,
	TCP_MIB_OUTSEGS, TCP_MIB_RETRANSSEGS, TCP_MIB_INERRS, TCP_MIB_OUTRSTS, TCP_MIB_CSUMERRORS, TCP_MIB_MAX
};
extern uint64_t tcp_mib[TCP_MIB_MAX];
#define TCP_INC_STATS(f) (tcp_mib[f]++)
/* a few TcpExt counters */
enum { LINUX_MIB_SYNCOOKIESSENT, LINUX_MIB_SYNCOOKIESRECV, LINUX_MIB_SYNCOOKIESFAILED, LINUX_MIB_LISTENOVERFLOWS,
       LINUX_MIB_LISTENDROPS, LINUX_MIB_TCPTIMEOUTS, LINUX_MIB_TCPFASTRETRANS, LINUX_MIB_TCPOFOQUEUE,
       LINUX_MIB_TCPABORTONDATA, LINUX_MIB_TCPABORTONCLOSE, LINUX_MIB_TCPABORTONTIMEOUT, LINUX_MIB_TCPRCVQDROP,
       LINUX_MIB_TCPSACKRECOVERY, LINUX_MIB_TCPRENORECOVERY, LINUX_MIB_TCPCHALLENGEACK, LINUX_MIB_TCPLOSTRETRANSMIT, LINUX_MIB_MAX };
extern uint64_t tcp_ext_mib[LINUX_MIB_MAX];
#define TCPEXT_INC(f) (tcp_ext_mib[f]++)

/* ---- tcp_ipv4.c: tables, lookup, the receive entry ---- */
bool sk_reuseport(const struct inet_sock *sk);
extern struct list_head tcp_bind_table;	/* every socket with a port (inet.node) */
extern const struct inet_proto tcp_proto;
void tcp_ehash_add(struct tcp_sock *tp);
void tcp_ehash_del(struct tcp_sock *tp);
struct tcp_sock *tcp_lookup_established(__be32 saddr, uint16_t sport, __be32 daddr, uint16_t dport);
/* A port for a connect to daddr:dport from saddr (0 or -EADDRNOTAVAIL). */
int tcp_connect_port(struct tcp_sock *tp, __be32 saddr, __be32 daddr, uint16_t dport);
void tcp_unhash(struct inet_sock *sk);
/* A reset answering skb (a segment with no socket or a bad one). */
void tcp_send_reset_reply(struct sk_buff *skb);
struct tcp_sock *tcp_lookup_listener(__be32 saddr, uint16_t sport, __be32 daddr, uint16_t dport, int dif);
void tcp_bind_hash_child(struct tcp_sock *child, uint16_t num);

/* ---- tcp.c: the socket calls ---- */
void tcp_set_state(struct tcp_sock *tp, int state);
/* The connection ends (RST, timeout, TIME_WAIT over): CLOSE, shutdown
 * both ways, users woken; an orphan is destroyed. */
void tcp_done(struct tcp_sock *tp);
/* Report a fatal error (positive errno) to the user. */
void tcp_set_error(struct tcp_sock *tp, int err);
void tcp_wake(struct tcp_sock *tp);
void tcp_init_sock(struct tcp_sock *tp);
struct tcp_sock *tcp_alloc_sock(void);
void tcp_free_wq(struct tcp_sock *tp);
void tcp_drop_ref(struct tcp_sock *tp);

/* ---- tcp_input.c ---- */
void tcp_rcv_segment(struct tcp_sock *tp, struct sk_buff *skb);
void tcp_rcv_listen(struct tcp_sock *lp, struct sk_buff *skb);
/* TIME_WAIT: true if skb is a new SYN for the listener (the old connection is gone). */
bool tcp_tw_rcv(struct tcp_sock *tp, struct sk_buff *skb);
/* A received reset (tcp_reset). */
void tcp_reset(struct tcp_sock *tp);
/* The window we would announce now, and the ACK-on-read rule. */
void tcp_cleanup_rbuf(struct tcp_sock *tp, uint32_t copied);
void tcp_init_buffer_space(struct tcp_sock *tp);
struct tcp_opts {
	uint16_t mss;
	int8_t wscale;			/* -1: none */
	bool sack_ok, saw_tstamp;
	uint32_t tsval, tsecr;
	int num_sacks;
	struct sack_block sacks[4];
};
void tcp_parse_options(const struct tcphdr *th, struct tcp_opts *o);

/* ---- tcp_output.c ---- */
/* Send what the window, congestion window and Nagle allow. push_one:
 * the user's send (Nagle/cork apply); else timers and ACKs. */
void tcp_write_xmit(struct tcp_sock *tp, bool force_push);
/* push: -1 more is coming (MSG_MORE), 0 Nagle applies, 1 push, 2 all (uncork, FIN). */
void tcp_push(struct tcp_sock *tp, int push);
void tcp_send_synack_cookie(struct sk_buff *in, uint32_t isn, uint16_t mss);
void tcp_send_ack(struct tcp_sock *tp);
void tcp_send_delayed_ack(struct tcp_sock *tp);
void tcp_send_active_reset(struct tcp_sock *tp);
int tcp_send_syn(struct tcp_sock *tp);
void tcp_send_synack(struct tcp_sock *tp);
void tcp_send_fin(struct tcp_sock *tp);
void tcp_send_probe(struct tcp_sock *tp);	/* keepalive / zero-window probe: seq snd_una-1 */
/* Retransmit one buffer of the write queue; 0 or -errno. */
int tcp_retransmit_skb(struct tcp_sock *tp, struct sk_buff *skb);
/* Retransmit what is marked lost, as cwnd allows. */
void tcp_xmit_retransmit_queue(struct tcp_sock *tp);
uint32_t tcp_current_mss(struct tcp_sock *tp);
void tcp_sync_mss(struct tcp_sock *tp, unsigned pmtu);
uint32_t tcp_select_window(struct tcp_sock *tp);
uint32_t tcp_receive_window(const struct tcp_sock *tp);
void tcp_select_initial_window(struct tcp_sock *tp);
int tcp_route(struct tcp_sock *tp, struct rtable *rt);
/* TCP's checksum over a segment (header at th, len bytes). */
uint16_t tcp_v4_check(const void *th, size_t len, __be32 saddr, __be32 daddr);
/* Bytes queued to send and not yet acknowledged / not yet sent. */
static inline uint32_t tcp_outq(const struct tcp_sock *tp) { return tp->write_seq - tp->snd_una; }
static inline uint32_t tcp_notsent(const struct tcp_sock *tp) { return tp->write_seq - tp->snd_nxt; }

/* ---- tcp_timer.c ---- */
void tcp_init_timers(struct tcp_sock *tp);
void tcp_stop_timers(struct tcp_sock *tp);
void tcp_reset_rtx_timer(struct tcp_sock *tp, int what, uint32_t us);
void tcp_rearm_rto(struct tcp_sock *tp);
void tcp_reset_keepalive(struct tcp_sock *tp);
void tcp_time_wait(struct tcp_sock *tp, int state, int64_t ns);
void tcp_schedule_delack(struct tcp_sock *tp);

/* ---- tcp_cong.c: slow start, the algorithms' registry, RTT and RTO ---- */
void tcp_cong_avoid(struct tcp_sock *tp, uint32_t acked);
/* the algorithm's increase: one segment per cnt segments ACKed */
void tcp_cong_avoid_ai(struct tcp_sock *tp, uint32_t cnt, uint32_t acked);
uint32_t tcp_recalc_ssthresh(struct tcp_sock *tp);
void tcp_cong_init(struct tcp_sock *tp, const struct tcp_cong_ops *ops);
const struct tcp_cong_ops *tcp_cong_find(const char *name);
extern const struct tcp_cong_ops *tcp_cong_default;
extern const struct tcp_cong_ops tcp_reno, tcp_cubic_ops;
void tcp_enter_loss(struct tcp_sock *tp);
void tcp_rtt_sample(struct tcp_sock *tp, int64_t rtt_us);
void tcp_set_rto(struct tcp_sock *tp);

/* ---- tcp_recovery.c: RACK loss detection (RFC 8985) ---- */
void tcp_rack_advance(struct tcp_sock *tp, const struct tcp_cb *cb, int64_t now);
/* marks lost what is overdue; *wait_us: when the next one will be (0: none) */
int tcp_rack_mark_lost(struct tcp_sock *tp, int64_t now, uint32_t *wait_us);
void tcp_rack_reo_timeout(struct tcp_sock *tp);
void tcp_enter_recovery(struct tcp_sock *tp);

/* ---- tcp_minisocks.c: passive opens, SYN cookies ---- */
struct tcp_sock *tcp_create_child(struct tcp_sock *lp, struct sk_buff *skb, const struct tcp_opts *o, uint32_t isn);
uint32_t tcp_cookie_make(struct sk_buff *skb, uint16_t *mss);
uint32_t tcp_secure_isn(__be32 saddr, __be32 daddr, uint16_t sport, uint16_t dport);
int tcp_cookie_check(struct sk_buff *skb, uint32_t cookie);	/* the MSS, or 0 */
void tcp_child_established(struct tcp_sock *tp);
void tcp_listen_stop(struct tcp_sock *lp);
/* Leave the listener's queue (drops the queue's and the listener's references). */
void tcp_unlink_child(struct tcp_sock *tp);
#endif
