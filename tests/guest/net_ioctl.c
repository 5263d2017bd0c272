/* The configuration ioctls busybox ifconfig and route use, on lo:
 * device flags, index, name, MTU, hardware address, SIOCGIFCONF; the
 * address ioctls with Linux's rules (the class's netmask, 0.0.0.0
 * removes, alias labels, bad masks); SIOCADDRT/SIOCDELRT and what
 * /proc/net/route shows; and who may change things. */
#include "net.h"
#include <net/route.h>

static int sk;

static int ifr(unsigned long cmd, const char *name, struct ifreq *r)
{
	if (name) {
		memset(r, 0, sizeof(*r));
		snprintf(r->ifr_name, IFNAMSIZ, "%s", name);
	}
	return ioctl(sk, cmd, r);
}

static const char *addr_of(struct ifreq *r)
{
	return inet_ntoa(((struct sockaddr_in *)&r->ifr_addr)->sin_addr);
}

static void show_addr(unsigned long cmd, const char *what, const char *name)
{
	struct ifreq r;
	if (ifr(cmd, name, &r))
		printf("%s %s: %s\n", what, name, strerror(errno));
	else
		printf("%s %s: %s\n", what, name, addr_of(&r));
}

static void show_route_file(void)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		while (n > 1 && line[n - 2] == ' ')	/* lines are padded to 127 */
			line[--n - 1] = '\n', line[n] = 0;
		printf("route: %s", line);
	}
	if (f)
		fclose(f);
}

