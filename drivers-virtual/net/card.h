/* The kernel half of a network card: its net_device, the frames waiting
 * to go to the host half and the buffers waiting for frames from it. */
#ifndef NET_CARD_KERNEL_H
#define NET_CARD_KERNEL_H
#include <umk/netdevice.h>
#include <umk/timer.h>
#include "net.h"

#define CARD_TXQ 64		/* frames queued for the host ("a little") */
#define CARD_RX_BATCH 32	/* frames per host call */
#define CARD_RX_BUDGET 1024	/* frames per event before yielding */

struct card {
	struct net_device dev;
	int n;			/* the host half's card number */
	int fd;			/* event fd while up, else -1 */
	struct ktimer timer;	/* the host half's timeout; more receive work */
	struct ktimer flush;	/* sends the queued frames in one host call */
	struct sk_buff *txq[CARD_TXQ];
	int txn;
	struct sk_buff *rx[CARD_RX_BATCH];	/* empty buffers, kept between calls */
	size_t rx_size;		/* frame room in each: MTU + link header */
	bool rx_only;		/* the transport sends nothing (pcap) */
};

/* Host events: run the host half, receive, send, carrier, timer. */
void card_poll(struct card *c);
/* net_rx.c: take every waiting frame (up to a budget: then true). */
bool card_rx(struct card *c);
void card_rx_free(struct card *c);	/* buffers (down, new MTU) */
/* net_tx.c */
int card_xmit(struct sk_buff *skb, struct net_device *dev);
void card_tx_flush(struct card *c);
void card_tx_drop(struct card *c);	/* down: the queue is lost */
void card_tx_init(struct card *c);
#endif
