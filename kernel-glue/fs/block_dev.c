/* The block layer: the list of registered disks and the file operations
 * of a block device node. An open block device is read and written
 * straight through to its driver (no buffer cache yet); fsync and
 * BLKFLSBUF reach stable storage through the driver's flush. */
#include <umk/blkdev.h>
#include <umk/fs.h>
#include <umk/uaccess.h>
#include <umk/sysfs.h>
#include <umk/uevent.h>

static LIST_HEAD(blkdevs);

struct block_device *blkdev_by_rdev(uint64_t rdev)
{
	struct block_device *b;
	list_for_each_entry(b, &blkdevs, list)
		if (b->rdev == rdev)
			return b;
	return NULL;
}

struct block_device *blkdev_by_name(const char *name)
{
	struct block_device *b;
	if (!strncmp(name, "/dev/", 5))
		name += 5;
	const char *colon = strchr(name, ':');
	if (colon) {
		/* MAJOR:MINOR, decimal, as Linux's root= */
		unsigned long long ma, mi;
		char majs[12];
		size_t n = (size_t)(colon - name);
		if (n == 0 || n >= sizeof(majs))
			return NULL;
		memcpy(majs, name, n);
		majs[n] = 0;
		if (kstrtoull(majs, 10, &ma) || kstrtoull(colon + 1, 10, &mi) || ma > 0xfff || mi > 0xfffff)
			return NULL;
		return blkdev_by_rdev(MKDEV(ma, mi));
	}
	list_for_each_entry(b, &blkdevs, list)
		if (!strcmp(b->name, name) || (b->alias[0] && !strcmp(b->alias, name)))
			return b;
	return NULL;
}

int blkdev_lookup_path(const char *path, struct block_device **out)
{
	if (!path || !*path)
		return -ENOTBLK;
	struct path p;
	int err = kern_path_at(AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct inode *i = p.dentry->d_inode;
	struct block_device *b = S_ISBLK(i->i_mode) ? blkdev_by_rdev(i->i_rdev) : NULL;
	err = !S_ISBLK(i->i_mode) ? -ENOTBLK : b ? 0 : -ENXIO;
	path_put(&p);
	*out = b;
	return err;
}

static int blk_open(struct inode *inode, struct file *f)
{
	struct block_device *b = blkdev_by_rdev(inode->i_rdev);
	if (!b)
		return -ENXIO;
	if ((f->f_mode & FMODE_WRITE) && b->readonly)
		return -EROFS;
	f->f_op = &def_blk_fops;	/* opened through another filesystem's node */
	f->private_data = b;
	b->openers++;
	f->f_mode |= FMODE_LSEEK | FMODE_PREAD;
	return 0;
}

static void blk_release(struct inode *inode __unused, struct file *f)
{
	struct block_device *b = f->private_data;
	b->openers--;
}

static ssize_t blk_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	if (*pos < 0)
		return -EINVAL;
	ssize_t r = blkdev_read(f->private_data, buf, n, *pos);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t blk_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	if (*pos < 0)
		return -EINVAL;
	ssize_t r = blkdev_write(f->private_data, buf, n, *pos);
	if (r > 0)
		*pos += r;
	return r;
}

static loff_t blk_llseek(struct file *f, loff_t off, int whence)
{
	struct block_device *b = f->private_data;
	loff_t base = 0;
	if (whence == SEEK_CUR)
		base = f->f_pos;
	else if (whence == SEEK_END)
		base = (loff_t)b->size;
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (base + off < 0)
		return -EINVAL;
	f->f_pos = base + off;
	return f->f_pos;
}

static int blk_fsync(struct file *f, bool datasync __unused)
{
	return blkdev_flush(f->private_data);
}

