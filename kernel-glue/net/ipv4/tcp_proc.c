/* TCP's /proc: net/tcp (the socket table in Linux's format, as netstat
 * and ss read it), the Tcp: lines of net/snmp, and the net.ipv4.tcp_*
 * sysctls with Linux's defaults. */
#include <umk/proc.h>
#include "tcp.h"

int sysctl_tcp_rmem[3] = { 4096, 131072, 6291456 };
int sysctl_tcp_wmem[3] = { 4096, 16384, 4194304 };
int sysctl_tcp_syn_retries = 6;
int sysctl_tcp_synack_retries = 5;
int sysctl_tcp_retries2 = 15;
int sysctl_tcp_fin_timeout = 60;
int sysctl_tcp_keepalive_time = 7200;
int sysctl_tcp_keepalive_intvl = 75;
int sysctl_tcp_keepalive_probes = 9;
int sysctl_tcp_max_syn_backlog = 4096;
int sysctl_tcp_syncookies = 1;
int sysctl_tcp_timestamps = 1;
int sysctl_tcp_sack = 1;
int sysctl_tcp_window_scaling = 1;
int sysctl_tcp_tw_reuse = 2;
int sysctl_tcp_abort_on_overflow;
int sysctl_tcp_max_orphans = 65536;
int sysctl_tcp_base_mss = 1024;
int sysctl_tcp_mtu_probing;
int sysctl_tcp_rfc1337;

uint64_t tcp_mib[TCP_MIB_MAX];
uint64_t tcp_ext_mib[LINUX_MIB_MAX];

#define IMAX 0x7fffffff
DEFINE_SYSCTL_INT(tcp_syn_retries, "net/ipv4/tcp_syn_retries", sysctl_tcp_syn_retries, 1, 127, NULL);
DEFINE_SYSCTL_INT(tcp_synack_retries, "net/ipv4/tcp_synack_retries", sysctl_tcp_synack_retries, 0, 255, NULL);
DEFINE_SYSCTL_INT(tcp_retries2, "net/ipv4/tcp_retries2", sysctl_tcp_retries2, 0, 255, NULL);
DEFINE_SYSCTL_INT(tcp_fin_timeout, "net/ipv4/tcp_fin_timeout", sysctl_tcp_fin_timeout, 1, IMAX, NULL);
DEFINE_SYSCTL_INT(tcp_keepalive_time, "net/ipv4/tcp_keepalive_time", sysctl_tcp_keepalive_time, 1, IMAX, NULL);
DEFINE_SYSCTL_INT(tcp_keepalive_intvl, "net/ipv4/tcp_keepalive_intvl", sysctl_tcp_keepalive_intvl, 1, IMAX, NULL);
DEFINE_SYSCTL_INT(tcp_keepalive_probes, "net/ipv4/tcp_keepalive_probes", sysctl_tcp_keepalive_probes, 1, 127, NULL);
DEFINE_SYSCTL_INT(tcp_max_syn_backlog, "net/ipv4/tcp_max_syn_backlog", sysctl_tcp_max_syn_backlog, 1, IMAX, NULL);
DEFINE_SYSCTL_INT(tcp_syncookies, "net/ipv4/tcp_syncookies", sysctl_tcp_syncookies, 0, 2, NULL);
DEFINE_SYSCTL_INT(tcp_timestamps, "net/ipv4/tcp_timestamps", sysctl_tcp_timestamps, 0, 2, NULL);
DEFINE_SYSCTL_INT(tcp_sack, "net/ipv4/tcp_sack", sysctl_tcp_sack, 0, 1, NULL);
DEFINE_SYSCTL_INT(tcp_window_scaling, "net/ipv4/tcp_window_scaling", sysctl_tcp_window_scaling, 0, 1, NULL);
DEFINE_SYSCTL_INT(tcp_tw_reuse, "net/ipv4/tcp_tw_reuse", sysctl_tcp_tw_reuse, 0, 2, NULL);
DEFINE_SYSCTL_INT(tcp_rfc1337, "net/ipv4/tcp_rfc1337", sysctl_tcp_rfc1337, 0, 1, NULL);

