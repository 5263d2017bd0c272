/* Anonymous-inode files (eventfd, timerfd, signalfd, epoll): fds with no
 * name in any filesystem, shown in /proc/PID/fd as "anon_inode:[NAME]". */
#ifndef UMK_FS_ANON_INODE_H
#define UMK_FS_ANON_INODE_H
#include <umk/fs.h>

/* A new O_RDWR file (plus the O_NONBLOCK of flags) with private data priv.
 * Returns the fd installed in current->files, or -errno (then nothing of
 * priv is released: the caller still owns it). */
int anon_inode_getfd(const char *name, const struct file_operations *fops, void *priv, unsigned flags, bool cloexec);
#endif
