/* Inode cache and dentries. Inodes are hashed on (sb, ino) so that one
 * filesystem object has one struct inode for as long as anything holds
 * it: the page cache hangs off struct inode and must not be duplicated. */
#include <umk/posix_acl.h>
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/sched.h>

#define IHASH_SIZE 256
static struct list_head ihash[IHASH_SIZE];
static bool ihash_ready;

static struct list_head *bucket(struct super_block *sb, uint64_t ino)
{
	if (!ihash_ready) {
		for (int i = 0; i < IHASH_SIZE; i++)
			INIT_LIST_HEAD(&ihash[i]);
		ihash_ready = true;
	}
	uint64_t h = ino * 0x9E3779B97F4A7C15ull ^ (uintptr_t)sb;
	return &ihash[(h >> 32) % IHASH_SIZE];
}

struct inode *new_inode(struct super_block *sb)
{
	struct inode *i = kzalloc(sizeof(*i));
	i->i_sb = sb;
	i->i_count = 1;
	i->i_nlink = 1;
	i->i_blksize = 4096;
	i->i_dev = sb ? sb->s_dev : 0;
	i->i_atime = i->i_mtime = i->i_ctime = current_time();
	INIT_LIST_HEAD(&i->i_hash);
	return i;
}

struct inode *iget(struct super_block *sb, uint64_t ino, bool *is_new)
{
	struct list_head *b = bucket(sb, ino);
	struct inode *i;
	list_for_each_entry(i, b, i_hash) {
		if (i->i_sb == sb && i->i_ino == ino) {
			i->i_count++;
			*is_new = false;
			return i;
		}
	}
	i = new_inode(sb);
	i->i_ino = ino;
	list_add(&i->i_hash, b);
	*is_new = true;
	return i;
}

struct inode *igrab(struct inode *inode)
{
	if (inode)
		inode->i_count++;
	return inode;
}

void iput(struct inode *inode)
{
	if (!inode)
		return;
	BUG_ON(inode->i_count <= 0);
	if (--inode->i_count)
		return;
	list_del(&inode->i_hash);
	if (inode->i_pages)
		filemap_evict(inode->i_pages);
	if (inode->i_sb && inode->i_sb->s_op && inode->i_sb->s_op->evict_inode)
		inode->i_sb->s_op->evict_inode(inode);
	posix_acl_release(inode->i_acl);
	posix_acl_release(inode->i_default_acl);
	kfree(inode);
}

struct dentry *d_alloc(struct dentry *parent, const char *name, struct inode *inode)
{
	struct dentry *d = kzalloc(sizeof(*d));
	d->d_count = 1;
	d->d_name = kstrdup(name);
	d->d_inode = inode;
	d->d_parent = parent ? dget(parent) : d;
	return d;
}

struct dentry *d_make_root(struct inode *root)
{
	return d_alloc(NULL, "/", root);
}

struct dentry *dget(struct dentry *d)
{
	if (d)
		d->d_count++;
	return d;
}

void dput(struct dentry *d)
{
	/* iterative: dropping a leaf may free a long parent chain */
	while (d) {
		BUG_ON(d->d_count <= 0);
		if (--d->d_count)
			return;
		struct dentry *parent = d->d_parent == d ? NULL : d->d_parent;
		iput(d->d_inode);
		kfree(d->d_name);
		kfree(d);
		d = parent;
	}
}

void path_get(const struct path *p)
{
	dget(p->dentry);
}

void path_put(const struct path *p)
{
	dput(p->dentry);
}

/* The attribute part of setattr for filesystems that keep attributes in
 * the inode itself (devfs, tmpfs): mode, owner and times; ctime always. */
void inode_apply_attrs(struct inode *inode, const struct iattr *ia)
{
	if (ia->valid & ATTR_MODE)
		inode->i_mode = ia->mode;
	if (ia->valid & ATTR_UID)
		inode->i_uid = ia->uid;
	if (ia->valid & ATTR_GID)
		inode->i_gid = ia->gid;
	struct kts now = current_time();
	if (ia->valid & ATTR_ATIME)
		inode->i_atime = ia->atime.tv_nsec == UTIME_NOW ? now : ia->atime;
	if (ia->valid & ATTR_MTIME)
		inode->i_mtime = ia->mtime.tv_nsec == UTIME_NOW ? now : ia->mtime;
	inode->i_ctime = now;
}

struct kts current_time(void)
{
	int64_t ns = ktime_real_ns();
	return (struct kts){ ns / 1000000000, ns % 1000000000 };
}

void for_each_cached_inode(struct super_block *sb, void (*fn)(struct inode *, void *), void *arg)
{
	if (!ihash_ready)
		return;
	for (int b = 0; b < IHASH_SIZE; b++) {
		struct inode *i;
		list_for_each_entry(i, &ihash[b], i_hash)
			if (i->i_sb == sb)
				fn(i, arg);
	}
}

void sync_inodes(void)
{
	if (!ihash_ready)
		return;
	for (int b = 0; b < IHASH_SIZE; b++) {
		struct inode *i;
		list_for_each_entry(i, &ihash[b], i_hash)
			if (i->i_pages)
				filemap_flush(i->i_pages);
	}
}
