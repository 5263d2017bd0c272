/* IPPROTO_IP socket options and send-side control messages (Linux's
 * ip_sockglue.c), and a socket's multicast memberships. Integer options
 * take an int or, shorter, one byte; getsockopt answers in one byte when
 * asked with less than an int, as Linux. */
#include <umk/uaccess.h>
#include "inet_sock.h"

#define IGMP_MAX_MEMBERSHIPS 20	/* net.ipv4.igmp_max_memberships */

/* ---- memberships ---- */

/* The device a membership request names (ip_mc_find_dev): by index,
 * by address, or the route to the group. Fills imr_ifindex. */
static struct net_device *mc_find_dev(struct ip_mreqn *imr)
{
	if (imr->imr_ifindex)
		return dev_get_by_index(imr->imr_ifindex);
	struct net_device *dev = NULL;
	if (imr->imr_address.s_addr) {
		dev = ip_dev_find(imr->imr_address.s_addr);
		if (!dev)
			return NULL;
	} else {
		struct flowi4 fl = { .daddr = imr->imr_multiaddr.s_addr };
		struct rtable rt;
		if (!ip_route_output(&fl, &rt))
			dev = rt.dev;
	}
	if (dev)
		imr->imr_ifindex = dev->ifindex;
	return dev;
}

static int mc_join(struct inet_sock *sk, struct ip_mreqn *imr)
{
	__be32 group = imr->imr_multiaddr.s_addr;
	if (!ipv4_is_multicast(group))
		return -EINVAL;
	struct net_device *dev = mc_find_dev(imr);
	if (!dev || !in_dev_get(dev))
		return -ENODEV;
	int count = 0;
	struct ip_mc_socklist *ml;
	list_for_each_entry(ml, &sk->mc_list, link) {
		if (ml->multi.imr_multiaddr.s_addr == group && ml->multi.imr_ifindex == imr->imr_ifindex)
			return -EADDRINUSE;
		count++;
	}
	if (count >= IGMP_MAX_MEMBERSHIPS)
		return -ENOBUFS;
	int err = ip_mc_join(dev, group);
	if (err)
		return err;
	ml = kzalloc(sizeof(*ml));
	ml->multi = *imr;
	list_add(&ml->link, &sk->mc_list);
	return 0;
}

static int mc_leave(struct inet_sock *sk, struct ip_mreqn *imr)
{
	__be32 group = imr->imr_multiaddr.s_addr;
	struct net_device *dev = mc_find_dev(imr);
	if (!imr->imr_ifindex && !imr->imr_address.s_addr && !dev)
		return -ENODEV;
	struct ip_mc_socklist *ml;
	list_for_each_entry(ml, &sk->mc_list, link) {
		if (ml->multi.imr_multiaddr.s_addr != group)
			continue;
		if (imr->imr_ifindex) {
			if (ml->multi.imr_ifindex != imr->imr_ifindex)
				continue;
		} else if (imr->imr_address.s_addr && imr->imr_address.s_addr != ml->multi.imr_address.s_addr) {
			continue;
		}
		struct net_device *d = dev_get_by_index(ml->multi.imr_ifindex);
		if (d)
			ip_mc_leave(d, group);
		list_del(&ml->link);
		kfree(ml);
		return 0;
	}
	return -EADDRNOTAVAIL;
}

void ip_mc_drop_socket(struct inet_sock *sk)
{
	while (!list_empty(&sk->mc_list)) {
		struct ip_mc_socklist *ml = list_first_entry(&sk->mc_list, struct ip_mc_socklist, link);
		struct net_device *d = dev_get_by_index(ml->multi.imr_ifindex);
		if (d)
			ip_mc_leave(d, ml->multi.imr_multiaddr.s_addr);
		list_del(&ml->link);
		kfree(ml);
	}
}

bool ip_mc_sf_allow(struct inet_sock *sk, __be32 group, int ifindex)
{
	if (!ipv4_is_multicast(group))
		return true;
	struct ip_mc_socklist *ml;
	list_for_each_entry(ml, &sk->mc_list, link)
		if (ml->multi.imr_multiaddr.s_addr == group && ml->multi.imr_ifindex == ifindex)
			return true;
	return sk->mc_all;	/* IP_MULTICAST_ALL: groups joined by anyone */
}

/* ---- options ---- */

static bool is_int_opt(int name)
{
	switch (name) {
	case IP_PKTINFO: case IP_RECVTTL: case IP_RECVOPTS: case IP_RECVTOS: case IP_TOS: case IP_TTL:
	case IP_HDRINCL: case IP_MTU_DISCOVER: case IP_RECVERR: case IP_FREEBIND: case IP_NODEFRAG:
	case IP_BIND_ADDRESS_NO_PORT: case IP_MULTICAST_TTL: case IP_MULTICAST_ALL: case IP_MULTICAST_LOOP:
	case IP_RECVORIGDSTADDR: case IP_RECVFRAGSIZE:
		return true;
	}
	return false;
}

