/* /proc/net files of IPv4, in Linux's formats: snmp and netstat (the
 * counters), route (the main table, addresses in host-order hex as
 * busybox route reads them), arp, and the socket tables udp, raw and
 * icmp (ping sockets). */
#include <umk/proc.h>
#include <linux/route.h>
#include <linux/if_arp.h>
#include "inet_sock.h"
void tcp_snmp_show(struct sbuf *o);
void tcp_netstat_show(struct sbuf *o);

static const char *const ip_names[] = {
	"InReceives", "InHdrErrors", "InAddrErrors", "ForwDatagrams", "InUnknownProtos", "InDiscards", "InDelivers",
	"OutRequests", "OutDiscards", "OutNoRoutes", "ReasmTimeout", "ReasmReqds", "ReasmOKs", "ReasmFails",
	"FragOKs", "FragFails", "FragCreates", "OutTransmits",
};
static const struct { const char *name; int type; } icmp_types[] = {
	{ "DestUnreachs", ICMP_DEST_UNREACH }, { "TimeExcds", ICMP_TIME_EXCEEDED },
	{ "ParmProbs", ICMP_PARAMETERPROB }, { "SrcQuenchs", ICMP_SOURCE_QUENCH },
	{ "Redirects", ICMP_REDIRECT }, { "Echos", ICMP_ECHO }, { "EchoReps", ICMP_ECHOREPLY },
	{ "Timestamps", ICMP_TIMESTAMP }, { "TimestampReps", ICMP_TIMESTAMPREPLY },
	{ "AddrMasks", ICMP_ADDRESS }, { "AddrMaskReps", ICMP_ADDRESSREPLY },
};
static const char *const udp_names[] = {
	"InDatagrams", "NoPorts", "InErrors", "OutDatagrams", "RcvbufErrors", "SndbufErrors", "InCsumErrors",
	"IgnoredMulti", "MemErrors",
};

#define U(x) ((unsigned long long)(x))

static void icmpmsg_line(struct sbuf *o, const int *types, const uint64_t *vals, int n)
{
	if (!n)
		return;
	sbuf_printf(o, "IcmpMsg:");
	for (int j = 0; j < n; j++)
		sbuf_printf(o, " %sType%u", types[j] & 0x100 ? "Out" : "In", types[j] & 0xff);
	sbuf_printf(o, "\nIcmpMsg:");
	for (int j = 0; j < n; j++)
		sbuf_printf(o, " %llu", U(vals[j]));
	sbuf_printf(o, "\n");
}

static int snmp_show(struct sbuf *o, void *data __unused)
{
	struct ipv4_mib *m = &ipv4_mib;
	sbuf_printf(o, "Ip: Forwarding DefaultTTL");
	for (unsigned i = 0; i < ARRAY_SIZE(ip_names); i++)
		sbuf_printf(o, " %s", ip_names[i]);
	sbuf_printf(o, "\nIp: %d %d", sysctl_ip_forward ? 1 : 2, sysctl_ip_default_ttl);
	for (unsigned i = 0; i < ARRAY_SIZE(ip_names); i++)
		sbuf_printf(o, " %llu", U(m->ip[i]));
	sbuf_printf(o, "\nIcmp: InMsgs InErrors InCsumErrors");
	for (unsigned i = 0; i < ARRAY_SIZE(icmp_types); i++)
		sbuf_printf(o, " In%s", icmp_types[i].name);
	sbuf_printf(o, " OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost");
	for (unsigned i = 0; i < ARRAY_SIZE(icmp_types); i++)
		sbuf_printf(o, " Out%s", icmp_types[i].name);
	sbuf_printf(o, "\nIcmp: %llu %llu %llu", U(m->icmp[ICMP_MIB_INMSGS]), U(m->icmp[ICMP_MIB_INERRORS]),
		    U(m->icmp[ICMP_MIB_CSUMERRORS]));
	for (unsigned i = 0; i < ARRAY_SIZE(icmp_types); i++)
		sbuf_printf(o, " %llu", U(m->icmp_in[icmp_types[i].type]));
	sbuf_printf(o, " %llu %llu %llu %llu", U(m->icmp[ICMP_MIB_OUTMSGS]), U(m->icmp[ICMP_MIB_OUTERRORS]),
		    U(m->icmp[ICMP_MIB_RATELIMITGLOBAL]), U(m->icmp[ICMP_MIB_RATELIMITHOST]));
	for (unsigned i = 0; i < ARRAY_SIZE(icmp_types); i++)
		sbuf_printf(o, " %llu", U(m->icmp_out[icmp_types[i].type]));
	sbuf_printf(o, "\n");
	/* IcmpMsg: the types seen, in then out, 16 to a line pair */
	int types[16], n = 0;
	uint64_t vals[16];
	for (int i = 0; i < 512; i++) {
		uint64_t v = i < 256 ? m->icmp_in[i] : m->icmp_out[i - 256];
		if (v) {
			types[n] = i;
			vals[n++] = v;
		}
		if (n == 16) {
			icmpmsg_line(o, types, vals, n);
			n = 0;
		}
	}
	icmpmsg_line(o, types, vals, n);
	tcp_snmp_show(o);
	for (int lite = 0; lite < 2; lite++) {
		const char *tag = lite ? "UdpLite:" : "Udp:";
		sbuf_printf(o, "%s", tag);
		for (unsigned i = 0; i < ARRAY_SIZE(udp_names); i++)
			sbuf_printf(o, " %s", udp_names[i]);
		sbuf_printf(o, "\n%s", tag);
		for (unsigned i = 0; i < ARRAY_SIZE(udp_names); i++)
			sbuf_printf(o, " %llu", U(lite ? 0 : m->udp[i]));
		sbuf_printf(o, "\n");
	}
	return 0;
}
DEFINE_PROC_FILE(net_snmp, "net/snmp", 0444, snmp_show, NULL, NULL);

