/* kernel-glue/net/core/filter.c: the classic BPF checker against the
 * programs Linux accepts and refuses (tcpdump's own, compiled on a Linux
 * host with `tcpdump -i lo -dd EXPR`, busybox udhcpc's, and hostile
 * ones), and the interpreter over frames as a SOCK_RAW packet socket on
 * an Ethernet device sees them: tcpdump's programs pick the right
 * frames, loads past the end drop, negative offsets reach the network
 * and link headers, ancillary data, netlink attributes, division by a
 * zero X. Then random programs: whatever the checker accepts runs to an
 * end without touching memory outside the packet (ASan build). */
#include <stdlib.h>
#include "ktest.h"
#include "doubles.h"
#include "rename.h"
#include <umk/kernel.h>
#include <umk/filter.h>
#include <umk/netdevice.h>
#include "unrename.h"

/* The kernel's get_random_bytes (SKF_AD_RANDOM): a fixed pattern. */
void get_random_bytes(void *buf, size_t n)
{
	memset(buf, 0x5a, n);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define INSN(c, t, f, kk) { (uint16_t)(c), (uint8_t)(t), (uint8_t)(f), (uint32_t)(kk) }

/* tcpdump -i lo -dd (libpcap 1.10, on a kernel that reports SO_BPF_EXTENSIONS) */
static const struct sock_filter p_icmp[] = {
	{ 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 3, 0x00000800 }, { 0x30, 0, 0, 0x00000017 },
	{ 0x15, 0, 1, 0x00000001 }, { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0x00000000 },
};
static const struct sock_filter p_arp[] = {
	{ 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 1, 0x00000806 }, { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0x00000000 },
};
static const struct sock_filter p_udp68[] = {
	{ 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 4, 0x000086dd }, { 0x30, 0, 0, 0x00000014 },
	{ 0x15, 0, 11, 0x00000011 }, { 0x28, 0, 0, 0x00000038 }, { 0x15, 8, 9, 0x00000044 },
	{ 0x15, 0, 8, 0x00000800 }, { 0x30, 0, 0, 0x00000017 }, { 0x15, 0, 6, 0x00000011 },
	{ 0x28, 0, 0, 0x00000014 }, { 0x45, 4, 0, 0x00001fff }, { 0xb1, 0, 0, 0x0000000e },
	{ 0x48, 0, 0, 0x00000010 }, { 0x15, 0, 1, 0x00000044 }, { 0x6, 0, 0, 0x00040000 },
	{ 0x6, 0, 0, 0x00000000 },
};
static const struct sock_filter p_vlan10[] = {
	{ 0x30, 0, 0, 0xfffff030 }, { 0x15, 4, 0, 0x00000001 }, { 0x28, 0, 0, 0x0000000c },
	{ 0x15, 2, 0, 0x00008100 }, { 0x15, 1, 0, 0x000088a8 }, { 0x15, 0, 8, 0x00009100 },
	{ 0x30, 0, 0, 0xfffff030 }, { 0x15, 0, 2, 0x00000001 }, { 0x30, 0, 0, 0xfffff02c },
	{ 0x5, 0, 0, 0x00000001 }, { 0x28, 0, 0, 0x0000000e }, { 0x54, 0, 0, 0x00000fff },
	{ 0x15, 0, 1, 0x0000000a }, { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0x00000000 },
};
static const struct sock_filter p_syn[] = {
	{ 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 8, 0x00000800 }, { 0x30, 0, 0, 0x00000017 },
	{ 0x15, 0, 6, 0x00000006 }, { 0x28, 0, 0, 0x00000014 }, { 0x45, 4, 0, 0x00001fff },
	{ 0xb1, 0, 0, 0x0000000e }, { 0x50, 0, 0, 0x0000001b }, { 0x45, 0, 1, 0x00000002 },
	{ 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0x00000000 },
};
static const struct sock_filter p_ip6udp[] = {
	{ 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 6, 0x000086dd }, { 0x30, 0, 0, 0x00000014 },
	{ 0x15, 3, 0, 0x00000011 }, { 0x15, 0, 3, 0x0000002c }, { 0x30, 0, 0, 0x00000036 },
	{ 0x15, 0, 1, 0x00000011 }, { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0x00000000 },
};
static const struct sock_filter p_edst[] = {
	{ 0x20, 0, 0, 0x00000002 }, { 0x15, 0, 3, 0x03040506 }, { 0x28, 0, 0, 0x00000000 },
	{ 0x15, 0, 1, 0x00000102 }, { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0x00000000 },
};
static const struct sock_filter p_len100[] = {
	{ 0x80, 0, 0, 0x00000000 }, { 0x25, 0, 1, 0x00000064 }, { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0x00000000 },
};
/* busybox udhcpc, on a cooked (SOCK_DGRAM) socket: UDP to port 68, not a
 * later fragment */
static const struct sock_filter p_udhcpc[] = {
	INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, 9), INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 6, 17),
	INSN(BPF_LD | BPF_H | BPF_ABS, 0, 0, 6), INSN(BPF_JMP | BPF_JSET | BPF_K, 4, 0, 0x1fff),
	INSN(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0), INSN(BPF_LD | BPF_H | BPF_IND, 0, 0, 2),
	INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 68), INSN(BPF_RET | BPF_K, 0, 0, 0x7fffffff),
	INSN(BPF_RET | BPF_K, 0, 0, 0),
};

