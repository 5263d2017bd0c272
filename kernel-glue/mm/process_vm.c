/* process_vm_readv / process_vm_writev: copy between the caller's memory
 * and another process's, through a kernel buffer, a remote vector at a
 * time. Checks and results in Linux's order: flags, the local vector, an
 * empty local vector is 0 before anything else, the remote vector, the
 * process (ESRCH), then permission as ptrace attach (same real ids and a
 * dumpable target, or root: EPERM). The bytes copied before the first
 * failure are the result; a failure before any byte is its errno (EFAULT
 * for an address either side cannot reach). */
#include <umk/internal.h>
#include <umk/mm.h>
#include <umk/ptrace.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/uio.h>

/* A user iovec array, checked as import_iovec: count, readable, lengths
 * that fit (their sum within ssize_t). */
/* May current read and write t's memory? ptrace's attach check. */
static bool may_access(struct task *t)
{
	return ptrace_may_access(t) == 0;
}

struct cursor { const struct iovec *v; unsigned long n, i; size_t off; };

static long process_vm_rw(pid_t pid, uaddr_t lvec, unsigned long lcnt, uaddr_t rvec, unsigned long rcnt,
			  unsigned long flags, bool write)
{
	if (flags)
		return -EINVAL;
	struct iovec *lv, *rv;
	size_t ltotal, rtotal;
	long r = import_iovec(lvec, lcnt, &lv, &ltotal);
	if (r)
		return r;
	if (!ltotal) {
		kfree(lv);
		return 0;
	}
	r = import_iovec(rvec, rcnt, &rv, &rtotal);
	if (r) {
		kfree(lv);
		return r;
	}
	struct task *t = rtotal ? find_task_group_leader(pid) : NULL;
	if (!rtotal)
		r = 0;
	else if (!t || !t->mm)
		r = -ESRCH;
	else if (!may_access(t))
		r = -EPERM;
	if (r || !rtotal) {
		kfree(lv);
		kfree(rv);
		return r;
	}
	char *buf = kmalloc(PAGE_SIZE);
	struct cursor lc = { lv, lcnt, 0, 0 };
	size_t done = 0;
	for (unsigned long ri = 0; ri < rcnt && !r && done < ltotal; ri++) {
		uaddr_t ra = (uaddr_t)rv[ri].iov_base;
		size_t rlen = rv[ri].iov_len;
		while (rlen && done < ltotal) {
			while (lc.i < lc.n && lc.off == lc.v[lc.i].iov_len) {
				lc.i++;
				lc.off = 0;
			}
			uaddr_t la = (uaddr_t)lc.v[lc.i].iov_base + lc.off;
			size_t c = MIN(rlen, lc.v[lc.i].iov_len - lc.off);
			c = MIN(c, PAGE_SIZE - (ra & ~PAGE_MASK));
			c = MIN(c, (size_t)PAGE_SIZE);
			long got;
			if (write) {
				got = copy_from_user(buf, la, c) ? -EFAULT : (long)c;
				if (got > 0)
					got = access_remote_vm(t->mm, ra, buf, c, true);
			} else {
				got = access_remote_vm(t->mm, ra, buf, c, false);
				if (got > 0 && copy_to_user(la, buf, got))
					got = -EFAULT;
			}
			if (got > 0) {
				done += got;
				lc.off += got;
				ra += got;
				rlen -= got;
			}
			if (got < (long)c) {
				r = -EFAULT;
				break;
			}
		}
	}
	kfree(buf);
	kfree(lv);
	kfree(rv);
	return done ? (long)done : r;
}

SYSCALL_DEFINE6(process_vm_readv, pid_t, pid, uaddr_t, lvec, unsigned long, liovcnt, uaddr_t, rvec,
		unsigned long, riovcnt, unsigned long, flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, false);
}

SYSCALL_DEFINE6(process_vm_writev, pid_t, pid, uaddr_t, lvec, unsigned long, liovcnt, uaddr_t, rvec,
		unsigned long, riovcnt, unsigned long, flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, true);
}
