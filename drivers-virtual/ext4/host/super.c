/* ext2/3/4 host half: open a filesystem on a block device (replaying its
 * journal if needed, then starting it for a read-write mount), write it
 * out, close it clean, statfs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"
#include "journal.h"

int ext4_host_err(errcode_t e)
{
	if (e > 0 && e < 4096)
		return -(int)e;		/* an errno from the I/O manager */
	switch (e) {
	case EXT2_ET_FILE_NOT_FOUND: return -ENOENT;
	case EXT2_ET_NO_DIRECTORY: return -ENOTDIR;
	case EXT2_ET_DIR_NO_SPACE: case EXT2_ET_BLOCK_ALLOC_FAIL:
	case EXT2_ET_INODE_ALLOC_FAIL: return -ENOSPC;
	case EXT2_ET_RO_FILSYS: return -EROFS;
	case EXT2_ET_BAD_MAGIC: case EXT2_ET_SB_CSUM_INVALID:
	case EXT2_ET_CORRUPT_SUPERBLOCK: case EXT2_ET_UNSUPP_FEATURE:
	case EXT2_ET_RO_UNSUPP_FEATURE: return -EINVAL;
	case EXT2_ET_FILE_TOO_BIG: return -EFBIG;
	case EXT2_ET_DIR_EXISTS: return -EEXIST;
	}
	return -EIO;
}

static errcode_t open_fs(const struct ext4_host_dev *dev, bool rw, ext2_filsys *fs)
{
	char name[32];
	ext4_host_dev_name(dev, name, sizeof(name));
	return ext2fs_open2(name, NULL, EXT2_FLAG_64BITS | (rw ? EXT2_FLAG_RW : 0), 0, 0, ext4_host_io_manager, fs);
}

static int kind_of(const struct ext2_super_block *sb)
{
	if (sb->s_feature_incompat & ~(EXT2_FEATURE_INCOMPAT_FILETYPE | EXT3_FEATURE_INCOMPAT_RECOVER))
		return 4;
	return sb->s_feature_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL ? 3 : 2;
}

/* Replay a journal that needs it (as Linux, also for a read-only mount,
 * as long as the device can be written), then open the result again. */
static int recover(const struct ext4_host_dev *dev, bool rw, ext2_filsys *fs, struct ext4_host_report *rep)
{
	if (!ext2fs_has_feature_journal((*fs)->super) || !ext2fs_has_feature_journal_needs_recovery((*fs)->super))
		return 0;
	if (dev->readonly) {
		rep->warn = "the journal needs recovery but the device is read-only (run e2fsck on the host image)";
		return -EROFS;
	}
	int err = ext4_journal_replay(dev, *fs, &rep->replayed, &rep->warn);
	ext2fs_free(*fs);	/* stale now, and it must write nothing */
	*fs = NULL;
	if (err)
		return err;
	errcode_t e = open_fs(dev, rw, fs);
	return e ? ext4_host_err(e) : 0;
}

/* A read-write mount: with a journal, start it (needs_recovery set on
 * disk) and free what the orphan list holds; without one, mark the
 * filesystem not clean on disk (as ext2 does) until it is written clean. */
static int start_rw(struct ext4_host_fs *h, const struct ext4_host_dev *dev, bool orphans, struct ext4_host_report *rep)
{
	ext2_filsys fs = h->fs;
	struct ext2_super_block *sb = fs->super;
	errcode_t e = ext2fs_read_bitmaps(fs);
	if (e)
		return ext4_host_err(e);
	h->mount_state = sb->s_state;
	if (!(sb->s_state & EXT2_VALID_FS) || (sb->s_state & EXT2_ERROR_FS))
		rep->warn = "mounting a filesystem that was not cleanly unmounted; running e2fsck is recommended";
	sb->s_mnt_count++;
	sb->s_mtime = sb->s_wtime = time(NULL);
	ext2fs_mark_super_dirty(fs);
	if (!ext2fs_has_feature_journal(sb)) {
		sb->s_state &= ~EXT2_VALID_FS;
		e = ext2fs_flush(fs);
		return e ? ext4_host_err(e) : 0;
	}
	const char *why = NULL;
	int err = ext4_jnl_start(h, dev, &why);
	if (err) {
		rep->warn = why;
		return err;
	}
	rep->journal = true;
	if (!orphans || !sb->s_last_orphan)
		return 0;
	if (ext4_orphan_cleanup(h, &rep->orphans)) {
		h->mount_state &= ~EXT2_VALID_FS;	/* let e2fsck look */
		rep->warn = "the orphan list is damaged; running e2fsck is recommended";
	}
	return ext4_jnl_commit(h);
}

