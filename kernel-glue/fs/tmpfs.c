/* tmpfs: files, directories, symlinks and device nodes in kernel memory.
 * File data lives in frames of guest memory (pfn 0 = hole), so mem=
 * bounds it. MAP_SHARED mappings go through the page cache
 * (mm/filemap.c), which reads and writes back through read/write here;
 * read/write/truncate call the same filemap hooks as hostfs so both stay
 * coherent. Limits are Linux's shmem ones: size= counts data pages (and
 * page-sized symlinks), nr_inodes= inodes, ENOSPC past either; both
 * default to half the guest's memory pages, and 0 means no limit. */
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/arch.h>
#include <umk/sched.h>
#include "internal.h"
#include <umk/blkdev.h>
#include "tmpfs.h"
#include <umk/xattr.h>
#include <umk/posix_acl.h>
#include <linux/falloc.h>

#define TMPFS_MAGIC 0x01021994
#define BOGO_DIRENT_SIZE 20	/* Linux's per-entry directory size */
#define BOGO_INODE_SIZE 1024	/* Linux's inode space per inode */

struct tmpfs_dirent {
	struct list_head link;
	char *name;
	struct inode *inode;	/* holds a reference */
	uint64_t cookie;	/* readdir position, stable across unlinks */
};

struct tmpfs_inode {
	struct list_head entries;	/* directories */
	uint64_t next_cookie;
	uint64_t *pages;		/* regular files: frame per page, 0 = hole */
	uint64_t npages;		/* slots in pages[] */
	char *symlink;
	void *kern_data;		/* kernel-made files (tmpfs_kern_node) */
	void (*kern_free)(void *data);	/* frees kern_data when the inode goes */
	struct simple_xattrs xattrs;
};

static struct tmpfs_sbi *SBI(struct super_block *sb) { return sb->s_fs_info; }
static struct tmpfs_inode *TI(struct inode *i) { return i->i_private; }

static const struct inode_operations tmpfs_dir_iops, tmpfs_file_iops, tmpfs_link_iops, tmpfs_special_iops;
static const struct file_operations tmpfs_dir_fops, tmpfs_file_fops;
static uint32_t next_anon_minor = 40;

static bool charge(struct super_block *sb, uint64_t pages)
{
	struct tmpfs_sbi *s = SBI(sb);
	if (s->max_blocks && s->used_blocks + pages > s->max_blocks)
		return false;
	s->used_blocks += pages;
	return true;
}

static void uncharge(struct super_block *sb, uint64_t pages)
{
	SBI(sb)->used_blocks -= pages;
}

/* Inodes, and every extra hard link as one (it pins a dentry: Linux's
 * shmem_reserve_inode). */
static bool charge_inode(struct super_block *sb)
{
	struct tmpfs_sbi *s = SBI(sb);
	/* extended attributes share the inodes' space (tmpfs_setxattr) */
	if (s->max_inodes && (s->used_inodes + 1) * BOGO_INODE_SIZE + s->used_ispace > s->max_inodes * BOGO_INODE_SIZE)
		return false;
	s->used_inodes++;
	return true;
}

/* Dropping a name of inode i: an extra link gives its charge back. */
static void unlink_charge(struct inode *i)
{
	if (i->i_nlink > 1 && !S_ISDIR(i->i_mode))
		SBI(i->i_sb)->used_inodes--;
}

