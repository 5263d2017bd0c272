/* The control socket: accept, read one request, create the port, answer
 * with the port's data address; then watch the stream for the client
 * going away. Every failure closes that one connection with one log line. */
#include "switch.h"
#include "log.h"
#include "request.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static int reserve_fd = -1; /* spent to accept-and-close when out of fds */

static void describe_peer(int fd, char *out, size_t outlen)
{
	struct ucred cr;
	socklen_t l = sizeof cr;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) == 0)
		snprintf(out, outlen, "pid %d uid %u", (int)cr.pid, (unsigned)cr.uid);
	else
		snprintf(out, outlen, "unknown peer");
}

void sw_ctl_accept(struct sw *s)
{
	if (reserve_fd < 0)
		reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (;;) {
		int fd = accept4(s->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Out of fds: take the connection with the reserve
				 * fd and refuse it, or epoll would spin on it. */
				sw_log("control: out of file descriptors; refusing a connection");
				close(reserve_fd);
				fd = accept(s->ctl_fd, NULL, NULL);
				if (fd >= 0)
					close(fd);
				reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
				continue;
			}
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				sw_log("control: accept: %s", strerror(errno));
			return;
		}
		unsigned slot = SW_MAX_PENDING;
		for (unsigned i = 0; i < SW_MAX_PENDING; i++)
			if (s->pend[i].fd < 0) {
				slot = i;
				break;
			}
		if (slot == SW_MAX_PENDING) {
			char who[64];
			describe_peer(fd, who, sizeof who);
			sw_log("control: %d connections already waiting to send a request; refusing %s",
			       SW_MAX_PENDING, who);
			close(fd);
			continue;
		}
		struct pending *pd = &s->pend[slot];
		pd->fd = fd;
		pd->len = 0;
		pd->deadline_ms = sw_now_ms() + SW_PENDING_TIMEOUT_MS;
		if (sw_ep_add(s, fd, EPOLLIN, ev_key(EK_PENDING, slot)) < 0) {
			close(fd);
			pd->fd = -1;
		}
	}
}

static void pending_drop(struct sw *s, unsigned slot)
{
	close(s->pend[slot].fd); /* also leaves the epoll set */
	s->pend[slot].fd = -1;
	s->pend[slot].len = 0;
}

/* The data socket of a new port: our own abstract address, connected to
 * the client's so only that client can send to it, which identifies the
 * port without any lookup and lets EPOLLOUT report when its peer drains. */
