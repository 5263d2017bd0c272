/* Internals shared by the files of the IPv4 stack (kernel-glue/net/ipv4).
 * The configuration API is umk/inet.h; the socket side is inet_sock.h. */
#ifndef UMK_NET_IPV4_H
#define UMK_NET_IPV4_H
#include <umk/capability.h>
#include <umk/inet.h>
#include <umk/net.h>
#include <umk/checksum.h>
#include <umk/sched.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/icmp.h>

#define IP_CE		0x8000
#define IP_DF		0x4000
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff
#define IP_MAX_MTU	0xFFFF
#define IPV4_MIN_MTU	68

static inline struct iphdr *ip_hdr(const struct sk_buff *skb) { return (struct iphdr *)skb_network_header(skb); }
static inline bool ipv4_is_multicast(__be32 a) { return (a & htonl(0xf0000000)) == htonl(0xe0000000); }
static inline bool ipv4_is_local_multicast(__be32 a) { return (a & htonl(0xffffff00)) == htonl(0xe0000000); }
static inline bool ipv4_is_lbcast(__be32 a) { return a == htonl(0xffffffff); }
static inline bool ipv4_is_zeronet(__be32 a) { return (a & htonl(0xff000000)) == 0; }
static inline bool ipv4_is_loopback(__be32 a) { return (a & htonl(0xff000000)) == htonl(0x7f000000); }
static inline bool ipv4_is_badclass(__be32 a) { return (a & htonl(0xf0000000)) == htonl(0xf0000000); }
static inline bool ip_is_fragment(const struct iphdr *iph) { return (iph->frag_off & htons(IP_MF | IP_OFFSET)) != 0; }
static inline bool inet_ifa_match(__be32 addr, const struct in_ifaddr *ifa) { return !((addr ^ ifa->address) & ifa->mask); }
static inline bool net_admin(void) { return capable(CAP_NET_ADMIN); }
static inline bool net_raw(void) { return capable(CAP_NET_RAW); }

/* What the stack keeps about a packet in skb->cb. */
struct inet_cb {
	int iif;			/* received on (ifindex), 0: sent by us */
	uint8_t rt_type;		/* input route: RTN_LOCAL, _BROADCAST, _MULTICAST */
	unsigned rt_flags;		/* RTCF_* */
	__be32 spec_dst;		/* IP_PKTINFO ipi_spec_dst */
	__be32 nexthop;			/* output: whom the link layer must reach */
	uint16_t frag_max_size;		/* reassembled: the largest fragment */
	bool ignore_df;			/* output: may be fragmented despite DF */
	bool no_mc_loop;		/* output: IP_MULTICAST_LOOP 0 */
};
#define INET_CB(skb) ((struct inet_cb *)(skb)->cb)
_Static_assert(sizeof(struct inet_cb) <= sizeof(((struct sk_buff *)0)->cb), "inet_cb fits in skb->cb");