static struct inode *tmpfs_new_inode(struct super_block *sb, struct inode *dir, umode_t mode, uint64_t rdev)
{
	struct tmpfs_sbi *s = SBI(sb);
	if (!charge_inode(sb))
		return NULL;
	bool is_new;
	struct inode *i = iget(sb, ++s->next_ino, &is_new);
	struct tmpfs_inode *ti = kzalloc(sizeof(*ti));
	INIT_LIST_HEAD(&ti->entries);
	i->i_private = ti;
	/* a default ACL in dir replaces the umask (vfs_prepare_mode) */
	posix_acl_create(dir, &mode, &i->i_acl, &i->i_default_acl);
	i->i_mode = mode;
	i->i_rdev = rdev;
	i->i_uid = current ? current->cred.fsuid : 0;
	i->i_gid = current ? current->cred.fsgid : 0;
	if (dir && (dir->i_mode & S_ISGID)) {
		/* setgid directories pass their group (and the bit, to subdirs) on */
		i->i_gid = dir->i_gid;
		if (S_ISDIR(mode))
			i->i_mode |= S_ISGID;
	}
	if (S_ISDIR(mode)) {
		i->i_op = &tmpfs_dir_iops;
		i->i_fop = &tmpfs_dir_fops;
		i->i_nlink = 2;
		i->i_size = 2 * BOGO_DIRENT_SIZE;
	} else if (S_ISREG(mode)) {
		i->i_op = &tmpfs_file_iops;
		i->i_fop = &tmpfs_file_fops;
		i->i_sealable = true;
		i->i_seals = F_SEAL_SEAL;	/* memfd_create(MFD_ALLOW_SEALING) clears it */
	} else if (S_ISLNK(mode)) {
		i->i_op = &tmpfs_link_iops;
	} else {
		i->i_op = &tmpfs_special_iops;
		i->i_fop = S_ISCHR(mode) ? &chrdev_fops : S_ISBLK(mode) ? &def_blk_fops : NULL;
	}
	return i;
}

