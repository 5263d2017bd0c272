/* PACKET_RX_RING (Documentation/networking/packet_mmap.rst), as libpcap
 * uses it: TPACKET_V2 (and V1) frames in a ring mapped with mmap, filled
 * by the kernel from the head while the program hands them back; the
 * request's checks, EBUSY while mapped, frame headers and sockaddr_ll,
 * offsets for SOCK_RAW and SOCK_DGRAM with PACKET_RESERVE, frames cut to
 * the frame size (and PACKET_COPY_THRESH's copy), a full ring dropping
 * with TP_STATUS_LOSING, poll, statistics, and the ring taken away; then
 * TPACKET_V3's blocks: handed over when full or by their timer, a frame
 * cut to a block, the ring freezing and thawing. */
#include "packet.h"
#include <sys/mman.h>

static int lo, tx;
static const uint8_t zero_mac[6], src_mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

static void send_frame(size_t len, uint8_t tag)
{
	static uint8_t f[4000];
	t_frame(f, len, zero_mac, src_mac, ETH_P_EXP1);
	f[14] = tag;
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	if (sendto(tx, f, len, 0, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)len)
		printf("send of %zu: %s\n", len, strerror(errno));
}

static int setopt(int s, int name, int v)
{
	return setsockopt(s, SOL_PACKET, name, &v, sizeof(v));
}

static int ring(int s, unsigned bsize, unsigned bnr, unsigned fsize, unsigned fnr)
{
	struct tpacket_req r = { .tp_block_size = bsize, .tp_block_nr = bnr, .tp_frame_size = fsize, .tp_frame_nr = fnr };
	return setsockopt(s, SOL_PACKET, PACKET_RX_RING, &r, sizeof(r));
}

/* A ring of bnr blocks of bsize bytes cut into fsize-byte frames on s
 * (version and reserve set before), mapped, and s bound to lo for 0x88b5
 * frames: the mapping, or NULL. */
