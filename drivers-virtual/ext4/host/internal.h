/* ext2 host side internals. */
#ifndef EXT4_HOST_INTERNAL_H
#define EXT4_HOST_INTERNAL_H
#include <ext2fs/ext2fs.h>
#include "../ext4_host.h"

extern io_manager ext4_host_io_manager;
/* The I/O channel name that leads the manager to d. */
void ext4_host_dev_name(const struct ext4_host_dev *d, char *buf, size_t n);
struct wcache;
/* From now on the channel's I/O goes through wc (NULL: to the device). */
void ext4_host_io_cache(io_channel ch, struct wcache *wc);

struct ext4_jnl;
struct ext4_host_fs {
	ext2_filsys fs;
	bool rw;
	uint16_t mount_state;		/* s_state when mounted read-write */
	struct ext4_jnl *j;		/* the journal, while read-write (journal.h) */
};

/* libext2fs error code -> -errno */
int ext4_host_err(errcode_t e);

/* Whole on-disk inodes (the large layout, zero-padded for 128-byte ones). */
int ext4_host_read_inode(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in);
int ext4_host_write_inode(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in);
/* Set a timestamp: which is 'a', 'm', 'c' (nanoseconds and the epoch
 * bits go to the *_extra field when the inode has room for it). */
void ext4_host_set_time(struct ext4_host_fs *h, struct ext2_inode_large *in, char which, struct ext4_host_time t);
/* The orphan list (journaled filesystems; nothing on ext2): chain an
 * inode whose last link went (the caller writes *in), unchain it before
 * it is freed, and free what a crash left on it (at mount). */
void ext4_orphan_add(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in);
int ext4_orphan_del(struct ext4_host_fs *h, uint64_t ino, const struct ext2_inode_large *in);
int ext4_orphan_cleanup(struct ext4_host_fs *h, uint32_t *freed);
/* Bump mtime and ctime of a directory whose entries changed. */
int ext4_host_touch_dir(struct ext4_host_fs *h, uint64_t dir, int dlinks, struct ext4_host_time now);
#endif
