/* TPACKET_V3's blocks (Linux's prb_* functions in af_packet.c): packets
 * of any size are packed one after another into the open block; the
 * block goes to the guest (TP_STATUS_USER in its descriptor) when the
 * next packet does not fit or when tp_retire_blk_tov milliseconds pass
 * with packets in it (TP_STATUS_BLK_TMO). The next block is opened if
 * the guest has handed it back; if not, the ring freezes and packets are
 * dropped until it does. Block i starts at byte i * block size. */
#include <umk/sched.h>
#include "packet.h"

#define V3_ALIGNMENT 8
#define ALIGN8(x) (((x) + V3_ALIGNMENT - 1) & ~(uint64_t)(V3_ALIGNMENT - 1))
#define BLK_HDR_LEN ALIGN8(sizeof(struct tpacket_block_desc))
#define BLK_PLUS_PRIV(priv) (BLK_HDR_LEN + ALIGN8(priv))
#define DEFAULT_RETIRE_TOV 8	/* ms, Linux's for links of unknown speed */

static uint64_t block_off(const struct packet_ring *rb, unsigned b)
{
	return (uint64_t)b * rb->block_pages * PAGE_SIZE;
}

static struct tpacket_block_desc read_desc(const struct packet_ring *rb, unsigned b)
{
	struct tpacket_block_desc d;
	ring_copy(rb, block_off(rb, b), &d, sizeof(d), false);
	return d;
}

static void write_desc(const struct packet_ring *rb, unsigned b, struct tpacket_block_desc *d)
{
	ring_copy(rb, block_off(rb, b), d, sizeof(*d), true);
}

static uint32_t block_status(const struct packet_ring *rb, unsigned b)
{
	return read_desc(rb, b).hdr.bh1.block_status;
}

static void refresh_timer(struct packet_ring *rb)
{
	ktimer_arm(&rb->retire, ktime_mono_ns() + (int64_t)rb->tov_ms * 1000000);
	rb->last_kactive = rb->kactive;
}

/* Start filling block kactive: its descriptor, the timer; thaws. */
static void open_block(struct packet_sock *po)
{
	struct packet_ring *rb = &po->rx_ring;
	struct tpacket_block_desc d = read_desc(rb, rb->kactive);
	struct tpacket_hdr_v1 *h = &d.hdr.bh1;
	int64_t now = ktime_real_ns();
	h->seq_num = rb->seq++;
	h->num_pkts = 0;
	h->blk_len = (uint32_t)BLK_PLUS_PRIV(rb->blk_priv);
	h->ts_first_pkt.ts_sec = (unsigned)(now / 1000000000);
	h->ts_first_pkt.ts_nsec = (unsigned)(now % 1000000000);
	h->offset_to_first_pkt = (uint32_t)BLK_PLUS_PRIV(rb->blk_priv);
	d.offset_to_priv = (uint32_t)BLK_HDR_LEN;
	d.version = TPACKET_V3;
	write_desc(rb, rb->kactive, &d);
	rb->nxt = block_off(rb, rb->kactive) + BLK_PLUS_PRIV(rb->blk_priv);
	rb->prev = rb->nxt;
	rb->frozen = false;
	refresh_timer(rb);
}

/* Hand block kactive to the guest and move on to the next. */
static void close_block(struct packet_sock *po, uint32_t why)
{
	struct packet_ring *rb = &po->rx_ring;
	struct tpacket_block_desc d = read_desc(rb, rb->kactive);
	struct tpacket_hdr_v1 *h = &d.hdr.bh1;
	uint32_t status = TP_STATUS_USER | why;
	if (po->tp_drops)
		status |= TP_STATUS_LOSING;
	uint32_t zero = 0;
	ring_copy(rb, rb->prev, &zero, sizeof(zero), true);	/* the last packet's tp_next_offset */
	if (h->num_pkts) {
		struct tpacket3_hdr last;
		ring_copy(rb, rb->prev, &last, sizeof(last), false);
		h->ts_last_pkt.ts_sec = last.tp_sec;
		h->ts_last_pkt.ts_nsec = last.tp_nsec;
	} else {
		int64_t now = ktime_real_ns();
		h->ts_last_pkt.ts_sec = (unsigned)(now / 1000000000);
		h->ts_last_pkt.ts_nsec = (unsigned)(now % 1000000000);
	}
	h->block_status = status;
	write_desc(rb, rb->kactive, &d);
	wake_up(&po->wq);
	rb->kactive = rb->kactive + 1 < rb->nr_blocks ? rb->kactive + 1 : 0;
}

