/* mount(2), umount2(2) and pivot_root(2), over the registered filesystem
 * types (fs/filesystems.c). Propagation flags (MS_SHARED...) are accepted
 * and ignored: there is one mount namespace and no propagation. */
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/tty.h>
#include <umk/fdtable.h>
#include <umk/fsnotify.h>
#include <umk/mm.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include "internal.h"
#include "mount.h"

#define U_MNT_FORCE		1
#define U_MNT_DETACH		2
#define U_MNT_EXPIRE		4
#define U_UMOUNT_NOFOLLOW	8
#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

static int ms_to_mnt(unsigned long ms)
{
	int f = 0;
	if (ms & MS_RDONLY) f |= MNT_READONLY;
	if (ms & MS_NOSUID) f |= MNT_NOSUID;
	if (ms & MS_NODEV) f |= MNT_NODEV;
	if (ms & MS_NOEXEC) f |= MNT_NOEXEC;
	if (ms & MS_NOATIME) f |= MNT_NOATIME;
	else if (!(ms & MS_STRICTATIME)) f |= MNT_RELATIME;
	if (ms & MS_NODIRATIME) f |= MNT_NODIRATIME;
	return f;
}

bool is_generic_mount_option(const char *o)
{
	static const char *const generic[] = { "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec",
		"noatime", "atime", "relatime", "norelatime", "strictatime", "nodiratime", "diratime",
		"sync", "async", "lazytime", "nolazytime", "silent", "defaults" };
	for (size_t i = 0; i < ARRAY_SIZE(generic); i++)
		if (!strcmp(o, generic[i]))
			return true;
	return false;
}

static bool path_is_mnt_root(const struct path *p)
{
	return p->dentry->d_inode == p->mnt->mnt_root->d_inode;
}

static bool file_on(struct file *f, struct vfsmount *m)
{
	return f && f->f_path.mnt == m;
}

/* Is anything using m: open files, cwd/root, mappings, child mounts? */
static bool mnt_busy(struct vfsmount *m)
{
	struct vfsmount *c;
	list_for_each_entry(c, &mount_list, mnt_list)
		if (c->mnt_parent == m)
			return true;
	if (fanotify_pins_mount(m))
		return true;	/* unread events hold their files' paths */
	struct task *t;
	for_each_task(t) {
		if (t->state == TASK_DEAD || t->state == TASK_ZOMBIE)
			continue;
		if (t->fs && (t->fs->root.mnt == m || t->fs->pwd.mnt == m))
			return true;
		if (t->files)
			for (unsigned i = 0; i < t->files->max; i++)
				if (file_on(t->files->fd[i], m))
					return true;
		if (t->mm) {
			if (file_on(t->mm->exe_file, m))
				return true;
			for (struct vma *v = t->mm->vmas; v; v = v->next)
				if (file_on(v->file, m))
					return true;
		}
	}
	return false;
}

static bool sb_mounted(struct super_block *sb)
{
	struct vfsmount *m;
	list_for_each_entry(m, &mount_list, mnt_list)
		if (m->mnt_sb == sb)
			return true;
	return false;
}

/* Take m (and, for a lazy unmount, everything below it) off the table. */
static void mnt_detach(struct vfsmount *m, bool free_sb)
{
	struct vfsmount *c, *n;
	list_for_each_entry_safe(c, n, &mount_list, mnt_list)
		if (c->mnt_parent == m)
			mnt_detach(c, false);
	list_del(&m->mnt_list);
	m->mnt_flags |= MNT_DETACHED;
	if (fanotify_marks_active)
		fanotify_mnt_delete(m);
	struct super_block *sb = m->mnt_sb;
	if (free_sb && !sb_mounted(sb)) {
		fsnotify_sb_delete(sb);
		if (sb->s_op && sb->s_op->put_super)
			sb->s_op->put_super(sb);
	}
}

/* The subtree of sb at path, walked from sb's root on a private mount,
 * so ".." and symlinks stop at that root. */
int vfs_subtree(struct super_block *sb, const char *path, struct dentry **out)
{
	struct vfsmount *tmp = mnt_alloc(sb, NULL, 0, "subtree");	/* private: not on the table */
	struct nameidata nd;
	int err = nd_init(&nd, AT_FDCWD, "/");
	if (err)
		return err;
	path_put(&nd.root);
	path_put(&nd.path);
	nd.root = nd.path = (struct path){ tmp, tmp->mnt_root };
	path_get(&nd.root);
	path_get(&nd.path);
	char last[NAME_MAX + 1];
	int type;
	bool trailing;
	err = walk_parent(&nd, path && *path ? path : "/", last, &type, &trailing);
	if (!err)
		err = nd_walk_last(&nd, last, type, true, trailing);
	if (!err && !S_ISDIR(nd.path.dentry->d_inode->i_mode))
		err = -ENOTDIR;
	if (!err)
		*out = dget(nd.path.dentry);
	nd_release(&nd);
	return err;
}

