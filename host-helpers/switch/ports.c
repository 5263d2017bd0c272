/* Port slots and the egress path: impairment, the delay queue, and a small
 * per-port queue for peers whose socket is momentarily full, so one slow
 * guest costs its own frames and nobody else's. */
#include "switch.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

int sw_ep_add(struct sw *s, int fd, uint32_t events, uint64_t key)
{
	struct epoll_event ev = { .events = events, .data.u64 = key };
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		sw_log("epoll_ctl add fd %d: %s", fd, strerror(errno));
		return -1;
	}
	return 0;
}

void sw_ep_mod(struct sw *s, int fd, uint32_t events, uint64_t key)
{
	struct epoll_event ev = { .events = events, .data.u64 = key };
	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		sw_log("epoll_ctl mod fd %d: %s", fd, strerror(errno));
}

static void release_waiters(struct sw *s, unsigned dst, int deliver);

int sw_port_alloc(struct sw *s, unsigned want)
{
	unsigned idx = 0;
	if (want) {
		if (want > s->o.max_ports || s->port[want].kind != PK_FREE)
			return -1;
		idx = want;
	} else {
		for (unsigned i = 1; i <= s->o.max_ports; i++)
			if (s->port[i].kind == PK_FREE) {
				idx = i;
				break;
			}
		if (!idx)
			return -1;
	}
	struct port *p = &s->port[idx];
	uint32_t gen = p->gen + 1;
	memset(p, 0, sizeof *p);
	p->gen = gen;
	p->ctl_fd = p->data_fd = -1;
	p->since_ms = sw_now_ms();
	sw_port_apply_impair(s, idx);
	s->nactive++;
	return (int)idx;
}

/* Per-port setting if one was given for this number, else the switch's. */
void sw_port_apply_impair(struct sw *s, unsigned idx)
{
	struct port *p = &s->port[idx];
	p->imp = s->o.imp;
	for (unsigned i = 0; i < s->o.nport_imp; i++)
		if (s->o.port_imp[i].port == idx)
			p->imp = s->o.port_imp[i].p;
	impair_seed(&p->ist, s->o.seed, idx);
}

static void q_clear(struct outq *q)
{
	for (unsigned i = 0; i < q->n; i++)
		free(q->frame[(q->head + i) % q->cap]);
	free(q->frame);
	free(q->len);
	memset(q, 0, sizeof *q);
}

void sw_port_close(struct sw *s, unsigned idx, const char *why)
{
	struct port *p = &s->port[idx];
	if (p->kind == PK_FREE)
		return;
	if (why && (!s->o.quiet || p->kind != PK_DAEMON))
		sw_log("port %u detached (%s): %s; rx %llu tx %llu frames", idx, p->name, why,
		       (unsigned long long)p->rx_frames, (unsigned long long)p->tx_frames);
	fdb_flush_port(s->fdb, (int)idx);
	if (p->paused) { /* it waited on another port */
		struct port *dp = &s->port[p->held_dst];
		if (dp->nwaiters)
			dp->nwaiters--;
		free(p->held);
		p->held = NULL;
		p->paused = 0;
	}
	if (p->nwaiters) /* others waited on it */
		release_waiters(s, idx, 0);
	if (p->kind == PK_DAEMON) {
		if (p->ctl_fd >= 0)
			close(p->ctl_fd);
		if (p->data_fd >= 0)
			close(p->data_fd);
	} else {
		if (p->data_fd >= 0)
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, p->data_fd, NULL);
		if (p->ctl_fd >= 0)
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, p->ctl_fd, NULL);
		sw_host_close(p);
	}
	q_clear(&p->q);
	uint32_t gen = p->gen;
	memset(p, 0, sizeof *p);
	p->gen = gen + 1; /* delayed frames for the old occupant are void */
	p->ctl_fd = p->data_fd = -1;
	s->nactive--;
}

