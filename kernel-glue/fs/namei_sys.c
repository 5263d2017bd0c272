/* Syscalls that change names: mkdir, mknod, rmdir, unlink, rename, link,
 * symlink, and readlink. Error precedence follows Linux's fs/namei.c. */
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/fsnotify.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include "internal.h"

struct parent {
	struct path dir;
	char last[NAME_MAX + 1];
	int type;
	bool trailing;
};

static int get_parent(int dfd, uaddr_t upath, struct parent *pp)
{
	char *name = getname(upath);
	if (IS_ERR(name))
		return PTR_ERR(name);
	int err = kern_path_parent(dfd, name, &pp->dir, pp->last, &pp->type, &pp->trailing);
	putname(name);
	return err;
}

static struct inode *dir_inode(struct parent *pp) { return pp->dir.dentry->d_inode; }

/* Is there anything at last? 0 = no, 1 = yes (victim filled), <0 error */
static int lookup_last(struct parent *pp, struct path *victim)
{
	int err = lookup_one(&pp->dir, pp->last, victim);
	if (err == -ENOENT)
		return 0;
	return err ? err : 1;
}

/* The common prologue of mkdir/mknod/symlink/link: the name must not
 * exist (EEXIST beats EROFS), then EROFS, then permission on the dir. */
static int prepare_create(struct parent *pp, bool dir_ok_trailing)
{
	if (pp->type != LAST_NORM)
		return -EEXIST;
	struct path v;
	int found = lookup_last(pp, &v);
	if (found < 0)
		return found;
	if (found) {
		path_put(&v);
		return -EEXIST;
	}
	if (pp->trailing && !dir_ok_trailing)
		return -ENOENT;
	int err = mnt_want_write(pp->dir.mnt);
	if (!err)
		err = inode_permission(dir_inode(pp), MAY_WRITE | MAY_EXEC);
	return err;
}

static umode_t cur_umask(void) { return current->fs ? current->fs->umask : 022; }

static long do_mkdirat(int dfd, uaddr_t upath, umode_t mode)
{
	struct parent pp;
	int err = get_parent(dfd, upath, &pp);
	if (err)
		return err;
	err = prepare_create(&pp, true);
	if (!err) {
		struct inode *d = dir_inode(&pp);
		err = d->i_op && d->i_op->mkdir ? d->i_op->mkdir(d, pp.last, mode & 07777 & ~cur_umask()) : -EPERM;
		if (!err)
			fsnotify_create(d, pp.last, true);
	}
	path_put(&pp.dir);
	return err;
}

SYSCALL_DEFINE2(mkdir, uaddr_t, path, umode_t, mode) { return do_mkdirat(AT_FDCWD, path, mode); }
SYSCALL_DEFINE3(mkdirat, int, dfd, uaddr_t, path, umode_t, mode) { return do_mkdirat(dfd, path, mode); }

static long do_mknodat(int dfd, uaddr_t upath, umode_t mode, unsigned dev)
{
	umode_t type = mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	if (type == S_IFDIR)
		return -EPERM;		/* as Linux's may_mknod */
	if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK)
		return -EINVAL;
	struct parent pp;
	int err = get_parent(dfd, upath, &pp);
	if (err)
		return err;
	err = prepare_create(&pp, false);
	/* after the directory checks, as Linux's vfs_mknod (EACCES first) */
	if (!err && (type == S_IFCHR || type == S_IFBLK) && !capable(CAP_MKNOD))
		err = -EPERM;
	if (!err) {
		struct inode *d = dir_inode(&pp);
		umode_t m = type | (mode & 07777 & ~cur_umask());
		if (type == S_IFREG && d->i_op && d->i_op->create) {
			struct file *f = alloc_file(NULL, NULL, O_RDONLY, NULL);
			err = d->i_op->create(d, pp.last, m, f);
			if (!err)
				fput(f);
			else
				kfree(f);
		} else {
			err = d->i_op && d->i_op->mknod ? d->i_op->mknod(d, pp.last, m, dev) : -EPERM;
		}
		if (!err)
			fsnotify_create(d, pp.last, false);
	}
	path_put(&pp.dir);
	return err;
}

