/* Fragmentation and reassembly on lo. Output: with lo's MTU lowered to
 * 1500, a 4000-byte UDP datagram leaves as three fragments and comes
 * back whole; IP_MTU_DISCOVER=DO refuses it (EMSGSIZE, an IP_RECVERR
 * report with the MTU); IP_MTU. Input: fragments written by hand through
 * an IP_HDRINCL socket, in order, out of order, duplicated, overlapping
 * (the datagram is dropped, as Linux since 3.x), inconsistent, too long
 * in all, and one left alone until ipfrag_time runs out. */
#include "net.h"
#include <linux/errqueue.h>

static int set_mtu(int mtu)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq r;
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	r.ifr_mtu = mtu;
	int e = ioctl(s, SIOCSIFMTU, &r);
	close(s);
	return e;
}

static long long d(long long before, const char *t, const char *n) { return t_counter(t, n) - before; }

static void output(void)
{
	CHECK_OK("lo MTU 1500", set_mtu(1500));
	struct sockaddr_in ra;
	int r = t_udp_bound(&ra);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	static char big[4000], got[5000];
	for (int i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)(i * 7);
	long long creates = t_counter("Ip", "FragCreates"), oks = t_counter("Ip", "FragOKs"),
		  reqds = t_counter("Ip", "ReasmReqds"), rok = t_counter("Ip", "ReasmOKs");
	CHECK("send 4000 bytes", sendto(s, big, sizeof(big), 0, (struct sockaddr *)&ra, sizeof(ra)) == 4000);
	CHECK("received whole", recv(r, got, sizeof(got), 0) == 4000 && !memcmp(got, big, 4000));
	CHECK("three fragments made", d(creates, "Ip", "FragCreates") == 3 && d(oks, "Ip", "FragOKs") == 1);
	CHECK("three fragments reassembled", d(reqds, "Ip", "ReasmReqds") == 3 && d(rok, "Ip", "ReasmOKs") == 1);
	int on = 1;
	setsockopt(r, SOL_IP, IP_RECVFRAGSIZE, &on, sizeof(on));
	sendto(s, big, sizeof(big), 0, (struct sockaddr *)&ra, sizeof(ra));
	char ctl[64];
	struct iovec iov = { got, sizeof(got) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	CHECK("recvmsg", recvmsg(r, &mh, 0) == 4000);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	CHECK("IP_RECVFRAGSIZE: the largest fragment, 1500", c && c->cmsg_type == IP_RECVFRAGSIZE &&
	      *(int *)CMSG_DATA(c) == 1500);
	/* exactly the MTU is one datagram */
	creates = t_counter("Ip", "FragCreates");
	sendto(s, big, 1500 - 28, 0, (struct sockaddr *)&ra, sizeof(ra));
	CHECK("1472 bytes: not fragmented", recv(r, got, sizeof(got), 0) == 1472 && d(creates, "Ip", "FragCreates") == 0);

	/* path MTU discovery "do": no fragmenting, EMSGSIZE */
	int v = IP_PMTUDISC_DO;
	CHECK_OK("IP_MTU_DISCOVER DO", setsockopt(s, SOL_IP, IP_MTU_DISCOVER, &v, sizeof(v)));
	CHECK_ERR("4000 bytes with DF", sendto(s, big, sizeof(big), 0, (struct sockaddr *)&ra, sizeof(ra)), EMSGSIZE);
	CHECK("1472 bytes with DF", sendto(s, big, 1472, 0, (struct sockaddr *)&ra, sizeof(ra)) == 1472 &&
	      recv(r, got, sizeof(got), 0) == 1472);
	CHECK_ERR("1473 bytes with DF", sendto(s, big, 1473, 0, (struct sockaddr *)&ra, sizeof(ra)), EMSGSIZE);
	setsockopt(s, SOL_IP, IP_RECVERR, &on, sizeof(on));
	sendto(s, big, sizeof(big), 0, (struct sockaddr *)&ra, sizeof(ra));
	mh.msg_controllen = sizeof(ctl);
	iov.iov_len = sizeof(got);
	CHECK("the error queue has a local report", recvmsg(s, &mh, MSG_ERRQUEUE) == 0 && (mh.msg_flags & MSG_ERRQUEUE));
	c = CMSG_FIRSTHDR(&mh);
	struct sock_extended_err *ee = c ? (struct sock_extended_err *)CMSG_DATA(c) : NULL;
	CHECK("EMSGSIZE from here (origin local), MTU 1500", ee && ee->ee_errno == EMSGSIZE &&
	      ee->ee_origin == SO_EE_ORIGIN_LOCAL && ee->ee_info == 1500);
	v = IP_PMTUDISC_DONT;
	setsockopt(s, SOL_IP, IP_MTU_DISCOVER, &v, sizeof(v));
	CHECK("DONT: fragmented again", sendto(s, big, sizeof(big), 0, (struct sockaddr *)&ra, sizeof(ra)) == 4000 &&
	      recv(r, got, sizeof(got), 0) == 4000);
	v = 9;
	CHECK_ERR("IP_MTU_DISCOVER 9", setsockopt(s, SOL_IP, IP_MTU_DISCOVER, &v, sizeof(v)), EINVAL);
	socklen_t l = sizeof(v);
	CHECK_ERR("IP_MTU unconnected", getsockopt(s, SOL_IP, IP_MTU, &v, &l), ENOTCONN);
	connect(s, (struct sockaddr *)&ra, sizeof(ra));
	l = sizeof(v);
	CHECK("IP_MTU connected: 1500", !getsockopt(s, SOL_IP, IP_MTU, &v, &l) && v == 1500);
	close(s);
	close(r);
	CHECK_ERR("SIOCSIFMTU -1", set_mtu(-1), EINVAL);
	CHECK_OK("lo MTU back to 65536", set_mtu(65536));
}

/* One fragment of a UDP datagram to port through a raw IP_HDRINCL socket:
 * bytes [off, off+len) of the IP payload (UDP header + data) in udp. */
static void frag(int h, uint16_t id, const uint8_t *udp, int off, int len, int more)
{
	uint8_t pkt[1600];
	struct iphdr *ip = (struct iphdr *)pkt;
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->id = htons(id);
	ip->frag_off = htons((uint16_t)((off / 8) | (more ? 0x2000 : 0)));
	ip->saddr = ip->daddr = htonl(INADDR_LOOPBACK);
	memcpy(pkt + 20, udp + off, (size_t)len);
	struct sockaddr_in dst = t_sin("127.0.0.1", 0);
	if (sendto(h, pkt, (size_t)(20 + len), 0, (struct sockaddr *)&dst, sizeof(dst)) != 20 + len)
		printf("fragment send failed: %s\n", strerror(errno));
}

/* A 2000-byte UDP datagram (8 + 1992) from port 5555 to port. */
static void make_udp(uint8_t *u, int port, char fill)
{
	struct udphdr *uh = (struct udphdr *)u;
	uh->source = htons(5555);
	uh->dest = htons((uint16_t)port);
	uh->len = htons(2000);
	uh->check = 0;	/* no checksum */
	memset(u + 8, fill, 1992);
}

static void input(void)
{
	struct sockaddr_in ra;
	int r = t_udp_bound(&ra);
	int port = ntohs(ra.sin_port);
	int h = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	uint8_t u[2000];
	char got[3000];
	make_udp(u, port, 'a');
	frag(h, 100, u, 0, 1000, 1);
	CHECK("one fragment: nothing yet", !t_readable(r, 50));
	frag(h, 100, u, 1000, 1000, 0);
	CHECK("in order: 1992 bytes", recv(r, got, sizeof(got), MSG_DONTWAIT) == 1992 && got[0] == 'a' && got[1991] == 'a');

	make_udp(u, port, 'b');
	frag(h, 101, u, 1600, 400, 0);
	frag(h, 101, u, 800, 800, 1);
	frag(h, 101, u, 0, 800, 1);
	CHECK("last first, then the rest backwards", recv(r, got, sizeof(got), MSG_DONTWAIT) == 1992 && got[5] == 'b');

	make_udp(u, port, 'c');
	long long fails = t_counter("Ip", "ReasmFails"), overlaps = t_counter("IpExt", "ReasmOverlaps");
	frag(h, 102, u, 0, 800, 1);
	frag(h, 102, u, 0, 800, 1);
	frag(h, 102, u, 0, 400, 1);
	frag(h, 102, u, 800, 1200, 0);
	CHECK("duplicates are dropped alone", recv(r, got, sizeof(got), MSG_DONTWAIT) == 1992 && got[9] == 'c');
	CHECK("no failure counted", d(fails, "Ip", "ReasmFails") == 0 && d(overlaps, "IpExt", "ReasmOverlaps") == 0);

	make_udp(u, port, 'd');
	frag(h, 103, u, 0, 800, 1);
	frag(h, 103, u, 400, 800, 1);
	frag(h, 103, u, 1200, 800, 0);
	CHECK("an overlap drops the datagram", !t_readable(r, 50));
	CHECK("counted as overlap and failure", d(fails, "Ip", "ReasmFails") == 1 && d(overlaps, "IpExt", "ReasmOverlaps") == 1);
	frag(h, 103, u, 0, 1200, 1);
	frag(h, 103, u, 1200, 800, 0);
	CHECK("the id may be used again afterwards", recv(r, got, sizeof(got), MSG_DONTWAIT) == 1992);

	/* two last fragments that disagree */
	fails = t_counter("Ip", "ReasmFails");
	frag(h, 104, u, 1200, 800, 0);
	frag(h, 104, u, 1200, 400, 0);
	CHECK("different ends: dropped", d(fails, "Ip", "ReasmFails") == 1);
	/* a last fragment before data already queued */
	frag(h, 105, u, 1200, 800, 1);
	frag(h, 105, u, 800, 400, 0);
	CHECK("data past the end: dropped", d(fails, "Ip", "ReasmFails") == 2);
	/* more than 65535 bytes in all */
	static uint8_t huge[66000];
	memcpy(huge, u, 8);
	frag(h, 106, huge, 0, 1000, 1);
	frag(h, 106, huge, 65000, 600, 0);
	for (int off = 1000; off < 65000; off += 1400)
		frag(h, 106, huge, off, off + 1400 > 65000 ? 65000 - off : 1400, 1);
	CHECK("over 65535 bytes: dropped", d(fails, "Ip", "ReasmFails") == 3 && !t_readable(r, 50));

	/* a lone fragment times out: ICMP time exceeded (reassembly) */
	FILE *f = fopen("/proc/sys/net/ipv4/ipfrag_time", "w");
	CHECK("ipfrag_time 1", f && fputs("1\n", f) >= 0 && !fclose(f));
	int ic = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	long long to = t_counter("Ip", "ReasmTimeout");
	frag(h, 107, u, 0, 800, 1);
	sleep(2);
	CHECK("timed out", d(to, "Ip", "ReasmTimeout") == 1);
	uint8_t buf[1500];
	/* Linux routes the first fragment again as if it came from outside,
	 * where 127.0.0.1 is martian: no ICMP time exceeded on lo */
	CHECK("from ourselves: no ICMP time exceeded", recv(ic, buf, sizeof(buf), MSG_DONTWAIT) == -1);
	f = fopen("/proc/sys/net/ipv4/ipfrag_time", "w");
	if (f) {
		fputs("30\n", f);
		fclose(f);
	}
	/* a non-first lone fragment times out silently */
	frag(h, 108, u, 800, 800, 1);
	close(ic);
	close(h);
	close(r);
}

int main(void)
{
	t_lo_up();
	output();
	input();
	return t_done();
}
