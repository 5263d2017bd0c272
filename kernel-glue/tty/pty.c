/* Pseudo-terminals: /dev/ptmx makes a master/slave pair. The slave is a
 * tty with the line discipline; its driver queues output for the master
 * to read. Master writes are the slave's input. Closing the master hangs
 * the slave up; reading the master once no slave file is open gives EIO. */
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include "tty_internal.h"
#include "pty.h"

#define TO_PTY(t) ((struct pty *)(t)->driver_data)

static void pty_maybe_free(struct pty *p)
{
	if (!p->master_closed || p->slave.count)
		return;
	devpts_kill_index(p->index);
	kfree(p);
}

/* ---- the slave's driver ---- */
static ssize_t pts_write(struct tty *t, const char *buf, size_t n)
{
	struct pty *p = TO_PTY(t);
	if (p->master_closed)
		return n;
	size_t cnt = MIN(n, PTY_OBUF - p->olen);
	for (size_t i = 0; i < cnt; i++)
		p->obuf[(p->ohead + p->olen + i) % PTY_OBUF] = buf[i];
	p->olen += cnt;
	if (cnt)
		wake_up(&p->mrwait);
	return cnt;
}

static size_t pts_write_room(struct tty *t)
{
	struct pty *p = TO_PTY(t);
	return p->master_closed ? (size_t)-1 : PTY_OBUF - p->olen;
}

static void pts_flush_output(struct tty *t)
{
	struct pty *p = TO_PTY(t);
	p->olen = p->ohead = 0;
	wake_up(&t->wwait);
}

static void pts_input_room(struct tty *t)
{
	wake_up(&TO_PTY(t)->mwwait);
}

static int pts_open(struct tty *t, struct file *f __unused)
{
	struct pty *p = TO_PTY(t);
	if (p->master_closed || p->locked || t->hung_up)
		return -EIO;
	p->slave_closed = false;
	return 0;
}

static void pts_close(struct tty *t, struct file *f __unused)
{
	struct pty *p = TO_PTY(t);
	if (t->count)
		return;
	p->slave_closed = true;
	wake_up(&p->mrwait);
	wake_up(&p->mwwait);
	pty_maybe_free(p);
}

static const struct tty_driver pts_driver = {
	.write = pts_write, .write_room = pts_write_room, .flush_output = pts_flush_output,
	.input_room = pts_input_room, .open = pts_open, .close = pts_close,
};

/* open of /dev/pts/N (the devpts node's file operations) */
static int pts_file_open(struct inode *inode, struct file *f)
{
	struct pty *p = inode->i_private;
	if (!p)
		return -EIO;
	return tty_open_file(&p->slave, f, f->f_flags & O_NOCTTY);
}
const struct file_operations pts_fops = { .open = pts_file_open };

/* ---- the master ---- */
static ssize_t ptm_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct pty *p = f->private_data;
	char *out = buf;
	size_t off = 0;
	if (!n)
		return 0;
	while (!p->olen) {
		if (p->slave_closed)
			return -EIO;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(p->mrwait, p->olen || p->slave_closed);
		if (err)
			return err;
	}
	if (p->packet) {
		out[off++] = 0;	/* TIOCPKT_DATA */
		if (n == 1)
			return 1;
	}
	size_t cnt = MIN(n - off, p->olen);
	for (size_t i = 0; i < cnt; i++)
		out[off + i] = p->obuf[(p->ohead + i) % PTY_OBUF];
	p->ohead = (p->ohead + cnt) % PTY_OBUF;
	p->olen -= cnt;
	wake_up(&p->slave.wwait);
	return off + cnt;
}

static ssize_t ptm_write(struct file *f, const void *buf, size_t n, loff_t *pos __unused)
{
	struct pty *p = f->private_data;
	struct tty *t = &p->slave;
	size_t done = 0;
	while (done < n) {
		done += tty_receive(t, (const char *)buf + done, n - done);
		if (done == n || t->hung_up)
			break;
		if (f->f_flags & O_NONBLOCK)
			return done ? (ssize_t)done : -EAGAIN;
		long err = wait_event_interruptible(p->mwwait, tty_receive_room(t) > 0 || t->hung_up);
		if (err)
			return done ? (ssize_t)done : err;
	}
	return done;
}

