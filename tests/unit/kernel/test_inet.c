/* The IPv4 stack below the sockets, on two Ethernet devices the test
 * drives (frames the stack sends are captured, frames the test builds go
 * in through netif_rx), with a clock the test moves: addresses and the
 * routes and gratuitous ARP that come with them, ARP answers and the
 * neighbour states (INCOMPLETE, retries, FAILED with ICMP host
 * unreachable, REACHABLE, STALE, DELAY, PROBE, the queue limit),
 * forwarding (TTL, time exceeded, fragmentation needed, fragmenting),
 * and malformed frames: Ethernet runts, bad IP checksums, lengths and
 * headers, bad ARP, then random garbage and mutated headers by the
 * thousand, which must not crash the kernel (the ASan build checks the
 * memory accesses). */
#include <stdlib.h>
#include "ktest.h"
#include "doubles.h"
#include "inet_env.h"
#include "rename.h"
#include <umk/kernel.h>
#include <umk/init.h>
#include <umk/netdevice.h>
#include <umk/inet.h>
#include <umk/proc.h>
#include "../../../kernel-glue/net/ipv4/ipv4.h"
#include "unrename.h"


/* ---- two Ethernet cards that record what is sent ---- */

#define MAXF 64
struct card {
	struct net_device dev;
	struct sk_buff *sent[MAXF];
	int nsent;
};
static struct card c0, c1;
static const uint8_t mac0[6] = { 2, 0, 0, 0, 0, 1 }, mac1[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t peer[6] = { 2, 0, 0, 0, 0, 2 }, far[6] = { 2, 0, 0, 0, 1, 5 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int card_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct card *c = container_of(dev, struct card, dev);
	if (c->nsent < MAXF)
		c->sent[c->nsent++] = skb;
	else
		kfree_skb(skb);
	return 0;
}
static const struct net_device_ops card_ops = { .xmit = card_xmit };

static void clear(struct card *c)
{
	for (int i = 0; i < c->nsent; i++)
		kfree_skb(c->sent[i]);
	c->nsent = 0;
}

static void card_init(struct card *c, const uint8_t *mac)
{
	memset(c, 0, sizeof(*c));
	k_strlcpy(c->dev.name, "eth%d", IFNAMSIZ);
	ether_setup(&c->dev);
	memcpy(c->dev.dev_addr, mac, 6);
	c->dev.ops = &card_ops;
	c->dev.carrier = true;
	register_netdev(&c->dev);
}

static uint32_t ip4(int a, int b, int c, int d) { return htonl((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d); }

/* ---- frames ---- */

/* 2 bytes in, so the IP header after the Ethernet one is 4-byte aligned */
static uint8_t frame_store[2048 + 2] __attribute__((aligned(16)));
#define frame (frame_store + 2)

static size_t eth(const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = (uint8_t)(type >> 8);
	frame[13] = (uint8_t)type;
	return 14;
}

static size_t arp(int op, const uint8_t *sha, uint32_t sip, const uint8_t *tha, uint32_t tip, const uint8_t *dst)
{
	size_t n = eth(dst, sha, ETH_P_ARP);
	uint8_t *a = frame + n;
	a[0] = 0, a[1] = 1, a[2] = 8, a[3] = 0, a[4] = 6, a[5] = 4, a[6] = 0, a[7] = (uint8_t)op;
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &sip, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, &tip, 4);
	return n + 28;
}

/* An IP datagram (protocol 253 unless told) of payload bytes. */
static size_t ipv4(const uint8_t *dst, const uint8_t *src, uint32_t saddr, uint32_t daddr, int ttl, int proto,
		   size_t payload, bool df)
{
	size_t n = eth(dst, src, ETH_P_IP);
	struct iphdr *h = (struct iphdr *)(frame + n);
	memset(h, 0, sizeof(*h));
	h->version = 4;
	h->ihl = 5;
	h->ttl = (uint8_t)ttl;
	h->protocol = (uint8_t)proto;
	h->saddr = saddr;
	h->daddr = daddr;
	h->tot_len = htons((uint16_t)(20 + payload));
	h->frag_off = df ? htons(IP_DF) : 0;
	h->id = htons(77);
	memset(frame + n + 20, 'p', payload);
	h->check = ip_compute_csum(h, 20);
	return n + 20 + payload;
}

static void inject(struct card *c, size_t len)
{
	struct sk_buff *skb = alloc_skb(32 + 2, len);	/* NET_IP_ALIGN, as a driver does */
	memcpy(skb_put(skb, len), frame, len);
	skb->dev = &c->dev;
	netif_rx(skb);
}

static const uint8_t *sent_ip(struct card *c, int i) { return c->sent[i]->data + 14; }
static int sent_type(struct card *c, int i) { return c->sent[i]->data[12] << 8 | c->sent[i]->data[13]; }
static int sent_arp_op(struct card *c, int i) { return c->sent[i]->data[14 + 7]; }

/* ---- the tests ---- */

static void setup(void)
{
	umk_section_declare(const struct initcall, umk_initcalls);
	umk_section_foreach(const struct initcall, umk_initcalls, ic)
		ic->fn();	/* lo, /proc files */
	struct net_device *lo = dev_get_by_index(1);
	EQ_I(dev_change_flags(lo, IFF_UP), 0, "lo up (our own addresses are reached through it)");
	OK(inet_addr_type(htonl(0x7f000001)) == RTN_LOCAL, "lo up gave it 127.0.0.1");
	card_init(&c0, mac0);
	card_init(&c1, mac1);
	EQ_I(c0.dev.ifindex, 2, "eth0 is ifindex 2");
	OK(!strcmp(c1.dev.name, "eth1"), "second card named eth1");
	OK(in_dev_get(&c0.dev) != NULL, "cards get an in_device when registered");
	EQ_I(dev_change_flags(&c0.dev, IFF_UP | IFF_BROADCAST | IFF_MULTICAST), 0, "eth0 up");
	struct inet_addr_cfg a = { .local = ip4(192, 168, 1, 1), .prefixlen = 24, .broadcast = ip4(192, 168, 1, 255) };
	EQ_I(inet_addr_add(&c0.dev, &a, NLM_F_CREATE), 0, "192.168.1.1/24 on eth0");
	EQ_I(inet_addr_add(&c0.dev, &a, NLM_F_CREATE | NLM_F_EXCL), -EEXIST, "the same again: EEXIST");
	OK(c0.nsent == 1 && sent_type(&c0, 0) == ETH_P_ARP && sent_arp_op(&c0, 0) == 1 &&
	   !memcmp(c0.sent[0]->data, bcast, 6) && !memcmp(sent_ip(&c0, 0) + 14, &a.local, 4) &&
	   !memcmp(sent_ip(&c0, 0) + 24, &a.local, 4), "gratuitous ARP request for the new address");
	clear(&c0);
	EQ_I(inet_addr_type(ip4(192, 168, 1, 1)), RTN_LOCAL, "192.168.1.1 is local");
	EQ_I(inet_addr_type(ip4(192, 168, 1, 255)), RTN_BROADCAST, "192.168.1.255 is broadcast");
	struct fib_result r;
	OK(!fib_lookup(ip4(192, 168, 1, 77), 0, 0, 0, &r) && r.type == RTN_UNICAST && r.dev == &c0.dev && !r.gw,
	   "connected route to 192.168.1.0/24 via eth0");
	dev_change_flags(&c1.dev, IFF_UP | IFF_BROADCAST | IFF_MULTICAST);
	struct inet_addr_cfg b = { .local = ip4(10, 0, 0, 1), .prefixlen = 24, .broadcast = ip4(10, 0, 0, 255) };
	inet_addr_add(&c1.dev, &b, NLM_F_CREATE);
	clear(&c1);
}

static void arp_answers(void)
{
	size_t n = arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(192, 168, 1, 1), bcast);
	inject(&c0, n);
	OK(c0.nsent == 1 && sent_arp_op(&c0, 0) == 2 && !memcmp(c0.sent[0]->data, peer, 6) &&
	   !memcmp(sent_ip(&c0, 0) + 8, mac0, 6) && !memcmp(sent_ip(&c0, 0) + 18, peer, 6), "ARP reply to a request for us");
	struct neighbour *nb = neigh_lookup(&c0.dev, ip4(192, 168, 1, 2));
	OK(nb && nb->nud_state == NUD_STALE && !memcmp(nb->ha, peer, 6), "the asker is cached, STALE");
	clear(&c0);
	/* for 10.0.0.1 (eth1's address) on eth0: answered too (weak host) */
	inject(&c0, arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(10, 0, 0, 1), bcast));
	EQ_I(c0.nsent, 1, "a request for another device's address is answered");
	clear(&c0);
	inject(&c0, arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(192, 168, 1, 50), bcast));
	EQ_I(c0.nsent, 0, "a request for someone else: no reply");
	inject(&c0, arp(2, far, ip4(192, 168, 1, 60), mac0, ip4(192, 168, 1, 1), mac0));
	OK(!neigh_lookup(&c0.dev, ip4(192, 168, 1, 60)), "an unsolicited reply creates nothing (arp_accept 0)");
	inject(&c0, arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(127, 0, 0, 1), bcast));
	inject(&c0, arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(224, 0, 0, 1), bcast));
	EQ_I(c0.nsent, 0, "requests for loopback and multicast targets are ignored");
	inject(&c0, arp(1, bcast, ip4(192, 168, 1, 9), bcast, ip4(192, 168, 1, 1), bcast));
	EQ_I(c0.nsent, 0, "a sender with a broadcast MAC is ignored");
	inject(&c0, arp(1, peer, 0, bcast, ip4(192, 168, 1, 1), bcast));
	OK(c0.nsent == 1 && sent_arp_op(&c0, 0) == 2, "duplicate address probe (sender 0.0.0.0) is answered");
	clear(&c0);
}

