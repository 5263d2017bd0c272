/* AF_PACKET sockets on lo (man 7 packet): creation and permission, bind
 * and its errors, lo down (ENETDOWN) and up, raw frames sent on lo
 * heard twice by an ETH_P_ALL socket (PACKET_OUTGOING, then PACKET_HOST)
 * and once by the sender, sockaddr_ll contents, packet types by
 * destination, SOCK_DGRAM (cooked) receive and send, MSG_TRUNC, MSG_PEEK,
 * PACKET_AUXDATA with a VLAN tag, PACKET_STATISTICS, SO_RCVBUF drops,
 * memberships, FIONREAD/SIOCGSTAMP, poll, getsockname, /proc/net/packet. */
#include "packet.h"
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const uint8_t zero_mac[6], bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	mcast_mac[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 }, other_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 },
	src_mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
static int lo;

static const char *pkttype_name(int t)
{
	static const char *n[] = { "HOST", "BROADCAST", "MULTICAST", "OTHERHOST", "OUTGOING" };
	return t >= 0 && t < 5 ? n[t] : "?";
}

/* Receive one frame (waiting up to a second) and describe it. */
static ssize_t recv_show(int s, const char *who, uint8_t *buf, size_t cap)
{
	if (!t_readable(s)) {
		printf("%s: nothing\n", who);
		return -1;
	}
	struct sockaddr_ll a;
	socklen_t al = sizeof(a);
	memset(&a, 0x77, sizeof(a));
	ssize_t n = recvfrom(s, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&a, &al);
	if (n < 0) {
		printf("%s: recvfrom %s\n", who, strerror(errno));
		return -1;
	}
	printf("%s: %zd bytes, addrlen %u family %u proto %04x ifindex==lo %d hatype %u %s halen %u addr "
	       "%02x:%02x:%02x:%02x:%02x:%02x\n",
	       who, n, al, a.sll_family, ntohs(a.sll_protocol), a.sll_ifindex == lo, a.sll_hatype,
	       pkttype_name(a.sll_pkttype), a.sll_halen, a.sll_addr[0], a.sll_addr[1], a.sll_addr[2], a.sll_addr[3],
	       a.sll_addr[4], a.sll_addr[5]);
	return n;
}

