/* Open files: allocation and reference counting, opening a looked-up
 * path, and the kernel-internal read/write entry points. */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/fsnotify.h>
#include <umk/mm.h>
#include <umk/sched.h>
#include "internal.h"

static struct file *file_alloc(unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));
	f->f_count = 1;
	f->f_flags = flags;	/* open-only flags dropped once opened */
	unsigned acc = flags & O_ACCMODE;
	if (flags & O_PATH)
		f->f_mode = FMODE_PATH;
	else
		f->f_mode = FMODE_LSEEK | FMODE_PREAD |
			    (acc == O_RDONLY || acc == O_RDWR ? FMODE_READ : 0) |
			    (acc == O_WRONLY || acc == O_RDWR ? FMODE_WRITE : 0);
	return f;
}

/* p: takes a new reference; inode: takes a new reference */
struct file *alloc_file(const struct path *p, struct inode *inode, unsigned flags, const struct file_operations *fop)
{
	struct file *f = file_alloc(flags);
	if (p) {
		f->f_path = *p;
		path_get(p);
	}
	f->f_inode = igrab(inode);
	f->f_op = fop;
	return f;
}

struct file *get_file(struct file *f)
{
	f->f_count++;
	return f;
}

void fput(struct file *f)
{
	if (!f)
		return;
	BUG_ON(f->f_count <= 0);
	if (--f->f_count)
		return;
	locks_remove_file(f);
	fsnotify_close(f);
	if (f->f_op && f->f_op->release)
		f->f_op->release(f->f_inode, f);
	if (f->f_path.dentry)
		path_put(&f->f_path);
	iput(f->f_inode);
	kfree(f);
}

struct inode *file_inode(struct file *f) { return f->f_inode; }
bool file_readable(struct file *f) { return f->f_mode & FMODE_READ; }
bool file_writable(struct file *f) { return f->f_mode & FMODE_WRITE; }

loff_t file_size(struct file *f)
{
	struct inode *i = f->f_inode;
	if (i->i_op && i->i_op->getattr)
		i->i_op->getattr(i);
	return i->i_size;
}

void file_path(struct file *f, struct sbuf *out)
{
	if (!f->f_path.mnt) {
		/* pipes and other anonymous files name themselves */
		const char *n = f->f_path.dentry ? f->f_path.dentry->d_name : "anon_inode:[unknown]";
		sbuf_printf(out, "%s", n);
		return;
	}
	path_to_sbuf(&f->f_path, out);
	struct inode *i = f->f_inode;
	if (!S_ISDIR(i->i_mode) && i->i_nlink == 0)
		sbuf_printf(out, " (deleted)");
}

static int do_truncate(struct inode *inode, loff_t size)
{
	if (!inode->i_op || !inode->i_op->setattr)
		return -EPERM;
	struct iattr ia = { .valid = ATTR_SIZE, .size = size };
	return inode->i_op->setattr(inode, &ia);
}

