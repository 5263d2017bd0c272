/* devpts: the filesystem of pty slaves, mounted at /dev/pts at boot.
 * It holds "ptmx" (c 5,2, mode 0000 as Linux's default ptmxmode) and one
 * node N (c 136+N/256, N%256; owner the opener, group tty, mode 0620 as
 * Debian's gid=5,mode=620) per pair whose master is open. */
#include <umk/fs.h>
#include <umk/sched.h>
#include "tty_internal.h"
#include "pty.h"

#define NPTY 1024
#define DEVPTS_MAGIC 0x1cd1
#define TTY_GID 5

static struct super_block devpts_sb = { .s_type = "devpts", .s_dev = MKDEV(0, 22), .s_magic = DEVPTS_MAGIC };
static struct inode *root, *ptmx_node;
static struct inode *nodes[NPTY];
static bool used[NPTY];

int devpts_new_index(void)
{
	for (int i = 0; i < NPTY; i++)
		if (!used[i]) {
			used[i] = true;
			return i;
		}
	return -ENOSPC;
}

void devpts_kill_index(int index)
{
	used[index] = false;
}

static void stamp(struct inode *in)
{
	in->i_atime = in->i_mtime = in->i_ctime = current_time();
	in->i_blksize = 1024;
}

static int devpts_setattr(struct inode *in, const struct iattr *ia)
{
	if (ia->valid & ATTR_SIZE)
		return 0;
	if (ia->valid & ATTR_MODE)
		in->i_mode = (in->i_mode & S_IFMT) | (ia->mode & 07777);
	if (ia->valid & ATTR_UID)
		in->i_uid = ia->uid;
	if (ia->valid & ATTR_GID)
		in->i_gid = ia->gid;
	struct kts now = current_time();
	if (ia->valid & ATTR_ATIME)
		in->i_atime = ia->atime.tv_nsec == UTIME_NOW ? now : ia->atime;
	if (ia->valid & ATTR_MTIME)
		in->i_mtime = ia->mtime.tv_nsec == UTIME_NOW ? now : ia->mtime;
	in->i_ctime = now;
	return 0;
}

static const struct inode_operations devpts_node_iops = { .setattr = devpts_setattr };
static const struct file_operations ptmx_fops = { .open = ptmx_open };
DEVFS_NODE(ptmx, "ptmx", S_IFCHR | 0666, MKDEV(5, 2), 5, &ptmx_fops);

struct inode *devpts_pty_new(struct pty *p)
{
	bool is_new;
	struct inode *in = iget(&devpts_sb, p->index + 3, &is_new);
	in->i_mode = S_IFCHR | 0620;
	in->i_nlink = 1;
	in->i_uid = current ? current->cred.fsuid : 0;
	in->i_gid = TTY_GID;
	in->i_rdev = p->slave.rdev;
	in->i_op = &devpts_node_iops;
	in->i_fop = &pts_fops;
	in->i_private = p;
	stamp(in);
	nodes[p->index] = in;
	return in;
}

void devpts_pty_kill(struct pty *p)
{
	struct inode *in = nodes[p->index];
	if (!in)
		return;
	nodes[p->index] = NULL;
	in->i_private = NULL;
	in->i_nlink = 0;
	p->node = NULL;
	iput(in);
}

static bool parse_index(const char *name, int *out)
{
	int v = 0;
	if (!*name || (name[0] == '0' && name[1]))
		return false;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || v >= NPTY)
			return false;
		v = v * 10 + (*name - '0');
	}
	*out = v;
	return v < NPTY;
}

static struct inode *devpts_lookup(struct inode *dir __unused, const char *name)
{
	int i;
	if (!strcmp(name, "ptmx"))
		return igrab(ptmx_node);
	if (parse_index(name, &i) && nodes[i])
		return igrab(nodes[i]);
	return ERR_PTR(-ENOENT);
}

