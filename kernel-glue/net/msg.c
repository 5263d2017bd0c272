/* Data syscalls: sendto/recvfrom/sendmsg/recvmsg/sendmmsg/recvmmsg. Guest
 * msghdrs and iovecs are copied in here; data moves straight between the
 * guest iovecs and the family's queues (msg_iter). SOL_SOCKET control
 * messages become a struct scm on send (SCM_RIGHTS takes file references,
 * SCM_CREDENTIALS is checked) and are written back on receive (received
 * files are installed as new descriptors). */
#include <umk/capability.h>
#include <umk/net.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include "sock_internal.h"

#define UIO_MAXIOV 1024
#define MAX_CONTROL (64 * 1024)	/* net.core.optmem_max-like bound: ENOBUFS */
#define MAX_RW ((size_t)0x7ffff000)

/* ---- data iteration ---- */
static int miter_copy(const struct msg_iter *it, size_t off, void *k, size_t n, bool to_user)
{
	if (it->kbuf) {
		if (to_user)
			memcpy(it->kbuf + off, k, n);
		else
			memcpy(k, it->kbuf + off, n);
		return 0;
	}
	char *p = k;
	for (unsigned i = 0; i < it->nr && n; i++) {
		uint64_t l = it->iov[i].len;
		if (off >= l) {
			off -= l;
			continue;
		}
		size_t c = MIN(n, l - off);
		int err = to_user ? copy_to_user(it->iov[i].base + off, p, c) : copy_from_user(p, it->iov[i].base + off, c);
		if (err)
			return err;
		p += c;
		n -= c;
		off = 0;
	}
	return 0;
}

int miter_from(const struct msg_iter *it, size_t off, void *dst, size_t n) { return miter_copy(it, off, dst, n, false); }
int miter_to(const struct msg_iter *it, size_t off, const void *src, size_t n) { return miter_copy(it, off, (void *)src, n, true); }

/* ---- ancillary data ---- */
void scm_destroy(struct scm *s)
{
	for (int i = 0; i < s->nfds; i++)
		fput(s->fds[i]);
	kfree(s->fds);
	s->fds = NULL;
	s->nfds = 0;
}

void scm_current_creds(struct kucred *c)
{
	*c = (struct kucred){ current->tgid, current->cred.uid, current->cred.gid };
}

static bool creds_allowed(const struct kucred *c)
{
	const struct cred *cr = &current->cred;
	bool pid_ok = c->pid == current->tgid || capable(CAP_SYS_ADMIN);
	bool uid_ok = c->uid == cr->uid || c->uid == cr->euid || c->uid == cr->suid || capable(CAP_SETUID);
	bool gid_ok = c->gid == cr->gid || c->gid == cr->egid || c->gid == cr->sgid || capable(CAP_SETGID);
	return pid_ok && uid_ok && gid_ok;
}

static int scm_add_fds(struct scm *s, const int *fds, int n)
{
	if (n <= 0)
		return 0;
	if (s->nfds + n > SCM_MAX_FD)
		return -EINVAL;
	s->fds = krealloc(s->fds, sizeof(*s->fds) * (s->nfds + n));
	for (int i = 0; i < n; i++) {
		struct file *f = fget(fds[i]);
		if (!f)
			return -EBADF;
		s->fds[s->nfds++] = f;
	}
	return 0;
}

/* Parse the guest's control buffer into m->scm (as Linux's __scm_send). */
static int scm_send(struct socket *sock, const struct user_msghdr *h, struct kmsg *m)
{
	scm_current_creds(&m->scm.creds);
	m->scm.has_creds = true;
	if (!h->msg_controllen)
		return 0;
	if (h->msg_controllen > MAX_CONTROL)
		return -ENOBUFS;
	if (h->msg_controllen < sizeof(struct kcmsghdr))
		return -EINVAL;
	size_t len = h->msg_controllen;
	char *buf = kmalloc(len);
	int err = copy_from_user(buf, h->msg_control, len);
	for (size_t off = 0; !err && off + sizeof(struct kcmsghdr) <= len;) {
		struct kcmsghdr *c = (struct kcmsghdr *)(buf + off);
		if (c->cmsg_len < sizeof(*c) || c->cmsg_len > len - off) {
			err = -EINVAL;
			break;
		}
		size_t dlen = c->cmsg_len - sizeof(*c);
		const void *data = c + 1;
		if (c->cmsg_level == SOL_SOCKET) {
			if (sock->family != AF_UNIX) {
				err = -EINVAL;	/* only AF_UNIX carries these */
			} else if (c->cmsg_type == SCM_RIGHTS) {
				err = scm_add_fds(&m->scm, data, dlen / sizeof(int));
			} else if (c->cmsg_type == SCM_CREDENTIALS) {
				struct kucred cr;
				if (c->cmsg_len != KCMSG_LEN(sizeof(cr))) {
					err = -EINVAL;
					break;
				}
				memcpy(&cr, data, sizeof(cr));
				if (!creds_allowed(&cr))
					err = -EPERM;
				else
					m->scm.creds = cr;
			} else {
				err = -EINVAL;
			}
		}
		off += KCMSG_ALIGN(c->cmsg_len);
	}
	/* the family reads its own levels from the same copy */
	m->control = buf;
	m->controllen = len;
	return err;
}