static uint8_t *mapped_ring(int s, const char *what, unsigned bsize, unsigned bnr, unsigned fsize)
{
	CHECK_OK(what, ring(s, bsize, bnr, fsize, bsize / fsize * bnr));
	uint8_t *m = mmap(NULL, (size_t)bsize * bnr, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	if (m == MAP_FAILED || bind(s, (struct sockaddr *)&a, sizeof(a)))
		DIE("mapping the ring");
	return m;
}

/* What a V2 frame holds; the timestamp flags depend on whether anyone
 * on the host asked for timestamps (Linux stamps only then). */
static void show_v2(const uint8_t *frame, const char *what)
{
	const struct tpacket2_hdr *h = (const void *)frame;
	const struct sockaddr_ll *sll = (const void *)(frame + TPACKET_ALIGN(sizeof(*h)));
	unsigned st = h->tp_status & ~(unsigned)(TP_STATUS_TS_SOFTWARE | TP_STATUS_TS_RAW_HARDWARE);
	printf("%s: status %#x len %u snaplen %u mac %u net %u sec>0 %d vlan %u/%u sll family %u proto %04x "
	       "ifindex==lo %d hatype %u pkttype %u halen %u addr %02x:%02x, first data byte %u\n",
	       what, st, h->tp_len, h->tp_snaplen, h->tp_mac, h->tp_net, h->tp_sec > 0, h->tp_vlan_tci, h->tp_vlan_tpid,
	       sll->sll_family, ntohs(sll->sll_protocol), sll->sll_ifindex == lo, sll->sll_hatype, sll->sll_pkttype,
	       sll->sll_halen, sll->sll_addr[0], sll->sll_addr[5], frame[h->tp_net]);
}

static void requests(void)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	int v = -1;
	socklen_t l = sizeof(v);
	CHECK("PACKET_VERSION starts at TPACKET_V1", getsockopt(s, SOL_PACKET, PACKET_VERSION, &v, &l) == 0 && v == TPACKET_V1);
	CHECK_ERR("PACKET_VERSION 99", setopt(s, PACKET_VERSION, 99), EINVAL);
	short sh = 1;
	CHECK_ERR("PACKET_VERSION with 2 bytes", setsockopt(s, SOL_PACKET, PACKET_VERSION, &sh, sizeof(sh)), EINVAL);
	v = TPACKET_V1;
	l = sizeof(v);
	CHECK("PACKET_HDRLEN of V1", getsockopt(s, SOL_PACKET, PACKET_HDRLEN, &v, &l) == 0 && v == 32);
	v = TPACKET_V2;
	CHECK("PACKET_HDRLEN of V2", getsockopt(s, SOL_PACKET, PACKET_HDRLEN, &v, &l) == 0 && v == 32);
	v = TPACKET_V3;
	CHECK("PACKET_HDRLEN of V3", getsockopt(s, SOL_PACKET, PACKET_HDRLEN, &v, &l) == 0 && v == 48);
	v = 99;
	CHECK_ERR("PACKET_HDRLEN of 99", getsockopt(s, SOL_PACKET, PACKET_HDRLEN, &v, &l), EINVAL);
	l = 2;
	CHECK_ERR("PACKET_HDRLEN into 2 bytes", getsockopt(s, SOL_PACKET, PACKET_HDRLEN, &v, &l), EINVAL);
	CHECK_OK("PACKET_VERSION TPACKET_V2", setopt(s, PACKET_VERSION, TPACKET_V2));
	CHECK_ERR("PACKET_RESERVE -1", setopt(s, PACKET_RESERVE, -1), EINVAL);
	CHECK_ERR("ring: block size not a page multiple", ring(s, 1000, 1, 512, 1), EINVAL);
	CHECK_ERR("ring: frame size not a multiple of 16", ring(s, 4096, 1, 1000, 4), EINVAL);
	CHECK_ERR("ring: frame smaller than its headers", ring(s, 4096, 1, 48, 85), EINVAL);
	CHECK_ERR("ring: frame bigger than a block", ring(s, 4096, 1, 8192, 0), EINVAL);
	CHECK_ERR("ring: frame count not blocks x frames per block", ring(s, 4096, 2, 2048, 3), EINVAL);
	CHECK_ERR("ring: no blocks but frames", ring(s, 4096, 0, 2048, 2), EINVAL);
	CHECK_OK("ring: no blocks, no frames (nothing to take away)", ring(s, 0, 0, 0, 0));
	struct tpacket_req r = { 4096, 1, 2048, 2 };
	CHECK_ERR("ring request of 8 bytes", setsockopt(s, SOL_PACKET, PACKET_RX_RING, &r, 8), EINVAL);
	CHECK_OK("ring: 2 blocks of 2 frames", ring(s, 4096, 2, 2048, 4));
	CHECK_ERR("a second ring", ring(s, 4096, 2, 2048, 4), EBUSY);
	CHECK_ERR("PACKET_VERSION with a ring", setopt(s, PACKET_VERSION, TPACKET_V1), EBUSY);
	CHECK_ERR("PACKET_RESERVE with a ring", setopt(s, PACKET_RESERVE, 8), EBUSY);
	CHECK("mmap of the wrong size", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0) == MAP_FAILED && errno == EINVAL);
	CHECK("mmap at an offset", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 4096) == MAP_FAILED && errno == EINVAL);
	void *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	CHECK("mmap of the ring", m != MAP_FAILED);
	CHECK_ERR("taking the ring away while mapped", ring(s, 0, 0, 0, 0), EBUSY);
	munmap(m, 8192);
	CHECK_OK("taking it away after munmap", ring(s, 0, 0, 0, 0));
	CHECK_OK("PACKET_VERSION again", setopt(s, PACKET_VERSION, TPACKET_V2));
	int u = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK("mmap of a socket without a ring", mmap(NULL, 4096, PROT_READ, MAP_SHARED, u, 0) == MAP_FAILED && errno == EINVAL);
	close(u);
	close(s);
}

static void raw_v2(void)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	setopt(s, PACKET_VERSION, TPACKET_V2);
	CHECK_OK("PACKET_RESERVE 4 (libpcap's)", setopt(s, PACKET_RESERVE, 4));
	uint8_t *m = mapped_ring(s, "ring of 4 frames of 2048", 4096, 2, 2048);
	struct pollfd p = { .fd = s, .events = POLLIN };
	CHECK("poll: nothing yet", poll(&p, 1, 0) == 0);
	send_frame(100, 1);
	CHECK("poll: a frame", poll(&p, 1, 1000) == 1 && (p.revents & POLLIN));
	show_v2(m, "frame 0");
	int q = -1;
	CHECK("FIONREAD: the ring is not the queue", ioctl(s, FIONREAD, &q) == 0 && q == 0);
	send_frame(1500, 2);
	t_readable(s);
	show_v2(m + 2048, "frame 1");
	/* too big for a frame: cut to what fits */
	send_frame(3000, 3);
	t_readable(s);
	show_v2(m + 4096, "frame 2 (cut)");
	send_frame(60, 4);
	/* the ring is full now: two more are dropped */
	send_frame(60, 5);
	send_frame(60, 6);
	show_v2(m + 6144, "frame 3");
	((struct tpacket2_hdr *)m)->tp_status = TP_STATUS_KERNEL;	/* frame 0 back */
	send_frame(60, 7);
	t_readable(s);
	show_v2(m, "frame 0 again, after drops");
	struct tpacket_stats st;
	socklen_t l = sizeof(st);
	getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &l);
	printf("statistics: packets %u drops %u\n", st.tp_packets, st.tp_drops);
	for (int i = 1; i < 4; i++)
		((struct tpacket2_hdr *)(m + i * 2048))->tp_status = TP_STATUS_KERNEL;
	send_frame(60, 8);
	t_readable(s);
	show_v2(m + 2048, "frame 1 again, drops read");
	/* poll looks at the frame before the head */
	((struct tpacket2_hdr *)m)->tp_status = TP_STATUS_KERNEL;
	((struct tpacket2_hdr *)(m + 2048))->tp_status = TP_STATUS_KERNEL;
	CHECK("poll: all frames handed back", poll(&p, 1, 0) == 0);
	/* PACKET_COPY_THRESH is for rings made after it; this one has none set */
	munmap(m, 8192);
	close(s);
}

