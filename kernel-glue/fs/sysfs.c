/* sysfs: the top-level directories a distribution expects under /sys,
 * empty for now, on one tmpfs-like superblock shared by every mount. */
#include <umk/fs.h>
#include "tmpfs.h"

static struct super_block *sysfs_sb;

static struct super_block *sysfs_mount(const struct file_system_type *type __unused, struct fs_mount *m __unused)
{
	if (!sysfs_sb) {
		static const char *const dirs[] = { "block", "bus", "class", "dev", "devices", "firmware", "fs", "kernel", "module", "power" };
		sysfs_sb = tmpfs_new_sb("sysfs", 0x62656572, NULL);
		struct inode *root = sysfs_sb->s_root->d_inode;
		root->i_mode = S_IFDIR | 0555;
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
			tmpfs_mkdir_kern(root, dirs[i], 0755);
	}
	return sysfs_sb;
}

static const struct file_system_type sysfs_type = { .name = "sysfs", .mount = sysfs_mount };
DEFINE_FILESYSTEM(sysfs_type);
