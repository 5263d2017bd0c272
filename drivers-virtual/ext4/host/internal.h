/* ext2 host side internals. */
#ifndef EXT4_HOST_INTERNAL_H
#define EXT4_HOST_INTERNAL_H
#include <ext2fs/ext2fs.h>
#include "../ext4_host.h"

extern io_manager ext4_host_io_manager;
/* The I/O channel name that leads the manager to d. */
void ext4_host_dev_name(const struct ext4_host_dev *d, char *buf, size_t n);

struct ext4_host_fs {
	ext2_filsys fs;
	bool rw;
};

/* libext2fs error code -> -errno */
int ext4_host_err(errcode_t e);

/* Whole on-disk inodes (the large layout, zero-padded for 128-byte ones). */
int ext4_host_read_inode(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in);
int ext4_host_write_inode(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in);
/* Set a timestamp: which is 'a', 'm', 'c' (nanoseconds and the epoch
 * bits go to the *_extra field when the inode has room for it). */
void ext4_host_set_time(struct ext4_host_fs *h, struct ext2_inode_large *in, char which, struct ext4_host_time t);
/* Bump mtime and ctime of a directory whose entries changed. */
int ext4_host_touch_dir(struct ext4_host_fs *h, uint64_t dir, int dlinks, struct ext4_host_time now);
#endif
