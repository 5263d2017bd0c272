/* ext2/3/4 through libext2fs, the interface between the driver's halves:
 * the host half (host/) runs the library over the kernel's block device
 * (through callbacks, so a COW layer under it applies); the kernel half
 * is the VFS filesystem. Host-agnostic types; errors are -errno. One
 * handle per mounted filesystem. */
#ifndef EXT4_HOST_H
#define EXT4_HOST_H
#include <umk/types.h>

struct ext4_host_fs;

struct ext4_host_stat {
	uint32_t mode, nlink, uid, gid;
	uint64_t size, blocks, rdev;	/* blocks: 512-byte units */
	int64_t atime, mtime, ctime;
	uint32_t atime_ns, mtime_ns, ctime_ns;
};

struct ext4_host_statfs {
	uint64_t bsize, blocks, bfree, bavail, files, ffree, fsid;
};

/* The device a filesystem is on, as the kernel half hands it over; it
 * must live as long as the handle. The callbacks may sleep. */
struct ext4_host_dev {
	uint64_t size;		/* bytes */
	bool readonly;		/* write-protected: a journal cannot be replayed */
	void *cookie;
	ssize_t (*read)(void *cookie, void *buf, size_t len, uint64_t off);
	ssize_t (*write)(void *cookie, const void *buf, size_t len, uint64_t off);
	int (*flush)(void *cookie);
};

/* What opening a filesystem did, for the kernel log. */
struct ext4_host_report {
	const char *warn;	/* why it was refused, or a warning */
	uint32_t replayed;	/* journal transactions replayed */
	uint32_t orphans;	/* unlinked inodes a crash left, freed */
	bool journal;		/* read-write through the journal */
};

#define EXT4_HOST_OPEN_RW		0x1
#define EXT4_HOST_OPEN_KEEP_ORPHANS	0x2	/* a remount: orphans may still be open */

/* Open the filesystem on dev; *kind: 2, 3 or 4 (ext2 ...).
 * want (2, 3, 4 or 0 for any): as Linux, an ext2 mount refuses a journal
 * or ext4 features and ext3 refuses ext4 features (-EINVAL, nothing
 * written). A journal that needs recovery is replayed first (read-only
 * mounts too; -EROFS if the device is read-only). Read-write: with a
 * journal, every change goes through it (a crash loses at most what was
 * not committed yet, and the filesystem stays consistent); without one,
 * the filesystem is marked not clean on disk until it is closed. One not
 * cleanly unmounted is used with a warning and stays not clean. */
int ext4_host_open(const struct ext4_host_dev *dev, unsigned flags, int want, struct ext4_host_fs **out, int *kind,
		   struct ext4_host_report *rep);
/* Write everything, restore the state the filesystem had when mounted
 * (clean if it was clean), close. */
void ext4_host_close(struct ext4_host_fs *fs);
/* The same for a read-write handle that stays open read-only. */
int ext4_host_set_ro(struct ext4_host_fs *fs);
/* Commit everything done so far (the superblock, group descriptors,
 * bitmaps and changed blocks) and flush the device: a crash keeps it. */
int ext4_host_flush(struct ext4_host_fs *fs);
/* After each operation: 1 if changes wait for the next flush, 0 if not,
 * -errno if a commit the transaction's size forced failed. */
int ext4_host_op_done(struct ext4_host_fs *fs);

int ext4_host_lookup(struct ext4_host_fs *fs, uint64_t dir, const char *name, uint64_t *ino);
int ext4_host_stat(struct ext4_host_fs *fs, uint64_t ino, struct ext4_host_stat *st);
ssize_t ext4_host_read(struct ext4_host_fs *fs, uint64_t ino, void *buf, size_t n, uint64_t off);
ssize_t ext4_host_readlink(struct ext4_host_fs *fs, uint64_t ino, char *buf, size_t n);
/* Entries at positions >= pos, in order; the callback returns false to
 * stop. next is the position just past the entry. */
typedef bool (*ext4_host_dir_cb)(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next);
int ext4_host_readdir(struct ext4_host_fs *fs, uint64_t dir, uint64_t pos, ext4_host_dir_cb cb, void *ctx);
int ext4_host_statfs(struct ext4_host_fs *fs, struct ext4_host_statfs *st);

