/* AF_UNIX internals shared by unix.c (names, connections) and
 * unix_data.c (queues, send/receive, poll). */
#ifndef UMK_NET_UNIX_H
#define UMK_NET_UNIX_H
#include <umk/net.h>

#define UNIX_PATH_OFF 2		/* offsetof(struct sockaddr_un, sun_path) */
#define UNIX_MAX_DGRAM_QLEN 10	/* net.unix.max_dgram_qlen */

struct unix_addr { int len; struct ksockaddr a; };	/* len 0: unbound */

enum unix_state { US_UNCONNECTED, US_LISTEN, US_CONNECTED };

/* One queued message (a stream write is split into several). The sender
 * is charged for len until the message is freed (SO_SNDBUF accounting). */
struct unix_skb {
	struct list_head link;
	struct unix_sock *sender;	/* ref; NULL if the sender is gone */
	struct unix_addr from;		/* sender's address when sent */
	struct scm scm;
	size_t len, off;		/* off: bytes already read (stream) */
	char data[];
};

/* The family state of a socket. It outlives its struct socket while
 * peers or queued messages still point at it (refs). */
struct unix_sock {
	int refs;
	struct socket *sock;		/* NULL once released */
	int type;
	enum unix_state state;
	bool dead;
	struct unix_addr addr;
	struct path path;		/* path-bound: keeps the inode (identity) */
	struct list_head bound_link;	/* on the namespace list while bound */
	struct unix_sock *peer;		/* ref */
	struct list_head rq;		/* struct unix_skb */
	size_t rq_bytes;		/* unread bytes */
	int rq_len;
	size_t wmem;			/* bytes this socket has queued at peers */
	struct list_head acceptq;	/* embryos (stream/seqpacket listener) */
	struct list_head acceptq_link;
	int acceptq_len, backlog;
	struct wait_queue_head wq;	/* every state change of this socket */
};

static inline struct unix_sock *unix_sk(struct socket *s) { return s->sk; }
static inline bool unix_conn_based(int type) { return type == SOCK_STREAM || type == SOCK_SEQPACKET; }
void unix_get(struct unix_sock *u);
void unix_put(struct unix_sock *u);
int unix_autobind(struct unix_sock *u);
/* Find the bound socket for a guest address (+1 ref): -ECONNREFUSED,
 * -ENOENT, -EACCES, -EPROTOTYPE, -EINVAL ... */
int unix_find(const struct ksockaddr *a, int len, int type, struct unix_sock **res);
void unix_skb_free(struct unix_skb *skb);
void unix_purge_queue(struct unix_sock *u);

/* unix_data.c */
ssize_t unix_stream_sendmsg(struct socket *s, struct kmsg *m, unsigned flags);
ssize_t unix_stream_recvmsg(struct socket *s, struct kmsg *m, unsigned flags);
ssize_t unix_dgram_sendmsg(struct socket *s, struct kmsg *m, unsigned flags);
ssize_t unix_dgram_recvmsg(struct socket *s, struct kmsg *m, unsigned flags);
unsigned unix_poll(struct file *f, struct socket *s, struct poll_table *pt);
long unix_ioctl(struct socket *s, unsigned cmd, unsigned long arg);
#endif
