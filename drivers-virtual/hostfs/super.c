/* hostfs: a host directory as the guest's root filesystem.
 *
 * Confinement: the guest never hands a path to the host. The VFS walks
 * guest paths one component at a time and every host call here names a
 * single component relative to an O_PATH handle of its directory, opened
 * with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
 * in arch-um/hostio.c. ".." is handled by the VFS against the guest root,
 * and symlinks are read (never followed by the host) and their bodies
 * walked by the VFS, so an absolute link target means the guest root.
 *
 * Ownership: files owned by the host user running umk appear owned by
 * root (uid 0 / gid 0 for the host user's primary group); any other host
 * uid/gid shows through unchanged. chown to 0 maps back to the host
 * user; chown to other ids is attempted on the host, which normally says
 * EPERM. Modes are the host's. Permission checks use the guest's
 * credentials against these mapped owners; the host then enforces its own
 * rules for the user running umk.
 *
 * Read-only unless "rw" was given: the mount is MNT_READONLY and the VFS
 * returns EROFS before anything reaches the host. */
#include "hostfs.h"
#include "hostfs_host.h"
#include <umk/mm.h>

static struct super_block hostfs_sb;
static int hostfs_mnt_flags;
static uint64_t root_dev;
static uint32_t host_uid, host_gid;
struct inode *hostfs_root_inode;
static const struct inode_operations hostfs_iops;

static uint64_t ino_key(const struct host_stat *st)
{
	/* st_ino from the root's device as is; other host devices below the
	 * root (host mount points) are folded in so keys stay distinct */
	return st->dev == root_dev ? st->ino : st->ino ^ (st->dev << 40) ^ (st->dev >> 24);
}

void hostfs_apply_stat(struct inode *i, const struct host_stat *st)
{
	i->i_mode = st->mode;
	i->i_nlink = st->nlink;
	i->i_uid = st->uid == host_uid ? 0 : st->uid;
	i->i_gid = st->gid == host_gid ? 0 : st->gid;
	i->i_rdev = st->rdev;
	i->i_size = st->size;
	i->i_blocks = st->blocks;
	i->i_blksize = st->blksize;
	i->i_dev = st->dev;
	i->i_atime = (struct kts){ st->atime_sec, st->atime_nsec };
	i->i_mtime = (struct kts){ st->mtime_sec, st->mtime_nsec };
	i->i_ctime = (struct kts){ st->ctime_sec, st->ctime_nsec };
}

/* Turn a fresh O_PATH handle into the (unique) inode for its object. */
static struct inode *hostfs_iget(int fd)
{
	struct host_stat st;
	int err = hostio_fstat(fd, &st);
	if (err) {
		hostio_close(fd);
		return ERR_PTR(err);
	}
	bool is_new;
	struct inode *i = iget(&hostfs_sb, ino_key(&st), &is_new);
	if (!is_new) {
		hostio_close(fd);
	} else {
		struct hostfs_inode *hi = kzalloc(sizeof(*hi));
		hi->fd = fd;
		i->i_private = hi;
		i->i_op = &hostfs_iops;
		if (S_ISREG(st.mode))
			i->i_fop = &hostfs_file_fops;
		else if (S_ISDIR(st.mode))
			i->i_fop = &hostfs_dir_fops;
		else
			i->i_fop = &hostfs_special_fops;
	}
	hostfs_apply_stat(i, &st);
	return i;
}

static struct inode *hostfs_lookup(struct inode *dir, const char *name)
{
	int fd = hostio_openat(hostfs_fd(dir), name, O_PATH, 0);
	if (fd < 0)
		return ERR_PTR(fd == -ELOOP ? -ENOENT : fd);
	return hostfs_iget(fd);
}

static int host_open_flags(unsigned flags)
{
	/* no O_APPEND on the host: writes are positional (pwrite) and the
	 * VFS computes the append position */
	return (flags & O_ACCMODE) | O_LARGEFILE;
}