static void device(void)
{
	struct ifreq r;
	CHECK("SIOCGIFINDEX lo is 1", !ifr(SIOCGIFINDEX, "lo", &r) && r.ifr_ifindex == 1);
	memset(&r, 0, sizeof(r));
	r.ifr_ifindex = 1;
	CHECK("SIOCGIFNAME 1 is lo", !ifr(SIOCGIFNAME, NULL, &r) && !strcmp(r.ifr_name, "lo"));
	r.ifr_ifindex = 99;
	CHECK_ERR("SIOCGIFNAME 99", ifr(SIOCGIFNAME, NULL, &r), ENODEV);
	CHECK_ERR("SIOCGIFFLAGS nosuch0", ifr(SIOCGIFFLAGS, "nosuch0", &r), ENODEV);
	CHECK("lo starts down", !ifr(SIOCGIFFLAGS, "lo", &r) && r.ifr_flags == IFF_LOOPBACK);
	CHECK("SIOCGIFMTU 65536", !ifr(SIOCGIFMTU, "lo", &r) && r.ifr_mtu == 65536);
	CHECK("SIOCGIFHWADDR: loopback type, zero address", !ifr(SIOCGIFHWADDR, "lo", &r) &&
	      r.ifr_hwaddr.sa_family == 772 && !memcmp(r.ifr_hwaddr.sa_data, "\0\0\0\0\0\0", 6));
	CHECK("SIOCGIFTXQLEN 1000", !ifr(SIOCGIFTXQLEN, "lo", &r) && r.ifr_qlen == 1000);
	CHECK("SIOCGIFMETRIC 0", !ifr(SIOCGIFMETRIC, "lo", &r) && r.ifr_metric == 0);
	CHECK_ERR("no address yet", ifr(SIOCGIFADDR, "lo", &r), EADDRNOTAVAIL);
	/* as on Linux, bringing lo up gives it 127.0.0.1/8 */
	ifr(SIOCGIFFLAGS, "lo", &r);
	r.ifr_flags |= IFF_UP;
	CHECK_OK("lo up", ifr(SIOCSIFFLAGS, NULL, &r));
	CHECK("flags: up, loopback, running", !ifr(SIOCGIFFLAGS, "lo", &r) &&
	      r.ifr_flags == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
	show_addr(SIOCGIFADDR, "address", "lo");
	show_addr(SIOCGIFNETMASK, "netmask", "lo");
	show_addr(SIOCGIFBRDADDR, "broadcast", "lo");
	show_addr(SIOCGIFDSTADDR, "destination", "lo");
	/* one device's worth of another unix family's ioctls */
	int u = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	CHECK("SIOCGIFINDEX on an AF_UNIX socket", !ioctl(u, SIOCGIFINDEX, &r) && r.ifr_ifindex == 1);
	close(u);
}

static void addresses(void)
{
	struct ifreq r;
	t_ifreq_addr(&r, "lo:1", "10.20.30.40");
	CHECK_OK("SIOCSIFADDR lo:1 10.20.30.40", ifr(SIOCSIFADDR, NULL, &r));
	show_addr(SIOCGIFADDR, "address", "lo:1");
	show_addr(SIOCGIFNETMASK, "netmask (class A)", "lo:1");
	show_addr(SIOCGIFBRDADDR, "broadcast (lo has none)", "lo:1");
	show_addr(SIOCGIFADDR, "address", "lo");
	t_ifreq_addr(&r, "lo:1", "255.255.0.0");
	CHECK_OK("SIOCSIFNETMASK lo:1 /16", ifr(SIOCSIFNETMASK, NULL, &r));
	show_addr(SIOCGIFNETMASK, "netmask", "lo:1");
	t_ifreq_addr(&r, "lo:1", "255.0.255.0");
	CHECK_ERR("a mask with holes", ifr(SIOCSIFNETMASK, NULL, &r), EINVAL);
	t_ifreq_addr(&r, "lo:1", "224.1.1.1");
	CHECK_ERR("a multicast address", ifr(SIOCSIFADDR, NULL, &r), EINVAL);
	t_ifreq_addr(&r, "lo:1", "255.255.0.0");
	r.ifr_addr.sa_family = AF_UNIX;
	CHECK_ERR("a non-AF_INET address", ifr(SIOCSIFNETMASK, NULL, &r), EINVAL);
	CHECK_ERR("an alias that is not there", ifr(SIOCGIFADDR, "lo:7", &r), EADDRNOTAVAIL);
	/* the address is ours now: bind, and it answers */
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = t_sin("10.20.30.40", 0);
	CHECK_OK("bind 10.20.30.40", bind(s, (struct sockaddr *)&a, sizeof(a)));
	socklen_t l = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &l);
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[4];
	CHECK("a datagram to it arrives", sendto(c, "hi", 2, 0, (struct sockaddr *)&a, sizeof(a)) == 2 &&
	      recv(s, buf, sizeof(buf), MSG_DONTWAIT) == 2);
	struct sockaddr_in from;
	l = sizeof(from);
	sendto(c, "hi", 2, 0, (struct sockaddr *)&a, sizeof(a));
	recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &l);
	printf("sent from %s\n", inet_ntoa(from.sin_addr));
	close(c);
	/* an alias goes when it is set down */
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo:1");
	r.ifr_flags = 0;
	CHECK_OK("SIOCSIFFLAGS lo:1 without IFF_UP", ifr(SIOCSIFFLAGS, NULL, &r));
	CHECK_ERR("the alias is gone", ifr(SIOCGIFADDR, "lo:1", &r), EADDRNOTAVAIL);
	CHECK("lo itself stays up", !ifr(SIOCGIFFLAGS, "lo", &r) && (r.ifr_flags & IFF_UP));
	a = t_sin("10.20.30.40", 0);
	c = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_ERR("and its address is not ours", bind(c, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL);
	close(c);
	close(s);
	/* 0.0.0.0 removes an address */
	t_ifreq_addr(&r, "lo:2", "10.9.9.9");
	ifr(SIOCSIFADDR, NULL, &r);
	t_ifreq_addr(&r, "lo:2", "0.0.0.0");
	CHECK_OK("SIOCSIFADDR lo:2 0.0.0.0", ifr(SIOCSIFADDR, NULL, &r));
	CHECK_ERR("lo:2 has no address", ifr(SIOCGIFADDR, "lo:2", &r), EADDRNOTAVAIL);
	/* SIOCGIFCONF: one entry per address */
	struct ifreq list[8];
	struct ifconf ic = { .ifc_len = sizeof(list), .ifc_req = list };
	CHECK_OK("SIOCGIFCONF", ioctl(sk, SIOCGIFCONF, &ic));
	for (int i = 0; i < ic.ifc_len / (int)sizeof(struct ifreq); i++)
		printf("ifconf: %s %s\n", list[i].ifr_name, addr_of(&list[i]));
	struct ifconf none = { .ifc_len = 0, .ifc_buf = NULL };
	CHECK("SIOCGIFCONF without a buffer: the size", !ioctl(sk, SIOCGIFCONF, &none) && none.ifc_len == ic.ifc_len);
}

static int route(unsigned long cmd, const char *dst, const char *mask, const char *gw, const char *dev, int flags,
		 int metric)
{
	struct rtentry rt;
	memset(&rt, 0, sizeof(rt));
	struct sockaddr_in a = t_sin(dst, 0), m = t_sin(mask, 0), g = t_sin(gw ? gw : "0.0.0.0", 0);
	memcpy(&rt.rt_dst, &a, sizeof(a));
	memcpy(&rt.rt_genmask, &m, sizeof(m));
	memcpy(&rt.rt_gateway, &g, sizeof(g));
	rt.rt_flags = (unsigned short)(RTF_UP | flags | (gw ? RTF_GATEWAY : 0));
	rt.rt_metric = (short)metric;
	rt.rt_dev = (char *)dev;
	return ioctl(sk, cmd, &rt);
}

