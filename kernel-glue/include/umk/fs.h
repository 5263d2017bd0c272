/* The VFS: inodes, dentries, mounts, open files, and the interfaces the
 * rest of the kernel uses (exec, mm, /proc). Filesystems fill in the
 * operation tables below; the syscalls in kernel-glue/fs/ do the generic
 * part (path walk, permission checks, descriptor tables). */
#ifndef UMK_FS_H
#define UMK_FS_H
#include <umk/kernel.h>
#include <umk/wait.h>
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <linux/poll.h>
#include <linux/limits.h>
#include <linux/fs.h>
#include <umk/init.h>

struct page_cache;
struct file;
struct super_block;
struct vfsmount;
struct dentry;
struct poll_table;
struct fsnotify_conn;

struct kts { int64_t tv_sec, tv_nsec; };

/* d_type of a mode, as getdents reports it */
#define IFTODT(mode) (((mode) & S_IFMT) >> 12)
#define MKDEV(ma, mi) ((((uint64_t)(ma) & 0xfff) << 8) | ((mi) & 0xff) | (((uint64_t)(mi) & ~0xffull) << 12))

/* One in-memory inode per filesystem object: filesystems look inodes up
 * with iget() so (sb, ino) is unique, which the page cache relies on. */
struct inode {
	uint64_t i_ino;
	uint64_t i_dev;			/* st_dev as the guest sees it */
	umode_t i_mode;
	uint32_t i_nlink;
	uid_t i_uid;
	gid_t i_gid;
	uint64_t i_rdev;
	loff_t i_size;
	uint64_t i_blocks;		/* 512-byte units */
	uint32_t i_blksize;
	struct kts i_atime, i_mtime, i_ctime;
	int i_count;
	struct super_block *i_sb;
	const struct inode_operations *i_op;
	const struct file_operations *i_fop;
	struct page_cache *i_pages;	/* owned by mm; NULL until mapped */
	void *i_private;		/* filesystem data */
	struct list_head i_hash;
	bool i_sealable;		/* tmpfs files: F_ADD_SEALS/F_GET_SEALS work */
	unsigned i_seals;		/* F_SEAL_* (memfd.c) */
	struct fsnotify_conn *i_fsnotify;	/* watchers' marks (fsnotify.h); NULL: none */
	int i_openers;			/* opened files on it (fsnotify: IN_DELETE_SELF waits for them) */
};

/* A name in a directory. Dentries are not cached: a lookup makes a fresh
 * one, and its parent chain is the path it was reached by (for getcwd,
 * "..", /proc/PID/fd). Identity of objects is the inode, not the dentry. */
struct dentry {
	int d_count;
	struct dentry *d_parent;	/* itself for a filesystem root */
	struct inode *d_inode;
	char *d_name;
};

struct path { struct vfsmount *mnt; struct dentry *dentry; };

#define MNT_READONLY	0x1
#define MNT_NOSUID	0x2
#define MNT_NODEV	0x4
#define MNT_NOEXEC	0x8
#define MNT_NOATIME	0x10
#define MNT_NODIRATIME	0x20
#define MNT_RELATIME	0x40
#define MNT_DETACHED	0x1000	/* umount2(MNT_DETACH)ed: off the table */
struct vfsmount {
	struct list_head mnt_list;
	struct vfsmount *mnt_parent;	/* NULL for the root mount */
	struct dentry *mnt_mountpoint;	/* in mnt_parent */
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
	int mnt_flags;
	char *mnt_devname;
	int mnt_id;			/* /proc/PID/mountinfo */
};

struct kstatfs {
	int64_t f_type, f_bsize, f_frsize, f_namelen, f_flags;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	uint64_t f_fsid;
};

