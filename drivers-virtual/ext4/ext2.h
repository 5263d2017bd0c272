/* ext2/3/4 kernel side internals. */
#ifndef EXT2_KERN_H
#define EXT2_KERN_H
#include <umk/fs.h>
#include <umk/ext2host.h>

struct ext2_sb_info {
	struct super_block sb;
	struct e2h_fs *h;
	int ubd;
	bool rw;
};

static inline struct e2h_fs *E2H(struct inode *i) { return ((struct ext2_sb_info *)i->i_sb->s_fs_info)->h; }
struct inode *ext2_iget(struct super_block *sb, uint64_t ino);
extern const struct inode_operations ext2_iops;
extern const struct file_operations ext2_file_fops, ext2_dir_fops;
#endif
