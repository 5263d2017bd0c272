/* Packet buffers (umk/skbuff.h). */
#include <umk/skbuff.h>
#include <umk/sched.h>

struct sk_buff *alloc_skb(size_t headroom, size_t len)
{
	size_t size = (headroom + len + 15) & ~(size_t)15;
	if (size > 256 * 1024)
		return NULL;
	struct sk_buff *skb = kzalloc(sizeof(*skb) + size);
	if (!skb)
		return NULL;
	INIT_LIST_HEAD(&skb->list);
	skb->head = (uint8_t *)(skb + 1);
	skb->size = (uint32_t)size;
	skb->data = skb->head + headroom;
	skb->mac_off = skb->network_off = skb->transport_off = -1;
	return skb;
}

void kfree_skb(struct sk_buff *skb)
{
	if (!skb)
		return;
	skb_orphan(skb);
	kfree(skb);
}

struct sk_buff *skb_copy(const struct sk_buff *skb)
{
	struct sk_buff *n = alloc_skb(skb_headroom(skb), skb->len + skb_tailroom(skb));
	if (!n)
		return NULL;
	uint8_t *head = n->head;
	uint32_t size = n->size;
	memcpy(n, skb, sizeof(*n));
	INIT_LIST_HEAD(&n->list);
	n->head = head;
	n->size = size;
	n->data = head + skb_headroom(skb);
	memcpy(head, skb->head, skb->size);
	n->owner = NULL;
	n->destructor = NULL;
	return n;
}

uint8_t *skb_put(struct sk_buff *skb, size_t n)
{
	BUG_ON(n > skb_tailroom(skb));
	uint8_t *p = skb_tail(skb);
	skb->len += (uint32_t)n;
	return p;
}

uint8_t *skb_push(struct sk_buff *skb, size_t n)
{
	BUG_ON(n > skb_headroom(skb));
	skb->data -= n;
	skb->len += (uint32_t)n;
	return skb->data;
}

uint8_t *skb_pull(struct sk_buff *skb, size_t n)
{
	if (n > skb->len)
		return NULL;
	skb->data += n;
	skb->len -= (uint32_t)n;
	return skb->data;
}

void skb_trim(struct sk_buff *skb, size_t len)
{
	if (len < skb->len)
		skb->len = (uint32_t)len;
}

void skb_queue_init(struct sk_buff_head *q)
{
	INIT_LIST_HEAD(&q->list);
	q->qlen = 0;
	q->bytes = 0;
}

void skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb)
{
	list_add_tail(&skb->list, &q->list);
	q->qlen++;
	q->bytes += skb->len;
}

struct sk_buff *skb_peek(const struct sk_buff_head *q)
{
	return list_empty(&q->list) ? NULL : list_first_entry(&q->list, struct sk_buff, list);
}

struct sk_buff *skb_dequeue(struct sk_buff_head *q)
{
	struct sk_buff *skb = skb_peek(q);
	if (skb) {
		list_del(&skb->list);
		INIT_LIST_HEAD(&skb->list);
		q->qlen--;
		q->bytes -= skb->len;
	}
	return skb;
}

void skb_queue_purge(struct sk_buff_head *q)
{
	struct sk_buff *skb;
	while ((skb = skb_dequeue(q)))
		kfree_skb(skb);
}
