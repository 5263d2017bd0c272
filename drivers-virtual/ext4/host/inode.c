/* ext2 host side: inodes, directories, file and symlink contents. */
#include <errno.h>
#include <string.h>
#include "internal.h"

int ext4_host_lookup(struct ext4_host_fs *h, uint64_t dir, const char *name, uint64_t *ino)
{
	ext2_ino_t i;
	errcode_t e = ext2fs_lookup(h->fs, dir, name, strlen(name), NULL, &i);
	if (e)
		return ext4_host_err(e);
	*ino = i;
	return 0;
}

static int read_inode(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in)
{
	memset(in, 0, sizeof(*in));
	errcode_t e = ext2fs_read_inode_full(h->fs, ino, (struct ext2_inode *)in, sizeof(*in));
	return e ? ext4_host_err(e) : 0;
}

/* nanoseconds from an *_extra field, when the inode is large enough */
static uint32_t xtime_ns(const struct ext2_inode_large *in, const uint32_t *extra, int isize)
{
	size_t end = (const char *)(extra + 1) - (const char *)in;
	if (isize <= EXT2_GOOD_OLD_INODE_SIZE || end > (size_t)EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize)
		return 0;
	return *extra >> 2;
}

int ext4_host_stat(struct ext4_host_fs *h, uint64_t ino, struct ext4_host_stat *st)
{
	struct ext2_inode_large in;
	int err = read_inode(h, ino, &in);
	if (err)
		return err;
	int isize = EXT2_INODE_SIZE(h->fs->super);
	*st = (struct ext4_host_stat){
		.mode = in.i_mode, .nlink = in.i_links_count,
		.uid = inode_uid(in), .gid = inode_gid(in),
		.size = EXT2_I_SIZE(&in),
		.blocks = ext2fs_get_stat_i_blocks(h->fs, (struct ext2_inode *)&in),
		.atime = (int32_t)in.i_atime, .mtime = (int32_t)in.i_mtime, .ctime = (int32_t)in.i_ctime,
		.atime_ns = xtime_ns(&in, &in.i_atime_extra, isize),
		.mtime_ns = xtime_ns(&in, &in.i_mtime_extra, isize),
		.ctime_ns = xtime_ns(&in, &in.i_ctime_extra, isize),
	};
	if (LINUX_S_ISCHR(in.i_mode) || LINUX_S_ISBLK(in.i_mode)) {
		uint32_t major, minor;
		if (in.i_block[0]) {
			major = (in.i_block[0] >> 8) & 255;
			minor = in.i_block[0] & 255;
		} else {
			major = (in.i_block[1] & 0xfff00) >> 8;
			minor = (in.i_block[1] & 0xff) | ((in.i_block[1] >> 12) & 0xfff00);
		}
		st->rdev = ((uint64_t)(major & 0xfff) << 8) | (minor & 0xff) | ((uint64_t)(minor & ~0xffu) << 12);
	}
	return 0;
}

/* Through libext2fs's file interface: any file (inline data, block maps). */
static ssize_t read_file(struct ext4_host_fs *h, uint64_t ino, void *buf, size_t n, uint64_t off)
{
	ext2_file_t f;
	errcode_t e = ext2fs_file_open(h->fs, ino, 0, &f);
	if (e)
		return ext4_host_err(e);
	size_t done = 0;
	e = ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL);
	while (!e && done < n) {
		unsigned got = 0, want = n - done > (1u << 30) ? 1u << 30 : (unsigned)(n - done);
		e = ext2fs_file_read(f, (char *)buf + done, want, &got);
		if (!got)
			break;
		done += got;
	}
	ext2fs_file_close(f);
	return e && !done ? ext4_host_err(e) : (ssize_t)done;
}

/* Whole blocks [lblk, lblk + nblk) of an extent-mapped file, without
 * ext2fs_file_read, which copies a block at a time through the file's
 * one-block buffer and looks each block's extent up again: each extent
 * gives a run of blocks read in one request straight into buf (wc_read:
 * changed blocks from the write cache, the rest from the device).
 * Blocks read, or -errno; -EOPNOTSUPP: not extent-mapped, use read_file. */