static void truncate_pages(struct inode *i, loff_t size)
{
	struct tmpfs_inode *ti = TI(i);
	uint64_t keep = ((uint64_t)size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	for (uint64_t p = keep; p < ti->npages; p++) {
		if (ti->pages[p]) {
			page_put(ti->pages[p]);
			ti->pages[p] = 0;
			uncharge(i->i_sb, 1);
			i->i_blocks -= PAGE_SIZE / 512;
		}
	}
	if (size & (PAGE_SIZE - 1) && keep && keep <= ti->npages && ti->pages[keep - 1]) {
		size_t in = size & (PAGE_SIZE - 1);
		memset((char *)pfn_to_virt(ti->pages[keep - 1]) + in, 0, PAGE_SIZE - in);
	}
}

static void tmpfs_evict(struct inode *i)
{
	struct tmpfs_inode *ti = TI(i);
	if (!ti)
		return;
	if (S_ISREG(i->i_mode))
		truncate_pages(i, 0);
	if (ti->symlink && strlen(ti->symlink) >= 128)
		uncharge(i->i_sb, 1);
	SBI(i->i_sb)->used_ispace -= simple_xattrs_free(&ti->xattrs);
	kfree(ti->pages);
	kfree(ti->symlink);
	if (ti->kern_free)
		ti->kern_free(ti->kern_data);
	kfree(ti);
	SBI(i->i_sb)->used_inodes--;
}

static struct tmpfs_dirent *find(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *d;
	list_for_each_entry(d, &TI(dir)->entries, link)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

/* Link inode (taking the caller's reference) under name in dir. */
static void add_entry(struct inode *dir, const char *name, struct inode *inode)
{
	struct tmpfs_dirent *d = kzalloc(sizeof(*d));
	d->name = kstrdup(name);
	d->inode = inode;
	d->cookie = TI(dir)->next_cookie++;
	list_add_tail(&d->link, &TI(dir)->entries);
	dir->i_size += BOGO_DIRENT_SIZE;
	if (S_ISDIR(inode->i_mode))
		dir->i_nlink++;
	dir->i_mtime = dir->i_ctime = current_time();
}

/* Unlink an entry; returns the inode with the entry's reference. */
static struct inode *del_entry(struct inode *dir, struct tmpfs_dirent *d)
{
	struct inode *inode = d->inode;
	list_del(&d->link);
	kfree(d->name);
	kfree(d);
	dir->i_size -= BOGO_DIRENT_SIZE;
	if (S_ISDIR(inode->i_mode))
		dir->i_nlink--;
	dir->i_mtime = dir->i_ctime = inode->i_ctime = current_time();
	return inode;
}

static struct inode *tmpfs_lookup(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *d = find(dir, name);
	return d ? igrab(d->inode) : ERR_PTR(-ENOENT);
}

static int make_node(struct inode *dir, const char *name, umode_t mode, uint64_t rdev, struct inode **out)
{
	struct inode *i = tmpfs_new_inode(dir->i_sb, dir, mode, rdev);
	if (!i)
		return -ENOSPC;
	add_entry(dir, name, igrab(i));
	*out = i;
	return 0;
}

static int tmpfs_create(struct inode *dir, const char *name, umode_t mode, struct file *f)
{
	struct inode *i;
	int err = make_node(dir, name, mode, 0, &i);
	if (err)
		return err;
	f->f_inode = i;		/* the file keeps make_node's reference */
	f->f_op = i->i_fop;
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, const char *name, umode_t mode)
{
	struct inode *i;
	int err = make_node(dir, name, S_IFDIR | (mode & 07777), 0, &i);
	if (!err)
		iput(i);
	return err;
}

static int tmpfs_mknod(struct inode *dir, const char *name, umode_t mode, uint64_t dev)
{
	struct inode *i;
	int err = make_node(dir, name, mode, dev, &i);
	if (!err)
		iput(i);
	return err;
}

static int tmpfs_symlink(struct inode *dir, const char *name, const char *target)
{
	size_t len = strlen(target);
	/* long targets take a page, as in shmem */
	if (len >= 128 && !charge(dir->i_sb, 1))
		return -ENOSPC;
	struct inode *i = tmpfs_new_inode(dir->i_sb, dir, S_IFLNK | 0777, 0);
	if (!i) {
		if (len >= 128)
			uncharge(dir->i_sb, 1);
		return -ENOSPC;
	}
	TI(i)->symlink = kstrdup(target);
	i->i_size = len;
	add_entry(dir, name, i);
	return 0;
}

static int tmpfs_link(struct inode *old, struct inode *dir, const char *name)
{
	if (S_ISDIR(old->i_mode))
		return -EPERM;
	if (!charge_inode(dir->i_sb))
		return -ENOSPC;
	old->i_nlink++;
	old->i_ctime = current_time();
	add_entry(dir, name, igrab(old));
	return 0;
}

static int tmpfs_unlink(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *d = find(dir, name);
	if (!d)
		return -ENOENT;
	struct inode *i = del_entry(dir, d);
	unlink_charge(i);
	i->i_nlink--;
	iput(i);
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *d = find(dir, name);
	if (!d)
		return -ENOENT;
	if (!list_empty(&TI(d->inode)->entries))
		return -ENOTEMPTY;
	struct inode *i = del_entry(dir, d);
	i->i_nlink = 0;
	iput(i);
	return 0;
}

static int tmpfs_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname, unsigned flags)
{
	struct tmpfs_dirent *od = find(odir, oname), *nd = find(ndir, nname);
	if (!od)
		return -ENOENT;
	if (nd && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (nd && S_ISDIR(nd->inode->i_mode) && !list_empty(&TI(nd->inode)->entries))
		return -ENOTEMPTY;
	if (nd) {
		struct inode *victim = del_entry(ndir, nd);
		unlink_charge(victim);
		victim->i_nlink = S_ISDIR(victim->i_mode) ? 0 : victim->i_nlink - 1;
		iput(victim);
	}
	struct inode *i = del_entry(odir, od);
	add_entry(ndir, nname, i);
	return 0;
}

static ssize_t tmpfs_readlink(struct inode *inode, char *buf, size_t n)
{
	const char *l = TI(inode)->symlink;
	return strlcpy(buf, l, n) >= n ? -ENAMETOOLONG : (ssize_t)strlen(l);
}

static int tmpfs_setattr(struct inode *inode, const struct iattr *ia)
{
	if (ia->valid & ATTR_SIZE) {
		if (!S_ISREG(inode->i_mode))
			return -EINVAL;
		if ((ia->size < inode->i_size && (inode->i_seals & F_SEAL_SHRINK)) ||
		    (ia->size > inode->i_size && (inode->i_seals & F_SEAL_GROW)))
			return -EPERM;
		if (ia->size < inode->i_size) {
			truncate_pages(inode, ia->size);
			if (inode->i_pages)
				filemap_truncate(inode->i_pages, ia->size);
		}
		inode->i_size = ia->size;
		inode->i_mtime = current_time();
	}
	inode_apply_attrs(inode, ia);
	if (ia->valid & ATTR_MODE)
		posix_acl_chmod(inode);
	return 0;
}

/* ---- files ---- */

static ssize_t tmpfs_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	struct inode *i = f->f_inode;
	struct tmpfs_inode *ti = TI(i);
	if (i->i_pages)
		filemap_flush(i->i_pages);	/* shared mappings may be newer */
	if (*pos >= i->i_size)
		return 0;
	n = MIN((loff_t)n, i->i_size - *pos);
	size_t done = 0;
	while (done < n) {
		uint64_t pg = (uint64_t)(*pos + done) >> PAGE_SHIFT;
		size_t in = (*pos + done) & (PAGE_SIZE - 1), c = MIN(n - done, PAGE_SIZE - in);
		if (pg < ti->npages && ti->pages[pg])
			memcpy((char *)buf + done, (char *)pfn_to_virt(ti->pages[pg]) + in, c);
		else
			memset((char *)buf + done, 0, c);
		done += c;
	}
	*pos += done;
	i->i_atime = current_time();
	return done;
}

/* Room in pages[] for need pages. */
static void grow_slots(struct tmpfs_inode *ti, uint64_t need)
{
	if (need <= ti->npages)
		return;
	uint64_t cap = ti->npages ? ti->npages : 4;
	while (cap < need)
		cap *= 2;
	ti->pages = krealloc(ti->pages, cap * sizeof(*ti->pages));
	memset(ti->pages + ti->npages, 0, (cap - ti->npages) * sizeof(*ti->pages));
	ti->npages = cap;
}

static ssize_t tmpfs_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	struct inode *i = f->f_inode;
	struct tmpfs_inode *ti = TI(i);
	if (f->f_flags & O_APPEND)
		*pos = i->i_size;
	if (*pos < 0 || (uint64_t)*pos + n > (1ull << 46))
		return -EFBIG;
	if (i->i_seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if ((i->i_seals & F_SEAL_GROW) && *pos + (loff_t)n > i->i_size)
		return -EPERM;
	grow_slots(ti, ((uint64_t)*pos + n + PAGE_SIZE - 1) >> PAGE_SHIFT);
	size_t done = 0;
	int err = -ENOSPC;
	while (done < n) {
		uint64_t pg = (uint64_t)(*pos + done) >> PAGE_SHIFT;
		size_t in = (*pos + done) & (PAGE_SIZE - 1), c = MIN(n - done, PAGE_SIZE - in);
		if (!ti->pages[pg]) {
			if (!charge(i->i_sb, 1))
				break;
			uint64_t pfn = alloc_frame(GFP_USER | GFP_ZERO);
			if (!pfn) {
				uncharge(i->i_sb, 1);
				err = -ENOMEM;
				break;
			}
			ti->pages[pg] = pfn;
			i->i_blocks += PAGE_SIZE / 512;
		}
		memcpy((char *)pfn_to_virt(ti->pages[pg]) + in, (const char *)buf + done, c);
		done += c;
	}
	if (!done)
		return n ? err : 0;
	if (i->i_pages)
		filemap_write_notify(i, i->i_pages, *pos, buf, done);
	*pos += done;
	if (*pos > i->i_size)
		i->i_size = *pos;
	i->i_mtime = i->i_ctime = current_time();
	return done;
}

static int tmpfs_fsync(struct file *f, bool datasync __unused)
{
	if (f->f_inode->i_pages)
		filemap_flush(f->f_inode->i_pages);
	return 0;
}

static int tmpfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct inode *dir = f->f_inode;
	while (ctx->pos < 2) {
		if (!ctx->actor(ctx, ctx->pos ? ".." : ".", ctx->pos + 1, dir->i_ino, IFTODT(S_IFDIR)))
			return 0;
		ctx->pos++;
	}
	struct tmpfs_dirent *d;
	list_for_each_entry(d, &TI(dir)->entries, link) {
		if ((loff_t)d->cookie + 2 < ctx->pos)
			continue;
		if (!ctx->actor(ctx, d->name, strlen(d->name), d->inode->i_ino, IFTODT(d->inode->i_mode)))
			return 0;
		ctx->pos = d->cookie + 3;
	}
	return 0;
}

