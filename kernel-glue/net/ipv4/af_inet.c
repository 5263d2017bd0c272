/* AF_INET (Linux's af_inet.c): socket(2) picks the protocol (UDP, ping,
 * raw), and the operations every AF_INET datagram socket shares: bind,
 * connect, names, poll, shutdown, ioctls (FIONREAD/SIOCOUTQ, and the
 * address, route and device ones), options, release. SOCK_STREAM is
 * TCP's (tcp.c), which uses bind and the device ioctls from here. */
#include <umk/fdtable.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include <linux/sockios.h>
#include "inet_sock.h"

extern const struct inet_proto udp_proto, raw_proto, ping_proto;
int ping_init_sock(struct inet_sock *sk);
void raw_hash(struct inet_sock *sk);
long devinet_ioctl(unsigned cmd, uaddr_t arg);
long ip_rt_ioctl(unsigned cmd, uaddr_t arg);
long arp_ioctl(unsigned cmd, uaddr_t arg);
int tcp_v4_create(struct socket *s);
int inet_bind(struct socket *s, const void *addr, int len);
long inet_ioctl(struct socket *s, unsigned cmd, unsigned long arg);
static const struct proto_ops inet_dgram_ops;

void inet_sock_hold(struct inet_sock *sk)
{
	sk->refs++;
}

void inet_sock_put(struct inet_sock *sk)
{
	BUG_ON(sk->refs <= 0);
	if (--sk->refs)
		return;
	while (!list_empty(&sk->wq.head))
		list_del(sk->wq.head.next);	/* a poller that outlived the socket */
	kfree(sk);
}

static int inet_create(struct socket *s, int protocol)
{
	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	const struct inet_proto *prot;
	switch (s->type) {
	case SOCK_DGRAM:
		if (!protocol || protocol == IPPROTO_UDP) {
			protocol = IPPROTO_UDP;
			prot = &udp_proto;
		} else if (protocol == IPPROTO_ICMP) {
			prot = &ping_proto;
		} else {
			return -EPROTONOSUPPORT;
		}
		break;
	case SOCK_RAW:
		if (!protocol)
			return -EPROTONOSUPPORT;
		if (!net_raw())
			return -EPERM;
		prot = &raw_proto;
		break;
	case SOCK_STREAM:
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		return tcp_v4_create(s);
	default:
		return -ESOCKTNOSUPPORT;
	}
	s->protocol = protocol;	/* SO_PROTOCOL gives the one chosen (UDP for 0) */
	struct inet_sock *sk = kzalloc(sizeof(*sk));
	sk->refs = 1;
	sk->sock = s;
	sk->prot = prot;
	sk->type = s->type;
	sk->protocol = (uint8_t)protocol;
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
	s->sk = sk;
	s->ops = &inet_dgram_ops;
	/* raw and ping sockets start with SO_REUSEADDR (INET_PROTOSW_REUSE) */
	if (prot != &udp_proto)
		s->flags |= SOCKF_REUSEADDR;
	if (prot == &raw_proto) {
		sk->num = sk->sport = (uint16_t)protocol;
		sk->hdrincl = protocol == IPPROTO_RAW;
		raw_hash(sk);
	} else if (prot == &ping_proto) {
		int err = ping_init_sock(sk);
		if (err) {
			s->sk = NULL;
			kfree(sk);
			return err;
		}
	}
	return 0;
}

static int inet_release(struct socket *s)
{
	struct inet_sock *sk = inet_sk(s);
	if (!sk)
		return 0;
	ip_mc_drop_socket(sk);
	if (sk->hashed)
		sk->prot->unhash(sk);
	skb_queue_purge(&sk->rq);
	skb_queue_purge(&sk->errq);
	wake_up(&sk->wq);
	sk->sock = NULL;
	s->sk = NULL;
	inet_sock_put(sk);
	return 0;
}

/* Linux's inet_addr_valid_or_nonlocal: may a socket bind addr? */
bool inet_addr_valid_or_nonlocal(const struct inet_sock *sk, __be32 addr, unsigned type)
{
	return sysctl_ip_nonlocal_bind || sk->freebind || addr == htonl(INADDR_ANY) || type == RTN_LOCAL ||
	       type == RTN_MULTICAST || type == RTN_BROADCAST;
}

int inet_autobind(struct inet_sock *sk)
{
	if (sk->num || !sk->prot->get_port)
		return 0;
	return sk->prot->get_port(sk, 0) ? -EAGAIN : 0;
}

