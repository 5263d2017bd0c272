/* ext2 host side internals. */
#ifndef E2H_H
#define E2H_H
#include <ext2fs/ext2fs.h>
#include <umk/ext2host.h>

extern io_manager e2h_ubd_io_manager;

struct e2h_fs {
	ext2_filsys fs;
	bool rw;
};

/* libext2fs error code -> -errno */
int e2h_err(errcode_t e);

/* Whole on-disk inodes (the large layout, zero-padded for 128-byte ones). */
int e2h_read_inode(struct e2h_fs *h, uint64_t ino, struct ext2_inode_large *in);
int e2h_write_inode(struct e2h_fs *h, uint64_t ino, struct ext2_inode_large *in);
/* Set a timestamp: which is 'a', 'm', 'c' (nanoseconds and the epoch
 * bits go to the *_extra field when the inode has room for it). */
void e2h_set_time(struct e2h_fs *h, struct ext2_inode_large *in, char which, struct e2h_time t);
/* Bump mtime and ctime of a directory whose entries changed. */
int e2h_touch_dir(struct e2h_fs *h, uint64_t dir, int dlinks, struct e2h_time now);
#endif
