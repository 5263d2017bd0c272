/* AF_UNIX data: message queues, send and receive for stream (byte
 * stream over a queue of messages) and datagram/seqpacket (one message
 * per receive), readiness and FIONREAD. Messages carry the sender's
 * credentials and any in-flight files (SCM_RIGHTS). */
#include <umk/sched.h>
#include <asm/ioctls.h>
#include <umk/uaccess.h>
#include "unix.h"

#define SIGPIPE_NR 13
#define STREAM_SKB_MAX (64 * 1024)

void unix_skb_free(struct unix_skb *skb)
{
	scm_destroy(&skb->scm);
	struct unix_sock *snd = skb->sender;
	if (snd) {
		snd->wmem -= skb->len;
		wake_up(&snd->wq);	/* room under its SO_SNDBUF */
		unix_put(snd);
	}
	kfree(skb);
}

static void unlink_skb(struct unix_sock *u, struct unix_skb *skb)
{
	list_del(&skb->link);
	u->rq_len--;
	u->rq_bytes -= skb->len - skb->off;
	unix_skb_free(skb);
}

void unix_purge_queue(struct unix_sock *u)
{
	while (!list_empty(&u->rq))
		unlink_skb(u, list_first_entry(&u->rq, struct unix_skb, link));
}

/* Build a message of n bytes from m at off; -EFAULT leaves nothing.
 * Queued data is guest memory the guest sized: when it runs out the
 * sender gets ENOBUFS (as Linux's sock_alloc_send_pskb), never the
 * kernel's reserve. */
static struct unix_skb *skb_build(struct unix_sock *u, struct kmsg *m, size_t off, size_t n, bool take_fds, int *err)
{
	struct unix_skb *skb = kmalloc_user(sizeof(*skb) + MAX(n, 1));
	if (!skb) {
		*err = -ENOBUFS;
		return NULL;
	}
	memset(skb, 0, sizeof(*skb));
	*err = miter_from(&m->it, off, skb->data, n);
	if (*err) {
		kfree(skb);
		return NULL;
	}
	skb->len = n;
	skb->from = u->addr;
	skb->scm.has_creds = m->scm.has_creds;
	skb->scm.creds = m->scm.creds;
	if (take_fds) {
		skb->scm.fds = m->scm.fds;
		skb->scm.nfds = m->scm.nfds;
		m->scm.fds = NULL;
		m->scm.nfds = 0;
	}
	return skb;
}

static void skb_queue(struct unix_sock *from, struct unix_sock *to, struct unix_skb *skb)
{
	unix_get(from);
	skb->sender = from;
	from->wmem += skb->len;
	list_add_tail(&skb->link, &to->rq);
	to->rq_len++;
	to->rq_bytes += skb->len;
	wake_up(&to->wq);
}

static ssize_t pipe_error(size_t sent, unsigned flags)
{
	if (sent)
		return sent;
	if (!(flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE_NR, current);
	return -EPIPE;
}

static bool peer_gone(struct unix_sock *p) { return p->dead || (p->sock->shutdown & RCV_SHUTDOWN); }

ssize_t unix_stream_sendmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct unix_sock *u = unix_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen)
		return u->state == US_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	struct unix_sock *other = u->peer;
	if (u->state != US_CONNECTED || !other)
		return -ENOTCONN;
	if (s->shutdown & SEND_SHUTDOWN)
		return pipe_error(0, flags);
	size_t sent = 0, len = m->it.len;
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, false);
	unix_get(other);	/* stays valid across sleeps */
	ssize_t r = 0;
	while (sent < len) {
		if (peer_gone(other) || (s->shutdown & SEND_SHUTDOWN)) {
			r = pipe_error(sent, flags);
			break;
		}
		if (u->wmem >= (size_t)s->sndbuf) {
			if (!deadline) {
				r = sent ? (ssize_t)sent : -EAGAIN;
				break;
			}
			long err = wait_event_interruptible_deadline(u->wq,
				u->wmem < (size_t)s->sndbuf || peer_gone(other) || (s->shutdown & SEND_SHUTDOWN), deadline);
			if (err) {
				r = sent ? (ssize_t)sent : sock_wait_error(s, err, false);
				break;
			}
			continue;
		}
		size_t chunk = MIN(len - sent, (size_t)STREAM_SKB_MAX);
		chunk = MIN(chunk, MAX((size_t)s->sndbuf / 2, 4096u));
		int err;
		struct unix_skb *skb = skb_build(u, m, sent, chunk, true, &err);
		if (!skb) {
			r = sent ? (ssize_t)sent : err;
			break;
		}
		skb_queue(u, other, skb);
		sent += chunk;
		r = sent;
	}
	unix_put(other);
	return r;
}