/* Send a datagram of protocol 253 to dst from us, as a socket would. */
static int send_to(uint32_t dst, size_t len)
{
	struct flowi4 fl = { .daddr = dst };
	struct rtable rt;
	int err = ip_route_output(&fl, &rt);
	if (err)
		return err;
	struct sk_buff *skb = alloc_skb(64, len);
	memset(skb_put(skb, len), 'x', len);
	struct ip_build bld = { .saddr = fl.saddr, .daddr = fl.daddr, .protocol = 253, .ttl = 64, .id = -1 };
	return ip_build_and_send(skb, &bld, &rt);
}

static void neighbours(void)
{
	uint32_t who = ip4(192, 168, 1, 3);
	EQ_I(send_to(who, 100), 0, "send to an unknown neighbour");
	struct neighbour *nb = neigh_lookup(&c0.dev, who);
	OK(nb && nb->nud_state == NUD_INCOMPLETE, "INCOMPLETE");
	OK(c0.nsent == 1 && sent_arp_op(&c0, 0) == 1 && !memcmp(c0.sent[0]->data, bcast, 6), "ARP request at once");
	EQ_I(nb->arp_queue.qlen, 1, "the datagram waits");
	inet_env_advance(1000);
	EQ_I(c0.nsent, 2, "asked again after retrans_time (1 s)");
	inet_env_advance(1000);
	EQ_I(c0.nsent, 3, "and again: mcast_solicit 3");
	memset(&inet_env_log, 0, sizeof(inet_env_log));
	inet_env_advance(1000);
	OK(nb->nud_state == NUD_FAILED, "FAILED after three unanswered requests");
	EQ_I(c0.nsent, 3, "no fourth request");
	OK(inet_env_log.icmp_errors == 1 && inet_env_log.err_type == ICMP_DEST_UNREACH &&
	   inet_env_log.err_code == ICMP_HOST_UNREACH, "the waiting datagram's sender hears host unreachable");
	clear(&c0);

	/* resolution: the queue goes out with the answer */
	uint32_t w = ip4(192, 168, 1, 4);
	send_to(w, 100);
	send_to(w, 100);
	nb = neigh_lookup(&c0.dev, w);
	EQ_I(nb->arp_queue.qlen, 2, "two datagrams wait");
	inject(&c0, arp(2, far, w, mac0, ip4(192, 168, 1, 1), mac0));
	OK(nb->nud_state == NUD_REACHABLE && !memcmp(nb->ha, far, 6), "the reply makes it REACHABLE");
	OK(c0.nsent == 3 && sent_type(&c0, 1) == ETH_P_IP && !memcmp(c0.sent[1]->data, far, 6) &&
	   !memcmp(c0.sent[2]->data, far, 6), "both datagrams sent to the answered MAC");
	clear(&c0);
	send_to(w, 10);
	OK(c0.nsent == 1 && sent_type(&c0, 0) == ETH_P_IP, "REACHABLE: sent directly");
	clear(&c0);
	inet_env_advance(46000);
	OK(nb->nud_state == NUD_STALE, "STALE after reachable_time (at most 45 s)");
	send_to(w, 10);
	OK(nb->nud_state == NUD_DELAY && c0.nsent == 1 && sent_type(&c0, 0) == ETH_P_IP, "used while STALE: sent, DELAY");
	clear(&c0);
	inet_env_advance(5000);
	OK(nb->nud_state == NUD_PROBE, "no confirmation in delay_first_probe_time: PROBE");
	OK(c0.nsent == 1 && sent_arp_op(&c0, 0) == 1 && !memcmp(c0.sent[0]->data, far, 6), "a unicast probe");
	inject(&c0, arp(2, far, w, mac0, ip4(192, 168, 1, 1), mac0));
	OK(nb->nud_state == NUD_REACHABLE, "answered: REACHABLE again");
	clear(&c0);

	/* the queue of an unresolved neighbour holds unres_qlen_bytes */
	uint32_t q = ip4(192, 168, 1, 5);
	for (int i = 0; i < 300; i++)
		send_to(q, 1400);
	nb = neigh_lookup(&c0.dev, q);
	OK(nb->arp_queue.bytes <= 212992 && nb->arp_queue.qlen > 100, "queue capped at unres_qlen_bytes (%u datagrams)",
	   nb->arp_queue.qlen);
	clear(&c0);
	inet_env_advance(4000);
	OK(nb->nud_state == NUD_FAILED && nb->arp_queue.qlen == 0, "failed: queue emptied");
	clear(&c0);

	/* permanent entries from the configuration API */
	uint32_t pm = ip4(192, 168, 1, 6);
	EQ_I(neigh_add(&c0.dev, pm, far, NUD_PERMANENT, 0, NLM_F_CREATE), 0, "neigh_add permanent");
	send_to(pm, 10);
	OK(c0.nsent == 1 && sent_type(&c0, 0) == ETH_P_IP && !memcmp(c0.sent[0]->data, far, 6), "sent without asking");
	clear(&c0);
	inject(&c0, arp(2, peer, pm, mac0, ip4(192, 168, 1, 1), mac0));
	OK(!memcmp(neigh_lookup(&c0.dev, pm)->ha, far, 6), "ARP does not change a permanent entry");
	EQ_I(neigh_delete(&c0.dev, pm), 0, "neigh_delete");
	EQ_I(neigh_delete(&c0.dev, pm), -ENOENT, "neigh_delete again: ENOENT");
	/* broadcast needs no ARP */
	send_to(ip4(192, 168, 1, 255), 10);
	OK(c0.nsent == 1 && sent_type(&c0, 0) == ETH_P_IP && !memcmp(c0.sent[0]->data, bcast, 6), "to broadcast: ff:ff..");
	clear(&c0);
}

