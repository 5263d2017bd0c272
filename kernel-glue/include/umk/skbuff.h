/* Packet buffers, as Linux's sk_buff reduced to what the stack uses: one
 * contiguous buffer with headroom, the current data window, the offsets
 * of the link, network and transport headers, and the device and
 * protocol it came with. A buffer is owned by one holder at a time;
 * kfree_skb releases it (a clone is a full copy: packets here are small
 * and copying keeps ownership simple). A socket that charges a buffer to
 * its memory sets owner and destructor; kfree_skb (or skb_orphan) runs
 * the destructor once, so the charge ends with the buffer. */
#ifndef UMK_SKBUFF_H
#define UMK_SKBUFF_H
#include <umk/kernel.h>
#include <umk/list.h>

struct net_device;
struct sock;

/* pkt_type, as <linux/if_packet.h>'s PACKET_* */
#define PACKET_HOST		0
#define PACKET_BROADCAST	1
#define PACKET_MULTICAST	2
#define PACKET_OTHERHOST	3
#define PACKET_OUTGOING		4
#define PACKET_LOOPBACK		5

struct sk_buff {
	struct list_head list;		/* on a queue */
	struct net_device *dev;		/* received on / to be sent on */
	uint8_t *head;			/* the buffer */
	uint8_t *data;			/* current start */
	uint32_t len;			/* bytes from data */
	uint32_t size;			/* bytes at head */
	uint16_t protocol;		/* ETH_P_*, host order */
	uint8_t pkt_type;		/* PACKET_* */
	bool vlan_present;		/* an 802.1Q/802.1AD tag was taken off */
	uint16_t vlan_tci, vlan_proto;	/* the tag and its TPID (ETH_P_8021Q, ...) */
	int mac_off, network_off, transport_off;	/* from head; -1: unset */
	int64_t tstamp;			/* CLOCK_REALTIME ns at receive */
	void *owner;			/* the socket charged for it, if any */
	void (*destructor)(struct sk_buff *skb);	/* ends owner's charge */
	uint8_t cb[64];			/* private to the current layer */
};

/* The memory a buffer accounts for (Linux's truesize). */
static inline size_t skb_truesize(const struct sk_buff *skb) { return sizeof(*skb) + skb->size; }
/* End the owner's charge now (the buffer moves on to another holder). */
static inline void skb_orphan(struct sk_buff *skb)
{
	if (skb->destructor)
		skb->destructor(skb);
	skb->destructor = NULL;
	skb->owner = NULL;
}

/* A buffer for len bytes of data after headroom bytes of room (both
 * rounded up); NULL when guest memory is short (the packet is dropped). */
struct sk_buff *alloc_skb(size_t headroom, size_t len);
void kfree_skb(struct sk_buff *skb);
struct sk_buff *skb_copy(const struct sk_buff *skb);	/* a full copy, or NULL */

static inline uint8_t *skb_tail(const struct sk_buff *skb) { return skb->data + skb->len; }
static inline size_t skb_headroom(const struct sk_buff *skb) { return (size_t)(skb->data - skb->head); }
static inline size_t skb_tailroom(const struct sk_buff *skb)
{
	return skb->size - skb_headroom(skb) - skb->len;
}
/* Grow the data at the end / the front; shrink it at the front / end.
 * Asking for more than there is is a kernel bug (checked). */
uint8_t *skb_put(struct sk_buff *skb, size_t n);
uint8_t *skb_push(struct sk_buff *skb, size_t n);
uint8_t *skb_pull(struct sk_buff *skb, size_t n);	/* NULL if len < n */
void skb_trim(struct sk_buff *skb, size_t len);

static inline void skb_reset_mac_header(struct sk_buff *skb) { skb->mac_off = (int)(skb->data - skb->head); }
static inline void skb_reset_network_header(struct sk_buff *skb) { skb->network_off = (int)(skb->data - skb->head); }
static inline void skb_reset_transport_header(struct sk_buff *skb) { skb->transport_off = (int)(skb->data - skb->head); }
static inline uint8_t *skb_mac_header(const struct sk_buff *skb) { return skb->head + skb->mac_off; }
static inline uint8_t *skb_network_header(const struct sk_buff *skb) { return skb->head + skb->network_off; }
static inline uint8_t *skb_transport_header(const struct sk_buff *skb) { return skb->head + skb->transport_off; }

/* A FIFO of buffers with its byte count (socket receive queues,
 * reassembly, packets waiting for ARP). */
struct sk_buff_head {
	struct list_head list;
	uint32_t qlen;
	size_t bytes;
};
void skb_queue_init(struct sk_buff_head *q);
void skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb);
struct sk_buff *skb_dequeue(struct sk_buff_head *q);	/* NULL if empty */
struct sk_buff *skb_peek(const struct sk_buff_head *q);
void skb_queue_purge(struct sk_buff_head *q);
#endif