SYSCALL_DEFINE3(mknod, uaddr_t, path, umode_t, mode, unsigned, dev) { return do_mknodat(AT_FDCWD, path, mode, dev); }
SYSCALL_DEFINE4(mknodat, int, dfd, uaddr_t, path, umode_t, mode, unsigned, dev) { return do_mknodat(dfd, path, mode, dev); }

/* Sticky directories: only the owner of the file or the dir (or
 * CAP_FOWNER) may remove or rename an entry. */
static int may_delete(struct inode *dir, struct inode *victim)
{
	int err = inode_permission(dir, MAY_WRITE | MAY_EXEC);
	if (err)
		return err;
	if ((dir->i_mode & S_ISVTX) && !capable(CAP_FOWNER) &&
	    current->cred.fsuid != victim->i_uid && current->cred.fsuid != dir->i_uid)
		return -EPERM;
	return 0;
}

static bool is_mountpoint(const struct path *p)
{
	return lookup_mnt(p->mnt, p->dentry->d_inode) != NULL;
}

static void refresh(struct inode *i)
{
	if (i->i_op && i->i_op->getattr && i->i_op->getattr(i))
		i->i_nlink = 0;
}

static long do_rmdir(int dfd, uaddr_t upath)
{
	struct parent pp;
	int err = get_parent(dfd, upath, &pp);
	if (err)
		return err;
	struct path v;
	if (pp.type == LAST_DOT)
		err = -EINVAL;
	else if (pp.type == LAST_DOTDOT)
		err = -ENOTEMPTY;
	else if (pp.type == LAST_ROOT)
		err = -EBUSY;
	else if (!(err = mnt_want_write(pp.dir.mnt)) && !(err = lookup_one(&pp.dir, pp.last, &v))) {
		struct inode *vi = v.dentry->d_inode, *d = dir_inode(&pp);
		if (!S_ISDIR(vi->i_mode))
			err = -ENOTDIR;
		else if (!(err = may_delete(d, vi))) {
			if (is_mountpoint(&v))
				err = -EBUSY;
			else
				err = d->i_op && d->i_op->rmdir ? d->i_op->rmdir(d, pp.last) : -EPERM;
		}
		if (!err) {
			refresh(vi);
			fsnotify_remove(d, pp.last, vi);
		}
		path_put(&v);
	}
	path_put(&pp.dir);
	return err;
}

static long do_unlinkat(int dfd, uaddr_t upath)
{
	struct parent pp;
	int err = get_parent(dfd, upath, &pp);
	if (err)
		return err;
	struct path v;
	if (pp.type != LAST_NORM)
		err = -EISDIR;
	else if (!(err = mnt_want_write(pp.dir.mnt)) && !(err = lookup_one(&pp.dir, pp.last, &v))) {
		struct inode *vi = v.dentry->d_inode, *d = dir_inode(&pp);
		if (S_ISDIR(vi->i_mode))
			err = -EISDIR;
		else if (pp.trailing)
			err = -ENOTDIR;
		else if (!(err = may_delete(d, vi)))
			err = d->i_op && d->i_op->unlink ? d->i_op->unlink(d, pp.last) : -EPERM;
		if (!err) {
			refresh(vi);
			fsnotify_remove(d, pp.last, vi);
		}
		path_put(&v);
	}
	path_put(&pp.dir);
	return err;
}

SYSCALL_DEFINE1(rmdir, uaddr_t, path) { return do_rmdir(AT_FDCWD, path); }
SYSCALL_DEFINE1(unlink, uaddr_t, path) { return do_unlinkat(AT_FDCWD, path); }

