/* The ARP cache (Linux's neighbour.c for the ARP table): entries and
 * their states. A packet for an unknown next hop makes it INCOMPLETE and
 * waits in its queue (up to unres_qlen_bytes; the oldest go first) while
 * ARP asks, every retrans_time, mcast_solicit times; an answer makes it
 * REACHABLE and sends the queue; no answer makes it FAILED and each
 * waiting packet gets an ICMP host unreachable, as Linux reports it.
 * REACHABLE lasts reachable_time (random 0.5..1.5 x base_reachable_time)
 * after the last confirmation, then STALE; sending to a STALE entry
 * makes it DELAY, and if nothing confirms it within
 * delay_first_probe_time, PROBE: ucast_solicit unicast requests, then
 * FAILED. Unused STALE and FAILED entries go after gc_stale_time; at
 * gc_thresh3 (1024) entries the idle ones go at once, and then new ones
 * are refused. */
#include "ipv4.h"

static LIST_HEAD(neighbours);
static int nr_neighbours;
static struct ktimer gc_timer;
#define GC_THRESH3 1024	/* net.ipv4.neigh.default.gc_thresh3: never more entries */
#define NUD_IN_TIMER (NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE)
#define NUD_CONNECTED (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE)
#define MS(x) ((int64_t)(x) * 1000000ll)

static struct neigh_parms *parms(const struct neighbour *n)
{
	return &in_dev_get(n->dev)->arp_parms;
}

void neigh_parms_init(struct neigh_parms *p)
{
	*p = (struct neigh_parms){
		.base_reachable_time_ms = 30000, .retrans_time_ms = 1000, .delay_first_probe_time_ms = 5000,
		.gc_stale_time_ms = 60000, .ucast_solicit = 3, .mcast_solicit = 3, .unres_qlen_bytes = 212992,
		.locktime_ms = 1000,
	};
}

/* reachable_time: random in [0.5, 1.5) x base, redrawn every 300 s */
static int64_t reachable_time(struct neigh_parms *p)
{
	int64_t now = ktime_mono_ns();
	if (!p->reachable_time_ns || now - p->reachable_drawn_ns > MS(300000)) {
		uint32_t r;
		get_random_bytes(&r, sizeof(r));
		int64_t base = MS(p->base_reachable_time_ms);
		p->reachable_time_ns = base / 2 + (int64_t)((uint64_t)r % (uint64_t)(base ? base : 1));
		p->reachable_drawn_ns = now;
	}
	return p->reachable_time_ns;
}

static void neigh_timer(struct ktimer *t);

static void arm(struct neighbour *n, int64_t when)
{
	int64_t min = ktime_mono_ns() + MS(10);
	ktimer_arm(&n->timer, when < min ? min : when);
}

struct neighbour *neigh_lookup(const struct net_device *dev, __be32 ip)
{
	struct neighbour *n;
	list_for_each_entry(n, &neighbours, list)
		if (n->dev == dev && n->ip == ip)
			return n;
	return NULL;
}

static void gc(struct ktimer *t);

/* The table is full: drop what nobody relies on (Linux's
 * neigh_forced_gc), so a peer claiming many addresses cannot grow it. */
static void forced_gc(void)
{
	struct neighbour *n, *x;
	list_for_each_entry_safe(n, x, &neighbours, list)
		if (!(n->nud_state & (NUD_PERMANENT | NUD_NOARP | NUD_IN_TIMER)))
			neigh_remove(n);
}

