/* ext2 host side: file contents and attributes (write, truncate, chmod,
 * chown, utimes), and the inode read/write helpers the rest share. */
#include <errno.h>
#include <string.h>
#include "internal.h"
#include "journal.h"

int ext4_host_read_inode(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in)
{
	memset(in, 0, sizeof(*in));
	errcode_t e = ext2fs_read_inode_full(h->fs, ino, (struct ext2_inode *)in, sizeof(*in));
	return e ? ext4_host_err(e) : 0;
}

int ext4_host_write_inode(struct ext4_host_fs *h, uint64_t ino, struct ext2_inode_large *in)
{
	int isize = EXT2_INODE_SIZE(h->fs->super);
	size_t n = isize < (int)sizeof(*in) ? (size_t)isize : sizeof(*in);
	errcode_t e = ext2fs_write_inode_full(h->fs, ino, (struct ext2_inode *)in, n);
	return e ? ext4_host_err(e) : 0;
}

/* Is the *_extra field inside the inode's extra space? */
static bool has_extra(struct ext4_host_fs *h, const struct ext2_inode_large *in, const uint32_t *extra)
{
	size_t end = (const char *)(extra + 1) - (const char *)in;
	return EXT2_INODE_SIZE(h->fs->super) > EXT2_GOOD_OLD_INODE_SIZE &&
	       end <= (size_t)EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize;
}

void ext4_host_set_time(struct ext4_host_fs *h, struct ext2_inode_large *in, char which, struct ext4_host_time t)
{
	uint32_t *base = which == 'a' ? &in->i_atime : which == 'm' ? &in->i_mtime : &in->i_ctime;
	uint32_t *extra = which == 'a' ? &in->i_atime_extra : which == 'm' ? &in->i_mtime_extra : &in->i_ctime_extra;
	*base = (uint32_t)t.sec;
	if (has_extra(h, in, extra)) {
		/* the epoch bits extend the signed 32-bit seconds (ext4's encoding) */
		uint32_t epoch = (uint32_t)(((uint64_t)(t.sec - (int32_t)t.sec) >> 32) & 3);
		*extra = (t.nsec << 2) | epoch;
	}
}

int ext4_host_touch_dir(struct ext4_host_fs *h, uint64_t dir, int dlinks, struct ext4_host_time now)
{
	struct ext2_inode_large in;
	int err = ext4_host_read_inode(h, dir, &in);
	if (err)
		return err;
	ext4_host_set_time(h, &in, 'm', now);
	ext4_host_set_time(h, &in, 'c', now);
	/* a count of 1 on a directory means "too many to count" (dir_nlink) */
	if (dlinks > 0 && in.i_links_count > 1 && ++in.i_links_count >= EXT2_LINK_MAX)
		in.i_links_count = 1;
	if (dlinks < 0 && in.i_links_count > 2)
		in.i_links_count--;
	return ext4_host_write_inode(h, dir, &in);
}

/* Up to n bytes at off through one open file: how many went, or -errno. */
static ssize_t write_some(struct ext4_host_fs *h, uint64_t ino, const char *buf, size_t n, uint64_t off)
{
	ext2_file_t f;
	errcode_t e = ext2fs_file_open(h->fs, ino, EXT2_FILE_WRITE, &f);
	if (e)
		return ext4_host_err(e);
	size_t done = 0;
	e = ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL);
	while (!e && done < n) {
		unsigned put = 0, want = n - done > (1u << 30) ? 1u << 30 : (unsigned)(n - done);
		e = ext2fs_file_write(f, buf + done, want, &put);
		done += put;
		if (!put)
			break;
	}
	errcode_t ce = ext2fs_file_close(f);
	if (!e)
		e = ce;
	return e && !done ? ext4_host_err(e) : (ssize_t)done;
}

ssize_t ext4_host_write(struct ext4_host_fs *h, uint64_t ino, const void *buf, size_t n, uint64_t off, struct ext4_host_time now)
{
	if (!h->rw)
		return -EROFS;
	/* with a journal, in pieces that each fit a transaction: a commit
	 * may come between two */
	size_t chunk = h->j ? ext4_jnl_write_chunk(h) : n, done = 0;
	ssize_t r = 0;
	while (done < n) {
		size_t want = n - done < chunk ? n - done : chunk;
		r = write_some(h, ino, (const char *)buf + done, want, off + done);
		if (r > 0)
			done += (size_t)r;
		if (r < (ssize_t)want || done == n || (r = ext4_jnl_op_done(h)) < 0)
			break;
	}
	if (done) {
		struct ext2_inode_large in;
		if (!ext4_host_read_inode(h, ino, &in)) {
			ext4_host_set_time(h, &in, 'm', now);
			ext4_host_set_time(h, &in, 'c', now);
			ext4_host_write_inode(h, ino, &in);
		}
	}
	return done ? (ssize_t)done : r < 0 ? r : 0;
}

static int truncate_to(struct ext4_host_fs *h, uint64_t ino, uint64_t size)
{
	ext2_file_t f;
	errcode_t e = ext2fs_file_open(h->fs, ino, EXT2_FILE_WRITE, &f);
	if (e)
		return ext4_host_err(e);
	e = ext2fs_file_set_size2(f, size);
	errcode_t ce = ext2fs_file_close(f);
	if (!e)
		e = ce;
	return e ? ext4_host_err(e) : 0;
}

int ext4_host_setattr(struct ext4_host_fs *h, uint64_t ino, const struct ext4_host_setattr *sa)
{
	if (!h->rw)
		return -EROFS;
	int err;
	if ((sa->valid & EXT4_HOST_SET_SIZE) && (err = truncate_to(h, ino, sa->size)))
		return err;
	struct ext2_inode_large in;
	if ((err = ext4_host_read_inode(h, ino, &in)))
		return err;
	if (sa->valid & EXT4_HOST_SET_MODE)
		in.i_mode = (in.i_mode & LINUX_S_IFMT) | (sa->mode & 07777);
	if (sa->valid & EXT4_HOST_SET_UID) {
		in.i_uid = sa->uid & 0xffff;
		ext2fs_set_i_uid_high(in, sa->uid >> 16);
	}
	if (sa->valid & EXT4_HOST_SET_GID) {
		in.i_gid = sa->gid & 0xffff;
		ext2fs_set_i_gid_high(in, sa->gid >> 16);
	}
	if (sa->valid & EXT4_HOST_SET_ATIME)
		ext4_host_set_time(h, &in, 'a', sa->atime);
	if (sa->valid & EXT4_HOST_SET_MTIME)
		ext4_host_set_time(h, &in, 'm', sa->mtime);
	if (sa->valid & EXT4_HOST_SET_CTIME)
		ext4_host_set_time(h, &in, 'c', sa->ctime);
	return ext4_host_write_inode(h, ino, &in);
}
