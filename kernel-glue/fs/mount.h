/* Mount table internals shared by mount.c and mount_sys.c. */
#ifndef UMK_FS_MOUNT_H
#define UMK_FS_MOUNT_H
#include <umk/fs.h>

extern struct list_head mount_list;
struct vfsmount *mnt_alloc(struct super_block *sb, struct dentry *root, int flags, const char *devname);
void mnt_attach(struct vfsmount *m, const struct path *p);
void set_root_mount(struct vfsmount *m);
#endif
