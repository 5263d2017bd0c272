/* In-memory extended attributes (Linux's fs/xattr.c simple_xattr_*):
 * a singly linked list sorted by name, so listxattr gives names in the
 * same order as Linux's rbtree keyed by strcmp. */
#include <umk/capability.h>
#include <umk/kernel.h>
#include <umk/xattr.h>

struct simple_xattr {
	struct simple_xattr *next;
	char *name;
	size_t size;
	char value[];
};

size_t simple_xattr_space(const char *name, size_t size)
{
	/* Linux counts 40 for the struct, whatever its real size */
	return 40 + size + strlen(name);
}

static struct simple_xattr **find(struct simple_xattrs *x, const char *name, bool *found)
{
	struct simple_xattr **pp = &x->first;
	int c = 1;
	while (*pp && (c = strcmp((*pp)->name, name)) < 0)
		pp = &(*pp)->next;
	*found = *pp && c == 0;
	return pp;
}

ssize_t simple_xattr_get(struct simple_xattrs *x, const char *name, void *buf, size_t size)
{
	bool found;
	struct simple_xattr *a = *find(x, name, &found);
	if (!found)
		return -ENODATA;
	if (size) {
		if (size < a->size)
			return -ERANGE;
		memcpy(buf, a->value, a->size);
	}
	return a->size;
}

int simple_xattr_set(struct simple_xattrs *x, const char *name, const void *value, size_t size, int flags,
		     size_t *old_space)
{
	bool found;
	struct simple_xattr **pp = find(x, name, &found);
	*old_space = 0;
	if (found && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!found && (flags & XATTR_REPLACE || !value))
		return -ENODATA;
	struct simple_xattr *n = NULL;
	if (value) {
		n = kmalloc_user(sizeof(*n) + size);
		char *nm = n ? kstrdup(name) : NULL;
		if (!nm) {
			kfree(n);
			return -ENOMEM;
		}
		n->name = nm;
		n->size = size;
		memcpy(n->value, value, size);
	}
	if (found) {
		struct simple_xattr *old = *pp;
		*old_space = simple_xattr_space(old->name, old->size);
		*pp = old->next;
		kfree(old->name);
		kfree(old);
	}
	if (n) {
		n->next = *pp;
		*pp = n;
	}
	return 0;
}

ssize_t simple_xattr_list(struct simple_xattrs *x, char *buf, size_t size)
{
	bool trusted = capable(CAP_SYS_ADMIN);
	size_t used = 0;
	for (struct simple_xattr *a = x->first; a; a = a->next) {
		if (!trusted && !strncmp(a->name, XATTR_TRUSTED_PREFIX, XATTR_TRUSTED_PREFIX_LEN))
			continue;
		size_t len = strlen(a->name) + 1;
		if (size) {
			if (used + len > size)
				return -ERANGE;
			memcpy(buf + used, a->name, len);
		}
		used += len;
	}
	return used;
}

size_t simple_xattrs_free(struct simple_xattrs *x)
{
	size_t space = 0;
	while (x->first) {
		struct simple_xattr *a = x->first;
		x->first = a->next;
		space += simple_xattr_space(a->name, a->size);
		kfree(a->name);
		kfree(a);
	}
	return space;
}
