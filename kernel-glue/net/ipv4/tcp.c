/* TCP sockets (Linux's tcp.c and af_inet.c's stream half): socket(2)
 * state, connect (blocking and not, with inet_stream_connect's answers),
 * listen and accept, send and receive (MSG_PEEK, MSG_WAITALL,
 * MSG_DONTWAIT, MSG_TRUNC, MSG_MORE), poll as tcp_poll, shutdown, close
 * with SO_LINGER, and the connection's life (tcp_set_state, tcp_done). */
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include <linux/sockios.h>
#include "tcp.h"

#define SIGPIPE_NR 13
static const struct proto_ops inet_stream_ops;
long inet_ioctl(struct socket *s, unsigned cmd, unsigned long arg);
int inet_bind(struct socket *s, const void *addr, int len);

/* ---- buffers ---- */

int tcp_rcvbuf(const struct tcp_sock *tp) { return tp_sock(tp) ? tp_sock(tp)->rcvbuf : tp->rcvbuf; }
int tcp_sndbuf(const struct tcp_sock *tp) { return tp_sock(tp) ? tp_sock(tp)->sndbuf : tp->sndbuf; }

void tcp_set_rcvbuf(struct tcp_sock *tp, int v)
{
	if (tp_sock(tp))
		tp_sock(tp)->rcvbuf = v;
	else
		tp->rcvbuf = v;
}

void tcp_set_sndbuf(struct tcp_sock *tp, int v)
{
	if (tp_sock(tp))
		tp_sock(tp)->sndbuf = v;
	else
		tp->sndbuf = v;
}

bool tcp_buf_locked(const struct tcp_sock *tp, unsigned lock)
{
	if (tp_sock(tp))
		return tp_sock(tp)->userlocks & lock;
	return lock == SOCK_RCVBUF_LOCK ? tp->rcvbuf_locked : tp->sndbuf_locked;
}

/* ---- life ---- */

void tcp_wake(struct tcp_sock *tp)
{
	wake_up(&tp->inet.wq);
}

void tcp_set_error(struct tcp_sock *tp, int err)
{
	if (tp_sock(tp))
		tp_sock(tp)->err = err;
	else
		tp->err = err;
	tcp_wake(tp);
}

void tcp_set_state(struct tcp_sock *tp, int state)
{
	int old = tp->state;
	tp->state = state;
	if (old == TCP_CLOSE && state != TCP_CLOSE)
		inet_sock_hold(&tp->inet);	/* the connection's own reference, dropped by tcp_done */
	if (state == TCP_CLOSE) {
		tcp_ehash_del(tp);
		/* the port stays with a user who bound it (SOCK_BINDPORT_LOCK) */
		if (tp->orphan || !tp->inet.port_locked || tp->parent)
			tcp_unhash(&tp->inet);
	}
}

static void purge_rq(struct tcp_sock *tp)
{
	struct sk_buff *skb;
	while ((skb = skb_dequeue(&tp->inet.rq))) {
		tp->inet.rmem -= skb_truesize(skb);
		kfree_skb(skb);
	}
	while ((skb = skb_dequeue(&tp->ooo))) {
		tp->inet.rmem -= skb_truesize(skb);
		kfree_skb(skb);
	}
}

void tcp_free_wq(struct tcp_sock *tp)
{
	struct sk_buff *skb;
	while ((skb = skb_dequeue(&tp->wq))) {
		tp->inet.wmem -= skb_truesize(skb);
		kfree_skb(skb);
	}
	tp->send_head = NULL;
	tp->packets_out = tp->sacked_out = tp->lost_out = tp->retrans_out = 0;
}

/* Leave the listener's queues (a child that was never accepted). */
void tcp_unlink_child(struct tcp_sock *tp)
{
	struct tcp_sock *lp = tp->parent;
	if (!lp)
		return;
	list_del(&tp->child_node);
	INIT_LIST_HEAD(&tp->child_node);
	if (tp->synq_member)
		lp->synq_len--;
	else
		lp->acceptq_len--;
	tp->synq_member = false;
	tp->parent = NULL;
	tp->orphan = true;
	tcp_drop_ref(lp);
	tcp_drop_ref(tp);	/* the queue's reference */
}

