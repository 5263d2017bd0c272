/* ext2/3/4 kernel half internals. */
#ifndef EXT4_H
#define EXT4_H
#include <umk/fs.h>
#include <umk/wait.h>
#include "ext4_host.h"

struct ext4_sb_info {
	struct super_block sb;
	struct ext4_host_fs *h;
	struct block_device *bdev;
	struct ext4_host_dev dev;	/* bdev as the library sees it */
	struct list_head node;		/* the list of mounted filesystems */
	bool rw;
	/* libext2fs is not reentrant and a request may sleep on disk I/O:
	 * one task at a time inside the library, per filesystem */
	bool busy;
	struct wait_queue_head lockq;
};

static inline struct ext4_sb_info *EXT4_SB(struct super_block *sb) { return sb->s_fs_info; }
static inline struct ext4_host_fs *ext4_handle(struct inode *i) { return EXT4_SB(i->i_sb)->h; }

/* Take/release the filesystem's library lock; never iput() while held
 * (eviction takes it). */
void ext4_lock(struct super_block *sb);
void ext4_unlock(struct super_block *sb);

struct inode *ext4_iget(struct super_block *sb, uint64_t ino);
int ext4_refresh(struct inode *i);	/* re-read the cached attributes */
struct ext4_host_time ext4_now(void);
void ext4_evict_inode(struct inode *i);

/* directory operations: namei.c */
struct inode *ext4_lookup(struct inode *dir, const char *name);
int ext4_create(struct inode *dir, const char *name, umode_t mode, struct file *f);
int ext4_mkdir(struct inode *dir, const char *name, umode_t mode);
int ext4_mknod(struct inode *dir, const char *name, umode_t mode, uint64_t dev);
int ext4_symlink(struct inode *dir, const char *name, const char *target);
int ext4_link(struct inode *old, struct inode *dir, const char *name);
int ext4_unlink(struct inode *dir, const char *name);
int ext4_rmdir(struct inode *dir, const char *name);
int ext4_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname, unsigned flags);
/* extended attributes: xattr.c */
ssize_t ext4_getxattr(struct inode *i, const char *name, void *buf, size_t size);
int ext4_setxattr(struct inode *i, const char *name, const void *value, size_t size, int flags);
ssize_t ext4_listxattr(struct inode *i, char *buf, size_t size);
extern const struct inode_operations ext4_iops;
extern const struct file_operations ext4_file_fops, ext4_dir_fops;
#endif