static void copy_thresh(void)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	setopt(s, PACKET_VERSION, TPACKET_V2);
	CHECK_OK("PACKET_COPY_THRESH 1", setopt(s, PACKET_COPY_THRESH, 1));
	uint8_t *m = mapped_ring(s, "a ring of 2 frames", 4096, 1, 2048);
	send_frame(3000, 9);
	t_readable(s);
	show_v2(m, "copy thresh: cut frame");
	static uint8_t b[4000];
	ssize_t n = recv(s, b, sizeof(b), MSG_DONTWAIT);
	CHECK("copy thresh: the whole frame from recv", n == 3000 && b[14] == 9);
	munmap(m, 4096);
	close(s);
}

static void dgram_v2(void)
{
	int s = socket(AF_PACKET, SOCK_DGRAM, 0);
	setopt(s, PACKET_VERSION, TPACKET_V2);
	setopt(s, PACKET_RESERVE, 20);
	uint8_t *m = mapped_ring(s, "dgram ring", 8192, 1, 4096);
	send_frame(200, 10);
	t_readable(s);
	show_v2(m, "dgram frame");
	munmap(m, 8192);
	close(s);
}

/* TPACKET_V3: one block's descriptor and packets */
static void show_block(const uint8_t *b, const char *what)
{
	const struct tpacket_block_desc *d = (const void *)b;
	const struct tpacket_hdr_v1 *h = &d->hdr.bh1;
	/* (whether the first packet's time is before the block's opening
	 * depends on whether Linux stamps frames on receipt: not shown) */
	printf("%s: version %u priv at %u status %#x packets %u first at %u len %u seq %llu times set %d\n", what,
	       d->version, d->offset_to_priv, h->block_status, h->num_pkts, h->offset_to_first_pkt, h->blk_len,
	       (unsigned long long)h->seq_num, h->ts_first_pkt.ts_sec > 0 && h->ts_last_pkt.ts_sec > 0);
	const uint8_t *p = b + h->offset_to_first_pkt;
	for (unsigned i = 0; i < h->num_pkts && i < 8; i++) {
		const struct tpacket3_hdr *t = (const void *)p;
		const struct sockaddr_ll *sll = (const void *)(p + TPACKET_ALIGN(sizeof(*t)));
		printf("  packet %u: next %u status %#x len %u snaplen %u mac %u net %u proto %04x pkttype %u first data byte %u\n",
		       i, t->tp_next_offset, t->tp_status & ~(unsigned)TP_STATUS_TS_SOFTWARE, t->tp_len, t->tp_snaplen,
		       t->tp_mac, t->tp_net, ntohs(sll->sll_protocol), sll->sll_pkttype, p[t->tp_net]);
		p += t->tp_next_offset;
	}
}

