/* ext2/3/4 file and directory contents: read/write through libext2fs,
 * kept coherent with shared mappings (the page cache), and readdir. */
#include <umk/mm.h>
#include "ext4.h"

static ssize_t ext4_read(struct file *f, void *buf, size_t n, loff_t *pos)
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
	ext4_lock(i->i_sb);
	ssize_t r = ext4_host_read(ext4_handle(i), i->i_ino, buf, n, *pos);
	ext4_unlock(i->i_sb);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t ext4_write(struct file *f, const void *buf, size_t n, loff_t *pos)
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
	ext4_lock(i->i_sb);
	ssize_t r = ext4_host_write(ext4_handle(i), i->i_ino, buf, n, *pos, ext4_now());
	ext4_unlock(i->i_sb);
	if (r <= 0)
		return r;
	if (i->i_pages)
		filemap_write_notify(i, i->i_pages, *pos, buf, r);
	*pos += r;
	ext4_refresh(i);
	return r;
}

static int ext4_fsync(struct file *f, bool datasync __unused)
{
	struct inode *i = f->f_inode;
	int err = i->i_pages ? filemap_flush(i->i_pages) : 0;
	ext4_lock(i->i_sb);
	int r = ext4_host_flush(ext4_handle(i));
	ext4_unlock(i->i_sb);
	return err ? err : r;
}

/* Linux's ext4 modes: 0, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE,
 * ZERO_RANGE[|KEEP_SIZE] (COLLAPSE_RANGE and INSERT_RANGE are not done
 * here); an ext2 mount has no fallocate at all, as Linux's ext2. */
static long ext4_fallocate(struct file *f, int mode, loff_t off, loff_t len)
{
	struct inode *i = f->f_inode;
	if (!strcmp(i->i_sb->s_type, "ext2"))
		return -EOPNOTSUPP;
	if (mode & ~(EXT4_HOST_FALLOC_KEEP_SIZE | EXT4_HOST_FALLOC_PUNCH_HOLE | EXT4_HOST_FALLOC_ZERO_RANGE))
		return -EOPNOTSUPP;
	if ((uint64_t)off + (uint64_t)len > (1ull << 44))
		return -EFBIG;		/* as ext4_write */
	if (i->i_pages)
		filemap_flush(i->i_pages);	/* mapped changes first: the zeroes win */
	ext4_lock(i->i_sb);
	int err = ext4_host_fallocate(ext4_handle(i), i->i_ino, mode, off, len, ext4_now());
	ext4_unlock(i->i_sb);
	if (!err && (mode & (EXT4_HOST_FALLOC_PUNCH_HOLE | EXT4_HOST_FALLOC_ZERO_RANGE)) && i->i_pages) {
		/* shared mappings see the zeroes */
		static const char zeroes[PAGE_SIZE];
		for (loff_t p = off; p < off + len && p < i->i_size; p += PAGE_SIZE - (p & (PAGE_SIZE - 1))) {
			size_t c = MIN((loff_t)(PAGE_SIZE - (p & (PAGE_SIZE - 1))), MIN(off + len, i->i_size) - p);
			filemap_write_notify(i, i->i_pages, p, zeroes, c);
		}
	}
	int r = ext4_refresh(i);
	return err ? err : r;
}

const struct file_operations ext4_file_fops = {
	.read = ext4_read, .write = ext4_write, .fsync = ext4_fsync, .llseek = generic_file_llseek,
	.fallocate = ext4_fallocate,
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

static int ext4_iterate(struct file *f, struct dir_context *ctx)
{
	struct iter it = { ctx };
	ext4_lock(f->f_inode->i_sb);
	int err = ext4_host_readdir(ext4_handle(f->f_inode), f->f_inode->i_ino, ctx->pos, dir_cb, &it);
	ext4_unlock(f->f_inode->i_sb);
	return err;
}

const struct file_operations ext4_dir_fops = {
	.iterate = ext4_iterate, .llseek = dir_cookie_llseek, .fsync = ext4_fsync,
};
