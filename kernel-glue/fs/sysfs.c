/* sysfs: the top-level directories a distribution expects under /sys, on
 * one tmpfs-like superblock shared by every mount, and attribute files
 * (umk/sysfs.h) that kernel objects add to it. The superblock is made on
 * first use, so objects registered before anything mounts /sys (lo at
 * core_initcall) are there when it is mounted. */
#include <umk/fs.h>
#include <umk/sysfs.h>
#include "tmpfs.h"

static struct super_block *sysfs_sb;

static struct super_block *sysfs_get(void)
{
	if (!sysfs_sb) {
		static const char *const dirs[] = { "block", "bus", "class", "dev", "devices", "firmware", "fs", "kernel", "module", "power" };
		sysfs_sb = tmpfs_new_sb("sysfs", 0x62656572, NULL);
		struct inode *root = sysfs_sb->s_root->d_inode;
		root->i_mode = S_IFDIR | 0555;
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
			tmpfs_mkdir_kern(root, dirs[i], 0755);
	}
	return sysfs_sb;
}

/* The directory at path, made (with its parents) if create; NULL if
 * missing or not a directory. */
static struct inode *walk(const char *path, bool create)
{
	struct inode *dir = sysfs_get()->s_root->d_inode;
	char name[NAME_MAX + 1];
	while (*path) {
		const char *slash = strchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);
		if (n == 0 || n > NAME_MAX)
			return NULL;
		memcpy(name, path, n);
		name[n] = 0;
		struct inode *next = tmpfs_lookup_kern(dir, name);
		if (!next && create && !tmpfs_mkdir_kern(dir, name, 0755))
			next = tmpfs_lookup_kern(dir, name);
		if (!next || !S_ISDIR(next->i_mode))
			return NULL;
		dir = next;
		path += n + (slash ? 1 : 0);
	}
	return dir;
}

int sysfs_mkdir(const char *path)
{
	return walk(path, true) ? 0 : -ENOMEM;
}

struct sysfs_file {
	const struct sysfs_attr *attr;
	void *obj;
};

static void kfree_data(void *p)
{
	kfree(p);
}

/* An open attribute: the text, made at the first read. */
struct sysfs_open {
	struct sbuf text;
	int err;
	bool made;
};

static int attr_open(struct inode *inode __unused, struct file *f)
{
	f->private_data = kzalloc(sizeof(struct sysfs_open));
	return f->private_data ? 0 : -ENOMEM;
}

static ssize_t attr_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	struct sysfs_file *sf = tmpfs_kern_data(f->f_inode);
	struct sysfs_open *o = f->private_data;
	if (!o->made) {
		sbuf_init(&o->text);
		o->err = sf->attr->show ? sf->attr->show(sf->obj, &o->text) : -EIO;
		o->made = true;
	}
	if (o->err)
		return o->err;
	if (*pos >= (loff_t)o->text.len)
		return 0;
	size_t cnt = MIN(n, o->text.len - (size_t)*pos);
	memcpy(buf, o->text.buf + *pos, cnt);
	*pos += cnt;
	return cnt;
}

static ssize_t attr_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	struct sysfs_file *sf = tmpfs_kern_data(f->f_inode);
	if (!sf->attr->store)
		return -EIO;
	if (n >= PAGE_SIZE)
		return -EINVAL;
	char text[64];
	char *k = n < sizeof(text) ? text : kmalloc(n + 1);
	if (!k)
		return -ENOMEM;
	memcpy(k, buf, n);
	k[n] = 0;
	int err = sf->attr->store(sf->obj, k, n);
	if (k != text)
		kfree(k);
	if (err)
		return err;
	*pos += n;
	return n;
}

static void attr_release(struct inode *inode __unused, struct file *f)
{
	struct sysfs_open *o = f->private_data;
	if (o && o->made)
		sbuf_free(&o->text);
	kfree(o);
}

/* Truncation (the O_TRUNC of `echo 1 > attr`) changes nothing, as Linux. */
static int attr_setattr(struct inode *inode, const struct iattr *ia)
{
	struct iattr rest = *ia;
	rest.valid &= ~(unsigned)ATTR_SIZE;
	inode_apply_attrs(inode, &rest);
	return 0;
}

static const struct inode_operations attr_iops = { .setattr = attr_setattr };
static const struct file_operations attr_fops = {
	.open = attr_open, .read = attr_read, .write = attr_write, .release = attr_release,
};

int sysfs_create_file(const char *dir, const struct sysfs_attr *attr, void *obj)
{
	struct inode *d = walk(dir, true);
	if (!d)
		return -ENOMEM;
	struct sysfs_file *sf = kzalloc(sizeof(*sf));
	if (!sf)
		return -ENOMEM;
	sf->attr = attr;
	sf->obj = obj;
	struct inode *i = tmpfs_kern_node(d, attr->name, S_IFREG | attr->mode, &attr_iops, &attr_fops, sf);
	if (!i) {
		kfree(sf);
		return -EEXIST;
	}
	i->i_size = PAGE_SIZE;	/* as Linux reports every attribute */
	i->i_uid = i->i_gid = 0;
	tmpfs_kern_set_free(i, kfree_data);
	return 0;
}

/* An attribute of an object that went away: reads fail as Linux's do
 * for a removed kobject's open attribute. */
static int gone_show(void *obj __unused, struct sbuf *out __unused) { return -ENODEV; }
static const struct sysfs_attr gone_attr = { "", 0, gone_show, NULL };

static void orphan_attrs(struct inode *i)
{
	if (S_ISREG(i->i_mode)) {
		struct sysfs_file *sf = tmpfs_kern_data(i);
		if (sf) {
			sf->attr = &gone_attr;
			sf->obj = NULL;
		}
	}
}

int sysfs_remove(const char *path)
{
	const char *slash = strrchr(path, '/');
	char parent[256];
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (n >= sizeof(parent))
		return -ENAMETOOLONG;
	memcpy(parent, path, n);
	parent[n] = 0;
	struct inode *dir = walk(parent, false);
	const char *name = slash ? slash + 1 : path;
	struct inode *victim = dir ? tmpfs_lookup_kern(dir, name) : NULL;
	if (!victim)
		return -ENOENT;
	tmpfs_walk_kern(victim, orphan_attrs);
	return tmpfs_remove_kern(dir, name);
}

static struct super_block *sysfs_mount(const struct file_system_type *type __unused, struct fs_mount *m __unused)
{
	return sysfs_get();
}

static const struct file_system_type sysfs_type = { .name = "sysfs", .mount = sysfs_mount };
DEFINE_FILESYSTEM(sysfs_type);