static struct file *do_dentry_open(const struct path *p, unsigned flags, bool check)
{
	struct inode *inode = p->dentry->d_inode;
	umode_t m = inode->i_mode;
	if (flags & O_PATH) {
		if ((flags & O_DIRECTORY) && !S_ISDIR(m))
			return ERR_PTR(-ENOTDIR);
		struct file *f = alloc_file(p, inode, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), NULL);
		fsnotify_open(f);
		return f;
	}
	unsigned acc = flags & O_ACCMODE;
	if (S_ISLNK(m))
		return ERR_PTR(-ELOOP);
	if ((flags & O_DIRECTORY) && !S_ISDIR(m))
		return ERR_PTR(-ENOTDIR);
	int mask = acc == O_RDONLY ? MAY_READ : acc == O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;
	bool trunc = (flags & O_TRUNC) && S_ISREG(m);
	if (trunc)
		mask |= MAY_WRITE;
	if (S_ISDIR(m) && (mask & MAY_WRITE))
		return ERR_PTR(-EISDIR);
	int err = 0;
	if ((S_ISCHR(m) || S_ISBLK(m)) && p->mnt && (p->mnt->mnt_flags & MNT_NODEV))
		return ERR_PTR(-EACCES);
	if ((mask & MAY_WRITE) && (S_ISREG(m) || S_ISDIR(m)))
		err = mnt_want_write(p->mnt);
	if (!err && check)
		err = inode_permission(inode, mask);
	if (err)
		return ERR_PTR(err);
	struct file *f = alloc_file(p, inode, flags, inode->i_fop);
	if ((err = fsnotify_open_perm(f))) {
		f->f_op = NULL;	/* nothing to release */
		fput(f);
		return ERR_PTR(err);
	}
	if (f->f_op && f->f_op->open) {
		err = f->f_op->open(inode, f);
		if (err) {
			f->f_op = NULL;	/* nothing to release */
			fput(f);
			return ERR_PTR(err);
		}
	}
	f->f_flags &= ~OPEN_ONLY_FLAGS;
	fsnotify_open(f);
	if (trunc && (err = do_truncate(inode, 0))) {
		fput(f);
		return ERR_PTR(err);
	}
	if (trunc)
		fsnotify_change(p->dentry, ATTR_SIZE);
	return f;
}

struct file *dentry_open(const struct path *p, unsigned flags) { return do_dentry_open(p, flags, true); }
struct file *dentry_open_noperm(const struct path *p, unsigned flags) { return do_dentry_open(p, flags, false); }

static struct file *create_last(struct nameidata *nd, const char *name, unsigned flags, umode_t mode)
{
	struct inode *dir = nd->path.dentry->d_inode;
	int err = mnt_want_write(nd->path.mnt);
	if (!err)
		err = inode_permission(dir, MAY_WRITE | MAY_EXEC);
	if (!err && (!dir->i_op || !dir->i_op->create))
		err = -EACCES;
	if (err)
		return ERR_PTR(err);
	struct file *f = file_alloc(flags);
	umode_t umask = current && current->fs ? current->fs->umask : 022;
	err = dir->i_op->create(dir, name, S_IFREG | (mode & 07777 & ~umask), f);
	if (err) {
		kfree(f);
		return ERR_PTR(err);
	}
	f->f_path = (struct path){ nd->path.mnt, d_alloc(nd->path.dentry, name, igrab(f->f_inode)) };
	if (!f->f_op)
		f->f_op = f->f_inode->i_fop;
	f->f_flags &= ~OPEN_ONLY_FLAGS;
	fsnotify_create(dir, name, false);
	fsnotify_open(f);
	return f;
}

/* open(2) on a name. With O_CREAT the last component is handled here so
 * that a dangling symlink creates its target, as on Linux. */
struct file *do_filp_open(int dfd, const char *name, unsigned flags, umode_t mode)
{
	struct nameidata nd;
	struct path p;
	int err = nd_init(&nd, dfd, name);
	if (err)
		return ERR_PTR(err);
	if (!*name) {
		nd_release(&nd);
		return ERR_PTR(-ENOENT);
	}
	bool follow = !(flags & O_NOFOLLOW);
	char last[NAME_MAX + 1];
	char *body = NULL;
	const char *s = name;
	struct file *f;
	for (;;) {
		int type;
		bool trailing;
		err = walk_parent(&nd, s, last, &type, &trailing);
		kfree(body);
		body = NULL;
		if (err)
			goto fail;
		if (type != LAST_NORM) {
			if (flags & O_CREAT) {
				err = -EISDIR;
				goto fail;
			}
			/* ".", ".." or "/": the walker's rules apply */
			err = nd_walk_last(&nd, last, type, false, trailing);
			if (err)
				goto fail;
			p = nd.path;
			path_get(&p);
			break;
		}
		err = lookup_one(&nd.path, last, &p);
		if (err == -ENOENT && (flags & O_CREAT)) {
			f = trailing ? ERR_PTR(-EISDIR) : create_last(&nd, last, flags, mode);
			nd_release(&nd);
			return f;
		}
		if (err)
			goto fail;
		follow_mounts(&p);
		struct inode *inode = p.dentry->d_inode;
		if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
			path_put(&p);
			err = -EEXIST;
			goto fail;
		}
		if (S_ISLNK(inode->i_mode) && (follow || trailing)) {
			err = nd_read_link(&nd, inode, &body);
			path_put(&p);
			if (err)
				goto fail;
			s = body;
			continue;
		}
		if (S_ISLNK(inode->i_mode) && !(flags & O_PATH)) {
			path_put(&p);
			err = -ELOOP;
			goto fail;
		}
		if (trailing && !S_ISDIR(inode->i_mode)) {
			path_put(&p);
			err = (flags & O_CREAT) ? -EISDIR : -ENOTDIR;
			goto fail;
		}
		if ((flags & O_CREAT) && S_ISDIR(inode->i_mode)) {
			path_put(&p);
			err = -EISDIR;
			goto fail;
		}
		break;
	}
	nd_release(&nd);
	f = dentry_open(&p, flags);
	path_put(&p);
	return f;