int ext4_host_open(const struct ext4_host_dev *dev, unsigned flags, int want, struct ext4_host_fs **out, int *kind,
		   struct ext4_host_report *rep)
{
	bool rw = flags & EXT4_HOST_OPEN_RW;
	memset(rep, 0, sizeof(*rep));
	ext2_filsys fs;
	errcode_t e = open_fs(dev, rw, &fs);
	if (e)
		return ext4_host_err(e);
	*kind = kind_of(fs->super);
	int err = 0;
	if (want && want < *kind) {
		err = -EINVAL;
	/* as Linux: a filesystem bigger than its device is not mounted */
	} else if (ext2fs_blocks_count(fs->super) > dev->size / fs->blocksize) {
		rep->warn = "bad geometry: block count exceeds the size of the device";
		err = -EINVAL;
	} else {
		err = recover(dev, rw, &fs, rep);
	}
	struct ext4_host_fs *h = err ? NULL : calloc(1, sizeof(*h));
	if (!err && !h)
		err = -ENOMEM;
	if (!err) {
		h->fs = fs;
		h->rw = rw;
		if (rw)
			err = start_rw(h, dev, !(flags & EXT4_HOST_OPEN_KEEP_ORPHANS), rep);
		if (err && h->j)
			ext4_jnl_stop(h);
	}
	if (err) {
		if (fs)
			ext2fs_free(fs);	/* nothing more is written */
		free(h);
		return err;
	}
	*out = h;
	return 0;
}

/* The end of read-write use: everything committed and the journal empty,
 * then the state the filesystem had at mount (so one that was not clean
 * stays so until e2fsck repairs it), without needs_recovery. */
static int finish_rw(struct ext4_host_fs *h)
{
	int err = h->j ? ext4_jnl_stop(h) : 0;
	if (err)
		return err;
	struct ext2_super_block *sb = h->fs->super;
	sb->s_state = h->mount_state;
	ext2fs_clear_feature_journal_needs_recovery(sb);
	sb->s_wtime = time(NULL);
	ext2fs_mark_super_dirty(h->fs);
	errcode_t e = ext2fs_flush(h->fs);
	return e ? ext4_host_err(e) : 0;
}

int ext4_host_set_ro(struct ext4_host_fs *h)
{
	if (!h->rw)
		return 0;
	int err = finish_rw(h);
	h->rw = false;
	h->fs->flags &= ~(EXT2_FLAG_RW | EXT2_FLAG_DIRTY | EXT2_FLAG_BB_DIRTY | EXT2_FLAG_IB_DIRTY);
	return err;
}

int ext4_host_flush(struct ext4_host_fs *h)
{
	if (!h->rw)
		return 0;
	if (h->j)
		return ext4_jnl_commit(h);
	h->fs->super->s_wtime = time(NULL);
	ext2fs_mark_super_dirty(h->fs);
	errcode_t e = ext2fs_flush(h->fs);	/* ends with a device flush */
	return e ? ext4_host_err(e) : 0;
}

int ext4_host_op_done(struct ext4_host_fs *h)
{
	if (!h->rw)
		return 0;
	if (h->j) {
		int err = ext4_jnl_op_done(h);
		return err ? err : ext4_jnl_dirty(h);
	}
	return (h->fs->flags & (EXT2_FLAG_DIRTY | EXT2_FLAG_BB_DIRTY | EXT2_FLAG_IB_DIRTY)) != 0;
}

void ext4_host_close(struct ext4_host_fs *h)
{
	if (h->rw && finish_rw(h)) {
		/* a failed commit: leave the disk to the journal's replay */
		ext2fs_free(h->fs);
		free(h);
		return;
	}
	ext2fs_close_free(&h->fs);
	free(h);
}

int ext4_host_statfs(struct ext4_host_fs *h, struct ext4_host_statfs *st)
{
	struct ext2_super_block *sb = h->fs->super;
	uint64_t blocks = ext2fs_blocks_count(sb), bfree = ext2fs_free_blocks_count(sb);
	uint64_t resv = ext2fs_r_blocks_count(sb);
	uint64_t uuid[2];
	memcpy(uuid, sb->s_uuid, sizeof(uuid));
	*st = (struct ext4_host_statfs){
		.bsize = h->fs->blocksize, .blocks = blocks - sb->s_first_data_block, .bfree = bfree,
		.bavail = bfree > resv ? bfree - resv : 0, .files = sb->s_inodes_count,
		.ffree = sb->s_free_inodes_count, .fsid = uuid[0] ^ uuid[1],
	};
	return 0;
}
