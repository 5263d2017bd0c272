/* tty files: read/write through the line discipline, the termios and
 * job-control ioctls, and the controlling-terminal rules of Linux. */
#include <umk/tty.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>

#define SIGHUP_NR 1
#define SIGTTIN_NR 21
#define SIGCONT_NR 18
#define SIGWINCH_NR 28

ssize_t tty_output(struct tty *t, const char *buf, size_t n);
ssize_t n_tty_read(struct tty *t, char *buf, size_t n, bool nb);
size_t n_tty_avail(struct tty *t);
void n_tty_set_canon(struct tty *t, bool was_canon);

struct tty *console_tty;

void tty_init_struct(struct tty *t, const char *name, uint64_t rdev, const struct tty_driver *drv)
{
	static const cc_t init_cc[NCCS] = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0";
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->rdev = rdev;
	t->drv = drv;
	t->termios.c_iflag = ICRNL | IXON;
	t->termios.c_oflag = OPOST | ONLCR;
	t->termios.c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->termios.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->termios.c_cc, init_cc, NCCS);
	t->ws_row = 24;
	t->ws_col = 80;
	init_waitqueue_head(&t->rwait);
	init_waitqueue_head(&t->wwait);
}

struct tty *current_tty(void)
{
	return current && current->signal ? current->signal->tty : NULL;
}

static bool is_session_leader(void)
{
	return current->signal->session == current->tgid;
}

static void set_ctty(struct tty *t)
{
	current->signal->tty = t;
	t->session = current->signal->session;
	t->pgrp = current->signal->pgrp;
}

int tty_open_file(struct tty *t, struct file *f, bool noctty)
{
	f->private_data = t;
	f->f_op = &tty_fops;
	f->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD);
	if (!noctty && current && current->signal && is_session_leader() &&
	    !current->signal->tty && !t->session)
		set_ctty(t);
	return 0;
}

/* Background readers of their controlling tty get SIGTTIN (or EIO). */
static int job_control_read(struct tty *t)
{
	if (!current || current->signal->tty != t || !t->pgrp || current->signal->pgrp == t->pgrp)
		return 0;
	bool ignored = current->sighand && current->sighand->action[SIGTTIN_NR - 1].handler == 1;
	if (ignored || ksigismember(&current->blocked, SIGTTIN_NR) || is_orphaned_pgrp(current->signal->pgrp))
		return -EIO;
	kill_pgrp(current->signal->pgrp, SIGTTIN_NR);
	return -ERESTARTSYS;
}

static ssize_t tty_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct tty *t = f->private_data;
	int err = job_control_read(t);
	if (err)
		return err;
	return n_tty_read(t, buf, n, f->f_flags & O_NONBLOCK);
}

static ssize_t tty_write(struct file *f, const void *buf, size_t n, loff_t *pos __unused)
{
	struct tty *t = f->private_data;
	if (t->hung_up)
		return -EIO;
	return tty_output(t, buf, n);
}

static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *t = f->private_data;
	poll_wait(f, &t->rwait, pt);
	unsigned mask = POLLOUT | POLLWRNORM;
	if (n_tty_avail(t))
		mask |= POLLIN | POLLRDNORM;
	if (t->hung_up)
		mask |= POLLHUP | POLLIN | POLLRDNORM;
	if (t->input_eof)
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

static int put_int(unsigned long arg, int v) { return copy_to_user(arg, &v, sizeof(v)); }

/* Drop the controlling tty of every process in t's session. */
static void disassociate(struct tty *t)
{
	struct task *p;
	for_each_task(p)
		if (p->signal && p->signal->tty == t)
			p->signal->tty = NULL;
	t->session = 0;
	t->pgrp = 0;
}

void tty_hangup(struct tty *t)
{
	t->hung_up = true;
	if (t->pgrp > 0) {
		kill_pgrp(t->pgrp, SIGHUP_NR);
		kill_pgrp(t->pgrp, SIGCONT_NR);
	}
	wake_up(&t->rwait);
	wake_up(&t->wwait);
}

