/* ext2 host side: extended attributes through libext2fs's xattr API.
 * Handles are opened raw (XATTR_HANDLE_FLAG_RAW): the kernel half never
 * passes system.* names, and values go to disk as given. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define XATTR_CREATE	0x1
#define XATTR_REPLACE	0x2

static int xerr(errcode_t e)
{
	switch (e) {
	case EXT2_ET_EA_KEY_NOT_FOUND: return -ENODATA;
	case EXT2_ET_EA_NO_SPACE: return -ENOSPC;
	case EXT2_ET_MISSING_EA_FEATURE: return -EOPNOTSUPP;
	case EXT2_ET_EA_BAD_NAME_LEN: return -ERANGE;
	case EXT2_ET_EA_BAD_VALUE_SIZE: return -E2BIG;
	case EXT2_ET_NO_MEMORY: return -ENOMEM;
	}
	return ext4_host_err(e);
}

static errcode_t open_read(struct ext4_host_fs *h, uint64_t ino, struct ext2_xattr_handle **x)
{
	errcode_t e = ext2fs_xattrs_open(h->fs, ino, x);
	if (e)
		return e;
	unsigned raw = XATTR_HANDLE_FLAG_RAW;
	if (!(e = ext2fs_xattrs_flags(*x, &raw, NULL)) && !(e = ext2fs_xattrs_read(*x)))
		return 0;
	ext2fs_xattrs_close(x);
	return e;
}

ssize_t ext4_host_getxattr(struct ext4_host_fs *h, uint64_t ino, const char *name, void *buf, size_t size)
{
	struct ext2_xattr_handle *x;
	errcode_t e = open_read(h, ino, &x);
	if (e)
		return xerr(e);
	void *v = NULL;
	size_t len = 0;
	e = ext2fs_xattr_get(x, name, &v, &len);
	ext2fs_xattrs_close(&x);
	if (e)
		return xerr(e);
	ssize_t r = (ssize_t)len;
	if (size && len > size)
		r = -ERANGE;
	else if (size)
		memcpy(buf, v, len);
	ext2fs_free_mem(&v);
	return r;
}

int ext4_host_setxattr(struct ext4_host_fs *h, uint64_t ino, const char *name, const void *value, size_t size,
		       int flags, struct ext4_host_time now)
{
	struct ext2_xattr_handle *x;
	errcode_t e = open_read(h, ino, &x);
	if (e)
		return xerr(e);
	void *v = NULL;
	size_t len;
	bool exists = !ext2fs_xattr_get(x, name, &v, &len);
	ext2fs_free_mem(&v);
	int err = 0;
	if (exists && (flags & XATTR_CREATE))
		err = -EEXIST;
	else if (!exists && ((flags & XATTR_REPLACE) || !value))
		err = -ENODATA;
	else if (value)
		e = ext2fs_xattr_set(x, name, value, size);	/* writes it out */
	else
		e = ext2fs_xattr_remove(x, name);
	errcode_t ce = ext2fs_xattrs_close(&x);
	if (err)
		return err;
	if (e || ce)
		return xerr(e ? e : ce);
	/* the xattr code may have rewritten the inode: read it afresh */
	struct ext2_inode_large in;
	if ((err = ext4_host_read_inode(h, ino, &in)))
		return err;
	ext4_host_set_time(h, &in, 'c', now);
	return ext4_host_write_inode(h, ino, &in);
}

struct list_ctx { ext4_host_xattr_cb cb; void *ctx; };

static int list_one(char *name, char *value, size_t len, void *data)
{
	(void)value, (void)len;
	struct list_ctx *c = data;
	c->cb(c->ctx, name);
	return 0;
}

int ext4_host_listxattr(struct ext4_host_fs *h, uint64_t ino, ext4_host_xattr_cb cb, void *ctx)
{
	struct ext2_xattr_handle *x;
	errcode_t e = open_read(h, ino, &x);
	if (e)
		return xerr(e);
	struct list_ctx c = { cb, ctx };
	e = ext2fs_xattrs_iterate(x, list_one, &c);
	ext2fs_xattrs_close(&x);
	return e ? xerr(e) : 0;
}
