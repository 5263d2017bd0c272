/* Frames through datagram sockets, many per system call (recvmmsg,
 * sendmmsg), for the transports that are sockets: daemon, mcast, raw. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "net_host.h"

#define BATCH 64

/* mm[i] for buffer b[i] through iov[i], to or from to. */
static void fill(struct mmsghdr *mm, struct iovec *iov, const struct net_buf *b, int n, const struct sockaddr *to,
		 socklen_t tolen)
{
	memset(mm, 0, sizeof(mm[0]) * (size_t)n);
	for (int i = 0; i < n; i++) {
		iov[i] = (struct iovec){ b[i].data, b[i].len };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = (void *)to;
		mm[i].msg_hdr.msg_namelen = to ? tolen : 0;
	}
}

int net_sock_recv(int fd, struct net_buf *bufs, int count, unsigned *oversize)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	int got = 0;
	while (got < count) {
		int n = count - got > BATCH ? BATCH : count - got;
		fill(mm, iov, bufs + got, n, NULL, 0);
		int r = recvmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT, NULL);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return got;
			return got ? got : -errno;
		}
		/* a truncated frame is dropped: its buffer stays free (len 0) */
		for (int i = 0; i < r; i++) {
			bool whole = !(mm[i].msg_hdr.msg_flags & MSG_TRUNC);
			*oversize += !whole;
			bufs[got + i].len = whole ? mm[i].msg_len : 0;
		}
		got += r;
		if (r < n)
			return got;
	}
	return got;
}

int net_sock_send(struct net_if *nif, int fd, const struct net_buf *frames, int count, const struct sockaddr *to,
		  socklen_t tolen)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	int sent = 0;
	while (sent < count) {
		int n = count - sent > BATCH ? BATCH : count - sent;
		fill(mm, iov, frames + sent, n, to, tolen);
		int r = sendmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EAGAIN || errno == ENOBUFS) {
				net_want_write(nif, fd, true);
				return sent;
			}
			if (errno == EINTR)
				continue;
			if (errno == EMSGSIZE) {
				sent++;	/* too big for the host: that frame is lost */
				continue;
			}
			return sent ? sent : -errno;
		}
		sent += r;
	}
	net_want_write(nif, fd, false);
	return sent;
}

int net_sock_recv_others(struct net_if *nif, int fd, struct net_buf *bufs, int count, unsigned *oversize)
{
	int got = net_sock_recv(fd, bufs, count, oversize);
	for (int i = 0; i < got; i++)
		if (bufs[i].len >= 12 && !memcmp((char *)bufs[i].data + 6, nif->mac, 6))
			bufs[i].len = 0;	/* one of ours, back again */
	return got;
}