struct super_operations {
	int (*statfs)(struct super_block *sb, struct inode *inode, struct kstatfs *st);
	void (*evict_inode)(struct inode *inode);	/* free i_private */
	void (*sync_fs)(struct super_block *sb);
	/* ",opt=val..." for /proc/mounts (only non-defaults, as Linux) */
	void (*show_options)(struct super_block *sb, struct sbuf *out);
	/* the last mount went away: free the filesystem (tmpfs) */
	void (*put_super)(struct super_block *sb);
	/* mount -o remount: the filesystem turns read-only/read-write as
	 * MNT_READONLY in *mnt_flags says (or refuses) */
	int (*remount)(struct super_block *sb, int *mnt_flags);
	/* power-off: write everything out and leave the disk clean */
	void (*shutdown)(struct super_block *sb);
};

struct super_block {
	const char *s_type;		/* "hostfs", "proc", ... for /proc/mounts */
	uint64_t s_dev;
	unsigned long s_magic;
	const struct super_operations *s_op;
	struct dentry *s_root;
	void *s_fs_info;
};

struct kstat {
	uint64_t dev, ino, rdev;
	umode_t mode;
	uint32_t nlink, blksize;
	uid_t uid;
	gid_t gid;
	loff_t size;
	uint64_t blocks;
	struct kts atime, mtime, ctime;
};

/* setattr requests; times may carry UTIME_NOW / UTIME_OMIT in tv_nsec */
#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif
#define ATTR_MODE	0x1
#define ATTR_UID	0x2
#define ATTR_GID	0x4
#define ATTR_SIZE	0x8
#define ATTR_ATIME	0x10
#define ATTR_MTIME	0x20
struct iattr {
	unsigned valid;
	umode_t mode;
	uid_t uid;
	gid_t gid;
	loff_t size;
	struct kts atime, mtime;
};

struct inode_operations {
	/* Return the child inode (+1 ref) or ERR_PTR(-ENOENT...). */
	struct inode *(*lookup)(struct inode *dir, const char *name);
	/* Create a regular file and open it into f (f->f_inode set by fs). */
	int (*create)(struct inode *dir, const char *name, umode_t mode, struct file *f);
	int (*mkdir)(struct inode *dir, const char *name, umode_t mode);
	int (*mknod)(struct inode *dir, const char *name, umode_t mode, uint64_t dev);
	int (*rmdir)(struct inode *dir, const char *name);
	int (*unlink)(struct inode *dir, const char *name);
	int (*symlink)(struct inode *dir, const char *name, const char *target);
	int (*link)(struct inode *old, struct inode *dir, const char *name);
	int (*rename)(struct inode *odir, const char *oname, struct inode *ndir, const char *nname, unsigned flags);
	/* Symlink body, NUL-terminated, into buf of size n; length or -errno. */
	ssize_t (*readlink)(struct inode *inode, char *buf, size_t n);
	/* Refresh the cached attributes (hostfs: the host may change them). */
	int (*getattr)(struct inode *inode);
	int (*setattr)(struct inode *inode, const struct iattr *ia);
};

/* readdir: the actor returns false when the caller's buffer is full. */
struct dir_context {
	bool (*actor)(struct dir_context *ctx, const char *name, size_t len, uint64_t ino, unsigned type);
	loff_t pos;	/* the filesystem advances this past each accepted entry */
};

