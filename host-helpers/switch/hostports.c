/* Ports that are not daemon-protocol clients: a host tap device, a UDP
 * (ucast) uplink to another switch, and a libvdeplug uplink. */
#include "switch.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libvdeplug.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int host_port(struct sw *s, enum port_kind kind, int fd, const char *name)
{
	int idx = sw_port_alloc(s, 0);
	if (idx < 0) {
		sw_log("%s: no free port", name);
		return -1;
	}
	struct port *p = &s->port[idx];
	p->kind = kind;
	p->data_fd = fd;
	snprintf(p->name, sizeof p->name, "%.159s", name);
	if (sw_ep_add(s, fd, EPOLLIN, ev_key(EK_PORT_DATA, (unsigned)idx)) < 0) {
		sw_port_close(s, (unsigned)idx, NULL);
		return -1;
	}
	return idx;
}

int sw_open_tap(struct sw *s, const char *dev)
{
	struct ifreq ifr;
	if (strlen(dev) >= sizeof ifr.ifr_name) {
		sw_log("tap %s: name too long", dev);
		return -1;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		sw_log("tap %s: /dev/net/tun: %s", dev, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strcpy(ifr.ifr_name, dev);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		sw_log("tap %s: cannot attach: %s (create it for this user first: umk-net create -t %s)",
		       dev, strerror(errno), dev);
		close(fd);
		return -1;
	}
	char name[64];
	snprintf(name, sizeof name, "tap:%s", ifr.ifr_name);
	int idx = host_port(s, PK_TAP, fd, name);
	if (idx < 0)
		close(fd);
	else
		sw_log("port %d attached: host tap device %s", idx, ifr.ifr_name);
	return idx;
}

/* [LADDR:]LPORT:RHOST:RPORT (IPv4 or a host name). */
int sw_open_ucast(struct sw *s, const char *spec)
{
	char buf[256], *f[4];
	int nf = 0;
	if (strlen(spec) >= sizeof buf)
		goto bad;
	strcpy(buf, spec);
	for (char *p = buf, *tok; (tok = strsep(&p, ":"));) {
		if (nf == 4)
			goto bad;
		f[nf++] = tok;
	}
	if (nf < 3)
		goto bad;
	const char *laddr = nf == 4 ? f[0] : "0.0.0.0";
	const char *lport = f[nf - 3], *rhost = f[nf - 2], *rport = f[nf - 1];
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *la = NULL, *ra = NULL;
	int e = getaddrinfo(laddr, lport, &hints, &la);
	if (!e)
		e = getaddrinfo(rhost, rport, &hints, &ra);
	if (e) {
		sw_log("ucast %s: %s", spec, gai_strerror(e));
		if (la)
			freeaddrinfo(la);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, sz = 4 << 20;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	}
	/* Connected: only the named peer's datagrams are taken as frames. */
	if (fd < 0 || bind(fd, la->ai_addr, la->ai_addrlen) < 0 ||
	    connect(fd, ra->ai_addr, ra->ai_addrlen) < 0) {
		sw_log("ucast %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(la);
		freeaddrinfo(ra);
		return -1;
	}
	freeaddrinfo(la);
	freeaddrinfo(ra);
	char name[300];
	snprintf(name, sizeof name, "ucast:%s", spec);
	int idx = host_port(s, PK_UCAST, fd, name);
	if (idx < 0)
		close(fd);
	else
		sw_log("port %d attached: UDP uplink %s", idx, spec);
	return idx;
bad:
	sw_log("ucast '%s': expected [LADDR:]LPORT:RHOST:RPORT", spec);
	return -1;
}

int sw_open_vde(struct sw *s, const char *url)
{
	struct vde_open_args args = { .port = 0, .group = NULL, .mode = 0700 };
	VDECONN *c = vde_open((char *)url, "umk-switch uplink", &args);
	if (!c) {
		sw_log("vde %s: cannot connect: %s", url, strerror(errno));
		return -1;
	}
	int fd = vde_datafd(c);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* Datagram plugs (vde://) may carry an empty datagram; on stream
	 * plugs (cmd://, a pipe) a 0-byte read means the far end is gone. */
	int type = 0;
	socklen_t tl = sizeof type;
	int dgram = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_DGRAM;
	char name[300];
	snprintf(name, sizeof name, "vde:%s", url);
	int idx = sw_port_alloc(s, 0);
	if (idx < 0) {
		sw_log("vde %s: no free port", url);
		vde_close(c);
		return -1;
	}
	struct port *p = &s->port[idx];
	p->kind = PK_VDE;
	p->vde = c;
	p->vde_dgram = dgram;
	p->data_fd = fd;
	snprintf(p->name, sizeof p->name, "%.159s", name);
	if (sw_ep_add(s, fd, EPOLLIN, ev_key(EK_PORT_DATA, (unsigned)idx)) < 0) {
		sw_port_close(s, (unsigned)idx, NULL);
		return -1;
	}
	int cfd = vde_ctlfd(c);
	if (cfd >= 0 && cfd != fd && sw_ep_add(s, cfd, EPOLLIN, ev_key(EK_PORT_CTL, (unsigned)idx)) == 0)
		p->ctl_fd = cfd;
	sw_log("port %d attached: VDE uplink %s", idx, url);
	return idx;
}

ssize_t sw_host_recv(struct sw *s, struct port *p, uint8_t *buf, size_t len)
{
	(void)s;
	ssize_t n;
	switch (p->kind) {
	case PK_TAP:
		n = read(p->data_fd, buf, len);
		break;
	case PK_UCAST:
		n = recv(p->data_fd, buf, len, MSG_DONTWAIT | MSG_TRUNC);
		break;
	case PK_VDE:
		n = vde_recv(p->vde, buf, len, MSG_DONTWAIT);
		if (n == 0 && !p->vde_dgram) { /* cmd:// and other streams: EOF */
			errno = EPIPE;
			return -1;
		}
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	return n;
}

ssize_t sw_host_send(struct port *p, const uint8_t *f, size_t len)
{
	switch (p->kind) {
	case PK_TAP:
		return write(p->data_fd, f, len);
	case PK_UCAST: {
		ssize_t r = send(p->data_fd, f, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno == ECONNREFUSED) /* far end not up yet: that is loss */
			return (ssize_t)len;
		return r;
	}
	case PK_VDE:
		return vde_send(p->vde, f, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	default:
		errno = EINVAL;
		return -1;
	}
}

void sw_host_close(struct port *p)
{
	if (p->kind == PK_VDE && p->vde) {
		vde_close(p->vde); /* closes its own fds */
		p->vde = NULL;
	} else if (p->data_fd >= 0) {
		close(p->data_fd);
	}
	p->data_fd = p->ctl_fd = -1;
}