void put_kcmsg(struct kmsg *m, int level, int type, const void *data, size_t len)
{
	if (!m->cmsgs.buf)
		sbuf_init(&m->cmsgs);
	struct kcmsghdr c = { KCMSG_LEN(len), level, type };
	sbuf_putmem(&m->cmsgs, &c, sizeof(c));
	sbuf_putmem(&m->cmsgs, data, len);
	static const char pad[8];
	sbuf_putmem(&m->cmsgs, pad, KCMSG_SPACE(len) - KCMSG_LEN(len));
}

int kcmsg_next(const void *control, size_t len, size_t *off, const struct kcmsghdr **c)
{
	if (*off + sizeof(struct kcmsghdr) > len)
		return 0;
	const struct kcmsghdr *h = (const struct kcmsghdr *)((const char *)control + *off);
	if (h->cmsg_len < sizeof(*h) || h->cmsg_len > len - *off)
		return -EINVAL;
	*c = h;
	*off += KCMSG_ALIGN(h->cmsg_len);
	return 1;
}

/* Write one control message at *off of the guest buffer (put_cmsg). */
static int put_cmsg_level(const struct user_msghdr *h, size_t *off, unsigned *flags, int level, int type,
			  const void *data, size_t dlen)
{
	size_t space = h->msg_controllen - *off;
	if (!h->msg_control || space < sizeof(struct kcmsghdr)) {
		*flags |= MSG_CTRUNC;
		return 0;
	}
	size_t cmlen = KCMSG_LEN(dlen);
	if (cmlen > space) {
		*flags |= MSG_CTRUNC;
		cmlen = space;
	}
	struct kcmsghdr c = { cmlen, level, type };
	if (copy_to_user(h->msg_control + *off, &c, sizeof(c)) ||
	    copy_to_user(h->msg_control + *off + sizeof(c), data, cmlen - sizeof(c)))
		return -EFAULT;
	*off += MIN(KCMSG_SPACE(dlen), space);
	return 0;
}

static int put_cmsg(const struct user_msghdr *h, size_t *off, unsigned *flags, int type, const void *data, size_t dlen)
{
	return put_cmsg_level(h, off, flags, SOL_SOCKET, type, data, dlen);
}

/* The family's control messages (m->cmsgs) after the SOL_SOCKET ones. */
static int put_family_cmsgs(const struct user_msghdr *h, struct kmsg *m, size_t *used)
{
	size_t off = 0;
	const struct kcmsghdr *c;
	int err = 0;
	while (!err && m->cmsgs.len && kcmsg_next(m->cmsgs.buf, m->cmsgs.len, &off, &c) > 0)
		err = put_cmsg_level(h, used, &m->flags, c->cmsg_level, c->cmsg_type, c + 1,
				     c->cmsg_len - sizeof(*c));
	return err;
}

/* Deliver received ancillary data (scm_recv): credentials if asked for,
 * then as many descriptors as fit; the rest are closed (MSG_CTRUNC). */
static int scm_recv(struct socket *sock, const struct user_msghdr *h, struct kmsg *m, unsigned flags, size_t *used)
{
	int err = 0;
	*used = 0;
	if ((sock->flags & SOCKF_RCVTSTAMP) && m->tstamp) {
		/* old and new message types share one layout on x86-64 */
		int64_t t[2] = { m->tstamp / 1000000000ll, m->tstamp % 1000000000ll };
		bool ns = sock->flags & SOCKF_RCVTSTAMPNS, nw = sock->flags & SOCKF_TSTAMP_NEW;
		if (!ns)
			t[1] /= 1000;
		int type = ns ? (nw ? SO_TIMESTAMPNS_NEW : SO_TIMESTAMPNS_OLD) : (nw ? SO_TIMESTAMP_NEW : SO_TIMESTAMP_OLD);
		err = put_cmsg(h, used, &m->flags, type, t, sizeof(t));
	}
	if (!err && (sock->flags & SOCKF_PASSCRED) && m->scm.has_creds)
		err = put_cmsg(h, used, &m->flags, SCM_CREDENTIALS, &m->scm.creds, sizeof(m->scm.creds));
	if (!err && m->scm.nfds) {
		size_t space = h->msg_controllen > *used ? h->msg_controllen - *used : 0;
		int fit = space > sizeof(struct kcmsghdr) && h->msg_control ? (int)((space - sizeof(struct kcmsghdr)) / sizeof(int)) : 0;
		int n = MIN(fit, m->scm.nfds);
		int *fds = kmalloc(sizeof(int) * MAX(n, 1));
		int i;
		for (i = 0; i < n; i++) {
			fds[i] = fd_install(m->scm.fds[i], flags & MSG_CMSG_CLOEXEC);
			if (fds[i] < 0)
				break;
			m->scm.fds[i] = NULL;	/* the table owns it now */
		}
		if (i)
			err = put_cmsg(h, used, &m->flags, SCM_RIGHTS, fds, i * sizeof(int));
		if (i < m->scm.nfds)
			m->flags |= MSG_CTRUNC;
		kfree(fds);
		for (int j = i; j < m->scm.nfds; j++)
			fput(m->scm.fds[j]);
		kfree(m->scm.fds);
		m->scm.fds = NULL;
		m->scm.nfds = 0;
	}
	return err;
}

