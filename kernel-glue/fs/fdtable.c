/* Descriptor tables (files_struct) and root/cwd/umask (fs_struct). */
#include <umk/fdtable.h>
#include <umk/sched.h>
#include "internal.h"

#define RLIMIT_NOFILE_IDX 7
#define NR_OPEN_MAX (1u << 20)

unsigned fd_limit(void)
{
	uint64_t lim = 1024;
	if (current && current->signal && current->signal->rlim[RLIMIT_NOFILE_IDX].cur)
		lim = current->signal->rlim[RLIMIT_NOFILE_IDX].cur;
	return lim > NR_OPEN_MAX ? NR_OPEN_MAX : (unsigned)lim;
}

static void grow(struct files_struct *fs, unsigned need)
{
	if (need <= fs->max)
		return;
	unsigned n = fs->max ? fs->max : 64;
	while (n < need)
		n *= 2;
	fs->fd = krealloc(fs->fd, n * sizeof(*fs->fd));
	memset(fs->fd + fs->max, 0, (n - fs->max) * sizeof(*fs->fd));
	fs->cloexec = krealloc(fs->cloexec, n / 64 * sizeof(uint64_t));
	memset(fs->cloexec + fs->max / 64, 0, (n - fs->max) / 64 * sizeof(uint64_t));
	fs->max = n;
}

struct files_struct *files_alloc(void)
{
	struct files_struct *fs = kzalloc(sizeof(*fs));
	fs->refs = 1;
	grow(fs, 64);
	return fs;
}

struct files_struct *files_dup(struct files_struct *old)
{
	struct files_struct *fs = files_alloc();
	grow(fs, old->max);
	for (unsigned i = 0; i < old->max; i++)
		if (old->fd[i])
			fs->fd[i] = get_file(old->fd[i]);
	memcpy(fs->cloexec, old->cloexec, old->max / 64 * sizeof(uint64_t));
	return fs;
}

/* What every close of a descriptor does, whether the file lives on or
 * not (Linux's filp_close): POSIX locks go, and ->flush runs. */
static void close_actions(struct file *f, struct files_struct *fs)
{
	locks_remove_posix(f, fs);
	if (f->f_op && f->f_op->flush)
		f->f_op->flush(f);
}

void files_put(struct files_struct *fs)
{
	if (!fs || --fs->refs)
		return;
	for (unsigned i = 0; i < fs->max; i++) {
		if (fs->fd[i])
			close_actions(fs->fd[i], fs);
		fput(fs->fd[i]);
	}
	kfree(fs->fd);
	kfree(fs->cloexec);
	kfree(fs);
}

void files_close_on_exec(struct files_struct *fs)
{
	for (unsigned i = 0; i < fs->max; i++)
		if (fs->fd[i] && fd_get_cloexec(fs, i))
			fd_close(fs, i);
}

bool fd_get_cloexec(struct files_struct *fs, int fd)
{
	return (unsigned)fd < fs->max && (fs->cloexec[fd / 64] >> (fd % 64) & 1);
}

void fd_set_cloexec(struct files_struct *fs, int fd, bool on)
{
	if ((unsigned)fd >= fs->max)
		return;
	if (on)
		fs->cloexec[fd / 64] |= 1ull << (fd % 64);
	else
		fs->cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

int fd_install_from(struct files_struct *fs, struct file *f, int start, bool cloexec)
{
	unsigned lim = fd_limit();
	for (unsigned i = start; i < lim; i++) {
		if (i >= fs->max)
			grow(fs, i + 1);
		if (!fs->fd[i]) {
			fs->fd[i] = f;
			fd_set_cloexec(fs, i, cloexec);
			return i;
		}
	}
	return -EMFILE;
}

int fd_install(struct file *f, bool cloexec)
{
	return fd_install_from(current->files, f, 0, cloexec);
}

int fd_replace(struct files_struct *fs, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || (unsigned)fd >= fd_limit())
		return -EBADF;
	grow(fs, fd + 1);
	struct file *old = fs->fd[fd];
	fs->fd[fd] = f;
	fd_set_cloexec(fs, fd, cloexec);
	if (old)
		close_actions(old, fs);
	fput(old);
	return fd;
}

int fd_close(struct files_struct *fs, int fd)
{
	if (fd < 0 || (unsigned)fd >= fs->max || !fs->fd[fd])
		return -EBADF;
	struct file *f = fs->fd[fd];
	fs->fd[fd] = NULL;
	fd_set_cloexec(fs, fd, false);
	close_actions(f, fs);	/* POSIX: any close drops the process's locks */
	fput(f);
	return 0;
}

struct file *fd_lookup(struct files_struct *fs, int fd)
{
	if (!fs || fd < 0 || (unsigned)fd >= fs->max)
		return NULL;
	return fs->fd[fd];
}

struct file *fget_raw(int fd)
{
	struct file *f = fd_lookup(current->files, fd);
	return f ? get_file(f) : NULL;
}

/* O_PATH descriptors are not usable for I/O-ish calls: EBADF. */
struct file *fget(int fd)
{
	struct file *f = fd_lookup(current->files, fd);
	if (!f || (f->f_mode & FMODE_PATH))
		return NULL;
	return get_file(f);
}

struct fs_struct *fs_alloc(void)
{
	struct fs_struct *fs = kzalloc(sizeof(*fs));
	struct vfsmount *r = root_mount();
	BUG_ON(!r);
	fs->refs = 1;
	fs->root = fs->pwd = (struct path){ r, r->mnt_root };
	path_get(&fs->root);
	path_get(&fs->pwd);
	fs->umask = 022;
	return fs;
}

struct fs_struct *fs_dup(struct fs_struct *old)
{
	struct fs_struct *fs = kzalloc(sizeof(*fs));
	*fs = *old;
	fs->refs = 1;
	path_get(&fs->root);
	path_get(&fs->pwd);
	return fs;
}

void fs_put(struct fs_struct *fs)
{
	if (!fs || --fs->refs)
		return;
	path_put(&fs->root);
	path_put(&fs->pwd);
	kfree(fs);
}
