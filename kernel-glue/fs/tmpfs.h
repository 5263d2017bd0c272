/* tmpfs internals shared with sysfs. */
#ifndef UMK_FS_TMPFS_H
#define UMK_FS_TMPFS_H
#include <umk/fs.h>

struct tmpfs_sbi {
	uint64_t max_blocks, used_blocks;	/* pages; max 0 = no limit (size=0) */
	uint64_t max_inodes, used_inodes;
	uint64_t next_ino;
	uint64_t used_ispace;		/* bytes of extended attributes */
	umode_t root_mode;
	uid_t root_uid;
	gid_t root_gid;
};

/* A fresh tmpfs-like superblock (type/magic as given; magic 0 = tmpfs)
 * with mount options data; ERR_PTR(-EINVAL) on a bad option. */
struct super_block *tmpfs_new_sb(const char *type, unsigned long magic, const char *data);
int tmpfs_mkdir_kern(struct inode *dir, const char *name, umode_t mode);
/* tmpfs's directory lookup (+1 reference or ERR_PTR), for wrappers. */
struct inode *tmpfs_dir_lookup(struct inode *dir, const char *name);
/* The child called name (no reference taken), or NULL. */
struct inode *tmpfs_lookup_kern(struct inode *dir, const char *name);
/* A node made by the kernel, with its own operations (NULL: tmpfs's) and
 * data for them (tmpfs_kern_data); NULL if name exists or no room. */
struct inode *tmpfs_kern_node(struct inode *dir, const char *name, umode_t mode, const struct inode_operations *iops,
			      const struct file_operations *fops, void *data);
void *tmpfs_kern_data(struct inode *i);
/* An unnamed regular file on sb (memfd_create): one reference, no link;
 * NULL when sb has no inode left. */
struct inode *tmpfs_new_file(struct super_block *sb, umode_t mode);
/* free_data(kern_data) when the inode is evicted (the last close after
 * its removal). */
void tmpfs_kern_set_free(struct inode *i, void (*free_data)(void *));
/* fn on i and, for a directory, everything below it. */
void tmpfs_walk_kern(struct inode *i, void (*fn)(struct inode *));
/* Remove name from dir, a directory with everything below it. */
int tmpfs_remove_kern(struct inode *dir, const char *name);
#endif
