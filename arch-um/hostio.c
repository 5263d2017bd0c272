/* Host side of umk/hostio.h: thin wrappers over Linux host syscalls that
 * return -errno. Confinement for hostfs lives here: every name operation
 * takes a single path component beneath a directory handle, and opens go
 * through openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS), so no guest string can reach outside the
 * directory tree it started in. The guest's own path walk (kernel-glue)
 * resolves symlinks by reading them. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <termios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <umk/hostio.h>

#define R(x) ({ long __r = (x); __r < 0 ? -errno : __r; })

uint32_t hostio_getuid(void) { return getuid(); }
uint32_t hostio_getgid(void) { return getgid(); }

/* Each live hostfs inode holds an O_PATH handle: allow as many as the
 * hard limit permits. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int hostio_open_root(const char *dir)
{
	raise_nofile();
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static bool bad_component(const char *name)
{
	return !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..");
}

int hostio_openat(int dirfd, const char *name, int flags, uint32_t mode)
{
	if (bad_component(name))
		return -EINVAL;
	struct open_how how = {
		/* openat2 refuses O_PATH combined with other open flags */
		.flags = (unsigned)flags | O_NOFOLLOW | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode & 07777 : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	/* O_NOFOLLOW on the last component would make O_PATH open the link
	 * itself, which is what we want for lookups. */
	long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		/* pre-5.6 host: a single checked component with O_NOFOLLOW is
		 * still confined */
		fd = openat(dirfd, name, how.flags, how.mode);
	}
	return fd < 0 ? -errno : (int)fd;
}

int hostio_reopen(int fd, int flags)
{
	/* Our own handle through /proc/self/fd: it names exactly the object
	 * the handle holds, so this cannot leave the root either. */
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	int r = open(p, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC | O_NOCTTY);
	return r < 0 ? -errno : r;
}

int hostio_close(int fd) { return R(close(fd)); }
int hostio_dup(int fd) { return R(fcntl(fd, F_DUPFD_CLOEXEC, 0)); }
ssize_t hostio_read(int fd, void *buf, size_t n) { return R(read(fd, buf, n)); }
ssize_t hostio_write(int fd, const void *buf, size_t n) { return R(write(fd, buf, n)); }
ssize_t hostio_pread(int fd, void *buf, size_t n, loff_t off) { return R(pread(fd, buf, n, off)); }
ssize_t hostio_pwrite(int fd, const void *buf, size_t n, loff_t off) { return R(pwrite(fd, buf, n, off)); }
loff_t hostio_lseek(int fd, loff_t off, int whence) { return R(lseek(fd, off, whence)); }
ssize_t hostio_getdents64(int fd, void *buf, size_t n) { return R(syscall(SYS_getdents64, fd, buf, n)); }
int hostio_fsync(int fd, bool datasync) { return R(datasync ? fdatasync(fd) : fsync(fd)); }
void hostio_sync(void) { sync(); }

int hostio_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	return R(fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

int hostio_wait(int fd, bool want_write, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = want_write ? POLLOUT : POLLIN };
	int r;
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r > 0;
}

static void fill_stat(struct host_stat *o, const struct stat *s)
{
	o->dev = s->st_dev; o->ino = s->st_ino; o->rdev = s->st_rdev;
	o->size = s->st_size; o->blocks = s->st_blocks;
	o->mode = s->st_mode; o->nlink = s->st_nlink;
	o->uid = s->st_uid; o->gid = s->st_gid; o->blksize = s->st_blksize;
	o->atime_sec = s->st_atim.tv_sec; o->atime_nsec = s->st_atim.tv_nsec;
	o->mtime_sec = s->st_mtim.tv_sec; o->mtime_nsec = s->st_mtim.tv_nsec;
	o->ctime_sec = s->st_ctim.tv_sec; o->ctime_nsec = s->st_ctim.tv_nsec;
}

