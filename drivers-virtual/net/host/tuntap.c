/* ethN=tuntap,TAP[,MAC[,IP]] and vecN:transport=tap,ifname=TAP: a host
 * tap device made beforehand (`umk-net create`, or `ip tuntap add ...
 * user U`, see Documentation/networking-host.md), so the host, and
 * through it anything it routes to, is on the guest's segment. As UML
 * with a ready-made tap, IP (UML's uml_net helper configured the host
 * side with it) is ignored: the tap is configured on the host.
 * umk attaches to the tap while the options are read, so a missing tap
 * or one that belongs to someone else stops the boot with one line.
 * The receive filter of the tap (TUNSETTXFILTER) passes only frames for
 * the card's address, broadcast and multicast, unless the guest asks
 * for promiscuous mode. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "net_host.h"

struct tap_dev {
	char ifname[IFNAMSIZ];
	int fd;
};

/* Attach to the tap: the fd, or -errno. Only an existing tap: root
 * would otherwise make a new, unconfigured one of that name. */
static int attach(const char *ifname)
{
	char path[64];
	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", ifname);
	FILE *f = fopen(path, "r");
	if (!f)
		return if_nametoindex(ifname) ? -ENOTTY : -ENODEV;
	unsigned flags = 0;
	if (fscanf(f, "%x", &flags) != 1)
		flags = 0;
	fclose(f);
	if (!(flags & IFF_TAP))
		return -ENOTTY;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (flags & IFF_MULTI_QUEUE);	/* must match */
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static const char *check(struct net_if *nif, const char *ifname)
{
	const char *err = net_check_ifname(ifname);
	if (err)
		return err;
	int fd = attach(ifname);
	if (fd == -ENODEV)
		return net_err("there is no interface %s (make the tap with `umk-net create`)", ifname);
	if (fd == -ENOTTY)
		return net_err("%s is not a tap device", ifname);
	if (fd == -EPERM || fd == -EACCES)
		return net_err("%s belongs to another user (`umk-net create` makes one for you)", ifname);
	if (fd == -EBUSY)
		return net_err("%s is in use by another process", ifname);
	if (fd < 0)
		return net_err("cannot attach to the tap: %s", strerror(-fd));
	close(fd);
	struct tap_dev *t = calloc(1, sizeof(*t));
	if (!t)
		return "out of memory";
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	t->fd = -1;
	nif->priv = t;
	snprintf(nif->desc, sizeof(nif->desc), "tap %s", ifname);
	return NULL;
}

static const char *tuntap_parse(struct net_if *nif, char **f, int n)
{
	if (n < 1 || !*f[0])
		return "expected tuntap,TAP[,MAC[,IP]] with a tap made beforehand (umk has no uml_net helper)";
	if (n > 3)
		return "expected tuntap,TAP[,MAC[,IP]]";
	const char *err = net_parse_mac(n > 1 ? f[1] : "", nif->mac, &nif->have_mac);
	if (err)
		return err;
	struct in_addr ip;
	if (n > 2 && *f[2] && inet_pton(AF_INET, f[2], &ip) != 1)
		return net_err("'%s' is not an IPv4 address", f[2]);
	return check(nif, f[0]);
}

static const char *tuntap_parse_vec(struct net_if *nif, const struct net_kv *kv, int n)
{
	const char *ifname = NULL;
	for (int i = 0; i < n; i++) {
		if (strcmp(kv[i].key, "ifname"))
			return net_err("%s= is not a key of transport=tap (ifname=TAP)", kv[i].key);
		ifname = kv[i].val;
	}
	if (!ifname)
		return "transport=tap needs ifname=TAP";
	return check(nif, ifname);
}

/* Frames for us, broadcast, multicast (there are no multicast lists
 * here); everything in promiscuous mode. */
static void tuntap_rx_mode(struct net_if *nif)
{
	struct tap_dev *t = nif->priv;
	struct {
		struct tun_filter f;
		uint8_t addr[ETH_ALEN];
	} flt;
	memset(&flt, 0, sizeof(flt));
	if (!nif->promisc) {
		flt.f.flags = TUN_FLT_ALLMULTI;
		flt.f.count = 1;
		memcpy(flt.addr, nif->mac, ETH_ALEN);
	}
	if (ioctl(t->fd, TUNSETTXFILTER, &flt) < 0)
		net_msg(nif, "cannot set the tap's receive filter: %s", strerror(errno));
}

static void tuntap_close(struct net_if *nif)
{
	struct tap_dev *t = nif->priv;
	if (t->fd >= 0) {
		/* a persistent tap keeps its filter after we close it: clear
		 * it, or the next user (another MAC) gets no unicast frames */
		struct tun_filter none = { 0 };
		ioctl(t->fd, TUNSETTXFILTER, &none);
		close(t->fd);
	}
	t->fd = -1;
}

static int tuntap_open(struct net_if *nif)
{
	struct tap_dev *t = nif->priv;
	t->fd = attach(t->ifname);
	if (t->fd < 0)
		return t->fd;
	int fl = fcntl(t->fd, F_GETFL);
	fcntl(t->fd, F_SETFL, fl | O_NONBLOCK);
	tuntap_rx_mode(nif);
	return net_open_done(nif, t->fd, 0);
}

/* A tap gives one frame per read. */
static int tuntap_recv(struct net_if *nif, struct net_buf *bufs, int count, unsigned *oversize)
{
	struct tap_dev *t = nif->priv;
	int got = 0;
	while (got < count) {
		ssize_t r = read(t->fd, bufs[got].data, bufs[got].len);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return got;
			return got ? got : -errno;	/* EBADFD: the tap was deleted */
		}
		if ((size_t)r > bufs[got].len || r == 0) {
			(*oversize)++;
			r = 0;
		}
		bufs[got++].len = (size_t)r;
	}
	return got;
}

static int tuntap_send(struct net_if *nif, const struct net_buf *frames, int count)
{
	struct tap_dev *t = nif->priv;
	for (int i = 0; i < count; i++) {
		if (write(t->fd, frames[i].data, frames[i].len) >= 0)
			continue;
		if (errno == EAGAIN) {
			net_want_write(nif, t->fd, true);
			return i;
		}
		/* EIO: the host side is down; the frame is lost, not the link */
		if (errno != EIO && errno != EINVAL)
			return i ? i : -errno;
	}
	net_want_write(nif, t->fd, false);
	return count;
}

/* The tap takes frames up to 64 KiB. */
static const struct net_transport tuntap_transport = {
	.name = "tuntap", .vec_name = "tap", .parse_eth = tuntap_parse, .parse_vec = tuntap_parse_vec,
	.open = tuntap_open, .close = tuntap_close, .recv = tuntap_recv, .send = tuntap_send,
	.set_rx_mode = tuntap_rx_mode, .max_mtu = 65535 - 14,
};
NET_TRANSPORT(tuntap_transport);
