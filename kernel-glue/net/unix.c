/* AF_UNIX: socket life cycle, names and connections.
 *
 * Names: abstract names (leading NUL) live only in the bound list below.
 * A path name is a real S_IFSOCK node made with the directory's mknod (any
 * filesystem; hostfs makes a host socket node). The bound socket keeps a
 * reference to that node's inode, and since a filesystem hands out one
 * inode per object, connect identifies the socket by the inode it looks
 * up. Unlinking the node makes the socket unreachable, as in Linux.
 *
 * Connections (stream, seqpacket): connect makes the server's socket at
 * once (an "embryo" queued on the listener) and pairs it with the client,
 * so the client may send before accept; accept hands the embryo out. */
#include <umk/fdtable.h>
#include <umk/sched.h>
#include "unix.h"

static LIST_HEAD(unix_bound);
static unsigned autobind_next;
static const struct proto_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

void unix_get(struct unix_sock *u) { u->refs++; }

void unix_put(struct unix_sock *u)
{
	BUG_ON(u->refs <= 0);
	if (--u->refs)
		return;
	BUG_ON(!u->dead);
	/* a poller may still be queued here (it registered on a dgram peer
	 * that has since been dropped): unlink it so its later dequeue is
	 * harmless */
	while (!list_empty(&u->wq.head))
		list_del(u->wq.head.next);
	kfree(u);
}

static struct unix_sock *unix_alloc(struct socket *s)
{
	struct unix_sock *u = kzalloc(sizeof(*u));
	u->refs = 1;	/* the owner: the socket, or the listener's queue */
	u->sock = s;
	u->type = s->type;
	INIT_LIST_HEAD(&u->rq);
	INIT_LIST_HEAD(&u->acceptq);
	INIT_LIST_HEAD(&u->bound_link);
	init_waitqueue_head(&u->wq);
	s->sk = u;
	s->ops = s->type == SOCK_STREAM ? &unix_stream_ops : s->type == SOCK_DGRAM ? &unix_dgram_ops : &unix_seqpacket_ops;
	return u;
}

static int unix_create(struct socket *s, int protocol)
{
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	switch (s->type) {
	case SOCK_RAW:
		s->type = SOCK_DGRAM;	/* as Linux: BSD allows it, means dgram */
		break;
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	unix_alloc(s);
	return 0;
}

static void current_peercred(struct kucred *c)
{
	*c = (struct kucred){ current->tgid, current->cred.euid, current->cred.egid };
}

static void unix_release_sock(struct unix_sock *u, bool embryo)
{
	u->dead = true;
	if (u->addr.len)
		list_del(&u->bound_link);
	if (u->path.dentry)
		path_put(&u->path);
	u->path = (struct path){ NULL, NULL };
	struct unix_sock *peer = u->peer;
	u->peer = NULL;
	if (peer) {
		if (unix_conn_based(u->type) && !peer->dead) {
			peer->sock->shutdown = SHUTDOWN_MASK;
			if (!list_empty(&u->rq) || embryo)
				peer->sock->err = ECONNRESET;
		}
		wake_up(&peer->wq);
		unix_put(peer);
	}
	while (!list_empty(&u->acceptq)) {
		struct unix_sock *e = list_first_entry(&u->acceptq, struct unix_sock, acceptq_link);
		list_del(&e->acceptq_link);
		struct socket *es = e->sock;
		unix_release_sock(e, true);
		sock_free(es);
	}
	unix_purge_queue(u);
	wake_up(&u->wq);
	u->sock = NULL;
	unix_put(u);
}

static int unix_release(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);
	if (u)
		unix_release_sock(u, false);
	s->sk = NULL;
	return 0;
}

/* Check and normalise a guest address (Linux's unix_validate_addr and
 * unix_mkname_bsd); returns the address length that getsockname reports. */