/* tcp_rmem / tcp_wmem: three integers */
static int triple_show(struct sbuf *o, void *data)
{
	int *v = data;
	sbuf_printf(o, "%d\t%d\t%d\n", v[0], v[1], v[2]);
	return 0;
}

static int triple_write(const char *buf, size_t len, void *data)
{
	long long v[3];
	if (sysctl_parse_ints(buf, len, v, 3) != 3)
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		if (v[i] < 1 || v[i] > IMAX)
			return -EINVAL;
	int *d = data;
	for (int i = 0; i < 3; i++)
		d[i] = (int)v[i];
	return 0;
}
DEFINE_PROC_FILE(tcp_rmem, "sys/net/ipv4/tcp_rmem", 0644, triple_show, triple_write, sysctl_tcp_rmem);
DEFINE_PROC_FILE(tcp_wmem, "sys/net/ipv4/tcp_wmem", 0644, triple_show, triple_write, sysctl_tcp_wmem);

#define U(x) ((unsigned long long)(x))

/* The TcpExt: lines of net/netstat (the counters umk keeps, by Linux's
 * names: nstat and netstat -s go by the header) */
void tcp_netstat_show(struct sbuf *o)
{
	static const char *const names[LINUX_MIB_MAX] = {
		[LINUX_MIB_SYNCOOKIESSENT] = "SyncookiesSent", [LINUX_MIB_SYNCOOKIESRECV] = "SyncookiesRecv",
		[LINUX_MIB_SYNCOOKIESFAILED] = "SyncookiesFailed", [LINUX_MIB_LISTENOVERFLOWS] = "ListenOverflows",
		[LINUX_MIB_LISTENDROPS] = "ListenDrops", [LINUX_MIB_TCPTIMEOUTS] = "TCPTimeouts",
		[LINUX_MIB_TCPFASTRETRANS] = "TCPFastRetrans", [LINUX_MIB_TCPOFOQUEUE] = "TCPOFOQueue",
		[LINUX_MIB_TCPABORTONDATA] = "TCPAbortOnData", [LINUX_MIB_TCPABORTONCLOSE] = "TCPAbortOnClose",
		[LINUX_MIB_TCPABORTONTIMEOUT] = "TCPAbortOnTimeout", [LINUX_MIB_TCPRCVQDROP] = "TCPRcvQDrop",
		[LINUX_MIB_TCPSACKRECOVERY] = "TCPSackRecovery", [LINUX_MIB_TCPRENORECOVERY] = "TCPRenoRecovery",
		[LINUX_MIB_TCPCHALLENGEACK] = "TCPChallengeACK", [LINUX_MIB_TCPLOSTRETRANSMIT] = "TCPLostRetransmit",
	};
	sbuf_printf(o, "TcpExt:");
	for (int i = 0; i < LINUX_MIB_MAX; i++)
		sbuf_printf(o, " %s", names[i]);
	sbuf_printf(o, "\nTcpExt:");
	for (int i = 0; i < LINUX_MIB_MAX; i++)
		sbuf_printf(o, " %llu", U(tcp_ext_mib[i]));
	sbuf_printf(o, "\n");
}

void tcp_snmp_show(struct sbuf *o)
{
	int estab = 0;
	struct inet_sock *sk;
	list_for_each_entry(sk, &tcp_bind_table, node) {
		int st = tcp_sk(sk)->state;
		if (st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT)
			estab++;
	}
	uint64_t *m = tcp_mib;
	sbuf_printf(o, "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets "
		       "CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n");
	sbuf_printf(o, "Tcp: 1 200 120000 -1 %llu %llu %llu %llu %d %llu %llu %llu %llu %llu %llu\n",
		    U(m[TCP_MIB_ACTIVEOPENS]), U(m[TCP_MIB_PASSIVEOPENS]), U(m[TCP_MIB_ATTEMPTFAILS]),
		    U(m[TCP_MIB_ESTABRESETS]), estab, U(m[TCP_MIB_INSEGS]), U(m[TCP_MIB_OUTSEGS]),
		    U(m[TCP_MIB_RETRANSSEGS]), U(m[TCP_MIB_INERRS]), U(m[TCP_MIB_OUTRSTS]), U(m[TCP_MIB_CSUMERRORS]));
}

