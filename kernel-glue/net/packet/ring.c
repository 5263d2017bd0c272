/* PACKET_RX_RING (as Linux's tpacket_rcv): a ring in pages the guest
 * maps with mmap. With TPACKET_V1 and V2 it is fixed-size frames: the
 * kernel fills the frame at the head if the guest has handed it back
 * (TP_STATUS_KERNEL), writes its header and sockaddr_ll, and sets the
 * status to TP_STATUS_USER last; the guest reads frames in order and
 * writes TP_STATUS_KERNEL to give them back. A full ring drops (counted
 * for PACKET_STATISTICS, and TP_STATUS_LOSING until they are read).
 * TPACKET_V3 packs packets into blocks instead (ring_v3.c).
 *
 * The ring's pages need not be contiguous: frames are written through
 * ring_write, which walks page by page. mmap maps the whole ring at
 * once (as Linux's vm_insert_page does), so a page's reference count
 * above one means the ring is mapped and may not change (EBUSY). */
#include <umk/sched.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include "packet.h"

static uint64_t ring_pages(const struct packet_ring *rb)
{
	return (uint64_t)rb->nr_blocks * rb->block_pages;
}

static void ring_free(struct packet_ring *rb)
{
	prb_shutdown(rb);
	if (!rb->pages)
		return;
	for (uint64_t i = 0; i < ring_pages(rb); i++)
		page_put(rb->pages[i]);	/* a mapping keeps its own references */
	kfree(rb->pages);
	memset(rb, 0, sizeof(*rb));
}

static bool ring_mapped(const struct packet_ring *rb)
{
	for (uint64_t i = 0; rb->pages && i < ring_pages(rb); i++)
		if (page_refcount(rb->pages[i]) > 1)
			return true;
	return false;
}

/* Across page boundaries: the pages need not be contiguous. */
void ring_copy(const struct packet_ring *rb, uint64_t off, void *buf, size_t n, bool to_ring)
{
	uint8_t *p = buf;
	while (n) {
		size_t in = off & (PAGE_SIZE - 1), c = MIN(n, PAGE_SIZE - in);
		uint8_t *page = pfn_to_virt(rb->pages[off >> PAGE_SHIFT]);
		if (to_ring)
			memcpy(page + in, p, c);
		else
			memcpy(p, page + in, c);
		p += c;
		off += c;
		n -= c;
	}
}

static uint64_t frame_off(const struct packet_ring *rb, unsigned idx)
{
	unsigned block = idx / rb->frames_per_block, in = idx % rb->frames_per_block;
	return (uint64_t)block * rb->block_pages * PAGE_SIZE + (uint64_t)in * rb->frame_size;
}

/* tp_status, the first field of either header (an unsigned long in V1). */
static uint64_t frame_status(const struct packet_sock *po, unsigned idx)
{
	uint64_t st = 0;
	ring_copy(&po->rx_ring, frame_off(&po->rx_ring, idx), &st, po->tp_version == TPACKET_V1 ? 8 : 4, false);
	return st;
}

bool packet_ring_readable(struct packet_sock *po)
{
	const struct packet_ring *rb = &po->rx_ring;
	if (po->tp_version == TPACKET_V3)
		return prb_readable(po);
	unsigned prev = rb->head ? rb->head - 1 : rb->frame_max;
	return frame_status(po, prev) != TP_STATUS_KERNEL;
}

/* Linux's packet_set_ring for the receive ring: check the request, make
 * the new ring, swap it in with the tap off (the queue is purged, as
 * Linux does), free the old one. A request of zero blocks removes it. */
