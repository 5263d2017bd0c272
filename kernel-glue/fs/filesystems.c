/* Filesystem types: the registry (a linker section filled by
 * DEFINE_FILESYSTEM in each filesystem's own file), the common part of
 * mounting one (finding its block device), /proc/filesystems, and the
 * mounts the kernel makes itself after the root. */
#include <umk/blkdev.h>
#include <umk/fs.h>

umk_section_declare(const struct file_system_type *const, umk_filesystems);

const struct file_system_type *next_fs_type(const struct file_system_type *prev)
{
	bool take = !prev;
	umk_section_foreach(const struct file_system_type *const, umk_filesystems, t) {
		if (take)
			return *t;
		take = *t == prev;
	}
	return NULL;
}

const struct file_system_type *get_fs_type(const char *name)
{
	for (const struct file_system_type *t = next_fs_type(NULL); t; t = next_fs_type(t))
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* Duplicate names would make one of them unreachable: refuse to boot. */
static int filesystems_check(void)
{
	for (const struct file_system_type *t = next_fs_type(NULL); t; t = next_fs_type(t))
		if (get_fs_type(t->name) != t)
			panic("filesystem type %s is registered twice", t->name);
	return 0;
}
core_initcall(filesystems_check);

void filesystems_show(struct sbuf *out)
{
	for (const struct file_system_type *t = next_fs_type(NULL); t; t = next_fs_type(t))
		sbuf_printf(out, "%s\t%s\n", t->fs_flags & FS_REQUIRES_DEV ? "" : "nodev", t->name);
}

struct super_block *vfs_get_super(const struct file_system_type *type, struct fs_mount *m)
{
	if (!type->mount)
		return ERR_PTR(-ENODEV);
	if ((type->fs_flags & FS_REQUIRES_DEV) && !m->bdev) {
		int err = blkdev_lookup_path(m->source, &m->bdev);
		if (err)
			return ERR_PTR(err);
	}
	m->root = NULL;
	return type->mount(type, m);
}

void vfs_mount_boot_pseudo(void)
{
	static const struct { const char *type, *where; } pseudo[] = {
		{ "devtmpfs", "/dev" }, { "devpts", "/dev/pts" }, { "proc", "/proc" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(pseudo); i++) {
		const struct file_system_type *t = get_fs_type(pseudo[i].type);
		struct fs_mount m = { .source = pseudo[i].type };
		struct super_block *sb = t ? vfs_get_super(t, &m) : ERR_PTR(-ENODEV);
		int err = IS_ERR(sb) ? (int)PTR_ERR(sb) : vfs_mount(sb, pseudo[i].where, 0, pseudo[i].type);
		if (err)
			printk(KERN_WARNING "%s: cannot mount on %s: %d\n", pseudo[i].type, pseudo[i].where, err);
	}
}