static int unix_mkname(struct ksockaddr *a, int len)
{
	if (len <= UNIX_PATH_OFF || len > UNIX_PATH_OFF + 108 || a->family != AF_UNIX)
		return -EINVAL;
	if (!a->data[0])
		return len;	/* abstract: every byte counts */
	((char *)a)[len] = 0;	/* a has room: it is 128 bytes */
	return strlen(a->data) + UNIX_PATH_OFF + 1;
}

static bool abstract_in_use(const struct ksockaddr *a, int len)
{
	struct unix_sock *o;
	list_for_each_entry(o, &unix_bound, bound_link)
		if (!o->path.dentry && o->addr.len == len && !memcmp(&o->addr.a, a, len))
			return true;
	return false;
}

static void set_bound(struct unix_sock *u, const struct ksockaddr *a, int len)
{
	u->addr.len = len;
	memset(&u->addr.a, 0, sizeof(u->addr.a));
	memcpy(&u->addr.a, a, len);
	list_add_tail(&u->bound_link, &unix_bound);
}

int unix_autobind(struct unix_sock *u)
{
	if (u->addr.len)
		return 0;
	struct ksockaddr a;
	for (unsigned tries = 0; tries < 0x100000; tries++) {
		memset(&a, 0, sizeof(a));
		a.family = AF_UNIX;
		snprintf(a.data + 1, 8, "%05x", autobind_next++ & 0xfffff);
		if (!abstract_in_use(&a, UNIX_PATH_OFF + 6)) {
			set_bound(u, &a, UNIX_PATH_OFF + 6);
			return 0;
		}
	}
	return -ENOSPC;
}

/* Make the socket node at a path (as mknod would) and keep it. */
static int unix_bind_path(struct unix_sock *u, const char *name)
{
	struct path p;
	if (!kern_path_at(AT_FDCWD, name, 0, &p)) {
		path_put(&p);
		return -EADDRINUSE;
	}
	char *last = kmalloc(NAME_MAX + 1);
	int type;
	bool trailing;
	int err = kern_path_parent(AT_FDCWD, name, &p, last, &type, &trailing);
	if (err) {
		kfree(last);
		return err;
	}
	struct inode *dir = p.dentry->d_inode;
	if (type != LAST_NORM)
		err = -EADDRINUSE;
	if (!err)
		err = mnt_want_write(p.mnt);
	if (!err)
		err = inode_permission(dir, MAY_WRITE | MAY_EXEC);
	if (!err) {
		umode_t mode = S_IFSOCK | (0777 & ~(current->fs ? current->fs->umask : 022));
		err = dir->i_op && dir->i_op->mknod ? dir->i_op->mknod(dir, last, mode, 0) : -EPERM;
		if (err == -EEXIST)
			err = -EADDRINUSE;
	}
	path_put(&p);
	kfree(last);
	if (!err)
		err = kern_path_at(AT_FDCWD, name, 0, &u->path);
	return err;
}

static int unix_bind(struct socket *s, const void *addr, int len)
{
	struct unix_sock *u = unix_sk(s);
	struct ksockaddr a = *(const struct ksockaddr *)addr;
	if (len == UNIX_PATH_OFF && a.family == AF_UNIX)
		return unix_autobind(u);
	int alen = unix_mkname(&a, len);
	if (alen < 0)
		return alen;
	if (u->addr.len)
		return -EINVAL;
	if (a.data[0]) {
		int err = unix_bind_path(u, a.data);
		if (err)
			return err;
	} else if (abstract_in_use(&a, alen)) {
		return -EADDRINUSE;
	}
	set_bound(u, &a, alen);
	return 0;
}

