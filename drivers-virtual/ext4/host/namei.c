/* ext2 host side: directory entries — creating inodes of every type,
 * links, unlink/rmdir, rename, and freeing an inode whose last link and
 * last user are gone. Link counts and times follow ext4. */
#include <errno.h>
#include <string.h>
#include "internal.h"

static int file_type(uint32_t mode)
{
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG: return EXT2_FT_REG_FILE;
	case LINUX_S_IFDIR: return EXT2_FT_DIR;
	case LINUX_S_IFCHR: return EXT2_FT_CHRDEV;
	case LINUX_S_IFBLK: return EXT2_FT_BLKDEV;
	case LINUX_S_IFIFO: return EXT2_FT_FIFO;
	case LINUX_S_IFSOCK: return EXT2_FT_SOCK;
	case LINUX_S_IFLNK: return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

static int dir_flags(struct ext4_host_fs *h, uint64_t dir)
{
	struct ext2_inode_large in;
	if (ext4_host_read_inode(h, dir, &in))
		return 0;
	return (in.i_flags & EXT4_INLINE_DATA_FL) ? DIRENT_FLAG_INCLUDE_INLINE_DATA : 0;
}

static int exists(struct ext4_host_fs *h, uint64_t dir, const char *name, ext2_ino_t *ino)
{
	errcode_t e = ext2fs_lookup(h->fs, dir, name, strlen(name), NULL, ino);
	if (e == EXT2_ET_FILE_NOT_FOUND)
		return 0;
	return e ? ext4_host_err(e) : 1;
}

/* A new name in dir on a writable filesystem: 0, or -EROFS/-EEXIST/... */
static int name_free(struct ext4_host_fs *h, uint64_t dir, const char *name)
{
	ext2_ino_t ino;
	if (!h->rw)
		return -EROFS;
	int err = exists(h, dir, name, &ino);
	return err ? (err < 0 ? err : -EEXIST) : 0;
}

/* Add an entry; a full directory grows by a block and we try again. */
static int add_link(struct ext4_host_fs *h, uint64_t dir, const char *name, uint64_t ino, uint32_t mode)
{
	errcode_t e = ext2fs_link(h->fs, dir, name, ino, file_type(mode));
	if (e == EXT2_ET_DIR_NO_SPACE) {
		e = ext2fs_expand_dir(h->fs, dir);
		if (!e)
			e = ext2fs_link(h->fs, dir, name, ino, file_type(mode));
	}
	return e ? ext4_host_err(e) : 0;
}

static void set_owner(struct ext2_inode_large *in, uint32_t uid, uint32_t gid)
{
	in->i_uid = uid & 0xffff;
	ext2fs_set_i_uid_high(*in, uid >> 16);
	in->i_gid = gid & 0xffff;
	ext2fs_set_i_gid_high(*in, gid >> 16);
}

/* Owner and all three times of a new inode (plus its mode bits). */
static int finish_new(struct ext4_host_fs *h, uint64_t ino, uint32_t mode, uint32_t uid, uint32_t gid, struct ext4_host_time now)
{
	struct ext2_inode_large in;
	int err = ext4_host_read_inode(h, ino, &in);
	if (err)
		return err;
	in.i_mode = (in.i_mode & LINUX_S_IFMT) | (mode & 07777);
	set_owner(&in, uid, gid);
	ext4_host_set_time(h, &in, 'a', now);
	ext4_host_set_time(h, &in, 'm', now);
	ext4_host_set_time(h, &in, 'c', now);
	return ext4_host_write_inode(h, ino, &in);
}

static void encode_dev(struct ext2_inode *in, uint64_t rdev)
{
	uint32_t major = (rdev >> 8) & 0xfff, minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
	if (major < 256 && minor < 256) {
		in->i_block[0] = major << 8 | minor;	/* the old 16-bit encoding */
	} else {
		in->i_block[0] = 0;
		in->i_block[1] = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
	}
}

int ext4_host_mknod(struct ext4_host_fs *h, uint64_t dir, const char *name, uint32_t mode, uint64_t rdev,
	      uint32_t uid, uint32_t gid, struct ext4_host_time now, uint64_t *out)
{
	ext2_ino_t ino;
	int err = name_free(h, dir, name);
	if (err)
		return err;
	errcode_t e = ext2fs_new_inode(h->fs, dir, mode, NULL, &ino);
	if (e)
		return ext4_host_err(e);
	struct ext2_inode in;
	memset(&in, 0, sizeof(in));
	in.i_mode = mode;
	in.i_links_count = 1;
	in.i_atime = in.i_mtime = in.i_ctime = (uint32_t)now.sec;
	if (LINUX_S_ISCHR(mode) || LINUX_S_ISBLK(mode)) {
		encode_dev(&in, rdev);
	} else if (LINUX_S_ISREG(mode) && ext2fs_has_feature_extents(h->fs->super)) {
		/* an empty extent tree: the header in i_block, EXTENTS_FL set */
		ext2_extent_handle_t eh;
		e = ext2fs_extent_open2(h->fs, ino, &in, &eh);
		if (e)
			return ext4_host_err(e);
		ext2fs_extent_free(eh);
	}
	e = ext2fs_write_new_inode(h->fs, ino, &in);
	if (e)
		return ext4_host_err(e);
	if ((err = add_link(h, dir, name, ino, mode)))
		return err;
	ext2fs_inode_alloc_stats2(h->fs, ino, +1, 0);
	if ((err = finish_new(h, ino, mode, uid, gid, now)))
		return err;
	*out = ino;
	return ext4_host_touch_dir(h, dir, 0, now);
}

int ext4_host_mkdir(struct ext4_host_fs *h, uint64_t dir, const char *name, uint32_t mode,
	      uint32_t uid, uint32_t gid, struct ext4_host_time now, uint64_t *out)
{
	ext2_ino_t ino;
	int err = name_free(h, dir, name);
	if (err)
		return err;
	errcode_t e = ext2fs_new_inode(h->fs, dir, LINUX_S_IFDIR | 0755, NULL, &ino);
	if (!e)
		e = ext2fs_mkdir(h->fs, dir, ino, name);
	if (e == EXT2_ET_DIR_NO_SPACE) {
		/* nothing was accounted yet: grow the parent and start over */
		e = ext2fs_expand_dir(h->fs, dir);
		if (!e)
			e = ext2fs_mkdir(h->fs, dir, ino, name);
	}
	if (e)
		return ext4_host_err(e);
	if ((err = finish_new(h, ino, mode, uid, gid, now)))
		return err;
	*out = ino;
	return ext4_host_touch_dir(h, dir, 0, now);	/* ext2fs_mkdir counted the ".." link */
}

int ext4_host_symlink(struct ext4_host_fs *h, uint64_t dir, const char *name, const char *target,
		uint32_t uid, uint32_t gid, struct ext4_host_time now, uint64_t *out)
{
	if (strlen(target) >= h->fs->blocksize)
		return -ENAMETOOLONG;
	ext2_ino_t ino;
	int err = name_free(h, dir, name);
	if (err)
		return err;
	errcode_t e = ext2fs_new_inode(h->fs, dir, LINUX_S_IFLNK | 0777, NULL, &ino);
	if (!e)
		e = ext2fs_symlink(h->fs, dir, ino, name, target);
	if (e == EXT2_ET_DIR_NO_SPACE) {
		e = ext2fs_expand_dir(h->fs, dir);
		if (!e)
			e = ext2fs_symlink(h->fs, dir, ino, name, target);
	}
	if (e)
		return ext4_host_err(e);
	if ((err = finish_new(h, ino, 0777, uid, gid, now)))
		return err;
	*out = ino;
	return ext4_host_touch_dir(h, dir, 0, now);
}

int ext4_host_link(struct ext4_host_fs *h, uint64_t dir, const char *name, uint64_t ino, struct ext4_host_time now)
{
	int err = name_free(h, dir, name);
	if (err)
		return err;
	struct ext2_inode_large in;
	if ((err = ext4_host_read_inode(h, ino, &in)))
		return err;
	if (!in.i_links_count)
		return -ENOENT;		/* unlinked (on the orphan list): as Linux */
	if (in.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	if ((err = add_link(h, dir, name, ino, in.i_mode)))
		return err;
	in.i_links_count++;
	ext4_host_set_time(h, &in, 'c', now);
	if ((err = ext4_host_write_inode(h, ino, &in)))
		return err;
	return ext4_host_touch_dir(h, dir, 0, now);
}

struct count { int n; };

static int count_actor(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize, char *buf, void *priv)
{
	(void)dir; (void)offset; (void)blocksize; (void)buf;
	if (d->inode && entry != DIRENT_DOT_FILE && entry != DIRENT_DOT_DOT_FILE) {
		((struct count *)priv)->n++;
		return DIRENT_ABORT;
	}
	return 0;
}

static int dir_empty(struct ext4_host_fs *h, uint64_t dir)
{
	struct count c = { 0 };
	errcode_t e = ext2fs_dir_iterate2(h->fs, dir, dir_flags(h, dir), NULL, count_actor, &c);
	if (e)
		return ext4_host_err(e);
	return c.n ? -ENOTEMPTY : 0;
}

/* Drop one link of ino (a directory loses both: its entry and "."). */
static int drop_link(struct ext4_host_fs *h, uint64_t ino, struct ext4_host_time now)
{
	struct ext2_inode_large in;
	int err = ext4_host_read_inode(h, ino, &in);
	if (err)
		return err;
	bool had = in.i_links_count != 0;
	if (LINUX_S_ISDIR(in.i_mode))
		in.i_links_count = 0;
	else if (in.i_links_count)
		in.i_links_count--;
	if (had && !in.i_links_count)
		ext4_orphan_add(h, ino, &in);	/* freed when its last user goes */
	ext4_host_set_time(h, &in, 'c', now);
	return ext4_host_write_inode(h, ino, &in);
}

int ext4_host_unlink(struct ext4_host_fs *h, uint64_t dir, const char *name, bool is_dir, struct ext4_host_time now, uint64_t *out)
{
	if (!h->rw)
		return -EROFS;
	ext2_ino_t ino;
	int err = exists(h, dir, name, &ino);
	if (err <= 0)
		return err ? err : -ENOENT;
	struct ext2_inode_large in;
	if ((err = ext4_host_read_inode(h, ino, &in)))
		return err;
	if (is_dir && !LINUX_S_ISDIR(in.i_mode))
		return -ENOTDIR;
	if (!is_dir && LINUX_S_ISDIR(in.i_mode))
		return -EISDIR;
	if (is_dir && (err = dir_empty(h, ino)))
		return err;
	errcode_t e = ext2fs_unlink(h->fs, dir, name, ino, 0);
	if (e)
		return ext4_host_err(e);
	if ((err = drop_link(h, ino, now)))
		return err;
	*out = ino;
	return ext4_host_touch_dir(h, dir, is_dir ? -1 : 0, now);
}

struct retarget { const char *name; size_t len; ext2_ino_t ino; int ftype; bool done; };

static int retarget_actor(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize, char *buf, void *priv)
{
	(void)dir; (void)entry; (void)offset; (void)blocksize; (void)buf;
	struct retarget *r = priv;
	if (!d->inode || (size_t)ext2fs_dirent_name_len(d) != r->len || memcmp(d->name, r->name, r->len))
		return 0;
	d->inode = r->ino;
	if (r->ftype >= 0)
		ext2fs_dirent_set_file_type(d, r->ftype);
	r->done = true;
	return DIRENT_CHANGED | DIRENT_ABORT;
}

/* Point the existing entry dir/name at ino (ftype < 0: keep the type). */
static int retarget(struct ext4_host_fs *h, uint64_t dir, const char *name, uint64_t ino, int ftype)
{
	struct retarget r = { name, strlen(name), ino, ftype, false };
	errcode_t e = ext2fs_dir_iterate2(h->fs, dir, dir_flags(h, dir), NULL, retarget_actor, &r);
	if (e)
		return ext4_host_err(e);
	return r.done ? 0 : -ENOENT;
}

static int set_ctime(struct ext4_host_fs *h, uint64_t ino, struct ext4_host_time now)
{
	struct ext2_inode_large in;
	int err = ext4_host_read_inode(h, ino, &in);
	if (!err) {
		ext4_host_set_time(h, &in, 'c', now);
		err = ext4_host_write_inode(h, ino, &in);
	}
	return err;
}

static int rename_exchange(struct ext4_host_fs *h, uint64_t odir, const char *oname, uint64_t ndir, const char *nname,
			   ext2_ino_t a, uint32_t amode, ext2_ino_t b, uint32_t bmode, struct ext4_host_time now)
{
	int err;
	if ((err = retarget(h, odir, oname, b, file_type(bmode))) ||
	    (err = retarget(h, ndir, nname, a, file_type(amode))))
		return err;
	if (odir != ndir) {
		if (LINUX_S_ISDIR(amode) && (err = retarget(h, a, "..", ndir, -1)))
			return err;
		if (LINUX_S_ISDIR(bmode) && (err = retarget(h, b, "..", odir, -1)))
			return err;
		int d = LINUX_S_ISDIR(amode) - LINUX_S_ISDIR(bmode);
		if ((err = ext4_host_touch_dir(h, odir, -d, now)) || (err = ext4_host_touch_dir(h, ndir, d, now)))
			return err;
	} else if ((err = ext4_host_touch_dir(h, odir, 0, now))) {
		return err;
	}
	if ((err = set_ctime(h, a, now)))
		return err;
	return set_ctime(h, b, now);
}

int ext4_host_rename(struct ext4_host_fs *h, uint64_t odir, const char *oname, uint64_t ndir, const char *nname,
	       unsigned flags, struct ext4_host_time now, uint64_t *victim)
{
	if (!h->rw)
		return -EROFS;
	*victim = 0;
	ext2_ino_t src, dst = 0;
	int err = exists(h, odir, oname, &src);
	if (err <= 0)
		return err ? err : -ENOENT;
	int there = exists(h, ndir, nname, &dst);
	if (there < 0)
		return there;
	if (there && (flags & 1))	/* RENAME_NOREPLACE */
		return -EEXIST;
	if (!there && (flags & 2))	/* RENAME_EXCHANGE */
		return -ENOENT;
	struct ext2_inode_large sin, din;
	if ((err = ext4_host_read_inode(h, src, &sin)))
		return err;
	if (there && (err = ext4_host_read_inode(h, dst, &din)))
		return err;
	if (flags & 2)
		return rename_exchange(h, odir, oname, ndir, nname, src, sin.i_mode, dst, din.i_mode, now);
	if (there && dst == src)
		return 0;	/* two names of one inode: nothing to do */
	bool isdir = LINUX_S_ISDIR(sin.i_mode);
	if (there) {
		if (LINUX_S_ISDIR(din.i_mode) && !isdir)
			return -EISDIR;
		if (!LINUX_S_ISDIR(din.i_mode) && isdir)
			return -ENOTDIR;
		if (LINUX_S_ISDIR(din.i_mode) && (err = dir_empty(h, dst)))
			return err;
		if ((err = retarget(h, ndir, nname, src, file_type(sin.i_mode))) || (err = drop_link(h, dst, now)))
			return err;
		*victim = dst;
	} else if ((err = add_link(h, ndir, nname, src, sin.i_mode))) {
		return err;
	}
	errcode_t e = ext2fs_unlink(h->fs, odir, oname, src, 0);
	if (e)
		return ext4_host_err(e);
	/* a directory that changes parent: its ".." and both link counts;
	 * replacing a directory in ndir already took one of ndir's links */
	int moved = isdir && odir != ndir;
	if (moved && (err = retarget(h, src, "..", ndir, -1)))
		return err;
	if ((err = ext4_host_touch_dir(h, odir, moved ? -1 : 0, now)))
		return err;
	int nd = (moved ? 1 : 0) - (there && isdir ? 1 : 0);
	if ((odir != ndir || nd) && (err = ext4_host_touch_dir(h, ndir, nd, now)))
		return err;
	return set_ctime(h, src, now);
}

int ext4_host_release(struct ext4_host_fs *h, uint64_t ino)
{
	if (!h->rw)
		return 0;
	struct ext2_inode_large in;
	int err = ext4_host_read_inode(h, ino, &in);
	if (err || in.i_links_count || !in.i_mode || !ext2fs_test_inode_bitmap2(h->fs->inode_map, ino))
		return err;	/* still linked, or already free */
	if ((err = ext4_orphan_del(h, ino, &in)))
		return err;
	errcode_t e = 0;
	if (ext2fs_inode_has_valid_blocks2(h->fs, (struct ext2_inode *)&in) || (in.i_flags & EXT4_INLINE_DATA_FL))
		e = ext2fs_punch(h->fs, ino, (struct ext2_inode *)&in, NULL, 0, ~0ULL);
	if (!e && ext2fs_file_acl_block(h->fs, (struct ext2_inode *)&in))
		e = ext2fs_free_ext_attr(h->fs, ino, &in);
	if (e)
		return ext4_host_err(e);
	if ((err = ext4_host_read_inode(h, ino, &in)))
		return err;
	in.i_dtime = in.i_ctime ? in.i_ctime : 1;
	if ((err = ext4_host_write_inode(h, ino, &in)))
		return err;
	ext2fs_inode_alloc_stats2(h->fs, ino, -1, LINUX_S_ISDIR(in.i_mode));
	return 0;
}
