/* ext2/3/4 inodes, lookup, symlinks, file reads and directory listing:
 * thin wrappers over the host side, keyed by the on-disk inode number. */
#include "ext2.h"

static void apply_stat(struct inode *i, const struct e2h_stat *st)
{
	i->i_mode = st->mode;
	i->i_nlink = st->nlink;
	i->i_uid = st->uid;
	i->i_gid = st->gid;
	i->i_size = st->size;
	i->i_blocks = st->blocks;
	i->i_rdev = st->rdev;
	i->i_blksize = 4096;
	i->i_atime = (struct kts){ st->atime, st->atime_ns };
	i->i_mtime = (struct kts){ st->mtime, st->mtime_ns };
	i->i_ctime = (struct kts){ st->ctime, st->ctime_ns };
}

struct inode *ext2_iget(struct super_block *sb, uint64_t ino)
{
	bool is_new;
	struct inode *i = iget(sb, ino, &is_new);
	if (!is_new)
		return i;
	struct e2h_stat st;
	int err = e2h_stat(((struct ext2_sb_info *)sb->s_fs_info)->h, ino, &st);
	if (err) {
		iput(i);
		return ERR_PTR(err);
	}
	apply_stat(i, &st);
	i->i_dev = sb->s_dev;
	i->i_op = &ext2_iops;
	if (S_ISREG(st.mode))
		i->i_fop = &ext2_file_fops;
	else if (S_ISDIR(st.mode))
		i->i_fop = &ext2_dir_fops;
	else if (S_ISCHR(st.mode))
		i->i_fop = &chrdev_fops;
	return i;
}

static struct inode *ext2_lookup(struct inode *dir, const char *name)
{
	uint64_t ino;
	int err = e2h_lookup(E2H(dir), dir->i_ino, name, &ino);
	if (err)
		return ERR_PTR(err);
	return ext2_iget(dir->i_sb, ino);
}

static ssize_t ext2_readlink(struct inode *inode, char *buf, size_t n)
{
	return e2h_readlink(E2H(inode), inode->i_ino, buf, n);
}

const struct inode_operations ext2_iops = { .lookup = ext2_lookup, .readlink = ext2_readlink };

static ssize_t ext2_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	struct inode *i = f->f_inode;
	if (*pos < 0)
		return -EINVAL;
	if (*pos >= i->i_size)
		return 0;
	if ((uint64_t)n > (uint64_t)(i->i_size - *pos))
		n = i->i_size - *pos;
	ssize_t r = e2h_read(E2H(i), i->i_ino, buf, n, *pos);
	if (r > 0)
		*pos += r;
	return r;
}

const struct file_operations ext2_file_fops = { .read = ext2_read, .llseek = generic_file_llseek };

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
	return e2h_readdir(E2H(f->f_inode), f->f_inode->i_ino, ctx->pos, dir_cb, &it);
}

static loff_t ext2_dir_llseek(struct file *f, loff_t off, int whence)
{
	if (whence == SEEK_CUR)
		off += f->f_pos;
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	return f->f_pos = off;
}

const struct file_operations ext2_dir_fops = { .iterate = ext2_iterate, .llseek = ext2_dir_llseek };
