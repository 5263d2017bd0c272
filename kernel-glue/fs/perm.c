/* Permission checks against the guest credentials (fsuid/fsgid), the way
 * Linux's generic_permission does for a filesystem without ACLs. The host
 * may still refuse an operation; its errno is passed on. */
#include <umk/fs.h>
#include <umk/sched.h>

bool capable_fs(void)
{
	return !current || current->cred.fsuid == 0;
}

static bool in_group(gid_t g)
{
	if (!current || current->cred.fsgid == g)
		return true;
	for (int i = 0; i < current->cred.ngroups && i < 32; i++)
		if (current->cred.groups[i] == g)
			return true;
	return false;
}

int inode_permission(struct inode *inode, int mask)
{
	umode_t m = inode->i_mode;
	if (capable_fs()) {
		/* root may exec only if some x bit is set (dirs: always) */
		if ((mask & MAY_EXEC) && !S_ISDIR(m) && !(m & 0111))
			return -EACCES;
		return 0;
	}
	unsigned bits;
	if (current->cred.fsuid == inode->i_uid)
		bits = (m >> 6) & 7;
	else if (in_group(inode->i_gid))
		bits = (m >> 3) & 7;
	else
		bits = m & 7;
	return (mask & ~bits & 7) ? -EACCES : 0;
}

bool inode_owner_or_capable(struct inode *inode)
{
	return capable_fs() || current->cred.fsuid == inode->i_uid;
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
