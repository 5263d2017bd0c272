/* ext2 host side: fallocate as Linux's ext4 does it, through libext2fs.
 * Extent-mapped files: mode 0 and KEEP_SIZE allocate unwritten extents
 * (they read as zeroes), ZERO_RANGE writes zeroes over the range inside
 * the file and allocates the rest unwritten;
 * PUNCH_HOLE (any file) gives whole blocks back and zeroes the partial
 * ones. Large ranges go in pieces that each fit a journal transaction. */
#include <errno.h>
#include <string.h>
#include "internal.h"
#include "journal.h"

/* Zeroes over [off, end) (less than a block), never past the file's size. */
static int zero_part(struct ext4_host_fs *h, uint64_t ino, uint64_t off, uint64_t end, uint64_t size)
{
	if (end > size)
		end = size;
	if (off >= end)
		return 0;
	static const char zeroes[65536];
	ext2_file_t f;
	errcode_t e = ext2fs_file_open(h->fs, ino, EXT2_FILE_WRITE, &f);
	if (e)
		return ext4_host_err(e);
	unsigned put = 0;
	e = ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL);
	if (!e)
		e = ext2fs_file_write(f, zeroes, (unsigned)(end - off), &put);
	errcode_t ce = ext2fs_file_close(f);
	return e ? ext4_host_err(e) : ce ? ext4_host_err(ce) : 0;
}

/* Zeroes over [off, end) inside the file, in pieces that each fit a
 * journal transaction (the blocks keep their places: no new extents). */
static int zero_range(struct ext4_host_fs *h, uint64_t ino, uint64_t off, uint64_t end, uint64_t size)
{
	uint64_t step = h->j ? ext4_jnl_write_chunk(h) : 65536;
	if (step > 65536)
		step = 65536;
	for (uint64_t p = off; p < end && p < size; p += step) {
		int err = zero_part(h, ino, p, end - p < step ? end : p + step, size);
		if (!err && h->j)
			err = ext4_jnl_op_done(h) < 0 ? -EIO : 0;
		if (err)
			return err;
	}
	return 0;
}

/* The partial blocks at both edges of [off, end). */
static int zero_edges(struct ext4_host_fs *h, uint64_t ino, uint64_t off, uint64_t end, uint64_t size)
{
	uint64_t bs = h->fs->blocksize, head_end = (off + bs - 1) / bs * bs, tail = end / bs * bs;
	if (head_end > end || tail < off)	/* inside one block */
		return zero_part(h, ino, off, end, size);
	int err = off < head_end ? zero_part(h, ino, off, head_end, size) : 0;
	return err ? err : tail < end ? zero_part(h, ino, tail, end, size) : 0;
}

/* Blocks per piece: what one journal transaction holds. */
static uint64_t piece(struct ext4_host_fs *h)
{
	uint64_t n = h->j ? ext4_jnl_write_chunk(h) / h->fs->blocksize : 0;
	return n ? n : ~0ULL >> 1;
}

/* Whole blocks [first, last) out of the file, or (alloc) back in as
 * unwritten extents. */
static int blocks_op(struct ext4_host_fs *h, uint64_t ino, uint64_t first, uint64_t last, bool alloc)
{
	for (uint64_t b = first; b < last;) {
		uint64_t n = last - b < piece(h) ? last - b : piece(h);
		errcode_t e = alloc ? ext2fs_fallocate(h->fs, EXT2_FALLOCATE_FORCE_UNINIT, ino, NULL, ~0ULL, b, n)
				    : ext2fs_punch(h->fs, ino, NULL, NULL, b, b + n - 1);
		if (e)
			return ext4_host_err(e);
		b += n;
		int r = h->j ? ext4_jnl_op_done(h) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

int ext4_host_fallocate(struct ext4_host_fs *h, uint64_t ino, unsigned mode, uint64_t off, uint64_t len,
			struct ext4_host_time now)
{
	if (!h->rw)
		return -EROFS;
	struct ext2_inode_large in;
	int err = ext4_host_read_inode(h, ino, &in);
	if (err)
		return err;
	uint64_t bs = h->fs->blocksize, end = off + len, size = EXT2_I_SIZE(&in);
	bool extents = in.i_flags & EXT4_EXTENTS_FL, grow = false;
	if (mode & EXT4_HOST_FALLOC_PUNCH_HOLE) {
		if (off >= size)
			return 0;	/* nothing past the end, as ext4_punch_hole */
		uint64_t lim = (size + 4095) & ~4095ULL;
		if (end > lim)
			end = lim;
		err = zero_edges(h, ino, off, end, size);
		if (!err)
			err = blocks_op(h, ino, (off + bs - 1) / bs, end / bs, false);
	} else if (!extents) {
		return -EOPNOTSUPP;	/* ext4 preallocates extent-mapped files only */
	} else {
		if (mode & EXT4_HOST_FALLOC_ZERO_RANGE)
			err = zero_range(h, ino, off, end, size);
		if (!err)
			err = blocks_op(h, ino, off / bs, (end + bs - 1) / bs, true);
		grow = !(mode & EXT4_HOST_FALLOC_KEEP_SIZE) && end > size;
	}
	if (err)
		return err;
	if ((err = ext4_host_read_inode(h, ino, &in)))
		return err;
	errcode_t e = grow ? ext2fs_inode_size_set(h->fs, (struct ext2_inode *)&in, end) : 0;
	if (e)
		return ext4_host_err(e);
	if (grow || (mode & (EXT4_HOST_FALLOC_PUNCH_HOLE | EXT4_HOST_FALLOC_ZERO_RANGE)))
		ext4_host_set_time(h, &in, 'm', now);
	ext4_host_set_time(h, &in, 'c', now);
	return ext4_host_write_inode(h, ino, &in);
}