static void routes(void)
{
	CHECK_OK("route add -net 10.0.0.0/8 dev lo", route(SIOCADDRT, "10.0.0.0", "255.0.0.0", NULL, "lo", 0, 0));
	CHECK_ERR("the same again", route(SIOCADDRT, "10.0.0.0", "255.0.0.0", NULL, "lo", 0, 0), EEXIST);
	CHECK_OK("the same with metric 5", route(SIOCADDRT, "10.0.0.0", "255.0.0.0", NULL, "lo", 0, 6));
	CHECK_OK("route add -host 10.1.2.3 gw 10.0.0.1", route(SIOCADDRT, "10.1.2.3", "255.255.255.255", "10.0.0.1", NULL, RTF_HOST, 0));
	CHECK_ERR("a gateway on no connected network", route(SIOCADDRT, "172.16.0.0", "255.255.0.0", "192.168.1.1", NULL, 0, 0), ENETUNREACH);
	CHECK_ERR("host bits in the destination", route(SIOCADDRT, "10.0.0.1", "255.0.0.0", NULL, "lo", 0, 0), EINVAL);
	CHECK_ERR("a device that is not there", route(SIOCADDRT, "11.0.0.0", "255.0.0.0", NULL, "eth9", 0, 0), ENODEV);
	CHECK_OK("route add -net 192.168.7.0/24 reject", route(SIOCADDRT, "192.168.7.0", "255.255.255.0", NULL, NULL, RTF_REJECT, 0));
	CHECK_OK("route add default gw 127.0.0.1", route(SIOCADDRT, "0.0.0.0", "0.0.0.0", "127.0.0.1", NULL, 0, 0));
	show_route_file();
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in d = t_sin("192.168.7.9", 9);
	CHECK_ERR("to a reject route", sendto(s, "x", 1, 0, (struct sockaddr *)&d, sizeof(d)), EHOSTUNREACH);
	d = t_sin("10.200.0.1", 9);
	CHECK_OK("connect through lo's 10/8", connect(s, (struct sockaddr *)&d, sizeof(d)));
	struct sockaddr_in me;
	socklen_t l = sizeof(me);
	getsockname(s, (struct sockaddr *)&me, &l);
	printf("source for 10.200.0.1: %s\n", inet_ntoa(me.sin_addr));
	close(s);
	CHECK_OK("route del -net 10.0.0.0/8 metric 5", route(SIOCDELRT, "10.0.0.0", "255.0.0.0", NULL, NULL, 0, 6));
	CHECK_OK("route del -net 10.0.0.0/8", route(SIOCDELRT, "10.0.0.0", "255.0.0.0", NULL, NULL, 0, 0));
	CHECK_ERR("and again", route(SIOCDELRT, "10.0.0.0", "255.0.0.0", NULL, NULL, 0, 0), ESRCH);
	CHECK_OK("route del default", route(SIOCDELRT, "0.0.0.0", "0.0.0.0", NULL, NULL, 0, 0));
	CHECK_OK("route del reject", route(SIOCDELRT, "192.168.7.0", "255.255.255.0", NULL, NULL, RTF_REJECT, 0));
	show_route_file();
	s = socket(AF_INET, SOCK_DGRAM, 0);
	d = t_sin("10.200.0.1", 9);
	CHECK_ERR("no route now", sendto(s, "x", 1, 0, (struct sockaddr *)&d, sizeof(d)), ENETUNREACH);
	close(s);
}

static int changes_refused(void)
{
	struct ifreq r;
	int bad = 0;
	t_ifreq_addr(&r, "lo", "127.0.0.2");
	bad |= !(ioctl(sk, SIOCSIFADDR, &r) == -1 && errno == EPERM);
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	bad |= ioctl(sk, SIOCGIFFLAGS, &r) != 0;	/* reading is for all */
	bad |= !(ioctl(sk, SIOCSIFFLAGS, &r) == -1 && errno == EPERM);
	r.ifr_mtu = 1500;
	bad |= !(ioctl(sk, SIOCSIFMTU, &r) == -1 && errno == EPERM);
	bad |= !(route(SIOCADDRT, "10.0.0.0", "255.0.0.0", NULL, "lo", 0, 0) == -1 && errno == EPERM);
	return bad;
}

static void going_down(void)
{
	struct ifreq r;
	ifr(SIOCGIFFLAGS, "lo", &r);
	r.ifr_flags &= ~IFF_UP;
	CHECK_OK("lo down", ifr(SIOCSIFFLAGS, NULL, &r));
	show_addr(SIOCGIFADDR, "address while down", "lo");
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = t_sin("127.0.0.1", 0);
	CHECK_OK("127.0.0.1 is still ours (bind)", bind(s, (struct sockaddr *)&a, sizeof(a)));
	close(s);
	ifr(SIOCGIFFLAGS, "lo", &r);
	r.ifr_flags |= IFF_UP;
	CHECK_OK("lo up again", ifr(SIOCSIFFLAGS, NULL, &r));
	show_addr(SIOCGIFADDR, "address", "lo");
}

int main(void)
{
	sk = socket(AF_INET, SOCK_DGRAM, 0);
	device();
	addresses();
	routes();
	CHECK("as nobody: read yes, change EPERM", t_as_nobody(changes_refused));
	going_down();
	return t_done();
}
