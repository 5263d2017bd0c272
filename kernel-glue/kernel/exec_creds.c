/* The credentials a program runs with after execve: Linux's
 * bprm_fill_uid (set-user-ID and set-group-ID files) and commoncap's
 * cap_bprm_creds_from_file (the capability sets), then commit_creds'
 * consequences. File capabilities come from the security.capability
 * attribute (v2 or v3 with root 0; tmpfs and ext4 store it). */
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/internal.h>
#include <umk/mm.h>
#include <umk/xattr.h>

/* get_vfs_caps_from_disk + bprm_caps_from_vfs_caps: pP' = (X & fP) |
 * (pI & fI); whether fE is set and whether the file has capabilities at
 * all; -EPERM if fE is set but pP' lacks some of fP. A malformed value
 * or a v3 one for another root counts as none, as Linux. */
static int file_caps(struct inode *i, struct cred *nc, bool *effective, bool *has_fcap)
{
	struct vfs_ns_cap_data c;
	*effective = *has_fcap = false;
	nc->cap_permitted = 0;
	if (!i->i_op || !i->i_op->getxattr)
		return 0;
	ssize_t n = i->i_op->getxattr(i, XATTR_NAME_CAPS, &c, sizeof(c));
	if (n < (ssize_t)sizeof(c.magic_etc))
		return 0;
	uint32_t rev = c.magic_etc & VFS_CAP_REVISION_MASK;
	kernel_cap_t fp, fi;
	if (rev == VFS_CAP_REVISION_1 && n == XATTR_CAPS_SZ_1) {
		fp = c.data[0].permitted;
		fi = c.data[0].inheritable;
	} else if ((rev == VFS_CAP_REVISION_2 && n == XATTR_CAPS_SZ_2) ||
		   (rev == VFS_CAP_REVISION_3 && n == XATTR_CAPS_SZ_3 && c.rootid == 0)) {
		fp = c.data[0].permitted | (kernel_cap_t)c.data[1].permitted << 32;
		fi = c.data[0].inheritable | (kernel_cap_t)c.data[1].inheritable << 32;
	} else {
		return 0;
	}
	fp &= CAP_FULL_SET;
	fi &= CAP_FULL_SET;
	*effective = c.magic_etc & VFS_CAP_FLAGS_EFFECTIVE;
	*has_fcap = true;
	nc->cap_permitted = (nc->cap_bset & fp) | (nc->cap_inheritable & fi);
	return (*effective && (fp & ~nc->cap_permitted)) ? -EPERM : 0;
}

/* Did the sets grow (a privilege gain to keep from an unprivileged
 * tracer, and to mark AT_SECURE)? */
static bool cap_gained(kernel_cap_t n, kernel_cap_t o) { return (n & ~o) != 0; }

int exec_creds(struct file *f, struct cred *nc, bool *secure)
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

	/* the file's capabilities (not on a nosuid mount) */
	bool effective = false, has_fcap = false;
	nc->cap_permitted = 0;
	if (!(f->f_path.mnt && (f->f_path.mnt->mnt_flags & MNT_NOSUID))) {
		int err = file_caps(i, nc, &effective, &has_fcap);
		if (err)
			return err;
	}
	/* handle_privileged_root; a set-user-ID-root file with capabilities
	 * run by someone else gets only those */
	if (!(old->securebits & SECBIT_NOROOT) && !(has_fcap && nc->euid == 0 && nc->uid != 0)) {
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
	if (is_setid || has_fcap)
		nc->cap_ambient = 0;
	nc->cap_permitted |= nc->cap_ambient;
	nc->cap_effective = effective ? nc->cap_permitted : nc->cap_ambient;
	nc->securebits &= ~SECBIT_KEEP_CAPS;
	/* privilege-elevated: AT_SECURE, so that the C library ignores
	 * LD_PRELOAD and friends */
	*secure = is_setid || (nc->uid != 0 && (effective || cap_gained(nc->cap_permitted, nc->cap_ambient)));
	return 0;
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