/* ---- counters (/proc/net/snmp, /proc/net/netstat) ---- */
enum {
	IPSTATS_INRECEIVES, IPSTATS_INHDRERRORS, IPSTATS_INADDRERRORS, IPSTATS_FORWDATAGRAMS,
	IPSTATS_INUNKNOWNPROTOS, IPSTATS_INDISCARDS, IPSTATS_INDELIVERS, IPSTATS_OUTREQUESTS,
	IPSTATS_OUTDISCARDS, IPSTATS_OUTNOROUTES, IPSTATS_REASMTIMEOUT, IPSTATS_REASMREQDS,
	IPSTATS_REASMOKS, IPSTATS_REASMFAILS, IPSTATS_FRAGOKS, IPSTATS_FRAGFAILS, IPSTATS_FRAGCREATES,
	IPSTATS_OUTPKTS,
	/* IpExt (netstat) */
	IPSTATS_INNOROUTES, IPSTATS_INTRUNCATEDPKTS, IPSTATS_INMCASTPKTS, IPSTATS_OUTMCASTPKTS,
	IPSTATS_INBCASTPKTS, IPSTATS_OUTBCASTPKTS, IPSTATS_INOCTETS, IPSTATS_OUTOCTETS,
	IPSTATS_INMCASTOCTETS, IPSTATS_OUTMCASTOCTETS, IPSTATS_INBCASTOCTETS, IPSTATS_OUTBCASTOCTETS,
	IPSTATS_INCSUMERRORS, IPSTATS_REASMOVERLAPS,
	IPSTATS_NOECTPKTS, IPSTATS_ECT1PKTS, IPSTATS_ECT0PKTS, IPSTATS_CEPKTS,	/* by the ECN bits of the TOS */
	IPSTATS_MAX
};
enum {
	ICMP_MIB_INMSGS, ICMP_MIB_INERRORS, ICMP_MIB_CSUMERRORS, ICMP_MIB_OUTMSGS, ICMP_MIB_OUTERRORS,
	ICMP_MIB_RATELIMITGLOBAL, ICMP_MIB_RATELIMITHOST, ICMP_MIB_MAX
};
enum {
	UDP_MIB_INDATAGRAMS, UDP_MIB_NOPORTS, UDP_MIB_INERRORS, UDP_MIB_OUTDATAGRAMS, UDP_MIB_RCVBUFERRORS,
	UDP_MIB_SNDBUFERRORS, UDP_MIB_CSUMERRORS, UDP_MIB_IGNOREDMULTI, UDP_MIB_MEMERRORS, UDP_MIB_MAX
};
struct ipv4_mib {
	uint64_t ip[IPSTATS_MAX];
	uint64_t icmp[ICMP_MIB_MAX];
	uint64_t icmp_in[256], icmp_out[256];	/* by ICMP type (IcmpMsg) */
	uint64_t udp[UDP_MIB_MAX];
};
extern struct ipv4_mib ipv4_mib;
#define IP_INC_STATS(f) (ipv4_mib.ip[f]++)
#define IP_ADD_STATS(f, n) (ipv4_mib.ip[f] += (n))
#define ICMP_INC_STATS(f) (ipv4_mib.icmp[f]++)
#define UDP_INC_STATS(f) (ipv4_mib.udp[f]++)
/* InReceives/InOctets and the broadcast/multicast in-counters of a received packet. */
void ip_count_in(const struct sk_buff *skb);

/* ---- sysctls (sysctl.c): net.ipv4.* ---- */
extern int sysctl_ip_forward;			/* ip_forward = conf.all.forwarding */
extern int sysctl_ip_default_ttl;		/* 64 */
extern int sysctl_ip_no_pmtu_disc;		/* 0 */
extern int sysctl_ip_nonlocal_bind;		/* 0 */
extern int sysctl_ip_local_port_range[2];	/* 32768 60999 */
extern int sysctl_ip_unprivileged_port_start;	/* 1024 */
extern int sysctl_ping_group_range[2];		/* 1 0: nobody */
extern int sysctl_icmp_echo_ignore_all, sysctl_icmp_echo_ignore_broadcasts;
extern int sysctl_icmp_ignore_bogus_error_responses;
extern int sysctl_icmp_ratelimit, sysctl_icmp_ratemask;
extern int sysctl_icmp_msgs_per_sec, sysctl_icmp_msgs_burst;
extern int sysctl_ipfrag_high_thresh, sysctl_ipfrag_low_thresh, sysctl_ipfrag_time;
extern int sysctl_conf_default_forwarding;

