/* Reassembly of fragmented datagrams for this host (Linux's
 * ip_fragment.c): one queue per (source, destination, id, protocol),
 * fragments kept in offset order; a fragment that lies wholly within
 * data already queued is a duplicate and dropped alone, one that
 * overlaps partly drops the whole datagram (as Linux since 3.x, RFC
 * 5722's advice), as do inconsistent ends. A queue lives ipfrag_time
 * (30 s); queued fragments may use ipfrag_high_thresh bytes. */
#include "ipv4.h"

struct frag {
	struct list_head link;
	struct sk_buff *skb;		/* data at the fragment's payload */
	unsigned offset, end;
};

struct ipq {
	struct list_head link;
	__be32 saddr, daddr;
	uint16_t id;
	uint8_t protocol;
	bool first_in, last_in;
	unsigned len;			/* end of the datagram, as far as known */
	unsigned meat;			/* bytes queued */
	unsigned max_size;		/* largest fragment (header included) */
	struct list_head frags;		/* struct frag, by offset */
	struct sk_buff *head_hdr;	/* the first fragment (offset 0): its header */
	int head_iif;			/* ... received on: a removed device is not kept */
	size_t mem;
	struct ktimer timer;
};

static LIST_HEAD(queues);
static size_t frag_mem;
static int nqueues;

size_t ip_frag_mem(void) { return frag_mem; }
int ip_frag_queues(void) { return nqueues; }

static void ipq_free(struct ipq *q)
{
	ktimer_cancel(&q->timer);
	list_del(&q->link);
	nqueues--;
	while (!list_empty(&q->frags)) {
		struct frag *f = list_first_entry(&q->frags, struct frag, link);
		list_del(&f->link);
		kfree_skb(f->skb);
		kfree(f);
	}
	kfree_skb(q->head_hdr);
	frag_mem -= q->mem;
	kfree(q);
}

