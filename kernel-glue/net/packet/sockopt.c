/* SOL_PACKET options, with Linux's lengths, checks and errors
 * (packet_setsockopt/packet_getsockopt). What umk does not do answers as
 * a kernel without it: PACKET_TX_RING, PACKET_VNET_HDR and PACKET_FANOUT
 * are ENOPROTOOPT. */
#include <umk/uaccess.h>
#include "packet.h"

static bool known_version(int v) { return v == TPACKET_V1 || v == TPACKET_V2 || v == TPACKET_V3; }

static int get_int(uaddr_t val, int len, bool exact, int *v)
{
	if (exact ? len != (int)sizeof(int) : len < (int)sizeof(int))
		return -EINVAL;
	return copy_from_user(v, val, sizeof(int)) ? -EFAULT : 0;
}

static int membership(struct packet_sock *po, int name, uaddr_t val, int len)
{
	struct packet_mreq_max mr;
	memset(&mr, 0, sizeof(mr));
	if (len < (int)sizeof(struct packet_mreq))
		return -EINVAL;
	if (len > (int)sizeof(mr))
		len = sizeof(mr);
	if (copy_from_user(&mr, val, (size_t)len))
		return -EFAULT;
	if (len < mr.mr_alen + (int)offsetof(struct packet_mreq, mr_address))
		return -EINVAL;
	return name == PACKET_ADD_MEMBERSHIP ? packet_mc_add(po, &mr) : packet_mc_drop(po, &mr);
}

int packet_setsockopt(struct socket *s, int level, int name, uaddr_t val, int len)
{
	struct packet_sock *po = pkt_sk(s);
	if (level != SOL_PACKET)
		return -ENOPROTOOPT;
	int v = 0, err;
	bool ring = po->rx_ring.pages != NULL;
	switch (name) {
	case PACKET_ADD_MEMBERSHIP:
	case PACKET_DROP_MEMBERSHIP:
		return membership(po, name, val, len);
	case PACKET_RX_RING: {
		/* a tpacket_req, or for TPACKET_V3 the longer tpacket_req3 */
		struct tpacket_req3 req;
		memset(&req, 0, sizeof(req));
		size_t need = po->tp_version == TPACKET_V3 ? sizeof(req) : sizeof(struct tpacket_req);
		if (len < (int)need)
			return -EINVAL;
		if (copy_from_user(&req, val, need))
			return -EFAULT;
		return packet_set_ring(po, &req, false);
	}
	case PACKET_COPY_THRESH:
		if ((err = get_int(val, len, true, &v)))
			return err;
		po->copy_thresh = v;
		return 0;
	case PACKET_VERSION:
		if ((err = get_int(val, len, true, &v)))
			return err;
		if (!known_version(v))
			return -EINVAL;
		if (ring)
			return -EBUSY;
		po->tp_version = v;
		return 0;
	case PACKET_RESERVE:
		if ((err = get_int(val, len, true, &v)))
			return err;
		if (v < 0)
			return -EINVAL;	/* above INT_MAX as unsigned */
		if (ring)
			return -EBUSY;
		po->tp_reserve = (unsigned)v;
		return 0;
	case PACKET_LOSS:
		if ((err = get_int(val, len, true, &v)))
			return err;
		if (ring)
			return -EBUSY;
		po->tp_loss = v != 0;
		return 0;
	case PACKET_AUXDATA:
		if ((err = get_int(val, len, false, &v)))
			return err;
		po->auxdata = v != 0;
		return 0;
	case PACKET_ORIGDEV:	/* no stacked devices: the device is the original */
		if ((err = get_int(val, len, false, &v)))
			return err;
		po->origdev = v != 0;
		return 0;
	case PACKET_TIMESTAMP:
		if ((err = get_int(val, len, true, &v)))
			return err;
		po->tp_tstamp = v;
		return 0;
	case PACKET_FANOUT_DATA:
		return -EINVAL;	/* only for a fanout group's member */
	case PACKET_IGNORE_OUTGOING:
		if ((err = get_int(val, len, true, &v)))
			return err;
		if (v < 0 || v > 1)
			return -EINVAL;
		po->ignore_outgoing = v;
		return 0;
	case PACKET_TX_HAS_OFF:
		if ((err = get_int(val, len, true, &v)))
			return err;
		if (!ring)
			po->tx_has_off = v != 0;
		return 0;
	case PACKET_QDISC_BYPASS:	/* no queueing discipline: both ways are direct */
		if ((err = get_int(val, len, true, &v)))
			return err;
		po->qdisc_bypass = v != 0;
		return 0;
	}
	return -ENOPROTOOPT;
}

int packet_getsockopt(struct socket *s, int level, int name, uaddr_t val, uaddr_t ulen)
{
	struct packet_sock *po = pkt_sk(s);
	if (level != SOL_PACKET)
		return -ENOPROTOOPT;
	int len;
	int err = get_user_optlen(ulen, &len);
	if (err)
		return err;
	int v = 0, lv = sizeof(v);
	const void *data = &v;
	struct tpacket_stats_v3 st;
	switch (name) {
	case PACKET_STATISTICS:
		/* tp_packets counts the drops too; reading clears them all.
		 * Before TPACKET_V3, no freeze count. */
		st.tp_packets = po->tp_packets + po->tp_drops;
		st.tp_drops = po->tp_drops;
		st.tp_freeze_q_cnt = po->tp_freeze_q_cnt;
		po->tp_packets = po->tp_drops = po->tp_freeze_q_cnt = 0;
		data = &st;
		lv = po->tp_version == TPACKET_V3 ? sizeof(st) : sizeof(struct tpacket_stats);
		break;
	case PACKET_AUXDATA: v = po->auxdata; break;
	case PACKET_ORIGDEV: v = po->origdev; break;
	case PACKET_VERSION: v = po->tp_version; break;
	case PACKET_HDRLEN:
		if (len > (int)sizeof(int))
			len = sizeof(int);
		if (len < (int)sizeof(int))
			return -EINVAL;
		if (copy_from_user(&v, val, sizeof(v)))
			return -EFAULT;
		if (v == TPACKET_V1)
			v = sizeof(struct tpacket_hdr);
		else if (v == TPACKET_V2)
			v = sizeof(struct tpacket2_hdr);
		else if (v == TPACKET_V3)
			v = sizeof(struct tpacket3_hdr);
		else
			return -EINVAL;
		break;
	case PACKET_RESERVE: v = (int)po->tp_reserve; break;
	case PACKET_LOSS: v = po->tp_loss; break;
	case PACKET_TIMESTAMP: v = po->tp_tstamp; break;
	case PACKET_FANOUT: v = 0; break;	/* in no fanout group */
	case PACKET_IGNORE_OUTGOING: v = po->ignore_outgoing; break;
	case PACKET_ROLLOVER_STATS: return -EINVAL;	/* no rollover without fanout */
	case PACKET_TX_HAS_OFF: v = po->tx_has_off; break;
	case PACKET_QDISC_BYPASS: v = po->qdisc_bypass; break;
	default:
		return -ENOPROTOOPT;
	}
	if (len > lv)
		len = lv;
	if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(val, data, (size_t)len))
		return -EFAULT;
	return 0;
}
