/* The ioctls of a tty (console or pty slave; the pty master passes its
 * job-control ones on with from_master): termios, window size, process
 * groups and sessions, queue flushing and flow control. */
#include <umk/capability.h>
#include <umk/sched.h>
#include <umk/uaccess.h>
#include <asm/ioctls.h>
#include "tty_internal.h"

static int put_int(unsigned long arg, int v) { return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0; }

/* TIOCGWINSZ/TIOCSWINSZ, the same on a pty master and any tty. */
long tty_winsize_ioctl(struct tty *t, unsigned cmd, unsigned long arg)
{
	uint16_t ws[4] = { t->ws_row, t->ws_col, t->ws_xpixel, t->ws_ypixel };
	if (cmd == TIOCGWINSZ)
		return copy_to_user(arg, ws, sizeof(ws)) ? -EFAULT : 0;
	if (copy_from_user(ws, arg, sizeof(ws)))
		return -EFAULT;
	tty_set_winsize(t, ws);
	return 0;
}

void tty_set_winsize(struct tty *t, const uint16_t ws[4])
{
	bool changed = ws[0] != t->ws_row || ws[1] != t->ws_col || ws[2] != t->ws_xpixel || ws[3] != t->ws_ypixel;
	if (!changed)
		return;
	t->ws_row = ws[0];
	t->ws_col = ws[1];
	t->ws_xpixel = ws[2];
	t->ws_ypixel = ws[3];
	if (t->pgrp > 0)
		kill_pgrp(t->pgrp, SIGWINCH_NR);
	if (t->drv && t->drv->winsize_changed)
		t->drv->winsize_changed(t);
}

static int set_termios(struct tty *t, unsigned cmd, unsigned long arg)
{
	struct termios nt;
	if (copy_from_user(&nt, arg, sizeof(nt)))
		return -EFAULT;
	bool was_canon = t->termios.c_lflag & ICANON;
	bool was_ixon = t->termios.c_iflag & IXON;
	if (cmd == TCSETSF)
		n_tty_flush_input(t);
	t->termios = nt;
	if (was_canon != !!(nt.c_lflag & ICANON))
		n_tty_set_canon(t, was_canon);
	if (was_ixon && !(nt.c_iflag & IXON) && t->stopped) {
		t->stopped = false;
		wake_up(&t->wwait);
	}
	return 0;
}

static int tiocspgrp(struct tty *t, unsigned long arg)
{
	int err = tty_check_change(t, SIGTTOU_NR);
	if (err == -EIO)
		return -ENOTTY;
	if (err)
		return err;
	int pg;
	if (copy_from_user(&pg, arg, sizeof(pg)))
		return -EFAULT;
	if (pg < 0)
		return -EINVAL;
	if (current->signal->tty != t || t->session != current->signal->session)
		return -ENOTTY;
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

static int tcxonc(struct tty *t, unsigned long arg)
{
	char c;
	switch (arg) {
	case TCOOFF:
		t->stopped = true;
		return 0;
	case TCOON:
		t->stopped = false;
		wake_up(&t->wwait);
		return 0;
	case TCIOFF:
	case TCION:
		c = t->termios.c_cc[arg == TCIOFF ? VSTOP : VSTART];
		if (c && t->drv && t->drv->write)
			t->drv->write(t, &c, 1);
		return 0;
	default:
		return -EINVAL;
	}
}

long tty_ioctl_common(struct tty *t, struct file *f, unsigned cmd, unsigned long arg, bool from_master)
{
	bool is_ctty = current && current->signal->tty == t;
	int err;
	if (t->hung_up)
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case TIOCGPGRP:
		if (!from_master && !is_ctty)
			return -ENOTTY;
		return put_int(arg, t->pgrp);
	case TIOCSPGRP:
		return tiocspgrp(t, arg);
	case TIOCGSID:
		if ((!from_master && !is_ctty) || !t->session)
			return -ENOTTY;
		return put_int(arg, t->session);
	case TIOCSCTTY:
		return tty_tiocsctty(t, f, arg);
	case TIOCNOTTY:
		return from_master ? -ENOTTY : tty_tiocnotty(t);
	}
	if (from_master)
		return -ENOTTY;
	switch (cmd) {
	case TCGETS:
		return copy_to_user(arg, &t->termios, sizeof(t->termios)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if ((err = tty_check_change(t, SIGTTOU_NR)))
			return err;
		return set_termios(t, cmd, arg);
	case TIOCGWINSZ:
	case TIOCSWINSZ:
		return tty_winsize_ioctl(t, cmd, arg);
	case FIONREAD:
		return put_int(arg, t->rlen);
	case TIOCOUTQ:
		return put_int(arg, t->drv && t->drv->chars_in_buffer ? t->drv->chars_in_buffer(t) : 0);
	case TCFLSH:
		if ((err = tty_check_change(t, SIGTTOU_NR)))
			return err;
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if (arg != TCOFLUSH)
			n_tty_flush_input(t);
		if (arg != TCIFLUSH && t->drv && t->drv->flush_output)
			t->drv->flush_output(t);
		return 0;
	case TCXONC:
		if ((err = tty_check_change(t, SIGTTOU_NR)))
			return err;
		return tcxonc(t, arg);
	case TCSBRK:
	case TCSBRKP:
	case TIOCSBRK:
	case TIOCCBRK:
	case TIOCEXCL:
	case TIOCNXCL:
	case TIOCSETD:
		return 0;
	case TIOCGETD:
		return put_int(arg, 0);	/* N_TTY */
	case TIOCSTI: {
		char c;
		if (!is_ctty && !capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (copy_from_user(&c, arg, 1))
			return -EFAULT;
		tty_receive(t, &c, 1);
		return 0;
	}
	case TIOCVHANGUP:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		tty_hangup(t);
		return 0;
	default:
		return -ENOTTY;
	}
}