/* Buffers are kernel memory: the syscall layer bounces guest data. */
struct file_operations {
	int (*open)(struct inode *inode, struct file *f);
	ssize_t (*read)(struct file *f, void *buf, size_t n, loff_t *pos);
	ssize_t (*write)(struct file *f, const void *buf, size_t n, loff_t *pos);
	loff_t (*llseek)(struct file *f, loff_t off, int whence);	/* NULL: generic */
	long (*ioctl)(struct file *f, unsigned cmd, unsigned long arg);	/* arg: guest value */
	int (*iterate)(struct file *f, struct dir_context *ctx);
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	int (*fsync)(struct file *f, bool datasync);
	void (*release)(struct inode *inode, struct file *f);
	/* Each close of a descriptor of f, by the closing task (Linux's
	 * ->flush; POSIX message queues drop their owner's notification). */
	void (*flush)(struct file *f);
	/* Memory the object owns, mapped as it is (a packet socket's ring;
	 * NULL: only regular files map, through the page cache). mmap checks
	 * a request for len bytes from page pgoff: 0 or -errno. map_page
	 * gives the frame behind page pgoff with a reference for the
	 * mapping; false if there is none (SIGBUS). */
	int (*mmap)(struct file *f, uint64_t pgoff, uint64_t len);
	bool (*map_page)(struct file *f, uint64_t pgoff, uint64_t *pfn);
	/* extra /proc/PID/fdinfo lines (inotify's watches); NULL: none */
	void (*show_fdinfo)(struct file *f, struct sbuf *out);
	/* fallocate(2) after the generic checks (fs/fallocate.c): mode is
	 * one Linux accepts; NULL: EOPNOTSUPP. */
	long (*fallocate)(struct file *f, int mode, loff_t off, loff_t len);
	unsigned fop_flags;	/* FOP_* */
};
/* read(2) fills the whole buffer (up to MAX_RW_COUNT) from this stream
 * unless a signal is pending, as Linux's /dev/zero and /dev/urandom do;
 * other streams return after one read op. */
#define FOP_WHOLE_READ	0x1
/* write(2) drops the bytes without reading the caller's buffer (Linux's
 * write_null: /dev/null and /dev/zero take any pointer). */
#define FOP_DISCARD_WRITE	0x2

#define FMODE_READ	0x1
#define FMODE_WRITE	0x2
#define FMODE_LSEEK	0x4	/* lseek allowed (else -ESPIPE) */
#define FMODE_PREAD	0x8	/* pread/pwrite allowed */
#define FMODE_PATH	0x10	/* O_PATH: no I/O */
#define FMODE_NOTIFY	0x20	/* counted in i_openers; close reports (fsnotify.h) */
#define FMODE_NONOTIFY	0x40	/* no fsnotify events for this file (fanotify's event fds) */

struct file {
	int f_count;
	unsigned f_flags;		/* O_* as given to open (minus O_CREAT...) */
	unsigned f_mode;		/* FMODE_* */
	loff_t f_pos;
	struct path f_path;
	struct inode *f_inode;
	const struct file_operations *f_op;
	void *private_data;
};

/* select/poll: a file adds the wait queues it would wake to the table. */
struct poll_table {
	void (*qproc)(struct file *f, struct wait_queue_head *wq, struct poll_table *pt);
	void *priv;
};
static inline void poll_wait(struct file *f, struct wait_queue_head *wq, struct poll_table *pt)
{
	if (pt && pt->qproc && wq)
		pt->qproc(f, wq, pt);
}
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
unsigned vfs_poll(struct file *f, struct poll_table *pt);

/* ---- inodes and dentries (fs/inode.c, fs/dentry.c) ---- */
/* Find (sb, ino) or make a new inode (*is_new = true, i_count 1, fields 0). */
struct inode *iget(struct super_block *sb, uint64_t ino, bool *is_new);
struct inode *new_inode(struct super_block *sb);	/* unhashed */
struct inode *igrab(struct inode *inode);
void iput(struct inode *inode);
struct dentry *d_alloc(struct dentry *parent, const char *name, struct inode *inode);	/* takes the inode ref */
struct dentry *d_make_root(struct inode *root);
struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
void path_get(const struct path *p);
void path_put(const struct path *p);
static inline bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry->d_inode == b->dentry->d_inode;
}
struct kts current_time(void);
void inode_apply_attrs(struct inode *inode, const struct iattr *ia);
void sync_inodes(void);
/* fn on every inode of sb in the cache (fn must not drop references). */
void for_each_cached_inode(struct super_block *sb, void (*fn)(struct inode *, void *), void *arg);			/* write back every page cache */
void sync_filesystems(void);
void vfs_shutdown(void);			/* before power-off/reboot */