static int entries;
static int count_one(const struct neighbour *n, void *arg)
{
	(void)n;
	(void)arg;
	entries++;
	return 0;
}

/* A peer asking from many addresses cannot grow the cache without end. */
static void cache_limit(void)
{
	int answered = 0;
	for (int i = 0; i < 3000; i++) {
		inject(&c0, arp(1, peer, ip4(192, 168, 2 + i / 250, 1 + i % 250), bcast, ip4(192, 168, 1, 1), bcast));
		answered += c0.nsent;
		clear(&c0);
	}
	neigh_walk(NULL, count_one, NULL);
	OK(entries <= 1024 && entries > 0, "3000 askers: at most gc_thresh3 entries (%d)", entries);
	EQ_I(answered, 3000, "each still answered");
}

static void forwarding(void)
{
	struct fib_route_cfg df = { .table = RT_TABLE_MAIN, .type = RTN_UNICAST, .scope = RT_SCOPE_UNIVERSE,
				    .gw = ip4(192, 168, 1, 4), .protocol = RTPROT_BOOT, .nlflags = NLM_F_CREATE };
	EQ_I(fib_route_add(&df), 0, "default route via 192.168.1.4");
	df.gw = ip4(172, 16, 0, 1);
	EQ_I(fib_route_add(&df), -ENETUNREACH, "a gateway on no connected network");
	uint64_t fw = ipv4_mib.ip[IPSTATS_FORWDATAGRAMS], ae = ipv4_mib.ip[IPSTATS_INADDRERRORS];
	size_t n = ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(10, 0, 0, 5), 5, 253, 100, false);
	inject(&c0, n);
	EQ_I(c1.nsent, 0, "ip_forward 0: not forwarded");
	EQ_I(ipv4_mib.ip[IPSTATS_INADDRERRORS] - ae, 1, "counted in InAddrErrors");
	sysctl_ip_forward = 1;
	dev_change_flags(&c0.dev, c0.dev.flags);
	struct in_device *i0 = in_dev_get(&c0.dev), *i1 = in_dev_get(&c1.dev);
	i0->forwarding = i1->forwarding = 1;
	inject(&c0, n);
	OK(c1.nsent == 1 && sent_arp_op(&c1, 0) == 1, "forwarding: ARP for 10.0.0.5 on eth1");
	inject(&c1, arp(2, far, ip4(10, 0, 0, 5), mac1, ip4(10, 0, 0, 1), mac1));
	OK(c1.nsent == 2 && sent_type(&c1, 1) == ETH_P_IP && !memcmp(c1.sent[1]->data, far, 6), "forwarded to its MAC");
	const struct iphdr *h = (const struct iphdr *)sent_ip(&c1, 1);
	OK(h->ttl == 4 && ip_compute_csum(h, 20) == 0, "TTL 4, checksum still right");
	EQ_I(ipv4_mib.ip[IPSTATS_FORWDATAGRAMS] - fw, 1, "ForwDatagrams");
	clear(&c1);
	/* TTL 1: time exceeded, back through eth0 to 192.168.1.2 (known, STALE) */
	n = ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(10, 0, 0, 5), 1, 253, 100, false);
	inject(&c0, n);
	OK(c1.nsent == 0 && c0.nsent == 1 && sent_type(&c0, 0) == ETH_P_IP, "TTL 1: nothing forwarded, an answer back");
	h = (const struct iphdr *)sent_ip(&c0, 0);
	OK(h->protocol == IPPROTO_ICMP && sent_ip(&c0, 0)[20] == ICMP_TIME_EXCEEDED && h->daddr == ip4(192, 168, 1, 2) &&
	   h->saddr == ip4(192, 168, 1, 1), "ICMP time exceeded from 192.168.1.1");
	clear(&c0);
	/* too big for eth1 with DF: fragmentation needed; without: fragments */
	dev_set_mtu(&c1.dev, 1000);
	n = ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(10, 0, 0, 5), 9, 253, 1400, true);
	inject(&c0, n);
	OK(c1.nsent == 0 && c0.nsent == 1 && sent_ip(&c0, 0)[20] == ICMP_DEST_UNREACH &&
	   sent_ip(&c0, 0)[21] == ICMP_FRAG_NEEDED && sent_ip(&c0, 0)[26] == 1000 >> 8 && sent_ip(&c0, 0)[27] == (1000 & 255),
	   "DF and too big: fragmentation needed, MTU 1000");
	clear(&c0);
	n = ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(10, 0, 0, 5), 9, 253, 1400, false);
	inject(&c0, n);
	OK(c1.nsent == 2 && c1.sent[0]->len == 14 + 996 && c1.sent[1]->len == 14 + 20 + 424, "forwarded in two fragments");
	clear(&c1);
	dev_set_mtu(&c1.dev, 1500);
	/* no route: net unreachable (forwarding hosts say so) */
	struct fib_route_cfg del = { .table = RT_TABLE_MAIN, .scope = RT_SCOPE_NOWHERE };
	EQ_I(fib_route_del(&del), 0, "default route deleted");
	n = ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(8, 8, 8, 8), 9, 253, 10, false);
	inject(&c0, n);
	OK(c0.nsent == 1 && sent_ip(&c0, 0)[20] == ICMP_DEST_UNREACH && sent_ip(&c0, 0)[21] == ICMP_NET_UNREACH,
	   "no route: ICMP net unreachable");
	clear(&c0);
	/* not for forwarding: link-layer broadcasts, other hosts' frames */
	n = ipv4(bcast, peer, ip4(192, 168, 1, 2), ip4(10, 0, 0, 5), 9, 253, 10, false);
	inject(&c0, n);
	n = ipv4(far, peer, ip4(192, 168, 1, 2), ip4(10, 0, 0, 5), 9, 253, 10, false);
	inject(&c0, n);
	EQ_I(c1.nsent + c0.nsent, 0, "broadcast frames and frames for other MACs are not forwarded");
	sysctl_ip_forward = 0;
	i0->forwarding = i1->forwarding = 0;
}

