/* hostfs open files: regular files use positional host I/O on their own
 * host file description and keep the page cache coherent; directories
 * are read with the host's getdents64 and its d_off cookies. */
#include "hostfs.h"
#include <umk/mm.h>

static int hostfs_open(struct inode *inode, struct file *f)
{
	int flags = S_ISDIR(inode->i_mode) ? O_RDONLY | O_DIRECTORY : (int)(f->f_flags & O_ACCMODE) | O_LARGEFILE;
	int fd = hostio_reopen(hostfs_fd(inode), flags);
	if (fd < 0)
		return fd;
	struct hostfs_file *hf = kzalloc(sizeof(*hf));
	hf->fd = fd;
	f->private_data = hf;
	return 0;
}

static int ffd(struct file *f) { return ((struct hostfs_file *)f->private_data)->fd; }

static void hostfs_release(struct inode *inode __unused, struct file *f)
{
	struct hostfs_file *hf = f->private_data;
	if (hf) {
		hostio_close(hf->fd);
		kfree(hf);
	}
}

static ssize_t hostfs_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	struct inode *inode = f->f_inode;
	if (inode->i_pages)
		filemap_flush(inode->i_pages);
	ssize_t r = hostio_pread(ffd(f), buf, n, *pos);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t hostfs_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	struct inode *inode = f->f_inode;
	if (f->f_flags & O_APPEND) {
		struct host_stat st;
		if (!hostio_fstat(ffd(f), &st))
			*pos = st.size;
	}
	ssize_t r = hostio_pwrite(ffd(f), buf, n, *pos);
	if (r <= 0)
		return r;
	if (inode->i_pages)
		filemap_write_notify(inode, inode->i_pages, *pos, buf, r);
	*pos += r;
	if (*pos > inode->i_size)
		inode->i_size = *pos;
	return r;
}

static int hostfs_fsync(struct file *f, bool datasync)
{
	struct inode *inode = f->f_inode;
	if (inode->i_pages)
		filemap_flush(inode->i_pages);
	return hostio_fsync(ffd(f), datasync);
}

const struct file_operations hostfs_file_fops = {
	.open = hostfs_open, .read = hostfs_read, .write = hostfs_write,
	.llseek = generic_file_llseek, .fsync = hostfs_fsync, .release = hostfs_release,
};


struct linux_dirent64_h {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int hostfs_iterate(struct file *f, struct dir_context *ctx)
{
	char buf[4096];
	bool at_root = f->f_inode == hostfs_root_inode;
	loff_t r = hostio_lseek(ffd(f), ctx->pos, SEEK_SET);
	if (r < 0)
		return r;
	for (;;) {
		ssize_t n = hostio_getdents64(ffd(f), buf, sizeof(buf));
		if (n <= 0)
			return n;
		for (ssize_t off = 0; off < n;) {
			struct linux_dirent64_h *d = (void *)(buf + off);
			uint64_t ino = d->d_ino;
			/* the guest root's ".." is the root itself */
			if (at_root && !strcmp(d->d_name, ".."))
				ino = f->f_inode->i_ino;
			if (!ctx->actor(ctx, d->d_name, strlen(d->d_name), ino, d->d_type))
				return 0;
			ctx->pos = d->d_off;
			off += d->d_reclen;
		}
	}
}

static int hostfs_dir_fsync(struct file *f, bool datasync)
{
	return hostio_fsync(ffd(f), datasync);
}

const struct file_operations hostfs_dir_fops = {
	.open = hostfs_open, .llseek = dir_cookie_llseek,	/* the host's d_off cookies */ .iterate = hostfs_iterate,
	.fsync = hostfs_dir_fsync, .release = hostfs_release,
};

/* Host device nodes, fifos and sockets are not opened through hostfs:
 * the guest's devices live in /dev (devfs). */
static int hostfs_special_open(struct inode *inode __unused, struct file *f __unused)
{
	return -ENXIO;
}

const struct file_operations hostfs_special_fops = { .open = hostfs_special_open };