static ssize_t raw_send(struct port *p, const uint8_t *f, size_t len)
{
	if (p->kind == PK_DAEMON)
		return send(p->data_fd, f, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	return sw_host_send(p, f, len);
}

static void port_events(struct sw *s, unsigned idx)
{
	struct port *p = &s->port[idx];
	if (p->data_fd < 0)
		return;
	uint32_t ev = (p->paused ? 0 : EPOLLIN) | (p->out_armed ? EPOLLOUT : 0);
	sw_ep_mod(s, p->data_fd, ev, ev_key(EK_PORT_DATA, idx));
}

static void arm_out(struct sw *s, unsigned idx, int on)
{
	struct port *p = &s->port[idx];
	if (p->out_armed == on)
		return;
	p->out_armed = on;
	port_events(s, idx);
}

/* Source src stops being read until dst has room for frame f. */
static void hold(struct sw *s, unsigned src, unsigned dst, const uint8_t *f, size_t len)
{
	struct port *sp = &s->port[src], *dp = &s->port[dst];
	sp->held = malloc(len);
	if (!sp->held) {
		dp->drop_qfull++;
		return;
	}
	memcpy(sp->held, f, len);
	sp->held_len = (uint32_t)len;
	sp->held_dst = dst;
	sp->held_gen = dp->gen;
	sp->paused = 1;
	dp->nwaiters++;
	port_events(s, src);
}

static void q_put(struct sw *s, unsigned idx, const uint8_t *f, size_t len);

/* Let the sources waiting on dst go: deliver their held frames while dst
 * has room (or drop them when deliver is 0), and read them again. */
static void release_waiters(struct sw *s, unsigned dst, int deliver)
{
	struct port *dp = &s->port[dst];
	for (unsigned i = 1; i <= s->o.max_ports && dp->nwaiters; i++) {
		struct port *sp = &s->port[i];
		if (!sp->paused || sp->held_dst != dst)
			continue;
		if (deliver && dp->q.n >= s->o.qlen)
			return;
		if (sp->held_gen == dp->gen) {
			if (deliver)
				q_put(s, dst, sp->held, sp->held_len);
			else
				dp->drop_qfull++;
		}
		free(sp->held);
		sp->held = NULL;
		sp->paused = 0;
		dp->nwaiters--;
		port_events(s, i);
	}
}

static void enqueue(struct sw *s, unsigned idx, const uint8_t *f, size_t len)
{
	struct port *p = &s->port[idx];
	unsigned src = s->cur_src;
	if (p->q.n >= s->o.qlen) {
		if (!p->full_since_ms)
			p->full_since_ms = sw_now_ms();
		if (src && src != idx && !p->dropping && s->port[src].kind != PK_FREE &&
		    !s->port[src].paused) {
			hold(s, src, idx, f, len);
			return;
		}
	}
	q_put(s, idx, f, len);
}

static void q_put(struct sw *s, unsigned idx, const uint8_t *f, size_t len)
{
	struct port *p = &s->port[idx];
	struct outq *q = &p->q;
	/* Frames coming out of the delay queue were already admitted by the
	 * impairment limit: give them that much more room, so a burst that
	 * was delayed as a whole is not lost as a whole. */
	unsigned room = s->o.qlen;
	if (s->in_delay_run)
		room += p->imp.limit ? p->imp.limit : IMPAIR_DEFAULT_LIMIT;
	if (q->n >= room) {
		p->drop_qfull++;
		p->cong_drops++;
		p->last_drop_ms = sw_now_ms();
		if (!p->congested) {
			p->congested = 1;
			sw_log("port %u (%s): output queue full (%u frames), dropping until the peer reads",
			       idx, p->name, s->o.qlen);
		}
		return;
	}
	if (q->n == q->cap) { /* grow the ring, unrolled to start at 0 */
		unsigned nc = q->cap ? q->cap * 2 : 64;
		uint8_t **nf = calloc(nc, sizeof *nf);
		uint32_t *nl = calloc(nc, sizeof *nl);
		if (!nf || !nl) {
			free(nf);
			free(nl);
			p->drop_err++;
			return;
		}
		for (unsigned i = 0; i < q->n; i++) {
			nf[i] = q->frame[(q->head + i) % q->cap];
			nl[i] = q->len[(q->head + i) % q->cap];
		}
		free(q->frame);
		free(q->len);
		q->frame = nf;
		q->len = nl;
		q->head = 0;
		q->cap = nc;
	}
	uint8_t *copy = malloc(len);
	if (!copy) {
		p->drop_err++;
		return;
	}
	memcpy(copy, f, len);
	unsigned slot = (q->head + q->n) % q->cap;
	q->frame[slot] = copy;
	q->len[slot] = (uint32_t)len;
	q->n++;
	arm_out(s, idx, 1);
}

static void send_failed(struct sw *s, unsigned idx, int err)
{
	struct port *p = &s->port[idx];
	p->drop_err++;
	if (!p->err_logged) {
		p->err_logged = 1;
		sw_log("port %u (%s): send failed: %s (further errors counted, not logged)",
		       idx, p->name, strerror(err));
	}
}

void sw_port_send(struct sw *s, unsigned idx, const uint8_t *f, size_t len)
{
	struct port *p = &s->port[idx];
	if (p->q.n) { /* keep order behind what is already waiting */
		enqueue(s, idx, f, len);
		return;
	}
	ssize_t r = raw_send(p, f, len);
	if (r >= 0) {
		p->tx_frames++;
		p->tx_bytes += len;
	} else if (errno == EAGAIN || errno == ENOBUFS) {
		enqueue(s, idx, f, len);
	} else {
		send_failed(s, idx, errno);
	}
}

void sw_port_flush_q(struct sw *s, unsigned idx)
{
	struct port *p = &s->port[idx];
	struct outq *q = &p->q;
	while (q->n) {
		unsigned h = q->head;
		ssize_t r = raw_send(p, q->frame[h], q->len[h]);
		if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			if (p->nwaiters && q->n < s->o.qlen)
				release_waiters(s, idx, 1);
			return; /* still full: stay armed */
		}
		if (r < 0)
			send_failed(s, idx, errno);
		else {
			p->tx_frames++;
			p->tx_bytes += q->len[h];
			p->full_since_ms = 0; /* progress */
		}
		free(q->frame[h]);
		q->frame[h] = NULL;
		q->head = (h + 1) % q->cap;
		q->n--;
		if (p->nwaiters && q->n < s->o.qlen / 2)
			release_waiters(s, idx, 1);
	}
	arm_out(s, idx, 0);
	p->dropping = 0;
	if (p->nwaiters)
		release_waiters(s, idx, 1);
}

