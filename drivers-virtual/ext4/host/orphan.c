/* The orphan list of a journaled filesystem (ext3's): an inode whose last
 * link goes while it is still open is chained from the superblock's
 * s_last_orphan through its i_dtime, in the same transaction as the
 * unlink, and leaves the chain when it is freed. After a crash the next
 * read-write mount (or e2fsck) frees what the chain still holds, so an
 * unlinked-but-open file never leaks its blocks. */
#include <errno.h>
#include "internal.h"

void ext4_orphan_add(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in)
{
	if (!h->j)
		return;		/* ext2: no orphan list (e2fsck repairs) */
	in->i_dtime = h->fs->super->s_last_orphan;
	h->fs->super->s_last_orphan = (uint32_t)ino;
	ext2fs_mark_super_dirty(h->fs);
}

int ext4_orphan_del(struct ext4_host_fs *h, uint64_t ino, const struct ext2_inode_large *in)
{
	struct ext2_super_block *sb = h->fs->super;
	if (!h->j || !sb->s_last_orphan)
		return 0;
	uint32_t next = in->i_dtime <= sb->s_inodes_count ? in->i_dtime : 0;
	if (sb->s_last_orphan == ino) {
		sb->s_last_orphan = next;
		ext2fs_mark_super_dirty(h->fs);
		return 0;
	}
	/* find the inode that points at ino (the chain is short) */
	uint32_t o = sb->s_last_orphan;
	for (uint32_t steps = 0; o && o <= sb->s_inodes_count && steps < sb->s_inodes_count; steps++) {
		struct ext2_inode_large prev;
		int err = ext4_host_read_inode(h, o, &prev);
		if (err)
			return err;
		if (prev.i_dtime == ino) {
			prev.i_dtime = next;
			return ext4_host_write_inode(h, o, &prev);
		}
		o = prev.i_dtime;
	}
	return 0;	/* not on the list */
}

/* An orphan that still has links: Linux left it there during a truncate;
 * finish the truncate and take it off the list. */
static int finish_truncate(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in)
{
	uint64_t keep = (EXT2_I_SIZE(in) + h->fs->blocksize - 1) / h->fs->blocksize;
	errcode_t e = ext2fs_punch(h->fs, ino, (struct ext2_inode *)in, NULL, keep, ~0ULL);
	if (e)
		return ext4_host_err(e);
	int err = ext4_host_read_inode(h, ino, in);
	if (!err && !(err = ext4_orphan_del(h, ino, in))) {
		in->i_dtime = 0;
		err = ext4_host_write_inode(h, ino, in);
	}
	return err;
}

int ext4_orphan_cleanup(struct ext4_host_fs *h, uint32_t *freed)
{
	struct ext2_super_block *sb = h->fs->super;
	*freed = 0;
	for (uint32_t steps = 0; sb->s_last_orphan && steps < sb->s_inodes_count; steps++) {
		uint32_t ino = sb->s_last_orphan;
		struct ext2_inode_large in;
		int err = ino <= sb->s_inodes_count ? ext4_host_read_inode(h, ino, &in) : -EINVAL;
		if (err)
			break;
		if (in.i_links_count) {
			err = finish_truncate(h, ino, &in);
		} else {
			err = ext4_host_release(h, ino);
			(*freed)++;
		}
		if (err)
			break;
		if (sb->s_last_orphan == ino) {
			/* not taken off (already free?): skip it */
			sb->s_last_orphan = in.i_dtime <= sb->s_inodes_count ? in.i_dtime : 0;
			ext2fs_mark_super_dirty(h->fs);
		}
	}
	if (sb->s_last_orphan) {
		/* a broken chain: e2fsck will find what it held */
		sb->s_last_orphan = 0;
		ext2fs_mark_super_dirty(h->fs);
		return -EUCLEAN;
	}
	return 0;
}