void tcp_done(struct tcp_sock *tp)
{
	if (tp->state == TCP_CLOSE)
		return;
	inet_sock_hold(&tp->inet);
	bool on_synq = tp->parent && tp->synq_member;
	tcp_set_state(tp, TCP_CLOSE);
	tp->shutdown = SHUTDOWN_MASK;
	tcp_stop_timers(tp);
	tcp_free_wq(tp);
	if (tp->orphan)
		purge_rq(tp);
	else
		skb_queue_purge(&tp->ooo);
	/* a child on the SYN queue disappears; one on the accept queue
	 * stays there for accept, as Linux's */
	if (on_synq)
		tcp_unlink_child(tp);
	tcp_wake(tp);
	tcp_drop_ref(tp);	/* the connection's reference */
	tcp_drop_ref(tp);
}

void tcp_drop_ref(struct tcp_sock *tp)
{
	if (tp->inet.refs == 1) {
		tcp_stop_timers(tp);
		tcp_free_wq(tp);
		purge_rq(tp);
		tcp_unhash(&tp->inet);
	}
	inet_sock_put(&tp->inet);
}

void tcp_init_sock(struct tcp_sock *tp)
{
	struct inet_sock *sk = &tp->inet;
	sk->refs = 1;
	sk->prot = &tcp_proto;
	sk->type = SOCK_STREAM;
	sk->protocol = IPPROTO_TCP;
	INIT_LIST_HEAD(&sk->node);
	INIT_LIST_HEAD(&sk->mc_list);
	skb_queue_init(&sk->rq);
	skb_queue_init(&sk->errq);
	init_waitqueue_head(&sk->wq);
	sk->uc_ttl = -1;
	sk->mc_ttl = 1;
	sk->mc_loop = true;
	sk->mc_all = true;
	sk->pmtudisc = sysctl_ip_no_pmtu_disc ? IP_PMTUDISC_DONT : IP_PMTUDISC_WANT;
	sk->uid = current ? current->cred.euid : 0;
	tp->state = TCP_CLOSE;
	tp->sock_state = SS_UNCONNECTED;
	INIT_LIST_HEAD(&tp->ehash_node);
	INIT_LIST_HEAD(&tp->child_node);
	INIT_LIST_HEAD(&tp->synq);
	INIT_LIST_HEAD(&tp->acceptq);
	skb_queue_init(&tp->wq);
	skb_queue_init(&tp->ooo);
	tcp_init_timers(tp);
	tp->rto_us = TCP_TIMEOUT_INIT_US;
	tp->cwnd = TCP_INIT_CWND;
	tp->ssthresh = 0x7fffffff;
	tcp_cong_init(tp, tcp_cong_default);
	tp->reordering = 3;
	tp->mss_cache = TCP_MSS_DEFAULT;
	tp->advmss = TCP_MSS_DEFAULT;
	tp->rcvbuf = sysctl_tcp_rmem[1];
	tp->sndbuf = sysctl_tcp_wmem[1];
	tp->notsent_lowat = 0xFFFFFFFFu;
	tp->quickack = 16;
	tp->create_stamp = ktime_mono_ns();
	get_random_bytes(&tp->ts_offset, sizeof(tp->ts_offset));
}

struct tcp_sock *tcp_alloc_sock(void)
{
	struct tcp_sock *tp = kzalloc(sizeof(*tp));
	if (tp)
		tcp_init_sock(tp);
	return tp;
}

/* socket(AF_INET, SOCK_STREAM, 0 or IPPROTO_TCP) */
int tcp_v4_create(struct socket *s)
{
	struct tcp_sock *tp = tcp_alloc_sock();
	if (!tp)
		return -ENOBUFS;
	tp->inet.sock = s;
	s->protocol = IPPROTO_TCP;
	s->sk = &tp->inet;
	s->ops = &inet_stream_ops;
	s->sndbuf = sysctl_tcp_wmem[1];
	s->rcvbuf = sysctl_tcp_rmem[1];
	return 0;
}

/* ---- connecting ---- */

