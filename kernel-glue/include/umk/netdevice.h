/* Network devices: lo and the network cards (drivers-virtual/net), their
 * flags, addresses and counters, and the two paths through them: a
 * driver hands received frames to netif_rx (from its host-fd interrupt),
 * the stack hands frames to send to dev_queue_xmit. Protocols register
 * the EtherTypes they take (DEFINE_PACKET_TYPE; dev_add_pack for taps
 * such as AF_PACKET sockets). Interface flags, types and names are the
 * uapi's (<linux/if.h>, <linux/if_arp.h>, <linux/if_ether.h>). */
#ifndef UMK_NETDEVICE_H
#define UMK_NETDEVICE_H
#include <umk/kernel.h>
#include <umk/init.h>
#include <umk/skbuff.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>

struct net_device;

/* Counters as /proc/net/dev and rtnetlink report them. */
struct net_device_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
	uint64_t multicast, collisions;
	uint64_t rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors, rx_fifo_errors;
	uint64_t tx_carrier_errors, tx_fifo_errors;
};

struct net_device_ops {
	int (*open)(struct net_device *dev);		/* brought up */
	int (*stop)(struct net_device *dev);		/* brought down */
	/* Send one frame (link header included); takes the buffer, even on
	 * error. Returns 0, -ENOBUFS when the card has no room (counted as
	 * tx_dropped) or another -errno (counted as a tx error). */
	int (*xmit)(struct sk_buff *skb, struct net_device *dev);
	int (*set_mtu)(struct net_device *dev, unsigned mtu);	/* NULL: any in range */
	int (*set_mac)(struct net_device *dev, const uint8_t *addr);	/* NULL: refused */
	void (*set_rx_mode)(struct net_device *dev);	/* IFF_PROMISC/ALLMULTI changed */
};

struct net_device {
	char name[IFNAMSIZ];
	int ifindex;			/* 1 is lo */
	unsigned flags;			/* IFF_UP, IFF_BROADCAST, ... as set by the user */
	bool carrier;			/* link is there (IFF_RUNNING/IFF_LOWER_UP) */
	unsigned mtu, min_mtu, max_mtu;
	uint16_t type;			/* ARPHRD_ETHER, ARPHRD_LOOPBACK */
	uint16_t hard_header_len;	/* ETH_HLEN: cards and lo (Ethernet framing); 0: none */
	uint8_t addr_len;
	uint8_t dev_addr[8], broadcast[8];
	unsigned tx_queue_len;
	int promiscuity, allmulti;	/* counts: sockets asking for it */
	struct net_device_stats stats;
	const struct net_device_ops *ops;
	void *priv;			/* the driver's */
	void *ip_ptr;			/* IPv4 state (struct in_device) */
	struct list_head list;		/* every device, by ifindex */
	uint64_t change_time;		/* last link change, for rtnetlink */
};

/* Registration by drivers (an initcall). Names ending in "%d" get the
 * first free number ("eth%d" -> eth0). 0 or -errno. */
int register_netdev(struct net_device *dev);
/* Hot-unplug: brought down, notified (NETDEV_UNREGISTER: sysfs, packet
 * sockets), taken off the list; the driver may free it afterwards. */
void unregister_netdev(struct net_device *dev);
struct net_device *dev_get_by_name(const char *name);	/* NULL: none */
struct net_device *dev_get_by_index(int ifindex);
/* Walk every device in ifindex order: NULL first, then the previous. */
struct net_device *next_netdev(struct net_device *prev);
#define for_each_netdev(d) for (struct net_device *d = next_netdev(NULL); d; d = next_netdev(d))

/* Configuration (ioctls, rtnetlink). dev_change_flags applies IFF_UP,
 * IFF_PROMISC, ... and notifies; 0 or -errno. */
int dev_change_flags(struct net_device *dev, unsigned flags);
int dev_set_mtu(struct net_device *dev, unsigned mtu);
int dev_set_mac_address(struct net_device *dev, const uint8_t *addr);
void dev_set_promiscuity(struct net_device *dev, int inc);
void dev_set_allmulti(struct net_device *dev, int inc);
/* The flags a user sees: the set ones plus IFF_RUNNING/IFF_LOWER_UP
 * from the carrier (and IFF_UP only if set). */
unsigned dev_get_flags(const struct net_device *dev);

/* The device ioctls any socket takes (net/core/dev_ioctl.c): SIOCGIFNAME,
 * SIOCGIFINDEX, SIOCGIF/SIOCSIFFLAGS, SIOCGIF/SIOCSIFMTU, SIOCGIF/SIOCSIFHWADDR,
 * SIOCGIFMETRIC, SIOCGIFMAP, SIOCGIF/SIOCSIFTXQLEN, SIOCGIFCONF; -ENOTTY
 * for others. arg is the guest's pointer. */
