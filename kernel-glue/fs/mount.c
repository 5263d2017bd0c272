/* The mount table. A mount attaches a filesystem (or, for a bind mount,
 * a directory of one) over a directory inode of its parent mount; the
 * walk crosses into it (lookup_mnt) and ".." crosses back out.
 *
 * Paths do not pin mounts, so a struct vfsmount is never freed: umount
 * takes it off the table (MNT_DETACHED) and, when nothing uses it, tells
 * the filesystem its last mount is gone (put_super). "Uses" is found by
 * scanning tasks' descriptors, cwd/root and mappings (mount_sys.c). */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/tty.h>
#include "mount.h"

LIST_HEAD(mount_list);
static struct vfsmount *rootmnt;
static int next_mnt_id = 21;

struct vfsmount *root_mount(void)
{
	return rootmnt;
}

void set_root_mount(struct vfsmount *m)
{
	rootmnt = m;
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

struct vfsmount *mnt_alloc(struct super_block *sb, struct dentry *root, int flags, const char *devname)
{
	struct vfsmount *m = kzalloc(sizeof(*m));
	m->mnt_sb = sb;
	m->mnt_root = dget(root ? root : sb->s_root);
	m->mnt_flags = flags;
	m->mnt_devname = kstrdup(devname);
	m->mnt_id = next_mnt_id++;
	return m;
}

/* Put m on the table over mountpoint p (takes a reference on p). */
void mnt_attach(struct vfsmount *m, const struct path *p)
{
	path_get(p);
	m->mnt_parent = p->mnt;
	m->mnt_mountpoint = p->dentry;
	m->mnt_flags &= ~MNT_DETACHED;
	list_add_tail(&m->mnt_list, &mount_list);
}

/* Mount sb at absolute path where ("/" the first time). Boot code. */
int vfs_mount(struct super_block *sb, const char *where, int flags, const char *devname)
{
	if (!rootmnt) {
		if (strcmp(where, "/"))
			return -ENOENT;
		rootmnt = mnt_alloc(sb, NULL, flags | MNT_RELATIME, devname);
		list_add_tail(&rootmnt->mnt_list, &mount_list);
		return 0;
	}
	struct path p;
	int err = kern_path_at(AT_FDCWD, where, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	struct vfsmount *m = mnt_alloc(sb, NULL, flags | MNT_RELATIME, devname);
	mnt_attach(m, &p);
	path_put(&p);
	return 0;
}

/* Is p (mnt, dentry) at or below the current root? Also yields the
 * mount-relative path of its mount point for the walk up. */
static bool visible(struct vfsmount *m)
{
	struct path root = { rootmnt, rootmnt->mnt_root };
	if (current && current->fs)
		root = current->fs->root;
	struct vfsmount *mnt = m;
	struct dentry *d = m->mnt_root;
	for (;;) {
		if (mnt == root.mnt) {
			/* root's dentry must be an ancestor of d in this mount */
			for (struct dentry *x = d;; x = x->d_parent) {
				if (x->d_inode == root.dentry->d_inode)
					return true;
				if (x->d_parent == x || x->d_inode == mnt->mnt_root->d_inode)
					break;
			}
			return false;
		}
		if (!mnt->mnt_parent)
			return false;
		d = mnt->mnt_mountpoint;
		mnt = mnt->mnt_parent;
	}
}

static void put_escaped(struct sbuf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\\')
			sbuf_printf(out, "\\%03o", (unsigned char)c);
		else
			sbuf_putmem(out, &c, 1);
	}
}

static void mount_point_path(struct vfsmount *m, struct sbuf *out)
{
	struct sbuf dir;
	sbuf_init(&dir);
	struct path p = { m, m->mnt_root };
	path_to_sbuf(&p, &dir);
	put_escaped(out, dir.buf, dir.len);
	sbuf_free(&dir);
}

/* Per-mount options in Linux's order: rw|ro,nosuid,nodev,noexec,atime. */
static void mnt_opts(struct vfsmount *m, struct sbuf *out)
{
	int f = m->mnt_flags;
	sbuf_printf(out, "%s%s%s%s%s%s%s", (f & MNT_READONLY) ? "ro" : "rw",
		    (f & MNT_NOSUID) ? ",nosuid" : "", (f & MNT_NODEV) ? ",nodev" : "",
		    (f & MNT_NOEXEC) ? ",noexec" : "", (f & MNT_NOATIME) ? ",noatime" : "",
		    (f & MNT_NODIRATIME) ? ",nodiratime" : "", (f & MNT_RELATIME) ? ",relatime" : "");
}

static void sb_opts(struct super_block *sb, struct sbuf *out)
{
	if (sb->s_op && sb->s_op->show_options)
		sb->s_op->show_options(sb, out);
}

/* /proc/mounts: "dev dir type opts 0 0", octal-escaping space, tab, \n, \ */
void mounts_show(struct sbuf *out)
{
	struct vfsmount *m;
	list_for_each_entry(m, &mount_list, mnt_list) {
		if (!visible(m))
			continue;
		put_escaped(out, m->mnt_devname, strlen(m->mnt_devname));
		sbuf_printf(out, " ");
		mount_point_path(m, out);
		sbuf_printf(out, " %s ", m->mnt_sb->s_type);
		mnt_opts(m, out);
		sb_opts(m->mnt_sb, out);
		sbuf_printf(out, " 0 0\n");
	}
}

/* Path of a mount's root inside its filesystem ("/" unless a bind). */
static void root_in_fs(struct vfsmount *m, struct sbuf *out)
{
	const char *names[256];
	int n = 0;
	struct dentry *d = m->mnt_root;
	struct inode *fsroot = m->mnt_sb->s_root ? m->mnt_sb->s_root->d_inode : NULL;
	while (n < (int)ARRAY_SIZE(names) && d->d_inode != fsroot && d->d_parent != d) {
		names[n++] = d->d_name;
		d = d->d_parent;
	}
	if (!n)
		sbuf_putmem(out, "/", 1);
	while (n--) {
		sbuf_putmem(out, "/", 1);
		put_escaped(out, names[n], strlen(names[n]));
	}
}

/* /proc/PID/mountinfo (proc(5)):
 * id parent major:minor root mountpoint opts - type source superopts */
void mountinfo_show(struct sbuf *out)
{
	struct vfsmount *m;
	list_for_each_entry(m, &mount_list, mnt_list) {
		if (!visible(m))
			continue;
		uint64_t dev = m->mnt_sb->s_dev;
		sbuf_printf(out, "%d %d %u:%u ", m->mnt_id, m->mnt_parent ? m->mnt_parent->mnt_id : m->mnt_id,
			    (unsigned)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffu)),
			    (unsigned)((dev & 0xff) | ((dev >> 12) & ~0xffu)));
		root_in_fs(m, out);
		sbuf_printf(out, " ");
		mount_point_path(m, out);
		sbuf_printf(out, " ");
		mnt_opts(m, out);
		sbuf_printf(out, " - %s ", m->mnt_sb->s_type);
		put_escaped(out, m->mnt_devname, strlen(m->mnt_devname));
		sbuf_printf(out, " %s", (m->mnt_flags & MNT_READONLY) ? "ro" : "rw");
		sb_opts(m->mnt_sb, out);
		sbuf_printf(out, "\n");
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

void vfs_shutdown(void)
{
	struct vfsmount *m;
	sync_inodes();
	/* a filesystem that shuts down writes itself out: no sync first */
	list_for_each_entry(m, &mount_list, mnt_list) {
		const struct super_operations *op = m->mnt_sb->s_op;
		if (op && op->shutdown)
			op->shutdown(m->mnt_sb);
		else if (op && op->sync_fs)
			op->sync_fs(m->mnt_sb);
	}
}
