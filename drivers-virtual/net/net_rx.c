/* Network cards, receive side: the host half fills a batch of packet
 * buffers in one call (recvmmsg where the transport is a socket); each
 * filled one goes to the stack with netif_rx, the empty ones wait for
 * the next call. The buffers have the card's frame size, so a frame is
 * copied once, from the host into its packet buffer. */
#include "card.h"

#define NET_IP_ALIGN 2	/* puts the IP header on a 4-byte boundary */

void card_rx_free(struct card *c)
{
	for (int i = 0; i < CARD_RX_BATCH; i++) {
		if (c->rx[i])
			kfree_skb(c->rx[i]);
		c->rx[i] = NULL;
	}
}

/* Buffers in every slot; false if memory is short for even one. */
static bool refill(struct card *c)
{
	for (int i = 0; i < CARD_RX_BATCH; i++)
		if (!c->rx[i])
			c->rx[i] = alloc_skb(NET_IP_ALIGN, c->rx_size);
	return c->rx[0] != NULL;
}

bool card_rx(struct card *c)
{
	struct net_device *dev = &c->dev;
	int total = 0;
	while (total < CARD_RX_BUDGET) {
		if (!refill(c)) {
			dev->stats.rx_dropped++;	/* guest memory is short: try later */
			return true;
		}
		struct net_buf bufs[CARD_RX_BATCH];
		int nb = 0;
		while (nb < CARD_RX_BATCH && c->rx[nb]) {
			bufs[nb] = (struct net_buf){ c->rx[nb]->data, c->rx_size };
			nb++;
		}
		unsigned oversize = 0;
		int got = net_host_recv(c->n, bufs, nb, &oversize);
		dev->stats.rx_length_errors += oversize;
		dev->stats.rx_errors += oversize;
		if (got <= 0)
			return false;
		for (int i = 0; i < got; i++) {
			if (!bufs[i].len)
				continue;	/* dropped by the host half: reuse */
			struct sk_buff *skb = c->rx[i];
			c->rx[i] = NULL;
			skb_put(skb, bufs[i].len);
			skb->dev = dev;
			netif_rx(skb);
		}
		/* the buffers left move to the front */
		int k = 0;
		for (int i = 0; i < CARD_RX_BATCH; i++) {
			struct sk_buff *skb = c->rx[i];
			c->rx[i] = NULL;
			if (skb)
				c->rx[k++] = skb;
		}
		total += got;
		if (got < nb)
			return false;
	}
	return true;
}
