/* Network cards, send side: xmit queues the frame and arms a timer due
 * at once, which fires at the next interrupt point (the end of the
 * system call, or of the interrupt that made the frame); every frame
 * queued until then goes to the host in one call (sendmmsg on sockets).
 * The kernel never waits for the host: when the host socket is full the
 * frames stay queued (up to CARD_TXQ; the host half's fd says when there
 * is room), and a frame that finds the queue full is dropped and
 * counted as tx_dropped, as Linux's queue discipline drops. Frames still
 * queued when the link goes (the switch died) are counted as
 * tx_carrier_errors. */
#include "card.h"

static void flush_timer(struct ktimer *t)
{
	card_tx_flush(t->data);
}

void card_tx_init(struct card *c)
{
	ktimer_init(&c->flush, flush_timer, c);
}

/* lost_link: the switch went away (carrier errors), else brought down. */
static void drop_all(struct card *c, bool lost_link)
{
	struct net_device_stats *st = &c->dev.stats;
	for (int i = 0; i < c->txn; i++) {
		kfree_skb(c->txq[i]);
		if (lost_link) {
			st->tx_carrier_errors++;
			st->tx_errors++;
		} else {
			st->tx_dropped++;
		}
	}
	c->txn = 0;
}

void card_tx_drop(struct card *c)
{
	drop_all(c, false);
}

void card_tx_flush(struct card *c)
{
	if (!c->txn || c->fd < 0)
		return;
	struct net_buf bufs[CARD_TXQ];
	for (int i = 0; i < c->txn; i++)
		bufs[i] = (struct net_buf){ c->txq[i]->data, c->txq[i]->len };
	int sent = net_host_send(c->n, bufs, c->txn);
	if (sent < 0) {
		drop_all(c, true);
		return;
	}
	for (int i = 0; i < sent; i++)
		kfree_skb(c->txq[i]);
	for (int i = sent; i < c->txn; i++)
		c->txq[i - sent] = c->txq[i];
	c->txn -= sent;
}

int card_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct card *c = dev->priv;
	if (c->rx_only) {
		kfree_skb(skb);
		return -EPERM;	/* as UML's pcap: a send error */
	}
	if (c->txn == CARD_TXQ)
		card_tx_flush(c);
	if (c->txn == CARD_TXQ) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	c->txq[c->txn++] = skb;
	if (!c->flush.armed)
		ktimer_arm(&c->flush, 0);
	return 0;
}
