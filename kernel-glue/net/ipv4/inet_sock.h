/* AF_INET sockets: the state UDP, raw and ping sockets share (Linux's
 * inet_sock), what differs between them (struct inet_proto), and the
 * helpers of af_inet.c, datagram.c and ip_sockglue.c. */
#ifndef UMK_NET_INET_SOCK_H
#define UMK_NET_INET_SOCK_H
#include <umk/net.h>
#include "ipv4.h"

#define SOL_IP 0
#define SOL_TCP 6

/* <linux/errqueue.h>'s report (that header also wants libc's timespec). */
struct sock_extended_err {
	uint32_t ee_errno;
	uint8_t ee_origin, ee_type, ee_code, ee_pad;
	uint32_t ee_info;
	uint32_t ee_data;
};
#define SO_EE_ORIGIN_LOCAL 1
#define SO_EE_ORIGIN_ICMP 2

/* IP_CMSG_*: which control messages a receive carries (Linux's order). */
#define IP_CMSG_PKTINFO		0x01
#define IP_CMSG_TTL		0x02
#define IP_CMSG_TOS		0x04
#define IP_CMSG_RECVOPTS	0x08
#define IP_CMSG_ORIGDSTADDR	0x40
#define IP_CMSG_RECVFRAGSIZE	0x100

struct inet_sock;

struct inet_proto {
	const char *name;
	/* bind's port part: take snum (0: pick one); 0 or -EADDRINUSE.
	 * NULL: no ports (raw). */
	int (*get_port)(struct inet_sock *sk, uint16_t snum);
	int (*bind)(struct inet_sock *sk, const struct sockaddr_in *a, int len);	/* NULL: inet_bind */
	void (*unhash)(struct inet_sock *sk);
	ssize_t (*sendmsg)(struct inet_sock *sk, struct kmsg *m, unsigned flags);
	ssize_t (*recvmsg)(struct inet_sock *sk, struct kmsg *m, unsigned flags);
	/* FIONREAD: bytes of the next datagram as recv would give them */
	int (*inq)(struct inet_sock *sk);
	int (*setsockopt)(struct inet_sock *sk, int level, int name, uaddr_t val, int len);	/* non-IP levels */
	int (*getsockopt)(struct inet_sock *sk, int level, int name, uaddr_t val, uaddr_t ulen);
};

struct ip_mc_socklist {
	struct list_head link;
	struct ip_mreqn multi;		/* group, address, ifindex joined on */
};

struct inet_sock {
	struct socket *sock;		/* NULL once closed */
	int refs;			/* the socket, and each buffer charged to it */
	const struct inet_proto *prot;
	int type;
	uint8_t protocol;
	struct list_head node;		/* on its protocol's table */
	bool hashed;
	/* addresses (network order) and ports (host order) */
	__be32 rcv_saddr;		/* bound address: what we receive on */
	__be32 saddr;			/* source for sending (0 for a broadcast/multicast bind) */
	__be32 daddr;			/* connected peer */
	uint16_t num;			/* local port, ping id, raw protocol */
	uint16_t sport;			/* getsockname's port: num, 0 once unhashed */
	uint16_t dport;
	bool connected;			/* TCP_ESTABLISHED in Linux's words */
	bool addr_locked, port_locked;	/* bound by the user (SOCK_BINDADDR/PORT_LOCK) */
	/* IP options */
	int uc_ttl;			/* -1: ip_default_ttl */
	uint8_t tos;
	int mc_ttl, mc_index;
	__be32 mc_addr;
	bool mc_loop, mc_all;
	uint8_t pmtudisc;
	bool hdrincl, recverr, freebind, nodefrag, bind_address_no_port;
	unsigned cmsg_flags;		/* IP_CMSG_* */
	uint32_t icmp_filter;		/* raw ICMP: types not delivered */
	uint16_t inet_id;		/* IP id of a connected socket's datagrams */
	struct list_head mc_list;	/* struct ip_mc_socklist */
	/* queues and memory */
	struct sk_buff_head rq;		/* received datagrams */
	struct sk_buff_head errq;	/* IP_RECVERR reports */
	size_t rmem, wmem;		/* bytes charged (truesize) */
	uint32_t drops;
	struct wait_queue_head wq;
	uid_t uid;
	uint64_t ino;
};

static inline struct inet_sock *inet_sk(struct socket *s) { return s->sk; }

/* af_inet.c */
void inet_sock_hold(struct inet_sock *sk);
void inet_sock_put(struct inet_sock *sk);
int inet_autobind(struct inet_sock *sk);
bool inet_addr_valid_or_nonlocal(const struct inet_sock *sk, __be32 addr, unsigned type);
/* SO_BINDTODEVICE as the socket layer stores it (0: none). */
static inline int inet_sk_bound_dev(const struct inet_sock *sk) { return sk->sock ? sk->sock->bound_dev_if : 0; }

/* datagram.c: queues, waiting, errors, control messages, connect */
/* Queue skb (data at what recv returns, IP header at network) charging
 * sk; false (skb not taken) if SO_RCVBUF is full. */
bool inet_queue_rcv(struct inet_sock *sk, struct sk_buff *skb);
/* The next datagram (dequeued, or left queued with MSG_PEEK), or NULL
 * with *err: a pending SO_ERROR, -EAGAIN, 0 after shutdown(SHUT_RD),
 * a signal. */
