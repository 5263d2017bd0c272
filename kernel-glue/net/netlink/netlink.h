/* AF_NETLINK sockets and rtnetlink (NETLINK_ROUTE), shared between the
 * files of kernel-glue/net/netlink: af_netlink.c (sockets: bind, names,
 * send, receive, groups), sockopt.c (SOL_NETLINK), nlmsg.c (building
 * messages, parsing attributes), rtnetlink.c (requests, acks, dumps,
 * notifications) and one file per object: rtnl_link.c, rtnl_addr.c,
 * rtnl_route.c, rtnl_neigh.c. Semantics: man 7 netlink, man 7 rtnetlink
 * and Linux's net/netlink/af_netlink.c and net/core/rtnetlink.c. */
#ifndef UMK_NET_NETLINK_H
#define UMK_NET_NETLINK_H
#include <umk/capability.h>
#include <umk/net.h>
#include <umk/inet.h>
#include <umk/wait.h>
#include <umk/sched.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define SOL_NETLINK 270
#define NLGRP_MAX (__RTNLGRP_MAX - 1)	/* NETLINK_ROUTE's groups, 1..NLGRP_MAX */
#define NLGRP_WORDS ((NLGRP_MAX + 63) / 64)

/* Socket flags (Linux's NETLINK_F_*), set with SOL_NETLINK options. */
#define NLF_RECV_PKTINFO	0x01
#define NLF_BROADCAST_ERROR	0x02
#define NLF_NO_ENOBUFS		0x04
#define NLF_LISTEN_ALL_NSID	0x08
#define NLF_CAP_ACK		0x10
#define NLF_EXT_ACK		0x20
#define NLF_STRICT_CHK		0x40

struct netlink_sock {
	struct socket *sock;
	struct list_head all;		/* every netlink socket */
	uint32_t portid;		/* bound address; valid once bound */
	bool bound;
	uint64_t groups[NLGRP_WORDS];	/* bit g-1: member of group g */
	uint32_t dst_portid, dst_group;	/* connect(2) */
	unsigned flags;			/* NLF_* */
	struct sk_buff_head rq;
	size_t rmem;			/* truesize of rq, against SO_RCVBUF */
	size_t max_recvmsg_len;		/* the largest buffer read with: dump chunk size */
	struct wait_queue_head wq;
};

/* What a received buffer says about its sender, in skb->cb. */
struct netlink_cb {
	uint32_t portid;		/* 0: the kernel */
	uint32_t dst_group;		/* multicast group, 0: unicast */
	bool nsid_is_set;
};
#define NETLINK_CB(skb) ((struct netlink_cb *)(skb)->cb)

/* CAP_NET_ADMIN: changing the configuration, sending to groups */
static inline bool nl_admin(void) { return capable(CAP_NET_ADMIN); }
static inline struct netlink_sock *nlk_sk(struct socket *s) { return s->sk; }
static inline bool nlk_in_group(const struct netlink_sock *n, unsigned g)
{
	return g >= 1 && g <= NLGRP_MAX && (n->groups[(g - 1) / 64] >> ((g - 1) % 64) & 1);
}

/* af_netlink.c: delivery. Unicast: false (and ENOBUFS pending on the
 * socket) when its queue is full, unless force (a dump's parts). */
bool netlink_unicast(struct netlink_sock *n, const void *data, size_t len, uint32_t from_portid, bool force);
void netlink_broadcast(unsigned group, const void *data, size_t len, uint32_t from_portid,
		       const struct netlink_sock *except);
int netlink_autobind(struct netlink_sock *n);
/* sockopt.c */
int netlink_setsockopt(struct socket *s, int level, int name, uaddr_t val, int len);
int netlink_getsockopt(struct socket *s, int level, int name, uaddr_t val, uaddr_t ulen);

/* ---- nlmsg.c: messages built in a growing buffer -------------------- */
struct nlbuf {
	uint8_t *buf;
	size_t len, cap;
};
void nlb_free(struct nlbuf *b);
/* Append zeroed room for n bytes (aligned to 4 after); its offset. */
size_t nlb_room(struct nlbuf *b, size_t n);
static inline void *nlb_at(struct nlbuf *b, size_t off) { return b->buf + off; }
/* A message header and a family header of hdrlen bytes copied from hdr;
 * returns the message's offset, to finish with nlmsg_end. */
size_t nlmsg_begin(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq, uint32_t portid,
		   const void *hdr, size_t hdrlen);
void nlmsg_end(struct nlbuf *b, size_t msg);
void nla_put(struct nlbuf *b, uint16_t type, const void *data, size_t len);
static inline void nla_put_u8(struct nlbuf *b, uint16_t t, uint8_t v) { nla_put(b, t, &v, 1); }
static inline void nla_put_u32(struct nlbuf *b, uint16_t t, uint32_t v) { nla_put(b, t, &v, 4); }
static inline void nla_put_u64(struct nlbuf *b, uint16_t t, uint64_t v) { nla_put(b, t, &v, 8); }
void nla_put_string(struct nlbuf *b, uint16_t type, const char *s);
size_t nla_nest_start(struct nlbuf *b, uint16_t type);
void nla_nest_end(struct nlbuf *b, size_t nest);

