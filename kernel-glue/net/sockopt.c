/* setsockopt/getsockopt: the SOL_SOCKET options every family shares;
 * other levels go to the family (EOPNOTSUPP if it has none, as AF_UNIX). */
#include <umk/capability.h>
#include <umk/net.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/netdevice.h>
#include <umk/filter.h>
#include "sock_internal.h"

#define SOCK_MIN_SNDBUF 4608	/* Linux's floors for the doubled values */
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MAX_BUF 212992	/* net.core.wmem_max / rmem_max */

struct ktimeval { int64_t sec, usec; };
struct klinger { int32_t onoff, linger; };

static const struct { int opt; unsigned bit; } flag_opts[] = {
	{ SO_PASSCRED, SOCKF_PASSCRED }, { SO_REUSEADDR, SOCKF_REUSEADDR },
	{ SO_KEEPALIVE, SOCKF_KEEPALIVE }, { SO_BROADCAST, SOCKF_BROADCAST },
	{ SO_REUSEPORT, SOCKF_REUSEPORT }, { SO_OOBINLINE, SOCKF_OOBINLINE },
};

static int set_timeout(int64_t *t, uaddr_t val, int len)
{
	struct ktimeval tv;
	if (len < (int)sizeof(tv))
		return -EINVAL;
	if (copy_from_user(&tv, val, sizeof(tv)))
		return -EFAULT;
	if (tv.usec < 0 || tv.usec >= 1000000)
		return -EDOM;
	if (tv.sec < 0) {
		*t = 1;	/* Linux: a negative time is the shortest timeout */
		return 0;
	}
	*t = tv.sec * 1000000000ll + tv.usec * 1000;
	return 0;
}

/* SO_BINDTODEVICE: a device name (an empty one unbinds), as Linux's
 * sock_setbindtodevice; only families with devices (AF_INET) use it. */
static int bind_to_device(struct socket *s, uaddr_t val, int len)
{
	if (!capable(CAP_NET_RAW))
		return -EPERM;
	char name[IFNAMSIZ];
	memset(name, 0, sizeof(name));
	if (len > IFNAMSIZ - 1)
		len = IFNAMSIZ - 1;
	if (len > 0 && copy_from_user(name, val, len))
		return -EFAULT;
	if (!name[0]) {
		s->bound_dev_if = 0;
		return 0;
	}
	struct net_device *d = dev_get_by_name(name);
	if (!d)
		return -ENODEV;
	s->bound_dev_if = d->ifindex;
	return 0;
}