struct neighbour *neigh_find(struct net_device *dev, __be32 ip, bool create)
{
	struct neighbour *n = neigh_lookup(dev, ip);
	if (n || !create || !in_dev_get(dev))
		return n;
	if (nr_neighbours >= GC_THRESH3) {
		forced_gc();
		if (nr_neighbours >= GC_THRESH3)
			return NULL;	/* the datagram is dropped */
	}
	n = kzalloc(sizeof(*n));
	n->dev = dev;
	n->ip = ip;
	n->nud_state = NUD_NONE;
	n->updated = n->used = ktime_mono_ns();
	skb_queue_init(&n->arp_queue);
	ktimer_init(&n->timer, neigh_timer, n);
	if (arp_noarp_address(n))
		n->nud_state = NUD_NOARP;
	list_add_tail(&n->list, &neighbours);
	nr_neighbours++;
	if (!gc_timer.fn)
		ktimer_init(&gc_timer, gc, NULL);
	if (!gc_timer.armed)
		ktimer_arm(&gc_timer, ktime_mono_ns() + MS(15000));
	return n;
}

void neigh_remove(struct neighbour *n)
{
	ktimer_cancel(&n->timer);
	list_del(&n->list);
	nr_neighbours--;
	skb_queue_purge(&n->arp_queue);
	if (n->nud_state != NUD_NONE)
		inet_notify_neigh(n, INET_DEL);
	kfree(n);
}

/* Packets that waited for a resolution that failed: each sender hears
 * of it by an ICMP host unreachable from us (Linux's arp_error_report). */
static void invalidate(struct neighbour *n)
{
	struct sk_buff *skb;
	while ((skb = skb_dequeue(&n->arp_queue))) {
		skb->dev = n->dev;
		skb_reset_network_header(skb);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
		kfree_skb(skb);
	}
}

static void xmit(struct neighbour *n, struct sk_buff *skb)
{
	skb->dev = n->dev;
	if (eth_header(skb, n->dev, ETH_P_IP, n->ha, NULL)) {
		kfree_skb(skb);
		IP_INC_STATS(IPSTATS_OUTDISCARDS);
		return;
	}
	if (dev_queue_xmit(skb))
		IP_INC_STATS(IPSTATS_OUTDISCARDS);
}

static void probe(struct neighbour *n)
{
	struct sk_buff *skb = skb_peek(&n->arp_queue);
	n->probes++;
	arp_solicit(n, skb);
}

static int max_probes(const struct neighbour *n)
{
	struct neigh_parms *p = parms(n);
	return p->ucast_solicit + ((n->nud_state & NUD_PROBE) ? 0 : p->mcast_solicit);
}

static void neigh_timer(struct ktimer *t)
{
	struct neighbour *n = t->data;
	struct neigh_parms *p = parms(n);
	int64_t now = ktime_mono_ns(), next = now + MS(p->retrans_time_ms);
	uint16_t state = n->nud_state;
	if (!(state & NUD_IN_TIMER))
		return;
	if (state & NUD_REACHABLE) {
		if (now <= n->confirmed + reachable_time(p)) {
			next = n->confirmed + reachable_time(p);
		} else if (now <= n->used + MS(p->delay_first_probe_time_ms)) {
			n->nud_state = NUD_DELAY;
			n->updated = now;
			next = now + MS(p->delay_first_probe_time_ms);
		} else {
			n->nud_state = NUD_STALE;
			n->updated = now;
			inet_notify_neigh(n, INET_NEW);
			return;
		}
	} else if (state & NUD_DELAY) {
		if (now <= n->confirmed + MS(p->delay_first_probe_time_ms)) {
			n->nud_state = NUD_REACHABLE;
			n->updated = now;
			inet_notify_neigh(n, INET_NEW);
			next = n->confirmed + reachable_time(p);
		} else {
			n->nud_state = NUD_PROBE;
			n->updated = now;
			n->probes = 0;
			inet_notify_neigh(n, INET_NEW);
		}
	}
	if ((n->nud_state & (NUD_INCOMPLETE | NUD_PROBE)) && n->probes >= max_probes(n)) {
		n->nud_state = NUD_FAILED;
		n->updated = now;
		inet_notify_neigh(n, INET_NEW);
		invalidate(n);
		return;
	}
	if (n->nud_state & NUD_IN_TIMER)
		arm(n, next);
	if (n->nud_state & (NUD_INCOMPLETE | NUD_PROBE))
		probe(n);
}

