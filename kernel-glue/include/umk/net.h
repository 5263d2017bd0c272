/* Sockets: the BSD socket layer (kernel-glue/net/socket.c, msg.c) and the
 * interface an address family plugs into. A family supplies one
 * net_family (create and, optionally, socketpair) and a proto_ops table
 * per socket; the syscall layer does descriptors, address and option
 * copying, control messages and the generic SOL_SOCKET options. */
#ifndef UMK_NET_H
#define UMK_NET_H
#include <umk/fs.h>
#include <linux/socket.h>
#include <asm/socket.h>

/* Guest ABI constants that have no uapi header (glibc's bits/socket.h). */
#define AF_UNSPEC	0
#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10
#define AF_NETLINK	16
#define AF_PACKET	17
#define AF_MAX		46

#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_RAW	3
#define SOCK_RDM	4
#define SOCK_SEQPACKET	5
#define SOCK_MAX	11
#define SOCK_TYPE_MASK	0xf
#define SOCK_NONBLOCK	O_NONBLOCK
#define SOCK_CLOEXEC	O_CLOEXEC

#define MSG_OOB		0x1
#define MSG_PEEK	0x2
#define MSG_DONTROUTE	0x4
#define MSG_CTRUNC	0x8
#define MSG_TRUNC	0x20
#define MSG_DONTWAIT	0x40
#define MSG_EOR		0x80
#define MSG_WAITALL	0x100
#define MSG_ERRQUEUE	0x2000
#define MSG_NOSIGNAL	0x4000
#define MSG_MORE	0x8000
#define MSG_WAITFORONE	0x10000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SOL_SOCKET_LEVEL 1	/* asm/socket.h's SOL_SOCKET */
#define SCM_RIGHTS	1
#define SCM_CREDENTIALS	2
#define SCM_MAX_FD	253

#define SHUT_RD		0
#define SHUT_WR		1
#define SHUT_RDWR	2
#define RCV_SHUTDOWN	1	/* socket.shutdown bits, as Linux's sk_shutdown */
#define SEND_SHUTDOWN	2
#define SHUTDOWN_MASK	3

#define SOCK_DEFAULT_BUF 212992	/* Linux's wmem_default / rmem_default */

/* Guest layouts (x86-64). */
struct user_msghdr {
	uint64_t msg_name;
	int32_t msg_namelen, __pad0;
	uint64_t msg_iov, msg_iovlen;
	uint64_t msg_control, msg_controllen;
	uint32_t msg_flags, __pad1;
};
struct user_mmsghdr { struct user_msghdr msg_hdr; uint32_t msg_len, __pad; };
struct kiovec { uint64_t base, len; };
struct kcmsghdr { uint64_t cmsg_len; int32_t cmsg_level, cmsg_type; };
#define KCMSG_ALIGN(n) (((n) + 7) & ~(size_t)7)
#define KCMSG_LEN(n) (sizeof(struct kcmsghdr) + (n))
#define KCMSG_SPACE(n) (sizeof(struct kcmsghdr) + KCMSG_ALIGN(n))
struct kucred { int32_t pid; uint32_t uid, gid; };

/* The data of one send or receive: user iovecs, or one kernel buffer
 * (read/write on a socket fd arrive with the VFS's kernel bounce buffer). */
struct msg_iter {
	const struct kiovec *iov;	/* user memory, when kbuf is NULL */
	unsigned nr;
	char *kbuf;
	size_t len;			/* total bytes */
};
int miter_from(const struct msg_iter *it, size_t off, void *dst, size_t n);	/* 0 or -EFAULT */
int miter_to(const struct msg_iter *it, size_t off, const void *src, size_t n);

/* Ancillary data, parsed from or to SOL_SOCKET control messages. */
struct scm {
	int nfds;
	struct file **fds;		/* nfds in-flight references */
	bool has_creds;
	struct kucred creds;
};
void scm_destroy(struct scm *s);		/* drops the file references */
void scm_current_creds(struct kucred *c);	/* tgid, real uid/gid */

/* One sendmsg/recvmsg as the family sees it. The name is in kernel memory
 * (recv: the family fills name/namelen; namelen 0 = no address). */
struct ksockaddr { uint16_t family; char data[126]; };
struct kmsg {
	struct ksockaddr name;
	int namelen;
	struct msg_iter it;
	struct scm scm;			/* send: from the caller; recv: filled */
	unsigned flags;			/* recv: MSG_TRUNC/MSG_CTRUNC/MSG_EOR/MSG_ERRQUEUE out */
	/* send: the caller's whole control buffer (kernel copy, NULL if
	 * none), for the levels the family reads itself (SOL_IP, ...) */
	const void *control;
	size_t controllen;
	/* recv: control messages of the family's levels, built with
	 * put_kcmsg; written to the caller after the SOL_SOCKET ones,
	 * truncated with MSG_CTRUNC as put_cmsg does */
	struct sbuf cmsgs;
	int64_t tstamp;			/* recv: the datagram's arrival, CLOCK_REALTIME ns (0: none) */
};
/* Append one control message (level, type, data) to m->cmsgs. */
void put_kcmsg(struct kmsg *m, int level, int type, const void *data, size_t len);
/* Walk a control buffer (send): each well-formed message in turn; -EINVAL
 * for a malformed one (as CMSG_NXTHDR checks), 0 at the end. */
int kcmsg_next(const void *control, size_t len, size_t *off, const struct kcmsghdr **c);