/* ---- writing (read-write filesystems only) ---- */
struct ext4_host_time { int64_t sec; uint32_t nsec; };

/* A new inode linked as dir/name: regular file, device, FIFO or socket
 * (mode with its type; rdev for devices), directory, or symlink. */
int ext4_host_mknod(struct ext4_host_fs *fs, uint64_t dir, const char *name, uint32_t mode, uint64_t rdev,
	      uint32_t uid, uint32_t gid, struct ext4_host_time now, uint64_t *ino);
int ext4_host_mkdir(struct ext4_host_fs *fs, uint64_t dir, const char *name, uint32_t mode,
	      uint32_t uid, uint32_t gid, struct ext4_host_time now, uint64_t *ino);
int ext4_host_symlink(struct ext4_host_fs *fs, uint64_t dir, const char *name, const char *target,
		uint32_t uid, uint32_t gid, struct ext4_host_time now, uint64_t *ino);
int ext4_host_link(struct ext4_host_fs *fs, uint64_t dir, const char *name, uint64_t ino, struct ext4_host_time now);
/* Remove dir/name (is_dir: rmdir, which wants an empty directory). The
 * inode loses a link; it is freed later by ext4_host_release. *ino: its number. */
int ext4_host_unlink(struct ext4_host_fs *fs, uint64_t dir, const char *name, bool is_dir, struct ext4_host_time now, uint64_t *ino);
/* rename(2) with RENAME_NOREPLACE/RENAME_EXCHANGE; *victim: the inode a
 * replacing rename unlinked (0 if none). */
int ext4_host_rename(struct ext4_host_fs *fs, uint64_t odir, const char *oname, uint64_t ndir, const char *nname,
	       unsigned flags, struct ext4_host_time now, uint64_t *victim);
/* Free the inode and its blocks if it has no links left. */
int ext4_host_release(struct ext4_host_fs *fs, uint64_t ino);

ssize_t ext4_host_write(struct ext4_host_fs *fs, uint64_t ino, const void *buf, size_t n, uint64_t off, struct ext4_host_time now);

#define EXT4_HOST_SET_MODE	0x1
#define EXT4_HOST_SET_UID	0x2
#define EXT4_HOST_SET_GID	0x4
#define EXT4_HOST_SET_SIZE	0x8
#define EXT4_HOST_SET_ATIME	0x10
#define EXT4_HOST_SET_MTIME	0x20
#define EXT4_HOST_SET_CTIME	0x40
struct ext4_host_setattr {
	unsigned valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	struct ext4_host_time atime, mtime, ctime;
};
int ext4_host_setattr(struct ext4_host_fs *fs, uint64_t ino, const struct ext4_host_setattr *sa);

/* fallocate(2) on ext3/ext4 (mode: Linux's FALLOC_FL_* values, after the
 * kernel's checks): -EOPNOTSUPP for preallocation of a file without
 * extents, as Linux's ext4. */
#define EXT4_HOST_FALLOC_KEEP_SIZE	0x01
#define EXT4_HOST_FALLOC_PUNCH_HOLE	0x02
#define EXT4_HOST_FALLOC_ZERO_RANGE	0x10
int ext4_host_fallocate(struct ext4_host_fs *fs, uint64_t ino, unsigned mode, uint64_t off, uint64_t len,
			struct ext4_host_time now);

/* Extended attributes by full name ("user.x"), through libext2fs's
 * xattr handles (in-inode and block storage as ext4's). get: the length
 * (size 0: only that), -ERANGE if size is too small, -ENODATA; set:
 * value NULL removes (-ENODATA if missing), flags 1 = must not exist
 * (-EEXIST), 2 = must exist (-ENODATA); ctime is set to now. list: cb
 * once per stored name. */
ssize_t ext4_host_getxattr(struct ext4_host_fs *fs, uint64_t ino, const char *name, void *buf, size_t size);
int ext4_host_setxattr(struct ext4_host_fs *fs, uint64_t ino, const char *name, const void *value, size_t size,
		       int flags, struct ext4_host_time now);
typedef void (*ext4_host_xattr_cb)(void *ctx, const char *name);
int ext4_host_listxattr(struct ext4_host_fs *fs, uint64_t ino, ext4_host_xattr_cb cb, void *ctx);
#endif
