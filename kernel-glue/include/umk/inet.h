/* IPv4 configuration: the interface rtnetlink, the SIOC* ioctls and
 * /proc build on (kernel-glue/net/ipv4). Three kinds of objects, each
 * with add/delete/walk and change notifications:
 *
 *  - addresses per device (struct in_ifaddr on the device's in_device,
 *    net_device->ip_ptr), as `ip addr` shows them;
 *  - routes (struct fib_route) in Linux's tables: RT_TABLE_LOCAL (255,
 *    local and broadcast routes the kernel adds with each address) and
 *    RT_TABLE_MAIN (254, connected, static and default routes), looked
 *    up local first, longest prefix first, as `ip route` shows them;
 *  - neighbours (struct neighbour, the ARP cache), as `ip neigh` shows.
 *
 * Addresses are in network byte order (__be32), as in struct sockaddr_in
 * and in netlink messages. Constants are the uapi's: RT_SCOPE_*, RTN_*,
 * RTPROT_*, RTAX_* (rtnetlink.h), NUD_*, NTF_* (neighbour.h), IFA_F_*
 * (if_addr.h), NLM_F_* (netlink.h). Everything runs in kernel context on
 * the one CPU: callers need no locks, and pointers handed to a walk are
 * valid until the walker's callback returns. */
#ifndef UMK_INET_H
#define UMK_INET_H
#include <umk/netdevice.h>
#include <umk/timer.h>
#include <linux/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <linux/if_addr.h>

static inline uint32_t htonl(uint32_t x) { return __builtin_bswap32(x); }
static inline uint32_t ntohl(uint32_t x) { return __builtin_bswap32(x); }
static inline uint16_t htons(uint16_t x) { return __builtin_bswap16(x); }
static inline uint16_t ntohs(uint16_t x) { return __builtin_bswap16(x); }

/* The netmask of a prefix length (network order), and back (-1: not a
 * contiguous mask). */
static inline __be32 inet_make_mask(int len) { return len ? htonl(~0u << (32 - len)) : 0; }
int inet_mask_len(__be32 mask);

/* ---- addresses ---------------------------------------------------- */

#define INFINITY_LIFE_TIME 0xFFFFFFFFu

struct in_device;

struct in_ifaddr {
	struct list_head list;		/* on in_device->ifa_list */
	struct in_device *idev;
	__be32 local;			/* IFA_LOCAL: the address itself */
	__be32 address;			/* IFA_ADDRESS: the peer on a point-to-point link, else local */
	__be32 mask;
	__be32 broadcast;		/* 0: none */
	uint8_t prefixlen;
	uint8_t scope;			/* RT_SCOPE_UNIVERSE, _LINK, _HOST */
	uint32_t flags;			/* IFA_F_SECONDARY, IFA_F_PERMANENT, IFA_F_DEPRECATED, ... */
	char label[IFNAMSIZ];		/* "eth0", "eth0:1" */
	uint32_t rt_priority;		/* metric of its prefix route */
	uint32_t valid_lft, preferred_lft;	/* seconds from tstamp, or INFINITY_LIFE_TIME */
	int64_t cstamp, tstamp;		/* created / last changed, CLOCK_BOOTTIME ns */
	struct ktimer lft_timer;	/* lifetimes (private to devinet.c) */
};

/* Per-device ARP parameters (net.ipv4.neigh.DEV.*), Linux's defaults. */
struct neigh_parms {
	int base_reachable_time_ms;	/* 30000 */
	int retrans_time_ms;		/* 1000: between solicitations */
	int delay_first_probe_time_ms;	/* 5000: STALE -> DELAY -> PROBE */
	int gc_stale_time_ms;		/* 60000: unused STALE entries go */
	int ucast_solicit, mcast_solicit;	/* 3, 3 */
	int unres_qlen_bytes;		/* 212992: packets held while resolving */
	int locktime_ms;		/* 1000 */
	int64_t reachable_time_ns;	/* random in [0.5, 1.5) x base, redrawn every 300 s */
	int64_t reachable_drawn_ns;
};

/* The IPv4 state of a device, created when the device registers and
 * freed when it unregisters (hot-unplug), with its addresses, routes,
 * neighbours, groups and sysctl directories. */
struct in_device {
	struct net_device *dev;
	struct list_head ifa_list;	/* primaries first, then secondaries, as Linux */
	struct list_head mc_list;	/* struct ip_mc_group: groups joined on it */
	struct neigh_parms arp_parms;
	int forwarding;			/* net.ipv4.conf.DEV.forwarding */
	struct inet_dev_sysctl *sysctl;	/* conf/DEV and neigh/DEV (sysctl.c) */
};

static inline struct in_device *in_dev_get(const struct net_device *dev) { return dev->ip_ptr; }
#define in_dev_for_each_ifa(ifa, idev) list_for_each_entry(ifa, &(idev)->ifa_list, list)

