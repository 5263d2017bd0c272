/* ext2/3/4 host half: open/close a filesystem on a block device, statfs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"

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

int ext4_host_open(const struct ext4_host_dev *dev, bool rw, int want, struct ext4_host_fs **out, int *kind,
		   const char **warn)
{
	char name[32];
	ext4_host_dev_name(dev, name, sizeof(name));
	*warn = NULL;
	ext2_filsys fs;
	int flags = EXT2_FLAG_64BITS | (rw ? EXT2_FLAG_RW : 0);
	errcode_t e = ext2fs_open2(name, NULL, flags, 0, 0, ext4_host_io_manager, &fs);
	if (e)
		return ext4_host_err(e);
	struct ext2_super_block *sb = fs->super;
	if (sb->s_feature_incompat & ~(EXT2_FEATURE_INCOMPAT_FILETYPE | EXT3_FEATURE_INCOMPAT_RECOVER))
		*kind = 4;
	else if (sb->s_feature_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL)
		*kind = 3;
	else
		*kind = 2;
	int err = 0;
	if (want && want < *kind) {
		err = -EINVAL;
	/* as Linux: a filesystem bigger than its device is not mounted */
	} else if (ext2fs_blocks_count(sb) > dev->size / fs->blocksize) {
		*warn = "bad geometry: block count exceeds the size of the device";
		err = -EINVAL;
	} else if (rw && ext2fs_has_feature_journal_needs_recovery(sb)) {
		/* the journal is never replayed here: writing would lose it */
		*warn = "the journal needs recovery (run e2fsck on the host image)";
		err = -EROFS;
	} else if (rw && (e = ext2fs_read_bitmaps(fs))) {
		err = ext4_host_err(e);
	}
	if (err) {
		ext2fs_close_free(&fs);
		return err;
	}
	if (rw) {
		if (!(sb->s_state & EXT2_VALID_FS) || (sb->s_state & EXT2_ERROR_FS))
			*warn = "mounting a filesystem that was not cleanly unmounted; running e2fsck is recommended";
		/* not clean while mounted read-write (as ext2 does): a crash
		 * leaves this state on the disk */
		sb->s_state &= ~EXT2_VALID_FS;
		sb->s_mnt_count++;
		sb->s_mtime = sb->s_wtime = time(NULL);
		ext2fs_mark_super_dirty(fs);
		e = ext2fs_flush(fs);
		if (e) {
			ext2fs_close_free(&fs);
			return ext4_host_err(e);
		}
	}
	struct ext4_host_fs *h = calloc(1, sizeof(*h));
	h->fs = fs;
	h->rw = rw;
	*out = h;
	return 0;
}

int ext4_host_flush(struct ext4_host_fs *h)
{
	if (!h->rw)
		return 0;
	h->fs->super->s_wtime = time(NULL);
	ext2fs_mark_super_dirty(h->fs);
	errcode_t e = ext2fs_flush(h->fs);	/* ends with a device flush */
	return e ? ext4_host_err(e) : 0;
}

void ext4_host_close(struct ext4_host_fs *h)
{
	if (h->rw) {
		h->fs->super->s_state |= EXT2_VALID_FS;
		h->fs->super->s_wtime = time(NULL);
		ext2fs_mark_super_dirty(h->fs);
	}
	ext2fs_close_free(&h->fs);	/* flushes a read-write filesystem */
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