static long blk_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct block_device *b = f->private_data;
	switch (cmd) {
	case BLKGETSIZE64:
		return copy_to_user(arg, &b->size, sizeof(b->size));
	case BLKGETSIZE: {
		unsigned long sectors = b->size / SECTOR_SIZE;
		return copy_to_user(arg, &sectors, sizeof(sectors));
	}
	case BLKSSZGET:
	case BLKBSZGET: {
		int ss = cmd == BLKSSZGET ? SECTOR_SIZE : 4096;
		return copy_to_user(arg, &ss, sizeof(ss));
	}
	case BLKROGET: {
		int ro = b->readonly;
		return copy_to_user(arg, &ro, sizeof(ro));
	}
	case BLKFLSBUF:
		return blkdev_flush(b);
	}
	return -ENOTTY;
}

const struct file_operations def_blk_fops = {
	.open = blk_open, .read = blk_read, .write = blk_write, .llseek = blk_llseek,
	.ioctl = blk_ioctl, .fsync = blk_fsync, .release = blk_release,
};

void blkdev_get(struct block_device *b)
{
	b->holders++;
}

void blkdev_put(struct block_device *b)
{
	b->holders--;
}

/* /sys/block/NAME: what mdev -s and lsblk read. */
#define B(o) ((struct block_device *)(o))
static int show_dev(void *o, struct sbuf *s)
{
	sbuf_printf(s, "%u:%u\n", (unsigned)(B(o)->rdev >> 8 & 0xfff), (unsigned)(B(o)->rdev & 0xff));
	return 0;
}
static int show_size(void *o, struct sbuf *s) { sbuf_printf(s, "%llu\n", (unsigned long long)(B(o)->size / SECTOR_SIZE)); return 0; }
static int show_ro(void *o, struct sbuf *s) { sbuf_printf(s, "%d\n", B(o)->readonly); return 0; }
static int show_zero(void *o __unused, struct sbuf *s) { sbuf_printf(s, "0\n"); return 0; }
static const struct sysfs_attr blk_attrs[] = {
	{ "dev", 0444, show_dev, NULL }, { "size", 0444, show_size, NULL },
	{ "ro", 0444, show_ro, NULL }, { "removable", 0444, show_zero, NULL },
};

static void blk_uevent(struct block_device *b, const char *action)
{
	char path[64], name[32], major[16], minor[16];
	snprintf(path, sizeof(path), "/devices/virtual/block/%s", b->name);
	snprintf(name, sizeof(name), "DEVNAME=%s", b->name);
	snprintf(major, sizeof(major), "MAJOR=%u", (unsigned)(b->rdev >> 8 & 0xfff));
	snprintf(minor, sizeof(minor), "MINOR=%u", (unsigned)(b->rdev & 0xff));
	const char *vars[] = { name, major, minor, "DEVTYPE=disk", NULL };
	uevent_send(action, path, "block", vars);
}

int blkdev_register(struct block_device *b)
{
	if (blkdev_by_rdev(b->rdev) || blkdev_by_name(b->name)) {
		printk(KERN_ERR "block: %s (%llu:%llu) is registered twice\n", b->name,
		       (unsigned long long)(b->rdev >> 8 & 0xfff), (unsigned long long)(b->rdev & 0xff));
		return -EEXIST;
	}
	int err = devfs_add_node(b->name, S_IFBLK | 0660, b->rdev, 0, &def_blk_fops);
	if (err)
		return err;
	b->openers = b->holders = 0;
	list_add_tail(&b->list, &blkdevs);
	char dir[48];
	snprintf(dir, sizeof(dir), "block/%s", b->name);
	for (size_t i = 0; i < ARRAY_SIZE(blk_attrs); i++)
		sysfs_create_file(dir, &blk_attrs[i], b);
	blk_uevent(b, "add");
	return 0;
}

int blkdev_unregister(struct block_device *b)
{
	if (b->openers || b->holders)
		return -EBUSY;
	list_del(&b->list);
	devfs_remove_node(b->name);
	char dir[48];
	snprintf(dir, sizeof(dir), "block/%s", b->name);
	sysfs_remove(dir);
	blk_uevent(b, "remove");
	return 0;
}