/* A new address, as RTM_NEWADDR or SIOCSIFADDR give it. */
struct inet_addr_cfg {
	__be32 local;
	__be32 address;			/* peer; 0: same as local */
	__be32 broadcast;		/* 0: none (SIOCSIFADDR computes one) */
	uint8_t prefixlen;		/* 0..32 */
	uint8_t scope;			/* loopback addresses are always RT_SCOPE_HOST */
	uint32_t flags;			/* IFA_F_NOPREFIXROUTE, IFA_F_PERMANENT, ... */
	const char *label;		/* NULL: the device name ("eth0:1" usually; any name fits, as Linux) */
	uint32_t rt_priority;
	uint32_t valid_lft, preferred_lft;	/* 0 (or INFINITY_LIFE_TIME): forever */
};

/* Add (NLM_F_CREATE) or change (NLM_F_REPLACE: lifetimes, metric) the
 * address with the same local address and prefix. Adds its local,
 * broadcast and prefix routes and sends a gratuitous ARP. 0, -EEXIST,
 * -EINVAL (bad prefix, label, lifetimes), -ENOENT (replace, none),
 * -ENOBUFS. */
int inet_addr_add(struct net_device *dev, const struct inet_addr_cfg *cfg, unsigned nlflags);

/* Which address to delete (RTM_DELADDR): the first that matches every
 * given field. Deleting a primary also deletes its secondaries (Linux's
 * default, promote_secondaries 0). 0 or -EADDRNOTAVAIL. */
struct inet_addr_match {
	bool has_local;
	__be32 local;
	bool has_address;		/* address/prefixlen must match */
	__be32 address;
	uint8_t prefixlen;
	const char *label;		/* NULL: any */
};
int inet_addr_del(struct net_device *dev, const struct inet_addr_match *m);
void inet_ifa_delete(struct in_ifaddr *ifa);	/* one address found by a walk */

/* The first primary address of dev, or 0 (the SIOCGIFADDR address). */
__be32 inet_dev_primary(const struct net_device *dev);
/* The source address for reaching dst (0: any) through dev with at most
 * the given scope, as Linux's inet_select_addr; 0 if none. */
__be32 inet_select_addr(const struct net_device *dev, __be32 dst, int scope);
/* The device holding local address addr, or NULL. */
struct net_device *ip_dev_find(__be32 addr);

/* ---- routes ------------------------------------------------------- */

struct fib_route {
	struct list_head list;		/* private to fib.c */
	uint32_t table;			/* RT_TABLE_MAIN, RT_TABLE_LOCAL, or another id */
	__be32 dst;
	uint8_t dst_len, tos;
	uint8_t type;			/* RTN_UNICAST, _LOCAL, _BROADCAST, _UNREACHABLE, _BLACKHOLE, _PROHIBIT */
	uint8_t scope;			/* RT_SCOPE_UNIVERSE, _LINK, _HOST */
	uint8_t protocol;		/* RTPROT_KERNEL, _BOOT, _STATIC, ... */
	uint32_t priority;		/* metric: lower wins */
	__be32 prefsrc;			/* preferred source, 0: none */
	__be32 gw;			/* 0: on-link */
	struct net_device *dev;		/* NULL for unreachable/blackhole/prohibit */
	unsigned nh_flags;		/* RTNH_F_ONLINK, RTNH_F_DEAD, RTNH_F_LINKDOWN */
	uint32_t metrics[RTAX_MAX];	/* metrics[RTAX_MTU - 1] ...; 0: unset */
	uint64_t use;			/* lookups that chose it (/proc/net/route Use) */
};

/* A route to add or delete (RTM_NEWROUTE/DELROUTE, SIOCADDRT/DELRT). For
 * delete, 0 fields (and scope RT_SCOPE_NOWHERE) match anything, as
 * Linux's fib_table_delete; dst/dst_len/tos/table always count. */
struct fib_route_cfg {
	uint32_t table;			/* 0: RT_TABLE_MAIN */
	__be32 dst;
	uint8_t dst_len, tos, type, scope, protocol;
	uint32_t priority;
	__be32 prefsrc, gw;
	int oif;			/* ifindex, 0: none */
	unsigned nh_flags;		/* RTNH_F_ONLINK */
	uint32_t metrics[RTAX_MAX];
	unsigned nlflags;		/* add: NLM_F_CREATE, _EXCL, _REPLACE, _APPEND */
};

/* 0 or -EINVAL (bad prefix, scope, type/nexthop mix, prefsrc), -EEXIST,
 * -ENOENT (replace without create), -ENODEV, -ENETDOWN, -ENETUNREACH
 * (gateway not on a connected network), -ENOBUFS. */
int fib_route_add(const struct fib_route_cfg *cfg);
int fib_route_del(const struct fib_route_cfg *cfg);	/* 0 or -ESRCH */
/* Every route of table (0: all tables, main then local), in lookup
 * order; stops at the first non-zero return of fn and returns it. */