fail:
	nd_release(&nd);
	return ERR_PTR(err);
}

struct file *filp_open_exec(const char *path)
{
	struct path p;
	int err = kern_path_at(AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		return ERR_PTR(err);
	struct inode *inode = p.dentry->d_inode;
	if (!S_ISREG(inode->i_mode) || (p.mnt->mnt_flags & MNT_NOEXEC))
		err = -EACCES;
	else
		err = inode_permission(inode, MAY_EXEC);
	struct file *f = err ? ERR_PTR(err) : dentry_open_noperm(&p, O_RDONLY | O_FSNOTIFY_EXEC);
	path_put(&p);
	return f;
}

ssize_t vfs_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	if (S_ISDIR(f->f_inode->i_mode))
		return -EISDIR;
	if (!f->f_op || !f->f_op->read)
		return -EINVAL;
	int err = fsnotify_access_perm(f);
	if (err)
		return err;
	ssize_t r = f->f_op->read(f, buf, n, pos);
	if (r > 0)
		fsnotify_access(f);
	return r;
}

ssize_t vfs_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!f->f_op || !f->f_op->write)
		return -EINVAL;
	if (n) {
		int err = file_remove_privs(f->f_inode);
		if (err)
			return err;
	}
	ssize_t r = f->f_op->write(f, buf, n, pos);
	if (r > 0)
		fsnotify_modify(f);
	return r;
}

ssize_t kernel_read(struct file *f, void *buf, size_t n, loff_t off)
{
	return vfs_read(f, buf, n, &off);
}

ssize_t kernel_write(struct file *f, const void *buf, size_t n, loff_t off)
{
	return vfs_write(f, buf, n, &off);
}

loff_t generic_file_llseek(struct file *f, loff_t off, int whence)
{
	loff_t base;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->f_pos; break;
	case SEEK_END: base = file_size(f); break;
	case SEEK_DATA:
	case SEEK_HOLE: {
		/* no holes reported: all data, one hole at EOF */
		loff_t size = file_size(f);
		if (off < 0 || off >= size)
			return -ENXIO;
		base = 0;
		off = whence == SEEK_DATA ? off : size;
		break;
	}
	default: return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off))
		return -EOVERFLOW;
	loff_t np = base + off;
	if (np < 0)
		return -EINVAL;
	f->f_pos = np;
	return np;
}

loff_t dir_cookie_llseek(struct file *f, loff_t off, int whence)
{
	if (whence == SEEK_CUR)
		off += f->f_pos;
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	f->f_pos = off;
	return off;
}

loff_t noop_llseek(struct file *f, loff_t off __unused, int whence __unused)
{
	return f->f_pos;
}

unsigned vfs_poll(struct file *f, struct poll_table *pt)
{
	if (!f->f_op || !f->f_op->poll)
		return DEFAULT_POLLMASK;
	return f->f_op->poll(f, pt);
}
