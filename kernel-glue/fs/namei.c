/* Path walk. Components are looked up one at a time through the parent
 * directory's lookup op; symlinks are read and walked by us (at most
 * MAXSYMLINKS per walk, else ELOOP), so a symlink body is always
 * interpreted inside the guest's root. ".." never rises above the
 * process root and steps out of mounts to their mount point. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include "internal.h"

static void nd_set(struct nameidata *nd, const struct path *p)
{
	path_get(p);
	path_put(&nd->path);
	nd->path = *p;
}

void nd_release(struct nameidata *nd)
{
	path_put(&nd->path);
	path_put(&nd->root);
}

/* Starting point: the root for absolute names, else dfd or the cwd. */
int nd_init(struct nameidata *nd, int dfd, const char *name)
{
	struct fs_struct *fs = current ? current->fs : NULL;
	nd->links = 0;
	if (fs) {
		nd->root = fs->root;
	} else {
		struct vfsmount *r = root_mount();
		if (!r)
			return -ENOENT;
		nd->root = (struct path){ r, r->mnt_root };
	}
	path_get(&nd->root);
	if (name[0] == '/' ) {
		nd->path = nd->root;
	} else if (dfd == AT_FDCWD) {
		nd->path = fs ? fs->pwd : nd->root;
	} else {
		struct file *f = current && current->files ? fd_lookup(current->files, dfd) : NULL;
		if (!f) {
			path_put(&nd->root);
			return -EBADF;
		}
		nd->path = f->f_path;
	}
	path_get(&nd->path);
	return 0;
}

int last_type(const char *name)
{
	if (name[0] == '.' && !name[1])
		return LAST_DOT;
	if (name[0] == '.' && name[1] == '.' && !name[2])
		return LAST_DOTDOT;
	return LAST_NORM;
}

static void follow_dotdot(struct nameidata *nd)
{
	struct path p = nd->path;
	for (;;) {
		if (path_equal(&p, &nd->root))
			break;
		if (p.dentry->d_inode != p.mnt->mnt_root->d_inode) {
			p.dentry = p.dentry->d_parent;
			break;
		}
		if (!p.mnt->mnt_parent)
			break;	/* the global root */
		p = (struct path){ p.mnt->mnt_parent, p.mnt->mnt_mountpoint };
	}
	nd_set(nd, &p);
}

void follow_mounts(struct path *p)
{
	struct vfsmount *m;
	while ((m = lookup_mnt(p->mnt, p->dentry->d_inode))) {
		struct dentry *d = dget(m->mnt_root);
		path_put(p);
		*p = (struct path){ m, d };
	}
}

/* Look name up in the directory dir (no symlink or mount handling). */
int lookup_one(const struct path *dir, const char *name, struct path *out)
{
	struct inode *di = dir->dentry->d_inode;
	if (!S_ISDIR(di->i_mode))
		return -ENOTDIR;
	int err = inode_permission(di, MAY_EXEC);
	if (err)
		return err;
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	if (!di->i_op || !di->i_op->lookup)
		return -ENOENT;
	struct inode *child = di->i_op->lookup(di, name);
	if (IS_ERR(child))
		return PTR_ERR(child);
	*out = (struct path){ dir->mnt, d_alloc(dir->dentry, name, child) };
	return 0;
}

static int walk_path(struct nameidata *nd, const char *s, bool follow_last);

/* Read link's body and walk it from nd->path (the directory holding it). */
int nd_read_link(struct nameidata *nd, struct inode *link, char **body)
{
	if (++nd->links > MAXSYMLINKS)
		return -ELOOP;
	if (!link->i_op || !link->i_op->readlink)
		return -EINVAL;
	char *buf = kmalloc(PATH_MAX);
	ssize_t n = link->i_op->readlink(link, buf, PATH_MAX);
	if (n <= 0) {
		kfree(buf);
		return n < 0 ? (int)n : -ENOENT;
	}
	*body = buf;
	return 0;
}

static int step(struct nameidata *nd, const char *name, bool follow)
{
	struct inode *dir = nd->path.dentry->d_inode;
	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	int err = inode_permission(dir, MAY_EXEC);
	if (err)
		return err;
	switch (last_type(name)) {
	case LAST_DOT:
		return 0;
	case LAST_DOTDOT:
		follow_dotdot(nd);
		return 0;
	}
	struct path child;
	err = lookup_one(&nd->path, name, &child);
	if (err)
		return err;
	follow_mounts(&child);
	if (follow && S_ISLNK(child.dentry->d_inode->i_mode)) {
		char *body;
		err = nd_read_link(nd, child.dentry->d_inode, &body);
		path_put(&child);
		if (err)
			return err;
		err = walk_path(nd, body, true);
		kfree(body);
		return err;
	}
	nd_set(nd, &child);
	path_put(&child);
	return 0;
}

/* Walk all but the last component of s; the last goes to last[]. */
int walk_parent(struct nameidata *nd, const char *s, char *last, int *type, bool *trailing)
{
	char comp[NAME_MAX + 1];
	*trailing = false;
	if (*s == '/') {
		nd_set(nd, &nd->root);
		while (*s == '/')
			s++;
	}
	if (!*s) {
		*type = LAST_ROOT;
		last[0] = 0;
		return 0;
	}
	for (;;) {
		const char *c = s;
		while (*s && *s != '/')
			s++;
		size_t len = s - c;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		const char *next = s;
		while (*next == '/')
			next++;
		if (!*next) {
			memcpy(last, c, len);
			last[len] = 0;
			*type = last_type(last);
			*trailing = *s == '/';
			return 0;
		}
		memcpy(comp, c, len);
		comp[len] = 0;
		int err = step(nd, comp, true);
		if (err)
			return err;
		s = next;
	}
}

int nd_walk_last(struct nameidata *nd, const char *last, int type, bool follow, bool trailing)
{
	if (type == LAST_ROOT)
		return 0;
	int err = step(nd, last, follow || trailing);
	if (!err && trailing && !S_ISDIR(nd->path.dentry->d_inode->i_mode))
		err = -ENOTDIR;
	return err;
}

static int walk_path(struct nameidata *nd, const char *s, bool follow_last)
{
	char last[NAME_MAX + 1];
	int type;
	bool trailing;
	int err = walk_parent(nd, s, last, &type, &trailing);
	return err ? err : nd_walk_last(nd, last, type, follow_last, trailing);
}

int kern_path_at(int dfd, const char *name, unsigned flags, struct path *out)
{
	struct nameidata nd;
	int err = nd_init(&nd, dfd, name);
	if (err)
		return err;
	if (!*name)
		err = (flags & LOOKUP_EMPTY) ? 0 : -ENOENT;
	else
		err = walk_path(&nd, name, flags & LOOKUP_FOLLOW);
	if (!err && (flags & LOOKUP_DIRECTORY) && !S_ISDIR(nd.path.dentry->d_inode->i_mode))
		err = -ENOTDIR;
	if (!err) {
		*out = nd.path;
		path_get(out);
	}
	nd_release(&nd);
	return err;
}

int kern_path_parent(int dfd, const char *name, struct path *parent, char *last, int *type, bool *trailing)
{
	struct nameidata nd;
	int err = nd_init(&nd, dfd, name);
	if (err)
		return err;
	err = *name ? walk_parent(&nd, name, last, type, trailing) : -ENOENT;
	if (!err && !S_ISDIR(nd.path.dentry->d_inode->i_mode))
		err = -ENOTDIR;
	if (!err) {
		*parent = nd.path;
		path_get(parent);
	}
	nd_release(&nd);
	return err;
}