/* Reset a socket for reuse after its connection ended (tcp_disconnect). */
static int tcp_disconnect(struct tcp_sock *tp)
{
	int old = tp->state;
	if (old == TCP_LISTEN) {
		tcp_listen_stop(tp);
		if (tp_sock(tp))
			tp_sock(tp)->listening = false;
	} else if (old != TCP_CLOSE && old != TCP_SYN_SENT && old != TCP_TIME_WAIT) {
		tcp_send_active_reset(tp);
		tcp_set_error(tp, ECONNRESET);
	} else if (old == TCP_SYN_SENT) {
		tcp_set_error(tp, ECONNRESET);
	}
	tcp_done(tp);
	purge_rq(tp);
	struct inet_sock *sk = &tp->inet;
	if (!sk->addr_locked)
		sk->rcv_saddr = sk->saddr = 0;
	if (!sk->port_locked)
		tcp_unhash(sk);
	sk->daddr = 0;
	sk->dport = 0;
	tp->shutdown = 0;
	tp->fin_rcvd = tp->fin_queued = false;
	tp->bound_by_connect = false;
	tp->snd_una = tp->snd_nxt = tp->write_seq = 0;
	tp->rcv_nxt = tp->copied_seq = tp->rcv_wup = tp->rcv_wnd = 0;
	tp->srtt_us = tp->rttvar_us = 0;
	tp->rto_us = TCP_TIMEOUT_INIT_US;
	tp->cwnd = TCP_INIT_CWND;
	tp->ssthresh = 0x7fffffff;
	tcp_cong_init(tp, tp->cong);
	tp->rack_xmit = 0;
	tp->ca_state = TCP_CA_Open;
	tp->backoff = tp->retransmits = tp->probes_out = 0;
	tp->num_sacks = 0;
	tp->sock_state = SS_UNCONNECTED;
	return 0;
}

static int tcp_v4_connect(struct tcp_sock *tp, const struct sockaddr_in *a, int len)
{
	struct inet_sock *sk = &tp->inet;
	if (len < (int)sizeof(*a))
		return -EINVAL;
	if (a->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	__be32 daddr = a->sin_addr.s_addr;
	struct flowi4 fl = { .daddr = daddr, .saddr = sk->saddr, .oif = inet_sk_bound_dev(sk),
			     .tos = sk->tos & 0x1e, .proto = IPPROTO_TCP };
	struct rtable rt;
	int err = ip_route_output(&fl, &rt);
	if (err)
		return err;
	if (rt.flags & (RTCF_MULTICAST | RTCF_BROADCAST))
		return -ENETUNREACH;
	if (!sk->saddr)
		sk->saddr = fl.saddr;
	sk->rcv_saddr = sk->saddr;
	uint16_t dport = ntohs(a->sin_port);
	err = tcp_connect_port(tp, sk->saddr, daddr, dport);
	if (err) {
		if (!sk->addr_locked)
			sk->rcv_saddr = sk->saddr = 0;
		return err;
	}
	sk->daddr = daddr;
	sk->dport = dport;
	sk->connected = true;
	get_random_bytes(&sk->inet_id, sizeof(sk->inet_id));
	uint32_t isn = tcp_secure_isn(sk->saddr, daddr, sk->num, dport);
	tp->iss = tp->snd_una = tp->snd_nxt = tp->write_seq = isn;
	tp->wscale_ok = sysctl_tcp_window_scaling;
	tp->sack_ok = sysctl_tcp_sack;
	tp->tstamp_ok = sysctl_tcp_timestamps;
	unsigned mtu = ip_rt_mtu(&rt);
	tp->advmss = (uint16_t)(MIN(mtu, (unsigned)IP_MAX_MTU) - 40);
	if (tp->user_mss && tp->advmss > tp->user_mss)
		tp->advmss = tp->user_mss;
	tp->rx_mss = 0;
	tcp_set_state(tp, TCP_SYN_SENT);
	tcp_sync_mss(tp, mtu);
	tcp_select_initial_window(tp);
	tcp_ehash_add(tp);
	err = tcp_send_syn(tp);
	if (err) {
		tcp_done(tp);
		return err;
	}
	return 0;
}

static bool connecting(const struct tcp_sock *tp)
{
	return tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV;
}

/* inet_stream_connect */
static int tcp_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct tcp_sock *tp = tcp_sk(inet_sk(s));
	const struct sockaddr_in *a = addr;
	if (len < (int)sizeof(a->sin_family))
		return -EINVAL;
	if (a->sin_family == AF_UNSPEC) {
		tcp_disconnect(tp);
		return 0;
	}
	int err;
	switch (tp->sock_state) {
	case SS_CONNECTED:
		return -EISCONN;
	case SS_CONNECTING:
		err = -EALREADY;
		break;
	default:
		if (tp->state != TCP_CLOSE)
			return -EISCONN;
		err = tcp_v4_connect(tp, a, len);
		if (err)
			return err;
		tp->sock_state = SS_CONNECTING;
		/* Linux holds the socket lock here: whatever the handshake
		 * did meanwhile, a non-blocking connect is "in progress" */
		if (nonblock)
			return -EINPROGRESS;
		err = -EINPROGRESS;
		break;
	}
	if (connecting(tp)) {
		int64_t deadline = sock_deadline(s, nonblock, false);
		if (!deadline)
			return err;
		long r = wait_event_interruptible_deadline(tp->inet.wq, !connecting(tp), deadline);
		if (r == -ETIMEDOUT)
			return -EINPROGRESS;
		if (r)
			return s->sndtimeo ? -EINTR : (int)r;
	}
	if (tp->state == TCP_CLOSE) {
		err = s->err ? -s->err : -ECONNABORTED;
		s->err = 0;
		tcp_disconnect(tp);
		s->err = 0;
		tp->sock_state = SS_UNCONNECTED;
		return err;
	}
	tp->sock_state = SS_CONNECTED;
	return 0;
}

