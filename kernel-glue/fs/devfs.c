/* devtmpfs: the small fixed /dev. Its nodes register themselves from the
 * files that implement them (DEVFS_NODE: memory devices, the console and
 * /dev/tty, /dev/ptmx) and are listed by name; nodes for devices found at
 * boot (block devices) are added after them by devfs_add_node. Inodes are
 * pinned so chmod/chown of a device node last until reboot. */
#include <umk/fs.h>
#include <umk/tty.h>
#include <umk/sched.h>
#include "internal.h"

DEVFS_LINK(fd, "fd", "/proc/self/fd");
DEVFS_LINK(stdin, "stdin", "/proc/self/fd/0");
DEVFS_LINK(stdout, "stdout", "/proc/self/fd/1");
DEVFS_LINK(stderr, "stderr", "/proc/self/fd/2");
DEVFS_NODE(pts, "pts", S_IFDIR | 0755, 0, 0, NULL);	/* devpts is mounted here */
/* boot scripts mount a tmpfs here (POSIX shared memory and semaphores) */
DEVFS_NODE(shm, "shm", S_IFDIR | 0755, 0, 0, NULL);

umk_section_declare(const struct devfs_node, umk_devnodes);

#define DEVFS_MAX 256
static struct { char name[16]; struct inode *inode; const struct devfs_node *node; } nodes[DEVFS_MAX];
static size_t nnodes;
static uint64_t next_ino = 2;	/* never reused: a removed node's inode may still be open */

static struct super_block devfs_sb = { .s_type = "devtmpfs", .s_dev = MKDEV(0, 5), .s_magic = 0x01021994 };
static struct inode *devfs_root;

static struct inode *devfs_lookup(struct inode *dir __unused, const char *name)
{
	if (!strcmp(name, "pts") && devpts_root_inode())
		return igrab(devpts_root_inode());
	for (size_t i = 0; i < nnodes; i++)
		if (!strcmp(nodes[i].name, name))
			return igrab(nodes[i].inode);
	return ERR_PTR(-ENOENT);
}

static int devfs_iterate(struct file *f __unused, struct dir_context *ctx)
{
	while (ctx->pos < 2) {
		if (!ctx->actor(ctx, ctx->pos ? ".." : ".", ctx->pos + 1, 1, IFTODT(S_IFDIR)))
			return 0;
		ctx->pos++;
	}
	for (size_t i = ctx->pos - 2; i < nnodes; i++) {
		struct inode *in = nodes[i].inode;
		if (!ctx->actor(ctx, nodes[i].name, strlen(nodes[i].name), in->i_ino, IFTODT(in->i_mode)))
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

/* A device node elsewhere (tmpfs /dev filled by mdev): find the device by
 * its number and hand the file to that device's operations. */
static int chrdev_open(struct inode *inode, struct file *f)
{
	umk_section_foreach(const struct devfs_node, umk_devnodes, n) {
		if (n->fops && n->rdev == inode->i_rdev && S_ISCHR(n->mode)) {
			f->f_op = n->fops;
			return f->f_op->open ? f->f_op->open(inode, f) : 0;
		}
	}
	/* devices added at run time (devfs_add_node): serial lines, consoles */
	for (size_t i = 0; i < nnodes; i++) {
		struct inode *in = nodes[i].inode;
		if (S_ISCHR(in->i_mode) && in->i_rdev == inode->i_rdev && in->i_fop && in->i_fop != &chrdev_fops) {
			f->f_op = in->i_fop;
			return f->f_op->open ? f->f_op->open(inode, f) : 0;
		}
	}
	return -ENXIO;
}

const struct file_operations chrdev_fops = { .open = chrdev_open };

static struct inode *add_node(const char *name, umode_t mode, uint64_t rdev, const struct file_operations *fops)
{
	if (nnodes == DEVFS_MAX || strlen(name) >= sizeof(nodes[0].name))
		return NULL;
	for (size_t i = 0; i < nnodes; i++)
		if (!strcmp(nodes[i].name, name))
			panic("devtmpfs: /dev/%s is registered twice", name);
	bool is_new;
	struct inode *in = iget(&devfs_sb, next_ino++, &is_new);
	in->i_mode = mode;
	in->i_rdev = rdev;
	in->i_op = &devfs_iops;
	in->i_fop = fops;
	in->i_blksize = 4096;
	strlcpy(nodes[nnodes].name, name, sizeof(nodes[0].name));
	nodes[nnodes++].inode = in;	/* pinned */
	return in;
}

int devfs_add_node(const char *name, umode_t mode, uint64_t rdev, gid_t gid, const struct file_operations *fops)
{
	struct inode *in = add_node(name, mode, rdev, fops);
	if (!in)
		return -ENOSPC;
	in->i_gid = gid;
	return 0;
}

/* A device that went away (hot-unplug): its node goes; files already
 * open on it keep the inode. */
int devfs_remove_node(const char *name)
{
	for (size_t i = 0; i < nnodes; i++)
		if (!strcmp(nodes[i].name, name)) {
			struct inode *in = nodes[i].inode;
			memmove(&nodes[i], &nodes[i + 1], (nnodes - i - 1) * sizeof(nodes[0]));
			nnodes--;
			in->i_nlink = 0;
			iput(in);	/* the pin */
			return 0;
		}
	return -ENOENT;
}

static int devfs_init(void)
{
	bool is_new;
	devfs_root = iget(&devfs_sb, 1, &is_new);
	devfs_root->i_mode = S_IFDIR | 0755;
	devfs_root->i_nlink = 2;
	devfs_root->i_op = &devfs_dir_iops;
	devfs_root->i_fop = &devfs_dir_fops;
	/* the registered nodes, by name (section order is link order) */
	const struct devfs_node *sorted[DEVFS_MAX];
	size_t n = 0;
	umk_section_foreach(const struct devfs_node, umk_devnodes, d) {
		if (n == DEVFS_MAX)
			panic("devtmpfs: more than %d registered nodes", DEVFS_MAX);
		size_t j = n++;
		for (; j > 0 && strcmp(sorted[j - 1]->name, d->name) > 0; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = d;
	}
	for (size_t i = 0; i < n; i++) {
		const struct devfs_node *d = sorted[i];
		struct inode *in = add_node(d->name, d->mode, d->rdev, d->fops);
		if (!in)
			panic("devtmpfs: cannot add /dev/%s", d->name);
		in->i_gid = d->gid;
		if (S_ISDIR(d->mode)) {
			in->i_op = &devfs_empty_dir_iops;
			in->i_fop = &devfs_empty_dir_fops;
			in->i_nlink = 2;
		}
		in->i_private = (void *)d->link;
		in->i_size = d->link ? strlen(d->link) : 0;
	}
	devfs_sb.s_root = d_make_root(igrab(devfs_root));
	return 0;
}
fs_initcall(devfs_init);

static struct super_block *devfs_mount(const struct file_system_type *type __unused, struct fs_mount *m __unused)
{
	return &devfs_sb;
}

static const struct file_system_type devfs_type = { .name = "devtmpfs", .mount = devfs_mount };
DEFINE_FILESYSTEM(devfs_type);