/* Open the next block if the guest has given it back, else freeze. */
static bool dispatch_next(struct packet_sock *po)
{
	struct packet_ring *rb = &po->rx_ring;
	if (block_status(rb, rb->kactive) & TP_STATUS_USER) {
		rb->frozen = true;
		po->tp_freeze_q_cnt++;
		return false;
	}
	open_block(po);
	return true;
}

static void retire_timer(struct ktimer *t)
{
	struct packet_sock *po = t->data;
	struct packet_ring *rb = &po->rx_ring;
	if (!rb->pages)
		return;
	if (rb->last_kactive == rb->kactive) {
		if (!rb->frozen) {
			if (read_desc(rb, rb->kactive).hdr.bh1.num_pkts) {
				close_block(po, TP_STATUS_BLK_TMO);
				if (dispatch_next(po))
					return;	/* opening refreshed the timer */
			}
		} else if (!(block_status(rb, rb->kactive) & TP_STATUS_USER)) {
			open_block(po);	/* the guest caught up while all was quiet */
			return;
		}
	}
	refresh_timer(rb);
}

uint64_t prb_block_overhead(unsigned priv)
{
	return BLK_PLUS_PRIV((uint64_t)priv);
}

void prb_init(struct packet_sock *po, const struct tpacket_req3 *req)
{
	struct packet_ring *rb = &po->rx_ring;
	rb->seq = 1;
	rb->kactive = rb->last_kactive = 0;
	rb->blk_priv = req->tp_sizeof_priv;
	rb->tov_ms = req->tp_retire_blk_tov ? req->tp_retire_blk_tov : DEFAULT_RETIRE_TOV;
	rb->max_frame_len = (unsigned)(req->tp_block_size - BLK_PLUS_PRIV(rb->blk_priv));
	rb->features = req->tp_feature_req_word;
	po->tp_freeze_q_cnt = 0;
	ktimer_init(&rb->retire, retire_timer, po);
	open_block(po);
}

void prb_shutdown(struct packet_ring *rb)
{
	if (rb->retire.fn)
		ktimer_cancel(&rb->retire);
}

/* Room for a packet: the block being filled is still ours. */
bool prb_has_room(struct packet_sock *po)
{
	return !(block_status(&po->rx_ring, po->rx_ring.kactive) & TP_STATUS_USER);
}

int64_t prb_packet(struct packet_sock *po, uint32_t len)
{
	struct packet_ring *rb = &po->rx_ring;
	if (rb->frozen) {
		if (block_status(rb, rb->kactive) & TP_STATUS_USER)
			return -1;
		open_block(po);	/* given back: thaw */
	}
	uint64_t end = block_off(rb, rb->kactive) + rb->block_pages * PAGE_SIZE;
	if (rb->nxt + ALIGN8(len) >= end) {
		if (block_status(rb, rb->kactive) == TP_STATUS_KERNEL)
			close_block(po, 0);
		if (!dispatch_next(po))
			return -1;
	}
	struct tpacket_block_desc d = read_desc(rb, rb->kactive);
	d.hdr.bh1.blk_len += (uint32_t)ALIGN8(len);
	d.hdr.bh1.num_pkts++;
	write_desc(rb, rb->kactive, &d);
	int64_t at = (int64_t)rb->nxt;
	rb->prev = rb->nxt;
	rb->nxt += ALIGN8(len);
	return at;
}

/* POLLIN: the block before the open one is the guest's. */
bool prb_readable(struct packet_sock *po)
{
	struct packet_ring *rb = &po->rx_ring;
	unsigned prev = rb->kactive ? rb->kactive - 1 : rb->nr_blocks - 1;
	return block_status(rb, prev) != TP_STATUS_KERNEL;
}
