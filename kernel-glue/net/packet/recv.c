/* Receiving on a packet socket: the device layer hands our tap a copy of
 * each frame it hears (received, or sent as PACKET_OUTGOING); the socket
 * filter picks and trims it, and it is queued with its sockaddr_ll
 * facts unless the queue holds SO_RCVBUF already (counted as a drop for
 * PACKET_STATISTICS) or the socket has a ring (ring.c). recvmsg hands
 * frames out one at a time, as Linux's packet_rcv and packet_recvmsg. */
#include <umk/sched.h>
#include <umk/filter.h>
#include "packet.h"

void packet_frame_view(struct packet_sock *po, struct sk_buff *skb)
{
	if (po->sock->type != SOCK_DGRAM && dev_has_header(skb->dev) && skb->mac_off >= 0 &&
	    skb->mac_off < (int)skb_headroom(skb))
		skb_push(skb, skb_headroom(skb) - (size_t)skb->mac_off);
}

int packet_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt)
{
	struct packet_sock *po = pt->priv;
	struct socket *s = po->sock;
	if (skb->pkt_type == PACKET_LOOPBACK || (po->ignore_outgoing && skb->pkt_type == PACKET_OUTGOING)) {
		kfree_skb(skb);
		return 0;
	}
	skb->dev = dev;
	packet_frame_view(po, skb);
	uint32_t snaplen = skb->len;
	if (s->filter) {
		uint32_t res = sk_filter_run(s->filter, skb);
		if (!res) {
			kfree_skb(skb);	/* not for us: not counted */
			return 0;
		}
		snaplen = MIN(snaplen, res);
	}
	if (po->rx_ring.pages)
		return tpacket_rcv(po, skb, dev, snaplen);
	if (!packet_queue(po, skb, dev, snaplen)) {
		po->tp_drops++;	/* the reader is behind */
		kfree_skb(skb);
		return 0;
	}
	po->tp_packets++;
	return 0;
}

bool packet_queue(struct packet_sock *po, struct sk_buff *skb, struct net_device *dev, uint32_t snaplen)
{
	if (po->rmem >= (size_t)po->sock->rcvbuf)
		return false;
	struct packet_cb *cb = (struct packet_cb *)skb->cb;
	memset(cb, 0, sizeof(*cb));
	cb->sll.sll_hatype = dev->type;
	cb->sll.sll_pkttype = skb->pkt_type;
	cb->sll.sll_ifindex = dev->ifindex;
	cb->sll.sll_halen = (uint8_t)dev_parse_header(skb, cb->sll.sll_addr);
	cb->origlen = skb->len;
	skb_trim(skb, snaplen);
	skb->owner = po;
	po->rmem += skb_truesize(skb);
	skb_queue_tail(&po->rq, skb);
	wake_up(&po->wq);
	return true;
}

/* Wait for a frame: 0 (look again) or the error to return. */
static long wait_frame(struct socket *s, struct packet_sock *po, int64_t deadline)
{
	if (!deadline)
		return -EAGAIN;
	long err = wait_event_interruptible_deadline(po->wq, po->rq.qlen || s->err,
						     deadline);
	return err ? sock_wait_error(s, err, true) : 0;
}

/* struct tpacket_auxdata for PACKET_AUXDATA (the ring's header facts). */
static void put_auxdata(struct kmsg *m, const struct sk_buff *skb, const struct packet_cb *cb)
{
	struct tpacket_auxdata aux;
	memset(&aux, 0, sizeof(aux));
	aux.tp_status = TP_STATUS_USER;
	aux.tp_len = cb->origlen;
	aux.tp_snaplen = skb->len;
	aux.tp_mac = 0;
	aux.tp_net = skb->network_off >= 0 ? (uint16_t)(skb->network_off - (int)skb_headroom(skb)) : 0;
	if (skb->vlan_present) {
		aux.tp_vlan_tci = skb->vlan_tci;
		aux.tp_vlan_tpid = skb->vlan_proto;
		aux.tp_status |= TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID;
	}
	put_kcmsg(m, SOL_PACKET, PACKET_AUXDATA, &aux, sizeof(aux));
}

ssize_t packet_recvmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct packet_sock *po = pkt_sk(s);
	/* Linux's list: even MSG_CMSG_CLOEXEC and MSG_WAITALL are EINVAL */
	if (flags & ~(unsigned)(MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC | MSG_ERRQUEUE))
		return -EINVAL;
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;	/* no transmit timestamps are queued here */
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, true);
	struct sk_buff *skb;
	while (!(skb = skb_peek(&po->rq))) {
		if (s->err) {
			long e = -s->err;
			s->err = 0;
			return e;
		}
		long err = wait_frame(s, po, deadline);
		if (err)
			return err;
	}
	struct packet_cb *cb = (struct packet_cb *)skb->cb;
	size_t copied = MIN((size_t)skb->len, m->it.len);
	if (copied < skb->len)
		m->flags |= MSG_TRUNC;
	if (miter_to(&m->it, 0, skb->data, copied))
		return -EFAULT;
	cb->sll.sll_family = AF_PACKET;
	cb->sll.sll_protocol = pkt_ntohs(skb->protocol);
	/* the address's length, padded to a whole sockaddr_ll if shorter */
	int namelen = (int)offsetof(struct sockaddr_ll, sll_addr) + cb->sll.sll_halen;
	memcpy(&m->name, &cb->sll, (size_t)namelen);
	m->namelen = MAX(namelen, (int)sizeof(struct sockaddr_ll));
	if (po->auxdata)
		put_auxdata(m, skb, cb);
	m->tstamp = skb->tstamp;
	ssize_t ret = (flags & MSG_TRUNC) ? (ssize_t)skb->len : (ssize_t)copied;
	if (po->stamp_on)
		po->stamp = skb->tstamp;
	else if (po->stamp < 0)
		po->stamp = 0;
	if (!(flags & MSG_PEEK)) {
		skb_dequeue(&po->rq);
		po->rmem -= skb_truesize(skb);
		kfree_skb(skb);
	}
	return ret;
}
