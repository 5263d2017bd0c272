/* ext2/3/4 directory operations: each runs one host-side call under the
 * filesystem lock, then refreshes the cached inodes it changed. */
#include <umk/sched.h>
#include "ext4.h"

struct inode *ext4_lookup(struct inode *dir, const char *name)
{
	uint64_t ino;
	ext4_lock(dir->i_sb);
	int err = ext4_host_lookup(ext4_handle(dir), dir->i_ino, name, &ino);
	ext4_unlock(dir->i_sb);
	if (err)
		return ERR_PTR(err);
	return ext4_iget(dir->i_sb, ino);
}

/* Owner of a new inode: the caller's fsuid/fsgid; a setgid directory
 * passes on its group (and, to subdirectories, the bit). */
static void new_owner(struct inode *dir, umode_t *mode, uint32_t *uid, uint32_t *gid)
{
	*uid = current->cred.fsuid;
	*gid = current->cred.fsgid;
	if (dir->i_mode & S_ISGID) {
		*gid = dir->i_gid;
		if (S_ISDIR(*mode))
			*mode |= S_ISGID;
	}
}

/* After a host call that made the new inode ino in dir: refresh dir and
 * read ino (a new inode is never in the cache: freed ones left it). */
static int made(struct inode *dir, int err, uint64_t ino, struct inode **out)
{
	if (err)
		return err;
	ext4_refresh(dir);
	struct inode *i = ext4_iget(dir->i_sb, ino);
	if (IS_ERR(i))
		return PTR_ERR(i);
	if (out)
		*out = i;
	else
		iput(i);
	return 0;
}

/* A removed directory (someone's cwd) takes no new entries, as Linux. */
static bool dead(struct inode *dir)
{
	return dir->i_nlink == 0;
}

static int mknod_common(struct inode *dir, const char *name, umode_t mode, uint64_t dev, struct inode **out)
{
	if (dead(dir))
		return -ENOENT;
	uint32_t uid, gid;
	uint64_t ino = 0;
	new_owner(dir, &mode, &uid, &gid);
	ext4_lock(dir->i_sb);
	int err = ext4_host_mknod(ext4_handle(dir), dir->i_ino, name, mode, dev, uid, gid, ext4_now(), &ino);
	ext4_unlock(dir->i_sb);
	return made(dir, err, ino, out);
}

int ext4_create(struct inode *dir, const char *name, umode_t mode, struct file *f)
{
	struct inode *i;
	int err = mknod_common(dir, name, S_IFREG | (mode & 07777), 0, &i);
	if (err)
		return err;
	f->f_inode = i;		/* the file keeps the reference */
	f->f_op = i->i_fop;
	return 0;
}

int ext4_mknod(struct inode *dir, const char *name, umode_t mode, uint64_t dev)
{
	return mknod_common(dir, name, mode, dev, NULL);
}

int ext4_mkdir(struct inode *dir, const char *name, umode_t mode)
{
	if (dead(dir))
		return -ENOENT;
	uint32_t uid, gid;
	uint64_t ino = 0;
	mode = S_IFDIR | (mode & 07777);
	new_owner(dir, &mode, &uid, &gid);
	ext4_lock(dir->i_sb);
	int err = ext4_host_mkdir(ext4_handle(dir), dir->i_ino, name, mode, uid, gid, ext4_now(), &ino);
	ext4_unlock(dir->i_sb);
	return made(dir, err, ino, NULL);
}

int ext4_symlink(struct inode *dir, const char *name, const char *target)
{
	if (dead(dir))
		return -ENOENT;
	uint32_t uid, gid;
	uint64_t ino = 0;
	umode_t mode = S_IFLNK | 0777;
	new_owner(dir, &mode, &uid, &gid);
	ext4_lock(dir->i_sb);
	int err = ext4_host_symlink(ext4_handle(dir), dir->i_ino, name, target, uid, gid, ext4_now(), &ino);
	ext4_unlock(dir->i_sb);
	return made(dir, err, ino, NULL);
}

int ext4_link(struct inode *old, struct inode *dir, const char *name)
{
	if (S_ISDIR(old->i_mode))
		return -EPERM;
	if (dead(dir))
		return -ENOENT;
	ext4_lock(dir->i_sb);
	int err = ext4_host_link(ext4_handle(dir), dir->i_ino, name, old->i_ino, ext4_now());
	ext4_unlock(dir->i_sb);
	if (err)
		return err;
	ext4_refresh(dir);
	return ext4_refresh(old);	/* its link count and ctime */
}

/* The inode named dir/name, held across an unlink so that dropping the
 * last reference afterwards frees it (or its last opener will). */
static struct inode *hold(struct inode *dir, const char *name)
{
	struct inode *i = ext4_lookup(dir, name);
	return IS_ERR(i) ? NULL : i;
}

static void drop(struct inode *i)
{
	if (i) {
		ext4_refresh(i);
		iput(i);
	}
}

static int remove(struct inode *dir, const char *name, bool is_dir)
{
	struct inode *victim = hold(dir, name);
	uint64_t ino;
	ext4_lock(dir->i_sb);
	int err = ext4_host_unlink(ext4_handle(dir), dir->i_ino, name, is_dir, ext4_now(), &ino);
	ext4_unlock(dir->i_sb);
	if (!err)
		ext4_refresh(dir);
	drop(victim);
	return err;
}

int ext4_unlink(struct inode *dir, const char *name) { return remove(dir, name, false); }
int ext4_rmdir(struct inode *dir, const char *name) { return remove(dir, name, true); }

int ext4_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname, unsigned flags)
{
	if (flags & ~3u)
		return -EINVAL;		/* RENAME_WHITEOUT: no overlayfs here */
	if (dead(ndir))
		return -ENOENT;
	struct inode *src = hold(odir, oname), *victim = hold(ndir, nname);
	uint64_t gone;
	ext4_lock(odir->i_sb);
	int err = ext4_host_rename(ext4_handle(odir), odir->i_ino, oname, ndir->i_ino, nname, flags, ext4_now(), &gone);
	ext4_unlock(odir->i_sb);
	if (!err) {
		ext4_refresh(odir);
		if (ndir != odir)
			ext4_refresh(ndir);
	}
	drop(src);
	drop(victim);
	return err;
}