/* ---- mounts (fs/mount.c) ---- */
int vfs_mount(struct super_block *sb, const char *where, int flags, const char *devname);
struct vfsmount *root_mount(void);
void mounts_show(struct sbuf *out);		/* /proc/mounts text */
void mountinfo_show(struct sbuf *out);		/* /proc/PID/mountinfo text */
bool is_generic_mount_option(const char *opt);	/* ro, rw, nosuid... in data */
struct vfsmount *lookup_mnt(struct vfsmount *parent, struct inode *mountpoint);

/* ---- path walk (fs/namei.c) ---- */
#define LOOKUP_FOLLOW		0x1	/* follow a final symlink */
#define LOOKUP_DIRECTORY	0x2	/* the result must be a directory */
#define LOOKUP_EMPTY		0x4	/* "" means dfd itself (AT_EMPTY_PATH) */
#define MAXSYMLINKS 40
int kern_path_at(int dfd, const char *name, unsigned flags, struct path *out);
/* Walk all but the last component: parent dir in *parent, last name in
 * last (NAME_MAX+1 bytes). *type: LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT. */
enum { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };
int kern_path_parent(int dfd, const char *name, struct path *parent, char *last, int *type, bool *trailing_slash);
/* Absolute guest path of p as seen from the current root. */
void path_to_sbuf(const struct path *p, struct sbuf *out);

/* ---- permissions (fs/perm.c) ---- */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
int inode_permission(struct inode *inode, int mask);
bool inode_owner_or_capable(struct inode *inode);
/* A write or truncate without CAP_FSETID drops the file's set-user-ID
 * and group-executable set-group-ID bits (Linux's file_remove_privs). */
int file_remove_privs(struct inode *inode);
int mnt_want_write(struct vfsmount *mnt);	/* -EROFS on read-only mounts */
int vfs_getattr(struct inode *inode, struct kstat *st);

/* ---- files (fs/file.c) ---- */
struct file *alloc_file(const struct path *p, struct inode *inode, unsigned flags, const struct file_operations *fop);
struct file *dentry_open(const struct path *p, unsigned flags);
struct file *do_filp_open(int dfd, const char *name, unsigned flags, umode_t mode);
ssize_t vfs_read(struct file *f, void *buf, size_t n, loff_t *pos);
ssize_t vfs_write(struct file *f, const void *buf, size_t n, loff_t *pos);
loff_t generic_file_llseek(struct file *f, loff_t off, int whence);
loff_t noop_llseek(struct file *f, loff_t off, int whence);
/* Directories whose positions are cookies (no SEEK_END): SET and CUR only. */
loff_t dir_cookie_llseek(struct file *f, loff_t off, int whence);

/* ---- filesystem types (fs/filesystems.c) ----
 * A filesystem registers its type from its own file with
 * DEFINE_FILESYSTEM(var); mount(2), the boot's root mount and
 * /proc/filesystems find it by name. */
#define FS_REQUIRES_DEV	0x1	/* mounted from a block device */
#define FS_NODEV_ROOT	0x2	/* can be the root without a device (hostfs) */
struct block_device;
struct fs_mount {
	const char *source;		/* as given, for messages */
	struct block_device *bdev;	/* FS_REQUIRES_DEV: resolved by the VFS */
	const char *data;		/* filesystem options, or NULL */
	int mnt_flags;			/* MNT_*: the filesystem may add MNT_READONLY */
	bool is_root;			/* the boot's root mount */
	struct dentry *root;		/* out: mount this dentry (+1 ref), not s_root */
	const char *why;		/* out: what was wrong, for the boot's message */
};
struct file_system_type {
	const char *name;
	int fs_flags;
	/* The superblock for a new mount, or ERR_PTR(-errno). NULL: not
	 * mountable (pipefs, listed only). */
	struct super_block *(*mount)(const struct file_system_type *type, struct fs_mount *m);
};
#define DEFINE_FILESYSTEM(var) \
	static const struct file_system_type *const __fs_##var __umk_entry(umk_filesystems) = &(var)