static struct sk_filter *prog(const struct sock_filter *insns, unsigned n)
{
	struct sk_filter *f = malloc(sizeof(*f) + sizeof(*insns) * n);
	f->len = n;
	memcpy(f->insns, insns, sizeof(*insns) * n);
	return f;
}

static struct net_device eth0 = { .name = "eth0", .ifindex = 2, .type = ARPHRD_ETHER, .hard_header_len = ETH_HLEN };

/* A frame as a SOCK_RAW packet socket sees it: data at the Ethernet
 * header, the network header after it. headroom bytes before it hold
 * 0xee (reachable only with negative offsets). */
static struct sk_buff *frame(const uint8_t *bytes, size_t len)
{
	struct sk_buff *skb = alloc_skb(64, len);
	memset(skb->head, 0xee, 64);
	memcpy(skb_put(skb, len), bytes, len);
	skb->mac_off = 64;
	skb->network_off = 64 + ETH_HLEN;
	skb->dev = &eth0;
	skb->protocol = len >= 14 ? (uint16_t)(bytes[12] << 8 | bytes[13]) : 0;
	return skb;
}

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 1 }, mac_b[6] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };

/* Ethernet + IPv4 (20 bytes, proto, frag field) + 8 bytes of L4 + pad. */
static size_t ipv4(uint8_t *b, uint8_t proto, uint16_t frag, uint16_t dport, uint8_t tcpflags)
{
	memset(b, 0, 80);
	memcpy(b, mac_b, 6);
	memcpy(b + 6, mac_a, 6);
	b[12] = 0x08;
	b[14] = 0x45;
	b[16] = 0;
	b[17] = 60;
	b[20] = (uint8_t)(frag >> 8);
	b[21] = (uint8_t)frag;
	b[22] = 64;
	b[23] = proto;
	b[34] = 0x12;	/* source port */
	b[35] = 0x34;
	b[36] = (uint8_t)(dport >> 8);
	b[37] = (uint8_t)dport;
	b[47] = tcpflags;	/* TCP flags at 13 of the TCP header */
	return 74;
}

static uint32_t run(const struct sock_filter *insns, unsigned n, struct sk_buff *skb)
{
	struct sk_filter *f = prog(insns, n);
	uint32_t r = sk_filter_run(f, skb);
	free(f);
	return r;
}