int unix_find(const struct ksockaddr *addr, int len, int type, struct unix_sock **res)
{
	struct ksockaddr a = *addr;
	int alen = unix_mkname(&a, len);
	if (alen < 0)
		return alen;
	struct unix_sock *o, *found = NULL;
	if (a.data[0]) {
		struct path p;
		int err = kern_path_at(AT_FDCWD, a.data, LOOKUP_FOLLOW, &p);
		if (err)
			return err;
		struct inode *inode = p.dentry->d_inode;
		err = inode_permission(inode, MAY_WRITE);
		if (!err && S_ISSOCK(inode->i_mode)) {
			list_for_each_entry(o, &unix_bound, bound_link)
				if (o->path.dentry && o->path.dentry->d_inode == inode)
					found = o;
		}
		path_put(&p);
		if (err)
			return err;
	} else {
		list_for_each_entry(o, &unix_bound, bound_link)
			if (!o->path.dentry && o->addr.len == alen && !memcmp(&o->addr.a, &a, alen))
				found = o;
	}
	if (!found)
		return -ECONNREFUSED;
	if (found->type != type)
		return -EPROTOTYPE;
	unix_get(found);
	*res = found;
	return 0;
}

static void pair(struct unix_sock *a, struct unix_sock *b)
{
	unix_get(b);
	a->peer = b;
	unix_get(a);
	b->peer = a;
}

static int unix_stream_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct unix_sock *u = unix_sk(s), *other;
	if (len < UNIX_PATH_OFF || ((const struct ksockaddr *)addr)->family != AF_UNIX)
		return -EINVAL;
	if ((s->flags & SOCKF_PASSCRED) && !u->addr.len) {
		int err = unix_autobind(u);
		if (err)
			return err;
	}
	int err = unix_find(addr, len, s->type, &other);
	if (err)
		return err;
	int64_t deadline = sock_deadline(s, nonblock, false);
	for (;;) {
		if (u->state == US_CONNECTED)
			err = -EISCONN;
		else if (u->state == US_LISTEN)
			err = -EINVAL;
		else if (other->dead || other->state != US_LISTEN)
			err = -ECONNREFUSED;
		if (err || other->acceptq_len <= other->backlog)
			break;
		/* the listener's backlog is full: wait for an accept */
		if (!deadline) {
			err = -EAGAIN;
			break;
		}
		err = wait_event_interruptible_deadline(other->wq,
			other->dead || other->state != US_LISTEN || other->acceptq_len <= other->backlog, deadline);
		if (err) {
			err = sock_wait_error(s, err, false);
			break;
		}
	}
	if (err) {
		unix_put(other);
		return err;
	}
	struct socket *ns = sock_alloc(AF_UNIX, s->type, 0);
	struct unix_sock *e = unix_alloc(ns);
	e->state = US_CONNECTED;
	e->addr = other->addr;	/* the accepted socket's name is the listener's */
	current_peercred(&ns->peercred);
	s->peercred = other->sock->peercred;
	pair(u, e);
	u->state = US_CONNECTED;
	list_add_tail(&e->acceptq_link, &other->acceptq);
	other->acceptq_len++;
	wake_up(&other->wq);
	unix_put(other);
	return 0;
}

static int unix_dgram_connect(struct socket *s, const void *addr, int len, bool nonblock __unused)
{
	struct unix_sock *u = unix_sk(s), *other = NULL;
	const struct ksockaddr *a = addr;
	if (len < (int)sizeof(a->family))
		return -EINVAL;
	if (a->family != AF_UNSPEC) {
		if ((s->flags & SOCKF_PASSCRED) && !u->addr.len) {
			int err = unix_autobind(u);
			if (err)
				return err;
		}
		int err = unix_find(addr, len, s->type, &other);
		if (err)
			return err;
		if (other->peer && other->peer != u && other != u) {
			unix_put(other);
			return -EPERM;
		}
	}
	struct unix_sock *old = u->peer;
	u->peer = other;	/* takes unix_find's ref; NULL disconnects */
	if (old) {
		wake_up(&old->wq);
		unix_put(old);
	}
	return 0;
}

