/* devfs: the small fixed /dev. Memory devices are implemented here; the
 * console and /dev/tty hand the open file to the tty layer. Inodes are
 * pinned so chmod/chown of a device node last until reboot. */
#include <umk/fs.h>
#include <umk/tty.h>
#include <umk/sched.h>
#include <umk/ubd.h>
#include "internal.h"

static ssize_t null_read(struct file *f __unused, void *b __unused, size_t n __unused, loff_t *p __unused) { return 0; }
static ssize_t null_write(struct file *f __unused, const void *b __unused, size_t n, loff_t *p __unused) { return n; }
static ssize_t zero_read(struct file *f __unused, void *b, size_t n, loff_t *p __unused) { memset(b, 0, n); return n; }
static ssize_t full_write(struct file *f __unused, const void *b __unused, size_t n __unused, loff_t *p __unused) { return -ENOSPC; }
static ssize_t random_read(struct file *f __unused, void *b, size_t n, loff_t *p __unused) { get_random_bytes(b, n); return n; }
static int noop_fsync(struct file *f __unused, bool d __unused) { return 0; }

static const struct file_operations null_fops = { .read = null_read, .write = null_write, .llseek = noop_llseek, .fsync = noop_fsync };
static const struct file_operations zero_fops = { .read = zero_read, .write = null_write, .llseek = noop_llseek, .fsync = noop_fsync };
static const struct file_operations full_fops = { .read = zero_read, .write = full_write, .llseek = noop_llseek };
static const struct file_operations random_fops = { .read = random_read, .write = null_write, .llseek = noop_llseek };

static int console_open(struct inode *inode __unused, struct file *f)
{
	if (!console_tty)
		return -ENODEV;
	return tty_open_file(console_tty, f, f->f_flags & O_NOCTTY);
}

static int devtty_open(struct inode *inode __unused, struct file *f)
{
	struct tty *t = current_tty();
	if (!t)
		return -ENXIO;
	return tty_open_file(t, f, true);
}

static const struct file_operations console_fops = { .open = console_open };
static const struct file_operations devtty_fops = { .open = devtty_open };
static const struct file_operations ptmx_fops = { .open = ptmx_open };

struct dev_entry {
	const char *name;
	umode_t mode;
	uint64_t rdev;
	gid_t gid;
	const struct file_operations *fops;
	const char *link;
};

static const struct dev_entry devs[] = {
	{ "console", S_IFCHR | 0600, MKDEV(5, 1), 0, &console_fops, NULL },
	{ "fd", S_IFLNK | 0777, 0, 0, NULL, "/proc/self/fd" },
	{ "full", S_IFCHR | 0666, MKDEV(1, 7), 0, &full_fops, NULL },
	{ "null", S_IFCHR | 0666, MKDEV(1, 3), 0, &null_fops, NULL },
	{ "ptmx", S_IFCHR | 0666, MKDEV(5, 2), 5, &ptmx_fops, NULL },
	{ "pts", S_IFDIR | 0755, 0, 0, NULL, NULL },	/* devpts is mounted here */
	{ "random", S_IFCHR | 0666, MKDEV(1, 8), 0, &random_fops, NULL },
	/* where boot scripts mount a tmpfs for POSIX shared memory and
	 * semaphores (sem_open: Python's multiprocessing); on Linux they
	 * mkdir it first, which this fixed devtmpfs cannot do */
	{ "shm", S_IFDIR | 0755, 0, 0, NULL, NULL },
	{ "stderr", S_IFLNK | 0777, 0, 0, NULL, "/proc/self/fd/2" },
	{ "stdin", S_IFLNK | 0777, 0, 0, NULL, "/proc/self/fd/0" },
	{ "stdout", S_IFLNK | 0777, 0, 0, NULL, "/proc/self/fd/1" },
	{ "tty", S_IFCHR | 0666, MKDEV(5, 0), 5, &devtty_fops, NULL },
	{ "urandom", S_IFCHR | 0666, MKDEV(1, 9), 0, &random_fops, NULL },
	{ "zero", S_IFCHR | 0666, MKDEV(1, 5), 0, &zero_fops, NULL },
};

/* Nodes drivers add at boot (ubd block devices), listed after devs[]. */
#define DEVFS_EXTRA 32
static struct { char name[16]; struct inode *inode; } extra[DEVFS_EXTRA];
static size_t nextra;

static struct super_block devfs_sb = { .s_type = "devtmpfs", .s_dev = MKDEV(0, 5), .s_magic = 0x01021994 };
static struct inode *dev_inodes[ARRAY_SIZE(devs)];
static struct inode *devfs_root;

static struct inode *devfs_lookup(struct inode *dir __unused, const char *name)
{
	if (!strcmp(name, "pts") && devpts_root_inode())
		return igrab(devpts_root_inode());
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
		if (!strcmp(devs[i].name, name))
			return igrab(dev_inodes[i]);
	for (size_t i = 0; i < nextra; i++)
		if (!strcmp(extra[i].name, name))
			return igrab(extra[i].inode);
	return ERR_PTR(-ENOENT);
}