/* ---- msghdr handling ---- */
static int copy_iovecs(const struct user_msghdr *h, struct kiovec **out, struct msg_iter *it)
{
	if (h->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	size_t n = h->msg_iovlen;
	struct kiovec *iov = kmalloc(sizeof(*iov) * MAX(n, 1));
	if (n && copy_from_user(iov, h->msg_iov, sizeof(*iov) * n)) {
		kfree(iov);
		return -EFAULT;
	}
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if ((int64_t)iov[i].len < 0) {
			kfree(iov);
			return -EINVAL;
		}
		if (iov[i].len > MAX_RW - total)
			iov[i].len = MAX_RW - total;	/* Linux caps the total */
		total += iov[i].len;
	}
	*it = (struct msg_iter){ .iov = iov, .nr = n, .len = total };
	*out = iov;
	return 0;
}

static long sock_sendmsg_user(struct socket *s, struct file *f, const struct user_msghdr *h, unsigned flags)
{
	struct kmsg m;
	memset(&m, 0, sizeof(m));
	struct kiovec *iov;
	int err = copy_iovecs(h, &iov, &m.it);
	if (err)
		return err;
	if (h->msg_name && h->msg_namelen) {
		err = move_addr_to_kernel(h->msg_name, h->msg_namelen, &m.name);
		m.namelen = h->msg_namelen;
	}
	if (!err)
		err = scm_send(s, h, &m);
	long r = err;
	if (!err) {
		if (f->f_flags & O_NONBLOCK)
			flags |= MSG_DONTWAIT;
		r = s->ops->sendmsg(s, &m, flags);
	}
	scm_destroy(&m.scm);
	kfree(m.control);
	kfree(iov);
	return r;
}

/* Receives into the guest msghdr at uh (h: its kernel copy) and writes
 * back msg_namelen, msg_controllen and msg_flags. */
