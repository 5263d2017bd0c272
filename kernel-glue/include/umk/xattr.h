/* Extended attributes kept in kernel memory (Linux's simple_xattr, which
 * tmpfs uses): a list of name/value pairs per inode, sorted by name. */
#ifndef UMK_XATTR_H
#define UMK_XATTR_H
#include <umk/types.h>
#include <linux/xattr.h>

#define XATTR_NAME_MAX	255
#define XATTR_SIZE_MAX	65536
#define XATTR_LIST_MAX	65536

struct simple_xattr;
struct simple_xattrs { struct simple_xattr *first; };

/* The bytes one attribute costs (Linux's simple_xattr_space). */
size_t simple_xattr_space(const char *name, size_t size);
ssize_t simple_xattr_get(struct simple_xattrs *x, const char *name, void *buf, size_t size);
/* value NULL removes; *old_space gets the cost of what was replaced or
 * removed (0 if nothing) so the caller can give its charge back. */
int simple_xattr_set(struct simple_xattrs *x, const char *name, const void *value, size_t size, int flags,
		     size_t *old_space);
/* The names, NUL-terminated; trusted.* only for CAP_SYS_ADMIN. */
ssize_t simple_xattr_list(struct simple_xattrs *x, char *buf, size_t size);
/* Frees every attribute; the total space they held. */
size_t simple_xattrs_free(struct simple_xattrs *x);
#endif