int packet_set_ring(struct packet_sock *po, const struct tpacket_req3 *req, bool closing)
{
	struct packet_ring *rb = &po->rx_ring, nr;
	memset(&nr, 0, sizeof(nr));
	if (!closing && ring_mapped(rb))
		return -EBUSY;
	if (req->tp_block_nr) {
		if (rb->pages)
			return -EBUSY;
		po->tp_hdrlen = po->tp_version == TPACKET_V1 ? TPACKET_HDRLEN :
				po->tp_version == TPACKET_V2 ? TPACKET2_HDRLEN : TPACKET3_HDRLEN;
		if ((int)req->tp_block_size <= 0 || (req->tp_block_size & (PAGE_SIZE - 1)))
			return -EINVAL;
		/* a V3 block holds its descriptor, the private area and a frame */
		if (po->tp_version == TPACKET_V3 &&
		    req->tp_block_size < prb_block_overhead(req->tp_sizeof_priv) + po->tp_hdrlen + po->tp_reserve)
			return -EINVAL;
		if (req->tp_frame_size < (uint64_t)po->tp_hdrlen + po->tp_reserve || (req->tp_frame_size & (TPACKET_ALIGNMENT - 1)))
			return -EINVAL;
		unsigned fpb = req->tp_block_size / req->tp_frame_size;
		if (!fpb || fpb > UINT32_MAX / req->tp_block_nr || fpb * req->tp_block_nr != req->tp_frame_nr)
			return -EINVAL;
		nr.nr_blocks = req->tp_block_nr;
		nr.block_pages = req->tp_block_size / PAGE_SIZE;
		nr.frames_per_block = fpb;
		nr.frame_size = req->tp_frame_size;
		nr.frame_max = req->tp_frame_nr - 1;
		uint64_t total, free, n = ring_pages(&nr);
		mem_get_stats(&total, &free);
		if (n > free)
			return -ENOMEM;
		nr.pages = kmalloc(sizeof(*nr.pages) * n);
		for (uint64_t i = 0; i < n; i++) {
			nr.pages[i] = page_alloc();	/* zeroed: every frame TP_STATUS_KERNEL */
			if (!nr.pages[i]) {
				while (i--)
					page_put(nr.pages[i]);
				kfree(nr.pages);
				return -ENOMEM;
			}
		}
	} else if (req->tp_frame_nr) {
		return -EINVAL;
	}
	bool was_running = po->running;
	packet_unhook(po);
	ring_free(rb);
	*rb = nr;
	if (rb->pages && po->tp_version == TPACKET_V3)
		prb_init(po, req);	/* in place: it arms a timer */
	skb_queue_purge(&po->rq);
	po->rmem = 0;
	if (was_running)
		packet_hook(po);
	return 0;
}

int packet_mmap(struct socket *s, uint64_t pgoff, uint64_t len)
{
	struct packet_ring *rb = &pkt_sk(s)->rx_ring;
	if (pgoff || !rb->pages || len != ring_pages(rb) * PAGE_SIZE)
		return -EINVAL;
	return 0;
}

bool packet_map_page(struct socket *s, uint64_t pgoff, uint64_t *pfn)
{
	struct packet_ring *rb = &pkt_sk(s)->rx_ring;
	if (!rb->pages || pgoff >= ring_pages(rb))
		return false;
	page_get(rb->pages[pgoff]);
	*pfn = rb->pages[pgoff];
	return true;
}

static void drop(struct packet_sock *po, struct sk_buff *skb)
{
	po->tp_drops++;
	kfree_skb(skb);
}

/* Fill the next frame (V1/V2: the one at the head; V3: a place in the
 * open block) with skb, the socket's view of it with snaplen bytes
 * kept by the filter, as Linux's tpacket_rcv. */