static void creation(void)
{
	CHECK_ERR("stream packet socket", socket(AF_PACKET, SOCK_STREAM, 0), ESOCKTNOSUPPORT);
	CHECK_ERR("seqpacket packet socket", socket(AF_PACKET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	CHECK("raw packet socket as root", s >= 0);
	int v = -1;
	socklen_t l = sizeof(v);
	CHECK("SO_TYPE raw", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_RAW);
	CHECK("SO_DOMAIN packet", getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l) == 0 && v == AF_PACKET);
	close(s);
	/* CAP_NET_RAW: a non-root user may not */
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		int r = socket(AF_PACKET, SOCK_RAW, 0);
		_exit(r < 0 && errno == EPERM ? 0 : 1);
	}
	int st;
	waitpid(p, &st, 0);
	CHECK("packet socket as nobody: EPERM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void bind_errors(int s)
{
	struct sockaddr_ll a = t_sll(lo, ETH_P_ALL);
	CHECK_ERR("bind with 19 bytes", bind(s, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
	a.sll_family = AF_INET;
	CHECK_ERR("bind with family AF_INET", bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	a = t_sll(999, ETH_P_ALL);
	CHECK_ERR("bind to ifindex 999", bind(s, (struct sockaddr *)&a, sizeof(a)), ENODEV);
	struct sockaddr_ll g;
	socklen_t gl = sizeof(g);
	CHECK_ERR("getpeername", getpeername(s, (struct sockaddr *)&g, &gl), EOPNOTSUPP);
	CHECK_ERR("connect", connect(s, (struct sockaddr *)&a, sizeof(a)), EOPNOTSUPP);
	CHECK_ERR("listen", listen(s, 1), EOPNOTSUPP);
	CHECK_ERR("shutdown", shutdown(s, SHUT_RDWR), EOPNOTSUPP);
}

/* lo down: a bind to it succeeds but leaves ENETDOWN pending, sends fail */
static void lo_down(int ctl)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	struct sockaddr_ll a = t_sll(lo, ETH_P_ALL);
	CHECK_OK("bind to lo while down", bind(s, (struct sockaddr *)&a, sizeof(a)));
	uint8_t b[64];
	CHECK_ERR("recv after bind to a down lo", recv(s, b, sizeof(b), MSG_DONTWAIT), ENETDOWN);
	CHECK_ERR("then nothing", recv(s, b, sizeof(b), MSG_DONTWAIT), EAGAIN);
	t_frame(b, 60, zero_mac, src_mac, ETH_P_EXP1);
	CHECK_ERR("send on a down lo", sendto(s, b, 60, 0, (struct sockaddr *)&a, sizeof(a)), ENETDOWN);
	/* lo comes up: the socket hears again (not rebound, as Linux) */
	t_lo_set_up(ctl, 1);
	int r = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK("send on lo now up", sendto(r, b, 60, 0, (struct sockaddr *)&a, sizeof(a)) == 60);
	CHECK("the socket bound while lo was down hears it", t_readable(s) && t_drain(s) == 2);
	/* lo going down with the socket bound: ENETDOWN */
	t_lo_set_up(ctl, 0);
	CHECK_ERR("recv after lo went down", recv(s, b, sizeof(b), MSG_DONTWAIT), ENETDOWN);
	t_lo_set_up(ctl, 1);
	CHECK("send after lo is up again", sendto(r, b, 60, 0, (struct sockaddr *)&a, sizeof(a)) == 60);
	CHECK("heard again after lo came back", t_readable(s) && t_drain(s) == 2);
	close(r);
	close(s);
}

static void send_errors(int s)
{
	uint8_t b[128];
	t_frame(b, 60, zero_mac, src_mac, ETH_P_EXP1);
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	CHECK_ERR("sendto with 19-byte address", sendto(s, b, 60, 0, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
	a.sll_halen = 20;
	CHECK_ERR("sendto with halen past the address", sendto(s, b, 60, 0, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	a = t_sll(999, ETH_P_EXP1);
	CHECK_ERR("sendto ifindex 999", sendto(s, b, 60, 0, (struct sockaddr *)&a, sizeof(a)), ENXIO);
	int u = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK_ERR("send unbound without address", send(u, b, 60, 0), ENXIO);
	close(u);
	a = t_sll(lo, ETH_P_EXP1);
	CHECK_ERR("raw frame shorter than a link header", sendto(s, b, 13, 0, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	CHECK("raw frame of just a link header", sendto(s, b, 14, 0, (struct sockaddr *)&a, sizeof(a)) == 14);
	static uint8_t big[65536 + 14 + 4 + 1];
	t_frame(big, sizeof(big), zero_mac, src_mac, ETH_P_EXP1);
	CHECK_ERR("frame above lo's MTU", sendto(s, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a)), EMSGSIZE);
	CHECK("frame of lo's MTU plus header", sendto(s, big, 65536 + 14, 0, (struct sockaddr *)&a, sizeof(a)) == 65536 + 14);
	CHECK_ERR("MSG_CMSG_CLOEXEC on recv", recv(s, b, 10, MSG_CMSG_CLOEXEC | MSG_DONTWAIT), EINVAL);
	CHECK_ERR("MSG_WAITALL on recv", recv(s, b, 10, MSG_WAITALL | MSG_DONTWAIT), EINVAL);
	CHECK_ERR("MSG_ERRQUEUE with nothing queued", recv(s, b, 10, MSG_ERRQUEUE), EAGAIN);
}

/* A capture socket sees a raw send twice, the sender once. */
static void twice(int cap, int snd)
{
	uint8_t f[100], b[2048];
	t_frame(f, 60, zero_mac, src_mac, ETH_P_EXP1);
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	CHECK("raw send of 60 bytes", sendto(snd, f, 60, 0, (struct sockaddr *)&a, sizeof(a)) == 60);
	ssize_t n = recv_show(cap, "capture 1st", b, sizeof(b));
	CHECK("capture 1st is the frame sent", n == 60 && !memcmp(b, f, 60));
	n = recv_show(cap, "capture 2nd", b, sizeof(b));
	CHECK("capture 2nd is the frame sent", n == 60 && !memcmp(b, f, 60));
	n = recv_show(snd, "sender", b, sizeof(b));
	CHECK("sender hears it once, not as outgoing", n == 60 && t_drain(snd) == 0);
	/* the filter: another EtherType is not for the capture socket */
	t_frame(f, 60, zero_mac, src_mac, ETH_P_EXP2);
	a.sll_protocol = htons(ETH_P_EXP2);
	CHECK("raw send of EtherType 0x88b6", sendto(snd, f, 60, 0, (struct sockaddr *)&a, sizeof(a)) == 60);
	CHECK("the filter keeps 0x88b6 out", !t_readable(cap) || t_drain(cap) == 0);
	t_drain(snd);
	/* sll_protocol 0 on a raw send: the protocol comes from the frame */
	t_frame(f, 70, zero_mac, src_mac, ETH_P_EXP1);
	a.sll_protocol = 0;
	CHECK("raw send with protocol 0", sendto(snd, f, 70, 0, (struct sockaddr *)&a, sizeof(a)) == 70);
	recv_show(cap, "protocol 0, outgoing", b, sizeof(b));
	recv_show(cap, "protocol 0, received", b, sizeof(b));
	/* a protocol given that the frame does not carry: outgoing keeps it,
	 * received frames have their own */
	a.sll_protocol = htons(0x1234);
	CHECK("raw send with protocol 0x1234", sendto(snd, f, 70, 0, (struct sockaddr *)&a, sizeof(a)) == 70);
	recv_show(cap, "protocol 0x1234, outgoing", b, sizeof(b));
	recv_show(cap, "protocol 0x1234, received", b, sizeof(b));
	t_drain(snd);
}

/* pkt_type by destination on lo, whose own address is zeros */
static void pkttypes(int cap, int snd)
{
	const uint8_t *dsts[] = { zero_mac, bcast_mac, mcast_mac, other_mac };
	const char *names[] = { "to 00:00:00:00:00:00", "to ff:ff:ff:ff:ff:ff", "to 01:00:5e:01:02:03",
				"to 02:11:22:33:44:55" };
	uint8_t f[64], b[128];
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	for (int i = 0; i < 4; i++) {
		t_frame(f, 64, dsts[i], src_mac, ETH_P_EXP1);
		sendto(snd, f, 64, 0, (struct sockaddr *)&a, sizeof(a));
		char w[64];
		snprintf(w, sizeof(w), "%s out", names[i]);
		recv_show(cap, w, b, sizeof(b));
		snprintf(w, sizeof(w), "%s in", names[i]);
		recv_show(cap, w, b, sizeof(b));
	}
	t_drain(snd);
}

/* MSG_TRUNC both ways, MSG_PEEK, FIONREAD, SIOCGSTAMP */
static void trunc_peek(int cap, int snd)
{
	uint8_t f[200], b[200];
	t_frame(f, 150, zero_mac, src_mac, ETH_P_EXP1);
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	struct timeval tv;
	int fresh = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK_ERR("SIOCGSTAMP before anything was read", ioctl(fresh, SIOCGSTAMP, &tv), ENOENT);
	close(fresh);
	sendto(snd, f, 150, 0, (struct sockaddr *)&a, sizeof(a));
	CHECK("readable", t_readable(cap));
	int q = -1;
	CHECK("FIONREAD is the first frame's length", ioctl(cap, FIONREAD, &q) == 0 && q == 150);
	CHECK("MSG_PEEK sees it", recv(cap, b, sizeof(b), MSG_PEEK) == 150);
	struct iovec iov = { b, 20 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(cap, &m, 0);
	CHECK("a 20-byte buffer gets 20 bytes and MSG_TRUNC", n == 20 && (m.msg_flags & MSG_TRUNC));
	CHECK("those are the frame's first bytes", !memcmp(b, f, 20));
	CHECK("SIOCGSTAMP after a read", ioctl(cap, SIOCGSTAMP, &tv) == 0 && tv.tv_sec > 0);
	m.msg_flags = 0;
	n = recvmsg(cap, &m, MSG_TRUNC);
	CHECK("with MSG_TRUNC asked, the whole length is returned", n == 150 && (m.msg_flags & MSG_TRUNC));
	CHECK("FIONREAD with nothing queued", ioctl(cap, FIONREAD, &q) == 0 && q == 0);
	int o = -1;
	CHECK("SIOCOUTQ", ioctl(cap, SIOCOUTQ, &o) == 0 && o == 0);
	t_drain(snd);
}

/* SOCK_DGRAM: the link header is gone on receive and built on send */
static void cooked(int cap, int snd)
{
	int d = socket(AF_PACKET, SOCK_DGRAM, 0);
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	CHECK_OK("bind dgram socket to lo, 0x88b5", bind(d, (struct sockaddr *)&a, sizeof(a)));
	uint8_t f[80], b[128];
	t_frame(f, 80, zero_mac, src_mac, ETH_P_EXP1);
	sendto(snd, f, 80, 0, (struct sockaddr *)&a, sizeof(a));
	ssize_t n = recv_show(d, "cooked", b, sizeof(b));
	CHECK("cooked: the payload only", n == 66 && !memcmp(b, f + 14, 66));
	CHECK("cooked: heard once (a typed socket gets no outgoing copies)", t_drain(d) == 0);
	t_drain(cap);
	t_drain(snd);
	/* send: the header from sll_addr and sll_protocol */
	uint8_t payload[40];
	for (int i = 0; i < 40; i++)
		payload[i] = (uint8_t)(0xa0 + i);
	a = t_sll(lo, ETH_P_EXP1);
	a.sll_halen = 6;
	memcpy(a.sll_addr, other_mac, 6);
	CHECK("cooked send of 40 bytes", sendto(d, payload, 40, 0, (struct sockaddr *)&a, sizeof(a)) == 40);
	n = recv_show(cap, "cooked send, outgoing", b, sizeof(b));
	CHECK("built header: to sll_addr, from lo (zeros), type 0x88b5",
	      n == 54 && !memcmp(b, other_mac, 6) && !memcmp(b + 6, zero_mac, 6) && b[12] == 0x88 && b[13] == 0xb5 &&
		      !memcmp(b + 14, payload, 40));
	recv_show(cap, "cooked send, received", b, sizeof(b));
	n = recv_show(d, "cooked send, back to the sender", b, sizeof(b));
	/* no address: the bound device and protocol; on lo the destination is zeros */
	CHECK("cooked send without address", send(d, payload, 40, 0) == 40);
	n = recv_show(cap, "cooked, no address, outgoing", b, sizeof(b));
	CHECK("to 00:00:00:00:00:00", n == 54 && !memcmp(b, zero_mac, 6));
	t_drain(cap);
	t_drain(d);
	a.sll_halen = 0;
	CHECK_ERR("cooked sendto with an address shorter than lo's (namelen 17)",
		  sendto(d, payload, 40, 0, (struct sockaddr *)&a, 17), EINVAL);
	close(d);
}

/* PACKET_AUXDATA; a VLAN tag comes off received frames */
static void auxdata(int cap, int snd)
{
	int one = 1;
	CHECK_OK("PACKET_AUXDATA on", setsockopt(cap, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)));
	int v = 0;
	socklen_t l = sizeof(v);
	CHECK("PACKET_AUXDATA reads back 1", getsockopt(cap, SOL_PACKET, PACKET_AUXDATA, &v, &l) == 0 && v == 1);
	uint8_t f[80], b[128];
	/* 802.1Q tag: TCI 0x2064 (priority 1, VLAN 100), then EtherType 0x88b5 */
	t_frame(f, 78, zero_mac, src_mac, ETH_P_8021Q);
	f[14] = 0x20;
	f[15] = 0x64;
	f[16] = 0x88;
	f[17] = 0xb5;
	struct sockaddr_ll a = t_sll(lo, ETH_P_8021Q);
	sendto(snd, f, 78, 0, (struct sockaddr *)&a, sizeof(a));
	/* the outgoing copy still has its tag at byte 12: the 0x88b5 filter
	 * drops it; the received one is untagged and kept */
	CHECK("readable", t_readable(cap));
	char ctl[256];
	struct iovec iov = { b, sizeof(b) };
	struct sockaddr_ll from;
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(cap, &m, MSG_DONTWAIT);
	CHECK("one frame, untagged: 74 bytes", n == 74);
	CHECK("untagged: the MACs then type 0x88b5", n >= 14 && !memcmp(b, f, 12) && b[12] == 0x88 && b[13] == 0xb5);
	CHECK("untagged: the payload after the tag", n == 74 && !memcmp(b + 14, f + 18, 60));
	printf("vlan frame: %s proto %04x\n", pkttype_name(from.sll_pkttype), ntohs(from.sll_protocol));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	CHECK("a control message", c != NULL);
	if (c) {
		struct tpacket_auxdata aux;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		printf("auxdata: level %d type %d len %zu status %#x len %u snaplen %u mac %u net %u tci %#x tpid %#x\n",
		       c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len, aux.tp_status, aux.tp_len, aux.tp_snaplen,
		       aux.tp_mac, aux.tp_net, aux.tp_vlan_tci, aux.tp_vlan_tpid);
		CHECK("auxdata: TP_STATUS_VLAN_VALID", aux.tp_status & TP_STATUS_VLAN_VALID);
	}
	CHECK("nothing else", t_drain(cap) == 0);
	/* a small control buffer: MSG_CTRUNC */
	sendto(snd, f, 78, 0, (struct sockaddr *)&a, sizeof(a));
	CHECK("readable", t_readable(cap));
	m.msg_controllen = sizeof(struct cmsghdr) + 4;
	m.msg_flags = 0;
	n = recvmsg(cap, &m, MSG_DONTWAIT);
	CHECK("a short control buffer: MSG_CTRUNC", n == 74 && (m.msg_flags & MSG_CTRUNC));
	/* the filter sees the tag too */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xfff),
		BPF_STMT(BPF_RET | BPF_A, 0),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog p = { .len = 6, .filter = code };
	int vs = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK_OK("attach a VLAN filter (keeps vlan-id bytes)", setsockopt(vs, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	struct sockaddr_ll al = t_sll(lo, ETH_P_ALL);
	bind(vs, (struct sockaddr *)&al, sizeof(al));
	sendto(snd, f, 78, 0, (struct sockaddr *)&a, sizeof(a));
	t_frame(f, 60, zero_mac, src_mac, ETH_P_EXP1);
	sendto(snd, f, 60, 0, (struct sockaddr *)&a, sizeof(a));
	n = t_readable(vs) ? recv(vs, b, sizeof(b), MSG_TRUNC | MSG_DONTWAIT) : -1;
	CHECK("the tagged frame, cut to 100 bytes by the filter (74 here)", n == 74);
	CHECK("and nothing else", t_drain(vs) == 0);
	close(vs);
	t_drain(cap);
	t_drain(snd);
	one = 0;
	setsockopt(cap, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
}

static void statistics(int snd)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	t_attach_type_filter(s, ETH_P_EXP2);
	struct sockaddr_ll a = t_sll(lo, ETH_P_ALL);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	struct tpacket_stats st;
	socklen_t l = sizeof(st);
	CHECK("PACKET_STATISTICS clears on read", getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &l) == 0 && l == 8);
	uint8_t f[100];
	t_frame(f, 100, zero_mac, src_mac, ETH_P_EXP2);
	a.sll_protocol = htons(ETH_P_EXP2);
	for (int i = 0; i < 5; i++)
		sendto(snd, f, 100, 0, (struct sockaddr *)&a, sizeof(a));
	t_readable(s);
	l = sizeof(st);
	getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &l);
	printf("5 frames sent: packets %u drops %u\n", st.tp_packets, st.tp_drops);
	l = sizeof(st);
	getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &l);
	printf("read again: packets %u drops %u\n", st.tp_packets, st.tp_drops);
	CHECK("the 10 frames are still queued", t_drain(s) == 10);
	l = 4;
	CHECK("PACKET_STATISTICS into 4 bytes", getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &l) == 0 && l == 4);
	/* a small SO_RCVBUF: the queue fills and the rest are drops */
	int rb = 1;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	for (int i = 0; i < 50; i++)
		sendto(snd, f, 100, 0, (struct sockaddr *)&a, sizeof(a));
	t_readable(s);
	l = sizeof(st);
	getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &l);
	int queued = t_drain(s);
	CHECK("SO_RCVBUF 2304: 100 frames seen in all", st.tp_packets == 100);
	CHECK("some dropped", st.tp_drops > 0 && st.tp_drops < 100);
	CHECK("the rest were queued", queued == (int)(st.tp_packets - st.tp_drops));
	close(s);
	t_drain(snd);
}

static void memberships(int cap)
{
	struct packet_mreq mr;
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = lo;
	mr.mr_type = PACKET_MR_PROMISC;
	CHECK_OK("PACKET_MR_PROMISC on lo", setsockopt(cap, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)));
	CHECK_OK("twice", setsockopt(cap, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)));
	CHECK_OK("dropped once", setsockopt(cap, SOL_PACKET, PACKET_DROP_MEMBERSHIP, &mr, sizeof(mr)));
	mr.mr_type = PACKET_MR_ALLMULTI;
	CHECK_OK("PACKET_MR_ALLMULTI on lo", setsockopt(cap, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)));
	mr.mr_type = PACKET_MR_MULTICAST;
	mr.mr_alen = 6;
	memcpy(mr.mr_address, mcast_mac, 6);
	CHECK_OK("PACKET_MR_MULTICAST 01:00:5e:01:02:03", setsockopt(cap, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)));
	mr.mr_alen = 3;
	CHECK_ERR("PACKET_MR_MULTICAST with a 3-byte address", setsockopt(cap, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)), EINVAL);
	mr.mr_alen = 9;
	CHECK_ERR("an address longer than lo's", setsockopt(cap, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)), EINVAL);
	mr.mr_alen = 0;
	mr.mr_ifindex = 999;
	CHECK_ERR("membership of ifindex 999", setsockopt(cap, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)), ENODEV);
	CHECK_ERR("membership with 15 bytes", setsockopt(cap, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, 15), EINVAL);
	CHECK_OK("dropping one never added", setsockopt(cap, SOL_PACKET, PACKET_DROP_MEMBERSHIP, &mr, sizeof(mr)));
	mr.mr_ifindex = lo;
	mr.mr_type = 77;
	CHECK_OK("an unknown membership type", setsockopt(cap, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)));
	/* memberships end with the socket (close) */
}