struct socket;
struct poll_table;
struct proto_ops {
	int (*release)(struct socket *s);
	int (*bind)(struct socket *s, const void *addr, int len);
	int (*connect)(struct socket *s, const void *addr, int len, bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	/* Returns the new (already connected) socket, without a file. */
	struct socket *(*accept)(struct socket *s, bool nonblock, int *err);
	/* Writes the address into addr (128 bytes); returns its length or -errno. */
	int (*getname)(struct socket *s, void *addr, bool peer);
	unsigned (*poll)(struct file *f, struct socket *s, struct poll_table *pt);
	int (*shutdown)(struct socket *s, int how);
	ssize_t (*sendmsg)(struct socket *s, struct kmsg *m, unsigned flags);
	ssize_t (*recvmsg)(struct socket *s, struct kmsg *m, unsigned flags);
	long (*ioctl)(struct socket *s, unsigned cmd, unsigned long arg);
	/* mmap of the socket: memory the family owns (a packet socket's
	 * ring), as file_operations.mmap and map_page; NULL: ENODEV. */
	int (*mmap)(struct socket *s, uint64_t pgoff, uint64_t len);
	bool (*map_page)(struct socket *s, uint64_t pgoff, uint64_t *pfn);
	/* The family runs SO_ATTACH_FILTER programs (socket.filter) on what
	 * its sockets receive; others refuse the option (ENOPROTOOPT). */
	bool runs_filters;
	/* Options of levels other than SOL_SOCKET (NULL: EOPNOTSUPP). */
	int (*setsockopt)(struct socket *s, int level, int name, uaddr_t val, int len);
	int (*getsockopt)(struct socket *s, int level, int name, uaddr_t val, uaddr_t ulen);
};

struct net_family {
	int family;
	int (*create)(struct socket *s, int protocol);
	int (*socketpair)(struct socket *a, struct socket *b);
};
/* A family registers itself from its own file: DEFINE_NET_FAMILY(unix_family). */
#define DEFINE_NET_FAMILY(var) \
	static const struct net_family *const __net_family_##var __umk_entry(umk_net_families) = &(var)

bool net_family_registered(int family);	/* a DEFINE_NET_FAMILY for it */

#define SOCKF_PASSCRED	0x1
#define SOCKF_REUSEADDR	0x2
#define SOCKF_KEEPALIVE	0x4
#define SOCKF_BROADCAST	0x8
#define SOCKF_REUSEPORT	0x10
#define SOCKF_OOBINLINE	0x20
/* SO_TIMESTAMP(NS): a receive time with each datagram (Linux's
 * SOCK_RCVTSTAMP, SOCK_RCVTSTAMPNS, SOCK_TSTAMP_NEW) */
#define SOCKF_RCVTSTAMP		0x40
#define SOCKF_RCVTSTAMPNS	0x80
#define SOCKF_TSTAMP_NEW	0x100

#define SOCK_SNDBUF_LOCK 1
#define SOCK_RCVBUF_LOCK 2

struct socket {
	int family, type, protocol;
	struct file *file;		/* NULL until installed (accept) */
	const struct proto_ops *ops;
	void *sk;			/* family state */
	struct sk_filter *filter;	/* SO_ATTACH_FILTER's program, or NULL */
	bool filter_locked;		/* SO_LOCK_FILTER */
	unsigned flags;			/* SOCKF_* */
	int err;			/* pending SO_ERROR */
	int shutdown;			/* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int sndbuf, rcvbuf;
	int64_t rcvtimeo, sndtimeo;	/* ns, 0 = wait forever */
	int linger_on, linger_secs, rcvlowat;
	int bound_dev_if;		/* SO_BINDTODEVICE: ifindex, 0 = any */
	bool listening;
	unsigned userlocks;		/* SOCK_SNDBUF_LOCK/SOCK_RCVBUF_LOCK: the user set them (no autotuning) */
	struct kucred peercred;		/* SO_PEERCRED; pid 0, ids -1 if none */
};

struct socket *sock_alloc(int family, int type, int protocol);
void sock_free(struct socket *s);		/* after ops->release */
/* SO_ATTACH_FILTER/SO_DETACH_FILTER/SO_LOCK_FILTER and getting the
 * program back (net/sock_filter.c); 0 or -errno, as Linux. */
int sock_attach_filter(struct socket *s, uaddr_t val, int len);
int sock_detach_filter(struct socket *s);
int sock_lock_filter(struct socket *s, int val);
int sock_get_filter(struct socket *s, uaddr_t val, uaddr_t ulen);
/* Wrap s in an open file (takes ownership of s); flags: O_NONBLOCK. */
struct file *sock_alloc_file(struct socket *s, unsigned flags);
struct socket *sock_from_file(struct file *f);	/* NULL if not a socket */
/* len raw bytes, no netlink header, queued on the netlink socket f as
 * from the kernel (Linux's netlink_sendskb: POSIX message queues'
 * SIGEV_THREAD cookies); data NULL only checks f. 0, -ENOTSOCK, or
 * -EINVAL for a socket that is not netlink. */
int netlink_sendskb_file(struct file *f, const void *data, size_t len);
/* Absolute CLOCK_MONOTONIC deadline for a blocking op: 0 = nonblocking,
 * -1 = none, else now + SO_RCVTIMEO/SO_SNDTIMEO. */
int64_t sock_deadline(struct socket *s, bool nonblock, bool rcv);
/* Map a wait result: a timeout is EAGAIN, a signal restarts (SA_RESTART)
 * unless a timeout was set (then EINTR, as Linux). */
long sock_wait_error(struct socket *s, long err, bool rcv);
#endif
