/* ext2/3/4 kernel side internals. */
#ifndef EXT2_KERN_H
#define EXT2_KERN_H
#include <umk/fs.h>
#include <umk/wait.h>
#include <umk/ext2host.h>

struct ext2_sb_info {
	struct super_block sb;
	struct e2h_fs *h;
	int ubd;
	bool rw;
	/* libext2fs is not reentrant and a request may sleep on disk I/O:
	 * one task at a time inside the library, per filesystem */
	bool busy;
	struct wait_queue_head lockq;
};

static inline struct ext2_sb_info *EXT2_SB(struct super_block *sb) { return sb->s_fs_info; }
static inline struct e2h_fs *E2H(struct inode *i) { return EXT2_SB(i->i_sb)->h; }

/* Take/release the filesystem's library lock; never iput() while held
 * (eviction takes it). */
void ext2_lock(struct super_block *sb);
void ext2_unlock(struct super_block *sb);

struct inode *ext2_iget(struct super_block *sb, uint64_t ino);
int ext2_refresh(struct inode *i);	/* re-read the cached attributes */
struct e2h_time ext2_now(void);
void ext2_evict_inode(struct inode *i);
extern const struct inode_operations ext2_iops;
extern const struct file_operations ext2_file_fops, ext2_dir_fops;
#endif
