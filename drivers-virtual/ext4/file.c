/* ext2/3/4 file and directory contents: read/write through libext2fs,
 * kept coherent with shared mappings (the page cache), and readdir. */
#include <umk/mm.h>
#include "ext2.h"

static ssize_t ext2_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	struct inode *i = f->f_inode;
	if (*pos < 0)
		return -EINVAL;
	if (i->i_pages)
		filemap_flush(i->i_pages);	/* shared mappings may be newer */
	if (*pos >= i->i_size)
		return 0;
	if ((uint64_t)n > (uint64_t)(i->i_size - *pos))
		n = i->i_size - *pos;
	ext2_lock(i->i_sb);
	ssize_t r = e2h_read(E2H(i), i->i_ino, buf, n, *pos);
	ext2_unlock(i->i_sb);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t ext2_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	struct inode *i = f->f_inode;
	if (f->f_flags & O_APPEND)
		*pos = i->i_size;
	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos + n > (1ull << 44))
		return -EFBIG;
	if (!n)
		return 0;
	ext2_lock(i->i_sb);
	ssize_t r = e2h_write(E2H(i), i->i_ino, buf, n, *pos, ext2_now());
	ext2_unlock(i->i_sb);
	if (r <= 0)
		return r;
	if (i->i_pages)
		filemap_write_notify(i, i->i_pages, *pos, buf, r);
	*pos += r;
	ext2_refresh(i);
	return r;
}

static int ext2_fsync(struct file *f, bool datasync __unused)
{
	struct inode *i = f->f_inode;
	int err = i->i_pages ? filemap_flush(i->i_pages) : 0;
	ext2_lock(i->i_sb);
	int r = e2h_flush(E2H(i));
	ext2_unlock(i->i_sb);
	return err ? err : r;
}

const struct file_operations ext2_file_fops = {
	.read = ext2_read, .write = ext2_write, .fsync = ext2_fsync, .llseek = generic_file_llseek,
};

struct iter { struct dir_context *ctx; };

static bool dir_cb(void *p, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next)
{
	struct dir_context *ctx = ((struct iter *)p)->ctx;
	if (!ctx->actor(ctx, name, len, ino, dtype))
		return false;
	ctx->pos = next;
	return true;
}

static int ext2_iterate(struct file *f, struct dir_context *ctx)
{
	struct iter it = { ctx };
	ext2_lock(f->f_inode->i_sb);
	int err = e2h_readdir(E2H(f->f_inode), f->f_inode->i_ino, ctx->pos, dir_cb, &it);
	ext2_unlock(f->f_inode->i_sb);
	return err;
}

const struct file_operations ext2_dir_fops = {
	.iterate = ext2_iterate, .llseek = dir_cookie_llseek, .fsync = ext2_fsync,
};
