/* Network cards, host half: the card layer between the kernel half
 * (net.h) and the transports. Each card that is up has an epoll set (its
 * event fd, which the kernel half takes as an interrupt) holding the
 * transport's fds; each of those raises the host I/O signal itself, so a
 * frame interrupts a running guest, while an idle umk just sleeps in
 * ppoll on the set. The link: a transport whose peer goes away (EOF on a
 * switch's control stream, ECONNREFUSED) is closed and the card loses
 * its carrier; if the peer may come back (a switch restarted) it is
 * opened again after 250 ms, then at doubling intervals up to 8 s. UML
 * itself never reconnects: its card stays dead until ifdown/ifup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include "um.h"
#include "net_host.h"

#define BACKOFF_MIN 250000000LL
#define BACKOFF_MAX 8000000000LL

extern struct net_if net_cards[NET_CARDS_MAX];
extern int net_ncards;

static struct net_if *card(int n)
{
	return n >= 0 && n < net_ncards && net_cards[n].t ? &net_cards[n] : NULL;
}

int64_t net_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void net_msg(struct net_if *nif, const char *fmt, ...)
{
	size_t len = strlen(nif->msgs);
	if (len + 2 >= sizeof(nif->msgs))
		return;	/* the kernel takes them at every event: never many */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(nif->msgs + len, sizeof(nif->msgs) - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(nif->msgs);
	nif->msgs[len] = '\n';
	nif->msgs[len + 1] = 0;
}

size_t net_host_message(int n, char *buf, size_t size)
{
	struct net_if *nif = card(n);
	char *nl = nif ? strchr(nif->msgs, '\n') : NULL;
	if (!nl || size == 0)
		return 0;
	size_t len = (size_t)(nl - nif->msgs);
	snprintf(buf, size, "%.*s", (int)len, nif->msgs);
	memmove(nif->msgs, nl + 1, strlen(nl + 1) + 1);
	return len ? len : 1;
}

