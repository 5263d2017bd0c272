/* PACKET_ADD_MEMBERSHIP/PACKET_DROP_MEMBERSHIP (Linux's packet_mc_add,
 * packet_mc_drop): a socket's hold on a device's promiscuous or
 * all-multicast mode, counted per socket and per device, and given back
 * when the socket closes. Multicast and unicast address memberships are
 * checked and kept: our cards do no address filtering of their own, so
 * every multicast frame already reaches the stack. */
#include "packet.h"

/* The device side of one membership; what > 0 takes it, < 0 gives it back. */
static int dev_mc(struct net_device *dev, const struct packet_mclist *i, int what)
{
	switch (i->type) {
	case PACKET_MR_MULTICAST:
	case PACKET_MR_UNICAST:
		return i->alen == dev->addr_len ? 0 : -EINVAL;
	case PACKET_MR_PROMISC:
		dev_set_promiscuity(dev, what);
		return 0;
	case PACKET_MR_ALLMULTI:
		dev_set_allmulti(dev, what);
		return 0;
	}
	return 0;	/* other types are accepted and mean nothing, as Linux */
}

static bool same(const struct packet_mclist *ml, const struct packet_mreq_max *mr)
{
	return ml->ifindex == mr->mr_ifindex && ml->type == mr->mr_type && ml->alen == mr->mr_alen &&
	       !memcmp(ml->addr, mr->mr_address, ml->alen);
}

int packet_mc_add(struct packet_sock *po, const struct packet_mreq_max *mr)
{
	struct net_device *dev = dev_get_by_index(mr->mr_ifindex);
	if (!dev)
		return -ENODEV;
	if (mr->mr_alen > dev->addr_len)
		return -EINVAL;
	for (struct packet_mclist *ml = po->mclist; ml; ml = ml->next) {
		if (same(ml, mr)) {
			ml->count++;
			return 0;
		}
	}
	struct packet_mclist *i = kzalloc(sizeof(*i));
	i->type = mr->mr_type;
	i->ifindex = mr->mr_ifindex;
	i->alen = mr->mr_alen;
	memcpy(i->addr, mr->mr_address, i->alen);
	i->count = 1;
	int err = dev_mc(dev, i, 1);
	if (err) {
		kfree(i);
		return err;
	}
	i->next = po->mclist;
	po->mclist = i;
	return 0;
}

int packet_mc_drop(struct packet_sock *po, const struct packet_mreq_max *mr)
{
	for (struct packet_mclist **mlp = &po->mclist, *ml; (ml = *mlp); mlp = &ml->next) {
		if (!same(ml, mr))
			continue;
		if (--ml->count == 0) {
			*mlp = ml->next;
			struct net_device *dev = dev_get_by_index(ml->ifindex);
			if (dev)
				dev_mc(dev, ml, -1);
			kfree(ml);
		}
		break;
	}
	return 0;	/* no such membership is not an error, as Linux */
}

void packet_mc_flush(struct packet_sock *po)
{
	struct packet_mclist *ml;
	while ((ml = po->mclist)) {
		po->mclist = ml->next;
		struct net_device *dev = dev_get_by_index(ml->ifindex);
		if (dev)
			dev_mc(dev, ml, -1);
		kfree(ml);
	}
}

void packet_mc_dev_gone(struct packet_sock *po, struct net_device *dev)
{
	for (struct packet_mclist **mlp = &po->mclist, *ml; (ml = *mlp);) {
		if (ml->ifindex != dev->ifindex) {
			mlp = &ml->next;
			continue;
		}
		*mlp = ml->next;
		dev_mc(dev, ml, -1);
		kfree(ml);
	}
}
