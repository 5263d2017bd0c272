/* ext2/3/4 inodes: the in-memory copy of an on-disk inode (keyed by its
 * number), attribute changes, and freeing an unlinked inode when its
 * last user goes away. */
#include <umk/mm.h>
#include "ext2.h"

void ext2_lock(struct super_block *sb)
{
	struct ext2_sb_info *s = EXT2_SB(sb);
	wait_event(s->lockq, !s->busy);
	s->busy = true;
}

void ext2_unlock(struct super_block *sb)
{
	struct ext2_sb_info *s = EXT2_SB(sb);
	s->busy = false;
	wake_up(&s->lockq);
}

struct e2h_time ext2_now(void)
{
	struct kts t = current_time();
	return (struct e2h_time){ t.tv_sec, (uint32_t)t.tv_nsec };
}

static void apply_stat(struct inode *i, const struct e2h_stat *st)
{
	i->i_mode = st->mode;
	i->i_nlink = st->nlink;
	i->i_uid = st->uid;
	i->i_gid = st->gid;
	i->i_size = st->size;
	i->i_blocks = st->blocks;
	i->i_rdev = st->rdev;
	i->i_blksize = 4096;
	i->i_atime = (struct kts){ st->atime, st->atime_ns };
	i->i_mtime = (struct kts){ st->mtime, st->mtime_ns };
	i->i_ctime = (struct kts){ st->ctime, st->ctime_ns };
}

int ext2_refresh(struct inode *i)
{
	struct e2h_stat st;
	ext2_lock(i->i_sb);
	int err = e2h_stat(E2H(i), i->i_ino, &st);
	ext2_unlock(i->i_sb);
	if (!err)
		apply_stat(i, &st);
	return err;
}

struct inode *ext2_iget(struct super_block *sb, uint64_t ino)
{
	bool is_new;
	struct inode *i = iget(sb, ino, &is_new);
	if (!is_new)
		return i;
	i->i_dev = sb->s_dev;
	i->i_op = &ext2_iops;
	int err = ext2_refresh(i);
	if (!err && !i->i_mode)
		err = -ESTALE;	/* a free inode: the directory entry is stale */
	if (err) {
		i->i_nlink = 1;	/* nothing to free on eviction */
		iput(i);
		return ERR_PTR(err);
	}
	if (S_ISREG(i->i_mode))
		i->i_fop = &ext2_file_fops;
	else if (S_ISDIR(i->i_mode))
		i->i_fop = &ext2_dir_fops;
	else if (S_ISCHR(i->i_mode))
		i->i_fop = &chrdev_fops;
	return i;
}

void ext2_evict_inode(struct inode *i)
{
	struct ext2_sb_info *s = EXT2_SB(i->i_sb);
	if (i->i_nlink || !s->h || !s->rw)
		return;
	ext2_lock(i->i_sb);
	int err = e2h_release(s->h, i->i_ino);
	ext2_unlock(i->i_sb);
	if (err)
		printk(KERN_ERR "%s: ubd%c: cannot free inode %llu: error %d\n", i->i_sb->s_type, 'a' + s->ubd,
		       (unsigned long long)i->i_ino, err);
}

static int ext2_setattr(struct inode *i, const struct iattr *ia)
{
	struct e2h_time now = ext2_now();
	struct e2h_setattr sa = { .ctime = now };
	sa.valid = E2H_SET_CTIME;
	if (ia->valid & ATTR_MODE)
		sa.valid |= E2H_SET_MODE, sa.mode = ia->mode;
	if (ia->valid & ATTR_UID)
		sa.valid |= E2H_SET_UID, sa.uid = ia->uid;
	if (ia->valid & ATTR_GID)
		sa.valid |= E2H_SET_GID, sa.gid = ia->gid;
	if (ia->valid & ATTR_SIZE) {
		if (!S_ISREG(i->i_mode))
			return -EINVAL;
		if ((uint64_t)ia->size > (1ull << 44))
			return -EFBIG;
		sa.valid |= E2H_SET_SIZE | E2H_SET_MTIME, sa.size = ia->size, sa.mtime = now;
	}
	if (ia->valid & ATTR_ATIME) {
		sa.valid |= E2H_SET_ATIME;
		sa.atime = ia->atime.tv_nsec == UTIME_NOW ? now : (struct e2h_time){ ia->atime.tv_sec, (uint32_t)ia->atime.tv_nsec };
	}
	if (ia->valid & ATTR_MTIME) {
		sa.valid |= E2H_SET_MTIME;
		sa.mtime = ia->mtime.tv_nsec == UTIME_NOW ? now : (struct e2h_time){ ia->mtime.tv_sec, (uint32_t)ia->mtime.tv_nsec };
	}
	if ((ia->valid & ATTR_SIZE) && ia->size < i->i_size && i->i_pages)
		filemap_truncate(i->i_pages, ia->size);
	ext2_lock(i->i_sb);
	int err = e2h_setattr(E2H(i), i->i_ino, &sa);
	ext2_unlock(i->i_sb);
	int r = ext2_refresh(i);
	return err ? err : r;
}

static ssize_t ext2_readlink(struct inode *inode, char *buf, size_t n)
{
	ext2_lock(inode->i_sb);
	ssize_t r = e2h_readlink(E2H(inode), inode->i_ino, buf, n);
	ext2_unlock(inode->i_sb);
	return r;
}

/* directory operations: namei.c */
struct inode *ext2_lookup(struct inode *dir, const char *name);
int ext2_create(struct inode *dir, const char *name, umode_t mode, struct file *f);
int ext2_mkdir(struct inode *dir, const char *name, umode_t mode);
int ext2_mknod(struct inode *dir, const char *name, umode_t mode, uint64_t dev);
int ext2_symlink(struct inode *dir, const char *name, const char *target);
int ext2_link(struct inode *old, struct inode *dir, const char *name);
int ext2_unlink(struct inode *dir, const char *name);
int ext2_rmdir(struct inode *dir, const char *name);
int ext2_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname, unsigned flags);

const struct inode_operations ext2_iops = {
	.lookup = ext2_lookup, .create = ext2_create, .mkdir = ext2_mkdir, .mknod = ext2_mknod,
	.symlink = ext2_symlink, .link = ext2_link, .unlink = ext2_unlink, .rmdir = ext2_rmdir,
	.rename = ext2_rename, .readlink = ext2_readlink, .setattr = ext2_setattr,
};
