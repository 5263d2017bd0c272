/* ext2/3/4 inodes: the in-memory copy of an on-disk inode (keyed by its
 * number), attribute changes, and freeing an unlinked inode when its
 * last user goes away. */
#include <umk/mm.h>
#include <umk/blkdev.h>
#include <umk/writeback.h>
#include "ext4.h"

void ext4_lock(struct super_block *sb)
{
	struct ext4_sb_info *s = EXT4_SB(sb);
	wait_event(s->lockq, !s->busy);
	s->busy = true;
}

/* Every operation ends here: a transaction grown large is committed now,
 * and changes left for later are the periodic writeback's. */
void ext4_unlock(struct super_block *sb)
{
	struct ext4_sb_info *s = EXT4_SB(sb);
	int r = s->h && s->rw ? ext4_host_op_done(s->h) : 0;
	if (r < 0)
		printk(KERN_ERR "%s: %s: journal commit failed: error %d\n", sb->s_type, s->bdev->name, r);
	else if (r)
		writeback_mark_dirty(sb);
	s->busy = false;
	wake_up(&s->lockq);
}

struct ext4_host_time ext4_now(void)
{
	struct kts t = current_time();
	return (struct ext4_host_time){ t.tv_sec, (uint32_t)t.tv_nsec };
}

static void apply_stat(struct inode *i, const struct ext4_host_stat *st)
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

int ext4_refresh(struct inode *i)
{
	struct ext4_host_stat st;
	ext4_lock(i->i_sb);
	int err = ext4_host_stat(ext4_handle(i), i->i_ino, &st);
	ext4_unlock(i->i_sb);
	if (!err)
		apply_stat(i, &st);
	return err;
}

struct inode *ext4_iget(struct super_block *sb, uint64_t ino)
{
	bool is_new;
	struct inode *i = iget(sb, ino, &is_new);
	if (!is_new)
		return i;
	i->i_dev = sb->s_dev;
	i->i_op = &ext4_iops;
	int err = ext4_refresh(i);
	if (!err && !i->i_mode)
		err = -ESTALE;	/* a free inode: the directory entry is stale */
	if (err) {
		i->i_nlink = 1;	/* nothing to free on eviction */
		iput(i);
		return ERR_PTR(err);
	}
	if (S_ISREG(i->i_mode))
		i->i_fop = &ext4_file_fops;
	else if (S_ISDIR(i->i_mode))
		i->i_fop = &ext4_dir_fops;
	else if (S_ISCHR(i->i_mode))
		i->i_fop = &chrdev_fops;
	else if (S_ISBLK(i->i_mode))
		i->i_fop = &def_blk_fops;
	return i;
}

void ext4_evict_inode(struct inode *i)
{
	struct ext4_sb_info *s = EXT4_SB(i->i_sb);
	if (i->i_nlink || !s->h || !s->rw)
		return;
	ext4_lock(i->i_sb);
	int err = ext4_host_release(s->h, i->i_ino);
	ext4_unlock(i->i_sb);
	if (err)
		printk(KERN_ERR "%s: %s: cannot free inode %llu: error %d\n", i->i_sb->s_type, s->bdev->name,
		       (unsigned long long)i->i_ino, err);
}

static int ext4_setattr(struct inode *i, const struct iattr *ia)
{
	struct ext4_host_time now = ext4_now();
	struct ext4_host_setattr sa = { .ctime = now };
	sa.valid = EXT4_HOST_SET_CTIME;
	if (ia->valid & ATTR_MODE)
		sa.valid |= EXT4_HOST_SET_MODE, sa.mode = ia->mode;
	if (ia->valid & ATTR_UID)
		sa.valid |= EXT4_HOST_SET_UID, sa.uid = ia->uid;
	if (ia->valid & ATTR_GID)
		sa.valid |= EXT4_HOST_SET_GID, sa.gid = ia->gid;
	if (ia->valid & ATTR_SIZE) {
		if (!S_ISREG(i->i_mode))
			return -EINVAL;
		if ((uint64_t)ia->size > (1ull << 44))
			return -EFBIG;
		sa.valid |= EXT4_HOST_SET_SIZE | EXT4_HOST_SET_MTIME, sa.size = ia->size, sa.mtime = now;
	}
	if (ia->valid & ATTR_ATIME) {
		sa.valid |= EXT4_HOST_SET_ATIME;
		sa.atime = ia->atime.tv_nsec == UTIME_NOW ? now : (struct ext4_host_time){ ia->atime.tv_sec, (uint32_t)ia->atime.tv_nsec };
	}
	if (ia->valid & ATTR_MTIME) {
		sa.valid |= EXT4_HOST_SET_MTIME;
		sa.mtime = ia->mtime.tv_nsec == UTIME_NOW ? now : (struct ext4_host_time){ ia->mtime.tv_sec, (uint32_t)ia->mtime.tv_nsec };
	}
	if ((ia->valid & ATTR_SIZE) && ia->size < i->i_size && i->i_pages)
		filemap_truncate(i->i_pages, ia->size);
	ext4_lock(i->i_sb);
	int err = ext4_host_setattr(ext4_handle(i), i->i_ino, &sa);
	ext4_unlock(i->i_sb);
	int r = ext4_refresh(i);
	return err ? err : r;
}

static ssize_t ext4_readlink(struct inode *inode, char *buf, size_t n)
{
	ext4_lock(inode->i_sb);
	ssize_t r = ext4_host_readlink(ext4_handle(inode), inode->i_ino, buf, n);
	ext4_unlock(inode->i_sb);
	return r;
}

const struct inode_operations ext4_iops = {
	.lookup = ext4_lookup, .create = ext4_create, .mkdir = ext4_mkdir, .mknod = ext4_mknod,
	.symlink = ext4_symlink, .link = ext4_link, .unlink = ext4_unlink, .rmdir = ext4_rmdir,
	.rename = ext4_rename, .readlink = ext4_readlink, .setattr = ext4_setattr,
	.getxattr = ext4_getxattr, .setxattr = ext4_setxattr, .listxattr = ext4_listxattr,
};