static ssize_t read_extents(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in,
			    char *buf, uint64_t lblk, uint64_t nblk)
{
	ext2_filsys fs = h->fs;
	unsigned bs = fs->blocksize;
	if (!(in->i_flags & EXT4_EXTENTS_FL) || (in->i_flags & EXT4_INLINE_DATA_FL))
		return -EOPNOTSUPP;
	ext2_extent_handle_t eh;
	errcode_t e = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)in, &eh);
	if (e)
		return -EOPNOTSUPP;
	uint64_t done = 0;
	while (done < nblk) {
		uint64_t b = lblk + done;
		struct ext2fs_extent x;
		e = ext2fs_extent_goto(eh, b);
		if (e == EXT2_ET_EXTENT_NOT_FOUND) {
			memset(buf + done * bs, 0, bs);		/* a hole */
			done++;
			e = 0;
			continue;
		}
		if (e || (e = ext2fs_extent_get(eh, EXT2_EXTENT_CURRENT, &x)))
			break;
		if (b < x.e_lblk || b >= x.e_lblk + x.e_len) {
			e = EXT2_ET_EXTENT_NOT_FOUND;	/* the tree disagrees with itself */
			break;
		}
		uint64_t run = x.e_lblk + x.e_len - b;
		if (run > nblk - done)
			run = nblk - done;
		if (run > (1u << 16))
			run = 1u << 16;
		if (x.e_flags & EXT2_EXTENT_FLAGS_UNINIT)
			memset(buf + done * bs, 0, run * bs);	/* allocated, never written */
		else if ((e = io_channel_read_blk64(fs->io, x.e_pblk + (b - x.e_lblk), (int)run, buf + done * bs)))
			break;
		done += run;
	}
	ext2fs_extent_free(eh);
	if (e && !done)
		return ext4_host_err(e);
	return (ssize_t)done;
}

ssize_t ext4_host_read(struct ext4_host_fs *h, uint64_t ino, void *buf, size_t n, uint64_t off)
{
	unsigned bs = h->fs->blocksize;
	if (n < 2 * (size_t)bs)
		return read_file(h, ino, buf, n, off);
	struct ext2_inode_large in;
	int err = read_inode(h, ino, &in);
	if (err)
		return err;
	uint64_t size = EXT2_I_SIZE(&in);
	if (off >= size)
		return 0;
	if (n > size - off)
		n = size - off;
	/* the partial blocks at either end through the file interface */
	uint64_t first = (off + bs - 1) / bs, end = (off + n) / bs;
	if (end <= first)
		return read_file(h, ino, buf, n, off);
	size_t head = first * bs - off;
	char *p = buf;
	if (head) {
		ssize_t r = read_file(h, ino, p, head, off);
		if (r < (ssize_t)head)
			return r;
	}
	ssize_t r = read_extents(h, ino, &in, p + head, first, end - first);
	if (r == -EOPNOTSUPP)
		return read_file(h, ino, buf, n, off);
	if (r < 0)
		return head ? (ssize_t)head : r;
	size_t got = head + (size_t)r * bs;
	if ((uint64_t)r < end - first || got == n)
		return (ssize_t)got;
	ssize_t t = read_file(h, ino, p + got, n - got, off + got);
	return t < 0 ? (ssize_t)got : (ssize_t)(got + t);
}

ssize_t ext4_host_readlink(struct ext4_host_fs *h, uint64_t ino, char *buf, size_t n)
{
	struct ext2_inode_large in;
	int err = read_inode(h, ino, &in);
	if (err)
		return err;
	size_t len = EXT2_I_SIZE(&in);
	if (len >= n)
		return -ENAMETOOLONG;
	if (ext2fs_is_fast_symlink((struct ext2_inode *)&in)) {
		memcpy(buf, in.i_block, len);
	} else if (in.i_flags & EXT4_INLINE_DATA_FL) {
		size_t sz = n;
		errcode_t e = ext2fs_inline_data_get(h->fs, ino, (struct ext2_inode *)&in, buf, &sz);
		if (e)
			return ext4_host_err(e);
	} else {
		ssize_t r = ext4_host_read(h, ino, buf, len, 0);
		if (r < 0)
			return r;
		len = r;
	}
	buf[len] = 0;
	return len;
}

struct dir_walk {
	uint64_t pos, idx;
	ext4_host_dir_cb cb;
	void *ctx;
};

static const unsigned char ft_to_dt[] = { 0, 8, 4, 2, 6, 1, 12, 10 };

static int dir_actor(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize, char *buf, void *priv)
{
	(void)dir; (void)entry; (void)offset; (void)blocksize; (void)buf;
	struct dir_walk *w = priv;
	uint64_t idx = w->idx++;
	if (idx < w->pos)
		return 0;
	unsigned ft = ext2fs_dirent_file_type(d);
	if (!w->cb(w->ctx, d->name, ext2fs_dirent_name_len(d), d->inode, ft < sizeof(ft_to_dt) ? ft_to_dt[ft] : 0, idx + 1))
		return DIRENT_ABORT;
	return 0;
}

int ext4_host_readdir(struct ext4_host_fs *h, uint64_t dir, uint64_t pos, ext4_host_dir_cb cb, void *ctx)
{
	struct dir_walk w = { .pos = pos, .cb = cb, .ctx = ctx };
	struct ext2_inode_large in;
	int err = read_inode(h, dir, &in);
	if (err)
		return err;
	/* the inline-data flag is only for directories that have inline data */
	int flags = (in.i_flags & EXT4_INLINE_DATA_FL) ? DIRENT_FLAG_INCLUDE_INLINE_DATA : 0;
	errcode_t e = ext2fs_dir_iterate2(h->fs, dir, flags, NULL, dir_actor, &w);
	return e ? ext4_host_err(e) : 0;
}
