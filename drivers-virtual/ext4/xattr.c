/* ext2/3/4 extended attributes: user.*, trusted.* and security.*, kept
 * by the host half with libext2fs (in the inode's extra space or an
 * attribute block, as Linux's ext4 writes them). fs/xattr.c has checked
 * names and permissions. system.* (POSIX ACLs, inline data) is not
 * offered here: not listed, and set/get say EOPNOTSUPP/ENODATA. */
#include <umk/capability.h>
#include <umk/xattr.h>
#include "ext4.h"

ssize_t ext4_getxattr(struct inode *i, const char *name, void *buf, size_t size)
{
	ext4_lock(i->i_sb);
	ssize_t r = ext4_host_getxattr(ext4_handle(i), i->i_ino, name, buf, size);
	ext4_unlock(i->i_sb);
	return r;
}

int ext4_setxattr(struct inode *i, const char *name, const void *value, size_t size, int flags)
{
	if (!EXT4_SB(i->i_sb)->rw)
		return -EROFS;
	ext4_lock(i->i_sb);
	int err = ext4_host_setxattr(ext4_handle(i), i->i_ino, name, value, size, flags, ext4_now());
	ext4_unlock(i->i_sb);
	int r = ext4_refresh(i);
	return err ? err : r;
}

struct list_ctx {
	char *buf;
	size_t size, used;
	bool trusted, overflow;
};

/* The names Linux's ext4 would list to this caller. */
static void list_one(void *ctx, const char *name)
{
	struct list_ctx *c = ctx;
	if (strncmp(name, XATTR_USER_PREFIX, XATTR_USER_PREFIX_LEN) &&
	    strncmp(name, XATTR_SECURITY_PREFIX, XATTR_SECURITY_PREFIX_LEN) &&
	    (!c->trusted || strncmp(name, XATTR_TRUSTED_PREFIX, XATTR_TRUSTED_PREFIX_LEN)))
		return;
	size_t len = strlen(name) + 1;
	if (c->size) {
		if (c->used + len > c->size) {
			c->overflow = true;
			return;
		}
		memcpy(c->buf + c->used, name, len);
	}
	c->used += len;
}

ssize_t ext4_listxattr(struct inode *i, char *buf, size_t size)
{
	struct list_ctx c = { .buf = buf, .size = size, .trusted = capable(CAP_SYS_ADMIN) };
	ext4_lock(i->i_sb);
	int err = ext4_host_listxattr(ext4_handle(i), i->i_ino, list_one, &c);
	ext4_unlock(i->i_sb);
	if (err)
		return err;
	return c.overflow ? -ERANGE : (ssize_t)c.used;
}
