/* The mount table. A mount attaches a filesystem root over a directory
 * inode of its parent mount; the walk crosses into it (lookup_mnt) and
 * ".." crosses back out. Mounts live forever for now (no umount), so
 * paths do not pin them. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/tty.h>

static LIST_HEAD(mount_list);
static struct vfsmount *rootmnt;

struct vfsmount *root_mount(void)
{
	return rootmnt;
}

struct vfsmount *lookup_mnt(struct vfsmount *parent, struct inode *mountpoint)
{
	struct vfsmount *m, *found = NULL;
	/* the most recent mount on a spot hides earlier ones */
	list_for_each_entry(m, &mount_list, mnt_list)
		if (m->mnt_parent == parent && m->mnt_mountpoint->d_inode == mountpoint)
			found = m;
	return found;
}

static struct vfsmount *mnt_alloc(struct super_block *sb, int flags, const char *devname)
{
	struct vfsmount *m = kzalloc(sizeof(*m));
	m->mnt_sb = sb;
	m->mnt_root = dget(sb->s_root);
	m->mnt_flags = flags;
	m->mnt_devname = kstrdup(devname);
	return m;
}

/* Mount sb at absolute path where ("/" the first time). Called by boot
 * code and, later, by mount(2). */
int vfs_mount(struct super_block *sb, const char *where, int flags, const char *devname)
{
	if (!rootmnt) {
		if (strcmp(where, "/"))
			return -ENOENT;
		rootmnt = mnt_alloc(sb, flags, devname);
		list_add_tail(&rootmnt->mnt_list, &mount_list);
		return 0;
	}
	struct path p;
	int err = kern_path_at(AT_FDCWD, where, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	struct vfsmount *m = mnt_alloc(sb, flags, devname);
	m->mnt_parent = p.mnt;
	m->mnt_mountpoint = p.dentry;	/* keeps the ref */
	list_add_tail(&m->mnt_list, &mount_list);
	return 0;
}

static void mount_point_path(struct vfsmount *m, struct sbuf *out)
{
	struct path p = { m, m->mnt_root };
	path_to_sbuf(&p, out);
}

/* /proc/mounts: "dev dir type opts 0 0", octal-escaping space, tab, \n, \ */
void mounts_show(struct sbuf *out)
{
	struct vfsmount *m;
	list_for_each_entry(m, &mount_list, mnt_list) {
		struct sbuf dir;
		sbuf_init(&dir);
		mount_point_path(m, &dir);
		sbuf_printf(out, "%s ", m->mnt_devname);
		for (size_t i = 0; i < dir.len; i++) {
			char c = dir.buf[i];
			if (c == ' ' || c == '\t' || c == '\n' || c == '\\')
				sbuf_printf(out, "\\%03o", (unsigned char)c);
			else
				sbuf_putmem(out, &c, 1);
		}
		sbuf_free(&dir);
		sbuf_printf(out, " %s %s 0 0\n", m->mnt_sb->s_type,
			    (m->mnt_flags & MNT_READONLY) ? "ro,relatime" : "rw,relatime");
	}
}

/* Build the absolute path of p by walking up parents and out of mounts. */
void path_to_sbuf(const struct path *p, struct sbuf *out)
{
	struct path root = { rootmnt, rootmnt ? rootmnt->mnt_root : NULL };
	if (current && current->fs)
		root = current->fs->root;
	const char *names[256];
	int n = 0;
	if (!p->mnt) {
		sbuf_printf(out, "%s", p->dentry->d_name);	/* pipe:[N] */
		return;
	}
	struct vfsmount *mnt = p->mnt;
	struct dentry *d = p->dentry;
	while (n < (int)ARRAY_SIZE(names)) {
		struct path cur = { mnt, d };
		if (!root.dentry || path_equal(&cur, &root))
			break;
		if (d->d_inode == mnt->mnt_root->d_inode) {
			if (!mnt->mnt_parent)
				break;	/* outside the process root: show from the top */
			d = mnt->mnt_mountpoint;
			mnt = mnt->mnt_parent;
			continue;
		}
		names[n++] = d->d_name;
		if (d->d_parent == d)
			break;
		d = d->d_parent;
	}
	if (!n)
		sbuf_putmem(out, "/", 1);
	while (n--)
		sbuf_printf(out, "/%s", names[n]);
}

void sync_filesystems(void)
{
	struct vfsmount *m;
	sync_inodes();
	list_for_each_entry(m, &mount_list, mnt_list)
		if (m->mnt_sb->s_op && m->mnt_sb->s_op->sync_fs)
			m->mnt_sb->s_op->sync_fs(m->mnt_sb);
}

void vfs_init(void)
{
	int flags;
	struct super_block *sb = hostfs_get_sb(&flags);
	if (!sb)
		panic("vfs_init: no root filesystem (hostfs_setup not called)");
	vfs_mount(sb, "/", flags, "/dev/root");
	int err = console_init();
	if (err)
		printk(KERN_ERR "console: cannot attach host channel: %d\n", err);
	devfs_init();
	procfs_init();
}