int inet_bind(struct socket *s, const void *addr, int len)
{
	struct inet_sock *sk = inet_sk(s);
	const struct sockaddr_in *a = addr;
	if (sk->prot->bind)
		return sk->prot->bind(sk, a, len);
	if (len < (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	if (a->sin_family != AF_INET && (a->sin_family != AF_UNSPEC || a->sin_addr.s_addr != htonl(INADDR_ANY)))
		return -EAFNOSUPPORT;
	unsigned type = inet_addr_type(a->sin_addr.s_addr);
	if (!inet_addr_valid_or_nonlocal(sk, a->sin_addr.s_addr, type))
		return -EADDRNOTAVAIL;
	uint16_t snum = ntohs(a->sin_port);
	if (snum && snum < sysctl_ip_unprivileged_port_start && !capable(CAP_NET_BIND_SERVICE))
		return -EACCES;
	if (sk->connected || sk->num)
		return -EINVAL;
	sk->rcv_saddr = sk->saddr = a->sin_addr.s_addr;
	if (type == RTN_MULTICAST || type == RTN_BROADCAST)
		sk->saddr = 0;	/* send from the device's address */
	if (snum || !sk->bind_address_no_port) {
		int err = sk->prot->get_port(sk, snum);
		if (err) {
			sk->rcv_saddr = sk->saddr = 0;
			return err;
		}
	}
	sk->addr_locked = sk->rcv_saddr != 0;
	sk->port_locked = snum != 0;
	sk->daddr = 0;
	sk->dport = 0;
	return 0;
}

static int inet_connect(struct socket *s, const void *addr, int len, bool nonblock __unused)
{
	struct inet_sock *sk = inet_sk(s);
	const struct sockaddr_in *a = addr;
	if (len < (int)sizeof(a->sin_family))
		return -EINVAL;
	if (a->sin_family == AF_UNSPEC)
		return inet_dgram_disconnect(sk);
	if (!sk->num && inet_autobind(sk))
		return -EAGAIN;
	return ip4_datagram_connect(sk, a, len);
}

static int inet_getname(struct socket *s, void *addr, bool peer)
{
	struct inet_sock *sk = inet_sk(s);
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (peer) {
		if (!sk->connected)
			return -ENOTCONN;
		sin.sin_addr.s_addr = sk->daddr;
		sin.sin_port = htons(sk->dport);
	} else {
		sin.sin_addr.s_addr = sk->rcv_saddr ? sk->rcv_saddr : sk->saddr;
		sin.sin_port = htons(sk->sport);	/* a raw socket's is its protocol, as Linux */
	}
	memcpy(addr, &sin, sizeof(sin));
	return sizeof(sin);
}

/* Linux's datagram_poll/udp_poll */
static unsigned inet_poll(struct file *f, struct socket *s, struct poll_table *pt)
{
	struct inet_sock *sk = inet_sk(s);
	unsigned mask = 0;
	poll_wait(f, &sk->wq, pt);
	if (s->err || sk->errq.qlen)
		mask |= POLLERR | (sk->errq.qlen ? POLLPRI : 0);
	if (s->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (s->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (sk->rq.qlen)
		mask |= POLLIN | POLLRDNORM;
	if (sk->wmem < (size_t)s->sndbuf)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

static int inet_shutdown(struct socket *s, int how)
{
	struct inet_sock *sk = inet_sk(s);
	s->shutdown |= how + 1;	/* SHUT_RD -> RCV_SHUTDOWN, ... */
	wake_up(&sk->wq);
	/* a datagram socket that is not connected says so, but the flags
	 * are set (and wake a blocked recv), as Linux */
	return sk->connected ? 0 : -ENOTCONN;
}

static ssize_t inet_sendmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct inet_sock *sk = inet_sk(s);
	if (!sk->num && inet_autobind(sk))
		return -EAGAIN;
	return sk->prot->sendmsg(sk, m, flags);
}

static ssize_t inet_recvmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct inet_sock *sk = inet_sk(s);
	if (flags & MSG_ERRQUEUE)
		return ip_recv_error(sk, m);
	return sk->prot->recvmsg(sk, m, flags);
}

long inet_ioctl(struct socket *s, unsigned cmd, unsigned long arg)
{
	struct inet_sock *sk = inet_sk(s);
	int v;
	switch (cmd) {
	case FIONREAD:	/* SIOCINQ */
		v = sk->prot->inq(sk);
		return copy_to_user(arg, &v, sizeof(v));
	case TIOCOUTQ:	/* SIOCOUTQ */
		v = (int)sk->wmem;
		return copy_to_user(arg, &v, sizeof(v));
	case SIOCADDRT:
	case SIOCDELRT:
		return ip_rt_ioctl(cmd, arg);
	case SIOCSARP:
	case SIOCDARP:
	case SIOCGARP:
		return arp_ioctl(cmd, arg);
	case SIOCGIFADDR: case SIOCSIFADDR: case SIOCGIFBRDADDR: case SIOCSIFBRDADDR:
	case SIOCGIFNETMASK: case SIOCSIFNETMASK: case SIOCGIFDSTADDR: case SIOCSIFDSTADDR:
	case SIOCSIFFLAGS:
		return devinet_ioctl(cmd, arg);
	}
	return -ENOIOCTLCMD;
}

static int inet_setsockopt(struct socket *s, int level, int name, uaddr_t val, int len)
{
	struct inet_sock *sk = inet_sk(s);
	if (level == SOL_IP)
		return ip_setsockopt(sk, name, val, len);
	return sk->prot->setsockopt ? sk->prot->setsockopt(sk, level, name, val, len) : -ENOPROTOOPT;
}

static int inet_getsockopt(struct socket *s, int level, int name, uaddr_t val, uaddr_t ulen)
{
	struct inet_sock *sk = inet_sk(s);
	if (level == SOL_IP)
		return ip_getsockopt(sk, name, val, ulen);
	return sk->prot->getsockopt ? sk->prot->getsockopt(sk, level, name, val, ulen) : -ENOPROTOOPT;
}

static const struct proto_ops inet_dgram_ops = {
	.release = inet_release, .bind = inet_bind, .connect = inet_connect, .getname = inet_getname,
	.poll = inet_poll, .shutdown = inet_shutdown, .sendmsg = inet_sendmsg, .recvmsg = inet_recvmsg,
	.ioctl = inet_ioctl, .setsockopt = inet_setsockopt, .getsockopt = inet_getsockopt,
};

static const struct net_family inet_family = { .family = AF_INET, .create = inet_create };
DEFINE_NET_FAMILY(inet_family);