static int sol_socket_set(struct socket *s, int name, uaddr_t val, int len)
{
	if (name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW)
		return set_timeout(&s->rcvtimeo, val, len);
	if (name == SO_SNDTIMEO_OLD || name == SO_SNDTIMEO_NEW)
		return set_timeout(&s->sndtimeo, val, len);
	if (name == SO_LINGER) {
		struct klinger l;
		if (len < (int)sizeof(l))
			return -EINVAL;
		if (copy_from_user(&l, val, sizeof(l)))
			return -EFAULT;
		s->linger_on = !!l.onoff;
		s->linger_secs = l.linger;
		return 0;
	}
	if (name == SO_BINDTODEVICE)
		return bind_to_device(s, val, len);
	if (len < (int)sizeof(int))
		return -EINVAL;
	int v;
	if (copy_from_user(&v, val, sizeof(v)))
		return -EFAULT;
	if (name == SO_BINDTOIFINDEX) {
		if (!capable(CAP_NET_RAW))
			return -EPERM;
		if (v < 0 || (v && !dev_get_by_index(v)))
			return -ENODEV;
		s->bound_dev_if = v;
		return 0;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(flag_opts); i++) {
		if (flag_opts[i].opt == name) {
			if (v)
				s->flags |= flag_opts[i].bit;
			else
				s->flags &= ~flag_opts[i].bit;
			return 0;
		}
	}
	switch (name) {
	case SO_ATTACH_FILTER:
		return s->ops->runs_filters ? sock_attach_filter(s, val, len) : -ENOPROTOOPT;
	case SO_DETACH_FILTER:
		return s->ops->runs_filters ? sock_detach_filter(s) : -ENOPROTOOPT;
	case SO_LOCK_FILTER:
		return s->ops->runs_filters ? sock_lock_filter(s, v) : -ENOPROTOOPT;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		/* Linux doubles the value to allow for bookkeeping overhead */
		s->sndbuf = MAX(MIN((unsigned)v, SOCK_MAX_BUF) * 2, SOCK_MIN_SNDBUF);
		s->userlocks |= SOCK_SNDBUF_LOCK;
		return 0;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		s->rcvbuf = MAX(MIN((unsigned)v, SOCK_MAX_BUF) * 2, SOCK_MIN_RCVBUF);
		s->userlocks |= SOCK_RCVBUF_LOCK;
		return 0;
	case SO_RCVLOWAT:
		s->rcvlowat = v < 1 ? 1 : v;
		return 0;
	case SO_SNDLOWAT:
		return -ENOPROTOOPT;
	case SO_TIMESTAMP_OLD:
	case SO_TIMESTAMPNS_OLD:
	case SO_TIMESTAMP_NEW:
	case SO_TIMESTAMPNS_NEW:
		/* sock_set_timestamp: on picks µs or ns and the old or new
		 * message type; off ends both */
		s->flags &= ~(SOCKF_RCVTSTAMP | SOCKF_RCVTSTAMPNS | SOCKF_TSTAMP_NEW);
		if (v) {
			s->flags |= SOCKF_RCVTSTAMP;
			if (name == SO_TIMESTAMPNS_OLD || name == SO_TIMESTAMPNS_NEW)
				s->flags |= SOCKF_RCVTSTAMPNS;
			if (name == SO_TIMESTAMP_NEW || name == SO_TIMESTAMPNS_NEW)
				s->flags |= SOCKF_TSTAMP_NEW;
			if (s->type == SOCK_STREAM || s->family == AF_UNIX)
				printk_once_key("so-timestamp-stream", KERN_NOTICE "SO_TIMESTAMP on a TCP or Unix socket: "
						"accepted, but umk gives timestamps only with datagrams of IP and packet sockets\n");
		}
		return 0;
	case SO_PRIORITY:
	case SO_MARK:
	case SO_DONTROUTE:
		return 0;	/* accepted, no effect here */
	}
	/* Linux's SOL_SOCKET options are below 128 (SO_MAX_PACING_RATE,
	 * SO_BUSY_POLL, ...): say once which one umk lacks */
	if (name > 0 && name < 128) {
		char key[32];
		snprintf(key, sizeof(key), "setsockopt-sol-socket-%d", name);
		printk_once_key(key, KERN_NOTICE "setsockopt(SOL_SOCKET, %d) is not implemented: ENOPROTOOPT\n", name);
	}
	return -ENOPROTOOPT;
}

static int64_t get_flag(struct socket *s, unsigned bit) { return !!(s->flags & bit); }

