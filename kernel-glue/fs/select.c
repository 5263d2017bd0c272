/* poll/ppoll/select/pselect6: ask each file's poll op for its ready
 * mask, registering on the wait queues it names the first time round,
 * then sleep on all of them at once until something changes, a signal
 * arrives or the deadline passes. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include "internal.h"

#define SIGKILL_STOP ((1ull << 8) | (1ull << 18))	/* bits of signals 9 and 19 */

struct poll_wq {
	struct poll_table pt;
	struct wait_entry *ents;
	int n, cap;
};

static void pw_add(struct file *f __unused, struct wait_queue_head *wq, struct poll_table *pt)
{
	struct poll_wq *p = container_of(pt, struct poll_wq, pt);
	if (p->n == p->cap) {
		/* entries are linked into queues: never move them, chain blocks */
		return;
	}
	wait_enqueue(wq, &p->ents[p->n++]);
}

static void pw_init(struct poll_wq *p, int cap)
{
	p->pt.qproc = pw_add;
	p->cap = cap;
	p->n = 0;
	p->ents = kzalloc(sizeof(*p->ents) * MAX(cap, 1));
}

static void pw_free(struct poll_wq *p)
{
	for (int i = 0; i < p->n; i++)
		wait_dequeue(&p->ents[i]);
	kfree(p->ents);
}

struct kpollfd { int fd; short events, revents; };

static unsigned poll_one(int fd, unsigned events, struct poll_table *pt)
{
	if (fd < 0)
		return 0;
	struct file *f = fget(fd);
	if (!f)
		return POLLNVAL;
	unsigned m = vfs_poll(f, pt);
	fput(f);
	return m & (events | POLLERR | POLLHUP);
}

static long do_poll(struct kpollfd *fds, unsigned nfds, int64_t deadline)
{
	struct poll_wq pw;
	pw_init(&pw, nfds * 2 + 2);
	bool first = true;
	long r;
	for (;;) {
		int count = 0;
		for (unsigned i = 0; i < nfds; i++) {
			fds[i].revents = poll_one(fds[i].fd, (unsigned short)fds[i].events, first ? &pw.pt : NULL);
			if (fds[i].revents)
				count++;
		}
		first = false;
		if (count || deadline == 0) {
			r = count;
			break;
		}
		r = wait_sleep(NULL, NULL, true, deadline);
		if (r == -ETIMEDOUT) {
			deadline = 0;	/* one last look */
			continue;
		}
		if (r) {
			r = -ERESTARTNOHAND;
			break;
		}
	}
	pw_free(&pw);
	return r;
}

static int64_t deadline_from_ts(uaddr_t uts, int *err)
{
	*err = 0;
	if (!uts)
		return -1;
	int64_t ts[2];
	if (copy_from_user(ts, uts, sizeof(ts))) {
		*err = -EFAULT;
		return 0;
	}
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000) {
		*err = -EINVAL;
		return 0;
	}
	if (!ts[0] && !ts[1])
		return 0;
	return ktime_mono_ns() + ts[0] * 1000000000 + ts[1];
}

static long poll_common(uaddr_t ufds, unsigned nfds, int64_t deadline)
{
	if (nfds > fd_limit())
		return -EINVAL;
	struct kpollfd *fds = kmalloc(sizeof(*fds) * MAX(nfds, 1u));
	if (copy_from_user(fds, ufds, sizeof(*fds) * nfds)) {
		kfree(fds);
		return -EFAULT;
	}
	long r = do_poll(fds, nfds, deadline);
	if (r >= 0)
		for (unsigned i = 0; i < nfds; i++)
			if (copy_to_user(ufds + i * sizeof(*fds) + offsetof(struct kpollfd, revents), &fds[i].revents, sizeof(short))) {
				r = -EFAULT;
				break;
			}
	kfree(fds);
	return r;
}

SYSCALL_DEFINE3(poll, uaddr_t, ufds, unsigned, nfds, int, timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : timeout_ms == 0 ? 0 : ktime_mono_ns() + (int64_t)timeout_ms * 1000000;
	return poll_common(ufds, nfds, deadline);
}

/* Temporarily install a signal mask for ppoll/pselect6 (like sigsuspend). */
static int set_temp_mask(uaddr_t umask, size_t size, bool *installed)
{
	*installed = false;
	if (!umask)
		return 0;
	if (size != 8)
		return -EINVAL;
	uint64_t m;
	if (copy_from_user(&m, umask, 8))
		return -EFAULT;
	current->saved_sigmask = current->blocked;
	current->blocked.sig = m & ~SIGKILL_STOP;
	*installed = true;
	return 0;
}