static int hostfs_create(struct inode *dir, const char *name, umode_t mode, struct file *f)
{
	int iofd = hostio_openat(hostfs_fd(dir), name, host_open_flags(f->f_flags) | O_CREAT | O_EXCL, mode);
	if (iofd < 0)
		return iofd;
	int pfd = hostio_reopen(iofd, O_PATH);
	if (pfd < 0) {
		hostio_close(iofd);
		return pfd;
	}
	struct inode *i = hostfs_iget(pfd);
	if (IS_ERR(i)) {
		hostio_close(iofd);
		return PTR_ERR(i);
	}
	struct hostfs_file *hf = kzalloc(sizeof(*hf));
	hf->fd = iofd;
	f->private_data = hf;
	f->f_inode = i;
	f->f_op = i->i_fop;
	return 0;
}

static int hostfs_mkdir(struct inode *dir, const char *name, umode_t mode)
{
	return hostio_mkdirat(hostfs_fd(dir), name, mode);
}

static int hostfs_mknod(struct inode *dir, const char *name, umode_t mode, uint64_t dev __unused)
{
	/* no device nodes or fifos on the host tree; socket nodes are only
	 * names (AF_UNIX bind): the guest socket is found by the inode */
	if (!S_ISSOCK(mode))
		return -EPERM;
	return hostio_mknodat(hostfs_fd(dir), name, mode);
}

static int hostfs_rmdir(struct inode *dir, const char *name)
{
	return hostio_unlinkat(hostfs_fd(dir), name, true);
}

static int hostfs_unlink(struct inode *dir, const char *name)
{
	return hostio_unlinkat(hostfs_fd(dir), name, false);
}

static int hostfs_symlink(struct inode *dir, const char *name, const char *target)
{
	return hostio_symlinkat(target, hostfs_fd(dir), name);
}

static int hostfs_link(struct inode *old, struct inode *dir, const char *name)
{
	return hostio_linkat(hostfs_fd(old), hostfs_fd(dir), name);
}

static int hostfs_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname, unsigned flags)
{
	return hostio_renameat(hostfs_fd(odir), oname, hostfs_fd(ndir), nname, flags);
}

static ssize_t hostfs_readlink(struct inode *inode, char *buf, size_t n)
{
	ssize_t r = hostio_readlink(hostfs_fd(inode), buf, n - 1);
	if (r >= 0)
		buf[r] = 0;
	return r;
}

static int hostfs_getattr(struct inode *inode)
{
	struct host_stat st;
	int err = hostio_fstat(hostfs_fd(inode), &st);
	if (!err)
		hostfs_apply_stat(inode, &st);
	return err;
}

static int hostfs_setattr(struct inode *inode, const struct iattr *ia)
{
	int fd = hostfs_fd(inode), err = 0;
	if (ia->valid & ATTR_MODE)
		err = hostio_fchmod(fd, ia->mode);
	if (!err && (ia->valid & (ATTR_UID | ATTR_GID))) {
		uint32_t uid = (ia->valid & ATTR_UID) ? (ia->uid == 0 ? host_uid : ia->uid) : (uint32_t)-1;
		uint32_t gid = (ia->valid & ATTR_GID) ? (ia->gid == 0 ? host_gid : ia->gid) : (uint32_t)-1;
		err = hostio_fchown(fd, uid, gid);
	}
	if (!err && (ia->valid & ATTR_SIZE)) {
		err = hostio_ftruncate(fd, ia->size);
		if (!err && inode->i_pages)
			filemap_truncate(inode->i_pages, ia->size);
	}
	if (!err && (ia->valid & (ATTR_ATIME | ATTR_MTIME))) {
		int64_t t[4] = { ia->atime.tv_sec, ia->atime.tv_nsec, ia->mtime.tv_sec, ia->mtime.tv_nsec };
		if (!(ia->valid & ATTR_ATIME))
			t[1] = UTIME_OMIT;
		if (!(ia->valid & ATTR_MTIME))
			t[3] = UTIME_OMIT;
		err = hostio_futimens(fd, t);
	}
	hostfs_getattr(inode);
	return err;
}