static int open_data_socket(struct sw *s, unsigned idx, const struct sockaddr_un *peer,
			    struct sockaddr_un *mine, const char **why)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	memset(mine, 0, sizeof *mine);
	mine->sun_family = AF_UNIX;
	snprintf(mine->sun_path + 1, sizeof mine->sun_path - 1, "umk-switch.%d.%u.%u",
		 (int)getpid(), idx, s->port[idx].gen);
	/* Full-length address: clients send to exactly the 110 bytes we reply. */
	if (bind(fd, (const struct sockaddr *)mine, sizeof *mine) < 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	int r = connect(fd, (const struct sockaddr *)peer, sizeof *peer);
	if (r < 0 && peer->sun_path[0] == 0) {
		/* An abstract name bound with a shorter length than
		 * sizeof(sockaddr_un) (UML uses the full length; others
		 * may not): retry without the zero tail. */
		socklen_t l = sizeof *peer;
		while (l > sizeof(sa_family_t) + 1 && ((const char *)peer)[l - 1] == 0)
			l--;
		r = connect(fd, (const struct sockaddr *)peer, l);
	}
	if (r < 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	int sz = 1 << 20; /* room for bursts before EAGAIN */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	return fd;
}

static void make_port(struct sw *s, unsigned slot, const struct sw_request *rq)
{
	struct pending *pd = &s->pend[slot];
	char who[64], addr[120];
	describe_peer(pd->fd, who, sizeof who);
	sw_addr_str(&rq->addr, addr, sizeof addr);
	int idx = sw_port_alloc(s, rq->port);
	if (idx < 0) {
		if (rq->port)
			sw_log("control: %s asked for port %u, which is taken or out of range; refused", who, rq->port);
		else
			sw_log("control: all %u ports in use; refusing %s", s->o.max_ports, who);
		pending_drop(s, slot);
		return;
	}
	struct port *p = &s->port[idx];
	p->kind = PK_DAEMON;
	snprintf(p->name, sizeof p->name, "%s", addr);
	snprintf(p->descr, sizeof p->descr, "%s", rq->descr);
	struct ucred cr;
	socklen_t l = sizeof cr;
	if (getsockopt(pd->fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) == 0) {
		p->peer_pid = cr.pid;
		p->peer_uid = cr.uid;
	}
	const char *why = NULL;
	struct sockaddr_un mine;
	int dfd = open_data_socket(s, (unsigned)idx, &rq->addr, &mine, &why);
	if (dfd < 0) {
		sw_log("control: %s: cannot reach its data socket %s: %s; refused", who, addr, why);
		sw_port_close(s, (unsigned)idx, NULL);
		pending_drop(s, slot);
		return;
	}
	p->data_fd = dfd;
	/* The reply is our data address as a 110-byte sockaddr_un. */
	ssize_t w = write(pd->fd, &mine, sizeof mine);
	if (w != (ssize_t)sizeof mine) {
		sw_log("control: %s: cannot send the reply: %s", who, w < 0 ? strerror(errno) : "short write");
		pending_drop(s, slot);
		sw_port_close(s, (unsigned)idx, NULL);
		return;
	}
	p->ctl_fd = pd->fd;
	pd->fd = -1;
	pd->len = 0;
	sw_ep_mod(s, p->ctl_fd, EPOLLIN, ev_key(EK_PORT_CTL, (unsigned)idx));
	sw_ep_add(s, dfd, EPOLLIN, ev_key(EK_PORT_DATA, (unsigned)idx));
	if (!s->o.quiet)
		sw_log("port %d attached: daemon v%d client %s, data %s%s%s%s", idx, rq->version, who,
		       addr, rq->descr[0] ? " \"" : "", rq->descr, rq->descr[0] ? "\"" : "");
}

void sw_pending_event(struct sw *s, unsigned slot)
{
	struct pending *pd = &s->pend[slot];
	if (pd->fd < 0)
		return;
	char who[64];
	ssize_t n = read(pd->fd, pd->buf + pd->len, sizeof pd->buf - pd->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		describe_peer(pd->fd, who, sizeof who);
		sw_log("control: %s closed the connection after %zu bytes, before a complete request",
		       who, pd->len);
		pending_drop(s, slot);
		return;
	}
	pd->len += (size_t)n;
	struct sw_request rq;
	const char *why;
	enum sw_req_status st = sw_request_parse(pd->buf, pd->len, &rq, &why);
	if (st == SW_REQ_NEED_MORE && pd->len < sizeof pd->buf)
		return;
	if (st != SW_REQ_OK) {
		describe_peer(pd->fd, who, sizeof who);
		char hex[3 * 8 + 1] = "";
		for (size_t i = 0; i < pd->len && i < 8; i++)
			sprintf(hex + 3 * i, "%02x ", pd->buf[i]);
		sw_log("control: bad request from %s: %s (%zu bytes: %s...); connection closed", who,
		       why ? why : "too long", pd->len, hex);
		pending_drop(s, slot);
		return;
	}
	make_port(s, slot, &rq);
}

void sw_pending_expire(struct sw *s, uint64_t now_ms)
{
	for (unsigned i = 0; i < SW_MAX_PENDING; i++) {
		struct pending *pd = &s->pend[i];
		if (pd->fd >= 0 && now_ms >= pd->deadline_ms) {
			char who[64];
			describe_peer(pd->fd, who, sizeof who);
			sw_log("control: %s sent %zu bytes and no complete request within %d ms; closed",
			       who, pd->len, SW_PENDING_TIMEOUT_MS);
			pending_drop(s, i);
		}
	}
}

void sw_port_ctl_event(struct sw *s, unsigned idx)
{
	struct port *p = &s->port[idx];
	if (p->kind == PK_FREE)
		return;
	if (p->kind == PK_VDE) { /* libvdeplug's control fd: EOF = uplink lost */
		char b[256];
		ssize_t n = read(p->ctl_fd, b, sizeof b);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			sw_port_close(s, idx, "the uplink's switch closed the connection");
		return;
	}
	char b[512];
	ssize_t n = read(p->ctl_fd, b, sizeof b);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == 0) {
		/* Frames the client sent just before leaving are still in
		 * our data socket: deliver them, then let the port go. */
		for (int i = 0; i < 64 && s->port[idx].kind != PK_FREE; i++)
			sw_port_rx(s, idx);
		sw_port_close(s, idx, "client closed its control connection");
		return;
	}
	if (n < 0) {
		char why[96];
		snprintf(why, sizeof why, "control connection error: %s", strerror(errno));
		sw_port_close(s, idx, why);
		return;
	}
	/* uml_switch drops the port on stray bytes; a kinder switch logs
	 * once and keeps the guest's link up. */
	if (!p->err_logged) {
		p->err_logged = 1;
		sw_log("port %u (%s): ignoring %zd unexpected bytes on its control connection", idx, p->name, n);
	}
}
