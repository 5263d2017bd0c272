/* ext2/ext3/ext4 on a ubd block device: mount (also as the root),
 * remount, statfs, sync and unmount. The on-disk work is libext2fs on the
 * host side (umk/ext2host.h); one superblock per device, shared by every
 * mount of it (as Linux). A read-write filesystem is marked clean only by
 * the last unmount or at power-off. */
#include <umk/ubd.h>
#include "ext2.h"

static struct ext2_sb_info *mounted[UBD_MAX];
static const struct super_operations ext2_sops;
static const char *const names[] = { "ext2", "ext2", "ext2", "ext3", "ext4" };

static int ext2_statfs(struct super_block *sb, struct inode *inode __unused, struct kstatfs *st)
{
	struct ext2_sb_info *sbi = sb->s_fs_info;
	struct e2h_statfs h;
	ext2_lock(sb);
	int err = e2h_statfs(sbi->h, &h);
	ext2_unlock(sb);
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

static void ext2_sync_fs(struct super_block *sb)
{
	struct ext2_sb_info *sbi = sb->s_fs_info;
	if (!sbi->h)
		return;
	ext2_lock(sb);
	int err = e2h_flush(sbi->h);
	ext2_unlock(sb);
	if (err)
		printk(KERN_ERR "%s: ubd%c: sync failed: error %d\n", sb->s_type, 'a' + sbi->ubd, err);
}

/* Why the last mount of a device failed (for the boot's one-line error). */
static const char *last_why;

/* Open the library handle read-only or read-write into *h. */
static int open_handle(struct ext2_sb_info *sbi, bool rw, int want, struct e2h_fs **h, int *kind)
{
	const char *warn;
	int err = e2h_open(sbi->ubd, rw, want, h, kind, &warn);
	last_why = err ? warn : NULL;
	if (warn && !err)
		printk(KERN_WARNING "EXT4-fs (ubd%c): %s\n", 'a' + sbi->ubd, warn);
	return err;
}

/* An unlinked inode still open (or mapped) when the filesystem goes:
 * free it now, as Linux's orphan processing would. */
static void release_orphan(struct inode *i, void *arg)
{
	struct ext2_sb_info *sbi = arg;
	if (i->i_nlink == 0 && e2h_release(sbi->h, i->i_ino) == 0)
		i->i_nlink = 1;		/* done: nothing left to free on eviction */
}

static void close_handle(struct ext2_sb_info *sbi)
{
	if (!sbi->h)
		return;
	ext2_lock(&sbi->sb);
	if (sbi->rw)
		for_each_cached_inode(&sbi->sb, release_orphan, sbi);
	e2h_close(sbi->h);
	sbi->h = NULL;
	ext2_unlock(&sbi->sb);
}

static void ext2_put_super(struct super_block *sb)
{
	struct ext2_sb_info *sbi = sb->s_fs_info;
	if (!sbi->h)
		return;
	sync_inodes();	/* shared mappings of its files */
	close_handle(sbi);
	mounted[sbi->ubd] = NULL;
	printk(KERN_INFO "%s: ubd%c unmounted\n", sb->s_type, 'a' + sbi->ubd);
	/* sbi stays allocated: cached inodes may still point at sb */
}

/* Power-off: write everything and leave the filesystem clean. */
static void ext2_shutdown(struct super_block *sb)
{
	struct ext2_sb_info *sbi = sb->s_fs_info;
	if (sbi->h && sbi->rw)
		close_handle(sbi);
}

static int ext2_remount(struct super_block *sb, int *mnt_flags)
{
	struct ext2_sb_info *sbi = sb->s_fs_info;
	bool rw = !(*mnt_flags & MNT_READONLY);
	if (!sbi->h || rw == sbi->rw)
		return 0;
	if (rw && ubd_host_readonly(sbi->ubd))
		return -EACCES;		/* as Linux: write-protected device */
	if (!rw)
		sync_inodes();
	/* the new handle opens before the old one closes, so a failure
	 * leaves the filesystem as it was */
	ext2_lock(sb);
	struct e2h_fs *nh;
	int kind, err = rw ? 0 : e2h_flush(sbi->h);
	if (!err)
		err = open_handle(sbi, rw, 0, &nh, &kind);
	if (!err) {
		e2h_close(sbi->h);	/* a read-write one is written clean */
		sbi->h = nh;
		sbi->rw = rw;
	}
	ext2_unlock(sb);
	if (!err)
		printk(KERN_INFO "%s: ubd%c remounted %s\n", sb->s_type, 'a' + sbi->ubd, rw ? "read-write" : "read-only");
	return err;
}

static const struct super_operations ext2_sops = {
	.statfs = ext2_statfs, .sync_fs = ext2_sync_fs, .put_super = ext2_put_super,
	.evict_inode = ext2_evict_inode, .remount = ext2_remount, .shutdown = ext2_shutdown,
};

static int source_device(const char *source)
{
	if (!source || !*source)
		return -ENOTBLK;
	struct path p;
	int err = kern_path_at(AT_FDCWD, source, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct inode *i = p.dentry->d_inode;
	int n = S_ISBLK(i->i_mode) ? ubd_index_of_rdev(i->i_rdev) : -ENOTBLK;
	path_put(&p);
	return n;
}

static struct super_block *mount_dev(int n, const char *type, int *mnt_flags)
{
	if (!ubd_host_present(n))
		return ERR_PTR(-ENXIO);
	if (ubd_host_readonly(n) && !(*mnt_flags & MNT_READONLY)) {
		printk(KERN_NOTICE "ubd%c: write-protected, mounting read-only\n", 'a' + n);
		*mnt_flags |= MNT_READONLY;
	}
	bool rw = !(*mnt_flags & MNT_READONLY);
	if (mounted[n]) {
		/* the same filesystem, as Linux; it cannot turn read-write here */
		if (rw && !mounted[n]->rw)
			return ERR_PTR(-EBUSY);
		return &mounted[n]->sb;
	}
	struct ext2_sb_info *sbi = kzalloc(sizeof(*sbi));
	struct super_block *sb = &sbi->sb;
	sb->s_fs_info = sbi;
	sbi->ubd = n;
	sbi->rw = rw;
	init_waitqueue_head(&sbi->lockq);
	int kind, want = strcmp(type, "auto") ? type[3] - '0' : 0;
	int err = open_handle(sbi, rw, want, &sbi->h, &kind);
	if (err) {
		kfree(sbi);
		return ERR_PTR(err);
	}
	sb->s_type = names[want ? want : kind];
	sb->s_dev = MKDEV(UBD_MAJOR, 16 * n);
	sb->s_magic = 0xEF53;
	sb->s_op = &ext2_sops;
	struct inode *root = ext2_iget(sb, 2);
	if (IS_ERR(root)) {
		close_handle(sbi);
		kfree(sbi);
		return (void *)root;
	}
	sb->s_root = d_make_root(root);
	mounted[n] = sbi;
	printk(KERN_INFO "%s: mounted filesystem on ubd%c %s\n", sb->s_type, 'a' + n, rw ? "read-write" : "read-only");
	return sb;
}

struct super_block *ext2_mount(const char *source, const char *type, int *mnt_flags)
{
	int n = source_device(source);
	if (n < 0)
		return ERR_PTR(n);
	last_why = NULL;
	struct super_block *sb = mount_dev(n, type, mnt_flags);
	if (IS_ERR(sb) && last_why)
		printk(KERN_ERR "EXT4-fs (ubd%c): %s\n", 'a' + n, last_why);
	return sb;
}

struct super_block *ext2_mount_root(int ubd, const char *type, int *mnt_flags, const char **why)
{
	last_why = NULL;
	struct super_block *sb = mount_dev(ubd, type ? type : "auto", mnt_flags);
	*why = IS_ERR(sb) ? last_why : NULL;
	return sb;
}
