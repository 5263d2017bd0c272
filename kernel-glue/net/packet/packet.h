/* AF_PACKET sockets, shared between the files of kernel-glue/net/packet:
 * af_packet.c (life cycle, bind, names, poll, ioctls, device events),
 * recv.c (the tap and recvmsg), send.c (sendmsg), mclist.c (device
 * memberships), sockopt.c (SOL_PACKET), ring.c (PACKET_RX_RING and
 * mmap), proc.c (/proc/net/packet). Semantics: man 7 packet and Linux's
 * net/packet/af_packet.c. */
#ifndef UMK_NET_PACKET_H
#define UMK_NET_PACKET_H
#include <umk/net.h>
#include <umk/netdevice.h>
#include <umk/wait.h>
#include <umk/timer.h>
#include <linux/if_packet.h>

#define SOL_PACKET 263
#define SOCK_PACKET 10		/* Linux 2.0's packet sockets */
#define MAX_ADDR_LEN 32		/* Linux's: the longest hardware address */

/* struct packet_mreq with room for the longest address (Linux's
 * packet_mreq_max: longer addresses run on past mr_address). */
struct packet_mreq_max {
	int mr_ifindex;
	unsigned short mr_type, mr_alen;
	uint8_t mr_address[MAX_ADDR_LEN];
};

/* A device membership (PACKET_ADD_MEMBERSHIP), counted per socket. */
struct packet_mclist {
	struct packet_mclist *next;
	int ifindex, count;
	unsigned short type, alen;
	uint8_t addr[MAX_ADDR_LEN];
};

/* PACKET_RX_RING: blocks of frames in pages the guest maps (ring.c);
 * TPACKET_V3 fills blocks packet by packet instead (ring_v3.c). Ring
 * positions are byte offsets into the mapping. */
struct packet_ring {
	uint64_t *pages;		/* every page, in mapping order; NULL: no ring */
	unsigned nr_blocks, block_pages;
	unsigned frame_size, frames_per_block, frame_max, head;
	/* TPACKET_V3 */
	struct ktimer retire;		/* hands a block over after tov_ms */
	unsigned kactive, last_kactive;	/* the block being filled; at the last timer */
	unsigned blk_priv, tov_ms, max_frame_len, features;
	uint64_t nxt, prev;		/* the next packet's place, the last packet's */
	uint64_t seq;			/* the next block's sequence number */
	bool frozen;			/* the guest holds the block we want */
};

struct packet_sock {
	struct socket *sock;
	struct list_head all;		/* every packet socket, oldest first */
	struct packet_type pt;		/* our tap; pt.priv is us */
	bool running;			/* pt is on the device layer's list */
	int ifindex;			/* bound device; 0 any, -1 gone */
	uint16_t num;			/* protocol, host order; 0 hears nothing */
	struct sk_buff_head rq;
	size_t rmem;			/* truesize of rq, against SO_RCVBUF */
	struct wait_queue_head wq;
	struct packet_mclist *mclist;
	uint32_t tp_packets, tp_drops;	/* PACKET_STATISTICS, cleared on read */
	uint32_t tp_freeze_q_cnt;	/* ... and, for TPACKET_V3, ring freezes */
	bool auxdata, origdev, ignore_outgoing, tp_loss, tx_has_off, qdisc_bypass;
	int tp_version, tp_tstamp, copy_thresh;
	unsigned tp_reserve, tp_hdrlen;
	struct packet_ring rx_ring;
	int64_t stamp;			/* SIOCGSTAMP: -1 none yet, 0 not kept */
	bool stamp_on;			/* SIOCGSTAMP asked: keep receive times */
};

/* What recvmsg reports of a queued frame, kept in skb->cb. */
struct packet_cb {
	struct sockaddr_ll sll;		/* sll_family/protocol filled at recvmsg */
	uint8_t addr_rest[MAX_ADDR_LEN - 8];
	uint32_t origlen;		/* before the filter's snap */
};

static inline struct packet_sock *pkt_sk(struct socket *s) { return s->sk; }
static inline uint16_t pkt_ntohs(uint16_t v) { return (uint16_t)(v << 8 | v >> 8); }

extern struct list_head packet_socks;	/* /proc/net/packet walks it */

/* af_packet.c */
void packet_hook(struct packet_sock *po);	/* start hearing frames */
void packet_unhook(struct packet_sock *po);
/* recv.c */
int packet_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt);
/* Queue skb for recvmsg, trimmed to snaplen, with its sockaddr_ll facts;
 * false (and nothing done) when the queue holds SO_RCVBUF already. */
bool packet_queue(struct packet_sock *po, struct sk_buff *skb, struct net_device *dev, uint32_t snaplen);
ssize_t packet_recvmsg(struct socket *s, struct kmsg *m, unsigned flags);
/* The frame as the socket sees it: SOCK_RAW from the link header (the
 * tap hands it over at the network header). */
void packet_frame_view(struct packet_sock *po, struct sk_buff *skb);
/* send.c */
ssize_t packet_sendmsg(struct socket *s, struct kmsg *m, unsigned flags);
/* mclist.c */
int packet_mc_add(struct packet_sock *po, const struct packet_mreq_max *mr);
int packet_mc_drop(struct packet_sock *po, const struct packet_mreq_max *mr);
void packet_mc_flush(struct packet_sock *po);
/* dev is going away: the memberships on it go (Linux's packet_dev_mclist_delete). */
void packet_mc_dev_gone(struct packet_sock *po, struct net_device *dev);
/* sockopt.c */
int packet_setsockopt(struct socket *s, int level, int name, uaddr_t val, int len);
int packet_getsockopt(struct socket *s, int level, int name, uaddr_t val, uaddr_t ulen);
/* ring.c */
int packet_set_ring(struct packet_sock *po, const struct tpacket_req3 *req, bool closing);
int tpacket_rcv(struct packet_sock *po, struct sk_buff *skb, struct net_device *dev, uint32_t snaplen);
bool packet_ring_readable(struct packet_sock *po);
int packet_mmap(struct socket *s, uint64_t pgoff, uint64_t len);
bool packet_map_page(struct socket *s, uint64_t pgoff, uint64_t *pfn);
/* Copy n bytes to (to_ring) or from byte off of the ring. */
void ring_copy(const struct packet_ring *rb, uint64_t off, void *buf, size_t n, bool to_ring);
/* ring_v3.c: TPACKET_V3's blocks */
/* A block's descriptor and private area: what a frame must fit after. */
uint64_t prb_block_overhead(unsigned priv);
void prb_init(struct packet_sock *po, const struct tpacket_req3 *req);
void prb_shutdown(struct packet_ring *rb);
bool prb_has_room(struct packet_sock *po);
/* A place for a packet of len bytes in the open block (ring offset), or
 * -1 when the guest holds every block: a drop. */
int64_t prb_packet(struct packet_sock *po, uint32_t len);
bool prb_readable(struct packet_sock *po);
#endif
