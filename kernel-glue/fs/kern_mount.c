/* Kernel code reading a filesystem whatever the guest mounted (the
 * management console's `proc FILE`): a private mount, not on the mount
 * table, as Linux's kern_mount, and opening a path beneath it. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include "mount.h"

static struct vfsmount *kern_mount_flags(const char *type_name, int flags)
{
	const struct file_system_type *t = get_fs_type(type_name);
	if (!t || (t->fs_flags & FS_REQUIRES_DEV))
		return ERR_PTR(-ENODEV);
	struct fs_mount m = { .source = type_name };
	struct super_block *sb = vfs_get_super(t, &m);
	if (IS_ERR(sb))
		return (void *)sb;
	struct vfsmount *mnt = mnt_alloc(sb, m.root, flags, type_name);
	if (m.root)
		dput(m.root);
	return mnt;
}

struct vfsmount *kern_mount(const char *type_name)
{
	return kern_mount_flags(type_name, MNT_READONLY);
}

/* For the kernel's own files on it (memfd_create's tmpfs). */
struct vfsmount *kern_mount_writable(const char *type_name)
{
	return kern_mount_flags(type_name, 0);
}

/* The walk starts at root and ".." stops there: the current task's
 * root and cwd are root for the length of the open. */
struct file *file_open_root(struct vfsmount *root, const char *path, unsigned flags)
{
	struct task *t = current;
	struct fs_struct fs = { .refs = 1, .umask = 022 };
	fs.root = fs.pwd = (struct path){ root, root->mnt_root };
	struct fs_struct *saved = t->fs;
	t->fs = &fs;
	struct file *f = do_filp_open(AT_FDCWD, path, flags, 0);
	t->fs = saved;
	return f;
}