/* ICMP errors to one destination: a burst of 6, then one a second
 * (icmp_ratelimit 1000 ms); echo replies are not limited. */
static void rate_limits(void)
{
	/* a peer that needs no ARP, and a fresh budget for it */
	neigh_delete(&c0.dev, ip4(192, 168, 1, 2));
	neigh_add(&c0.dev, ip4(192, 168, 1, 2), peer, NUD_PERMANENT, 0, NLM_F_CREATE);
	inet_env_advance(10000);
	clear(&c0);
	uint64_t limited = ipv4_mib.icmp[ICMP_MIB_RATELIMITHOST];
	for (int i = 0; i < 10; i++)
		inject(&c0, ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(192, 168, 1, 1), 64, 199, 20, false));
	int unreach = 0;
	for (int i = 0; i < c0.nsent; i++)
		unreach += sent_type(&c0, i) == ETH_P_IP && sent_ip(&c0, i)[20] == ICMP_DEST_UNREACH;
	EQ_I(unreach, 6, "10 datagrams of an unknown protocol: 6 protocol unreachables");
	EQ_I(ipv4_mib.icmp[ICMP_MIB_RATELIMITHOST] - limited, 4, "4 counted as OutRateLimitHost");
	clear(&c0);
	inet_env_advance(1000);
	for (int i = 0; i < 3; i++)
		inject(&c0, ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(192, 168, 1, 1), 64, 199, 20, false));
	EQ_I(c0.nsent, 1, "a second later: one more");
	clear(&c0);
	for (int i = 0; i < 10; i++) {
		size_t n = ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(192, 168, 1, 1), 64, IPPROTO_ICMP, 16, false);
		uint8_t *ic = frame + 34;
		ic[0] = ICMP_ECHO;
		ic[2] = ic[3] = 0;
		uint16_t c = ip_compute_csum(ic, 16);
		memcpy(ic + 2, &c, 2);
		inject(&c0, n);
	}
	EQ_I(c0.nsent, 10, "echo replies are not limited");
	clear(&c0);
}