const struct file_system_type *get_fs_type(const char *name);	/* NULL: unknown */
/* Walk the registered types: pass NULL first, then the previous one. */
const struct file_system_type *next_fs_type(const struct file_system_type *prev);
void filesystems_show(struct sbuf *out);	/* /proc/filesystems */
/* Mount type (a registered one) with m; NULL dentry: its root. The
 * result is the superblock and, in m->root, the dentry to mount. */
struct super_block *vfs_get_super(const struct file_system_type *type, struct fs_mount *m);
/* The mounts umk makes itself once the root is there: /dev, /dev/pts,
 * /proc (as Linux's devtmpfs automount, and what init would do). */
void vfs_mount_boot_pseudo(void);
/* The subtree of sb at path (walked from sb's root, never above it). */
int vfs_subtree(struct super_block *sb, const char *path, struct dentry **out);

/* ---- interfaces for the core ---- */
struct file *filp_open_exec(const char *path);
/* A private mount of a filesystem type needing no device (kern_mount.c),
 * and an open of path beneath it (".." and symlinks stop at its root). */
struct vfsmount *kern_mount(const char *type_name);
struct vfsmount *kern_mount_writable(const char *type_name);
/* F_ADD_SEALS / F_GET_SEALS (memfd.c) */
long memfd_fcntl(struct file *f, unsigned cmd, unsigned long arg);
struct file *file_open_root(struct vfsmount *root, const char *path, unsigned flags);
ssize_t kernel_read(struct file *f, void *buf, size_t n, loff_t off);
ssize_t kernel_write(struct file *f, const void *buf, size_t n, loff_t off);
struct file *get_file(struct file *f);
void fput(struct file *f);
struct inode *file_inode(struct file *f);
struct file *fget(int fd);
void file_path(struct file *f, struct sbuf *out);
loff_t file_size(struct file *f);
bool file_readable(struct file *f);
bool file_writable(struct file *f);
struct files_struct;
struct fs_struct;
struct files_struct *files_alloc(void);
struct files_struct *files_dup(struct files_struct *f);
void files_put(struct files_struct *f);
void files_close_on_exec(struct files_struct *f);
struct fs_struct *fs_alloc(void);
struct fs_struct *fs_dup(struct fs_struct *f);
void fs_put(struct fs_struct *f);
int console_open_for_init(struct files_struct *f);

/* ---- devtmpfs (fs/devfs.c) ----
 * Fixed nodes register themselves from their own files: DEVFS_NODE(id,
 * "null", S_IFCHR | 0666, MKDEV(1, 3), 0, &null_fops). Nodes for devices
 * found at boot (block devices) come from devfs_add_node. */
struct devfs_node {
	const char *name;
	umode_t mode;
	uint64_t rdev;
	gid_t gid;
	const struct file_operations *fops;
	const char *link;	/* symlink body (S_IFLNK) */
};
#define DEVFS_NODE(id, name, mode, rdev, gid, fops) \
	static const struct devfs_node __devnode_##id __umk_entry(umk_devnodes) = { name, mode, rdev, gid, fops, NULL }
#define DEVFS_LINK(id, name, target) \
	static const struct devfs_node __devnode_##id __umk_entry(umk_devnodes) = { name, S_IFLNK | 0777, 0, 0, NULL, target }
int devfs_add_node(const char *name, umode_t mode, uint64_t rdev, gid_t gid, const struct file_operations *fops);
int devfs_remove_node(const char *name);	/* 0 or -ENOENT */
/* Character device nodes outside /dev (tmpfs mknod): open by rdev. */
extern const struct file_operations chrdev_fops;
/* Advisory locks (fs/locks.c): release on close / last fput. */
struct files_struct;
void locks_remove_posix(struct file *f, struct files_struct *owner);
void locks_remove_file(struct file *f);
extern const struct file_operations pipe_fops;
#endif
