/* Classic BPF socket filters (SO_ATTACH_FILTER), as Linux's: the checker
 * (bpf_check_classic) refuses a program before it is attached, and the
 * interpreter runs an attached one over each packet a socket would
 * receive. A family that filters calls sk_filter_run with the packet as
 * its sockets see it (packet sockets: from the link header for SOCK_RAW)
 * and keeps the number of bytes it returns: 0 drops the packet.
 *
 * Loads past the packet end the program with 0 (drop); negative offsets
 * reach the network header (SKF_NET_OFF) and the link header
 * (SKF_LL_OFF); offsets from SKF_AD_OFF up are the ancillary data
 * (protocol, packet type, interface, VLAN tag, netlink attributes, ...).
 * Every jump goes forward, so a program runs at most its length in
 * steps. Semantics: Documentation/networking/filter.rst. */
#ifndef UMK_FILTER_H
#define UMK_FILTER_H
#include <umk/kernel.h>
#include <linux/filter.h>

struct sk_buff;

struct sk_filter {
	unsigned len;			/* instructions */
	struct sock_filter insns[];
};

/* 0, or -EINVAL for a program Linux refuses: empty or longer than
 * BPF_MAXINSNS, an unknown opcode or ancillary offset, a jump past the
 * end, a constant division by 0 or shift by 32 or more, a scratch slot
 * past BPF_MEMWORDS or read before every path wrote it, a last
 * instruction that is not a return. */
int sk_chk_filter(const struct sock_filter *insns, unsigned len);

/* Run a checked program over skb (data..data+len, with its mac and
 * network offsets, dev, protocol, pkt_type and VLAN tag): how many bytes
 * of the packet to keep, 0 to drop it. */
uint32_t sk_filter_run(const struct sk_filter *f, const struct sk_buff *skb);

/* What SO_BPF_EXTENSIONS reports: ancillary loads up to SKF_AD_MAX. */
#define SK_FILTER_EXTENSIONS SKF_AD_MAX
#endif