static void malformed(void)
{
	uint64_t hdr = ipv4_mib.ip[IPSTATS_INHDRERRORS], cs = ipv4_mib.ip[IPSTATS_INCSUMERRORS],
		 tr = ipv4_mib.ip[IPSTATS_INTRUNCATEDPKTS];
	memset(frame, 0, 64);
	inject(&c0, 0);
	inject(&c0, 5);
	inject(&c0, 13);
	size_t n = eth(mac0, peer, ETH_P_IP);
	inject(&c0, n);
	inject(&c0, n + 10);
	OK(ipv4_mib.ip[IPSTATS_INHDRERRORS] - hdr == 2, "runts: IP shorter than a header counted as header errors");
	n = ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(192, 168, 1, 1), 64, 253, 20, false);
	frame[14 + 10] ^= 0x55;	/* checksum */
	inject(&c0, n);
	EQ_I(ipv4_mib.ip[IPSTATS_INCSUMERRORS] - cs, 1, "bad header checksum: InCsumErrors");
	n = ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(192, 168, 1, 1), 64, 253, 20, false);
	struct iphdr *h = (struct iphdr *)(frame + 14);
	h->tot_len = htons(200);
	h->check = 0;
	h->check = ip_compute_csum(h, 20);
	inject(&c0, n);
	EQ_I(ipv4_mib.ip[IPSTATS_INTRUNCATEDPKTS] - tr, 1, "total length past the frame: InTruncatedPkts");
	h->tot_len = htons(12);
	h->check = 0;
	h->check = ip_compute_csum(h, 20);
	uint64_t before = ipv4_mib.ip[IPSTATS_INHDRERRORS];
	inject(&c0, n);
	EQ_I(ipv4_mib.ip[IPSTATS_INHDRERRORS] - before, 1, "total length below the header: header error");
	/* padding after tot_len is trimmed and the datagram delivered */
	n = ipv4(mac0, peer, ip4(192, 168, 1, 2), ip4(192, 168, 1, 1), 64, 253, 6, false);
	memset(frame + n, 0xee, 30);
	inet_env_log.raw_delivered = 0;
	inject(&c0, n + 30);
	EQ_I(inet_env_log.raw_delivered, 1, "a padded frame is delivered");
	/* our own address as the source, from outside: dropped */
	n = ipv4(mac0, peer, ip4(192, 168, 1, 1), ip4(192, 168, 1, 1), 64, 253, 6, false);
	inet_env_log.raw_delivered = 0;
	inject(&c0, n);
	EQ_I(inet_env_log.raw_delivered, 0, "a spoof of our address is dropped");
	n = ipv4(mac0, peer, ip4(127, 0, 0, 1), ip4(192, 168, 1, 1), 64, 253, 6, false);
	inject(&c0, n);
	EQ_I(inet_env_log.raw_delivered, 0, "127.0.0.1 from the wire is martian");
	/* bad ARP: wrong lengths, opcodes, protocol */
	n = arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(192, 168, 1, 1), bcast);
	frame[14 + 4] = 8;	/* hln */
	inject(&c0, n);
	n = arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(192, 168, 1, 1), bcast);
	frame[14 + 7] = 9;	/* op */
	inject(&c0, n);
	n = arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(192, 168, 1, 1), bcast);
	frame[14 + 2] = 0x86;	/* protocol */
	inject(&c0, n);
	inject(&c0, n - 10);	/* cut short */
	EQ_I(c0.nsent, 0, "malformed ARP gets no answer");
	clear(&c0);

	/* garbage and mutations by the thousand: nothing may crash */
	size_t arp_n = arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(192, 168, 1, 1), bcast);
	uint8_t arp_frame[64];
	memcpy(arp_frame, frame, arp_n);
	uint64_t rx0 = c0.dev.stats.rx_packets, ip0 = ipv4_mib.ip[IPSTATS_INRECEIVES];
	for (int i = 0; i < 20000; i++) {
		uint64_t r = inet_env_random();
		size_t len;
		switch (r % 4) {
		case 0:	/* random bytes */
			len = (size_t)(r >> 8) % 1600;
			for (size_t j = 0; j < len; j++)
				frame[j] = (uint8_t)inet_env_random();
			break;
		case 1:	/* a valid IP datagram with a few bytes changed */
		case 2: {
			int proto = (int[]){ IPPROTO_ICMP, IPPROTO_UDP, 253, 0 }[(r >> 8) % 4];
			len = ipv4(mac0, peer, ip4(192, 168, 1, 2), (r & 0x100) ? ip4(192, 168, 1, 1) : ip4(10, 0, 0, 9), 64,
				   proto, (r >> 16) % 1500, r & 0x200);
			if (proto == IPPROTO_ICMP) {
				uint8_t *ic = frame + 34;
				ic[0] = (uint8_t)(r >> 24) % 20;
			}
			for (int k = 0; k < 1 + (int)((r >> 32) % 6); k++)
				frame[14 + inet_env_random() % (len - 14)] = (uint8_t)inet_env_random();
			if (r & 0x400) {	/* often with a right checksum, to get past it */
				struct iphdr *ih = (struct iphdr *)(frame + 14);
				if (ih->ihl >= 5 && 14 + ih->ihl * 4u <= len) {
					ih->check = 0;
					ih->check = ip_compute_csum(ih, ih->ihl * 4u);
				}
			}
			if (r & 0x800)
				len = 14 + inet_env_random() % (len - 13);
			break;
		}
		default:	/* ARP with a byte or two changed */
			memcpy(frame, arp_frame, arp_n);
			len = arp_n;
			frame[14 + inet_env_random() % 28] = (uint8_t)inet_env_random();
			if (r & 0x100)
				frame[14 + inet_env_random() % 28] = (uint8_t)inet_env_random();
		}
		inject(&c0, len);
		if (i % 97 == 0)
			inet_env_advance(500);	/* let timers (ARP, reassembly) run */
		clear(&c0);
		clear(&c1);
	}
	inet_env_advance(60000);
	OK(c0.dev.stats.rx_packets - rx0 >= 20000 && ipv4_mib.ip[IPSTATS_INRECEIVES] - ip0 > 5000,
	   "20000 malformed frames went in (%llu reached IP): still running",
	   (unsigned long long)(ipv4_mib.ip[IPSTATS_INRECEIVES] - ip0));
	/* and the stack still works */
	inject(&c0, arp(1, peer, ip4(192, 168, 1, 2), bcast, ip4(192, 168, 1, 1), bcast));
	OK(c0.nsent == 1 && sent_arp_op(&c0, 0) == 2, "ARP still answered");
	clear(&c0);
	OK(ip_frag_mem() < (size_t)sysctl_ipfrag_high_thresh, "reassembly memory within ipfrag_high_thresh");
	inet_env_advance(31000);
	EQ_I(ip_frag_queues(), 0, "every reassembly queue timed out");
}

