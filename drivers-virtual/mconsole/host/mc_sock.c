/* The mconsole socket, UML_DIR/UMID/mconsole: a unix datagram socket
 * any local process could try to write to, so everything about a
 * datagram is checked before the kernel sees it. Unlike UML, the sender
 * must be the user umk runs as (or root): the kernel tells us who sent
 * each datagram (SO_PASSCRED), nobody can forge it. The instance
 * directory is 0700 as well, so this is the second fence. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <wire/instdir.h>
#include <wire/mconsole.h>
#include "../mconsole.h"
#include "umid.h"

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

int mc_host_open(const char **path)
{
	const char *dir = umid_dir();
	if (!dir)
		return -ENOENT;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if ((size_t)snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", dir, INSTDIR_MCONSOLE) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int on = 1;
	unlink(a.sun_path);	/* our own directory: nothing else's */
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	memcpy(sock_path, a.sun_path, sizeof(sock_path));
	*path = sock_path;
	return fd;
}

static void send_to(int fd, const struct mc_req *r, const void *buf, size_t len)
{
	/* MSG_DONTWAIT: a client that stopped reading costs its replies only */
	if (sendto(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)r->peer, r->peer_len) < 0) {
		/* nothing to do: the client is gone or not reading */
	}
}

void mc_host_reply(int fd, const struct mc_req *r, bool err, const char *text, size_t len)
{
	struct mconsole_reply rep;
	size_t off = 0;
	do {
		size_t n = len - off;
		if (n > MCONSOLE_MAX_DATA - 1)
			n = MCONSOLE_MAX_DATA - 1;
		rep.err = off == 0 && err;
		rep.more = off + n < len;
		rep.len = (uint32_t)n + 1;
		memcpy(rep.data, text + off, n);
		rep.data[n] = 0;
		send_to(fd, r, &rep, MCONSOLE_REPLY_HDR + rep.len);
		off += n;
	} while (off < len);
}

static void reply_str(int fd, const struct mc_req *r, const char *s)
{
	mc_host_reply(fd, r, true, s, strlen(s));
}

/* The text of a version 2 request, checked: printable, no NUL inside,
 * trailing blanks dropped. False if it is not. */
static bool take_text(struct mc_req *r, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)data[i] < 0x20 || (unsigned char)data[i] > 0x7e) {
			if (data[i] == '\n' && i == len - 1)
				break;	/* a trailing newline is harmless */
			return false;
		}
	memcpy(r->text, data, len);
	r->text[len] = 0;
	while (len && (r->text[len - 1] == ' ' || r->text[len - 1] == '\n'))
		r->text[--len] = 0;
	return true;
}

/* One datagram: 1 (a request in r), 0 (nothing waiting), -1 (it was
 * not one: answered if possible, skipped). */
static int recv_one(int fd, struct mc_req *r)
{
	struct mconsole_request req;
	char extra;	/* catches a datagram longer than any request */
	struct iovec iov[2] = { { &req, sizeof(req) }, { &extra, 1 } };
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_un from;
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = iov, .msg_iovlen = 2,
			    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	memset(&from, 0, sizeof(from));
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EINTR ? -1 : 0;
	if (m.msg_namelen <= sizeof(sa_family_t) || m.msg_namelen > sizeof(r->peer))
		return -1;	/* unnamed sender: no way to answer */
	memcpy(r->peer, &from, m.msg_namelen);
	r->peer_len = m.msg_namelen;
	const struct ucred *cred = NULL;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct ucred)))
			cred = (const struct ucred *)CMSG_DATA(c);
		else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			for (int *p = (int *)CMSG_DATA(c); (char *)(p + 1) <= (char *)c + c->cmsg_len; p++)
				close(*p);	/* descriptors nobody asked for */
	}
	if (!cred || (cred->uid != getuid() && cred->uid != 0)) {
		reply_str(fd, r, "permission denied: this machine belongs to another user");
		return -1;
	}
	if (n < (ssize_t)sizeof(req.magic) || req.magic != MCONSOLE_MAGIC) {
		/* UML's answer to a version 0 (plain text) client, in kind */
		static const char old[] = "ERROR: Old-style mconsole requests are no longer supported";
		send_to(fd, r, old, sizeof(old));
		return -1;
	}
	if (n < MCONSOLE_REQUEST_HDR) {
		reply_str(fd, r, "malformed request: shorter than its header");
		return -1;
	}
	if (req.version != MCONSOLE_VERSION) {
		reply_str(fd, r, "This driver only supports version 2 clients");
		return -1;
	}
	if (req.len >= MCONSOLE_MAX_DATA || (size_t)n > sizeof(req)) {
		reply_str(fd, r, "Request too large");
		return -1;
	}
	if (req.len > (size_t)n - MCONSOLE_REQUEST_HDR || !take_text(r, req.data, req.len)) {
		reply_str(fd, r, "malformed request: bad length or characters");
		return -1;
	}
	return 1;
}

int mc_host_recv(int fd, struct mc_req *r)
{
	/* a bounded number of rejects per call: a flood cannot hold the kernel */
	for (int i = 0; i < 64; i++) {
		int k = recv_one(fd, r);
		if (k >= 0)
			return k;
	}
	return 0;
}

void mc_host_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	poll(&p, 1, -1);
}