static void test_tcpdump_programs(void)
{
	static const struct { const char *name; const struct sock_filter *p; unsigned n; } progs[] = {
		{ "icmp", p_icmp, N(p_icmp) }, { "arp", p_arp, N(p_arp) }, { "udp dst port 68", p_udp68, N(p_udp68) },
		{ "vlan 10", p_vlan10, N(p_vlan10) }, { "tcp syn", p_syn, N(p_syn) }, { "ip6 and udp", p_ip6udp, N(p_ip6udp) },
		{ "ether dst", p_edst, N(p_edst) }, { "len > 100", p_len100, N(p_len100) }, { "udhcpc", p_udhcpc, N(p_udhcpc) },
	};
	for (unsigned i = 0; i < N(progs); i++)
		EQ_I(sk_chk_filter(progs[i].p, progs[i].n), 0, "checker accepts tcpdump's '%s'", progs[i].name);

	uint8_t b[128];
	size_t n = ipv4(b, 1, 0, 0, 0);
	struct sk_buff *skb = frame(b, n);
	EQ_U(run(p_icmp, N(p_icmp), skb), 0x40000, "icmp: an ICMP frame is kept (snap 262144)");
	EQ_U(run(p_arp, N(p_arp), skb), 0, "arp: an ICMP frame is dropped");
	EQ_U(run(p_edst, N(p_edst), skb), 0x40000, "ether dst: matches 01:02:03:04:05:06");
	EQ_U(run(p_len100, N(p_len100), skb), 0, "len > 100: a 74-byte frame is dropped");
	EQ_U(run(p_vlan10, N(p_vlan10), skb), 0, "vlan 10: an untagged frame is dropped");
	skb->vlan_present = true;
	skb->vlan_proto = ETH_P_8021Q;
	skb->vlan_tci = 0x200a;	/* priority 1, VLAN 10 */
	EQ_U(run(p_vlan10, N(p_vlan10), skb), 0x40000, "vlan 10: a frame tagged 10 (tag in the skb) is kept");
	skb->vlan_tci = 0x200b;
	EQ_U(run(p_vlan10, N(p_vlan10), skb), 0, "vlan 10: a frame tagged 11 is dropped");
	kfree_skb(skb);

	n = ipv4(b, 17, 0, 68, 0);
	skb = frame(b, n);
	EQ_U(run(p_udp68, N(p_udp68), skb), 0x40000, "udp dst port 68: kept");
	EQ_U(run(p_icmp, N(p_icmp), skb), 0, "icmp: a UDP frame is dropped");
	kfree_skb(skb);
	n = ipv4(b, 17, 0x0010, 68, 0);	/* a later fragment: no UDP header */
	skb = frame(b, n);
	EQ_U(run(p_udp68, N(p_udp68), skb), 0, "udp dst port 68: a later fragment is dropped");
	kfree_skb(skb);
	n = ipv4(b, 17, 0, 67, 0);
	skb = frame(b, n);
	EQ_U(run(p_udp68, N(p_udp68), skb), 0, "udp dst port 68: port 67 is dropped");
	/* udhcpc's program on the cooked view: data at the IP header */
	skb_pull(skb, ETH_HLEN);
	EQ_U(run(p_udhcpc, N(p_udhcpc), skb), 0, "udhcpc: port 67 is dropped");
	kfree_skb(skb);
	n = ipv4(b, 17, 0, 68, 0);
	skb = frame(b, n);
	skb_pull(skb, ETH_HLEN);
	EQ_U(run(p_udhcpc, N(p_udhcpc), skb), 0x7fffffff, "udhcpc: UDP to port 68 is kept");
	kfree_skb(skb);

	n = ipv4(b, 6, 0, 80, 0x02);
	skb = frame(b, n);
	EQ_U(run(p_syn, N(p_syn), skb), 0x40000, "tcp syn: a SYN is kept");
	kfree_skb(skb);
	n = ipv4(b, 6, 0, 80, 0x10);
	skb = frame(b, n);
	EQ_U(run(p_syn, N(p_syn), skb), 0, "tcp syn: an ACK is dropped");
	/* cut short: the TCP flags lie beyond the end */
	skb_trim(skb, 40);
	EQ_U(run(p_syn, N(p_syn), skb), 0, "tcp syn: a frame cut before the flags is dropped");
	kfree_skb(skb);

	uint8_t v6[80] = { 0 };
	memcpy(v6, mac_b, 6);
	v6[12] = 0x86;
	v6[13] = 0xdd;
	v6[14] = 0x60;
	v6[20] = 17;
	skb = frame(v6, 70);
	EQ_U(run(p_ip6udp, N(p_ip6udp), skb), 0x40000, "ip6 and udp: kept");
	EQ_U(run(p_icmp, N(p_icmp), skb), 0, "icmp: an IPv6 frame is dropped");
	kfree_skb(skb);
}

