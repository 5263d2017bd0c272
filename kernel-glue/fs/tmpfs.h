/* tmpfs internals shared with sysfs. */
#ifndef UMK_FS_TMPFS_H
#define UMK_FS_TMPFS_H
#include <umk/fs.h>

struct tmpfs_sbi {
	uint64_t max_blocks, used_blocks;	/* pages; max 0 = no limit (size=0) */
	uint64_t max_inodes, used_inodes;
	uint64_t next_ino;
	umode_t root_mode;
	uid_t root_uid;
	gid_t root_gid;
};

/* A fresh tmpfs-like superblock (type/magic as given; magic 0 = tmpfs)
 * with mount options data; ERR_PTR(-EINVAL) on a bad option. */
struct super_block *tmpfs_new_sb(const char *type, unsigned long magic, const char *data);
int tmpfs_mkdir_kern(struct inode *dir, const char *name, umode_t mode);
#endif