static void raw_v3(void)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK_OK("PACKET_VERSION TPACKET_V3", setopt(s, PACKET_VERSION, TPACKET_V3));
	struct tpacket_req3 r = { .tp_block_size = 4096, .tp_block_nr = 3, .tp_frame_size = 2048, .tp_frame_nr = 6,
				  .tp_retire_blk_tov = 300 };
	CHECK_ERR("V3 ring with a tpacket_req (16 bytes)", setsockopt(s, SOL_PACKET, PACKET_RX_RING, &r, 16), EINVAL);
	r.tp_sizeof_priv = 4000;
	CHECK_ERR("V3 ring whose private area leaves no room", setsockopt(s, SOL_PACKET, PACKET_RX_RING, &r, sizeof(r)), EINVAL);
	r.tp_sizeof_priv = 0;
	CHECK_OK("V3 ring of 3 blocks, 300 ms", setsockopt(s, SOL_PACKET, PACKET_RX_RING, &r, sizeof(r)));
	uint8_t *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	if (m == MAP_FAILED || bind(s, (struct sockaddr *)&a, sizeof(a)))
		DIE("V3 ring");
	struct tpacket_block_desc *b0 = (void *)m, *b1 = (void *)(m + 4096), *b2 = (void *)(m + 8192);
	struct pollfd p = { .fd = s, .events = POLLIN };
	/* two fit in block 0; the third closes it and opens block 1 */
	send_frame(1500, 1);
	send_frame(1500, 2);
	CHECK("V3: nothing to read while block 0 is open", poll(&p, 1, 0) == 0);
	send_frame(1500, 3);
	CHECK("V3: block 0 handed over when full", poll(&p, 1, 1000) == 1);
	show_block(m, "block 0");
	b0->hdr.bh1.block_status = TP_STATUS_KERNEL;
	/* block 1 goes when its time is up */
	CHECK("V3: block 1 handed over by the timer", poll(&p, 1, 2000) == 1 && (b1->hdr.bh1.block_status & TP_STATUS_USER));
	show_block(m + 4096, "block 1 (timed out)");
	b1->hdr.bh1.block_status = TP_STATUS_KERNEL;
	/* block 2 is open (empty); a frame bigger than a block's room does
	 * not fit after its descriptor either: block 2 is handed over empty
	 * and the frame, cut, goes to block 0 */
	send_frame(4000, 4);
	CHECK("V3: block 2 handed over", poll(&p, 1, 2000) == 1 && (b2->hdr.bh1.block_status & TP_STATUS_USER));
	show_block(m + 8192, "block 2 (closed empty)");
	/* the guest keeps block 2: blocks 0 and 1 fill, then the ring freezes and drops */
	for (int i = 0; i < 6; i++)
		send_frame(1500, (uint8_t)(10 + i));
	struct tpacket_stats_v3 st;
	socklen_t l = sizeof(st);
	CHECK("V3 statistics", getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &l) == 0 && l == sizeof(st));
	printf("V3 statistics: packets %u drops %u freezes %u\n", st.tp_packets, st.tp_drops, st.tp_freeze_q_cnt);
	show_block(m, "block 0 (the cut frame)");
	show_block(m + 4096, "block 1 (full)");
	/* block 2 given back: the next packet thaws the ring */
	b0->hdr.bh1.block_status = TP_STATUS_KERNEL;
	b1->hdr.bh1.block_status = TP_STATUS_KERNEL;
	b2->hdr.bh1.block_status = TP_STATUS_KERNEL;
	send_frame(100, 20);
	CHECK("V3: after the thaw, a block by the timer", poll(&p, 1, 2000) == 1 && (b2->hdr.bh1.block_status & TP_STATUS_USER));
	show_block(m + 8192, "block 2 (after the thaw)");
	munmap(m, 3 * 4096);
	close(s);
}

static void raw_v1(void)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	uint8_t *m = mapped_ring(s, "V1 ring", 4096, 1, 1024);
	send_frame(90, 11);
	t_readable(s);
	const struct tpacket_hdr *h = (const void *)m;
	const struct sockaddr_ll *sll = (const void *)(m + TPACKET_ALIGN(sizeof(*h)));
	printf("V1 frame: status %#lx len %u snaplen %u mac %u net %u sec>0 %d proto %04x first data byte %u\n",
	       h->tp_status & ~(unsigned long)(TP_STATUS_TS_SOFTWARE | TP_STATUS_TS_RAW_HARDWARE), h->tp_len,
	       h->tp_snaplen, h->tp_mac, h->tp_net, h->tp_sec > 0, ntohs(sll->sll_protocol), m[h->tp_net]);
	/* closed while mapped: the mapping outlives the socket */
	close(s);
	CHECK("the mapping still reads after close", m[h->tp_net] == 11);
	munmap(m, 4096);
}

int main(void)
{
	lo = t_lo_index();
	tx = socket(AF_PACKET, SOCK_RAW, 0);
	if (tx < 0)
		DIE("packet socket");
	t_lo_set_up(tx, 1);
	requests();
	raw_v2();
	copy_thresh();
	dgram_v2();
	raw_v3();
	raw_v1();
	return t_failures ? 1 : 0;
}