/* ---- protocols above IP, by number (DEFINE_INET_PROTOCOL) ---- */
struct net_protocol {
	uint8_t protocol;
	/* A packet for us: skb->data at the transport header, the IP header
	 * at skb_network_header; takes the buffer. */
	void (*handler)(struct sk_buff *skb);
	/* An ICMP error about a packet of this protocol we sent: skb->data
	 * at the quoted IP header (its length checked, at least 8 bytes of
	 * transport header follow); type, code and info of the ICMP message.
	 * Does not take the buffer. */
	void (*err_handler)(struct sk_buff *skb, int type, int code, uint32_t info);
};
#define DEFINE_INET_PROTOCOL(var) \
	static const struct net_protocol *const __inet_protocol_##var __umk_entry(umk_inet_protocols) = &(var)
const struct net_protocol *inet_protocol(uint8_t proto);	/* NULL: none */

/* ---- devinet.c ---- */
void inet_notify_addr(const struct in_ifaddr *ifa, enum inet_event ev);
void inet_notify_route(const struct fib_route *r, enum inet_event ev);
void inet_notify_neigh(const struct neighbour *n, enum inet_event ev);
struct in_ifaddr *inet_ifa_byprefix(struct in_device *idev, __be32 prefix, __be32 mask);
/* Is addr one of the broadcast addresses of dev's subnets (or all-ones)? */
bool inet_is_dev_broadcast(const struct net_device *dev, __be32 addr);
/* Is addr (or any of dev's addresses, addr 0) a local address of dev? */
bool inet_dev_has_addr(const struct net_device *dev, __be32 addr);

/* ---- fib.c ---- */
struct fib_result {
	const struct fib_route *route;
	uint8_t type, scope;
	uint8_t prefixlen;
	struct net_device *dev;
	__be32 gw, prefsrc;
};
/* Lookup of daddr (tables local, main, default): 0 and *res, or the
 * route type's error (-EHOSTUNREACH, -EACCES, -EINVAL) or -ENETUNREACH.
 * scope: only routes of at least this scope; oif: only through it. */
int fib_lookup(__be32 daddr, uint8_t tos, uint8_t scope, int oif, struct fib_result *res);
void fib_add_ifaddr(struct in_ifaddr *ifa);
void fib_del_ifaddr(struct in_ifaddr *ifa, struct in_ifaddr *primary_gone);
/* The device went down (host-scope routes stay) or away (all go). */
void fib_sync_down_dev(struct net_device *dev, bool force);
void fib_sync_carrier(struct net_device *dev);
/* The source a route's next hop would use (its prefsrc, or chosen). */
__be32 fib_result_prefsrc(const struct fib_result *res);

/* ---- route.c ---- */
/* Route a received packet (skb->data at its IP header): fills INET_CB
 * (rt_type, rt_flags, spec_dst) and *rt. 0: deliver locally (rt_type
 * RTN_LOCAL/BROADCAST/MULTICAST) or forward (RTN_UNICAST); else -errno,
 * the packet is to be dropped (or answered, see ip_input.c). */
int ip_route_input(struct sk_buff *skb, __be32 daddr, __be32 saddr, uint8_t tos, struct net_device *dev,
		   struct rtable *rt);
/* The MTU for packets on rt (route metric, else device). */
unsigned ip_rt_mtu(const struct rtable *rt);

/* ---- ip_output.c ---- */
/* Fill an IP header in front of skb->data (transport header already
 * there) and send it; takes skb. 0 or -errno. */
struct ip_build {
	__be32 saddr, daddr;
	uint8_t protocol, tos, ttl;
	bool df;
	int id;				/* -1: chosen */
	bool ignore_df;			/* may fragment even with DF set */
	bool no_mc_loop;		/* IP_MULTICAST_LOOP 0 */
};
int ip_build_and_send(struct sk_buff *skb, const struct ip_build *b, struct rtable *rt);
/* Send a finished IP datagram (header and checksum made) on rt: the
 * local loop copy for broadcast/multicast, fragmentation, the link
 * layer. Takes skb. 0 or -errno. */