static int unix_socketpair(struct socket *a, struct socket *b)
{
	struct unix_sock *ua = unix_sk(a), *ub = unix_sk(b);
	pair(ua, ub);
	if (unix_conn_based(a->type))
		ua->state = ub->state = US_CONNECTED;
	current_peercred(&a->peercred);
	b->peercred = a->peercred;
	return 0;
}

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = unix_sk(s);
	if (!u->addr.len || (u->state != US_UNCONNECTED && u->state != US_LISTEN))
		return -EINVAL;
	if (backlog > u->backlog)
		wake_up(&u->wq);	/* blocked connects may fit now */
	u->backlog = backlog;
	u->state = US_LISTEN;
	s->listening = true;
	current_peercred(&s->peercred);
	return 0;
}

static struct socket *unix_accept(struct socket *s, bool nonblock, int *err)
{
	struct unix_sock *u = unix_sk(s);
	if (u->state != US_LISTEN) {
		*err = -EINVAL;
		return NULL;
	}
	if (list_empty(&u->acceptq)) {
		int64_t deadline = sock_deadline(s, nonblock, true);
		if (!deadline) {
			*err = -EAGAIN;
			return NULL;
		}
		long r = wait_event_interruptible_deadline(u->wq, !list_empty(&u->acceptq) || u->state != US_LISTEN, deadline);
		if (!r && u->state != US_LISTEN)
			r = -EINVAL;
		if (r) {
			*err = sock_wait_error(s, r, true);
			return NULL;
		}
	}
	struct unix_sock *e = list_first_entry(&u->acceptq, struct unix_sock, acceptq_link);
	list_del(&e->acceptq_link);
	u->acceptq_len--;
	wake_up(&u->wq);	/* room in the backlog */
	e->sock->flags |= s->flags & SOCKF_PASSCRED;
	return e->sock;
}

static int unix_getname(struct socket *s, void *addr, bool peer)
{
	struct unix_sock *u = unix_sk(s);
	if (peer) {
		u = u->peer;
		if (!u)
			return -ENOTCONN;
	}
	struct ksockaddr *a = addr;
	if (!u->addr.len) {
		memset(a, 0, UNIX_PATH_OFF + 1);
		a->family = AF_UNIX;
		return UNIX_PATH_OFF;
	}
	memcpy(a, &u->addr.a, u->addr.len);
	return u->addr.len;
}

/* shutdown: our side, and for connections the mirror image at the peer. */
static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = unix_sk(s);
	int mode = how + 1;	/* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN */
	s->shutdown |= mode;
	wake_up(&u->wq);
	struct unix_sock *p = u->peer;
	if (p && !p->dead && unix_conn_based(u->type)) {
		int pm = ((mode & RCV_SHUTDOWN) ? SEND_SHUTDOWN : 0) | ((mode & SEND_SHUTDOWN) ? RCV_SHUTDOWN : 0);
		p->sock->shutdown |= pm;
		wake_up(&p->wq);
	}
	return 0;
}

static const struct proto_ops unix_stream_ops = {
	.release = unix_release, .bind = unix_bind, .connect = unix_stream_connect,
	.listen = unix_listen, .accept = unix_accept, .getname = unix_getname,
	.poll = unix_poll, .shutdown = unix_shutdown, .sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg, .ioctl = unix_ioctl,
};

static const struct proto_ops unix_seqpacket_ops = {
	.release = unix_release, .bind = unix_bind, .connect = unix_stream_connect,
	.listen = unix_listen, .accept = unix_accept, .getname = unix_getname,
	.poll = unix_poll, .shutdown = unix_shutdown, .sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg, .ioctl = unix_ioctl,
};

static const struct proto_ops unix_dgram_ops = {
	.release = unix_release, .bind = unix_bind, .connect = unix_dgram_connect,
	.getname = unix_getname, .poll = unix_poll, .shutdown = unix_shutdown,
	.sendmsg = unix_dgram_sendmsg, .recvmsg = unix_dgram_recvmsg, .ioctl = unix_ioctl,
};

static const struct net_family unix_family = {
	.family = AF_UNIX, .create = unix_create, .socketpair = unix_socketpair,
};
DEFINE_NET_FAMILY(unix_family);
