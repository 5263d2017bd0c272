/* ext2/ext3/ext4 on a block device: the three filesystem types, mount
 * (also as the root), remount, statfs, sync and unmount. The on-disk
 * work is libext2fs in the host half (ext4_host.h), reading and writing
 * through the block layer; one superblock per device, shared by every
 * mount of it (as Linux). A read-write mount goes through the journal
 * (replayed first if a crash left one to replay); the last unmount, a
 * remount read-only or power-off writes the filesystem out and restores
 * the clean state it had when mounted (one that was not clean stays so
 * until e2fsck repairs it). */
#include <umk/blkdev.h>
#include <umk/writeback.h>
#include "ext4.h"

static LIST_HEAD(mounted);	/* struct ext4_sb_info, by node */
static const struct super_operations ext4_sops;

static int ext4_statfs(struct super_block *sb, struct inode *inode __unused, struct kstatfs *st)
{
	struct ext4_sb_info *sbi = sb->s_fs_info;
	struct ext4_host_statfs h;
	ext4_lock(sb);
	int err = ext4_host_statfs(sbi->h, &h);
	ext4_unlock(sb);
	if (err)
		return err;
	*st = (struct kstatfs){
		.f_type = 0xEF53, .f_bsize = h.bsize, .f_frsize = h.bsize, .f_namelen = 255,
		.f_blocks = h.blocks, .f_bfree = h.bfree, .f_bavail = h.bavail,
		.f_files = h.files, .f_ffree = h.ffree, .f_fsid = h.fsid,
		.f_flags = sbi->rw ? 0 : 1,	/* ST_RDONLY */
	};
	return 0;
}

static void ext4_sync_fs(struct super_block *sb)
{
	struct ext4_sb_info *sbi = sb->s_fs_info;
	if (!sbi->h)
		return;
	ext4_lock(sb);
	int err = ext4_host_flush(sbi->h);
	ext4_unlock(sb);
	if (err)
		printk(KERN_ERR "%s: %s: sync failed: error %d\n", sb->s_type, sbi->bdev->name, err);
}

/* The library's view of the device: the block layer's operations. */
static ssize_t dev_read(void *cookie, void *buf, size_t len, uint64_t off)
{
	return blkdev_read(cookie, buf, len, off);
}

static ssize_t dev_write(void *cookie, const void *buf, size_t len, uint64_t off)
{
	return blkdev_write(cookie, buf, len, off);
}

static int dev_flush(void *cookie)
{
	return blkdev_flush(cookie);
}

/* Open the library handle read-only or read-write into *h (flags:
 * EXT4_HOST_OPEN_*); *why: what was wrong with the filesystem, if the
 * library said. */
static int open_handle(struct ext4_sb_info *sbi, unsigned flags, int want, struct ext4_host_fs **h, int *kind,
		       const char **why)
{
	struct ext4_host_report rep;
	const char *name = sbi->bdev->name;
	int err = ext4_host_open(&sbi->dev, flags, want, h, kind, &rep);
	if (why)
		*why = err ? rep.warn : NULL;
	if (rep.replayed)
		printk(KERN_INFO "EXT4-fs (%s): recovery complete: %u journal transactions replayed\n", name, rep.replayed);
	if (err)
		return err;
	if (rep.warn)
		printk(KERN_WARNING "EXT4-fs (%s): %s\n", name, rep.warn);
	if (rep.orphans)
		printk(KERN_INFO "EXT4-fs (%s): %u orphan inodes freed\n", name, rep.orphans);
	return 0;
}

/* An unlinked inode still open (or mapped) when the filesystem goes:
 * free it now, as Linux's orphan processing would. */
static void release_orphan(struct inode *i, void *arg)
{
	struct ext4_sb_info *sbi = arg;
	if (i->i_nlink == 0 && ext4_host_release(sbi->h, i->i_ino) == 0)
		i->i_nlink = 1;		/* done: nothing left to free on eviction */
}

static void close_handle(struct ext4_sb_info *sbi)
{
	if (!sbi->h)
		return;
	ext4_lock(&sbi->sb);
	if (sbi->rw)
		for_each_cached_inode(&sbi->sb, release_orphan, sbi);
	ext4_host_close(sbi->h);
	sbi->h = NULL;
	ext4_unlock(&sbi->sb);
}

static void ext4_put_super(struct super_block *sb)
{
	struct ext4_sb_info *sbi = sb->s_fs_info;
	if (!sbi->h)
		return;
	sync_inodes();	/* shared mappings of its files */
	close_handle(sbi);
	writeback_forget(sb);
	list_del(&sbi->node);
	blkdev_put(sbi->bdev);
	printk(KERN_INFO "%s: %s unmounted\n", sb->s_type, sbi->bdev->name);
	/* sbi stays allocated: cached inodes may still point at sb */
}