/* mount -t auto (as mount(8) would): each block filesystem in turn. */
static struct super_block *mount_any_dev(struct fs_mount *m)
{
	struct super_block *sb = ERR_PTR(-ENODEV);
	for (const struct file_system_type *t = next_fs_type(NULL); t; t = next_fs_type(t)) {
		if (!(t->fs_flags & FS_REQUIRES_DEV))
			continue;
		sb = vfs_get_super(t, m);
		if (!IS_ERR(sb) || PTR_ERR(sb) != -EINVAL)
			break;
	}
	return sb;
}

static int new_mount(const struct path *at, const char *type, const char *source, int mflags, const char *data)
{
	struct fs_mount m = { .source = source, .data = data, .mnt_flags = mflags };
	struct super_block *sb;
	if (!strcmp(type, "auto")) {
		sb = mount_any_dev(&m);
	} else {
		const struct file_system_type *t = get_fs_type(type);
		sb = t ? vfs_get_super(t, &m) : ERR_PTR(-ENODEV);
	}
	if (IS_ERR(sb))
		return PTR_ERR(sb);
	struct vfsmount *mnt = mnt_alloc(sb, m.root, m.mnt_flags, source ? source : "none");
	dput(m.root);
	mnt_attach(mnt, at);
	return 0;
}

/* Bind src's subtree (MS_REC: and the mounts inside it) at 'at'. */
static void bind_tree(const struct path *src, const struct path *at, int mflags, bool rec)
{
	/* a bind copies the source mount's flags, as Linux's clone_mnt */
	(void)mflags;
	struct vfsmount *m = mnt_alloc(src->mnt->mnt_sb, src->dentry, src->mnt->mnt_flags & ~MNT_DETACHED, src->mnt->mnt_devname);
	mnt_attach(m, at);
	if (!rec)
		return;
	struct vfsmount *c, *n;
	list_for_each_entry_safe(c, n, &mount_list, mnt_list) {
		if (c->mnt_parent != src->mnt || c == m)
			continue;
		/* is c's mount point inside the bound directory? */
		bool inside = false;
		for (struct dentry *d = c->mnt_mountpoint;; d = d->d_parent) {
			if (d->d_inode == src->dentry->d_inode) {
				inside = true;
				break;
			}
			if (d->d_parent == d)
				break;
		}
		if (!inside)
			continue;
		struct path cs = { c, c->mnt_root }, ca = { m, c->mnt_mountpoint };
		bind_tree(&cs, &ca, c->mnt_flags, true);
	}
}

static long do_mount(const char *source, const struct path *at, const char *type, unsigned long flags, const char *data)
{
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	int mflags = ms_to_mnt(flags);
	if (flags & MS_REMOUNT) {
		if (!path_is_mnt_root(at))
			return -EINVAL;
		struct super_block *sb = at->mnt->mnt_sb;
		if (!(flags & MS_BIND) && sb->s_op && sb->s_op->remount) {
			int err = sb->s_op->remount(sb, &mflags);
			if (err)
				return err;
		}
		int keep = at->mnt->mnt_flags & MNT_DETACHED;
		at->mnt->mnt_flags = mflags | keep;
		return 0;
	}
	if (flags & MS_BIND) {
		struct path src;
		int err = kern_path_at(AT_FDCWD, source ? source : "", LOOKUP_FOLLOW, &src);
		if (err)
			return err;
		if (S_ISDIR(src.dentry->d_inode->i_mode) != S_ISDIR(at->dentry->d_inode->i_mode))
			err = -ENOTDIR;
		else
			bind_tree(&src, at, mflags, flags & MS_REC);
		path_put(&src);
		return err;
	}
	if (flags & MS_PROPAGATION)
		return 0;
	if (flags & MS_MOVE) {
		struct path src;
		int err = kern_path_at(AT_FDCWD, source ? source : "", LOOKUP_FOLLOW, &src);
		if (err)
			return err;
		struct vfsmount *m = src.mnt;
		if (!path_is_mnt_root(&src) || !m->mnt_parent)
			err = -EINVAL;
		else {
			list_del(&m->mnt_list);
			dput(m->mnt_mountpoint);
			mnt_attach(m, at);
		}
		path_put(&src);
		return err;
	}
	if (!type)
		return -EINVAL;
	if (!S_ISDIR(at->dentry->d_inode->i_mode))
		return -ENOTDIR;
	return new_mount(at, type, source, mflags, data);
}

/* A guest string argument that may be NULL; ERR_PTR on fault. */
static char *get_opt_string(uaddr_t u, size_t max)
{
	if (!u)
		return NULL;
	char *s = kmalloc(max);
	long n = strncpy_from_user(s, u, max);
	if (n < 0) {
		kfree(s);
		return ERR_PTR(n == -ENAMETOOLONG && max == PAGE_SIZE ? -EINVAL : n);
	}
	return s;
}