static void set_flag(struct inet_sock *sk, unsigned bit, int val)
{
	if (val)
		sk->cmsg_flags |= bit;
	else
		sk->cmsg_flags &= ~bit;
}

/* ip_mreqn, ip_mreq or in_addr, by length (IP_MULTICAST_IF's rules). */
static int get_mreqn(uaddr_t val, int len, struct ip_mreqn *m, bool addr_only)
{
	memset(m, 0, sizeof(*m));
	if (len >= (int)sizeof(struct ip_mreqn))
		return copy_from_user(m, val, sizeof(*m));
	if (len >= (int)sizeof(struct ip_mreq))
		return copy_from_user(m, val, sizeof(struct ip_mreq));
	if (addr_only && len >= (int)sizeof(struct in_addr))
		return copy_from_user(&m->imr_address, val, sizeof(struct in_addr));
	return -EINVAL;
}

int ip_setsockopt(struct inet_sock *sk, int name, uaddr_t val, int len)
{
	int v = 0;
	if (is_int_opt(name)) {
		if (len >= (int)sizeof(int)) {
			if (copy_from_user(&v, val, sizeof(v)))
				return -EFAULT;
		} else if (len >= 1) {
			uint8_t b;
			if (copy_from_user(&b, val, 1))
				return -EFAULT;
			v = b;
		}
	}
	switch (name) {
	case IP_PKTINFO: set_flag(sk, IP_CMSG_PKTINFO, v); return 0;
	case IP_RECVTTL: set_flag(sk, IP_CMSG_TTL, v); return 0;
	case IP_RECVTOS: set_flag(sk, IP_CMSG_TOS, v); return 0;
	case IP_RECVOPTS: set_flag(sk, IP_CMSG_RECVOPTS, v); return 0;
	case IP_RECVORIGDSTADDR: set_flag(sk, IP_CMSG_ORIGDSTADDR, v); return 0;
	case IP_RECVFRAGSIZE: set_flag(sk, IP_CMSG_RECVFRAGSIZE, v); return 0;
	case IP_RECVERR:
		sk->recverr = v != 0;
		if (!v)
			skb_queue_purge(&sk->errq);
		return 0;
	case IP_FREEBIND:
		if (len < 1)
			return -EINVAL;
		sk->freebind = v != 0;
		return 0;
	case IP_HDRINCL:
		if (sk->type != SOCK_RAW)
			return -ENOPROTOOPT;
		sk->hdrincl = v != 0;
		return 0;
	case IP_NODEFRAG:
		if (sk->type != SOCK_RAW)
			return -ENOPROTOOPT;
		sk->nodefrag = v != 0;
		return 0;
	case IP_BIND_ADDRESS_NO_PORT:
		sk->bind_address_no_port = v != 0;
		return 0;
	case IP_MULTICAST_LOOP:
		if (len < 1)
			return -EINVAL;
		sk->mc_loop = v != 0;
		return 0;
	case IP_MULTICAST_ALL:
		if (len < 1)
			return -EINVAL;
		if (v != 0 && v != 1)
			return -EINVAL;
		sk->mc_all = v;
		return 0;
	case IP_TTL:
		if (len < 1)
			return -EINVAL;
		if (v != -1 && (v < 1 || v > 255))
			return -EINVAL;
		sk->uc_ttl = v;
		return 0;
	case IP_MULTICAST_TTL:
		if (len < 1)
			return -EINVAL;
		if (v == -1)
			v = 1;
		if (v < 0 || v > 255)
			return -EINVAL;
		sk->mc_ttl = v;
		return 0;
	case IP_MTU_DISCOVER:
		if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
			return -EINVAL;
		sk->pmtudisc = (uint8_t)v;
		return 0;
	case IP_TOS:
		sk->tos = (uint8_t)v;
		return 0;
	case IP_MULTICAST_IF: {
		if (len < (int)sizeof(struct in_addr))
			return -EINVAL;
		struct ip_mreqn m;
		if (get_mreqn(val, len, &m, true))
			return -EFAULT;
		struct net_device *dev;
		if (!m.imr_ifindex) {
			if (!m.imr_address.s_addr) {
				sk->mc_index = 0;
				sk->mc_addr = 0;
				return 0;
			}
			dev = ip_dev_find(m.imr_address.s_addr);
			if (dev)
				m.imr_ifindex = dev->ifindex;
		} else {
			dev = dev_get_by_index(m.imr_ifindex);
		}
		if (!dev)
			return -EADDRNOTAVAIL;
		int bound = inet_sk_bound_dev(sk);
		if (bound && m.imr_ifindex != bound)
			return -EINVAL;
		sk->mc_index = m.imr_ifindex;
		sk->mc_addr = m.imr_address.s_addr;
		return 0;
	}
	case IP_ADD_MEMBERSHIP:
	case IP_DROP_MEMBERSHIP: {
		if (len < (int)sizeof(struct ip_mreq))
			return -EINVAL;
		struct ip_mreqn m;
		if (get_mreqn(val, len, &m, false))
			return -EFAULT;
		return name == IP_ADD_MEMBERSHIP ? mc_join(sk, &m) : mc_leave(sk, &m);
	}
	}
	return -ENOPROTOOPT;
}