struct sk_buff *inet_recv_datagram(struct inet_sock *sk, unsigned flags, int *err);
/* A pending SO_ERROR, taken (as sock_error): -errno or 0. */
int inet_sock_error(struct inet_sock *sk);
/* The source address of a received datagram into m->name. */
void inet_put_name(struct kmsg *m, __be32 addr, uint16_t port);
/* recvmsg of raw and ping sockets: the datagram as queued, its source
 * (port 0) and control messages; MSG_TRUNC gives the whole length if
 * trunc_full (raw), as Linux. */
ssize_t inet_recv_whole(struct inet_sock *sk, struct kmsg *m, unsigned flags, bool trunc_full);
int inet_inq_whole(struct inet_sock *sk);	/* their FIONREAD: the next datagram's length */
/* IP_PKTINFO, IP_TTL, IP_TOS, ... for the datagram (IP header at its
 * network header); port: its destination port (IP_ORIGDSTADDR). */
void ip_cmsg_recv(struct inet_sock *sk, struct kmsg *m, struct sk_buff *skb, uint16_t port);
/* IP_RECVERR: queue an ICMP error (skb->data at the quoted IP header,
 * ip_hdr the ICMP packet's) with its payload from payload on. */
void ip_icmp_error(struct inet_sock *sk, struct sk_buff *skb, int err, int type, int code, uint16_t port,
		   uint32_t info, const uint8_t *payload);
/* IP_RECVERR: a local error (EMSGSIZE) about a datagram to daddr. */
void ip_local_error(struct inet_sock *sk, int err, __be32 daddr, uint16_t port, uint32_t info);
/* recvmsg(MSG_ERRQUEUE) */
ssize_t ip_recv_error(struct inet_sock *sk, struct kmsg *m);
/* Report err (positive errno) as SO_ERROR and wake the socket. */
void inet_report_error(struct inet_sock *sk, int err);
/* connect() of a datagram socket (ip4_datagram_connect) and AF_UNSPEC. */
int ip4_datagram_connect(struct inet_sock *sk, const struct sockaddr_in *a, int len);
int inet_dgram_disconnect(struct inet_sock *sk);
/* Linux's icmp_err_convert: errno and whether it is "hard" for a code. */
int icmp_err_errno(int type, int code, bool *hard, uint8_t pmtudisc);

/* ip_sockglue.c */
int ip_setsockopt(struct inet_sock *sk, int name, uaddr_t val, int len);
int ip_getsockopt(struct inet_sock *sk, int name, uaddr_t val, uaddr_t ulen);
/* The SOL_IP control messages of a send (IP_PKTINFO, IP_TTL, IP_TOS). */
struct ipcm {
	int oif;
	__be32 addr;			/* ipi_spec_dst: source */
	int ttl;			/* 0: socket's */
	int tos;			/* -1: socket's */
};
int ip_cmsg_send(struct inet_sock *sk, const struct kmsg *m, struct ipcm *ipc);
/* Does the socket take multicast from group (its memberships / IP_MULTICAST_ALL)? */
bool ip_mc_sf_allow(struct inet_sock *sk, __be32 group, int ifindex);
void ip_mc_drop_socket(struct inet_sock *sk);

/* ---- one datagram send, as UDP, raw and ping sockets share it ---- */
struct inet_send {
	struct ipcm ipc;		/* the send's SOL_IP control messages */
	struct flowi4 fl;		/* source chosen */
	struct rtable rt;
	bool df, ignore_df;
};
/* The first checks of a send, in Linux's order: its size (EMSGSIZE over
 * 65535), MSG_OOB (EOPNOTSUPP), then where to: the address given
 * (AF_INET, or AF_UNSPEC if unspec_ok) or the connected peer; -EINVAL,
 * -EAFNOSUPPORT, -EDESTADDRREQ. */
int inet_send_dest(struct inet_sock *sk, const struct kmsg *m, unsigned flags, bool unspec_ok, __be32 *daddr,
		   uint16_t *dport);
/* Its control messages and route (EACCES for a broadcast without
 * SO_BROADCAST). */
int inet_send_route(struct inet_sock *sk, const struct kmsg *m, unsigned flags, __be32 daddr, struct inet_send *snd);
/* Both, for sends without ports (raw, ping). */
int inet_send_prepare(struct inet_sock *sk, const struct kmsg *m, unsigned flags, bool unspec_ok,
		      struct inet_send *snd);
/* A buffer holding len bytes of transport data (not yet written), after
 * the size and DF rules of the socket (EMSGSIZE, with ip_local_error)
 * and SO_SNDBUF (waits, -EAGAIN, -EPIPE, a pending error). */
struct sk_buff *inet_send_alloc(struct inet_sock *sk, struct inet_send *snd, size_t len, uint16_t dport,
				unsigned flags, int *err);
/* A buffer for len bytes of a send on rt (nothing put yet), charged to
 * sk: SO_SNDBUF waits, -EAGAIN, -EPIPE, a pending error. */
struct sk_buff *inet_alloc_send_skb(struct inet_sock *sk, const struct rtable *rt, size_t len, unsigned flags,
				    int *err);
/* The IP header, and out: 0 or -errno (-ENOBUFS: the device dropped it). */
int inet_send_out(struct inet_sock *sk, struct inet_send *snd, struct sk_buff *skb);
/* A send's result: -ENOBUFS is a socket's business only with IP_RECVERR. */
static inline ssize_t inet_send_result(const struct inet_sock *sk, int err, size_t len)
{
	if (err == -ENOBUFS && !sk->recverr)
		err = 0;
	return err ? err : (ssize_t)len;
}

/* the protocols' tables, for /proc/net and delivery */
extern struct list_head udp_table, raw_table, ping_table;
#endif