int neigh_update(struct neighbour *n, const uint8_t *lladdr, uint16_t new, unsigned flags)
{
	uint16_t old = n->nud_state;
	struct net_device *dev = n->dev;
	int64_t now = ktime_mono_ns();
	if (!(flags & NEIGH_UPDATE_F_ADMIN) && (old & (NUD_NOARP | NUD_PERMANENT)))
		return -EPERM;
	if (!(new & NUD_VALID)) {
		ktimer_cancel(&n->timer);
		n->nud_state = new;
		if (new != old) {
			n->updated = now;
			inet_notify_neigh(n, INET_NEW);
		}
		if ((old & (NUD_INCOMPLETE | NUD_PROBE)) && (new & NUD_FAILED))
			invalidate(n);
		return 0;
	}
	bool same = false;
	if (!lladdr) {
		if (!(old & NUD_VALID))
			return -EINVAL;	/* nothing to keep */
		lladdr = n->ha;
		same = true;
	} else if ((old & NUD_VALID) && !memcmp(lladdr, n->ha, dev->addr_len)) {
		same = true;
	}
	if (new & NUD_CONNECTED)
		n->confirmed = now;
	if (old & NUD_VALID) {
		if (!same && !(flags & NEIGH_UPDATE_F_OVERRIDE))
			return 0;	/* the first answer stands until locktime passed */
		if (same && new == NUD_STALE && !(flags & NEIGH_UPDATE_F_ADMIN))
			new = old;	/* nothing new: keep the state */
	}
	if (new != old || !same)
		n->updated = now;
	if (new != old) {
		ktimer_cancel(&n->timer);
		if (new & NUD_PROBE)
			n->probes = 0;
		if (new & NUD_IN_TIMER)
			arm(n, now + ((new & NUD_REACHABLE) ? reachable_time(parms(n)) : 0));
		n->nud_state = new;
	}
	if (!same) {
		memcpy(n->ha, lladdr, dev->addr_len);
		if (!(new & NUD_CONNECTED))
			n->confirmed = now - 2 * MS(parms(n)->base_reachable_time_ms);
	}
	if (new != old || !same)
		inet_notify_neigh(n, INET_NEW);
	if (!(old & NUD_VALID)) {
		/* resolved: what waited goes now */
		struct sk_buff *skb;
		while ((n->nud_state & NUD_VALID) && (skb = skb_dequeue(&n->arp_queue)))
			xmit(n, skb);
		skb_queue_purge(&n->arp_queue);
	}
	return 0;
}

int neigh_output(struct sk_buff *skb, struct net_device *dev, __be32 nexthop)
{
	struct neighbour *n = neigh_find(dev, nexthop, true);
	if (!n) {
		kfree_skb(skb);
		return -EINVAL;
	}
	int64_t now = ktime_mono_ns();
	n->used = now;
	struct neigh_parms *p = parms(n);
	uint16_t s = n->nud_state;
	if (s & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) {
		xmit(n, skb);
		return 0;
	}
	if (s & NUD_STALE) {
		/* used again: check it soon */
		n->nud_state = NUD_DELAY;
		n->updated = now;
		arm(n, now + MS(p->delay_first_probe_time_ms));
		inet_notify_neigh(n, INET_NEW);
		xmit(n, skb);
		return 0;
	}
	if (!(s & NUD_INCOMPLETE)) {
		/* NONE or FAILED: start resolving, asking at once */
		if (!p->mcast_solicit) {
			n->nud_state = NUD_FAILED;
			n->updated = now;
			kfree_skb(skb);
			return -EHOSTUNREACH;
		}
		n->probes = p->ucast_solicit;
		n->nud_state = NUD_INCOMPLETE;
		n->updated = now;
		arm(n, now + MS(p->retrans_time_ms));
		inet_notify_neigh(n, INET_NEW);
		skb_orphan(skb);
		while (n->arp_queue.qlen && (int64_t)(n->arp_queue.bytes + skb->len) > p->unres_qlen_bytes)
			kfree_skb(skb_dequeue(&n->arp_queue));
		skb_queue_tail(&n->arp_queue, skb);
		probe(n);
		return 0;
	}
	/* INCOMPLETE: wait with the others, the oldest dropped to fit */
	skb_orphan(skb);
	while (n->arp_queue.qlen && (int64_t)(n->arp_queue.bytes + skb->len) > p->unres_qlen_bytes)
		kfree_skb(skb_dequeue(&n->arp_queue));
	skb_queue_tail(&n->arp_queue, skb);
	return 0;
}