int ip_getsockopt(struct inet_sock *sk, int name, uaddr_t uval, uaddr_t ulen)
{
	int len;
	int err = get_user_optlen(ulen, &len);
	if (err)
		return err;
	int v;
	switch (name) {
	case IP_PKTINFO: v = !!(sk->cmsg_flags & IP_CMSG_PKTINFO); break;
	case IP_RECVTTL: v = !!(sk->cmsg_flags & IP_CMSG_TTL); break;
	case IP_RECVTOS: v = !!(sk->cmsg_flags & IP_CMSG_TOS); break;
	case IP_RECVOPTS: v = !!(sk->cmsg_flags & IP_CMSG_RECVOPTS); break;
	case IP_RECVORIGDSTADDR: v = !!(sk->cmsg_flags & IP_CMSG_ORIGDSTADDR); break;
	case IP_RECVFRAGSIZE: v = !!(sk->cmsg_flags & IP_CMSG_RECVFRAGSIZE); break;
	case IP_TOS: v = sk->tos; break;
	case IP_TTL: v = sk->uc_ttl < 0 ? sysctl_ip_default_ttl : sk->uc_ttl; break;
	case IP_HDRINCL: v = sk->hdrincl; break;
	case IP_NODEFRAG: v = sk->nodefrag; break;
	case IP_MTU_DISCOVER: v = sk->pmtudisc; break;
	case IP_RECVERR: v = sk->recverr; break;
	case IP_MULTICAST_TTL: v = sk->mc_ttl; break;
	case IP_MULTICAST_LOOP: v = sk->mc_loop; break;
	case IP_MULTICAST_ALL: v = sk->mc_all; break;
	case IP_MTU: {
		if (!sk->connected)
			return -ENOTCONN;
		struct flowi4 fl = { .daddr = sk->daddr, .saddr = sk->saddr, .oif = inet_sk_bound_dev(sk) };
		struct rtable rt;
		if (ip_route_output(&fl, &rt))
			return -ENOTCONN;
		v = (int)ip_rt_mtu(&rt);
		break;
	}
	case IP_MULTICAST_IF: {
		struct in_addr a = { sk->mc_addr };
		len = MIN(len, (int)sizeof(a));
		if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(uval, &a, len))
			return -EFAULT;
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
	if (len < (int)sizeof(int) && len > 0 && v >= 0 && v <= 255) {
		uint8_t b = (uint8_t)v;
		len = 1;
		if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(uval, &b, 1))
			return -EFAULT;
		return 0;
	}
	len = MIN(len, (int)sizeof(int));
	if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(uval, &v, len))
		return -EFAULT;
	return 0;
}

int ip_cmsg_send(struct inet_sock *sk, const struct kmsg *m, struct ipcm *ipc)
{
	ipc->oif = inet_sk_bound_dev(sk);
	ipc->addr = sk->saddr;
	ipc->ttl = 0;
	ipc->tos = -1;
	if (!m->control)
		return 0;
	size_t off = 0;
	const struct kcmsghdr *c;
	int r;
	while ((r = kcmsg_next(m->control, m->controllen, &off, &c)) > 0) {
		if (c->cmsg_level != SOL_IP)
			continue;	/* SOL_SOCKET ones were the socket layer's */
		const void *d = c + 1;
		int v;
		switch (c->cmsg_type) {
		case IP_PKTINFO: {
			if (c->cmsg_len != KCMSG_LEN(sizeof(struct in_pktinfo)))
				return -EINVAL;
			struct in_pktinfo pi;
			memcpy(&pi, d, sizeof(pi));
			if (pi.ipi_ifindex)
				ipc->oif = pi.ipi_ifindex;
			ipc->addr = pi.ipi_spec_dst.s_addr;
			break;
		}
		case IP_TTL:
			if (c->cmsg_len != KCMSG_LEN(sizeof(int)))
				return -EINVAL;
			memcpy(&v, d, sizeof(v));
			if (v < 1 || v > 255)
				return -EINVAL;
			ipc->ttl = v;
			break;
		case IP_TOS:
			if (c->cmsg_len == KCMSG_LEN(sizeof(int)))
				memcpy(&v, d, sizeof(v));
			else if (c->cmsg_len == KCMSG_LEN(1))
				v = *(const uint8_t *)d;
			else
				return -EINVAL;
			if (v < 0 || v > 255)
				return -EINVAL;
			ipc->tos = v;
			break;
		default:
			return -EINVAL;
		}
	}
	return r;
}