/* Extended attributes: user.*, trusted.* and security.*, in memory. As
 * Linux's shmem, they are charged against the filesystem's inode space
 * (nr_inodes= times 1 KiB), ENOSPC past it; nr_inodes=0 means no limit. */
static ssize_t tmpfs_getxattr(struct inode *i, const char *name, void *buf, size_t size)
{
	return simple_xattr_get(&TI(i)->xattrs, name, buf, size);
}

static int tmpfs_setxattr(struct inode *i, const char *name, const void *value, size_t size, int flags)
{
	struct tmpfs_sbi *s = SBI(i->i_sb);
	size_t space = value ? simple_xattr_space(name, size) : 0, old;
	if (space && s->max_inodes && s->used_inodes * BOGO_INODE_SIZE + s->used_ispace + space > s->max_inodes * BOGO_INODE_SIZE)
		return -ENOSPC;
	int err = simple_xattr_set(&TI(i)->xattrs, name, value, size, flags, &old);
	if (!err)
		s->used_ispace += space - old;
	return err;
}

static ssize_t tmpfs_listxattr(struct inode *i, char *buf, size_t size)
{
	ssize_t acls = posix_acl_list(i, buf, size);
	if (acls < 0)
		return acls;
	if (size && (size_t)acls == size)	/* full with the ACL names alone */
		return simple_xattr_list(&TI(i)->xattrs, NULL, 0) ? -ERANGE : acls;
	ssize_t n = simple_xattr_list(&TI(i)->xattrs, size ? buf + acls : NULL, size ? size - acls : 0);
	return n < 0 ? n : acls + n;
}

