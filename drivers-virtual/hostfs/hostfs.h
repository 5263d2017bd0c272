/* hostfs internals shared by its inode and file halves. */
#ifndef HOSTFS_H
#define HOSTFS_H
#include <umk/fs.h>
#include <umk/hostio.h>

/* Every hostfs inode holds an O_PATH handle on its host object; all host
 * operations on it go through that handle, one component at a time. */
struct hostfs_inode { int fd; };
struct hostfs_file { int fd; };	/* the open host file description */

static inline int hostfs_fd(struct inode *i) { return ((struct hostfs_inode *)i->i_private)->fd; }
void hostfs_apply_stat(struct inode *inode, const struct host_stat *st);
extern const struct file_operations hostfs_file_fops, hostfs_dir_fops, hostfs_special_fops;
extern struct inode *hostfs_root_inode;
#endif
