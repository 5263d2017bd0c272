/* devtmpfs: /dev as a tmpfs instance, as Linux's devtmpfs is a shmem
 * mount. One superblock is shared by every mount of it. At first use it
 * is filled with the nodes registered by the files that implement them
 * (DEVFS_NODE: memory devices, the console and /dev/tty, /dev/ptmx; and
 * DEVFS_LINK: /dev/fd, /dev/stdin..stderr, which Linux's init/udev make)
 * and the empty directories pts and shm; devices found at run time
 * (block devices, console lines) come and go with devfs_add_node and
 * devfs_remove_node. Everything else is tmpfs: root may mknod, mkdir,
 * symlink, unlink, rename, chmod and chown, under the usual permission
 * checks. A character node made by mknod (here or on any filesystem)
 * opens the device registered under its number (chrdev_fops), or fails
 * with ENXIO. */
#include <umk/fs.h>
#include <umk/tty.h>
#include <umk/sched.h>
#include "internal.h"
#include "tmpfs.h"

#define DEVTMPFS_MAGIC 0x01021994	/* TMPFS_MAGIC, as Linux's statfs says */

DEVFS_LINK(fd, "fd", "/proc/self/fd");
DEVFS_LINK(stdin, "stdin", "/proc/self/fd/0");
DEVFS_LINK(stdout, "stdout", "/proc/self/fd/1");
DEVFS_LINK(stderr, "stderr", "/proc/self/fd/2");
DEVFS_NODE(pts, "pts", S_IFDIR | 0755, 0, 0, NULL);	/* devpts is mounted here */
/* boot scripts mount a tmpfs here (POSIX shared memory and semaphores) */
DEVFS_NODE(shm, "shm", S_IFDIR | 0755, 0, 0, NULL);

umk_section_declare(const struct devfs_node, umk_devnodes);

#define DEVFS_BOOT_MAX 64		/* DEVFS_NODE/DEVFS_LINK registrations */

/* Character devices registered at run time, by number (chrdev_open). */
#define DEVFS_RUNTIME_MAX 128
static struct { uint64_t rdev; const struct file_operations *fops; char name[32]; } runtime[DEVFS_RUNTIME_MAX];
static size_t nruntime;

static struct super_block *devfs_sb;
static struct inode *pts_dir;		/* the "pts" directory made at boot */
static struct inode_operations devfs_root_iops;
static struct super_operations devfs_sops;	/* tmpfs's, but never freed */

/* /dev/pts shows devpts even where nothing is mounted on it (a second
 * devtmpfs mount over /dev hides the boot-time devpts mount; programs
 * opening /dev/ptmx still find their slave); once removed it is gone. */
static struct inode *devfs_root_lookup(struct inode *dir, const char *name)
{
	struct inode *i = tmpfs_dir_lookup(dir, name);
	if (!IS_ERR(i) && i == pts_dir && devpts_root_inode()) {
		iput(i);
		return igrab(devpts_root_inode());
	}
	return i;
}

static void add_registered(struct inode *root, const struct devfs_node *d)
{
	struct inode *in;
	if (d->link) {
		int err = root->i_op->symlink(root, d->name, d->link);
		if (err)
			panic("devtmpfs: cannot add /dev/%s: %d", d->name, err);
		return;
	}
	in = tmpfs_kern_node(root, d->name, d->mode, NULL, d->fops, NULL);
	if (!in)
		panic("devtmpfs: cannot add /dev/%s", d->name);
	in->i_rdev = d->rdev;
	in->i_uid = 0;
	in->i_gid = d->gid;
	if (!strcmp(d->name, "pts"))
		pts_dir = in;
}