#define TMPFS_XATTR_OPS .getxattr = tmpfs_getxattr, .setxattr = tmpfs_setxattr, .listxattr = tmpfs_listxattr

static int tmpfs_dir_fsync(struct file *f __unused, bool d __unused) { return 0; }

static const struct inode_operations tmpfs_dir_iops = {
	.lookup = tmpfs_lookup, .create = tmpfs_create, .mkdir = tmpfs_mkdir, .mknod = tmpfs_mknod,
	.rmdir = tmpfs_rmdir, .unlink = tmpfs_unlink, .symlink = tmpfs_symlink, .link = tmpfs_link,
	.rename = tmpfs_rename, .setattr = tmpfs_setattr, TMPFS_XATTR_OPS,
};
static const struct inode_operations tmpfs_file_iops = { .setattr = tmpfs_setattr, TMPFS_XATTR_OPS };
static const struct inode_operations tmpfs_link_iops = { .readlink = tmpfs_readlink, .setattr = tmpfs_setattr, TMPFS_XATTR_OPS };
static const struct inode_operations tmpfs_special_iops = { .setattr = tmpfs_setattr, TMPFS_XATTR_OPS };
static const struct file_operations tmpfs_dir_fops = { .iterate = tmpfs_iterate, .fsync = tmpfs_dir_fsync };
/* Zero [off, end) of i: whole pages go back (a hole), partial ones are
 * cleared; shared mappings see the zeroes. */
static void punch_hole(struct inode *i, loff_t off, loff_t end)
{
	struct tmpfs_inode *ti = TI(i);
	static const char zeroes[PAGE_SIZE];
	for (loff_t p = off; p < end;) {
		uint64_t pg = (uint64_t)p >> PAGE_SHIFT;
		if (pg >= ti->npages)
			break;
		size_t in = p & (PAGE_SIZE - 1), c = MIN((uint64_t)(end - p), PAGE_SIZE - in);
		if (ti->pages[pg]) {
			if (c == PAGE_SIZE) {
				page_put(ti->pages[pg]);
				ti->pages[pg] = 0;
				uncharge(i->i_sb, 1);
				i->i_blocks -= PAGE_SIZE / 512;
			} else {
				memset((char *)pfn_to_virt(ti->pages[pg]) + in, 0, c);
			}
		}
		if (i->i_pages && p < i->i_size)
			filemap_write_notify(i, i->i_pages, p, zeroes, MIN((loff_t)c, i->i_size - p));
		p += c;
	}
}

/* Linux's shmem_fallocate: allocate (0, KEEP_SIZE) or punch a hole
 * (PUNCH_HOLE|KEEP_SIZE); an allocation that runs out of room gives back
 * the pages it took. */
