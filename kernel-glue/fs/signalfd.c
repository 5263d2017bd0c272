/* signalfd: reading takes pending signals of the fd's mask from the
 * reader's own queues (like sigtimedwait), as struct signalfd_siginfo.
 * The mask belongs to the file; readiness is the reader's pending set. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/signalfd.h>
#include "anon_inode.h"

#define SIG_UNQUEUABLE (ksigmask(9) | ksigmask(19))	/* SIGKILL, SIGSTOP */
/* si_code classes (asm-generic/siginfo.h) */
#define SI_KERNEL_NR 0x80
#define SI_TIMER_NR (-2)
#define SIGCHLD_NR 17

struct signalfd_ctx { uint64_t mask; };

static const struct file_operations signalfd_fops;

/* Translate by the layout the sender used, as Linux's siginfo_layout. */
static void fill_ssi(struct signalfd_siginfo *s, const struct ksiginfo *k)
{
	memset(s, 0, sizeof(*s));
	int sig = k->si_signo, code = k->si_code;
	s->ssi_signo = sig;
	s->ssi_errno = k->si_errno;
	s->ssi_code = code;
	if (code > 0 && code < SI_KERNEL_NR) {
		/* kernel-generated, signal-specific */
		if (sig == SIGCHLD_NR) {
			s->ssi_pid = k->chld.pid;
			s->ssi_uid = k->chld.uid;
			s->ssi_status = k->chld.status;
			s->ssi_utime = k->chld.utime;
			s->ssi_stime = k->chld.stime;
		} else if (sig == 4 || sig == 5 || sig == 7 || sig == 8 || sig == 11) {
			/* SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV */
			s->ssi_addr = k->fault.addr;
			s->ssi_addr_lsb = k->fault.addr_lsb;
		} else if (sig == 31) {	/* SIGSYS from seccomp */
			s->ssi_call_addr = k->sys.call_addr;
			s->ssi_syscall = k->sys.syscall;
			s->ssi_arch = k->sys.arch;
		}
	} else if (code == SI_TIMER_NR) {
		s->ssi_tid = k->timer.tid;
		s->ssi_overrun = k->timer.overrun;
		s->ssi_ptr = k->timer.sigval;
		s->ssi_int = (int)k->timer.sigval;
	} else {
		s->ssi_pid = k->rt.pid;
		s->ssi_uid = k->rt.uid;
		if (code < 0) {		/* sigqueue, tkill, mq: a value rides along */
			s->ssi_ptr = k->rt.sigval;
			s->ssi_int = (int)k->rt.sigval;
		}
	}
}

static ssize_t signalfd_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct signalfd_ctx *c = f->private_data;
	struct signal_struct *sig = current->signal;
	size_t done = 0;
	if (n < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	while (done + sizeof(struct signalfd_siginfo) <= n) {
		struct ksiginfo info;
		int nr = signal_dequeue_in(current, c->mask, &info);
		if (!nr) {
			if (done || (f->f_flags & O_NONBLOCK))
				break;
			long err = wait_event_interruptible(sig->signalfd_wqh, signal_pending_in(current, c->mask));
			if (err)
				return err;
			continue;
		}
		struct signalfd_siginfo s;
		fill_ssi(&s, &info);
		memcpy((char *)buf + done, &s, sizeof(s));
		done += sizeof(s);
	}
	return done ? (ssize_t)done : -EAGAIN;
}

static unsigned signalfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd_ctx *c = f->private_data;
	poll_wait(f, &current->signal->signalfd_wqh, pt);
	return signal_pending_in(current, c->mask) ? POLLIN | POLLRDNORM : 0;
}

static void signalfd_release(struct inode *inode __unused, struct file *f)
{
	kfree(f->private_data);
}

static const struct file_operations signalfd_fops = {
	.read = signalfd_read, .poll = signalfd_poll,
	.llseek = noop_llseek, .release = signalfd_release,
};

static long do_signalfd4(int fd, uaddr_t umask, size_t size, int flags)
{
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (size != 8)
		return -EINVAL;
	uint64_t mask;
	if (copy_from_user(&mask, umask, 8))
		return -EFAULT;
	mask &= ~SIG_UNQUEUABLE;
	if (fd == -1) {
		struct signalfd_ctx *c = kzalloc(sizeof(*c));
		c->mask = mask;
		int nfd = anon_inode_getfd("signalfd", &signalfd_fops, c, flags, flags & SFD_CLOEXEC);
		if (nfd < 0)
			kfree(c);
		return nfd;
	}
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (f->f_op != &signalfd_fops) {
		fput(f);
		return -EINVAL;
	}
	((struct signalfd_ctx *)f->private_data)->mask = mask;
	/* a waiter may now match a signal already pending */
	wake_up(&current->signal->signalfd_wqh);
	fput(f);
	return fd;
}

SYSCALL_DEFINE3(signalfd, int, fd, uaddr_t, mask, size_t, size) { return do_signalfd4(fd, mask, size, 0); }
SYSCALL_DEFINE4(signalfd4, int, fd, uaddr_t, mask, size_t, size, int, flags) { return do_signalfd4(fd, mask, size, flags); }