/* Called every second: a congestion episode ends (and gets its one closing
 * line) only after a full second without drops, so a peer that hovers at
 * the edge of its queue does not flood the log. */
void sw_ports_tick(struct sw *s, uint64_t now_ms)
{
	for (unsigned i = 1; i <= s->o.max_ports; i++) {
		struct port *p = &s->port[i];
		if (p->kind != PK_FREE && p->nwaiters && p->full_since_ms &&
		    now_ms - p->full_since_ms >= 1000) {
			/* No progress for a second: stop holding senders back. */
			p->dropping = 1;
			release_waiters(s, i, 0);
			if (!p->congested) {
				p->congested = 1;
				p->last_drop_ms = now_ms;
				sw_log("port %u (%s): output queue full (%u frames) and the peer stopped reading "
				       "for 1 s: dropping frames for it, senders released", i, p->name, s->o.qlen);
			}
		}
		if (p->kind == PK_FREE || !p->congested || now_ms - p->last_drop_ms < 1000)
			continue;
		sw_log("port %u (%s): output queue no longer full; %llu frames were dropped in that episode",
		       i, p->name, (unsigned long long)p->cong_drops);
		p->congested = 0;
		p->cong_drops = 0;
	}
}

static void dq_rearm(struct sw *s)
{
	const struct dq_item *top = dq_peek(&s->dq);
	uint64_t when = top ? top->when_ns : 0;
	if (when == s->dq_armed_ns)
		return;
	s->dq_armed_ns = when;
	struct itimerspec its = { 0 };
	if (top) {
		its.it_value.tv_sec = (time_t)(when / 1000000000u);
		its.it_value.tv_nsec = (long)(when % 1000000000u);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1; /* 0 would disarm */
	}
	timerfd_settime(s->dq_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void sw_port_output(struct sw *s, unsigned idx, const uint8_t *f, size_t len)
{
	struct port *p = &s->port[idx];
	if (!impair_active(&p->imp)) {
		sw_port_send(s, idx, f, len);
		return;
	}
	uint64_t now = sw_now_ns();
	struct impair_verdict v = impair_frame(&p->imp, &p->ist, now, len, p->delayed);
	if (v.fate == IMPAIR_LOSS) {
		p->drop_loss++;
		return;
	}
	if (v.fate == IMPAIR_OVERLIMIT) {
		p->drop_limit++;
		return;
	}
	if (v.copies == 2)
		p->dups++;
	for (int i = 0; i < v.copies; i++) {
		if (v.when[i] <= now) {
			sw_port_send(s, idx, f, len);
		} else if (dq_push(&s->dq, v.when[i], (int)idx, p->gen, f, len) == 0) {
			p->delayed++;
		} else {
			p->drop_limit++;
		}
	}
	dq_rearm(s);
}

void sw_delay_run(struct sw *s)
{
	uint64_t now = sw_now_ns();
	const struct dq_item *top;
	/* A 50us slack batches frames due together into one wakeup. */
	s->in_delay_run = 1;
	while ((top = dq_peek(&s->dq)) && top->when_ns <= now + 50000) {
		struct dq_item it;
		dq_pop(&s->dq, &it);
		struct port *p = &s->port[it.port];
		if (p->kind != PK_FREE && p->gen == it.gen) {
			p->delayed--;
			sw_port_send(s, (unsigned)it.port, it.data, it.len);
		}
		free(it.data);
	}
	s->in_delay_run = 0;
	s->dq_armed_ns = 0;
	dq_rearm(s);
}