static long tmpfs_fallocate(struct file *f, int mode, loff_t off, loff_t len)
{
	struct inode *i = f->f_inode;
	struct tmpfs_inode *ti = TI(i);
	loff_t end = off + len;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if (i->i_seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
			return -EPERM;
		punch_hole(i, off, end);
		i->i_mtime = i->i_ctime = current_time();
		return 0;
	}
	if ((uint64_t)end > (1ull << 46))
		return -EFBIG;		/* as tmpfs_write */
	if ((i->i_seals & F_SEAL_GROW) && end > i->i_size)
		return -EPERM;
	uint64_t first = (uint64_t)off >> PAGE_SHIFT, last = ((uint64_t)end + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct tmpfs_sbi *s = SBI(i->i_sb);
	if (s->max_blocks && last - first > s->max_blocks)
		return -ENOSPC;
	/* all frames first, so a failure leaves the file as it was; the
	 * slots past the array are all missing */
	uint64_t missing = last > ti->npages ? last - MAX(first, ti->npages) : 0, total, free;
	for (uint64_t pg = first; pg < MIN(last, ti->npages); pg++)
		missing += !ti->pages[pg];
	mem_get_stats(&total, &free);
	if (missing > free || (last > ti->npages && last * sizeof(*ti->pages) / PAGE_SIZE > free))
		return -ENOMEM;		/* the frames, or the slot array, cannot fit */
	if (!charge(i->i_sb, missing))
		return -ENOSPC;
	grow_slots(ti, last);
	uint64_t *pfns = kmalloc(MAX(missing, 1) * sizeof(*pfns));
	for (uint64_t k = 0; k < missing; k++) {
		if (!(pfns[k] = alloc_frame(GFP_USER | GFP_ZERO))) {
			while (k--)
				page_put(pfns[k]);
			kfree(pfns);
			uncharge(i->i_sb, missing);
			return -ENOMEM;
		}
	}
	for (uint64_t pg = first, k = 0; pg < last; pg++)
		if (!ti->pages[pg])
			ti->pages[pg] = pfns[k++];
	kfree(pfns);
	i->i_blocks += missing * (PAGE_SIZE / 512);
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > i->i_size)
		i->i_size = end;
	i->i_ctime = current_time();
	return 0;
}

static const struct file_operations tmpfs_file_fops = {
	.read = tmpfs_read, .write = tmpfs_write, .llseek = generic_file_llseek, .fsync = tmpfs_fsync,
	.fallocate = tmpfs_fallocate,
};

/* ---- superblock ---- */

static int tmpfs_statfs(struct super_block *sb, struct inode *inode __unused, struct kstatfs *st)
{
	struct tmpfs_sbi *s = SBI(sb);
	st->f_type = sb->s_magic;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX;
	/* an unlimited tmpfs reports zeroes, as Linux's shmem_statfs */
	if (s->max_blocks) {
		st->f_blocks = s->max_blocks;
		st->f_bfree = st->f_bavail = s->max_blocks > s->used_blocks ? s->max_blocks - s->used_blocks : 0;
	}
	if (s->max_inodes) {
		st->f_files = s->max_inodes;
		uint64_t used = s->used_inodes * BOGO_INODE_SIZE + s->used_ispace;
		st->f_ffree = s->max_inodes * BOGO_INODE_SIZE > used ? (s->max_inodes * BOGO_INODE_SIZE - used) / BOGO_INODE_SIZE : 0;
	}
	st->f_fsid = 0;
	return 0;
}

/* Linux's defaults: half the guest's memory pages for both limits. */
static uint64_t default_limit(void)
{
	uint64_t total, free;
	mem_get_stats(&total, &free);
	return total / 2;
}

/* The options Linux's shmem_show_options prints: only non-defaults. */
static void tmpfs_show_options(struct super_block *sb, struct sbuf *out)
{
	struct tmpfs_sbi *s = SBI(sb);
	if (s->max_blocks != default_limit())
		sbuf_printf(out, ",size=%lluk", (unsigned long long)s->max_blocks * (PAGE_SIZE / 1024));
	if (s->max_inodes != default_limit())
		sbuf_printf(out, ",nr_inodes=%llu", (unsigned long long)s->max_inodes);
	if (s->root_mode != 01777)
		sbuf_printf(out, ",mode=%03o", s->root_mode);
	if (s->root_uid)
		sbuf_printf(out, ",uid=%u", s->root_uid);
	if (s->root_gid)
		sbuf_printf(out, ",gid=%u", s->root_gid);
}