static bool same_creds(const struct scm *a, const struct scm *b)
{
	return a->creds.pid == b->creds.pid && a->creds.uid == b->creds.uid && a->creds.gid == b->creds.gid;
}

/* Hand the message's files to the receiver: moved, or new references
 * for MSG_PEEK (the message keeps its own). */
static void take_fds(struct kmsg *m, struct unix_skb *skb, bool peek)
{
	if (!skb->scm.nfds)
		return;
	m->scm.nfds = skb->scm.nfds;
	if (peek) {
		m->scm.fds = kmalloc(sizeof(struct file *) * skb->scm.nfds);
		for (int i = 0; i < skb->scm.nfds; i++)
			m->scm.fds[i] = get_file(skb->scm.fds[i]);
	} else {
		m->scm.fds = skb->scm.fds;
		skb->scm.fds = NULL;
		skb->scm.nfds = 0;
	}
}

static void copy_from_addr(struct kmsg *m, const struct unix_addr *a)
{
	m->namelen = a->len;
	if (a->len)
		memcpy(&m->name, &a->a, a->len);
}

/* Wait for something to read: 0 (look again), or the error to return. */
static long wait_readable(struct socket *s, struct unix_sock *u, int64_t deadline)
{
	if (!deadline)
		return -EAGAIN;
	long err = wait_event_interruptible_deadline(u->wq,
		!list_empty(&u->rq) || s->err || (s->shutdown & RCV_SHUTDOWN), deadline);
	return err ? sock_wait_error(s, err, true) : 0;
}

ssize_t unix_stream_recvmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct unix_sock *u = unix_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->state != US_CONNECTED)
		return -EINVAL;
	size_t len = m->it.len, copied = 0;
	size_t target = (flags & MSG_WAITALL) ? len : MIN(len, (size_t)s->rcvlowat);
	target = MAX(target, (size_t)1);
	bool peek = flags & MSG_PEEK, check_creds = false;
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, true);
	ssize_t err = 0;
	while (copied < len || !len) {
		struct unix_skb *skb = list_empty(&u->rq) ? NULL : list_first_entry(&u->rq, struct unix_skb, link);
		size_t skip = 0;
		if (peek && skb) {
			/* peek continues from where this call has got to */
			size_t want = copied;
			while (skb && skb->len - skb->off <= want) {
				want -= skb->len - skb->off;
				skb = skb->link.next == &u->rq ? NULL : list_entry(skb->link.next, struct unix_skb, link);
			}
			skip = want;
		}
		if (!skb) {
			if (copied >= target || (peek && copied))
				break;
			if (s->err) {
				err = -s->err;
				s->err = 0;
				break;
			}
			if (s->shutdown & RCV_SHUTDOWN)
				break;
			err = wait_readable(s, u, deadline);
			if (err)
				break;
			continue;
		}
		if (!len)
			break;
		if (check_creds) {
			if (!same_creds(&m->scm, &skb->scm))
				break;	/* never glue writes from different senders */
		} else if (s->flags & SOCKF_PASSCRED) {
			m->scm.has_creds = true;
			m->scm.creds = skb->scm.creds;
			check_creds = true;
		}
		if (!copied)
			copy_from_addr(m, &skb->from);
		size_t avail = skb->len - skb->off - skip;
		size_t chunk = MIN(avail, len - copied);
		if (miter_to(&m->it, copied, skb->data + skb->off + skip, chunk)) {
			if (!copied)
				err = -EFAULT;
			break;
		}
		copied += chunk;
		bool had_fds = skb->scm.nfds > 0;
		if (had_fds && !m->scm.nfds)
			take_fds(m, skb, peek);
		if (peek) {
			if (had_fds)
				break;
			continue;
		}
		skb->off += chunk;
		u->rq_bytes -= chunk;
		if (skb->off < skb->len)
			break;
		unlink_skb(u, skb);
		if (had_fds)
			break;
	}
	if (copied && !peek && u->peer)
		wake_up(&u->peer->wq);
	return copied ? (ssize_t)copied : err;
}