SYSCALL_DEFINE5(mount, uaddr_t, usource, uaddr_t, utarget, uaddr_t, utype, unsigned long, flags, uaddr_t, udata)
{
	char *type = get_opt_string(utype, 256), *source = NULL, *data = NULL;
	long err = 0;
	if (IS_ERR(type))
		return PTR_ERR(type);
	source = get_opt_string(usource, PATH_MAX);
	if (IS_ERR(source)) {
		err = PTR_ERR(source);
		source = NULL;
		goto out;
	}
	data = get_opt_string(udata, PAGE_SIZE);
	if (IS_ERR(data)) {
		err = PTR_ERR(data);
		data = NULL;
		goto out;
	}
	struct path at;
	err = user_path_at(AT_FDCWD, utarget, LOOKUP_FOLLOW, &at);
	if (!err) {
		err = do_mount(source, &at, type, flags, data);
		path_put(&at);
	}
out:
	kfree(type);
	kfree(source);
	kfree(data);
	return err;
}

SYSCALL_DEFINE2(umount2, uaddr_t, utarget, int, flags)
{
	if (flags & ~(U_MNT_FORCE | U_MNT_DETACH | U_MNT_EXPIRE | U_UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & U_MNT_EXPIRE) && (flags & (U_MNT_FORCE | U_MNT_DETACH)))
		return -EINVAL;
	struct path p;
	int err = user_path_at(AT_FDCWD, utarget, (flags & U_UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct vfsmount *m = p.mnt;
	if (!capable(CAP_SYS_ADMIN))
		err = -EPERM;
	else if (!path_is_mnt_root(&p))
		err = -EINVAL;
	else if (!m->mnt_parent || m == current->fs->root.mnt)
		err = -EBUSY;	/* the root */
	path_put(&p);
	if (err)
		return err;
	if (flags & U_MNT_EXPIRE)
		return -EAGAIN;
	if (!(flags & U_MNT_DETACH) && mnt_busy(m))
		return -EBUSY;
	mnt_detach(m, !(flags & U_MNT_DETACH) || !mnt_busy(m));
	return 0;
}

/* Every task whose root or cwd is old now uses new (as Linux's chroot_fs_refs). */
static void chroot_fs_refs(const struct path *old, const struct path *new)
{
	struct task *t;
	for_each_task(t) {
		struct fs_struct *fs = t->fs;
		if (!fs || t->state == TASK_DEAD)
			continue;
		if (path_equal(&fs->root, old)) {
			path_get(new);
			path_put(&fs->root);
			fs->root = *new;
		}
		if (path_equal(&fs->pwd, old)) {
			path_get(new);
			path_put(&fs->pwd);
			fs->pwd = *new;
		}
	}
}

/* Is path p at or below the mount root of 'top' (following mounts up)? */
static bool path_under(const struct path *p, const struct path *top)
{
	struct vfsmount *mnt = p->mnt;
	struct dentry *d = p->dentry;
	for (;;) {
		if (mnt == top->mnt) {
			for (struct dentry *x = d;; x = x->d_parent) {
				if (x->d_inode == top->dentry->d_inode)
					return true;
				if (x->d_parent == x || x->d_inode == mnt->mnt_root->d_inode)
					return false;
			}
		}
		if (!mnt->mnt_parent)
			return false;
		d = mnt->mnt_mountpoint;
		mnt = mnt->mnt_parent;
	}
}

SYSCALL_DEFINE2(pivot_root, uaddr_t, unew, uaddr_t, uput_old)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	struct path nr, po;
	int err = user_path_at(AT_FDCWD, unew, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &nr);
	if (err)
		return err;
	err = user_path_at(AT_FDCWD, uput_old, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &po);
	if (err) {
		path_put(&nr);
		return err;
	}
	struct path root = current->fs->root;
	struct vfsmount *newm = nr.mnt, *oldm = root.mnt;
	if (!path_is_mnt_root(&nr) || !path_is_mnt_root(&root) || newm == oldm || !newm->mnt_parent ||
	    oldm->mnt_parent || !path_under(&nr, &root) || !path_under(&po, &nr))
		err = -EINVAL;
	else if (path_is_mnt_root(&po) && po.mnt == oldm)
		err = -EBUSY;
	if (!err) {
		struct path oldroot = root, newroot = { newm, newm->mnt_root };
		path_get(&oldroot);
		/* new root leaves its mount point and becomes the top */
		list_del(&newm->mnt_list);
		dput(newm->mnt_mountpoint);
		newm->mnt_parent = NULL;
		newm->mnt_mountpoint = NULL;
		list_add(&newm->mnt_list, &mount_list);
		set_root_mount(newm);
		/* the old root goes under put_old */
		list_del(&oldm->mnt_list);
		mnt_attach(oldm, &po);
		chroot_fs_refs(&oldroot, &newroot);
		path_put(&oldroot);
	}
	path_put(&nr);
	path_put(&po);
	return err;
}