int net_watch_ev(struct net_if *nif, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	if (epoll_ctl(nif->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
		return 0;
	if (errno != ENOENT || epoll_ctl(nif->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	irq_fd_async(fd);
	return 0;
}

int net_watch(struct net_if *nif, int fd)
{
	return net_watch_ev(nif, fd, EPOLLIN);
}

void net_unwatch(struct net_if *nif, int fd)
{
	epoll_ctl(nif->epfd, EPOLL_CTL_DEL, fd, NULL);
	if (nif->write_fd == fd)
		nif->write_fd = -1;
}

void net_want_write(struct net_if *nif, int fd, bool on)
{
	if (on == (nif->write_fd == fd))
		return;
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.fd = fd };
	epoll_ctl(nif->epfd, EPOLL_CTL_MOD, fd, &ev);
	nif->write_fd = on ? fd : -1;
}

void net_kick(struct net_if *nif)
{
	if (nif->kick[1] >= 0 && write(nif->kick[1], "", 1) < 0 && errno != EAGAIN)
		net_msg(nif, "cannot wake the card: %s", strerror(errno));
}

void net_link_up(struct net_if *nif)
{
	if (nif->link)
		return;
	nif->link = true;
	if (nif->backoff > BACKOFF_MIN || nif->retry_at)
		net_msg(nif, "reconnected to %s", nif->desc);
	nif->backoff = BACKOFF_MIN;
	nif->retry_at = 0;
}

int net_open_done(struct net_if *nif, int fd, int err)
{
	if (!err)
		err = net_watch(nif, fd);
	if (err) {
		nif->t->close(nif);
		return err;
	}
	net_link_up(nif);
	return 0;
}

static void schedule_retry(struct net_if *nif)
{
	nif->retry_at = net_now() + nif->backoff;
	nif->backoff = nif->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : nif->backoff * 2;
}

/* The peer went away (err: why): close, no carrier, maybe retry. */
static void lost(struct net_if *nif, int err)
{
	if (!nif->active)
		return;
	nif->t->close(nif);
	nif->active = nif->link = false;
	nif->write_fd = -1;
	if (nif->t->reconnect) {
		nif->backoff = BACKOFF_MIN;
		schedule_retry(nif);
		net_msg(nif, "lost %s (%s); reconnecting", nif->desc, strerror(-err));
	} else {
		net_msg(nif, "lost %s (%s)", nif->desc, strerror(-err));
	}
}

/* Open the transport; a failure of a reconnecting one is retried. */
static int start(struct net_if *nif, bool first)
{
	int err = nif->t->open(nif);
	if (!err) {
		nif->active = true;
		return 0;
	}
	if (!nif->t->reconnect)
		return err;
	if (first || nif->backoff == BACKOFF_MIN)
		net_msg(nif, "%s: %s; retrying", nif->desc, strerror(-err));
	schedule_retry(nif);
	return 0;
}

bool net_host_card(int n, struct net_card_info *info)
{
	struct net_if *nif = card(n);
	if (!nif)
		return false;
	if (!nif->have_mac) {
		/* here, not while parsing: umid= may come after ethN= */
		net_default_mac(boot_cfg.umid, nif->name, nif->mac);
		nif->have_mac = true;
	}
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", nif->name);
	snprintf(info->desc, sizeof(info->desc), "%s", nif->desc);
	memcpy(info->mac, nif->mac, 6);
	info->mtu = nif->mtu;
	info->min_mtu = 68;
	info->max_mtu = nif->max_mtu;
	info->rx_only = !nif->t->send;
	return true;
}

static void teardown(struct net_if *nif)
{
	if (nif->kick[0] >= 0) {
		close(nif->kick[0]);
		close(nif->kick[1]);
	}
	if (nif->epfd >= 0)
		close(nif->epfd);
	nif->kick[0] = nif->kick[1] = nif->epfd = nif->write_fd = -1;
}

int net_host_open(int n)
{
	struct net_if *nif = card(n);
	if (!nif)
		return -ENODEV;
	nif->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (nif->epfd < 0)
		return -errno;
	int err = pipe2(nif->kick, O_NONBLOCK | O_CLOEXEC) < 0 ? -errno : net_watch(nif, nif->kick[0]);
	if (err) {
		nif->kick[0] = nif->kick[1] = -1;
		teardown(nif);
		return err;
	}
	nif->write_fd = -1;
	nif->backoff = BACKOFF_MIN;
	nif->retry_at = 0;
	err = start(nif, true);
	if (err) {
		net_msg(nif, "%s: %s", nif->desc, strerror(-err));
		teardown(nif);
		return err;
	}
	nif->up = true;
	return nif->epfd;
}

void net_host_close(int n)
{
	struct net_if *nif = card(n);
	if (!nif || !nif->up)
		return;
	if (nif->active)
		nif->t->close(nif);
	nif->up = nif->active = nif->link = false;
	teardown(nif);
}

void net_host_events(int n)
{
	struct net_if *nif = card(n);
	if (!nif || !nif->up)
		return;
	char drain[64];
	while (read(nif->kick[0], drain, sizeof(drain)) > 0)
		;
	if (nif->active && nif->t->events) {
		int err = nif->t->events(nif);
		if (err)
			lost(nif, err);
	}
	if (!nif->active && nif->t->reconnect && net_now() >= nif->retry_at)
		start(nif, false);
}

bool net_host_link(int n)
{
	struct net_if *nif = card(n);
	return nif && nif->up && nif->link;
}

int64_t net_host_timeout(int n)
{
	struct net_if *nif = card(n);
	if (!nif || !nif->up)
		return -1;
	if (!nif->active) {
		if (!nif->t->reconnect)
			return -1;
		int64_t t = nif->retry_at - net_now();
		return t > 0 ? t : 0;
	}
	return nif->t->timeout ? nif->t->timeout(nif) : -1;
}

int net_host_recv(int n, struct net_buf *bufs, int count, unsigned *oversize)
{
	struct net_if *nif = card(n);
	if (!nif || !nif->active)
		return 0;
	int got = nif->t->recv(nif, bufs, count, oversize);
	if (got < 0) {
		lost(nif, got);
		return 0;
	}
	return got;
}

int net_host_send(int n, const struct net_buf *frames, int count)
{
	struct net_if *nif = card(n);
	if (!nif || !nif->link || !nif->t->send)
		return -ENOTCONN;
	int sent = nif->t->send(nif, frames, count);
	if (sent < 0) {
		lost(nif, sent);
		return -ENOTCONN;
	}
	return sent;
}

int net_host_set_mtu(int n, unsigned mtu)
{
	struct net_if *nif = card(n);
	if (!nif || mtu > nif->max_mtu)
		return -EINVAL;
	if (nif->active && nif->t->set_mtu) {
		int err = nif->t->set_mtu(nif, mtu);
		if (err)
			return err;
	}
	nif->mtu = mtu;
	return 0;
}

void net_host_set_rx_mode(int n, const uint8_t *mac, bool promisc, bool allmulti)
{
	struct net_if *nif = card(n);
	if (!nif)
		return;
	memcpy(nif->mac, mac, 6);
	nif->promisc = promisc;
	nif->allmulti = allmulti;
	if (nif->active && nif->t->set_rx_mode)
		nif->t->set_rx_mode(nif);
}