ssize_t unix_dgram_sendmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct unix_sock *u = unix_sk(s), *other = NULL;
	bool seqpacket = s->type == SOCK_SEQPACKET;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (seqpacket) {
		if (u->state != US_CONNECTED)
			return -ENOTCONN;
		m->namelen = 0;
	}
	if (!m->namelen && !u->peer)
		return -ENOTCONN;
	if ((s->flags & SOCKF_PASSCRED) && !u->addr.len) {
		int err = unix_autobind(u);
		if (err)
			return err;
	}
	size_t len = m->it.len;
	if (len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, false);
	ssize_t r;
	for (;;) {
		if (m->namelen) {
			r = unix_find(&m->name, m->namelen, s->type, &other);
			if (r)
				return r;
		} else {
			other = u->peer;
			if (!other)
				return -ENOTCONN;
			unix_get(other);
		}
		if (other->dead) {
			r = -ECONNREFUSED;
			if (seqpacket) {
				r = -EPIPE;
			} else if (u->peer == other) {
				u->peer = NULL;
				unix_put(other);
			}
			break;
		}
		if (other->peer && other->peer != u && other != u) {
			r = -EPERM;
			break;
		}
		if (other->sock->shutdown & RCV_SHUTDOWN) {
			r = -EPIPE;
			break;
		}
		bool qfull = other != u && other->peer != u && other->rq_len > UNIX_MAX_DGRAM_QLEN;
		bool wfull = u->wmem >= (size_t)s->sndbuf;
		if (!qfull && !wfull) {
			int err;
			struct unix_skb *skb = skb_build(u, m, 0, len, true, &err);
			r = skb ? (ssize_t)len : err;
			if (skb)
				skb_queue(u, other, skb);
			break;
		}
		if (!deadline) {
			r = -EAGAIN;
			break;
		}
		/* a full receiver wakes its queue when read; our own
		 * allowance comes back on ours */
		struct wait_queue_head *wq = wfull ? &u->wq : &other->wq;
		long err = wait_event_interruptible_deadline(*wq, other->dead || (wfull ? u->wmem < (size_t)s->sndbuf :
			other->rq_len <= UNIX_MAX_DGRAM_QLEN || other->peer == u), deadline);
		unix_put(other);
		other = NULL;
		if (err)
			return sock_wait_error(s, err, false);
	}
	if (other)
		unix_put(other);
	return r;
}

ssize_t unix_dgram_recvmsg(struct socket *s, struct kmsg *m, unsigned flags)
{
	struct unix_sock *u = unix_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (s->type == SOCK_SEQPACKET && u->state != US_CONNECTED)
		return -ENOTCONN;
	int64_t deadline = sock_deadline(s, flags & MSG_DONTWAIT, true);
	while (list_empty(&u->rq)) {
		if (s->err) {
			int e = s->err;
			s->err = 0;
			return -e;
		}
		if (s->shutdown & RCV_SHUTDOWN)
			return 0;
		long err = wait_readable(s, u, deadline);
		if (err)
			return err;
	}
	struct unix_skb *skb = list_first_entry(&u->rq, struct unix_skb, link);
	size_t n = MIN(m->it.len, skb->len);
	if (miter_to(&m->it, 0, skb->data, n))
		return -EFAULT;
	copy_from_addr(m, &skb->from);
	if (n < skb->len)
		m->flags |= MSG_TRUNC;
	if (s->flags & SOCKF_PASSCRED) {
		m->scm.has_creds = true;
		m->scm.creds = skb->scm.creds;
	}
	bool peek = flags & MSG_PEEK;
	take_fds(m, skb, peek);
	size_t full = skb->len;
	if (!peek) {
		unlink_skb(u, skb);
		wake_up(&u->wq);	/* senders waiting for queue room */
	}
	return (flags & MSG_TRUNC) ? (ssize_t)full : (ssize_t)n;
}

unsigned unix_poll(struct file *f, struct socket *s, struct poll_table *pt)
{
	struct unix_sock *u = unix_sk(s);
	unsigned mask = 0;
	poll_wait(f, &u->wq, pt);
	if (s->err)
		mask |= POLLERR;
	if (s->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (s->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&u->rq) || !list_empty(&u->acceptq))
		mask |= POLLIN | POLLRDNORM;
	if (unix_conn_based(u->type) && u->state == US_UNCONNECTED)
		mask |= POLLHUP;
	bool writable = u->state != US_LISTEN && u->wmem * 4 <= (size_t)s->sndbuf;
	struct unix_sock *p = u->peer;
	if (writable && s->type != SOCK_STREAM && p && !p->dead && p->peer != u) {
		poll_wait(f, &p->wq, pt);	/* woken when the receiver reads */
		if (p->rq_len > UNIX_MAX_DGRAM_QLEN)
			writable = false;
	}
	if (writable)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

long unix_ioctl(struct socket *s, unsigned cmd, unsigned long arg)
{
	struct unix_sock *u = unix_sk(s);
	int v;
	switch (cmd) {
	case FIONREAD:	/* SIOCINQ */
		if (u->state == US_LISTEN)
			return -EINVAL;
		if (s->type == SOCK_STREAM)
			v = u->rq_bytes;
		else
			v = list_empty(&u->rq) ? 0 : list_first_entry(&u->rq, struct unix_skb, link)->len;
		break;
	case TIOCOUTQ:	/* SIOCOUTQ */
		v = u->wmem;
		break;
	default:
		return -ENOIOCTLCMD;	/* perhaps a device ioctl */
	}
	return copy_to_user(arg, &v, sizeof(v));
}