static int netstat_show(struct sbuf *o, void *data __unused)
{
	static const struct { const char *name; int idx; } ext[] = {
		{ "InNoRoutes", IPSTATS_INNOROUTES }, { "InTruncatedPkts", IPSTATS_INTRUNCATEDPKTS },
		{ "InMcastPkts", IPSTATS_INMCASTPKTS }, { "OutMcastPkts", IPSTATS_OUTMCASTPKTS },
		{ "InBcastPkts", IPSTATS_INBCASTPKTS }, { "OutBcastPkts", IPSTATS_OUTBCASTPKTS },
		{ "InOctets", IPSTATS_INOCTETS }, { "OutOctets", IPSTATS_OUTOCTETS },
		{ "InMcastOctets", IPSTATS_INMCASTOCTETS }, { "OutMcastOctets", IPSTATS_OUTMCASTOCTETS },
		{ "InBcastOctets", IPSTATS_INBCASTOCTETS }, { "OutBcastOctets", IPSTATS_OUTBCASTOCTETS },
		{ "InCsumErrors", IPSTATS_INCSUMERRORS }, { "InNoECTPkts", IPSTATS_NOECTPKTS },
		{ "InECT1Pkts", IPSTATS_ECT1PKTS }, { "InECT0Pkts", IPSTATS_ECT0PKTS }, { "InCEPkts", IPSTATS_CEPKTS },
		{ "ReasmOverlaps", IPSTATS_REASMOVERLAPS },
	};
	tcp_netstat_show(o);
	sbuf_printf(o, "IpExt:");
	for (unsigned i = 0; i < ARRAY_SIZE(ext); i++)
		sbuf_printf(o, " %s", ext[i].name);
	sbuf_printf(o, "\nIpExt:");
	for (unsigned i = 0; i < ARRAY_SIZE(ext); i++)
		sbuf_printf(o, " %llu", U(ipv4_mib.ip[ext[i].idx]));
	sbuf_printf(o, "\n");
	return 0;
}
DEFINE_PROC_FILE(net_netstat, "net/netstat", 0444, netstat_show, NULL, NULL);

/* ---- routes ---- */

/* Pad a line to 127 characters, as Linux's seq_pad. */
static void pad127(struct sbuf *o, size_t start)
{
	while (o->len - start < 127)
		sbuf_putmem(o, " ", 1);
	sbuf_putmem(o, "\n", 1);
}