SYSCALL_DEFINE3(unlinkat, int, dfd, uaddr_t, path, int, flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return (flags & AT_REMOVEDIR) ? do_rmdir(dfd, path) : do_unlinkat(dfd, path);
}

/* Is inode a an ancestor of (or equal to) the directory path p? */
static bool is_ancestor(struct inode *a, const struct path *p)
{
	struct dentry *d = p->dentry;
	for (;;) {
		if (d->d_inode == a)
			return true;
		if (d->d_parent == d)
			return false;
		d = d->d_parent;
	}
}

static long do_renameat2(int odfd, uaddr_t uold, int ndfd, uaddr_t unew, unsigned flags)
{
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	struct parent op, np;
	int err = get_parent(odfd, uold, &op);
	if (err)
		return err;
	err = get_parent(ndfd, unew, &np);
	if (err) {
		path_put(&op.dir);
		return err;
	}
	struct path ov = { 0 }, nv = { 0 };
	bool have_nv = false;
	if (op.dir.mnt != np.dir.mnt) {
		err = -EXDEV;
		goto out;
	}
	if (op.type != LAST_NORM) {
		err = -EBUSY;
		goto out;
	}
	if (np.type != LAST_NORM) {
		err = (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
		goto out;
	}
	if ((err = mnt_want_write(op.dir.mnt)))
		goto out;
	if ((err = lookup_one(&op.dir, op.last, &ov)))
		goto out;
	struct inode *oi = ov.dentry->d_inode, *od = dir_inode(&op), *nd = dir_inode(&np);
	if (!S_ISDIR(oi->i_mode) && (op.trailing || np.trailing)) {
		err = -ENOTDIR;
		goto out_ov;
	}
	int found = lookup_last(&np, &nv);
	if (found < 0) {
		err = found;
		goto out_ov;
	}
	have_nv = found;
	/* source must not be an ancestor of the target, nor the target of the source */
	if (S_ISDIR(oi->i_mode) && is_ancestor(oi, &np.dir)) {
		err = -EINVAL;
		goto out_nv;
	}
	if (have_nv && is_ancestor(nv.dentry->d_inode, &op.dir)) {
		err = -ENOTEMPTY;
		goto out_nv;
	}
	if (have_nv && (flags & RENAME_NOREPLACE)) {
		err = -EEXIST;
		goto out_nv;
	}
	if (have_nv && nv.dentry->d_inode == oi) {
		err = 0;	/* same file: nothing to do */
		goto out_nv;
	}
	if (have_nv) {
		struct inode *ni = nv.dentry->d_inode;
		if (S_ISDIR(oi->i_mode) && !S_ISDIR(ni->i_mode)) {
			err = -ENOTDIR;
			goto out_nv;
		}
		if (!S_ISDIR(oi->i_mode) && S_ISDIR(ni->i_mode)) {
			err = -EISDIR;
			goto out_nv;
		}
	}
	if ((err = may_delete(od, oi)))
		goto out_nv;
	if (have_nv && (err = may_delete(nd, nv.dentry->d_inode)))
		goto out_nv;
	if (!have_nv && (err = inode_permission(nd, MAY_WRITE | MAY_EXEC)))
		goto out_nv;
	if (is_mountpoint(&ov) || (have_nv && is_mountpoint(&nv))) {
		err = -EBUSY;
		goto out_nv;
	}
	err = od->i_op && od->i_op->rename ? od->i_op->rename(od, op.last, nd, np.last, flags) : -EPERM;
	if (!err && have_nv)
		refresh(nv.dentry->d_inode);
	if (!err)
		fsnotify_move(od, op.last, nd, np.last, oi, have_nv ? nv.dentry->d_inode : NULL);
out_nv:
	if (have_nv)
		path_put(&nv);
out_ov:
	path_put(&ov);
out:
	path_put(&op.dir);
	path_put(&np.dir);
	return err;
}

SYSCALL_DEFINE2(rename, uaddr_t, o, uaddr_t, n) { return do_renameat2(AT_FDCWD, o, AT_FDCWD, n, 0); }
SYSCALL_DEFINE4(renameat, int, od, uaddr_t, o, int, nd, uaddr_t, n) { return do_renameat2(od, o, nd, n, 0); }
SYSCALL_DEFINE5(renameat2, int, od, uaddr_t, o, int, nd, uaddr_t, n, unsigned, flags) { return do_renameat2(od, o, nd, n, flags); }

static long do_linkat(int odfd, uaddr_t uold, int ndfd, uaddr_t unew, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct path old;
	unsigned lf = ((flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
	int err = user_path_at(odfd, uold, lf, &old);
	if (err)
		return err;
	struct parent np;
	err = get_parent(ndfd, unew, &np);
	if (err) {
		path_put(&old);
		return err;
	}
	err = prepare_create(&np, false);
	struct inode *oi = old.dentry->d_inode, *d = dir_inode(&np);
	if (!err && old.mnt != np.dir.mnt)
		err = -EXDEV;
	if (!err && S_ISDIR(oi->i_mode))
		err = -EPERM;
	if (!err)
		err = d->i_op && d->i_op->link ? d->i_op->link(oi, d, np.last) : -EPERM;
	if (!err) {
		refresh(oi);
		fsnotify_link(d, np.last, oi);
	}
	path_put(&np.dir);
	path_put(&old);
	return err;
}

SYSCALL_DEFINE2(link, uaddr_t, o, uaddr_t, n) { return do_linkat(AT_FDCWD, o, AT_FDCWD, n, 0); }
SYSCALL_DEFINE5(linkat, int, od, uaddr_t, o, int, nd, uaddr_t, n, int, flags) { return do_linkat(od, o, nd, n, flags); }

static long do_symlinkat(uaddr_t utarget, int dfd, uaddr_t upath)
{
	char *target = getname(utarget);
	if (IS_ERR(target))
		return PTR_ERR(target);
	struct parent pp;
	int err = get_parent(dfd, upath, &pp);
	if (!err) {
		err = prepare_create(&pp, false);
		struct inode *d = dir_inode(&pp);
		if (!err)
			err = d->i_op && d->i_op->symlink ? d->i_op->symlink(d, pp.last, target) : -EPERM;
		if (!err)
			fsnotify_create(d, pp.last, false);
		path_put(&pp.dir);
	}
	putname(target);
	return err;
}

SYSCALL_DEFINE2(symlink, uaddr_t, t, uaddr_t, n) { return do_symlinkat(t, AT_FDCWD, n); }
SYSCALL_DEFINE3(symlinkat, uaddr_t, t, int, nd, uaddr_t, n) { return do_symlinkat(t, nd, n); }

static long do_readlinkat(int dfd, uaddr_t upath, uaddr_t ubuf, int size)
{
	if (size <= 0)
		return -EINVAL;
	struct path p;
	int err = user_path_at(dfd, upath, dfd == AT_FDCWD ? 0 : LOOKUP_EMPTY, &p);
	if (err)
		return err;
	struct inode *i = p.dentry->d_inode;
	long r;
	if (!S_ISLNK(i->i_mode) || !i->i_op || !i->i_op->readlink) {
		r = -EINVAL;
	} else {
		char *buf = kmalloc(PATH_MAX);
		r = i->i_op->readlink(i, buf, PATH_MAX);
		if (r > 0) {
			r = MIN(r, size);
			if (copy_to_user(ubuf, buf, r))
				r = -EFAULT;
		}
		kfree(buf);
	}
	path_put(&p);
	return r;
}

SYSCALL_DEFINE3(readlink, uaddr_t, path, uaddr_t, buf, int, size) { return do_readlinkat(AT_FDCWD, path, buf, size); }
SYSCALL_DEFINE4(readlinkat, int, dfd, uaddr_t, path, uaddr_t, buf, int, size) { return do_readlinkat(dfd, path, buf, size); }
