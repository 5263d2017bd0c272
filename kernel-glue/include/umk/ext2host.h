/* ext2/3/4 through libext2fs: the host side (drivers-virtual/ext4/host/)
 * runs the library over a ubd device (so COW applies); the kernel side
 * (drivers-virtual/ext4/) is the VFS filesystem. Host-agnostic types;
 * errors are -errno. One handle per mounted filesystem. */
#ifndef UMK_EXT2HOST_H
#define UMK_EXT2HOST_H
#include <umk/types.h>

struct e2h_fs;

struct e2h_stat {
	uint32_t mode, nlink, uid, gid;
	uint64_t size, blocks, rdev;	/* blocks: 512-byte units */
	int64_t atime, mtime, ctime;
	uint32_t atime_ns, mtime_ns, ctime_ns;
};

struct e2h_statfs {
	uint64_t bsize, blocks, bfree, bavail, files, ffree, fsid;
};

/* Open the filesystem on ubd device n; *kind: 2, 3 or 4 (ext2 ...).
 * want (2, 3, 4 or 0 for any): as Linux, an ext2 mount refuses a journal
 * or ext4 features and ext3 refuses ext4 features (-EINVAL, nothing
 * written). Read-write: refused (-EROFS) when the journal needs recovery;
 * a filesystem not cleanly unmounted is used with a warning in *warn. */
int e2h_open(int ubd, bool rw, int want, struct e2h_fs **out, int *kind, const char **warn);
void e2h_close(struct e2h_fs *fs);	/* flush, mark clean (if rw), close */
/* Write the superblock, group descriptors and bitmaps, then flush the
 * device: everything done so far survives a crash. */
int e2h_flush(struct e2h_fs *fs);

int e2h_lookup(struct e2h_fs *fs, uint64_t dir, const char *name, uint64_t *ino);
int e2h_stat(struct e2h_fs *fs, uint64_t ino, struct e2h_stat *st);
ssize_t e2h_read(struct e2h_fs *fs, uint64_t ino, void *buf, size_t n, uint64_t off);
ssize_t e2h_readlink(struct e2h_fs *fs, uint64_t ino, char *buf, size_t n);
/* Entries at positions >= pos, in order; the callback returns false to
 * stop. next is the position just past the entry. */
typedef bool (*e2h_dir_cb)(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next);
int e2h_readdir(struct e2h_fs *fs, uint64_t dir, uint64_t pos, e2h_dir_cb cb, void *ctx);
int e2h_statfs(struct e2h_fs *fs, struct e2h_statfs *st);

/* ---- writing (read-write filesystems only) ---- */
struct e2h_time { int64_t sec; uint32_t nsec; };

/* A new inode linked as dir/name: regular file, device, FIFO or socket
 * (mode with its type; rdev for devices), directory, or symlink. */
int e2h_mknod(struct e2h_fs *fs, uint64_t dir, const char *name, uint32_t mode, uint64_t rdev,
	      uint32_t uid, uint32_t gid, struct e2h_time now, uint64_t *ino);
int e2h_mkdir(struct e2h_fs *fs, uint64_t dir, const char *name, uint32_t mode,
	      uint32_t uid, uint32_t gid, struct e2h_time now, uint64_t *ino);
int e2h_symlink(struct e2h_fs *fs, uint64_t dir, const char *name, const char *target,
		uint32_t uid, uint32_t gid, struct e2h_time now, uint64_t *ino);
int e2h_link(struct e2h_fs *fs, uint64_t dir, const char *name, uint64_t ino, struct e2h_time now);
/* Remove dir/name (is_dir: rmdir, which wants an empty directory). The
 * inode loses a link; it is freed later by e2h_release. *ino: its number. */
int e2h_unlink(struct e2h_fs *fs, uint64_t dir, const char *name, bool is_dir, struct e2h_time now, uint64_t *ino);
/* rename(2) with RENAME_NOREPLACE/RENAME_EXCHANGE; *victim: the inode a
 * replacing rename unlinked (0 if none). */
int e2h_rename(struct e2h_fs *fs, uint64_t odir, const char *oname, uint64_t ndir, const char *nname,
	       unsigned flags, struct e2h_time now, uint64_t *victim);
/* Free the inode and its blocks if it has no links left. */
int e2h_release(struct e2h_fs *fs, uint64_t ino);

ssize_t e2h_write(struct e2h_fs *fs, uint64_t ino, const void *buf, size_t n, uint64_t off, struct e2h_time now);

#define E2H_SET_MODE	0x1
#define E2H_SET_UID	0x2
#define E2H_SET_GID	0x4
#define E2H_SET_SIZE	0x8
#define E2H_SET_ATIME	0x10
#define E2H_SET_MTIME	0x20
#define E2H_SET_CTIME	0x40
struct e2h_setattr {
	unsigned valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	struct e2h_time atime, mtime, ctime;
};
int e2h_setattr(struct e2h_fs *fs, uint64_t ino, const struct e2h_setattr *sa);

/* Kernel side, for mount(2): the superblock of the ext2/3/4 filesystem
 * on the block device at guest path source (type "ext2", "ext3", "ext4"
 * or "auto"). May add MNT_READONLY to *mnt_flags. */
struct super_block;
struct super_block *ext2_mount(const char *source, const char *type, int *mnt_flags);
/* The root filesystem: ubd device n (boot, before any path exists);
 * on failure *why may say what was wrong with the filesystem. */
struct super_block *ext2_mount_root(int ubd, const char *type, int *mnt_flags, const char **why);
#endif