static long end_temp_mask(long r, bool installed)
{
	if (installed) {
		if (r == -ERESTARTNOHAND)
			current->restore_sigmask = true;	/* after the handler runs */
		else
			current->blocked = current->saved_sigmask;
	}
	return r;
}

SYSCALL_DEFINE5(ppoll, uaddr_t, ufds, unsigned, nfds, uaddr_t, uts, uaddr_t, umask, size_t, size)
{
	int err;
	int64_t deadline = deadline_from_ts(uts, &err);
	if (err)
		return err;
	bool inst;
	if ((err = set_temp_mask(umask, size, &inst)))
		return err;
	return end_temp_mask(poll_common(ufds, nfds, deadline), inst);
}

/* select: fd_set bitmaps of n bits, translated to poll masks. */
#define SEL_IN (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SEL_EX (POLLPRI)

static long do_select(int n, uaddr_t uin, uaddr_t uout, uaddr_t uex, int64_t deadline)
{
	if (n < 0)
		return -EINVAL;
	if ((unsigned)n > fd_limit())
		n = fd_limit();
	size_t words = (n + 63) / 64, bytes = words * 8;
	uint64_t *in = kzalloc(MAX(bytes, 8) * 6), *out = in + words, *ex = out + words;
	uint64_t *rin = ex + words, *rout = rin + words, *rex = rout + words;
	long r = 0;
	if ((uin && copy_from_user(in, uin, bytes)) || (uout && copy_from_user(out, uout, bytes)) ||
	    (uex && copy_from_user(ex, uex, bytes))) {
		kfree(in);
		return -EFAULT;
	}
	struct poll_wq pw;
	pw_init(&pw, 2 * n + 2);
	bool first = true;
	for (;;) {
		int count = 0;
		memset(rin, 0, bytes * 3);
		for (int fd = 0; fd < n; fd++) {
			uint64_t bit = 1ull << (fd % 64);
			int w = fd / 64;
			if (!((in[w] | out[w] | ex[w]) & bit))
				continue;
			struct file *f = fget(fd);
			if (!f) {
				r = -EBADF;
				goto done;
			}
			unsigned m = vfs_poll(f, first ? &pw.pt : NULL);
			fput(f);
			if ((in[w] & bit) && (m & SEL_IN)) { rin[w] |= bit; count++; }
			if ((out[w] & bit) && (m & SEL_OUT)) { rout[w] |= bit; count++; }
			if ((ex[w] & bit) && (m & SEL_EX)) { rex[w] |= bit; count++; }
		}
		first = false;
		if (count || deadline == 0) {
			r = count;
			break;
		}
		r = wait_sleep(NULL, NULL, true, deadline);
		if (r == -ETIMEDOUT) {
			deadline = 0;
			continue;
		}
		if (r) {
			r = -ERESTARTNOHAND;
			goto done;
		}
	}
	if ((uin && copy_to_user(uin, rin, bytes)) || (uout && copy_to_user(uout, rout, bytes)) ||
	    (uex && copy_to_user(uex, rex, bytes)))
		r = -EFAULT;
done:
	pw_free(&pw);
	kfree(in);
	return r;
}

SYSCALL_DEFINE5(select, int, n, uaddr_t, in, uaddr_t, out, uaddr_t, ex, uaddr_t, utv)
{
	int64_t deadline = -1;
	int64_t tv[2];
	if (utv) {
		if (copy_from_user(tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv[0] < 0 || tv[1] < 0)
			return -EINVAL;
		deadline = (!tv[0] && !tv[1]) ? 0 : ktime_mono_ns() + tv[0] * 1000000000 + tv[1] * 1000;
	}
	long r = do_select(n, in, out, ex, deadline);
	if (utv && r >= 0) {
		/* Linux writes back the time left */
		int64_t left = deadline > 0 ? deadline - ktime_mono_ns() : 0;
		if (left < 0)
			left = 0;
		tv[0] = left / 1000000000;
		tv[1] = left % 1000000000 / 1000;
		copy_to_user(utv, tv, sizeof(tv));
	}
	return r;
}

SYSCALL_DEFINE6(pselect6, int, n, uaddr_t, in, uaddr_t, out, uaddr_t, ex, uaddr_t, uts, uaddr_t, usig)
{
	int err;
	int64_t deadline = deadline_from_ts(uts, &err);
	if (err)
		return err;
	bool inst = false;
	if (usig) {
		uint64_t sd[2];	/* { const sigset_t *ss; size_t ss_len; } */
		if (copy_from_user(sd, usig, sizeof(sd)))
			return -EFAULT;
		if (sd[0] && (err = set_temp_mask(sd[0], sd[1], &inst)))
			return err;
	}
	return end_temp_mask(do_select(n, in, out, ex, deadline), inst);
}
