/* Permission checks against the guest credentials (fsuid/fsgid and the
 * effective capabilities), the way Linux's generic_permission does (with
 * POSIX ACLs where the filesystem keeps them). The host may still refuse an operation; its
 * errno is passed on. */
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/posix_acl.h>
#include <umk/sched.h>

/* Linux's acl_permission_check: the owner's bits; for anyone else the
 * access ACL if there is one (and the group bits, its mask, allow
 * something); else the group's or the others' bits. */
static int mode_permission(struct inode *inode, int mask)
{
	umode_t m = inode->i_mode;
	unsigned bits;
	if (current->cred.fsuid == inode->i_uid)
		bits = (m >> 6) & 7;
	else if ((m & 070) && inode->i_acl) {
		int err = posix_acl_check(inode, mask);
		if (err != -EAGAIN)
			return err;
		bits = in_group_p(inode->i_gid) ? (m >> 3) & 7 : m & 7;
	} else if (in_group_p(inode->i_gid))
		bits = (m >> 3) & 7;
	else
		bits = m & 7;
	return (mask & ~bits & 7) ? -EACCES : 0;
}

/* Linux's generic_permission: the mode bits, then the capabilities that
 * override them -- CAP_DAC_READ_SEARCH for reading files and reading and
 * searching directories, CAP_DAC_OVERRIDE for the rest except executing
 * a file no x bit allows. */
int inode_permission(struct inode *inode, int mask)
{
	if (!current)
		return 0;
	umode_t m = inode->i_mode;
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (!mode_permission(inode, mask))
		return 0;
	if (S_ISDIR(m)) {
		if (!(mask & MAY_WRITE) && capable(CAP_DAC_READ_SEARCH))
			return 0;
		return capable(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	if (mask == MAY_READ && capable(CAP_DAC_READ_SEARCH))
		return 0;
	if ((!(mask & MAY_EXEC) || (m & 0111)) && capable(CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

bool inode_owner_or_capable(struct inode *inode)
{
	return capable(CAP_FOWNER) || current->cred.fsuid == inode->i_uid;
}

int file_remove_privs(struct inode *inode)
{
	umode_t m = inode->i_mode & ~S_ISUID;
	if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		m &= ~S_ISGID;
	if (!S_ISREG(inode->i_mode) || m == inode->i_mode || capable(CAP_FSETID))
		return 0;
	if (!inode->i_op || !inode->i_op->setattr)
		return 0;
	struct iattr ia = { .valid = ATTR_MODE, .mode = m };
	return inode->i_op->setattr(inode, &ia);
}

int mnt_want_write(struct vfsmount *mnt)
{
	return (mnt->mnt_flags & MNT_READONLY) ? -EROFS : 0;
}

int vfs_getattr(struct inode *inode, struct kstat *st)
{
	if (inode->i_op && inode->i_op->getattr) {
		int err = inode->i_op->getattr(inode);
		if (err)
			return err;
	}
	*st = (struct kstat){
		.dev = inode->i_dev, .ino = inode->i_ino, .rdev = inode->i_rdev,
		.mode = inode->i_mode, .nlink = inode->i_nlink, .blksize = inode->i_blksize,
		.uid = inode->i_uid, .gid = inode->i_gid, .size = inode->i_size,
		.blocks = inode->i_blocks,
		.atime = inode->i_atime, .mtime = inode->i_mtime, .ctime = inode->i_ctime,
	};
	return 0;
}