int tpacket_rcv(struct packet_sock *po, struct sk_buff *skb, struct net_device *dev, uint32_t snaplen)
{
	struct packet_ring *rb = &po->rx_ring;
	bool dgram = po->sock->type == SOCK_DGRAM, v3 = po->tp_version == TPACKET_V3;
	uint32_t status = TP_STATUS_USER;
	if (v3 ? !prb_has_room(po) : frame_status(po, rb->head) != TP_STATUS_KERNEL) {
		drop(po, skb);	/* the reader is a whole ring behind */
		return 0;
	}
	unsigned maclen = dgram ? 0 : (unsigned)(skb->network_off - (int)skb_headroom(skb));
	unsigned macoff, netoff;
	if (dgram) {
		macoff = netoff = TPACKET_ALIGN(po->tp_hdrlen) + 16 + po->tp_reserve;
	} else {
		netoff = TPACKET_ALIGN(po->tp_hdrlen + MAX(maclen, 16u)) + po->tp_reserve;
		macoff = netoff - maclen;
	}
	if (netoff > 0xffff) {
		drop(po, skb);
		return 0;
	}
	if (!v3 && (uint64_t)macoff + snaplen > rb->frame_size) {
		/* PACKET_COPY_THRESH: what does not fit also goes whole to the
		 * receive queue, for recvmsg */
		struct sk_buff *c = po->copy_thresh ? skb_copy(skb) : NULL;
		if (c && packet_queue(po, c, dev, c->len))
			status |= TP_STATUS_COPY;
		else
			kfree_skb(c);
		snaplen = macoff < rb->frame_size ? rb->frame_size - macoff : 0;
	} else if (v3 && (uint64_t)macoff + snaplen > rb->max_frame_len) {
		snaplen = macoff < rb->max_frame_len ? rb->max_frame_len - macoff : 0;
		macoff = MIN(macoff, rb->max_frame_len);
	}
	uint64_t frame;
	if (v3) {
		int64_t at = prb_packet(po, macoff + snaplen);
		if (at < 0) {
			drop(po, skb);
			wake_up(&po->wq);
			return 0;
		}
		frame = (uint64_t)at;
	} else {
		frame = frame_off(rb, rb->head);
		rb->head = rb->head != rb->frame_max ? rb->head + 1 : 0;
		if (po->tp_drops)
			status |= TP_STATUS_LOSING;	/* until PACKET_STATISTICS is read */
	}
	po->tp_packets++;
	ring_copy(rb, frame + macoff, skb->data, snaplen, true);
	int64_t ts = skb->tstamp;
	if (ts)
		status |= TP_STATUS_TS_SOFTWARE;
	else
		ts = ktime_real_ns();
	if (skb->vlan_present && po->tp_version != TPACKET_V1)
		status |= TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID;
	unsigned hdrlen;
	if (po->tp_version == TPACKET_V1) {
		struct tpacket_hdr h = { .tp_len = skb->len, .tp_snaplen = snaplen, .tp_mac = (uint16_t)macoff,
					 .tp_net = (uint16_t)netoff, .tp_sec = (unsigned)(ts / 1000000000),
					 .tp_usec = (unsigned)(ts % 1000000000 / 1000) };
		ring_copy(rb, frame + sizeof(h.tp_status), (uint8_t *)&h + sizeof(h.tp_status), sizeof(h) - sizeof(h.tp_status), true);
		hdrlen = sizeof(h);
	} else if (po->tp_version == TPACKET_V2) {
		struct tpacket2_hdr h = { .tp_len = skb->len, .tp_snaplen = snaplen, .tp_mac = (uint16_t)macoff,
					  .tp_net = (uint16_t)netoff, .tp_sec = (uint32_t)(ts / 1000000000),
					  .tp_nsec = (uint32_t)(ts % 1000000000) };
		if (skb->vlan_present) {
			h.tp_vlan_tci = skb->vlan_tci;
			h.tp_vlan_tpid = skb->vlan_proto;
		}
		ring_copy(rb, frame + sizeof(h.tp_status), (uint8_t *)&h + sizeof(h.tp_status), sizeof(h) - sizeof(h.tp_status), true);
		hdrlen = sizeof(h);
	} else {
		/* packets in a block carry no ownership: the status is written with the rest */
		struct tpacket3_hdr h = { .tp_next_offset = (uint32_t)((macoff + snaplen + 7u) & ~7u),
					  .tp_sec = (uint32_t)(ts / 1000000000), .tp_nsec = (uint32_t)(ts % 1000000000),
					  .tp_snaplen = snaplen, .tp_len = skb->len, .tp_status = status,
					  .tp_mac = (uint16_t)macoff, .tp_net = (uint16_t)netoff };
		if (skb->vlan_present) {
			h.hv1.tp_vlan_tci = skb->vlan_tci;
			h.hv1.tp_vlan_tpid = skb->vlan_proto;
		}
		ring_copy(rb, frame, &h, sizeof(h), true);
		hdrlen = sizeof(h);
	}
	struct sockaddr_ll sll;
	memset(&sll, 0, sizeof(sll));
	sll.sll_halen = (uint8_t)dev_parse_header(skb, sll.sll_addr);
	sll.sll_family = AF_PACKET;
	sll.sll_hatype = dev->type;
	sll.sll_protocol = pkt_ntohs(skb->protocol);
	sll.sll_pkttype = skb->pkt_type;
	sll.sll_ifindex = dev->ifindex;
	ring_copy(rb, frame + TPACKET_ALIGN(hdrlen), &sll, sizeof(sll), true);
	if (!v3) {
		/* the status last: the frame is the guest's from here on */
		uint64_t st = status;
		ring_copy(rb, frame, &st, po->tp_version == TPACKET_V1 ? 8 : 4, true);
		wake_up(&po->wq);
	}
	kfree_skb(skb);
	return 0;
}
