/* Tap device operations: /dev/net/tun ioctls, an rtnetlink message for the
 * ownership alias, and classic ioctls for the IPv4 address and link up. */
#include "umknet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int open_tun(const char *name, int flags, struct ifreq *ifr)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "umk-net: /dev/net/tun: %s\n", strerror(errno));
		return -1;
	}
	memset(ifr, 0, sizeof *ifr);
	ifr->ifr_flags = (short)flags;
	snprintf(ifr->ifr_name, sizeof ifr->ifr_name, "%s", name);
	if (ioctl(fd, TUNSETIFF, ifr) < 0) {
		fprintf(stderr, "umk-net: %s: %s\n", name,
			errno == EBUSY ? "an interface with that name already exists" : strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int tap_create(const char *name, uid_t owner, gid_t group, int set_group, char *out, size_t outlen)
{
	struct ifreq ifr;
	/* IFF_TUN_EXCL: fail instead of attaching to an existing device. */
	int fd = open_tun(name, IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL, &ifr);
	if (fd < 0)
		return -1;
	if (ioctl(fd, TUNSETOWNER, (unsigned long)owner) < 0 ||
	    (set_group && ioctl(fd, TUNSETGROUP, (unsigned long)group) < 0) ||
	    ioctl(fd, TUNSETPERSIST, 1UL) < 0) {
		fprintf(stderr, "umk-net: %s: %s\n", ifr.ifr_name, strerror(errno));
		close(fd); /* not persistent yet: the device goes away */
		return -1;
	}
	close(fd);
	snprintf(out, outlen, "%s", ifr.ifr_name);
	return 0;
}

int tap_destroy(const char *name)
{
	struct ifreq ifr;
	int fd = open_tun(name, IFF_TAP | IFF_NO_PI, &ifr);
	if (fd < 0)
		return -1;
	int r = ioctl(fd, TUNSETPERSIST, 0UL);
	if (r < 0)
		fprintf(stderr, "umk-net: %s: %s\n", name, strerror(errno));
	close(fd);
	return r;
}

int tap_set_alias(const char *name, const char *alias)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[256];
	} req;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	int sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int got = sfd >= 0 ? ioctl(sfd, SIOCGIFINDEX, &ifr) : -1;
	if (sfd >= 0)
		close(sfd);
	if (got < 0)
		return -1;
	unsigned idx = (unsigned)ifr.ifr_ifindex;
	memset(&req, 0, sizeof req);
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)idx;
	struct rtattr *ra = (struct rtattr *)req.attrs;
	size_t alen = strlen(alias) + 1;
	ra->rta_type = IFLA_IFALIAS;
	ra->rta_len = (unsigned short)RTA_LENGTH(alen);
	memcpy(RTA_DATA(ra), alias, alen);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof req.ifi) + RTA_ALIGN(ra->rta_len);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int r = -1;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) >= 0) {
		char buf[1024];
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);
			r = e->error == 0 ? 0 : -1;
			errno = -e->error;
		}
	}
	close(fd);
	return r;
}

int tap_set_addr_up(const char *name, const char *cidr, int up)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (cidr) {
		char a[64];
		snprintf(a, sizeof a, "%s", cidr);
		char *slash = strchr(a, '/');
		long plen = 24;
		if (slash) {
			*slash = 0;
			char *end;
			plen = strtol(slash + 1, &end, 10);
			if (*end || plen < 1 || plen > 32)
				goto bad;
		}
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, a, &sin->sin_addr) != 1)
			goto bad;
		if (ioctl(fd, SIOCSIFADDR, &ifr) < 0)
			goto fail;
		sin = (struct sockaddr_in *)&ifr.ifr_netmask;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
		if (ioctl(fd, SIOCSIFNETMASK, &ifr) < 0)
			goto fail;
	}
	if (up) {
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
			goto fail;
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			goto fail;
	}
	close(fd);
	return 0;
bad:
	fprintf(stderr, "umk-net: '%s': expected an IPv4 address like 10.0.0.1/24\n", cidr);
	close(fd);
	return -1;
fail:
	fprintf(stderr, "umk-net: %s: %s\n", name, strerror(errno));
	close(fd);
	return -1;
}