static void addresses_and_routes(void)
{
	/* a secondary goes with its primary; routes follow */
	struct inet_addr_cfg s = { .local = ip4(192, 168, 1, 9), .prefixlen = 24 };
	EQ_I(inet_addr_add(&c0.dev, &s, NLM_F_CREATE), 0, "a second address in the subnet");
	struct in_ifaddr *ifa;
	int secondaries = 0;
	in_dev_for_each_ifa(ifa, in_dev_get(&c0.dev))
		secondaries += !!(ifa->flags & IFA_F_SECONDARY);
	EQ_I(secondaries, 1, "it is a secondary");
	struct inet_addr_match m = { .has_local = true, .local = ip4(192, 168, 1, 1) };
	EQ_I(inet_addr_del(&c0.dev, &m), 0, "delete the primary");
	OK(list_empty(&in_dev_get(&c0.dev)->ifa_list), "its secondary went with it");
	struct fib_result r;
	EQ_I(fib_lookup(ip4(192, 168, 1, 77), 0, 0, 0, &r), -ENETUNREACH, "the connected route went too");
	EQ_I(inet_addr_type(ip4(192, 168, 1, 1)), RTN_UNICAST, "and the local one");
	EQ_I(inet_addr_del(&c0.dev, &m), -EADDRNOTAVAIL, "deleting again: EADDRNOTAVAIL");
	/* down: connected routes go, local ones stay; up: back */
	struct inet_addr_cfg b = { .local = ip4(10, 0, 0, 1), .prefixlen = 24 };
	(void)b;
	dev_change_flags(&c1.dev, 0);
	EQ_I(fib_lookup(ip4(10, 0, 0, 7), 0, 0, 0, &r), -ENETUNREACH, "eth1 down: no route to its network");
	EQ_I(inet_addr_type(ip4(10, 0, 0, 1)), RTN_LOCAL, "its address stays local");
	dev_change_flags(&c1.dev, IFF_UP | IFF_BROADCAST | IFF_MULTICAST);
	OK(!fib_lookup(ip4(10, 0, 0, 7), 0, 0, 0, &r) && r.dev == &c1.dev, "up again: the route is back");
	/* lifetimes: the address goes when its valid lifetime ends */
	struct inet_addr_cfg t = { .local = ip4(172, 20, 0, 1), .prefixlen = 16, .valid_lft = 10, .preferred_lft = 5 };
	EQ_I(inet_addr_add(&c1.dev, &t, NLM_F_CREATE), 0, "an address valid for 10 s");
	inet_env_advance(6000);
	int depr = 0;
	in_dev_for_each_ifa(ifa, in_dev_get(&c1.dev))
		depr += ifa->local == t.local && (ifa->flags & IFA_F_DEPRECATED);
	EQ_I(depr, 1, "deprecated after 5 s");
	inet_env_advance(5000);
	EQ_I(inet_addr_type(t.local), RTN_UNICAST, "gone after 10 s");
}