static void names(int cap)
{
	struct sockaddr_ll g;
	socklen_t gl = sizeof(g);
	memset(&g, 0x77, sizeof(g));
	CHECK_OK("getsockname", getsockname(cap, (struct sockaddr *)&g, &gl));
	printf("getsockname: len %u family %u proto %04x ifindex==lo %d hatype %u pkttype %u halen %u\n", gl,
	       g.sll_family, ntohs(g.sll_protocol), g.sll_ifindex == lo, g.sll_hatype, g.sll_pkttype, g.sll_halen);
	int u = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	gl = sizeof(g);
	getsockname(u, (struct sockaddr *)&g, &gl);
	printf("unbound: len %u proto %04x ifindex %d halen %u\n", gl, ntohs(g.sll_protocol), g.sll_ifindex, g.sll_halen);
	close(u);
}

static void poll_events(int cap, int snd)
{
	struct pollfd p = { .fd = cap, .events = POLLIN | POLLOUT };
	CHECK("poll: writable, nothing to read", poll(&p, 1, 0) == 1 && p.revents == POLLOUT);
	uint8_t f[60];
	t_frame(f, 60, zero_mac, src_mac, ETH_P_EXP1);
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	sendto(snd, f, 60, 0, (struct sockaddr *)&a, sizeof(a));
	CHECK("poll: readable", poll(&p, 1, 1000) == 1 && p.revents == (POLLIN | POLLOUT));
	t_drain(cap);
	t_drain(snd);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = cap }, got;
	CHECK_OK("epoll_ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, cap, &ev));
	CHECK("epoll: nothing yet", epoll_wait(ep, &got, 1, 0) == 0);
	sendto(snd, f, 60, 0, (struct sockaddr *)&a, sizeof(a));
	CHECK("epoll: readable (edge)", epoll_wait(ep, &got, 1, 1000) == 1 && got.events == EPOLLIN && got.data.fd == cap);
	CHECK("epoll: no new edge", epoll_wait(ep, &got, 1, 0) == 0);
	close(ep);
	t_drain(cap);
	t_drain(snd);
}

