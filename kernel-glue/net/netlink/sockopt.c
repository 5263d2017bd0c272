/* SOL_NETLINK options, as Linux's netlink_setsockopt/getsockopt: group
 * memberships beyond the 32 of nl_groups, and the per-socket switches
 * iproute2 sets (NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, ...). */
#include <umk/uaccess.h>
#include "netlink.h"

/* The switch an option sets, or 0 if it is not one. */
static unsigned flag_of(int name)
{
	switch (name) {
	case NETLINK_PKTINFO: return NLF_RECV_PKTINFO;
	case NETLINK_BROADCAST_ERROR: return NLF_BROADCAST_ERROR;
	case NETLINK_NO_ENOBUFS: return NLF_NO_ENOBUFS;
	case NETLINK_LISTEN_ALL_NSID: return NLF_LISTEN_ALL_NSID;
	case NETLINK_CAP_ACK: return NLF_CAP_ACK;
	case NETLINK_EXT_ACK: return NLF_EXT_ACK;
	case NETLINK_GET_STRICT_CHK: return NLF_STRICT_CHK;
	default: return 0;
	}
}

int netlink_setsockopt(struct socket *s, int level, int name, uaddr_t val, int len)
{
	struct netlink_sock *n = nlk_sk(s);
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	unsigned v = 0;	/* a shorter value counts as 0, as Linux */
	if (len >= (int)sizeof(int) && copy_from_user(&v, val, sizeof(v)))
		return -EFAULT;
	switch (name) {
	case NETLINK_ADD_MEMBERSHIP:
	case NETLINK_DROP_MEMBERSHIP:
		if (v == 0 || v > NLGRP_MAX)
			return -EINVAL;
		if (name == NETLINK_ADD_MEMBERSHIP)
			n->groups[(v - 1) / 64] |= 1ull << ((v - 1) % 64);
		else
			n->groups[(v - 1) / 64] &= ~(1ull << ((v - 1) % 64));
		return 0;
	case NETLINK_LISTEN_ALL_NSID:
		if (v && !nl_admin())
			return -EPERM;	/* CAP_NET_BROADCAST */
		break;
	}
	unsigned f = flag_of(name);
	if (!f)
		return -ENOPROTOOPT;	/* the mmap rings are gone from Linux too */
	if (v)
		n->flags |= f;
	else
		n->flags &= ~f;
	return 0;
}

int netlink_getsockopt(struct socket *s, int level, int name, uaddr_t val, uaddr_t ulen)
{
	struct netlink_sock *n = nlk_sk(s);
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	int len;
	int err = get_user_optlen(ulen, &len);
	if (err)
		return err;
	if (name == NETLINK_LIST_MEMBERSHIPS) {
		/* the group bitmap in 32-bit words, as much as fits; the
		 * length says how much there is */
		uint32_t words[NLGRP_WORDS * 2];
		for (int i = 0; i < NLGRP_WORDS; i++) {
			words[2 * i] = (uint32_t)n->groups[i];
			words[2 * i + 1] = (uint32_t)(n->groups[i] >> 32);
		}
		int full = (int)(((NLGRP_MAX + 7) / 8 + 3) & ~3);
		if (copy_to_user(val, words, (size_t)(MIN(len, full) & ~3)))
			return -EFAULT;
		return copy_to_user(ulen, &full, sizeof(full)) ? -EFAULT : 0;
	}
	unsigned f = flag_of(name);
	if (!f)
		return -ENOPROTOOPT;
	if (len < (int)sizeof(int))
		return -EINVAL;
	int v = (n->flags & f) != 0;
	len = sizeof(int);
	if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(val, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}
