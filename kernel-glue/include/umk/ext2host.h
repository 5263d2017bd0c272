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

/* Open the filesystem on ubd device n; *features: 2, 3 or 4 (ext2 ...). */
int e2h_open(int ubd, bool rw, struct e2h_fs **out, int *kind);
void e2h_close(struct e2h_fs *fs);	/* flush (if rw) and close */
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

/* Kernel side, for mount(2): the superblock of the ext2/3/4 filesystem
 * on the block device at guest path source (type "ext2", "ext3", "ext4"
 * or "auto"). May add MNT_READONLY to *mnt_flags. */
struct super_block;
struct super_block *ext2_mount(const char *source, const char *type, int *mnt_flags);
#endif