static int on_dev;
static const struct net_device *counted_dev;
static int count_on_dev(const struct fib_route *r, void *arg)
{
	(void)arg;
	on_dev += r->dev == counted_dev;
	return 0;
}
static int count_neigh_on_dev(const struct neighbour *n, void *arg)
{
	(void)arg;
	on_dev += n->dev == counted_dev;
	return 0;
}
static int routes_on(const struct net_device *dev)
{
	on_dev = 0;
	counted_dev = dev;
	fib_route_walk(0, count_on_dev, NULL);
	return on_dev;
}
static int neighbours_on(const struct net_device *dev)
{
	on_dev = 0;
	counted_dev = dev;
	neigh_walk(NULL, count_neigh_on_dev, NULL);
	return on_dev;
}

/* Is /proc/PATH (a directory) there? proc_create refuses a taken path. */
static bool proc_dir_exists(const char *path)
{
	struct proc_entry *e = proc_create(path, 0, NULL, NULL, NULL);
	if (e)
		proc_remove(e);
	return !e;
}

/* A card unplugged (mconsole remove eth2): its IPv4 goes with it, as
 * Linux's inetdev_destroy. The card's memory is freed at once, so the
 * ASan build catches anything still holding it (a route, a neighbour, a
 * reassembly queue timing out later). */
