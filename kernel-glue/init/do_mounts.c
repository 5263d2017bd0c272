/* The root filesystem, as Linux's init/do_mounts.c: root=, rootfstype=,
 * rw/ro, and mounting it once the drivers are up, then the pseudo
 * filesystems the kernel mounts itself. A root on a block device is
 * found by name or number among the registered block devices; a root
 * without a device (root=/dev/root, or a type such as hostfs) is a
 * filesystem type registered with FS_NODEV_ROOT. */
#include <umk/arch.h>
#include <umk/blkdev.h>
#include <umk/fs.h>
#include <umk/init.h>
#include "do_mounts.h"

/* UML's default root device (root=98:0): the first ubd disk. */
#define DEFAULT_ROOT "/dev/ubda"

static const char *root_name;		/* root= */
static const char *root_fstype;		/* rootfstype= */
static bool root_rw;

static const char *root_setup(const char *v)
{
	const char *p = v;
	if (!strncmp(v, "/dev/", 5) && v[5] && !strchr(v + 5, '/')) {
		root_name = v;
		return NULL;
	}
	/* MAJOR:MINOR, decimal */
	bool colon = false, digit = false;
	for (; *p; p++) {
		if (*p == ':' && !colon && digit)
			colon = true, digit = false;
		else if (*p >= '0' && *p <= '9')
			digit = true;
		else
			break;
	}
	if (*p || !colon || !digit)
		return "expected root=/dev/NAME (such as /dev/ubda), root=MAJOR:MINOR (98:0) or root=/dev/root with hostfs=DIR";
	root_name = v;
	return NULL;
}
__setup(root, root_setup, "root=DEV",
	"root device: /dev/ubdX (or 98:16*N) for an ext2/3/4\n"
	"image on ubdN (the default when ubd0= is given),\n"
	"/dev/root with rootfstype=hostfs for a host directory");

static bool can_be_root(const struct file_system_type *t)
{
	return t->fs_flags & (FS_REQUIRES_DEV | FS_NODEV_ROOT);
}

static const char *rootfstype_setup(const char *v)
{
	const struct file_system_type *t = get_fs_type(v);
	if (!strcmp(v, "auto") || (t && can_be_root(t))) {
		root_fstype = v;
		return NULL;
	}
	static char expect[160];
	size_t n = strlcpy(expect, "expected auto", sizeof(expect));
	for (t = next_fs_type(NULL); t && n < sizeof(expect); t = next_fs_type(t))
		if (can_be_root(t))
			n += snprintf(expect + n, sizeof(expect) - n, ", %s", t->name);
	return expect;
}
__setup(rootfstype, rootfstype_setup, "rootfstype=TYPE", "ext2, ext3, ext4, auto (default) or hostfs");

static const char *rw_setup(const char *v __unused)
{
	root_rw = true;
	return NULL;
}
static const char *ro_setup(const char *v __unused)
{
	root_rw = false;
	return NULL;
}
__setup_flag(rw, rw_setup, "rw | ro", "mount root read-write / read-only (default ro)");
__setup_flag(ro, ro_setup, NULL, NULL);

/* One line for the host user (Linux says "VFS: Cannot open root
 * device"), and power off with status 2, as for a bad option. */
__attribute__((noreturn, format(printf, 2, 3))) static void root_failed(const char *what, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk(KERN_ERR "umk: root=%s: %s\n", what, line);
	arch_halt(2);
}

static const char *errno_text(long e)
{
	return e == EINVAL ? "not a filesystem of that type (bad superblock)" : e == EROFS ? "read-only" :
	       e == ENODEV ? "no such filesystem" : "I/O error";
}

/* Each block filesystem in turn (or the one asked for) on b. */
static struct super_block *mount_block_root(struct block_device *b, struct fs_mount *m)
{
	struct super_block *sb = ERR_PTR(-EINVAL);
	const char *why = NULL;
	for (const struct file_system_type *t = next_fs_type(NULL); t; t = next_fs_type(t)) {
		if (!(t->fs_flags & FS_REQUIRES_DEV))
			continue;
		if (root_fstype && strcmp(root_fstype, "auto") && strcmp(root_fstype, t->name))
			continue;
		m->bdev = b;
		m->why = NULL;
		sb = vfs_get_super(t, m);
		if (m->why)
			why = m->why;
		if (!IS_ERR(sb) || PTR_ERR(sb) != -EINVAL)
			break;
	}
	if (IS_ERR(sb)) {
		char types[64] = "";
		if (root_fstype && strcmp(root_fstype, "auto")) {
			strlcpy(types, root_fstype, sizeof(types));
		} else {
			size_t n = 0;
			for (const struct file_system_type *t = next_fs_type(NULL); t; t = next_fs_type(t))
				if (t->fs_flags & FS_REQUIRES_DEV && n < sizeof(types))
					n += snprintf(types + n, sizeof(types) - n, "%s%s", n ? "/" : "", t->name);
		}
		root_failed(m->source, "cannot mount %s as %s: %s", b->name, types, why ? why : errno_text(-PTR_ERR(sb)));
	}
	return sb;
}

/* A root without a device: the type asked for, or each FS_NODEV_ROOT
 * type in turn; NULL if none is configured (all say -ENODEV). */
static struct super_block *mount_nodev_root(const struct file_system_type *only, struct fs_mount *m)
{
	for (const struct file_system_type *t = next_fs_type(NULL); t; t = next_fs_type(t)) {
		if (only ? t != only : !(t->fs_flags & FS_NODEV_ROOT))
			continue;
		m->why = NULL;
		struct super_block *sb = vfs_get_super(t, m);
		if (!IS_ERR(sb))
			return sb;
		if (PTR_ERR(sb) != -ENODEV || only)
			root_failed(m->source, "cannot mount %s: %s", t->name, m->why ? m->why : errno_text(-PTR_ERR(sb)));
	}
	return NULL;
}

void mount_root(void)
{
	struct fs_mount m = { .source = root_name ? root_name : "/dev/root", .mnt_flags = root_rw ? 0 : MNT_READONLY,
			      .is_root = true };
	const struct file_system_type *type = root_fstype ? get_fs_type(root_fstype) : NULL;
	struct super_block *sb = NULL;
	if ((type && !(type->fs_flags & FS_REQUIRES_DEV)) || (root_name && !strcmp(root_name, "/dev/root"))) {
		sb = mount_nodev_root(type, &m);
		if (!sb)
			root_failed(m.source, "no filesystem to mount without a device: give hostfs=DIR");
	} else {
		struct block_device *b = blkdev_by_name(root_name ? root_name : DEFAULT_ROOT);
		if (b) {
			m.source = root_name ? root_name : DEFAULT_ROOT;
			sb = mount_block_root(b, &m);
		} else if (root_name) {
			root_failed(root_name, "no such block device");
		} else if (!root_fstype) {
			sb = mount_nodev_root(NULL, &m);
		}
		if (!sb)
			root_failed(DEFAULT_ROOT, "no root filesystem: give ubd0=IMAGE (an ext2/3/4 image) or hostfs=DIR");
	}
	vfs_mount(sb, "/", m.mnt_flags, "/dev/root");
	dput(m.root);
	printk(KERN_INFO "VFS: Mounted root (%s filesystem) %s on device %llu:%llu.\n", sb->s_type,
	       m.mnt_flags & MNT_READONLY ? "readonly" : "read-write",
	       (unsigned long long)(sb->s_dev >> 8), (unsigned long long)(sb->s_dev & 0xff));
	vfs_mount_boot_pseudo();
}