void neigh_ifdown(struct net_device *dev, bool keep_perm)
{
	struct neighbour *n, *t;
	list_for_each_entry_safe(n, t, &neighbours, list)
		if (n->dev == dev && !(keep_perm && (n->nud_state & NUD_PERMANENT)))
			neigh_remove(n);
}

/* Every 15 s: entries unused for gc_stale_time in STALE or FAILED go. */
static void gc(struct ktimer *t __unused)
{
	int64_t now = ktime_mono_ns();
	struct neighbour *n, *x;
	list_for_each_entry_safe(n, x, &neighbours, list) {
		if (n->nud_state & (NUD_PERMANENT | NUD_NOARP | NUD_IN_TIMER))
			continue;
		if ((n->nud_state & NUD_FAILED) || n->nud_state == NUD_NONE ||
		    now - n->used > MS(parms(n)->gc_stale_time_ms))
			neigh_remove(n);
	}
	if (!list_empty(&neighbours))
		ktimer_arm(&gc_timer, now + MS(15000));
}

/* ---- the configuration API (umk/inet.h) ---- */

int neigh_add(struct net_device *dev, __be32 ip, const uint8_t *lladdr, uint16_t state, uint8_t flags,
	      unsigned nlflags)
{
	if (!in_dev_get(dev) || dev->type != ARPHRD_ETHER)
		return -ENODEV;
	if (!(state & (NUD_PERMANENT | NUD_REACHABLE | NUD_STALE | NUD_NOARP | NUD_DELAY | NUD_PROBE |
		       NUD_FAILED | NUD_INCOMPLETE | NUD_NONE)) && state)
		return -EINVAL;
	if ((state & NUD_VALID) && !lladdr && !(state & NUD_NOARP))
		return -EINVAL;
	if (ipv4_is_multicast(ip) || ipv4_is_lbcast(ip) || ipv4_is_zeronet(ip))
		return -EINVAL;
	struct neighbour *n = neigh_lookup(dev, ip);
	if (n) {
		if (nlflags & NLM_F_EXCL)
			return -EEXIST;
	} else {
		if (!(nlflags & NLM_F_CREATE))
			return -ENOENT;
		n = neigh_find(dev, ip, true);
		if (!n)
			return -ENOBUFS;
	}
	n->flags = flags;
	unsigned f = NEIGH_UPDATE_F_ADMIN | ((nlflags & NLM_F_REPLACE) || n->nud_state == NUD_NONE ? NEIGH_UPDATE_F_OVERRIDE : 0);
	return neigh_update(n, lladdr, state, f);
}

int neigh_delete(struct net_device *dev, __be32 ip)
{
	struct neighbour *n = neigh_lookup(dev, ip);
	if (!n)
		return -ENOENT;
	neigh_update(n, NULL, NUD_FAILED, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
	neigh_remove(n);
	return 0;
}

int neigh_walk(const struct net_device *dev, int (*fn)(const struct neighbour *n, void *arg), void *arg)
{
	struct neighbour *n, *t;
	list_for_each_entry_safe(n, t, &neighbours, list) {
		if (dev && n->dev != dev)
			continue;
		int err = fn(n, arg);
		if (err)
			return err;
	}
	return 0;
}