int fib_route_walk(uint32_t table, int (*fn)(const struct fib_route *r, void *arg), void *arg);

/* What a route lookup gives (ip route get): the type, the output device
 * (lo for local destinations), the next hop and the source address. */
#define RTCF_BROADCAST	0x10000000
#define RTCF_MULTICAST	0x20000000
#define RTCF_LOCAL	0x80000000
struct rtable {
	uint8_t type;			/* RTN_* */
	unsigned flags;			/* RTCF_* */
	struct net_device *dev;
	__be32 dst, src;		/* final addresses */
	__be32 gw;			/* next hop; 0: dst itself */
	unsigned mtu;			/* RTAX_MTU of the route or the device MTU */
	bool mtu_locked;		/* RTAX_MTU locked (no DF on PMTU "want") */
	int iif;			/* input routes: the receiving device */
	const struct fib_route *route;	/* NULL for broadcast/multicast/fallbacks */
};

/* An output route lookup, as a socket's send or `ip route get` does it. */
struct flowi4 {
	__be32 daddr, saddr;		/* saddr 0: choose one (filled in) */
	int oif;			/* 0: any device */
	uint8_t tos, scope, proto;	/* scope RT_SCOPE_LINK: on-link only (MSG_DONTROUTE) */
};
/* 0 and *rt, or -ENETUNREACH, -EHOSTUNREACH, -EACCES (prohibit),
 * -EINVAL (blackhole, bad source), -ENODEV (oif). */
int ip_route_output(struct flowi4 *fl, struct rtable *rt);

/* The type of an address as the local table sees it (RTN_LOCAL,
 * RTN_BROADCAST, RTN_MULTICAST, RTN_UNICAST, ...), as inet_addr_type. */
unsigned inet_addr_type(__be32 addr);

/* ---- neighbours (ARP cache) --------------------------------------- */

struct neighbour {
	struct list_head list;		/* private to neighbour.c */
	struct net_device *dev;
	__be32 ip;
	uint8_t ha[8];			/* link address, valid with NUD_VALID states */
	uint16_t nud_state;		/* NUD_INCOMPLETE, _REACHABLE, _STALE, _DELAY, _PROBE, _FAILED, _NOARP, _PERMANENT */
	uint8_t flags;			/* NTF_* */
	int probes;			/* solicitations sent in this round */
	int64_t updated, confirmed, used;	/* CLOCK_MONOTONIC ns */
	struct sk_buff_head arp_queue;	/* packets waiting for the answer */
	struct ktimer timer;
	int refs;			/* private to neighbour.c */
	bool dead;
};
#define NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

/* Add or change an entry (RTM_NEWNEIGH, SIOCSARP): state NUD_PERMANENT
 * (ip neigh add ... permanent), NUD_REACHABLE, NUD_STALE, NUD_NOARP;
 * nlflags NLM_F_CREATE/_EXCL/_REPLACE as netlink. 0, -EEXIST, -ENOENT,
 * -EINVAL (bad state or address length), -ENODEV (no ARP on dev). */
int neigh_add(struct net_device *dev, __be32 ip, const uint8_t *lladdr, uint16_t state, uint8_t flags,
	      unsigned nlflags);
int neigh_delete(struct net_device *dev, __be32 ip);	/* 0 or -ENOENT */
struct neighbour *neigh_lookup(const struct net_device *dev, __be32 ip);	/* NULL: none */
/* Every entry (dev NULL: all devices); stops at the first non-zero return. */
int neigh_walk(const struct net_device *dev, int (*fn)(const struct neighbour *n, void *arg), void *arg);

/* ---- change notifications ------------------------------------------
 * For rtnetlink (RTM_NEWADDR/DELADDR/NEWROUTE/DELROUTE/NEWNEIGH/DELNEIGH
 * to its listeners): register one struct from its own file. Callbacks
 * run after the change (on delete: just before the object is freed) and
 * must not change the configuration themselves. Any may be NULL. */
enum inet_event { INET_NEW, INET_DEL };
struct inet_notifier {
	void (*addr)(const struct in_ifaddr *ifa, enum inet_event ev);
	void (*route)(const struct fib_route *r, enum inet_event ev);
	void (*neigh)(const struct neighbour *n, enum inet_event ev);
};
#define DEFINE_INET_NOTIFIER(var) \
	static const struct inet_notifier *const __inet_notifier_##var __umk_entry(umk_inet_notifiers) = &(var)

/* SIOCGIFCONF's AF_INET entries (struct ifreq, one per address label),
 * for the device ioctls in net/core: fills at most max bytes of buf (NULL:
 * count only) and returns the bytes needed/used. */
int inet_gifconf(struct net_device *dev, void *buf, int max);
#endif