int ip_output(struct sk_buff *skb, struct rtable *rt);
/* Room to reserve in front of an IP header for dev's link header. */
static inline size_t ll_reserved(const struct net_device *dev) { return ((dev ? dev->hard_header_len : 0) + 15u + 16u) & ~15u; }
uint16_t ip_new_id(void);
void ip_send_check(struct iphdr *iph);
/* The TTL of packets on rt from a socket asking for ttl (-1: default). */
uint8_t ip_select_ttl(int ttl);
/* Ethernet multicast MAC of a group (RFC 1112). */
void ip_eth_mc_map(__be32 addr, uint8_t *mac);

/* ---- ip_input.c ---- */
void ip_local_deliver(struct sk_buff *skb);

/* ---- ip_forward.c ---- */
void ip_forward(struct sk_buff *skb, struct rtable *rt);

/* ---- ip_fragment.c ---- */
/* A fragment for us: the whole datagram once complete (skb->data at its
 * IP header), else NULL (kept, or dropped). Takes skb. */
struct sk_buff *ip_defrag(struct sk_buff *skb);
size_t ip_frag_mem(void);
int ip_frag_queues(void);

/* ---- icmp.c ---- */
/* An ICMP error about skb_in (skb_in->data at its IP header, as received
 * or as we were sending it); Linux's rules: never about ICMP errors,
 * fragments past the first, broadcasts or multicasts; rate limited. */
void icmp_send(struct sk_buff *skb_in, int type, int code, uint32_t info);
void icmp_out_count(uint8_t type);

/* ---- raw.c ---- */
/* Copies for the raw sockets of protocol; true if any took one. */
bool raw_local_deliver(struct sk_buff *skb, uint8_t protocol);
void raw_icmp_error(struct sk_buff *skb, uint8_t protocol, int type, int code, uint32_t info);

/* ---- arp.c / neighbour.c ---- */
/* Send an IP datagram (skb->data at the IP header) to nexthop on dev
 * through the ARP cache (resolving it first if need be). Takes skb. */
int neigh_output(struct sk_buff *skb, struct net_device *dev, __be32 nexthop);
#define NEIGH_UPDATE_F_OVERRIDE	0x1	/* a different link address replaces the known one */
#define NEIGH_UPDATE_F_ADMIN	0x2	/* the user's change: may touch permanent entries */
/* Linux's neigh_update: a new state (and link address, NULL: keep). */
int neigh_update(struct neighbour *n, const uint8_t *lladdr, uint16_t state, unsigned flags);
/* Find or (create) make the entry for ip on dev; NULL if not made. */
struct neighbour *neigh_find(struct net_device *dev, __be32 ip, bool create);
void neigh_remove(struct neighbour *n);
/* The device went down (keep_perm false: every entry goes) or lost its carrier. */
void neigh_ifdown(struct net_device *dev, bool keep_perm);
void neigh_parms_init(struct neigh_parms *p);
/* arp.c: an ARP request for n (broadcast, or unicast while probing). */
void arp_solicit(struct neighbour *n, struct sk_buff *skb);
void arp_send_garp(struct net_device *dev, __be32 addr);
/* The link address n stands for when ARP is not used (NOARP devices,
 * broadcast and multicast next hops): fills ha; false if ARP is needed. */
bool arp_noarp_address(struct neighbour *n);

/* ---- mcast.c ---- */
/* Is dev's host a member of group (joined by a socket, or all-hosts)? */
bool ip_check_mc(const struct net_device *dev, __be32 group);
int ip_mc_join(struct net_device *dev, __be32 group);
void ip_mc_leave(struct net_device *dev, __be32 group);
void ip_mc_up(struct net_device *dev);
void ip_mc_down(struct net_device *dev);
/* The device goes: every group on it is forgotten (Linux's ip_mc_destroy_dev). */
void ip_mc_destroy_dev(struct in_device *idev);

/* ---- sysctl.c: a device's conf/DEV and neigh/DEV ---- */
void inet_sysctl_add_dev(struct in_device *idev);
void inet_sysctl_del_dev(struct in_device *idev);
#endif