static unsigned ptm_poll(struct file *f, struct poll_table *pt)
{
	struct pty *p = f->private_data;
	poll_wait(f, &p->mrwait, pt);
	poll_wait(f, &p->mwwait, pt);
	unsigned mask = 0;
	if (p->olen)
		mask |= POLLIN | POLLRDNORM;
	if (p->slave_closed)
		mask |= POLLHUP;
	if (tty_receive_room(&p->slave) > 0)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static int get_int(unsigned long arg, int *v) { return copy_from_user(v, arg, sizeof(*v)) ? -EFAULT : 0; }
static int put_int(unsigned long arg, int v) { return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0; }

static long ptm_peer(struct file *f, struct pty *p, unsigned long flags)
{
	if (flags & ~(unsigned long)(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	struct file *sf = devpts_open_peer(f, p, flags | O_NOCTTY);
	if (IS_ERR(sf))
		return PTR_ERR(sf);
	int fd = fd_install(sf, flags & O_CLOEXEC);
	if (fd < 0)
		fput(sf);
	return fd;
}

static long ptm_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pty *p = f->private_data;
	struct tty *t = &p->slave;
	int v, err;
	switch (cmd) {
	case TIOCGPTN:
		return put_int(arg, p->index);
	case TIOCSPTLCK:
		if ((err = get_int(arg, &v)))
			return err;
		p->locked = v != 0;
		return 0;
	case TIOCGPTLCK:
		return put_int(arg, p->locked);
	case TIOCGPTPEER:
		return ptm_peer(f, p, arg);
	case TIOCPKT:
		if ((err = get_int(arg, &v)))
			return err;
		p->packet = v != 0;
		return 0;
	case TIOCGPKT:
		return put_int(arg, p->packet);
	case TIOCSIG:
		if (arg < 1 || arg >= 64)
			return -EINVAL;
		if (t->pgrp > 0)
			kill_pgrp(t->pgrp, arg);
		return 0;
	case TCGETS:
		return copy_to_user(arg, &p->mtermios, sizeof(p->mtermios)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return copy_from_user(&p->mtermios, arg, sizeof(p->mtermios)) ? -EFAULT : 0;
	case TIOCGWINSZ:
	case TIOCSWINSZ:
		return tty_winsize_ioctl(t, cmd, arg);
	case FIONREAD:
		return put_int(arg, p->olen);
	case TIOCOUTQ:
		return put_int(arg, 0);
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if (arg != TCOFLUSH) {
			p->olen = p->ohead = 0;
			wake_up(&t->wwait);
		}
		return 0;
	case TCXONC:
	case TCSBRK:
	case TCSBRKP:
		return 0;
	default:
		return tty_ioctl_common(t, f, cmd, arg, true);
	}
}

static void ptm_release(struct inode *inode __unused, struct file *f)
{
	struct pty *p = f->private_data;
	if (--p->master_count)
		return;
	p->master_closed = true;
	devpts_pty_kill(p);
	tty_hangup(&p->slave);
	wake_up(&p->mrwait);
	wake_up(&p->mwwait);
	pty_maybe_free(p);
}

static const struct file_operations ptm_fops = {
	.read = ptm_read, .write = ptm_write, .poll = ptm_poll, .ioctl = ptm_ioctl,
	.release = ptm_release,
};

int ptmx_open(struct inode *inode __unused, struct file *f)
{
	int index = devpts_new_index();
	if (index < 0)
		return index;
	struct pty *p = kzalloc(sizeof(*p));
	p->index = index;
	snprintf(p->name, sizeof(p->name), "pts/%d", index);
	tty_init_struct(&p->slave, p->name, MKDEV(136 + index / 256, index % 256), &pts_driver);
	p->slave.driver_data = p;
	p->mtermios.c_cflag = B38400 | CS8 | CREAD;
	memcpy(p->mtermios.c_cc, p->slave.termios.c_cc, NCCS);
	p->locked = true;
	p->master_count = 1;
	init_waitqueue_head(&p->mrwait);
	init_waitqueue_head(&p->mwwait);
	p->node = devpts_pty_new(p);
	f->private_data = p;
	f->f_op = &ptm_fops;
	f->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD);
	return 0;
}