static struct super_block *devfs_get_sb(void)
{
	if (devfs_sb)
		return devfs_sb;
	struct super_block *sb = tmpfs_new_sb("devtmpfs", DEVTMPFS_MAGIC, "mode=0755");
	if (IS_ERR(sb))
		panic("devtmpfs: cannot make its superblock");
	/* like Linux's internal devtmpfs mount, the tree outlives umount */
	devfs_sops = *sb->s_op;
	devfs_sops.put_super = NULL;
	sb->s_op = &devfs_sops;
	struct inode *root = sb->s_root->d_inode;
	root->i_uid = root->i_gid = 0;
	devfs_root_iops = *root->i_op;
	devfs_root_iops.lookup = devfs_root_lookup;
	root->i_op = &devfs_root_iops;
	/* by name (section order is link order), so readdir lists them sorted */
	const struct devfs_node *sorted[DEVFS_BOOT_MAX];
	size_t n = 0;
	umk_section_foreach(const struct devfs_node, umk_devnodes, d) {
		if (n == DEVFS_BOOT_MAX)
			panic("devtmpfs: more than %d registered nodes", DEVFS_BOOT_MAX);
		size_t j = n++;
		for (; j > 0 && strcmp(sorted[j - 1]->name, d->name) > 0; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = d;
	}
	for (size_t i = 0; i < n; i++)
		add_registered(root, sorted[i]);
	devfs_sb = sb;
	return sb;
}

/* A character device node anywhere: find the device by its number and
 * hand the file to that device's operations. */
static int chrdev_open(struct inode *inode, struct file *f)
{
	umk_section_foreach(const struct devfs_node, umk_devnodes, n) {
		if (n->fops && n->rdev == inode->i_rdev && S_ISCHR(n->mode)) {
			f->f_op = n->fops;
			return f->f_op->open ? f->f_op->open(inode, f) : 0;
		}
	}
	for (size_t i = 0; i < nruntime; i++)
		if (runtime[i].rdev == inode->i_rdev) {
			f->f_op = runtime[i].fops;
			return f->f_op->open ? f->f_op->open(inode, f) : 0;
		}
	return -ENXIO;
}

const struct file_operations chrdev_fops = { .open = chrdev_open };

int devfs_add_node(const char *name, umode_t mode, uint64_t rdev, gid_t gid, const struct file_operations *fops)
{
	struct inode *root = devfs_get_sb()->s_root->d_inode;
	if (S_ISCHR(mode) && fops) {
		if (nruntime == DEVFS_RUNTIME_MAX || strlen(name) >= sizeof(runtime[0].name))
			return -ENOSPC;
	}
	struct inode *in = tmpfs_kern_node(root, name, mode, NULL, fops, NULL);
	if (!in)
		return tmpfs_lookup_kern(root, name) ? -EEXIST : -ENOSPC;
	in->i_rdev = rdev;
	in->i_uid = 0;
	in->i_gid = gid;
	if (S_ISCHR(mode) && fops) {
		runtime[nruntime].rdev = rdev;
		runtime[nruntime].fops = fops;
		strlcpy(runtime[nruntime++].name, name, sizeof(runtime[0].name));
	}
	return 0;
}

/* A device that went away (hot-unplug): its node goes (if nobody renamed
 * or removed it); files already open on it keep the inode. */
int devfs_remove_node(const char *name)
{
	for (size_t i = 0; i < nruntime; i++)
		if (!strcmp(runtime[i].name, name)) {
			memmove(&runtime[i], &runtime[i + 1], (nruntime - i - 1) * sizeof(runtime[0]));
			nruntime--;
			break;
		}
	return tmpfs_remove_kern(devfs_get_sb()->s_root->d_inode, name);
}

static int devfs_init(void)
{
	devfs_get_sb();
	return 0;
}
fs_initcall(devfs_init);

static struct super_block *devfs_mount(const struct file_system_type *type __unused, struct fs_mount *m __unused)
{
	return devfs_get_sb();
}

static const struct file_system_type devfs_type = { .name = "devtmpfs", .mount = devfs_mount };
DEFINE_FILESYSTEM(devfs_type);
