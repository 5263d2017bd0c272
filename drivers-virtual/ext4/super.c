/* ext2/ext3/ext4 on a ubd block device: mount, statfs, unmount. The
 * on-disk work is libext2fs on the host side (umk/ext2host.h); one
 * superblock per device, shared by every mount of it (as Linux). Read-only
 * for now: a mount is always MNT_READONLY. */
#include <umk/ubd.h>
#include "ext2.h"

static struct ext2_sb_info *mounted[UBD_MAX];
static const struct super_operations ext2_sops;

static int ext2_statfs(struct super_block *sb, struct inode *inode __unused, struct kstatfs *st)
{
	struct ext2_sb_info *sbi = sb->s_fs_info;
	struct e2h_statfs h;
	int err = e2h_statfs(sbi->h, &h);
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
	if (sbi->h)
		e2h_flush(sbi->h);
}

static void ext2_put_super(struct super_block *sb)
{
	struct ext2_sb_info *sbi = sb->s_fs_info;
	if (!sbi->h)
		return;
	e2h_close(sbi->h);
	sbi->h = NULL;
	mounted[sbi->ubd] = NULL;
	/* sbi stays allocated: cached inodes may still point at sb */
}

static const struct super_operations ext2_sops = {
	.statfs = ext2_statfs, .sync_fs = ext2_sync_fs, .put_super = ext2_put_super,
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

struct super_block *ext2_mount(const char *source, const char *type, int *mnt_flags)
{
	static const char *const names[] = { "ext2", "ext2", "ext2", "ext3", "ext4" };
	int n = source_device(source);
	if (n < 0)
		return ERR_PTR(n);
	*mnt_flags |= MNT_READONLY;
	if (mounted[n])
		return &mounted[n]->sb;	/* the same filesystem, as Linux */
	struct e2h_fs *h;
	int kind;
	int err = e2h_open(n, false, &h, &kind);
	if (err)
		return ERR_PTR(err);
	int want = strcmp(type, "auto") ? type[3] - '0' : kind;
	if (want < kind) {
		/* as Linux: the ext2 driver cannot mount a journal or extents */
		e2h_close(h);
		return ERR_PTR(-EINVAL);
	}
	struct ext2_sb_info *sbi = kzalloc(sizeof(*sbi));
	sbi->h = h;
	sbi->ubd = n;
	struct super_block *sb = &sbi->sb;
	sb->s_type = names[want];
	sb->s_dev = MKDEV(UBD_MAJOR, 16 * n);
	sb->s_magic = 0xEF53;
	sb->s_op = &ext2_sops;
	sb->s_fs_info = sbi;
	struct inode *root = ext2_iget(sb, 2);
	if (IS_ERR(root)) {
		e2h_close(h);
		kfree(sbi);
		return (void *)root;
	}
	sb->s_root = d_make_root(root);
	mounted[n] = sbi;
	printk(KERN_INFO "%s: mounted filesystem on ubd%c read-only\n", sb->s_type, 'a' + n);
	return sb;
}