/* Drop every entry below dir so the tree's inodes are freed. */
/* Without recursion: a guest can nest directories deeper than any kernel
 * stack, so a subdirectory's entries move up into dir before it goes. */
static void tmpfs_free_tree(struct inode *dir)
{
	struct tmpfs_inode *ti = TI(dir);
	while (!list_empty(&ti->entries)) {
		struct tmpfs_dirent *d = list_first_entry(&ti->entries, struct tmpfs_dirent, link);
		struct tmpfs_inode *sub = TI(d->inode);
		if (S_ISDIR(d->inode->i_mode) && !list_empty(&sub->entries)) {
			struct list_head *first = sub->entries.next, *last = sub->entries.prev;
			/* splice sub's entries in at the front of dir's */
			last->next = ti->entries.next;
			ti->entries.next->prev = last;
			ti->entries.next = first;
			first->prev = &ti->entries;
			INIT_LIST_HEAD(&sub->entries);
			continue;
		}
		struct inode *i = del_entry(dir, d);
		i->i_nlink = 0;
		iput(i);
	}
}

static void tmpfs_put_super(struct super_block *sb)
{
	tmpfs_free_tree(sb->s_root->d_inode);
	dput(sb->s_root);
	kfree(sb->s_fs_info);
	kfree(sb);
}

static const struct super_operations tmpfs_sops = {
	.statfs = tmpfs_statfs, .evict_inode = tmpfs_evict,
	.show_options = tmpfs_show_options, .put_super = tmpfs_put_super,
};

/* size=N[kKmMgG%], nr_inodes=N[kmg], mode=octal, uid=N, gid=N. */
static int parse_size(const char *v, uint64_t *out, bool percent_ok)
{
	char num[32];
	size_t len = strlen(v);
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, v, len + 1);
	uint64_t mul = 1;
	char last = num[len - 1];
	if (strchr("kKmMgGtT%", last)) {
		num[--len] = 0;
		mul = last == 'k' || last == 'K' ? 1ull << 10 : last == 'm' || last == 'M' ? 1ull << 20 :
		      last == 'g' || last == 'G' ? 1ull << 30 : last == '%' ? 0 : 1ull << 40;
		if (last == '%' && !percent_ok)
			return -EINVAL;
	}
	unsigned long long n;
	if (kstrtoull(num, 10, &n))
		return -EINVAL;
	if (!mul) {
		uint64_t total, free;
		mem_get_stats(&total, &free);
		*out = total * PAGE_SIZE / 100 * n;
	} else {
		*out = n * mul;
	}
	return 0;
}

static int parse_options(struct tmpfs_sbi *s, const char *data)
{
	if (!data)
		return 0;
	char *copy = kstrdup(data), *p = copy, *opt;
	int err = 0;
	while (!err && (opt = strsep(&p, ","))) {
		if (!*opt)
			continue;
		char *val = strchr(opt, '=');
		if (val)
			*val++ = 0;
		unsigned long long n;
		uint64_t sz;
		if (!strcmp(opt, "size") && val) {
			err = parse_size(val, &sz, true);
			s->max_blocks = (sz + PAGE_SIZE - 1) / PAGE_SIZE;
		} else if (!strcmp(opt, "nr_inodes") && val) {
			err = parse_size(val, &sz, false);
			s->max_inodes = sz;
		} else if (!strcmp(opt, "mode") && val) {
			err = kstrtoull(val, 8, &n) ? -EINVAL : 0;
			s->root_mode = n & 07777;
		} else if (!strcmp(opt, "uid") && val) {
			err = kstrtoull(val, 10, &n) ? -EINVAL : 0;
			s->root_uid = n;
		} else if (!strcmp(opt, "gid") && val) {
			err = kstrtoull(val, 10, &n) ? -EINVAL : 0;
			s->root_gid = n;
		} else if (!is_generic_mount_option(opt)) {
			err = -EINVAL;
		}
	}
	kfree(copy);
	return err;
}