static int tcp_listen(struct socket *s, int backlog)
{
	struct tcp_sock *tp = tcp_sk(inet_sk(s));
	if (tp->sock_state != SS_UNCONNECTED)
		return -EINVAL;
	if (tp->state != TCP_CLOSE && tp->state != TCP_LISTEN)
		return -EINVAL;
	tp->backlog = backlog;
	if (tp->state == TCP_LISTEN)
		return 0;
	if (!tp->inet.num && tp->inet.prot->get_port(&tp->inet, 0))
		return -EADDRINUSE;
	tp->shutdown = 0;
	tcp_set_state(tp, TCP_LISTEN);
	s->listening = true;
	return 0;
}

static struct socket *tcp_accept(struct socket *s, bool nonblock, int *err)
{
	struct tcp_sock *lp = tcp_sk(inet_sk(s));
	if (lp->state != TCP_LISTEN) {
		*err = -EINVAL;
		return NULL;
	}
	if (list_empty(&lp->acceptq)) {
		int64_t deadline = sock_deadline(s, nonblock, true);
		if (!deadline) {
			*err = -EAGAIN;
			return NULL;
		}
		long r = wait_event_interruptible_deadline(lp->inet.wq,
							   !list_empty(&lp->acceptq) || lp->state != TCP_LISTEN, deadline);
		if (r) {
			*err = (int)sock_wait_error(s, r, true);
			return NULL;
		}
		if (lp->state != TCP_LISTEN) {
			*err = -EINVAL;
			return NULL;
		}
	}
	struct tcp_sock *c = list_first_entry(&lp->acceptq, struct tcp_sock, child_node);
	list_del(&c->child_node);
	INIT_LIST_HEAD(&c->child_node);
	lp->acceptq_len--;
	c->parent = NULL;
	tcp_drop_ref(lp);
	/* the queue's reference is now the socket's */
	struct socket *ns = sock_alloc(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	ns->ops = &inet_stream_ops;
	ns->sk = &c->inet;
	ns->flags = s->flags & (SOCKF_KEEPALIVE | SOCKF_REUSEADDR | SOCKF_REUSEPORT | SOCKF_OOBINLINE);
	ns->sndbuf = c->sndbuf;
	ns->rcvbuf = c->rcvbuf;
	ns->userlocks = s->userlocks;
	ns->rcvtimeo = s->rcvtimeo;
	ns->sndtimeo = s->sndtimeo;
	ns->linger_on = s->linger_on;
	ns->linger_secs = s->linger_secs;
	ns->rcvlowat = s->rcvlowat;
	ns->bound_dev_if = s->bound_dev_if;
	ns->err = c->err;
	c->err = 0;
	c->inet.sock = ns;
	c->orphan = false;
	c->sock_state = SS_CONNECTED;
	c->inet.connected = true;
	tcp_reset_keepalive(c);
	return ns;
}

static int tcp_getname(struct socket *s, void *addr, bool peer)
{
	struct tcp_sock *tp = tcp_sk(inet_sk(s));
	struct inet_sock *sk = &tp->inet;
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (peer) {
		if (!sk->dport || tp->state == TCP_CLOSE || tp->state == TCP_SYN_SENT)
			return -ENOTCONN;
		sin.sin_addr.s_addr = sk->daddr;
		sin.sin_port = htons(sk->dport);
	} else {
		sin.sin_addr.s_addr = sk->rcv_saddr;
		sin.sin_port = htons(sk->sport);
	}
	memcpy(addr, &sin, sizeof(sin));
	return sizeof(sin);
}

/* ---- poll (tcp_poll) ---- */

static bool stream_writeable(const struct tcp_sock *tp)
{
	long free = (long)tcp_sndbuf(tp) - (long)tp->inet.wmem;
	if (free < (long)(tp->inet.wmem / 2))
		return false;
	return tcp_notsent(tp) < tp->notsent_lowat;
}

static unsigned tcp_poll(struct file *f, struct socket *s, struct poll_table *pt)
{
	struct tcp_sock *tp = tcp_sk(inet_sk(s));
	poll_wait(f, &tp->inet.wq, pt);
	if (tp->state == TCP_LISTEN)
		return list_empty(&tp->acceptq) ? 0 : POLLIN | POLLRDNORM;
	unsigned mask = 0;
	if (tp->shutdown == SHUTDOWN_MASK || tp->state == TCP_CLOSE)
		mask |= POLLHUP;
	if (tp->shutdown & RCV_SHUTDOWN)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (!connecting(tp)) {
		uint32_t avail = tp->rcv_nxt - tp->copied_seq - (tp->fin_rcvd ? 1 : 0);
		int target = s->rcvlowat;
		if (avail && ((int)avail >= target || tcp_receive_window(tp) <= tp->rcv_mss))
			mask |= POLLIN | POLLRDNORM;
		if (!(tp->shutdown & SEND_SHUTDOWN)) {
			if (stream_writeable(tp))
				mask |= POLLOUT | POLLWRNORM;
		} else {
			mask |= POLLOUT | POLLWRNORM;
		}
	}
	if (s->err || tp->inet.errq.qlen)
		mask |= POLLERR;
	return mask;
}

/* ---- shutdown and close ---- */

/* The state after our FIN (tcp_close_state); true if a FIN is to go. */
static bool close_state(struct tcp_sock *tp)
{
	switch (tp->state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_RECV:
		tcp_set_state(tp, TCP_FIN_WAIT1);
		return true;
	case TCP_CLOSE_WAIT:
		tcp_set_state(tp, TCP_LAST_ACK);
		return true;
	case TCP_SYN_SENT:
		tcp_done(tp);
		return false;
	default:
		return false;
	}
}

static int tcp_shutdown_call(struct socket *s, int how)
{
	struct tcp_sock *tp = tcp_sk(inet_sk(s));
	how++;	/* SHUT_RD -> RCV_SHUTDOWN, ... */
	if (tp->sock_state == SS_CONNECTING)
		tp->sock_state = (connecting(tp) || tp->state == TCP_CLOSE) ? SS_DISCONNECTING : SS_CONNECTED;
	int err = 0;
	switch (tp->state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		tp->shutdown |= how;
		break;
	case TCP_LISTEN:
		if (!(how & RCV_SHUTDOWN))
			break;
		/* fallthrough */
	case TCP_SYN_SENT:
		tcp_disconnect(tp);
		break;
	default:
		tp->shutdown |= how;
		if ((how & SEND_SHUTDOWN) &&
		    (tp->state == TCP_ESTABLISHED || tp->state == TCP_SYN_RECV || tp->state == TCP_CLOSE_WAIT) &&
		    close_state(tp))
			tcp_send_fin(tp);
		break;
	}
	tcp_wake(tp);
	return err;
}

static bool closing(const struct tcp_sock *tp)
{
	return tp->state == TCP_FIN_WAIT1 || tp->state == TCP_CLOSING || tp->state == TCP_LAST_ACK;
}

static int tcp_release(struct socket *s)
{
	struct tcp_sock *tp = s->sk ? tcp_sk(inet_sk(s)) : NULL;
	if (!tp)
		return 0;
	tp->shutdown = SHUTDOWN_MASK;
	if (tp->state == TCP_LISTEN) {
		tcp_listen_stop(tp);
		tcp_done(tp);
	}
	/* unread data: the peer learns it was lost (RFC 2525) */
	uint32_t unread = 0;
	struct sk_buff *skb;
	while ((skb = skb_dequeue(&tp->inet.rq))) {
		uint32_t off = tp->copied_seq - TCP_SKB_CB(skb)->seq;
		if (off < skb->len)
			unread += skb->len - off;
		tp->inet.rmem -= skb_truesize(skb);
		kfree_skb(skb);
	}
	if (tp->state == TCP_CLOSE) {
		/* nothing to say */
	} else if (unread) {
		TCPEXT_INC(LINUX_MIB_TCPABORTONCLOSE);
		tcp_send_active_reset(tp);
		tcp_done(tp);
	} else if (s->linger_on && !s->linger_secs) {
		/* SO_LINGER 0: abort */
		if (tp->state != TCP_SYN_SENT && tp->state != TCP_TIME_WAIT)
			tcp_send_active_reset(tp);
		tcp_done(tp);
	} else if (close_state(tp)) {
		tcp_send_fin(tp);
	}
	if (s->linger_on && s->linger_secs > 0 && closing(tp)) {
		int64_t deadline = ktime_mono_ns() + (int64_t)s->linger_secs * 1000000000ll;
		wait_event_interruptible_deadline(tp->inet.wq, !closing(tp), deadline);
	}
	tp->orphan = true;
	tp->inet.sock = NULL;
	s->sk = NULL;
	if (tp->state == TCP_FIN_WAIT2) {
		int t = tp->linger2 ? tp->linger2 : sysctl_tcp_fin_timeout;
		if (t < 0) {
			tcp_send_active_reset(tp);
			tcp_done(tp);
		} else {
			tcp_time_wait(tp, TCP_FIN_WAIT2, (int64_t)t * 1000000000ll);
		}
	}
	if (tp->state == TCP_CLOSE)
		tcp_unhash(&tp->inet);
	tcp_drop_ref(tp);	/* the socket's */
	return 0;
}

/* ---- data ---- */

static long wait_error(struct socket *s, long r, bool rcv)
{
	return sock_wait_error(s, r, rcv);
}

static int take_error(struct socket *s)
{
	int e = s->err;
	s->err = 0;
	return -e;
}

static ssize_t pipe_error(unsigned flags)
{
	if (!(flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE_NR, current);
	return -EPIPE;
}

int tcp_setsockopt(struct inet_sock *sk, int level, int name, uaddr_t val, int len);
int tcp_getsockopt(struct inet_sock *sk, int level, int name, uaddr_t val, uaddr_t ulen);

ssize_t tcp_sendmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct socket *s = sk->sock;
	if (flags & MSG_OOB) {
		printk_once_key("tcp-oob", KERN_NOTICE "TCP urgent data (MSG_OOB) is not implemented: EOPNOTSUPP\n");
		return -EOPNOTSUPP;
	}
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, false);
	inet_sock_hold(sk);
	ssize_t ret;
	if (tp->state != TCP_ESTABLISHED && tp->state != TCP_CLOSE_WAIT) {
		/* sk_stream_wait_connect */
		for (;;) {
			if (s->err) {
				ret = take_error(s);
				goto out;
			}
			if (!connecting(tp)) {
				ret = pipe_error(flags);
				goto out;
			}
			if (!deadline) {
				ret = -EAGAIN;
				goto out;
			}
			long r = wait_event_interruptible_deadline(sk->wq, !connecting(tp) || s->err, deadline);
			if (r) {
				ret = wait_error(s, r, false);
				goto out;
			}
		}
	}
	size_t len = m->it.len, copied = 0;
	int push = (flags & MSG_MORE) ? -1 : 0;
	while (copied < len) {
		if (s->err) {
			ret = copied ? (ssize_t)copied : take_error(s);
			goto out_push;
		}
		if ((tp->shutdown & SEND_SHUTDOWN) || (tp->state != TCP_ESTABLISHED && tp->state != TCP_CLOSE_WAIT)) {
			ret = copied ? (ssize_t)copied : pipe_error(flags);
			goto out_push;
		}
		uint32_t mss = tcp_current_mss(tp);
		if (sk->wmem >= (size_t)tcp_sndbuf(tp)) {
			/* wait for memory (sk_stream_wait_memory) */
			tcp_push(tp, 1);
			if (!deadline) {
				ret = copied ? (ssize_t)copied : -EAGAIN;
				goto out;
			}
			long r = wait_event_interruptible_deadline(sk->wq, sk->wmem < (size_t)tcp_sndbuf(tp) || s->err ||
								 (tp->shutdown & SEND_SHUTDOWN) ||
								 (tp->state != TCP_ESTABLISHED &&
								  tp->state != TCP_CLOSE_WAIT), deadline);
			if (r) {
				ret = copied ? (ssize_t)copied : wait_error(s, r, false);
				goto out;
			}
			continue;
		}
		/* The user's bytes go into a new buffer first: the copy may
		 * sleep (a page fault), and meanwhile the connection may be
		 * reset and its queue freed. Only then is it queued, or added
		 * to the unsent tail if that still has room. */
		size_t want = MIN((size_t)mss, MAX(len - copied, (size_t)4096));
		struct sk_buff *skb = alloc_skb(0, want);
		if (!skb) {
			ret = copied ? (ssize_t)copied : -ENOBUFS;
			goto out_push;
		}
		size_t chunk = MIN(MIN((size_t)mss, skb_tailroom(skb)), len - copied);
		/* First top up an unsent tail to a full segment (Linux's
		 * size_goal): else 1 KiB writes stay 1 KiB segments, and
		 * Nagle lets one go per (delayed) ACK. The rest of the write
		 * starts a new buffer on the next turn, with a whole
		 * segment's room. */
		struct sk_buff *t = tp->wq.qlen ? list_last_entry(&tp->wq.list, struct sk_buff, list) : NULL;
		if (t && tp->send_head && !(TCP_SKB_CB(t)->flags & (TCPHDR_SYN | TCPHDR_FIN)) && t->len < mss &&
		    skb_tailroom(t))
			chunk = MIN(chunk, MIN(mss - t->len, skb_tailroom(t)));
		if (miter_from(&m->it, copied, skb_put(skb, chunk), chunk)) {
			kfree_skb(skb);
			ret = copied ? (ssize_t)copied : -EFAULT;
			goto out_push;
		}
		if (s->err || (tp->shutdown & SEND_SHUTDOWN) ||
		    (tp->state != TCP_ESTABLISHED && tp->state != TCP_CLOSE_WAIT)) {
			kfree_skb(skb);
			continue;	/* reported at the top of the loop */
		}
		struct sk_buff *tail = tp->wq.qlen ? list_last_entry(&tp->wq.list, struct sk_buff, list) : NULL;
		if (tail && tp->send_head && !(TCP_SKB_CB(tail)->flags & (TCPHDR_SYN | TCPHDR_FIN)) &&
		    tail->len + chunk <= mss && chunk <= skb_tailroom(tail)) {
			memcpy(skb_put(tail, chunk), skb->data, chunk);
			kfree_skb(skb);
			skb = tail;
		} else {
			struct tcp_cb *cb = TCP_SKB_CB(skb);
			memset(cb, 0, sizeof(*cb));
			cb->seq = cb->end_seq = tp->write_seq;
			sk->wmem += skb_truesize(skb);
			skb_queue_tail(&tp->wq, skb);
			if (!tp->send_head)
				tp->send_head = skb;
		}
		TCP_SKB_CB(skb)->end_seq += (uint32_t)chunk;
		tp->write_seq += (uint32_t)chunk;
		copied += chunk;
		if (skb->len >= mss)
			tcp_push(tp, push);
	}
	ret = (ssize_t)copied;
out_push:
	tcp_push(tp, push);
out:
	tcp_drop_ref(tp);
	return ret;
}

