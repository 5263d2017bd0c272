/* AF_NETLINK sockets: addresses (a port id per socket, multicast groups
 * as a bitmask), bind/connect/getsockname, sending to the kernel (the
 * rtnetlink requests), to another socket or to a group, and a datagram
 * receive queue. Only NETLINK_ROUTE is here; other protocols are
 * refused with EPROTONOSUPPORT, logged once. */
#include <umk/sched.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include <linux/sockios.h>
#include "netlink.h"

static LIST_HEAD(netlink_socks);
static const struct proto_ops netlink_ops;
static int32_t rover = -4096;	/* Linux's autobind: the tgid, else negative ids */

static struct netlink_sock *lookup_portid(uint32_t portid)
{
	struct netlink_sock *n;
	list_for_each_entry(n, &netlink_socks, all)
		if (n->bound && n->portid == portid)
			return n;
	return NULL;
}

static int netlink_create(struct socket *s, int protocol)
{
	if (s->type != SOCK_RAW && s->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol < 0 || protocol >= 32)
		return -EPROTONOSUPPORT;
	if (protocol != NETLINK_ROUTE) {
		printk_once_key("netlink-proto", KERN_NOTICE "%s (pid %d) asked for netlink protocol %d: only "
				"NETLINK_ROUTE is implemented\n", current->comm, current->tgid, protocol);
		return -EPROTONOSUPPORT;
	}
	struct netlink_sock *n = kzalloc(sizeof(*n));
	n->sock = s;
	skb_queue_init(&n->rq);
	init_waitqueue_head(&n->wq);
	s->sk = n;
	s->ops = &netlink_ops;
	list_add_tail(&n->all, &netlink_socks);
	return 0;
}

static int netlink_release(struct socket *s)
{
	struct netlink_sock *n = nlk_sk(s);
	if (!n)
		return 0;
	list_del(&n->all);
	skb_queue_purge(&n->rq);
	wake_up(&n->wq);
	while (!list_empty(&n->wq.head))
		list_del(n->wq.head.next);
	s->sk = NULL;
	kfree(n);
	return 0;
}

int netlink_autobind(struct netlink_sock *n)
{
	if (n->bound)
		return 0;
	uint32_t id = (uint32_t)current->tgid;
	while (lookup_portid(id)) {
		id = (uint32_t)rover--;
		if (rover > -4096)
			rover = -4096;
	}
	n->portid = id;
	n->bound = true;
	return 0;
}

/* The first 32 groups, as nl_groups carries them. */
static uint32_t groups32(const struct netlink_sock *n)
{
	return (uint32_t)n->groups[0];
}

static int netlink_bind(struct socket *s, const void *addr, int len)
{
	const struct sockaddr_nl *nl = addr;
	struct netlink_sock *n = nlk_sk(s);
	if (len < (int)sizeof(*nl) || nl->nl_family != AF_NETLINK)
		return -EINVAL;
	/* NETLINK_ROUTE lets anyone listen (NL_CFG_F_NONROOT_RECV) */
	if (n->bound) {
		if (nl->nl_pid != n->portid)
			return -EINVAL;
	} else if (nl->nl_pid) {
		if (lookup_portid(nl->nl_pid))
			return -EADDRINUSE;
		n->portid = nl->nl_pid;
		n->bound = true;
	} else {
		netlink_autobind(n);
	}
	if (!nl->nl_groups && !groups32(n))
		return 0;
	n->groups[0] = (n->groups[0] & ~0xffffffffull) | nl->nl_groups;
	return 0;
}

static int netlink_connect(struct socket *s, const void *addr, int len, bool nonblock __unused)
{
	const struct sockaddr_nl *nl = addr;
	struct netlink_sock *n = nlk_sk(s);
	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (nl->nl_family == AF_UNSPEC) {
		n->dst_portid = n->dst_group = 0;
		return 0;
	}
	if (nl->nl_family != AF_NETLINK || len < (int)sizeof(*nl))
		return -EINVAL;
	if ((nl->nl_groups || nl->nl_pid) && !nl_admin())
		return -EPERM;	/* to groups or sockets: NETLINK_ROUTE has no NL_CFG_F_NONROOT_SEND */
	netlink_autobind(n);
	n->dst_portid = nl->nl_pid;
	n->dst_group = nl->nl_groups ? (unsigned)__builtin_ffs((int)nl->nl_groups) : 0;
	return 0;
}