static const struct inode_operations hostfs_iops = {
	.lookup = hostfs_lookup, .create = hostfs_create, .mkdir = hostfs_mkdir,
	.mknod = hostfs_mknod, .rmdir = hostfs_rmdir, .unlink = hostfs_unlink,
	.symlink = hostfs_symlink, .link = hostfs_link, .rename = hostfs_rename,
	.readlink = hostfs_readlink, .getattr = hostfs_getattr, .setattr = hostfs_setattr,
};

static int hostfs_statfs(struct super_block *sb __unused, struct inode *inode, struct kstatfs *st)
{
	struct host_statfs h;
	int err = hostio_fstatfs(hostfs_fd(inode), &h);
	if (err)
		return err;
	*st = (struct kstatfs){
		.f_type = h.type, .f_bsize = h.bsize, .f_frsize = h.frsize, .f_namelen = h.namelen,
		.f_flags = h.flags, .f_blocks = h.blocks, .f_bfree = h.bfree, .f_bavail = h.bavail,
		.f_files = h.files, .f_ffree = h.ffree, .f_fsid = h.fsid,
	};
	if (hostfs_mnt_flags & MNT_READONLY)
		st->f_flags |= 1;	/* ST_RDONLY */
	return 0;
}

static void hostfs_evict(struct inode *inode)
{
	struct hostfs_inode *hi = inode->i_private;
	if (hi) {
		hostio_close(hi->fd);
		kfree(hi);
	}
}

static void hostfs_sync_fs(struct super_block *sb __unused)
{
	hostio_sync();
}

static const struct super_operations hostfs_sops = {
	.statfs = hostfs_statfs, .evict_inode = hostfs_evict, .sync_fs = hostfs_sync_fs,
};

/* The host tree is set up at its first mount. It is exported read-only
 * when the guest boots from it read-only (later mounts stay read-only
 * too), read-write when the root is elsewhere or mounted rw. */
static int hostfs_setup(const char *hostdir, bool rw)
{
	int fd = hostio_open_root(hostdir);
	if (fd < 0)
		return fd;
	struct host_stat st;
	int err = hostio_fstat(fd, &st);
	if (err) {
		hostio_close(fd);
		return err;
	}
	host_uid = hostio_getuid();
	host_gid = hostio_getgid();
	root_dev = st.dev;
	hostfs_sb = (struct super_block){
		.s_type = "hostfs", .s_dev = st.dev, .s_magic = 0x00c0ffee, .s_op = &hostfs_sops,
	};
	struct inode *root = hostfs_iget(fd);
	if (IS_ERR(root))
		return PTR_ERR(root);
	hostfs_root_inode = root;
	hostfs_sb.s_root = d_make_root(root);
	hostfs_mnt_flags = rw ? 0 : MNT_READONLY;
	return 0;
}

/* mount -t hostfs none DIR -o SUBDIR: SUBDIR is walked below the
 * exported directory by the VFS, so it cannot escape it. */
static struct super_block *hostfs_mount(const struct file_system_type *type __unused, struct fs_mount *m)
{
	if (!hostfs_sb.s_root) {
		const char *dir = hostfs_host_dir();
		if (!dir) {
			m->why = "no host directory: give hostfs=DIR";
			return ERR_PTR(-ENODEV);
		}
		int err = hostfs_setup(dir, !m->is_root || !(m->mnt_flags & MNT_READONLY));
		if (err) {
			m->why = "cannot open the hostfs= directory";
			return ERR_PTR(err);
		}
	}
	m->mnt_flags |= hostfs_mnt_flags;
	if (!m->is_root) {
		int err = vfs_subtree(&hostfs_sb, m->data, &m->root);
		if (err)
			return ERR_PTR(err);
	}
	return &hostfs_sb;
}

static const struct file_system_type hostfs_type = {
	.name = "hostfs", .fs_flags = FS_NODEV_ROOT, .mount = hostfs_mount,
};
DEFINE_FILESYSTEM(hostfs_type);