static long sock_recvmsg_user(struct socket *s, struct file *f, struct user_msghdr *h, uaddr_t uh, unsigned flags)
{
	struct kmsg m;
	memset(&m, 0, sizeof(m));
	struct kiovec *iov;
	int err = copy_iovecs(h, &iov, &m.it);
	if (err)
		return err;
	if (h->msg_namelen < 0) {
		kfree(iov);
		return -EINVAL;
	}
	if (f->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	long r = s->ops->recvmsg(s, &m, flags);
	if (r >= 0) {
		size_t used = 0;
		int namelen = 0;
		if (h->msg_name && m.namelen) {
			namelen = MIN(h->msg_namelen, m.namelen);
			if (copy_to_user(h->msg_name, &m.name, namelen))
				err = -EFAULT;
			namelen = m.namelen;
		}
		if (!err)
			err = scm_recv(s, h, &m, flags, &used);
		if (!err)
			err = put_family_cmsgs(h, &m, &used);
		h->msg_namelen = h->msg_name ? namelen : 0;
		h->msg_controllen = used;
		h->msg_flags = m.flags;
		if (!err && uh && (copy_to_user(uh + offsetof(struct user_msghdr, msg_namelen), &h->msg_namelen, sizeof(int)) ||
				   copy_to_user(uh + offsetof(struct user_msghdr, msg_controllen), &h->msg_controllen, sizeof(uint64_t)) ||
				   copy_to_user(uh + offsetof(struct user_msghdr, msg_flags), &h->msg_flags, sizeof(uint32_t))))
			err = -EFAULT;
		if (err)
			r = err;
	}
	scm_destroy(&m.scm);
	sbuf_free(&m.cmsgs);
	kfree(iov);
	return r;
}

static long do_sendmsg(int fd, uaddr_t umsg, unsigned flags)
{
	struct user_msghdr h;
	if (copy_from_user(&h, umsg, sizeof(h)))
		return -EFAULT;
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	long r = sock_sendmsg_user(s, f, &h, flags);
	fput(f);
	return r;
}

static long do_recvmsg(int fd, uaddr_t umsg, unsigned flags)
{
	struct user_msghdr h;
	if (copy_from_user(&h, umsg, sizeof(h)))
		return -EFAULT;
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	long r = sock_recvmsg_user(s, f, &h, umsg, flags);
	fput(f);
	return r;
}

SYSCALL_DEFINE3(sendmsg, int, fd, uaddr_t, msg, unsigned, flags) { return do_sendmsg(fd, msg, flags); }
SYSCALL_DEFINE3(recvmsg, int, fd, uaddr_t, msg, unsigned, flags) { return do_recvmsg(fd, msg, flags); }

SYSCALL_DEFINE6(sendto, int, fd, uaddr_t, buf, size_t, len, unsigned, flags, uaddr_t, addr, int, alen)
{
	struct kiovec iov = { buf, MIN(len, MAX_RW) };
	struct user_msghdr h = { .msg_name = addr, .msg_namelen = addr ? alen : 0, .msg_iov = 0, .msg_iovlen = 0 };
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	/* build the kmsg directly: the iovec is already in kernel memory */
	struct kmsg m;
	memset(&m, 0, sizeof(m));
	m.it = (struct msg_iter){ .iov = &iov, .nr = 1, .len = iov.len };
	err = 0;
	if (h.msg_name) {
		err = move_addr_to_kernel(addr, alen, &m.name);
		m.namelen = alen;
	}
	long r = err;
	if (!err) {
		scm_current_creds(&m.scm.creds);
		m.scm.has_creds = true;
		if (f->f_flags & O_NONBLOCK)
			flags |= MSG_DONTWAIT;
		r = s->ops->sendmsg(s, &m, flags);
	}
	fput(f);
	return r;
}

SYSCALL_DEFINE6(recvfrom, int, fd, uaddr_t, buf, size_t, len, unsigned, flags, uaddr_t, addr, uaddr_t, ualen)
{
	struct kiovec iov = { buf, MIN(len, MAX_RW) };
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	struct kmsg m;
	memset(&m, 0, sizeof(m));
	m.it = (struct msg_iter){ .iov = &iov, .nr = 1, .len = iov.len };
	if (f->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	long r = s->ops->recvmsg(s, &m, flags);
	fput(f);
	scm_destroy(&m.scm);
	sbuf_free(&m.cmsgs);
	if (r >= 0 && addr) {
		err = move_addr_to_user(&m.name, m.namelen, addr, ualen);
		if (err)
			return err;
	}
	return r;
}

SYSCALL_DEFINE4(sendmmsg, int, fd, uaddr_t, vec, unsigned, vlen, unsigned, flags)
{
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	unsigned i;
	long r = 0;
	for (i = 0; i < vlen; i++) {
		uaddr_t u = vec + i * sizeof(struct user_mmsghdr);
		struct user_msghdr h;
		if (copy_from_user(&h, u, sizeof(h))) {
			r = -EFAULT;
			break;
		}
		r = sock_sendmsg_user(s, f, &h, flags);
		if (r < 0)
			break;
		uint32_t sent = r;
		if (copy_to_user(u + offsetof(struct user_mmsghdr, msg_len), &sent, sizeof(sent))) {
			r = -EFAULT;
			break;
		}
	}
	fput(f);
	return i ? (long)i : r;
}

struct k_timespec { int64_t sec, nsec; };

SYSCALL_DEFINE5(recvmmsg, int, fd, uaddr_t, vec, unsigned, vlen, unsigned, flags, uaddr_t, utimeout)
{
	int64_t deadline = -1;
	if (utimeout) {
		struct k_timespec ts;
		if (copy_from_user(&ts, utimeout, sizeof(ts)))
			return -EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return -EINVAL;
		deadline = ktime_mono_ns() + ts.sec * 1000000000ll + ts.nsec;
	}
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	unsigned i;
	long r = 0;
	for (i = 0; i < vlen; i++) {
		uaddr_t u = vec + i * sizeof(struct user_mmsghdr);
		struct user_msghdr h;
		if (copy_from_user(&h, u, sizeof(h))) {
			r = -EFAULT;
			break;
		}
		r = sock_recvmsg_user(s, f, &h, u, flags);
		if (r < 0)
			break;
		uint32_t got = r;
		if (copy_to_user(u + offsetof(struct user_mmsghdr, msg_len), &got, sizeof(got))) {
			r = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		/* like Linux, the timeout is only checked between messages */
		if (deadline >= 0 && ktime_mono_ns() >= deadline) {
			i++;
			break;
		}
	}
	fput(f);
	if (i)
		return i;
	return r;
}