int hostio_fstat(int fd, struct host_stat *st)
{
	struct stat s;
	if (fstatat(fd, "", &s, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	fill_stat(st, &s);
	return 0;
}

int hostio_fstatfs(int fd, struct host_statfs *o)
{
	struct statfs s;
	if (fstatfs(fd, &s) < 0)
		return -errno;
	o->type = s.f_type; o->bsize = s.f_bsize; o->frsize = s.f_frsize;
	o->namelen = s.f_namelen; o->flags = s.f_flags;
	o->blocks = s.f_blocks; o->bfree = s.f_bfree; o->bavail = s.f_bavail;
	o->files = s.f_files; o->ffree = s.f_ffree;
	memcpy(&o->fsid, &s.f_fsid, sizeof(o->fsid));
	return 0;
}

static void proc_path(char *p, size_t n, int fd) { snprintf(p, n, "/proc/self/fd/%d", fd); }

int hostio_fchmod(int fd, uint32_t mode)
{
#ifdef SYS_fchmodat2
	if (syscall(SYS_fchmodat2, fd, "", mode & 07777, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;
#endif
	char p[64];
	proc_path(p, sizeof(p), fd);
	return R(chmod(p, mode & 07777));
}

int hostio_fchown(int fd, uint32_t uid, uint32_t gid)
{
	return R(fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
}

int hostio_ftruncate(int fd, loff_t len)
{
	char p[64];
	proc_path(p, sizeof(p), fd);
	return R(truncate(p, len));
}

int hostio_futimens(int fd, const int64_t t[4])
{
	struct timespec ts[2] = { { t[0], t[1] }, { t[2], t[3] } };
	if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	char p[64];
	proc_path(p, sizeof(p), fd);
	return R(utimensat(AT_FDCWD, p, ts, 0));
}

int hostio_mkdirat(int dirfd, const char *name, uint32_t mode)
{
	if (bad_component(name))
		return -EINVAL;
	return R(mkdirat(dirfd, name, mode & 07777));
}

/* Only socket nodes (AF_UNIX bind): no devices or fifos on the host. */
int hostio_mknodat(int dirfd, const char *name, uint32_t mode)
{
	if (bad_component(name))
		return -EINVAL;
	if ((mode & S_IFMT) != S_IFSOCK)
		return -EPERM;
	return R(mknodat(dirfd, name, S_IFSOCK | (mode & 07777), 0));
}

int hostio_unlinkat(int dirfd, const char *name, bool dir)
{
	if (bad_component(name))
		return -EINVAL;
	return R(unlinkat(dirfd, name, dir ? AT_REMOVEDIR : 0));
}

int hostio_symlinkat(const char *target, int dirfd, const char *name)
{
	/* The target is only data to the host: the guest walk interprets it. */
	if (bad_component(name))
		return -EINVAL;
	return R(symlinkat(target, dirfd, name));
}

int hostio_linkat(int ofd, int ndirfd, const char *name)
{
	if (bad_component(name))
		return -EINVAL;
	if (linkat(ofd, "", ndirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH on older hosts */
	char p[64];
	proc_path(p, sizeof(p), ofd);
	return R(linkat(AT_FDCWD, p, ndirfd, name, AT_SYMLINK_FOLLOW));
}

int hostio_renameat(int odirfd, const char *oname, int ndirfd, const char *nname, unsigned flags)
{
	if (bad_component(oname) || bad_component(nname))
		return -EINVAL;
	return R(syscall(SYS_renameat2, odirfd, oname, ndirfd, nname, flags));
}

ssize_t hostio_readlink(int fd, char *buf, size_t n)
{
	return R(readlinkat(fd, "", buf, n));
}

bool hostio_isatty(int fd) { return isatty(fd); }

int hostio_get_winsize(int fd, uint16_t *rows, uint16_t *cols)
{
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
		return -errno;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return 0;
}

/* Raw mode for an interactive host terminal, undone on every way out. */
static struct termios saved_tio;
static int saved_tio_fd = -1;

void hostio_tty_restore(void)
{
	if (saved_tio_fd >= 0)
		tcsetattr(saved_tio_fd, TCSADRAIN, &saved_tio);
}

static void restore_and_die(int sig)
{
	hostio_tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int hostio_tty_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return -errno;
	if (saved_tio_fd < 0) {
		saved_tio = t;
		saved_tio_fd = fd;
		atexit(hostio_tty_restore);
		static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV };
		for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
			struct sigaction sa, old;
			if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
				memset(&sa, 0, sizeof(sa));
				sa.sa_handler = restore_and_die;
				sa.sa_flags = SA_RESETHAND;
				sigaction(fatal[i], &sa, NULL);
			}
		}
	}
	cfmakeraw(&t);
	/* the guest's ONLCR does the newline translation */
	return tcsetattr(fd, TCSADRAIN, &t) < 0 ? -errno : 0;
}