static void ipq_expire(struct ktimer *t)
{
	struct ipq *q = t->data;
	IP_INC_STATS(IPSTATS_REASMFAILS);
	IP_INC_STATS(IPSTATS_REASMTIMEOUT);
	/* only a destination that got the first fragment says so (RFC 792).
	 * Linux routes the head again first, as if it came from outside:
	 * a loopback or local source is then martian, so datagrams we sent
	 * ourselves (on lo) time out without an ICMP message.
	 * The head's device may have gone since (hot-unplug): then no
	 * message, as Linux's ip_expire. */
	struct net_device *dev = q->head_hdr ? dev_get_by_index(q->head_iif) : NULL;
	if (q->first_in && dev && INET_CB(q->head_hdr)->rt_type == RTN_LOCAL && !ipv4_is_loopback(q->saddr) &&
	    !ipv4_is_loopback(q->daddr) && inet_addr_type(q->saddr) != RTN_LOCAL) {
		q->head_hdr->dev = dev;
		icmp_send(q->head_hdr, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
	}
	ipq_free(q);
}

static struct ipq *ipq_find(const struct iphdr *iph)
{
	struct ipq *q;
	list_for_each_entry(q, &queues, link)
		if (q->saddr == iph->saddr && q->daddr == iph->daddr && q->id == ntohs(iph->id) &&
		    q->protocol == iph->protocol)
			return q;
	if (frag_mem > (size_t)sysctl_ipfrag_high_thresh)
		return NULL;
	q = kzalloc(sizeof(*q));
	q->saddr = iph->saddr;
	q->daddr = iph->daddr;
	q->id = ntohs(iph->id);
	q->protocol = iph->protocol;
	INIT_LIST_HEAD(&q->frags);
	ktimer_init(&q->timer, ipq_expire, q);
	ktimer_arm(&q->timer, ktime_mono_ns() + (int64_t)sysctl_ipfrag_time * 1000000000ll);
	list_add_tail(&q->link, &queues);
	nqueues++;
	return q;
}

enum { INSERT_OK, INSERT_DUP, INSERT_OVERLAP };

/* Where the new [offset, end) goes among the queued fragments: inside
 * one run of contiguous fragments is a duplicate, touching queued data
 * otherwise an overlap. */
static int insert_pos(struct ipq *q, unsigned offset, unsigned end, struct list_head **pos)
{
	*pos = &q->frags;
	if (list_empty(&q->frags) || list_entry(q->frags.prev, struct frag, link)->end <= offset)
		return INSERT_OK;	/* in order: after the last */
	struct frag *f, *run = NULL;
	unsigned prev_end = 0;
	list_for_each_entry(f, &q->frags, link) {
		if (!run || f->offset != prev_end)
			run = f;	/* a run of contiguous fragments starts here */
		prev_end = f->end;
		if (end <= f->offset) {
			*pos = &f->link;
			return INSERT_OK;
		}
		if (offset >= f->end)
			continue;
		unsigned run_end = f->end;
		for (struct list_head *l = f->link.next; l != &q->frags; l = l->next) {
			struct frag *n = list_entry(l, struct frag, link);
			if (n->offset != run_end)
				break;
			run_end = n->end;
		}
		return offset >= run->offset && end <= run_end ? INSERT_DUP : INSERT_OVERLAP;
	}
	return INSERT_OK;
}

/* Build the whole datagram: the first fragment's header, every payload;
 * it arrived on dev, the device of the fragment that completed it (the
 * head's may be gone), as Linux's ip_frag_reasm. */
static struct sk_buff *reassemble(struct ipq *q, struct net_device *dev)
{
	struct iphdr *hiph = ip_hdr(q->head_hdr);
	unsigned ihl = hiph->ihl * 4u;
	if (ihl + q->len > 65535) {
		IP_INC_STATS(IPSTATS_REASMFAILS);	/* oversized */
		return NULL;
	}
	struct sk_buff *skb = alloc_skb(64, ihl + q->len);
	if (!skb) {
		IP_INC_STATS(IPSTATS_REASMFAILS);
		return NULL;
	}
	uint8_t *p = skb_put(skb, ihl + q->len);
	memcpy(p, hiph, ihl);
	struct frag *f;
	list_for_each_entry(f, &q->frags, link)
		memcpy(p + ihl + f->offset, f->skb->data, f->end - f->offset);
	skb_reset_network_header(skb);
	memcpy(skb->cb, q->head_hdr->cb, sizeof(skb->cb));
	skb->dev = dev;
	skb->pkt_type = q->head_hdr->pkt_type;
	skb->tstamp = q->head_hdr->tstamp;
	skb->protocol = ETH_P_IP;
	struct iphdr *iph = (struct iphdr *)p;
	iph->tot_len = htons((uint16_t)(ihl + q->len));
	iph->frag_off = 0;
	ip_send_check(iph);
	INET_CB(skb)->frag_max_size = (uint16_t)q->max_size;
	IP_INC_STATS(IPSTATS_REASMOKS);
	return skb;
}

struct sk_buff *ip_defrag(struct sk_buff *skb)
{
	IP_INC_STATS(IPSTATS_REASMREQDS);
	struct iphdr *iph = ip_hdr(skb);
	struct ipq *q = ipq_find(iph);
	if (!q) {
		IP_INC_STATS(IPSTATS_REASMFAILS);	/* over ipfrag_high_thresh */
		kfree_skb(skb);
		return NULL;
	}
	unsigned ihl = iph->ihl * 4u;
	uint16_t fo = ntohs(iph->frag_off);
	unsigned offset = (fo & IP_OFFSET) << 3;
	unsigned end = offset + (skb->len - (unsigned)(skb->data - skb_network_header(skb))) - ihl;
	if (!(fo & IP_MF)) {
		/* the last fragment: nothing may lie beyond it, and two
		 * last fragments must agree */
		if (end < q->len || (q->last_in && end != q->len))
			goto discard;
		q->last_in = true;
		q->len = end;
	} else {
		end &= ~7u;
		if (end > q->len) {
			if (q->last_in)
				goto discard;
			q->len = end;
		}
	}
	if (end == offset)
		goto discard;
	struct list_head *pos;
	switch (insert_pos(q, offset, end, &pos)) {
	case INSERT_DUP:
		kfree_skb(skb);
		return NULL;
	case INSERT_OVERLAP:
		IP_INC_STATS(IPSTATS_REASMOVERLAPS);
		goto discard;
	}
	unsigned fragsize = end - offset + ihl;	/* what IP_RECVFRAGSIZE reports */
	if (offset == 0 && !q->head_hdr) {
		q->head_hdr = skb_copy(skb);	/* its header makes the datagram's */
		if (!q->head_hdr)
			goto discard;
		skb_trim(q->head_hdr, (size_t)(skb->data - skb_network_header(skb)) + ihl);
		q->head_hdr->dev = NULL;	/* looked up again by head_iif when needed */
		q->head_iif = skb->dev ? skb->dev->ifindex : 0;
		q->first_in = true;
	}
	skb_pull(skb, (size_t)(skb_network_header(skb) - skb->data) + ihl);
	skb_trim(skb, end - offset);
	struct frag *f = kzalloc(sizeof(*f));
	f->skb = skb;
	f->offset = offset;
	f->end = end;
	list_add_tail(&f->link, pos);
	q->meat += end - offset;
	q->mem += skb_truesize(skb);
	frag_mem += skb_truesize(skb);
	if (fragsize > q->max_size)
		q->max_size = fragsize;
	if (q->first_in && q->last_in && q->meat == q->len) {
		struct sk_buff *whole = reassemble(q, skb->dev);
		ipq_free(q);
		return whole;
	}
	return NULL;

discard:
	ipq_free(q);
	IP_INC_STATS(IPSTATS_REASMFAILS);
	kfree_skb(skb);
	return NULL;
}