static void device_gone(void)
{
	static const uint8_t mac2[6] = { 2, 0, 0, 0, 2, 1 }, peer2[6] = { 2, 0, 0, 0, 2, 2 };
	struct card *c2 = calloc(1, sizeof(*c2));
	card_init(c2, mac2);
	struct net_device *dev = &c2->dev;
	OK(!strcmp(dev->name, "eth2") && in_dev_get(dev), "a third card, eth2, with its in_device");
	OK(proc_dir_exists("sys/net/ipv4/conf/eth2") && proc_dir_exists("sys/net/ipv4/neigh/eth2"),
	   "and its conf/eth2, neigh/eth2");
	dev_change_flags(dev, IFF_UP | IFF_BROADCAST | IFF_MULTICAST);
	struct inet_addr_cfg a = { .local = ip4(172, 30, 0, 1), .prefixlen = 24, .broadcast = ip4(172, 30, 0, 255) };
	EQ_I(inet_addr_add(dev, &a, NLM_F_CREATE), 0, "172.30.0.1/24 on eth2");
	struct inet_addr_cfg a2 = { .local = ip4(172, 30, 0, 9), .prefixlen = 24 };
	EQ_I(inet_addr_add(dev, &a2, NLM_F_CREATE), 0, "and a secondary");
	struct fib_route_cfg st = { .table = RT_TABLE_MAIN, .type = RTN_UNICAST, .scope = RT_SCOPE_UNIVERSE,
				    .dst = ip4(10, 9, 0, 0), .dst_len = 16, .gw = ip4(172, 30, 0, 254),
				    .protocol = RTPROT_BOOT, .nlflags = NLM_F_CREATE };
	EQ_I(fib_route_add(&st), 0, "a static route through it");
	EQ_I(ip_mc_join(dev, ip4(224, 1, 2, 3)), 0, "a multicast group on it");
	inject(c2, arp(1, peer2, ip4(172, 30, 0, 2), bcast, ip4(172, 30, 0, 1), bcast));
	OK(neighbours_on(dev) >= 1, "an ARP entry for its asker");
	/* the first fragment of a datagram from it waits for the rest */
	size_t n = ipv4(mac2, peer2, ip4(172, 30, 0, 2), ip4(172, 30, 0, 1), 64, 253, 16, false);
	struct iphdr *h = (struct iphdr *)(frame + 14);
	h->frag_off = htons(IP_MF);
	h->check = 0;
	h->check = ip_compute_csum(h, 20);
	int queues = ip_frag_queues();
	inject(c2, n);
	EQ_I(ip_frag_queues(), queues + 1, "a reassembly queue holds its first fragment");
	OK(routes_on(dev) > 0, "routes through eth2 (%d)", routes_on(dev));
	clear(c2);

	int ev = inet_env_log.uevents;
	unregister_netdev(dev);
	EQ_I(inet_env_log.uevents - ev, 1, "unregistered: one remove event");
	OK(!dev_get_by_name("eth2") && !in_dev_get(dev), "eth2 and its in_device are gone");
	EQ_I(inet_addr_type(ip4(172, 30, 0, 1)), RTN_UNICAST, "its address is no longer local");
	EQ_I(inet_addr_type(ip4(172, 30, 0, 9)), RTN_UNICAST, "nor its secondary");
	EQ_I(routes_on(dev), 0, "no route names it, static and local ones included");
	struct fib_result r;
	EQ_I(fib_lookup(ip4(10, 9, 1, 1), 0, 0, 0, &r) == 0 && r.dev == dev, 0, "the static route's destination no longer leads there");
	EQ_I(neighbours_on(dev), 0, "no ARP entry names it");
	OK(!proc_dir_exists("sys/net/ipv4/conf/eth2") && !proc_dir_exists("sys/net/ipv4/neigh/eth2"),
	   "conf/eth2 and neigh/eth2 are gone");
	memset(c2, 0x5a, sizeof(*c2));
	free(c2);	/* as the driver does: anything left pointing at it is a use after free */

	/* the queue times out with its device gone: no message, no touch */
	uint64_t to = ipv4_mib.ip[IPSTATS_REASMTIMEOUT];
	inet_env_advance(31000);
	EQ_I(ip_frag_queues(), queues, "the orphaned reassembly queue timed out");
	EQ_I(ipv4_mib.ip[IPSTATS_REASMTIMEOUT] - to, 1, "counted as a timeout");
	/* the stack carries on: the others still route and answer */
	OK(!fib_lookup(ip4(10, 0, 0, 7), 0, 0, 0, &r) && r.dev == &c1.dev, "eth1 still routes");
	clear(&c1);
	inject(&c1, arp(1, far, ip4(10, 0, 0, 5), bcast, ip4(10, 0, 0, 1), bcast));
	OK(c1.nsent == 1 && sent_arp_op(&c1, 0) == 2, "and answers ARP");
	clear(&c1);

	/* the same name again starts afresh */
	c2 = calloc(1, sizeof(*c2));
	card_init(c2, mac2);
	dev = &c2->dev;
	OK(!strcmp(dev->name, "eth2") && in_dev_get(dev) && list_empty(&in_dev_get(dev)->ifa_list),
	   "plugged again: eth2, a new in_device, no addresses");
	OK(proc_dir_exists("sys/net/ipv4/conf/eth2"), "conf/eth2 is back");
	dev_change_flags(dev, IFF_UP | IFF_BROADCAST | IFF_MULTICAST);
	EQ_I(inet_addr_add(dev, &a, NLM_F_CREATE), 0, "the old address can be given again");
	EQ_I(fib_route_add(&st), 0, "and the old static route");
	unregister_netdev(dev);
	clear(c2);
	free(c2);
	EQ_I(routes_on(dev), 0, "gone again, cleanly");
}

int main(void)
{
	setup();
	arp_answers();
	neighbours();
	forwarding();
	rate_limits();
	malformed();
	cache_limit();
	addresses_and_routes();
	device_gone();
	return t_done();
}
