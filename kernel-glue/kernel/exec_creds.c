/* The credentials a program runs with after execve: Linux's
 * bprm_fill_uid (set-user-ID and set-group-ID files) and commoncap's
 * cap_bprm_creds_from_file (the capability sets), then commit_creds'
 * consequences. Files carry no capabilities here: no filesystem of umk
 * stores the security.capability attribute (fs/xattr.c), so only the
 * root rules and the ambient set give a program capabilities. */
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/internal.h>
#include <umk/mm.h>

/* Did the sets grow (a privilege gain to keep from an unprivileged
 * tracer, and to mark AT_SECURE)? */
static bool cap_gained(kernel_cap_t n, kernel_cap_t o) { return (n & ~o) != 0; }

bool exec_creds(struct file *f, struct cred *nc)
{
	struct task *t = current;
	const struct cred *old = &t->cred;
	*nc = *old;
	struct inode *i = f->f_inode;
	/* set-id bits: not on a nosuid mount, nor under no_new_privs */
	bool suid_ok = !(f->f_path.mnt && (f->f_path.mnt->mnt_flags & MNT_NOSUID)) && !t->no_new_privs;
	if (suid_ok && (i->i_mode & S_ISUID))
		nc->euid = i->i_uid;
	if (suid_ok && (i->i_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		nc->egid = i->i_gid;

	/* no file capabilities: pP' starts empty, and effective is only
	 * what root gets */
	bool effective = false;
	nc->cap_permitted = 0;
	if (!(old->securebits & SECBIT_NOROOT)) {
		/* root (real or effective) gets the bounding and inheritable
		 * sets; an effective root also an effective set */
		if (nc->euid == 0 || nc->uid == 0)
			nc->cap_permitted = old->cap_bset | old->cap_inheritable;
		if (nc->euid == 0)
			effective = true;
	}
	bool is_setid = nc->euid != old->uid || nc->egid != old->gid;
	/* a traced program gets no privilege its tracer could not take,
	 * a no_new_privs one none at all */
	bool tracer_ok = !t->ptracer || has_capability(t->ptracer, CAP_SYS_PTRACE);
	if ((is_setid || cap_gained(nc->cap_permitted, old->cap_permitted)) && (t->no_new_privs || !tracer_ok)) {
		if (!capable(CAP_SETUID) || t->no_new_privs) {
			nc->euid = nc->uid;
			nc->egid = nc->gid;
		}
		nc->cap_permitted &= old->cap_permitted;
	}
	nc->suid = nc->fsuid = nc->euid;
	nc->sgid = nc->fsgid = nc->egid;
	if (is_setid)
		nc->cap_ambient = 0;
	nc->cap_permitted |= nc->cap_ambient;
	nc->cap_effective = effective ? nc->cap_permitted : nc->cap_ambient;
	nc->securebits &= ~SECBIT_KEEP_CAPS;
	/* privilege-elevated: AT_SECURE, so that the C library ignores
	 * LD_PRELOAD and friends */
	return is_setid || (nc->uid != 0 && (effective || cap_gained(nc->cap_permitted, nc->cap_ambient)));
}

void exec_commit_creds(const struct cred *nc, bool secure)
{
	struct task *t = current;
	const struct cred *old = &t->cred;
	if (nc->euid != old->euid || nc->egid != old->egid || nc->fsuid != old->fsuid || nc->fsgid != old->fsgid ||
	    cap_gained(nc->cap_permitted, old->cap_permitted)) {
		if (t->mm)
			t->mm->dumpable = 0;	/* suid_dumpable 0 */
		t->pdeath_signal = 0;
	}
	if (secure)
		t->pdeath_signal = 0;
	t->cred = *nc;
}