static int route_line(const struct fib_route *r, void *arg)
{
	struct sbuf *o = arg;
	if (r->type == RTN_BROADCAST || r->type == RTN_MULTICAST)
		return 0;
	unsigned flags = RTF_UP;
	if (r->type == RTN_UNREACHABLE || r->type == RTN_PROHIBIT)
		flags |= RTF_REJECT;
	if (r->gw)
		flags |= RTF_GATEWAY;
	__be32 mask = inet_make_mask(r->dst_len);
	if (mask == 0xffffffffu)
		flags |= RTF_HOST;
	size_t start = o->len;
	uint32_t advmss = r->metrics[RTAX_ADVMSS - 1];
	sbuf_printf(o, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", r->dev ? r->dev->name : "*", r->dst, r->gw,
		    flags, 0, 0u, (int)r->priority, mask, advmss ? (int)advmss + 40 : 0, r->metrics[RTAX_WINDOW - 1],
		    r->metrics[RTAX_RTT - 1] >> 3);
	pad127(o, start);
	return 0;
}

static int route_show(struct sbuf *o, void *data __unused)
{
	sbuf_printf(o, "%-127s\n", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	fib_route_walk(RT_TABLE_MAIN, route_line, o);
	return 0;
}
DEFINE_PROC_FILE(net_route, "net/route", 0444, route_show, NULL, NULL);

/* ---- ARP ---- */

static int arp_line(const struct neighbour *n, void *arg)
{
	struct sbuf *o = arg;
	if (n->nud_state == NUD_NOARP)
		return 0;
	char hw[3 * 8], ip[16];
	int k = 0;
	for (int j = 0; j < n->dev->addr_len && j < 8; j++)
		k += snprintf(hw + k, sizeof(hw) - k, "%s%02x", j ? ":" : "", n->ha[j]);
	hw[k] = 0;
	uint32_t a = ntohl(n->ip);
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	unsigned flags = (n->nud_state & NUD_PERMANENT) ? ATF_PERM | ATF_COM : (n->nud_state & NUD_VALID) ? ATF_COM : 0;
	sbuf_printf(o, "%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n", ip, n->dev->type, flags, hw, "*", n->dev->name);
	return 0;
}

static int arp_show(struct sbuf *o, void *data __unused)
{
	sbuf_printf(o, "IP address       HW type     Flags       HW address            Mask     Device\n");
	neigh_walk(NULL, arp_line, o);
	return 0;
}
DEFINE_PROC_FILE(net_arp, "net/arp", 0444, arp_show, NULL, NULL);

/* ---- sockets ---- */

static uint64_t sock_ino(const struct inet_sock *sk)
{
	return sk->sock && sk->sock->file ? sk->sock->file->f_inode->i_ino : 0;
}

static void sock_line(struct sbuf *o, const struct inet_sock *sk, int sl, bool pad)
{
	size_t start = o->len;
	__be32 src = sk->rcv_saddr ? sk->rcv_saddr : sk->saddr;
	sbuf_printf(o, "%*d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %llu %d %016llx %u",
		    pad ? 5 : 4, sl, src, sk->sport, sk->daddr, sk->dport, sk->connected ? 1 : 7, (unsigned)sk->wmem,
		    (unsigned)sk->rmem, 0, 0ul, 0, sk->uid, 0, U(sock_ino(sk)), sk->refs, 0ULL, sk->drops);
	if (pad)
		pad127(o, start);
	else
		sbuf_putmem(o, "\n", 1);
}

static int udp_show(struct sbuf *o, void *data)
{
	struct list_head *table = data;
	size_t start = o->len;
	sbuf_printf(o, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
		       "inode ref pointer drops");
	pad127(o, start);
	/* Linux lists by hash slot (port & 127 here); within one, newest first */
	for (int slot = 0; slot < 128; slot++) {
		struct inet_sock *sk;
		list_for_each_entry(sk, table, node)
			if ((sk->num & 127) == slot)
				sock_line(o, sk, slot, true);
	}
	return 0;
}
DEFINE_PROC_FILE(net_udp, "net/udp", 0444, udp_show, NULL, &udp_table);
DEFINE_PROC_FILE(net_icmp, "net/icmp", 0444, udp_show, NULL, &ping_table);

static int raw_show(struct sbuf *o, void *data __unused)
{
	sbuf_printf(o, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode "
		       "ref pointer drops\n");
	struct inet_sock *sk;
	list_for_each_entry(sk, &raw_table, node)
		sock_line(o, sk, sk->num & 255, false);
	return 0;
}
DEFINE_PROC_FILE(net_raw, "net/raw", 0444, raw_show, NULL, NULL);