static int devpts_iterate(struct file *f __unused, struct dir_context *ctx)
{
	while (ctx->pos < 3) {
		const char *n = ctx->pos == 0 ? "." : ctx->pos == 1 ? ".." : "ptmx";
		uint64_t ino = ctx->pos == 2 ? ptmx_node->i_ino : 1;
		if (!ctx->actor(ctx, n, strlen(n), ino, IFTODT(ctx->pos == 2 ? S_IFCHR : S_IFDIR)))
			return 0;
		ctx->pos++;
	}
	for (int i = ctx->pos - 3; i < NPTY; i++) {
		ctx->pos = i + 3;
		if (!nodes[i])
			continue;
		char name[12];
		snprintf(name, sizeof(name), "%d", i);
		if (!ctx->actor(ctx, name, strlen(name), nodes[i]->i_ino, IFTODT(S_IFCHR)))
			return 0;
	}
	ctx->pos = NPTY + 3;
	return 0;
}

static int devpts_statfs(struct super_block *sb __unused, struct inode *in __unused, struct kstatfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_type = DEVPTS_MAGIC;
	st->f_bsize = st->f_frsize = 4096;
	st->f_namelen = 255;
	return 0;
}

static const struct super_operations devpts_sops = { .statfs = devpts_statfs };
static const struct inode_operations devpts_dir_iops = { .lookup = devpts_lookup, .setattr = devpts_setattr };
static const struct file_operations devpts_dir_fops = { .iterate = devpts_iterate };

/* The single instance (no newinstance). */
static struct super_block *devpts_mount(const struct file_system_type *type __unused, struct fs_mount *m __unused)
{
	return &devpts_sb;
}

static const struct file_system_type devpts_type = { .name = "devpts", .mount = devpts_mount };
DEFINE_FILESYSTEM(devpts_type);

struct inode *devpts_root_inode(void)
{
	return root;
}

/* The devpts mount beside the master: the master's own mount if it was
 * opened as /dev/pts/ptmx, else the mount on "pts" next to /dev/ptmx. */
static struct vfsmount *peer_mount(struct file *master)
{
	struct vfsmount *m = master->f_path.mnt;
	if (!m)
		return NULL;
	if (m->mnt_sb == &devpts_sb)
		return m;
	struct dentry *dir = master->f_path.dentry ? master->f_path.dentry->d_parent : NULL;
	struct inode *d = dir ? dir->d_inode : NULL;
	if (!d || !d->i_op || !d->i_op->lookup)
		return NULL;
	struct inode *pts = d->i_op->lookup(d, "pts");
	if (IS_ERR(pts))
		return NULL;
	struct vfsmount *found = lookup_mnt(m, pts);
	iput(pts);
	return found && found->mnt_sb == &devpts_sb ? found : NULL;
}

struct file *devpts_open_peer(struct file *master, struct pty *p, unsigned flags)
{
	struct vfsmount *m = peer_mount(master);
	struct dentry *dir;
	if (!p->node)
		return ERR_PTR(-EIO);
	if (m) {
		dir = dget(m->mnt_root);
	} else if (master->f_path.mnt && master->f_path.dentry) {
		/* no devpts mount beside /dev/ptmx: devfs's own /dev/pts */
		m = master->f_path.mnt;
		dir = d_alloc(master->f_path.dentry->d_parent, "pts", igrab(root));
	} else {
		return ERR_PTR(-EIO);
	}
	char name[12];
	snprintf(name, sizeof(name), "%d", p->index);
	struct path path = { m, d_alloc(dir, name, igrab(p->node)) };
	dput(dir);
	struct file *f = dentry_open(&path, flags);
	dput(path.dentry);
	return f;
}

static int devpts_init(void)
{
	bool is_new;
	root = iget(&devpts_sb, 1, &is_new);
	root->i_mode = S_IFDIR | 0755;
	root->i_nlink = 2;
	root->i_op = &devpts_dir_iops;
	root->i_fop = &devpts_dir_fops;
	stamp(root);
	ptmx_node = iget(&devpts_sb, 2, &is_new);
	ptmx_node->i_mode = S_IFCHR;
	ptmx_node->i_nlink = 1;
	ptmx_node->i_rdev = MKDEV(5, 2);
	ptmx_node->i_op = &devpts_node_iops;
	ptmx_node->i_fop = &ptmx_fops;
	stamp(ptmx_node);
	devpts_sb.s_op = &devpts_sops;
	devpts_sb.s_root = d_make_root(igrab(root));
	return 0;
}
fs_initcall(devpts_init);