static int netlink_getname(struct socket *s, void *addr, bool peer)
{
	struct netlink_sock *n = nlk_sk(s);
	struct sockaddr_nl *nl = addr;
	memset(nl, 0, sizeof(*nl));
	nl->nl_family = AF_NETLINK;
	if (peer) {
		nl->nl_pid = n->dst_portid;
		nl->nl_groups = n->dst_group ? 1u << (n->dst_group - 1) : 0;
	} else {
		nl->nl_pid = n->bound ? n->portid : 0;
		nl->nl_groups = groups32(n);
	}
	return (int)sizeof(*nl);
}

static unsigned netlink_poll(struct file *f, struct socket *s, struct poll_table *pt)
{
	struct netlink_sock *n = nlk_sk(s);
	unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;	/* sends never wait */
	poll_wait(f, &n->wq, pt);
	if (s->err)
		mask |= POLLERR;
	if (n->rq.qlen)
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

static void nl_skb_destructor(struct sk_buff *skb)
{
	struct netlink_sock *n = skb->owner;
	n->rmem -= skb_truesize(skb);
}

/* Queue one buffer on n: false if its queue is over SO_RCVBUF (the
 * caller reports the overrun). */
static bool nl_queue(struct netlink_sock *n, const void *data, size_t len, uint32_t from, unsigned group, bool force)
{
	if (!force && n->rmem >= (size_t)n->sock->rcvbuf)
		return false;
	struct sk_buff *skb = alloc_skb(0, len);
	if (!skb)
		return false;
	memcpy(skb_put(skb, len), data, len);
	struct netlink_cb *cb = NETLINK_CB(skb);
	cb->portid = from;
	cb->dst_group = group;
	cb->nsid_is_set = group != 0;
	skb->owner = n;
	skb->destructor = nl_skb_destructor;
	n->rmem += skb_truesize(skb);
	skb_queue_tail(&n->rq, skb);
	wake_up(&n->wq);
	return true;
}

/* Linux's netlink_overrun: the reader learns of the lost messages with
 * ENOBUFS, unless it asked not to (NETLINK_NO_ENOBUFS). */
static void overrun(struct netlink_sock *n)
{
	if (n->flags & NLF_NO_ENOBUFS)
		return;
	n->sock->err = ENOBUFS;
	wake_up(&n->wq);
}

bool netlink_unicast(struct netlink_sock *n, const void *data, size_t len, uint32_t from_portid, bool force)
{
	if (nl_queue(n, data, len, from_portid, 0, force))
		return true;
	overrun(n);
	return false;
}

int netlink_sendskb_file(struct file *f, const void *data, size_t len)
{
	struct socket *s = sock_from_file(f);
	if (!s)
		return -ENOTSOCK;
	if (s->ops != &netlink_ops)
		return -EINVAL;
	if (data)
		nl_queue(nlk_sk(s), data, len, 0, 0, true);
	return 0;
}

void netlink_broadcast(unsigned group, const void *data, size_t len, uint32_t from_portid,
		       const struct netlink_sock *except)
{
	struct netlink_sock *n;
	list_for_each_entry(n, &netlink_socks, all) {
		if (n == except || !nlk_in_group(n, group))
			continue;
		if (!nl_queue(n, data, len, from_portid, group, false))
			overrun(n);
	}
}

bool rtnl_has_listeners(unsigned group)
{
	struct netlink_sock *n;
	list_for_each_entry(n, &netlink_socks, all)
		if (nlk_in_group(n, group))
			return true;
	return false;
}

static ssize_t netlink_sendmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct netlink_sock *n = nlk_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	uint32_t dst_portid = n->dst_portid, dst_group = n->dst_group;
	if (m->namelen) {
		const struct sockaddr_nl *nl = (const void *)&m->name;
		if (m->namelen < (int)sizeof(*nl) || nl->nl_family != AF_NETLINK)
			return -EINVAL;
		dst_portid = nl->nl_pid;
		dst_group = nl->nl_groups ? (unsigned)__builtin_ffs((int)nl->nl_groups) : 0;
		if ((dst_group || dst_portid) && !nl_admin())
			return -EPERM;	/* only the kernel, unless CAP_NET_ADMIN */
	}
	netlink_autobind(n);
	size_t len = m->it.len;
	if (len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	uint8_t *data = kmalloc(len ? len : 1);
	if (miter_from(&m->it, 0, data, len)) {
		kfree(data);
		return -EFAULT;
	}
	ssize_t ret = (ssize_t)len;
	if (dst_group)
		netlink_broadcast(dst_group, data, len, n->portid, NULL);
	if (dst_portid) {
		struct netlink_sock *peer = lookup_portid(dst_portid);
		if (!peer)
			ret = -ECONNREFUSED;
		else if (!nl_queue(peer, data, len, n->portid, 0, false))
			ret = -EAGAIN;	/* a full peer is not waited for here */
	} else if (!dst_group) {
		rtnetlink_rcv(n, data, len);
	}
	kfree(data);
	return ret;
}

static long wait_data(struct socket *s, struct netlink_sock *n, int64_t deadline)
{
	if (!deadline)
		return -EAGAIN;
	long err = wait_event_interruptible_deadline(n->wq, n->rq.qlen || s->err, deadline);
	return err ? sock_wait_error(s, err, true) : 0;
}

static ssize_t netlink_recvmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct netlink_sock *n = nlk_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, true);
	struct sk_buff *skb;
	while (!(skb = skb_peek(&n->rq))) {
		if (s->err) {
			long e = -s->err;
			s->err = 0;
			return e;
		}
		if (s->shutdown & RCV_SHUTDOWN)
			return 0;
		long err = wait_data(s, n, deadline);
		if (err)
			return err;
	}
	size_t copied = MIN((size_t)skb->len, m->it.len);
	if (copied < skb->len)
		m->flags |= MSG_TRUNC;
	if (miter_to(&m->it, 0, skb->data, copied))
		return -EFAULT;
	struct netlink_cb *cb = NETLINK_CB(skb);
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = cb->portid };
	nl.nl_groups = cb->dst_group && cb->dst_group <= 32 ? 1u << (cb->dst_group - 1) : 0;
	memcpy(&m->name, &nl, sizeof(nl));
	m->namelen = sizeof(nl);
	if (n->flags & NLF_RECV_PKTINFO) {
		struct nl_pktinfo info = { cb->dst_group };
		put_kcmsg(m, SOL_NETLINK, NETLINK_PKTINFO, &info, sizeof(info));
	}
	if ((n->flags & NLF_LISTEN_ALL_NSID) && cb->nsid_is_set) {
		int nsid = -1;	/* the socket's own namespace: no id assigned */
		put_kcmsg(m, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &nsid, sizeof(nsid));
	}
	/* dumps are cut to the largest buffer the reader uses, as Linux */
	size_t want = MIN(m->it.len, (size_t)32768);
	if (want > n->max_recvmsg_len)
		n->max_recvmsg_len = want;
	ssize_t ret = (flags & MSG_TRUNC) ? (ssize_t)skb->len : (ssize_t)copied;
	if (!(flags & MSG_PEEK)) {
		skb_dequeue(&n->rq);
		kfree_skb(skb);
	}
	return ret;
}

static long netlink_ioctl(struct socket *s, unsigned cmd, unsigned long arg)
{
	struct netlink_sock *n = nlk_sk(s);
	int v;
	switch (cmd) {
	case SIOCINQ: {
		struct sk_buff *skb = skb_peek(&n->rq);
		v = skb ? (int)skb->len : 0;
		break;
	}
	case SIOCOUTQ:
		v = 0;
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int netlink_shutdown(struct socket *s, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	s->shutdown |= how + 1;
	wake_up(&nlk_sk(s)->wq);
	return 0;
}

static const struct proto_ops netlink_ops = {
	.release = netlink_release, .bind = netlink_bind, .connect = netlink_connect,
	.getname = netlink_getname, .poll = netlink_poll, .shutdown = netlink_shutdown,
	.sendmsg = netlink_sendmsg, .recvmsg = netlink_recvmsg, .ioctl = netlink_ioctl,
	.setsockopt = netlink_setsockopt, .getsockopt = netlink_getsockopt,
};

static const struct net_family netlink_family = { .family = AF_NETLINK, .create = netlink_create };
DEFINE_NET_FAMILY(netlink_family);