static int sol_socket_get(struct socket *s, int name, void *buf, int *lv)
{
	int *iv = buf;
	*lv = sizeof(int);
	for (unsigned i = 0; i < ARRAY_SIZE(flag_opts); i++) {
		if (flag_opts[i].opt == name) {
			*iv = get_flag(s, flag_opts[i].bit);
			return 0;
		}
	}
	switch (name) {
	case SO_TYPE: *iv = s->type; return 0;
	case SO_DOMAIN: *iv = s->family; return 0;
	case SO_PROTOCOL: *iv = s->protocol; return 0;
	case SO_ACCEPTCONN: *iv = s->listening; return 0;
	case SO_ERROR: *iv = s->err; s->err = 0; return 0;
	case SO_SNDBUF: *iv = s->sndbuf; return 0;
	case SO_RCVBUF: *iv = s->rcvbuf; return 0;
	case SO_RCVLOWAT: *iv = s->rcvlowat; return 0;
	case SO_SNDLOWAT: *iv = 1; return 0;
	case SO_PRIORITY: case SO_MARK: case SO_DONTROUTE: *iv = 0; return 0;
	/* as Linux's sock_getsockopt reads its three flags */
	case SO_TIMESTAMP_OLD:
		*iv = (s->flags & (SOCKF_RCVTSTAMP | SOCKF_RCVTSTAMPNS | SOCKF_TSTAMP_NEW)) == SOCKF_RCVTSTAMP;
		return 0;
	case SO_TIMESTAMPNS_OLD: *iv = (s->flags & (SOCKF_RCVTSTAMPNS | SOCKF_TSTAMP_NEW)) == SOCKF_RCVTSTAMPNS; return 0;
	case SO_TIMESTAMP_NEW: *iv = (s->flags & (SOCKF_RCVTSTAMP | SOCKF_TSTAMP_NEW)) == (SOCKF_RCVTSTAMP | SOCKF_TSTAMP_NEW); return 0;
	case SO_TIMESTAMPNS_NEW:
		*iv = (s->flags & (SOCKF_RCVTSTAMPNS | SOCKF_TSTAMP_NEW)) == (SOCKF_RCVTSTAMPNS | SOCKF_TSTAMP_NEW);
		return 0;
	case SO_BPF_EXTENSIONS: *iv = SK_FILTER_EXTENSIONS; return 0;
	case SO_LOCK_FILTER:
		if (!s->ops->runs_filters)
			return -ENOPROTOOPT;
		*iv = s->filter_locked;
		return 0;
	case SO_RCVTIMEO_OLD: case SO_SNDTIMEO_OLD: case SO_RCVTIMEO_NEW: case SO_SNDTIMEO_NEW: {
		int64_t t = (name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW) ? s->rcvtimeo : s->sndtimeo;
		struct ktimeval tv = { t / 1000000000ll, (t % 1000000000ll) / 1000 };
		memcpy(buf, &tv, sizeof(tv));
		*lv = sizeof(tv);
		return 0;
	}
	case SO_LINGER: {
		struct klinger l = { s->linger_on, s->linger_secs };
		memcpy(buf, &l, sizeof(l));
		*lv = sizeof(l);
		return 0;
	}
	case SO_PEERCRED:
		memcpy(buf, &s->peercred, sizeof(s->peercred));
		*lv = sizeof(s->peercred);
		return 0;
	case SO_BINDTOIFINDEX: *iv = s->bound_dev_if; return 0;
	case SO_BINDTODEVICE: {
		struct net_device *d = s->bound_dev_if ? dev_get_by_index(s->bound_dev_if) : NULL;
		if (!d) {
			*lv = 0;
			return 0;
		}
		strlcpy(buf, d->name, IFNAMSIZ);
		*lv = (int)strlen(d->name) + 1;
		return 0;
	}
	}
	return -ENOPROTOOPT;
}

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, name, uaddr_t, val, int, len)
{
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	if (len < 0)
		err = -EINVAL;
	else if (level == SOL_SOCKET)
		err = sol_socket_set(s, name, val, len);
	else
		err = s->ops->setsockopt ? s->ops->setsockopt(s, level, name, val, len) : -EOPNOTSUPP;
	fput(f);
	return err;
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, name, uaddr_t, val, uaddr_t, ulen)
{
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	if (level != SOL_SOCKET) {
		err = s->ops->getsockopt ? s->ops->getsockopt(s, level, name, val, ulen) : -EOPNOTSUPP;
		fput(f);
		return err;
	}
	if (name == SO_GET_FILTER) {	/* counted in instructions, copied whole */
		err = s->ops->runs_filters ? sock_get_filter(s, val, ulen) : -ENOPROTOOPT;
		fput(f);
		return err;
	}
	int len;
	uint64_t buf[4] = { 0 };
	int lv = 0;
	err = get_user_optlen(ulen, &len);
	if (!err)
		err = sol_socket_get(s, name, buf, &lv);
	fput(f);
	if (err)
		return err;
	if (len > lv)
		len = lv;
	if (copy_to_user(val, buf, len) || copy_to_user(ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}