/* ---- /proc/net/tcp ---- */

static uint64_t sock_ino(const struct tcp_sock *tp)
{
	struct socket *s = tp_sock(tp);
	return s && s->file ? s->file->f_inode->i_ino : 0;
}

static long jiffies_left(const struct ktimer *t)
{
	if (!t->armed)
		return 0;
	long d = (long)((t->deadline - ktime_mono_ns()) / 10000000);	/* HZ 100 as the guest sees it */
	return d < 0 ? 0 : d;
}

static void tcp_line(struct sbuf *o, struct tcp_sock *tp, int sl)
{
	struct inet_sock *sk = &tp->inet;
	size_t start = o->len;
	int timer = 0;
	long when = 0;
	if (tp->state == TCP_TIME_WAIT) {
		sbuf_printf(o, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %016llx", sl,
			    sk->rcv_saddr, sk->num, sk->daddr, sk->dport, tp->state, 0, 0, 3, jiffies_left(&tp->ka_timer),
			    0, 0, 0, 0, 3, 0ULL);
	} else {
		if (tp->pending == TIMER_RTO) {
			timer = 1;
			when = jiffies_left(&tp->rtx_timer);
		} else if (tp->pending == TIMER_PROBE) {
			timer = 4;
			when = jiffies_left(&tp->rtx_timer);
		} else if (tp->ka_timer.armed) {
			timer = 2;
			when = jiffies_left(&tp->ka_timer);
		}
		int rxq = tp->state == TCP_LISTEN ? tp->acceptq_len : (int)(tp->rcv_nxt - tp->copied_seq);
		int txq = tp->state == TCP_LISTEN ? tp->backlog : (int)(tp->write_seq - tp->snd_una);
		if (rxq < 0)
			rxq = 0;
		sbuf_printf(o,
			    "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %llu %d %016llx %u %u %u %u %d",
			    sl, sk->rcv_saddr, sk->num, sk->daddr, sk->dport, tp->state, txq, rxq, timer, when,
			    tp->retransmits, sk->uid, tp->probes_out, U(sock_ino(tp)), sk->refs, 0ULL, tp->rto_us / 10000,
			    TCP_DELACK_MIN_US / 10000, tp->quickack > 0 ? 2u : 0u, tp->cwnd,
			    tp->ssthresh >= 0xFFFF ? -1 : (int)tp->ssthresh);
	}
	while (o->len - start < 149)
		sbuf_putmem(o, " ", 1);
	sbuf_putmem(o, "\n", 1);
}

static int tcp_show(struct sbuf *o, void *data __unused)
{
	size_t start = o->len;
	sbuf_printf(o, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	while (o->len - start < 149)
		sbuf_putmem(o, " ", 1);
	sbuf_putmem(o, "\n", 1);
	/* listeners first, then connections, as Linux walks its tables */
	int sl = 0;
	struct inet_sock *sk;
	list_for_each_entry(sk, &tcp_bind_table, node)
		if (tcp_sk(sk)->state == TCP_LISTEN)
			tcp_line(o, tcp_sk(sk), sl++);
	list_for_each_entry(sk, &tcp_bind_table, node) {
		struct tcp_sock *tp = tcp_sk(sk);
		if (tp->state != TCP_LISTEN && tp->state != TCP_CLOSE)
			tcp_line(o, tp, sl++);
	}
	return 0;
}
DEFINE_PROC_FILE(net_tcp, "net/tcp", 0444, tcp_show, NULL, NULL);