long dev_ioctl(unsigned cmd, uaddr_t arg);
/* The same, on a struct ifreq already in kernel memory (the inet family
 * passes SIOCSIFFLAGS on): 0 or -errno; *copy_out says the ifreq
 * changed and goes back to the caller. */
long dev_ifreq_ioctl(unsigned cmd, struct ifreq *ifr, bool *copy_out);
/* SIOCETHTOOL's query at data (net/core/ethtool.c): 0 or -errno. */
long dev_ethtool(struct net_device *dev, uaddr_t data);

/* Link state from the driver (a switch went away or came back). */
void netif_carrier_on(struct net_device *dev);
void netif_carrier_off(struct net_device *dev);

/* Receive: a frame from the driver, link header at skb->data, skb->dev
 * set. Queued and handed to the protocols (here or, if the stack is
 * already busy delivering, when it returns). */
void netif_rx(struct sk_buff *skb);
/* Send: a frame with its link header; drops (and counts) if the device
 * is down. Returns 0 or -errno. */
int dev_queue_xmit(struct sk_buff *skb);

/* Protocol handlers by EtherType (host order); ETH_P_ALL sees every
 * frame, received and sent (PACKET_OUTGOING), before the protocol. The
 * handler takes the buffer: data at the network header, the link header
 * at skb_mac_header, both ways. dev NULL in a packet_type: any device.
 * A sent frame whose owner is a tap's priv does not come back to that
 * tap (a packet socket never hears its own sends, as Linux's
 * skb_loop_sk). */
struct packet_type {
	uint16_t type;
	struct net_device *dev;
	int (*func)(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt);
	void *priv;
	struct list_head list;		/* dev_add_pack's */
};
#define DEFINE_PACKET_TYPE(var) \
	static struct packet_type *const __packet_type_##var __umk_entry(umk_packet_types) = &(var)
void dev_add_pack(struct packet_type *pt);
void dev_remove_pack(struct packet_type *pt);

/* Changes others want to hear of (rtnetlink's RTM_NEWLINK/DELLINK and
 * the IPv4 layer): register a notifier (from its own file). */
enum netdev_event { NETDEV_REGISTER, NETDEV_UP, NETDEV_DOWN, NETDEV_CHANGE, NETDEV_CHANGEMTU, NETDEV_CHANGEADDR,
		   NETDEV_UNREGISTER };
struct netdev_notifier {
	void (*fn)(struct net_device *dev, enum netdev_event ev);
};
#define DEFINE_NETDEV_NOTIFIER(var) \
	static const struct netdev_notifier *const __netdev_notifier_##var __umk_entry(umk_netdev_notifiers) = &(var)

/* Ethernet (net/core/eth.c). Cards and lo frame with Ethernet headers,
 * as Linux's eth_header_ops. */
#define VLAN_HLEN 4
static inline bool dev_has_header(const struct net_device *dev) { return dev->hard_header_len != 0; }
void ether_setup(struct net_device *dev);	/* type, lengths, flags, MTU 1500 */
/* Put an Ethernet header in front of skb's data (daddr NULL: broadcast). */
int eth_header(struct sk_buff *skb, struct net_device *dev, uint16_t type, const uint8_t *daddr,
	       const uint8_t *saddr);
/* Linux's dev_hard_header: the link header of a frame of len payload
 * bytes (for 802.3/802.2 the type field is the length); daddr NULL is
 * all zeros on lo and NOARP devices and -ETH_HLEN elsewhere (nothing to
 * resolve it with). ETH_HLEN, 0 (no link header) or negative. */
int dev_hard_header(struct sk_buff *skb, struct net_device *dev, uint16_t type, const uint8_t *daddr,
		    const uint8_t *saddr, unsigned len);
/* The sender's hardware address of a frame (its link header at
 * skb_mac_header, skb->dev set) into haddr: its length, 0 if none. */
int dev_parse_header(const struct sk_buff *skb, uint8_t *haddr);
/* Received frame: pull the header, set protocol and pkt_type. */
uint16_t eth_type_trans(struct sk_buff *skb, struct net_device *dev);
/* An 802.1Q/802.1AD tag at data (skb->protocol its TPID): taken off
 * into vlan_tci/vlan_proto, the header made to read as untagged, as
 * Linux's skb_vlan_untag; false if the frame is too short for it. */
bool skb_vlan_untag(struct sk_buff *skb);
bool is_valid_ether_addr(const uint8_t *addr);	/* not multicast, not zero */
#endif
