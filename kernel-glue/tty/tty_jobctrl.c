/* Sessions, controlling terminals and job control, by Linux's rules
 * (drivers/tty/tty_jobctrl.c): background access checks (SIGTTIN,
 * SIGTTOU, EIO), TIOCSCTTY/TIOCNOTTY, hangup and session-leader exit. */
#include <umk/capability.h>
#include <umk/sched.h>
#include "tty_internal.h"

struct tty *current_tty(void)
{
	return current && current->signal ? current->signal->tty : NULL;
}

bool tty_is_session_leader(void)
{
	return current->signal->session == current->tgid;
}

void tty_set_ctty(struct tty *t)
{
	current->signal->tty = t;
	t->session = current->signal->session;
	t->pgrp = current->signal->pgrp;
}

static bool sig_ignored_or_blocked(int sig)
{
	return ksigismember(&current->blocked, sig) ||
	       (current->sighand && current->sighand->action[sig - 1].handler == 1);
}

int tty_check_change(struct tty *t, int sig)
{
	if (!current || !current->signal || current->signal->tty != t)
		return 0;
	pid_t pgrp = current->signal->pgrp;
	if (!t->pgrp || pgrp == t->pgrp)
		return 0;
	if (sig_ignored_or_blocked(sig))
		return sig == SIGTTIN_NR ? -EIO : 0;
	if (is_orphaned_pgrp(pgrp))
		return -EIO;
	kill_pgrp(pgrp, sig);
	return -ERESTARTSYS;
}

void tty_clear_session(struct tty *t)
{
	struct task *p;
	for_each_task(p)
		if (p->signal && p->signal->tty == t)
			p->signal->tty = NULL;
	t->session = 0;
	t->pgrp = 0;
}

/* Hangup (the master side closed, or vhangup): the session leader gets
 * SIGHUP and SIGCONT, the session loses its terminal, and I/O on the
 * files ends (reads 0, writes EIO). */
void tty_hangup(struct tty *t)
{
	struct task *p;
	if (t->session) {
		for_each_task(p) {
			if (!p->signal || p->pid != p->tgid || p->state == TASK_ZOMBIE || p->state == TASK_DEAD)
				continue;
			if (p->signal->session == t->session && p->tgid == t->session && p->signal->tty == t) {
				send_sig(SIGHUP_NR, p);
				send_sig(SIGCONT_NR, p);
			}
		}
	}
	tty_clear_session(t);
	t->hung_up = true;
	t->stopped = false;
	wake_up(&t->rwait);
	wake_up(&t->wwait);
}

/* The controlling process exits: its foreground group hears SIGHUP. (On
 * Linux a non-pty terminal is also hung up; our console stays usable.) */
void tty_exit_session_leader(struct task *leader)
{
	struct tty *t = leader->signal ? leader->signal->tty : NULL;
	if (!t || leader->signal->session != leader->tgid)
		return;
	if (t->pgrp > 0)
		kill_pgrp(t->pgrp, SIGHUP_NR);
	if (t->session == leader->signal->session)
		tty_clear_session(t);
	leader->signal->tty = NULL;
}

int tty_tiocsctty(struct tty *t, struct file *f, unsigned long arg)
{
	bool leader = tty_is_session_leader();
	bool root = capable(CAP_SYS_ADMIN);
	if (leader && t->session == current->signal->session)
		return 0;
	if (!leader || current->signal->tty)
		return -EPERM;
	if (t->session) {
		if (arg != 1 || !root)
			return -EPERM;
		tty_clear_session(t);
	}
	if (!(f->f_mode & FMODE_READ) && !root)
		return -EPERM;
	tty_set_ctty(t);
	return 0;
}

int tty_tiocnotty(struct tty *t)
{
	if (current->signal->tty != t)
		return -ENOTTY;
	if (tty_is_session_leader()) {
		if (t->pgrp > 0) {
			kill_pgrp(t->pgrp, SIGHUP_NR);
			kill_pgrp(t->pgrp, SIGCONT_NR);
		}
		tty_clear_session(t);
	}
	current->signal->tty = NULL;
	return 0;
}
