/* POSIX ACLs (Linux's fs/posix_acl.c): system.posix_acl_access and
 * system.posix_acl_default, kept on the inode (i_acl, i_default_acl) of
 * a filesystem that says so (s_posixacl: tmpfs), in the xattr format
 * version 2 on the wire. */
#ifndef UMK_POSIX_ACL_H
#define UMK_POSIX_ACL_H
#include <umk/kernel.h>
#include <linux/xattr.h>

struct inode;

#define ACL_USER_OBJ	0x01
#define ACL_USER	0x02
#define ACL_GROUP_OBJ	0x04
#define ACL_GROUP	0x08
#define ACL_MASK	0x10
#define ACL_OTHER	0x20
#define POSIX_ACL_XATTR_VERSION	2

struct posix_acl_entry {
	uint16_t e_tag, e_perm;
	uint32_t e_id;
};
struct posix_acl {
	int a_count;
	struct posix_acl_entry a_entries[];
};

static inline bool is_posix_acl_xattr(const char *name)
{
	return !strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS) || !strcmp(name, XATTR_NAME_POSIX_ACL_DEFAULT);
}

/* setxattr/getxattr/removexattr of an ACL name (checks as Linux's
 * do_set_acl/vfs_get_acl); value NULL removes. */
int posix_acl_set_xattr(struct inode *inode, const char *name, const void *value, size_t size);
ssize_t posix_acl_get_xattr(struct inode *inode, const char *name, void *buf, size_t size);
/* The ACL names set on inode, for listxattr: bytes, or -ERANGE. */
ssize_t posix_acl_list(struct inode *inode, char *buf, size_t size);
/* generic_permission's ACL step for a non-owner: 0, -EACCES, or -EAGAIN
 * when inode has no access ACL (the mode's group bits decide). */
int posix_acl_check(struct inode *inode, int mask);
/* After a chmod: the access ACL follows the new mode. */
void posix_acl_chmod(struct inode *inode);
/* A new inode in dir: *mode gets dir's default ACL applied (or the
 * umask when there is none); the new inode's ACLs are returned. */
void posix_acl_create(struct inode *dir, umode_t *mode, struct posix_acl **acl, struct posix_acl **default_acl);
/* The mode for a new inode in dir: the umask only when dir has no
 * default ACL (which replaces it). */
umode_t vfs_prepare_mode(struct inode *dir, umode_t mode);
void posix_acl_release(struct posix_acl *acl);
#endif
