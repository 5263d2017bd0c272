/* The small host I/O API for drivers (hostfs, console). Implemented in
 * arch-um/hostio.c. Flags and modes use Linux ABI values (O_*, AT_*, S_*),
 * which arch-um translates if the host differs. Errors are -errno.
 * Host fds are plain ints owned by the caller. */
#ifndef UMK_HOSTIO_H
#define UMK_HOSTIO_H
#include <umk/types.h>

struct host_stat {
	uint64_t dev, ino, rdev, size, blocks;
	uint32_t mode, nlink, uid, gid, blksize;
	int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

struct host_statfs {
	int64_t type, bsize, frsize, namelen, flags;
	uint64_t blocks, bfree, bavail, files, ffree, fsid;
};

/* Identity of the host user umk runs as (for hostfs ownership mapping). */
uint32_t hostio_getuid(void);
uint32_t hostio_getgid(void);

/* Open a host directory as an O_PATH root handle. */
int hostio_open_root(const char *dir);
/* Open one path component strictly beneath dirfd: never follows symlinks,
 * never crosses "..", never magic links (openat2 RESOLVE_BENEATH).
 * O_PATH handles result unless flags ask for I/O. */
int hostio_openat(int dirfd, const char *name, int flags, uint32_t mode);
/* New open file description for the object behind an O_PATH handle. */
int hostio_reopen(int fd, int flags);
int hostio_close(int fd);
int hostio_dup(int fd);

ssize_t hostio_read(int fd, void *buf, size_t n);
ssize_t hostio_write(int fd, const void *buf, size_t n);
ssize_t hostio_pread(int fd, void *buf, size_t n, loff_t off);
ssize_t hostio_pwrite(int fd, const void *buf, size_t n, loff_t off);
loff_t hostio_lseek(int fd, loff_t off, int whence);
/* Raw linux_dirent64 records, like getdents64(2). */
ssize_t hostio_getdents64(int fd, void *buf, size_t n);
int hostio_fsync(int fd, bool datasync);
void hostio_sync(void);
int hostio_set_nonblock(int fd);
/* Wait up to timeout_ms (-1 forever) for fd to be readable/writable:
 * 1 ready, 0 timeout, -errno. Blocks the whole kernel: console use only. */
int hostio_wait(int fd, bool want_write, int timeout_ms);

int hostio_fstat(int fd, struct host_stat *st);
int hostio_fstatfs(int fd, struct host_statfs *st);
int hostio_fchmod(int fd, uint32_t mode);		/* works on O_PATH handles */
int hostio_fchown(int fd, uint32_t uid, uint32_t gid);	/* -1 = unchanged */
int hostio_ftruncate(int fd, loff_t len);		/* works on O_PATH handles */
/* times[2] = {atime, mtime} as {sec, nsec}, nsec may be UTIME_NOW/OMIT */
int hostio_futimens(int fd, const int64_t times[4]);

/* Name operations, each one component beneath a directory handle. */
int hostio_mkdirat(int dirfd, const char *name, uint32_t mode);
/* A socket node (S_IFSOCK only: AF_UNIX bind); other types -EPERM. */
int hostio_mknodat(int dirfd, const char *name, uint32_t mode);
int hostio_unlinkat(int dirfd, const char *name, bool dir);
int hostio_symlinkat(const char *target, int dirfd, const char *name);
int hostio_linkat(int ofd, int ndirfd, const char *name);	/* ofd: O_PATH handle */
int hostio_renameat(int odirfd, const char *oname, int ndirfd, const char *nname, unsigned flags);
ssize_t hostio_readlink(int fd, char *buf, size_t n);	/* fd: O_PATH handle of a symlink */

/* Terminals */
bool hostio_isatty(int fd);
int hostio_get_winsize(int fd, uint16_t *rows, uint16_t *cols);
/* Put a host terminal in raw mode; restored at exit and on fatal signals. */
int hostio_tty_raw(int fd);
void hostio_tty_restore(void);
#endif