static void test_checker_refusals(void)
{
	static const struct sock_filter ret0[] = { INSN(BPF_RET | BPF_K, 0, 0, 0) };
	EQ_I(sk_chk_filter(ret0, 0), -EINVAL, "no instructions: EINVAL");
	EQ_I(sk_chk_filter(ret0, 1), 0, "one return: fine");

	struct sock_filter *big = calloc(BPF_MAXINSNS + 1, sizeof(*big));
	for (unsigned i = 0; i <= BPF_MAXINSNS; i++)
		big[i] = (struct sock_filter)INSN(BPF_LD | BPF_IMM, 0, 0, i);
	big[BPF_MAXINSNS - 1] = (struct sock_filter)INSN(BPF_RET | BPF_A, 0, 0, 0);
	EQ_I(sk_chk_filter(big, BPF_MAXINSNS), 0, "4096 instructions: fine");
	big[BPF_MAXINSNS] = big[BPF_MAXINSNS - 1];
	EQ_I(sk_chk_filter(big, BPF_MAXINSNS + 1), -EINVAL, "4097 instructions: EINVAL");
	/* a jump over the whole program: the last reachable target */
	big[0] = (struct sock_filter)INSN(BPF_JMP | BPF_JA, 0, 0, BPF_MAXINSNS - 2);
	EQ_I(sk_chk_filter(big, BPF_MAXINSNS), 0, "ja to the last instruction: fine");
	big[0].k = BPF_MAXINSNS - 1;
	EQ_I(sk_chk_filter(big, BPF_MAXINSNS), -EINVAL, "ja past the last instruction: EINVAL");
	big[0].k = 0xffffffff;
	EQ_I(sk_chk_filter(big, BPF_MAXINSNS), -EINVAL, "ja 0xffffffff: EINVAL");
	free(big);

	static const struct { const char *what; struct sock_filter p[4]; unsigned n; } bad[] = {
		{ "unknown opcode 0xffff", { INSN(0xffff, 0, 0, 0), INSN(BPF_RET | BPF_K, 0, 0, 0) }, 2 },
		{ "ld with msh (only ldx has it)", { INSN(BPF_LD | BPF_B | BPF_MSH, 0, 0, 0), INSN(BPF_RET | BPF_K, 0, 0, 0) }, 2 },
		{ "ldx abs", { INSN(BPF_LDX | BPF_W | BPF_ABS, 0, 0, 0), INSN(BPF_RET | BPF_K, 0, 0, 0) }, 2 },
		{ "ret x", { INSN(BPF_RET | BPF_X, 0, 0, 0) }, 1 },
		{ "div by constant 0", { INSN(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "mod by constant 0", { INSN(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 0), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "lsh by 32", { INSN(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "rsh by 99", { INSN(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 99), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "st to slot 16", { INSN(BPF_ST, 0, 0, 16), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "ldx from slot 0xffffffff", { INSN(BPF_STX, 0, 0, 0), INSN(BPF_LDX | BPF_MEM, 0, 0, 0xffffffff), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 3 },
		{ "read of an unwritten slot", { INSN(BPF_LD | BPF_MEM, 0, 0, 3), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "slot written on one path only",
		  { INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 7), INSN(BPF_ST, 0, 0, 5), INSN(BPF_LD | BPF_MEM, 0, 0, 5), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 4 },
		{ "jt past the end", { INSN(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0), INSN(BPF_RET | BPF_K, 0, 0, 0) }, 2 },
		{ "jf past the end", { INSN(BPF_JMP | BPF_JGT | BPF_X, 0, 200, 0), INSN(BPF_RET | BPF_K, 0, 0, 0) }, 2 },
		{ "ja at the last place", { INSN(BPF_RET | BPF_K, 0, 0, 0), INSN(BPF_JMP | BPF_JA, 0, 0, 0) }, 2 },
		{ "last not a return", { INSN(BPF_LD | BPF_IMM, 0, 0, 1) }, 1 },
		{ "unknown ancillary load", { INSN(BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + 1), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "ancillary past SKF_AD_MAX", { INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_MAX), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "SKF_AD_PAY_OFFSET (no flow dissector here)", { INSN(BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_PAY_OFFSET), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
	};
	for (unsigned i = 0; i < N(bad); i++)
		EQ_I(sk_chk_filter(bad[i].p, bad[i].n), -EINVAL, "refused: %s", bad[i].what);

	static const struct { const char *what; struct sock_filter p[4]; unsigned n; } good[] = {
		{ "slot written on both paths",
		  { INSN(BPF_ST, 0, 0, 5), INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 7), INSN(BPF_LD | BPF_MEM, 0, 0, 5), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 4 },
		{ "ind load at an ancillary offset (a negative offset, not ancillary)",
		  { INSN(BPF_LD | BPF_W | BPF_IND, 0, 0, SKF_AD_OFF + 1), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "abs load at SKF_NET_OFF", { INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_NET_OFF), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "div by X (checked when run)", { INSN(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
		{ "lsh by 31", { INSN(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 31), INSN(BPF_RET | BPF_A, 0, 0, 0) }, 2 },
	};
	for (unsigned i = 0; i < N(good); i++)
		EQ_I(sk_chk_filter(good[i].p, good[i].n), 0, "accepted: %s", good[i].what);
}

static void test_loads(void)
{
	uint8_t b[128];
	size_t n = ipv4(b, 1, 0, 0, 0);
	struct sk_buff *skb = frame(b, n);
	struct sock_filter p[4];
	/* positive offsets: the last byte, then one past */
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, n - 1);
	p[1] = (struct sock_filter)INSN(BPF_RET | BPF_K, 0, 0, 1000);
	EQ_U(run(p, 2, skb), 1000, "byte at len-1: in range");
	p[0].k = (uint32_t)n;
	EQ_U(run(p, 2, skb), 0, "byte at len: out of range, dropped");
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_W | BPF_ABS, 0, 0, n - 3);
	EQ_U(run(p, 2, skb), 0, "word straddling the end: dropped");
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0x7fffffff);
	EQ_U(run(p, 2, skb), 0, "offset 0x7fffffff: dropped");
	/* the load's value */
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2);
	p[1] = (struct sock_filter)INSN(BPF_RET | BPF_A, 0, 0, 0);
	EQ_U(run(p, 2, skb), 0x03040506, "word at 2, big-endian");
	/* negative offsets: the network header (IP version byte), the link header */
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_NET_OFF);
	EQ_U(run(p, 2, skb), 0x45, "SKF_NET_OFF+0: the IP header's first byte");
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_H | BPF_ABS, 0, 0, SKF_LL_OFF + 12);
	EQ_U(run(p, 2, skb), 0x0800, "SKF_LL_OFF+12: the EtherType");
	skb_pull(skb, ETH_HLEN);	/* the cooked view: the link header is before data */
	EQ_U(run(p, 2, skb), 0x0800, "SKF_LL_OFF+12 still reaches the link header before data");
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_LL_OFF - 1);
	EQ_U(run(p, 2, skb), 0, "below SKF_LL_OFF: dropped");
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, (uint32_t)-1);
	EQ_U(run(p, 2, skb), 0, "offset -1: dropped");
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_NET_OFF + (uint32_t)(n - ETH_HLEN));
	EQ_U(run(p, 2, skb), 0, "SKF_NET_OFF past the end: dropped");
	skb->mac_off = -1;
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_LL_OFF);
	EQ_U(run(p, 2, skb), 0, "SKF_LL_OFF without a link header: dropped");
	kfree_skb(skb);

	/* indirect loads: x + k wraps in 32 bits */
	skb = frame(b, n);
	p[0] = (struct sock_filter)INSN(BPF_LDX | BPF_IMM, 0, 0, 0xffffffff);
	p[1] = (struct sock_filter)INSN(BPF_LD | BPF_B | BPF_IND, 0, 0, 15);
	p[2] = (struct sock_filter)INSN(BPF_RET | BPF_A, 0, 0, 0);
	EQ_U(run(p, 3, skb), 0x45, "ind: x=-1, k=15 reads byte 14");
	p[1].k = 0;
	EQ_U(run(p, 3, skb), 0, "ind: x=-1, k=0 is offset -1: dropped");
	p[0].k = 0x7fffffff;
	p[1].k = 0x7fffffff;
	EQ_U(run(p, 3, skb), 0, "ind: a huge sum is dropped");
	/* msh */
	p[0] = (struct sock_filter)INSN(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14);
	p[1] = (struct sock_filter)INSN(BPF_MISC | BPF_TXA, 0, 0, 0);
	EQ_U(run(p, 3, skb), 20, "msh: 4 * (0x45 & 0xf)");
	p[0].k = (uint32_t)n;
	EQ_U(run(p, 3, skb), 0, "msh past the end: dropped");
	/* len */
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
	p[1] = (struct sock_filter)INSN(BPF_RET | BPF_A, 0, 0, 0);
	EQ_U(run(p, 2, skb), n, "len");
	kfree_skb(skb);
}

static void test_alu_and_ancillary(void)
{
	uint8_t b[128];
	size_t n = ipv4(b, 1, 0, 0, 0);
	struct sk_buff *skb = frame(b, n);
	struct sock_filter p[5];
	/* division and modulo by a zero X drop */
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_IMM, 0, 0, 100);
	p[1] = (struct sock_filter)INSN(BPF_LDX | BPF_IMM, 0, 0, 0);
	p[2] = (struct sock_filter)INSN(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0);
	p[3] = (struct sock_filter)INSN(BPF_RET | BPF_K, 0, 0, 77);
	EQ_U(run(p, 4, skb), 0, "div by a zero X: 0");
	p[2].code = BPF_ALU | BPF_MOD | BPF_X;
	EQ_U(run(p, 4, skb), 0, "mod by a zero X: 0");
	p[1].k = 7;
	p[3] = (struct sock_filter)INSN(BPF_RET | BPF_A, 0, 0, 0);
	EQ_U(run(p, 4, skb), 2, "100 mod 7");
	p[2].code = BPF_ALU | BPF_DIV | BPF_X;
	EQ_U(run(p, 4, skb), 14, "100 / 7");
	p[1].k = 33;	/* shifts use X's low five bits */
	p[2].code = BPF_ALU | BPF_LSH | BPF_X;
	EQ_U(run(p, 4, skb), 200, "100 << 33 is 100 << 1");
	p[2] = (struct sock_filter)INSN(BPF_ALU | BPF_NEG, 0, 0, 0);
	EQ_U(run(p, 4, skb), (uint32_t)-100, "neg");
	p[2] = (struct sock_filter)INSN(BPF_ALU | BPF_MUL | BPF_K, 0, 0, 0x10000000);
	EQ_U(run(p, 4, skb), 0x40000000, "mul wraps in 32 bits");

	/* ancillary data */
	static const struct { uint32_t ad; uint32_t want; const char *what; } anc[] = {
		{ SKF_AD_PROTOCOL, ETH_P_IP, "protocol" }, { SKF_AD_PKTTYPE, PACKET_OTHERHOST, "pkttype" },
		{ SKF_AD_IFINDEX, 2, "ifindex" }, { SKF_AD_HATYPE, ARPHRD_ETHER, "hatype" },
		{ SKF_AD_VLAN_TAG, 0x200a, "vlan tag" }, { SKF_AD_VLAN_TAG_PRESENT, 1, "vlan tag present" },
		{ SKF_AD_VLAN_TPID, ETH_P_8021AD, "vlan tpid" }, { SKF_AD_MARK, 0, "mark" },
		{ SKF_AD_CPU, 0, "cpu" }, { SKF_AD_RANDOM, 0x5a5a5a5a, "random (the test's source)" },
	};
	skb->pkt_type = PACKET_OTHERHOST;
	skb->vlan_present = true;
	skb->vlan_tci = 0x200a;
	skb->vlan_proto = ETH_P_8021AD;
	for (unsigned i = 0; i < N(anc); i++) {
		p[0] = (struct sock_filter)INSN(BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + anc[i].ad);
		p[1] = (struct sock_filter)INSN(BPF_RET | BPF_A, 0, 0, 0);
		EQ_I(sk_chk_filter(p, 2), 0, "ancillary %s: accepted", anc[i].what);
		EQ_U(run(p, 2, skb), anc[i].want, "ancillary %s", anc[i].what);
	}
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_IMM, 0, 0, 0xf0f0);
	p[1] = (struct sock_filter)INSN(BPF_LDX | BPF_IMM, 0, 0, 0xff00);
	p[2] = (struct sock_filter)INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_ALU_XOR_X);
	p[3] = (struct sock_filter)INSN(BPF_RET | BPF_A, 0, 0, 0);
	EQ_U(run(p, 4, skb), 0x0ff0, "ancillary alu xor x");
	skb->dev = NULL;
	p[0] = (struct sock_filter)INSN(BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_IFINDEX);
	p[1] = (struct sock_filter)INSN(BPF_RET | BPF_K, 0, 0, 9);
	EQ_U(run(p, 2, skb), 0, "ifindex without a device: dropped");
	kfree_skb(skb);
}

/* netlink attributes in the packet: {len, type} headers, 4-aligned */
static void test_nlattr(void)
{
	uint8_t b[64] = { 0 };
	/* at 0: attr type 1, len 8; at 8: nested type 2 (len 16) holding type 5 (len 8); at 24: type 7 len 4 */
	b[0] = 8; b[2] = 1;
	b[8] = 16; b[10] = 2; b[11] = 0x80;	/* NLA_F_NESTED */
	b[12] = 8; b[14] = 5;
	b[24] = 4; b[26] = 7;
	struct sk_buff *skb = alloc_skb(0, 28);
	memcpy(skb_put(skb, 28), b, 28);
	struct sock_filter p[] = {
		INSN(BPF_LD | BPF_IMM, 0, 0, 0), INSN(BPF_LDX | BPF_IMM, 0, 0, 7),
		INSN(BPF_LD | BPF_B | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_NLATTR), INSN(BPF_RET | BPF_A, 0, 0, 0),
	};
	EQ_U(run(p, 4, skb), 24, "nlattr: type 7 at offset 24");
	p[1].k = 2;
	EQ_U(run(p, 4, skb), 8, "nlattr: the nested flag does not count");
	p[1].k = 5;
	EQ_U(run(p, 4, skb), 0, "nlattr: type 5 is only nested");
	p[0].k = 8;
	p[2].k = SKF_AD_OFF + SKF_AD_NLATTR_NEST;
	EQ_U(run(p, 4, skb), 12, "nlattr nest: type 5 inside the attribute at 8");
	p[0].k = 27;
	EQ_U(run(p, 4, skb), 0, "nlattr nest: A past the end gives 0");
	p[0].k = 0xfffffffe;
	p[2].k = SKF_AD_OFF + SKF_AD_NLATTR;
	EQ_U(run(p, 4, skb), 0, "nlattr: A huge gives 0");
	/* a zero-length attribute ends the walk instead of looping */
	b[0] = 0;
	memcpy(skb->data, b, 28);
	p[0].k = 0;
	p[1].k = 7;
	EQ_U(run(p, 4, skb), 0, "nlattr: a zero-length attribute stops the walk");
	kfree_skb(skb);
}

/* Random programs and packets: the checker's verdict must not matter to
 * safety (the interpreter is also defensive), and accepted programs must
 * end. A fixed seed; each run the same. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void test_random(void)
{
	static const uint16_t codes[] = {
		BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS, BPF_LD | BPF_W | BPF_IND,
		BPF_LD | BPF_H | BPF_IND, BPF_LD | BPF_B | BPF_IND, BPF_LD | BPF_W | BPF_LEN, BPF_LD | BPF_IMM,
		BPF_LD | BPF_MEM, BPF_LDX | BPF_W | BPF_LEN, BPF_LDX | BPF_B | BPF_MSH, BPF_LDX | BPF_IMM, BPF_LDX | BPF_MEM,
		BPF_ST, BPF_STX, BPF_ALU | BPF_ADD | BPF_X, BPF_ALU | BPF_DIV | BPF_X, BPF_ALU | BPF_MOD | BPF_K,
		BPF_ALU | BPF_LSH | BPF_X, BPF_ALU | BPF_NEG, BPF_JMP | BPF_JA, BPF_JMP | BPF_JEQ | BPF_K,
		BPF_JMP | BPF_JGT | BPF_X, BPF_JMP | BPF_JSET | BPF_K, BPF_RET | BPF_A, BPF_RET | BPF_K,
		BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA, 0xffff,
	};
	static const uint32_t ks[] = { 0, 1, 2, 12, 13, 14, 15, 16, 23, 60, 73, 74, 75, 0x7fffffff, 0xffffffff,
				       SKF_NET_OFF, SKF_NET_OFF + 9, SKF_LL_OFF, SKF_LL_OFF + 12, SKF_AD_OFF,
				       SKF_AD_OFF + SKF_AD_NLATTR, SKF_AD_OFF + SKF_AD_VLAN_TAG, (uint32_t)-5 };
	unsigned accepted = 0, kept = 0;
	uint8_t b[128];
	size_t n = ipv4(b, 6, 0, 80, 2);
	for (int round = 0; round < 20000; round++) {
		unsigned len = 1 + rnd() % 12;
		struct sock_filter p[12];
		for (unsigned i = 0; i < len; i++) {
			p[i].code = codes[rnd() % N(codes)];
			p[i].jt = (uint8_t)(rnd() % 4 ? rnd() % 4 : rnd());
			p[i].jf = (uint8_t)(rnd() % 4 ? rnd() % 4 : rnd());
			p[i].k = rnd() % 3 ? ks[rnd() % N(ks)] : rnd() % 20;
		}
		if (rnd() % 2)
			p[len - 1] = (struct sock_filter)INSN(BPF_RET | BPF_A, 0, 0, 0);
		int ok = sk_chk_filter(p, len) == 0;
		accepted += ok;
		/* a packet of random length, cut from the frame, with or without headers set */
		size_t plen = rnd() % (n + 1);
		struct sk_buff *skb = frame(b, plen);
		if (rnd() % 4 == 0)
			skb->mac_off = skb->network_off = -1;
		if (rnd() % 2)
			skb_pull(skb, MIN(plen, (size_t)ETH_HLEN));
		/* checked or not, running stays inside the packet and ends */
		kept += run(p, len, skb) != 0;
		kfree_skb(skb);
	}
	NOTE("%u of 20000 random programs accepted, %u runs kept their packet", accepted, kept);
	OK(accepted > 1000 && accepted < 19000, "random programs: both verdicts happen (%u accepted)", accepted);
	OK(kept > 100, "random programs: some keep their packet (%u)", kept);
}

int main(void)
{
	test_tcpdump_programs();
	test_checker_refusals();
	test_loads();
	test_alu_and_ancillary();
	test_nlattr();
	test_random();
	return t_done();
}