struct super_block *tmpfs_new_sb(const char *type, unsigned long magic, const char *data)
{
	struct tmpfs_sbi *s = kzalloc(sizeof(*s));
	s->root_mode = 01777;
	s->max_blocks = s->max_inodes = default_limit();
	int err = parse_options(s, data);
	if (err) {
		kfree(s);
		return ERR_PTR(err);
	}
	struct super_block *sb = kzalloc(sizeof(*sb));
	sb->s_type = type;
	sb->s_magic = magic ? magic : TMPFS_MAGIC;
	sb->s_posixacl = !magic;	/* tmpfs itself, not sysfs */
	uint32_t minor = next_anon_minor++;
	sb->s_dev = MKDEV(0, minor);
	sb->s_op = &tmpfs_sops;
	sb->s_fs_info = s;
	struct inode *root = tmpfs_new_inode(sb, NULL, S_IFDIR | s->root_mode, 0);
	root->i_uid = s->root_uid;
	root->i_gid = s->root_gid;
	sb->s_root = d_make_root(root);
	return sb;
}

/* An unnamed regular file on sb (memfd_create): one reference, no link. */
struct inode *tmpfs_new_file(struct super_block *sb, umode_t mode)
{
	struct inode *i = tmpfs_new_inode(sb, NULL, S_IFREG | (mode & 07777), 0);
	if (i)
		i->i_nlink = 0;		/* no name: "(deleted)" from the start, as Linux */
	return i;
}

/* For other pseudo filesystems built on tmpfs (sysfs): a fixed dir. */
int tmpfs_mkdir_kern(struct inode *dir, const char *name, umode_t mode)
{
	return tmpfs_mkdir(dir, name, mode);
}

struct inode *tmpfs_dir_lookup(struct inode *dir, const char *name)
{
	return tmpfs_lookup(dir, name);
}

struct inode *tmpfs_lookup_kern(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *d = find(dir, name);
	return d ? d->inode : NULL;
}

struct inode *tmpfs_kern_node(struct inode *dir, const char *name, umode_t mode, const struct inode_operations *iops,
			      const struct file_operations *fops, void *data)
{
	if (find(dir, name))
		return NULL;
	struct inode *i;
	if (make_node(dir, name, mode, 0, &i))
		return NULL;
	iput(i);	/* the directory entry keeps it */
	TI(i)->kern_data = data;
	if (iops)
		i->i_op = iops;
	if (fops)
		i->i_fop = fops;
	return i;
}

void *tmpfs_kern_data(struct inode *i)
{
	return TI(i)->kern_data;
}

void tmpfs_kern_set_free(struct inode *i, void (*free_data)(void *))
{
	TI(i)->kern_free = free_data;
}

void tmpfs_walk_kern(struct inode *i, void (*fn)(struct inode *))
{
	fn(i);
	if (S_ISDIR(i->i_mode)) {
		struct tmpfs_dirent *c;
		list_for_each_entry(c, &TI(i)->entries, link)
			tmpfs_walk_kern(c->inode, fn);
	}
}

/* Directories first emptied, depth first; open files keep their inodes
 * (and kern_data) until closed, as after unlink(2). */
int tmpfs_remove_kern(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *d = find(dir, name);
	if (!d)
		return -ENOENT;
	struct inode *i = d->inode;
	if (S_ISDIR(i->i_mode))
		while (!list_empty(&TI(i)->entries)) {
			struct tmpfs_dirent *c = list_first_entry(&TI(i)->entries, struct tmpfs_dirent, link);
			tmpfs_remove_kern(i, c->name);
		}
	i = del_entry(dir, d);
	if (S_ISDIR(i->i_mode))
		i->i_nlink = 0;
	else {
		unlink_charge(i);
		i->i_nlink--;
	}
	iput(i);
	return 0;
}

static struct super_block *tmpfs_mount(const struct file_system_type *type __unused, struct fs_mount *m)
{
	return tmpfs_new_sb("tmpfs", 0, m->data);
}

static const struct file_system_type tmpfs_type = { .name = "tmpfs", .mount = tmpfs_mount };
DEFINE_FILESYSTEM(tmpfs_type);