static long tty_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct tty *t = f->private_data;
	bool is_ctty = current && current->signal->tty == t;
	switch (cmd) {
	case TCGETS:
		return copy_to_user(arg, &t->termios, sizeof(t->termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct termios nt;
		if (copy_from_user(&nt, arg, sizeof(nt)))
			return -EFAULT;
		bool was_canon = t->termios.c_lflag & ICANON;
		if (cmd == TCSETSF) {
			t->rlen = t->rhead = t->nlines = t->lhead = t->line_len = 0;
		}
		t->termios = nt;
		if (was_canon != !!(nt.c_lflag & ICANON))
			n_tty_set_canon(t, was_canon);
		return 0;
	}
	case TIOCGWINSZ: {
		uint16_t ws[4] = { t->ws_row, t->ws_col, t->ws_xpixel, t->ws_ypixel };
		return copy_to_user(arg, ws, sizeof(ws));
	}
	case TIOCSWINSZ: {
		uint16_t ws[4];
		if (copy_from_user(ws, arg, sizeof(ws)))
			return -EFAULT;
		bool changed = ws[0] != t->ws_row || ws[1] != t->ws_col;
		t->ws_row = ws[0];
		t->ws_col = ws[1];
		t->ws_xpixel = ws[2];
		t->ws_ypixel = ws[3];
		if (changed && t->pgrp > 0)
			kill_pgrp(t->pgrp, SIGWINCH_NR);
		return 0;
	}
	case TIOCGPGRP:
		if (!is_ctty)
			return -ENOTTY;
		return put_int(arg, t->pgrp);
	case TIOCSPGRP: {
		int pg;
		if (!is_ctty || current->signal->session != t->session)
			return -ENOTTY;
		if (copy_from_user(&pg, arg, sizeof(pg)))
			return -EFAULT;
		if (pg < 0)
			return -EINVAL;
		if (!pgrp_exists(pg))
			return -ESRCH;
		struct task *p;
		bool same_session = false;
		for_each_task(p)
			if (p->signal && p->signal->pgrp == pg && p->signal->session == t->session)
				same_session = true;
		if (!same_session)
			return -EPERM;
		t->pgrp = pg;
		return 0;
	}
	case TIOCGSID:
		if (!is_ctty)
			return -ENOTTY;
		return put_int(arg, t->session);
	case TIOCSCTTY:
		if (is_ctty)
			return 0;
		if (!is_session_leader() || current->signal->tty)
			return -EPERM;
		if (t->session) {
			if (arg != 1 || current->cred.euid != 0)
				return -EPERM;
			disassociate(t);
		}
		set_ctty(t);
		return 0;
	case TIOCNOTTY:
		if (!is_ctty)
			return -ENOTTY;
		if (is_session_leader()) {
			if (t->pgrp > 0) {
				kill_pgrp(t->pgrp, SIGHUP_NR);
				kill_pgrp(t->pgrp, SIGCONT_NR);
			}
			disassociate(t);
		} else {
			current->signal->tty = NULL;
		}
		return 0;
	case FIONREAD:
		return put_int(arg, t->rlen);
	case TCFLSH:
		if (arg > 2)
			return -EINVAL;
		if (arg == 0 || arg == 2)
			t->rlen = t->rhead = t->nlines = t->lhead = t->line_len = 0;
		return 0;
	case TCXONC:
	case TCSBRK:
	case TCSBRKP:
		return 0;
	case TIOCOUTQ:
		return put_int(arg, 0);
	case TIOCGETD:
		return put_int(arg, 0);	/* N_TTY */
	case TIOCSETD:
		return 0;
	default:
		return -ENOTTY;
	}
}

const struct file_operations tty_fops = {
	.read = tty_read, .write = tty_write, .poll = tty_poll, .ioctl = tty_ioctl,
	.llseek = NULL,
};

/* fds 0, 1, 2 of pid 1 on /dev/console; pid 1 becomes its session's
 * controlling-tty owner the way Linux init does by opening it. */
int console_open_for_init(struct files_struct *fs)
{
	for (int i = 0; i < 3; i++) {
		struct file *f = do_filp_open(AT_FDCWD, "/dev/console", O_RDWR | O_LARGEFILE, 0);
		if (IS_ERR(f))
			return PTR_ERR(f);
		int fd = fd_install_from(fs, f, i, false);
		if (fd < 0) {
			fput(f);
			return fd;
		}
	}
	return 0;
}