/* Power-off: write everything and leave the filesystem clean. */
static void ext4_shutdown(struct super_block *sb)
{
	struct ext4_sb_info *sbi = sb->s_fs_info;
	if (sbi->h && sbi->rw)
		close_handle(sbi);
}

static int ext4_remount(struct super_block *sb, int *mnt_flags)
{
	struct ext4_sb_info *sbi = sb->s_fs_info;
	bool rw = !(*mnt_flags & MNT_READONLY);
	if (!sbi->h || rw == sbi->rw)
		return 0;
	if (rw && sbi->bdev->readonly)
		return -EACCES;		/* as Linux: write-protected device */
	if (!rw)
		sync_inodes();
	/* read-write: the new handle opens before the old one closes, so a
	 * failure leaves the filesystem as it was */
	ext4_lock(sb);
	struct ext4_host_fs *nh;
	int kind, err;
	if (rw) {
		/* orphans may still be open: not freed as at a mount */
		err = open_handle(sbi, EXT4_HOST_OPEN_RW | EXT4_HOST_OPEN_KEEP_ORPHANS, 0, &nh, &kind, NULL);
		if (!err) {
			ext4_host_close(sbi->h);
			sbi->h = nh;
		}
	} else {
		/* written out clean (the journal empty), still open for reading */
		err = ext4_host_set_ro(sbi->h);
	}
	if (!err)
		sbi->rw = rw;
	ext4_unlock(sb);
	if (!err)
		printk(KERN_INFO "%s: %s remounted %s\n", sb->s_type, sbi->bdev->name, rw ? "read-write" : "read-only");
	return err;
}

static const struct super_operations ext4_sops = {
	.statfs = ext4_statfs, .sync_fs = ext4_sync_fs, .put_super = ext4_put_super,
	.evict_inode = ext4_evict_inode, .remount = ext4_remount, .shutdown = ext4_shutdown,
};

static struct ext4_sb_info *mounted_on(struct block_device *b)
{
	struct ext4_sb_info *sbi;
	list_for_each_entry(sbi, &mounted, node)
		if (sbi->bdev == b)
			return sbi;
	return NULL;
}

/* type is ext2, ext3 or ext4: as Linux, ext4 mounts every kind, ext3
 * refuses ext4 features and ext2 also a journal (-EINVAL). */
static struct super_block *ext4_mount(const struct file_system_type *type, struct fs_mount *m)
{
	struct block_device *b = m->bdev;
	if (b->readonly && !(m->mnt_flags & MNT_READONLY)) {
		printk(KERN_NOTICE "%s: write-protected, mounting read-only\n", b->name);
		m->mnt_flags |= MNT_READONLY;
	}
	bool rw = !(m->mnt_flags & MNT_READONLY);
	struct ext4_sb_info *sbi = mounted_on(b);
	if (sbi) {
		/* the same filesystem, as Linux; it cannot turn read-write here */
		if (rw && !sbi->rw)
			return ERR_PTR(-EBUSY);
		return &sbi->sb;
	}
	sbi = kzalloc(sizeof(*sbi));
	struct super_block *sb = &sbi->sb;
	sb->s_fs_info = sbi;
	sbi->bdev = b;
	sbi->dev = (struct ext4_host_dev){ b->size, b->readonly, b, dev_read, dev_write, dev_flush };
	sbi->rw = rw;
	init_waitqueue_head(&sbi->lockq);
	int kind, want = type->name[3] - '0';
	int err = open_handle(sbi, rw ? EXT4_HOST_OPEN_RW : 0, want, &sbi->h, &kind, &m->why);
	if (err) {
		if (m->why && !m->is_root)
			printk(KERN_ERR "EXT4-fs (%s): %s\n", b->name, m->why);
		kfree(sbi);
		return ERR_PTR(err);
	}
	sb->s_type = type->name;
	sb->s_dev = b->rdev;
	sb->s_magic = 0xEF53;
	sb->s_op = &ext4_sops;
	struct inode *root = ext4_iget(sb, 2);
	if (IS_ERR(root)) {
		close_handle(sbi);
		kfree(sbi);
		return (void *)root;
	}
	sb->s_root = d_make_root(root);
	list_add_tail(&sbi->node, &mounted);
	blkdev_get(b);
	printk(KERN_INFO "%s: mounted filesystem on %s %s\n", sb->s_type, b->name, rw ? "read-write" : "read-only");
	return sb;
}

static const struct file_system_type ext2_type = { .name = "ext2", .fs_flags = FS_REQUIRES_DEV, .mount = ext4_mount };
static const struct file_system_type ext3_type = { .name = "ext3", .fs_flags = FS_REQUIRES_DEV, .mount = ext4_mount };
static const struct file_system_type ext4_type = { .name = "ext4", .fs_flags = FS_REQUIRES_DEV, .mount = ext4_mount };
DEFINE_FILESYSTEM(ext2_type);
DEFINE_FILESYSTEM(ext3_type);
DEFINE_FILESYSTEM(ext4_type);