/* /proc/net/packet: our sockets, oldest first; the sk column hidden */
static void proc_net_packet(void)
{
	FILE *f = fopen("/proc/net/packet", "r");
	CHECK("/proc/net/packet opens", f != NULL);
	if (!f)
		return;
	char line[256];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (n++ == 0) {
			printf("proc header: %s", line);
			continue;
		}
		char sk[32];
		int ref, type, ifindex, running;
		unsigned proto, rmem, user;
		unsigned long ino;
		if (sscanf(line, "%31s %d %d %x %d %d %u %u %lu", sk, &ref, &type, &proto, &ifindex, &running, &rmem,
			   &user, &ino) != 9) {
			printf("proc line unparsed: %s", line);
			continue;
		}
		printf("proc: refcnt %d type %d proto %04x ifindex==lo %d running %d rmem %u user %u ino>0 %d\n", ref, type,
		       proto, ifindex == lo, running, rmem, user, ino > 0);
	}
	fclose(f);
}

int main(void)
{
	lo = t_lo_index();
	CHECK("lo has an index", lo > 0);
	creation();
	int ctl = socket(AF_PACKET, SOCK_DGRAM, 0);
	bind_errors(ctl);
	lo_down(ctl);

	/* the capture socket: protocol 0 until bound, so nothing arrives
	 * before its filter is on */
	int cap = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK_OK("attach an EtherType 0x88b5 filter", t_attach_type_filter(cap, ETH_P_EXP1));
	struct sockaddr_ll a = t_sll(lo, ETH_P_ALL);
	CHECK_OK("bind capture to lo, ETH_P_ALL", bind(cap, (struct sockaddr *)&a, sizeof(a)));
	int snd = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK_OK("attach the same filter to the sender", t_attach_type_filter(snd, ETH_P_EXP1));
	CHECK_OK("bind sender to lo, ETH_P_ALL", bind(snd, (struct sockaddr *)&a, sizeof(a)));

	send_errors(snd);
	t_drain(cap);
	t_drain(snd);
	twice(cap, snd);
	pkttypes(cap, snd);
	trunc_peek(cap, snd);
	cooked(cap, snd);
	auxdata(cap, snd);
	statistics(snd);
	memberships(cap);
	names(cap);
	poll_events(cap, snd);
	proc_net_packet();
	close(cap);
	close(snd);
	close(ctl);
	return t_failures ? 1 : 0;
}