/* Attribute policies, as Linux's nla_policy reduced to lengths. */
enum { NLA_UNSPEC, NLA_U8, NLA_U16, NLA_U32, NLA_U64, NLA_STRING, NLA_NESTED, NLA_BINARY };
struct nla_policy {
	uint8_t type;
	uint16_t len;			/* NLA_UNSPEC: minimum; STRING/BINARY: maximum */
};
/* The attributes after a family header of hdrlen bytes: tb[type] (0 is
 * unused) for types up to max, later ones of a type win, unknown types
 * are skipped, as Linux's nlmsg_parse_deprecated. -EINVAL if the header
 * does not fit, -ERANGE for an attribute its policy refuses. */
int nlmsg_parse(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, int max,
		const struct nla_policy *pol);
int nla_parse_nested(const struct nlattr *nest, const struct nlattr **tb, int max, const struct nla_policy *pol);
static inline const void *nla_data(const struct nlattr *a) { return (const uint8_t *)a + NLA_HDRLEN; }
static inline int nla_len(const struct nlattr *a) { return a->nla_len - NLA_HDRLEN; }
static inline uint8_t nla_get_u8(const struct nlattr *a) { return *(const uint8_t *)nla_data(a); }
static inline uint32_t nla_get_u32(const struct nlattr *a) { uint32_t v; memcpy(&v, nla_data(a), 4); return v; }
/* Copy a string attribute into buf (size n, NUL-terminated). */
void nla_strscpy(char *buf, const struct nlattr *a, size_t n);
static inline void *nlmsg_payload(const struct nlmsghdr *nlh) { return (uint8_t *)nlh + NLMSG_HDRLEN; }
static inline size_t nlmsg_plen(const struct nlmsghdr *nlh) { return nlh->nlmsg_len - NLMSG_HDRLEN; }

/* ---- rtnetlink.c: requests --------------------------------------------
 * One request as a handler sees it: the message, its sender, and room
 * for an extended-ack message (NETLINK_EXT_ACK) to go with an error. */
struct rtnl_req {
	struct netlink_sock *nlk;
	const struct nlmsghdr *nlh;
	bool strict;			/* NETLINK_GET_STRICT_CHK: dumps check their requests */
	bool dump_filtered;		/* dumpit: the kernel filtered (NLM_F_DUMP_FILTERED) */
	const char *ext_msg;
};
static inline int rtnl_err(struct rtnl_req *r, int err, const char *msg)
{
	r->ext_msg = msg;
	return err;
}

/* A handler of one message type for one family (AF_UNSPEC: any family
 * without its own). doit: 0 or -errno (acked by the core); dumpit puts
 * every message of the dump in out (flags NLM_F_MULTI) and returns 0 or
 * -errno (given in NLMSG_DONE). */
struct rtnl_handler {
	uint16_t type;
	uint8_t family;
	int (*doit)(struct rtnl_req *r);
	int (*dumpit)(struct rtnl_req *r, struct nlbuf *out);
};
#define DEFINE_RTNL_HANDLER(var) \
	static const struct rtnl_handler *const __rtnl_handler_##var __umk_entry(umk_rtnl_handlers) = &(var)

/* The requests in one sendmsg to the kernel: replies and acks go to nlk. */
void rtnetlink_rcv(struct netlink_sock *nlk, const uint8_t *data, size_t len);
/* A reply (built by a doit) to the requester. */
void rtnl_unicast(struct rtnl_req *r, struct nlbuf *b);
/* A notification to the group's listeners (RTNLGRP_*). */
void rtnl_notify(unsigned group, struct nlbuf *b);
/* Any listener in group? (Notifications are not built for nobody.) */
bool rtnl_has_listeners(unsigned group);
/* The flags of a dump's messages. */
static inline uint16_t rtnl_dump_flags(const struct rtnl_req *r) { return NLM_F_MULTI | (r->dump_filtered ? NLM_F_DUMP_FILTERED : 0); }

/* Message fillers shared between requests and notifications. */
void rtnl_fill_link(struct nlbuf *b, struct net_device *dev, uint16_t type, uint16_t flags, uint32_t seq,
		    uint32_t portid, unsigned change);
void rtnl_fill_addr(struct nlbuf *b, const struct in_ifaddr *ifa, uint16_t type, uint16_t flags, uint32_t seq,
		    uint32_t portid);
void rtnl_fill_route(struct nlbuf *b, const struct fib_route *rt, uint16_t type, uint16_t flags, uint32_t seq,
		     uint32_t portid);
void rtnl_fill_neigh(struct nlbuf *b, const struct neighbour *n, uint16_t type, uint16_t flags, uint32_t seq,
		     uint32_t portid);
#endif