/* The buffer holding seq in the receive queue, or NULL. */
static struct sk_buff *rq_find(struct tcp_sock *tp, uint32_t seq, uint32_t *off)
{
	struct sk_buff *skb;
	list_for_each_entry(skb, &tp->inet.rq.list, list) {
		uint32_t o = seq - TCP_SKB_CB(skb)->seq;
		if (o < skb->len) {
			*off = o;
			return skb;
		}
	}
	return NULL;
}

ssize_t tcp_recvmsg(struct inet_sock *sk, struct kmsg *m, unsigned flags)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct socket *s = sk->sock;
	if (flags & MSG_OOB)
		return -EINVAL;	/* no urgent data is ever held */
	if (flags & MSG_ERRQUEUE)
		return ip_recv_error(sk, m);
	if (tp->state == TCP_LISTEN)
		return -ENOTCONN;
	bool peek = flags & MSG_PEEK, trunc = flags & MSG_TRUNC;
	size_t len = m->it.len, copied = 0;
	size_t target = (flags & MSG_WAITALL) ? len : MIN((size_t)s->rcvlowat, len);
	if (!target)
		target = 1;
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, true);
	uint32_t seq = tp->copied_seq;
	ssize_t ret = 0;
	inet_sock_hold(sk);
	while (copied < len) {
		uint32_t off;
		struct sk_buff *skb = rq_find(tp, seq, &off);
		if (skb) {
			size_t chunk = MIN((size_t)(skb->len - off), len - copied);
			if (!trunc && miter_to(&m->it, copied, skb->data + off, chunk)) {
				if (!copied)
					ret = -EFAULT;
				break;
			}
			seq += (uint32_t)chunk;
			copied += chunk;
			if (!peek) {
				tp->copied_seq = seq;
				/* the copy may have slept: look the buffer up again */
				skb = rq_find(tp, seq - 1, &off);
				if (skb && off + 1 == skb->len) {
					list_del(&skb->list);
					tp->inet.rq.qlen--;
					sk->rmem -= skb_truesize(skb);
					kfree_skb(skb);
				}
			}
			continue;
		}
		if (copied >= target)
			break;
		if (copied) {
			if (s->err || tp->state == TCP_CLOSE || (tp->shutdown & RCV_SHUTDOWN) || !deadline ||
			    signal_pending(current))
				break;
		} else {
			if (s->err) {
				ret = take_error(s);
				break;
			}
			if (tp->shutdown & RCV_SHUTDOWN)
				break;
			if (tp->state == TCP_CLOSE) {
				ret = -ENOTCONN;	/* never connected */
				break;
			}
			if (!deadline) {
				ret = -EAGAIN;
				break;
			}
		}
		if (!peek)
			tcp_cleanup_rbuf(tp, (uint32_t)copied);
		uint32_t want = seq;
		long r = wait_event_interruptible_deadline(sk->wq, (uint32_t)(tp->rcv_nxt - want) > (tp->fin_rcvd ? 1u : 0u) ||
							   s->err || (tp->shutdown & RCV_SHUTDOWN) ||
							   tp->state == TCP_CLOSE, deadline);
		if (r) {
			if (!copied)
				ret = wait_error(s, r, true);
			break;
		}
		if (peek && before(seq, tp->copied_seq))
			seq = tp->copied_seq;	/* someone else read meanwhile */
	}
	if (!peek)
		tcp_cleanup_rbuf(tp, (uint32_t)copied);
	tcp_drop_ref(tp);
	if (copied)
		return (ssize_t)copied;
	return ret;
}