static int devfs_iterate(struct file *f __unused, struct dir_context *ctx)
{
	while (ctx->pos < 2) {
		if (!ctx->actor(ctx, ctx->pos ? ".." : ".", ctx->pos + 1, 1, IFTODT(S_IFDIR)))
			return 0;
		ctx->pos++;
	}
	for (size_t i = ctx->pos - 2; i < ARRAY_SIZE(devs); i++) {
		if (!ctx->actor(ctx, devs[i].name, strlen(devs[i].name), dev_inodes[i]->i_ino, IFTODT(devs[i].mode)))
			return 0;
		ctx->pos++;
	}
	for (size_t i = ctx->pos - 2 - ARRAY_SIZE(devs); i < nextra; i++) {
		struct inode *in = extra[i].inode;
		if (!ctx->actor(ctx, extra[i].name, strlen(extra[i].name), in->i_ino, IFTODT(in->i_mode)))
			return 0;
		ctx->pos++;
	}
	return 0;
}

static ssize_t devfs_readlink(struct inode *inode, char *buf, size_t n)
{
	const char *l = inode->i_private;
	return strlcpy(buf, l, n) >= n ? -ENAMETOOLONG : (ssize_t)strlen(l);
}

static int devfs_setattr(struct inode *inode, const struct iattr *ia)
{
	if (ia->valid & ATTR_SIZE)
		return 0;	/* truncating a device is a no-op, as on Linux */
	inode_apply_attrs(inode, ia);
	return 0;
}

static const struct inode_operations devfs_dir_iops = { .lookup = devfs_lookup, .setattr = devfs_setattr };
static const struct inode_operations devfs_iops = { .readlink = devfs_readlink, .setattr = devfs_setattr };
static const struct file_operations devfs_dir_fops = { .iterate = devfs_iterate };

/* An empty directory (a mount point such as /dev/pts). */
static struct inode *empty_lookup(struct inode *dir __unused, const char *name __unused) { return ERR_PTR(-ENOENT); }
static int empty_iterate(struct file *f, struct dir_context *ctx)
{
	while (ctx->pos < 2) {
		if (!ctx->actor(ctx, ctx->pos ? ".." : ".", ctx->pos + 1, f->f_inode->i_ino, IFTODT(S_IFDIR)))
			return 0;
		ctx->pos++;
	}
	return 0;
}
static const struct inode_operations devfs_empty_dir_iops = { .lookup = empty_lookup, .setattr = devfs_setattr };
static const struct file_operations devfs_empty_dir_fops = { .iterate = empty_iterate };

struct super_block *devfs_get_sb(void)
{
	return &devfs_sb;
}

/* A device node elsewhere (tmpfs /dev filled by mdev): find the device by
 * its number and hand the file to that device's operations. */
static int chrdev_open(struct inode *inode, struct file *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		if (devs[i].fops && devs[i].rdev == inode->i_rdev && S_ISCHR(devs[i].mode)) {
			f->f_op = devs[i].fops;
			return f->f_op->open ? f->f_op->open(inode, f) : 0;
		}
	}
	return -ENXIO;
}

const struct file_operations chrdev_fops = { .open = chrdev_open };

int devfs_add_node(const char *name, umode_t mode, uint64_t rdev, const struct file_operations *fops)
{
	if (nextra == DEVFS_EXTRA || strlen(name) >= sizeof(extra[0].name))
		return -ENOSPC;
	bool is_new;
	struct inode *in = iget(&devfs_sb, 2 + ARRAY_SIZE(devs) + nextra, &is_new);
	in->i_mode = mode;
	in->i_rdev = rdev;
	in->i_op = &devfs_iops;
	in->i_fop = fops;
	in->i_blksize = 4096;
	strlcpy(extra[nextra].name, name, sizeof(extra[0].name));
	extra[nextra++].inode = in;	/* pinned */
	return 0;
}

void devfs_init(void)
{
	bool is_new;
	devfs_root = iget(&devfs_sb, 1, &is_new);
	devfs_root->i_mode = S_IFDIR | 0755;
	devfs_root->i_nlink = 2;
	devfs_root->i_op = &devfs_dir_iops;
	devfs_root->i_fop = &devfs_dir_fops;
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		struct inode *in = iget(&devfs_sb, i + 2, &is_new);
		in->i_mode = devs[i].mode;
		in->i_rdev = devs[i].rdev;
		in->i_gid = devs[i].gid;
		in->i_op = &devfs_iops;
		in->i_fop = devs[i].fops;
		if (S_ISDIR(devs[i].mode)) {
			in->i_op = &devfs_empty_dir_iops;
			in->i_fop = &devfs_empty_dir_fops;
			in->i_nlink = 2;
		}
		in->i_private = (void *)devs[i].link;
		in->i_size = devs[i].link ? strlen(devs[i].link) : 0;
		in->i_blksize = 4096;
		dev_inodes[i] = in;	/* pinned */
	}
	ubd_init();
	devfs_sb.s_root = d_make_root(igrab(devfs_root));
	int err = vfs_mount(&devfs_sb, "/dev", 0, "devtmpfs");
	if (err)
		printk(KERN_WARNING "devfs: cannot mount on /dev: %d\n", err);
	else
		devpts_init();
}