int tcp_inq(struct inet_sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	if (tp->state == TCP_LISTEN || tp->state == TCP_SYN_SENT || (tp->state == TCP_CLOSE && !tp->rcv_nxt))
		return 0;
	return (int)(tp->rcv_nxt - tp->copied_seq - (tp->fin_rcvd ? 1 : 0));
}

static long tcp_ioctl(struct socket *s, unsigned cmd, unsigned long arg)
{
	struct tcp_sock *tp = tcp_sk(inet_sk(s));
	int v;
	switch (cmd) {
	case SIOCINQ:
		if (tp->state == TCP_LISTEN)
			return -EINVAL;
		v = tcp_inq(&tp->inet);
		return copy_to_user(arg, &v, sizeof(v));
	case SIOCOUTQ:
		if (tp->state == TCP_LISTEN)
			return -EINVAL;
		v = tp->state == TCP_SYN_SENT ? 0 : (int)tcp_outq(tp);
		return copy_to_user(arg, &v, sizeof(v));
	case SIOCOUTQNSD:
		if (tp->state == TCP_LISTEN)
			return -EINVAL;
		v = tp->state == TCP_SYN_SENT ? 0 : (int)tcp_notsent(tp);
		return copy_to_user(arg, &v, sizeof(v));
	}
	return inet_ioctl(s, cmd, arg);
}

static ssize_t stream_sendmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	return tcp_sendmsg(inet_sk(s), m, flags);
}

static ssize_t stream_recvmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	return tcp_recvmsg(inet_sk(s), m, flags);
}

static int stream_setsockopt(struct socket *s, int level, int name, uaddr_t val, int len)
{
	if (level == SOL_IP)
		return ip_setsockopt(inet_sk(s), name, val, len);
	return tcp_setsockopt(inet_sk(s), level, name, val, len);
}

static int stream_getsockopt(struct socket *s, int level, int name, uaddr_t val, uaddr_t ulen)
{
	if (level == SOL_IP)
		return ip_getsockopt(inet_sk(s), name, val, ulen);
	return tcp_getsockopt(inet_sk(s), level, name, val, ulen);
}

static const struct proto_ops inet_stream_ops = {
	.release = tcp_release, .bind = inet_bind, .connect = tcp_connect, .listen = tcp_listen,
	.accept = tcp_accept, .getname = tcp_getname, .poll = tcp_poll, .shutdown = tcp_shutdown_call,
	.sendmsg = stream_sendmsg, .recvmsg = stream_recvmsg, .ioctl = tcp_ioctl,
	.setsockopt = stream_setsockopt, .getsockopt = stream_getsockopt,
};
