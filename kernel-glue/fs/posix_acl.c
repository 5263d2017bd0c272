/* POSIX ACLs as Linux's fs/posix_acl.c: the xattr format (version 2,
 * little-endian, a 4-byte header and 8-byte entries), posix_acl_valid's
 * rules, the access ACL kept in step with the mode (setting it sets the
 * group/other bits; chmod sets the mask or group entry), default ACLs
 * passed on to new inodes, and the permission walk of
 * posix_acl_permission. There are no user namespaces: ids are as given,
 * only -1 is invalid. */
#include <umk/capability.h>
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/posix_acl.h>
#include <umk/sched.h>
#include <umk/xattr.h>

#define ACL_UNDEFINED_ID	((uint32_t)-1)
#define S_IRWXUGO		0777

struct acl_xattr_entry { uint16_t tag, perm; uint32_t id; };

static struct posix_acl *acl_alloc(int count)
{
	struct posix_acl *a = kmalloc(sizeof(*a) + count * sizeof(a->a_entries[0]));
	a->a_count = count;
	return a;
}

void posix_acl_release(struct posix_acl *acl)
{
	kfree(acl);
}

static struct posix_acl *acl_clone(const struct posix_acl *a)
{
	struct posix_acl *c = acl_alloc(a->a_count);
	memcpy(c->a_entries, a->a_entries, a->a_count * sizeof(a->a_entries[0]));
	return c;
}

#define FOREACH_ACL_ENTRY(pa, acl, pe) \
	for (pa = (acl)->a_entries, pe = pa + (acl)->a_count; pa < pe; pa++)

/* posix_acl_from_xattr: NULL for no entries (a removal), or ERR_PTR. */
static struct posix_acl *acl_from_xattr(const void *value, size_t size, int *err)
{
	uint32_t version;
	*err = 0;
	if (size < sizeof(version)) {
		*err = -EINVAL;
		return NULL;
	}
	memcpy(&version, value, sizeof(version));
	if (version != POSIX_ACL_XATTR_VERSION) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if ((size - 4) % sizeof(struct acl_xattr_entry)) {
		*err = -EINVAL;
		return NULL;
	}
	int count = (size - 4) / sizeof(struct acl_xattr_entry);
	if (!count)
		return NULL;
	struct posix_acl *acl = acl_alloc(count);
	const struct acl_xattr_entry *e = (const void *)((const char *)value + 4);
	for (int i = 0; i < count; i++) {
		struct acl_xattr_entry x;
		memcpy(&x, e + i, sizeof(x));
		struct posix_acl_entry *a = &acl->a_entries[i];
		a->e_tag = x.tag;
		a->e_perm = x.perm;
		a->e_id = ACL_UNDEFINED_ID;
		switch (x.tag) {
		case ACL_USER_OBJ: case ACL_GROUP_OBJ: case ACL_MASK: case ACL_OTHER:
			break;
		case ACL_USER: case ACL_GROUP:
			if (x.id == ACL_UNDEFINED_ID)
				goto fail;
			a->e_id = x.id;
			break;
		default:
			goto fail;
		}
	}
	return acl;
fail:
	kfree(acl);
	*err = -EINVAL;
	return NULL;
}

static int acl_valid(const struct posix_acl *acl)
{
	const struct posix_acl_entry *pa, *pe;
	int state = ACL_USER_OBJ;
	bool needs_mask = false;
	FOREACH_ACL_ENTRY(pa, acl, pe) {
		if (pa->e_perm & ~7)
			return -EINVAL;
		switch (pa->e_tag) {
		case ACL_USER_OBJ:
			if (state != ACL_USER_OBJ)
				return -EINVAL;
			state = ACL_USER;
			break;
		case ACL_USER:
			if (state != ACL_USER)
				return -EINVAL;
			needs_mask = true;
			break;
		case ACL_GROUP_OBJ:
			if (state != ACL_USER)
				return -EINVAL;
			state = ACL_GROUP;
			break;
		case ACL_GROUP:
			if (state != ACL_GROUP)
				return -EINVAL;
			needs_mask = true;
			break;
		case ACL_MASK:
			if (state != ACL_GROUP)
				return -EINVAL;
			state = ACL_OTHER;
			break;
		case ACL_OTHER:
			if (state != ACL_OTHER && (state != ACL_GROUP || needs_mask))
				return -EINVAL;
			state = 0;
			break;
		default:
			return -EINVAL;
		}
	}
	return state == 0 ? 0 : -EINVAL;
}

/* 0 if acl says no more than the mode bits (then *mode is it), 1 if it
 * says more, -EINVAL for a bad tag. */
static int acl_equiv_mode(const struct posix_acl *acl, umode_t *mode_p)
{
	const struct posix_acl_entry *pa, *pe;
	umode_t mode = 0;
	int not_equiv = 0;
	FOREACH_ACL_ENTRY(pa, acl, pe) {
		switch (pa->e_tag) {
		case ACL_USER_OBJ: mode |= (pa->e_perm & 7) << 6; break;
		case ACL_GROUP_OBJ: mode |= (pa->e_perm & 7) << 3; break;
		case ACL_OTHER: mode |= pa->e_perm & 7; break;
		case ACL_MASK: mode = (mode & ~070) | ((pa->e_perm & 7) << 3); not_equiv = 1; break;
		case ACL_USER: case ACL_GROUP: not_equiv = 1; break;
		default: return -EINVAL;
		}
	}
	*mode_p = (*mode_p & ~S_IRWXUGO) | mode;
	return not_equiv;
}

static struct posix_acl **acl_slot(struct inode *inode, const char *name)
{
	return !strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS) ? &inode->i_acl : &inode->i_default_acl;
}

int posix_acl_set_xattr(struct inode *inode, const char *name, const void *value, size_t size)
{
	int err = 0;
	struct posix_acl *acl = value && size ? acl_from_xattr(value, size, &err) : NULL;
	if (err)
		return err;
	bool access = !strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS);
	if (!inode->i_sb || !inode->i_sb->s_posixacl)
		err = -EOPNOTSUPP;
	else if (!access && !S_ISDIR(inode->i_mode))
		err = acl ? -EACCES : 0;
	else if (!inode_owner_or_capable(inode))
		err = -EPERM;
	else if (acl)
		err = acl_valid(acl);
	if (err || (!access && !S_ISDIR(inode->i_mode))) {
		posix_acl_release(acl);
		return err;
	}
	if (access) {
		/* simple_set_acl: the mode follows; an ACL the mode says
		 * whole is not kept */
		umode_t mode = inode->i_mode;
		if (acl && !acl_equiv_mode(acl, &mode)) {
			posix_acl_release(acl);
			acl = NULL;
		}
		if (!in_group_p(inode->i_gid) && !capable(CAP_FSETID))
			mode &= ~S_ISGID;
		inode->i_mode = mode;
	}
	struct posix_acl **slot = acl_slot(inode, name);
	posix_acl_release(*slot);
	*slot = acl;
	inode->i_ctime = current_time();
	return 0;
}

ssize_t posix_acl_get_xattr(struct inode *inode, const char *name, void *buf, size_t size)
{
	struct posix_acl *acl = *acl_slot(inode, name);
	if (!inode->i_sb || !inode->i_sb->s_posixacl || !acl)
		return -ENODATA;
	size_t need = 4 + acl->a_count * sizeof(struct acl_xattr_entry);
	if (!size)
		return need;
	if (size < need)
		return -ERANGE;
	uint32_t version = POSIX_ACL_XATTR_VERSION;
	memcpy(buf, &version, 4);
	for (int i = 0; i < acl->a_count; i++) {
		const struct posix_acl_entry *a = &acl->a_entries[i];
		struct acl_xattr_entry x = { a->e_tag, a->e_perm, a->e_id };
		memcpy((char *)buf + 4 + i * sizeof(x), &x, sizeof(x));
	}
	return need;
}

ssize_t posix_acl_list(struct inode *inode, char *buf, size_t size)
{
	size_t used = 0;
	const char *names[2] = { inode->i_acl ? XATTR_NAME_POSIX_ACL_ACCESS : NULL,
				 inode->i_default_acl ? XATTR_NAME_POSIX_ACL_DEFAULT : NULL };
	for (int i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		size_t len = strlen(names[i]) + 1;
		if (size) {
			if (used + len > size)
				return -ERANGE;
			memcpy(buf + used, names[i], len);
		}
		used += len;
	}
	return used;
}

int posix_acl_check(struct inode *inode, int want)
{
	const struct posix_acl *acl = inode->i_acl;
	const struct posix_acl_entry *pa, *pe, *m;
	bool found = false;
	if (!acl || !inode->i_sb || !inode->i_sb->s_posixacl)
		return -EAGAIN;
	want &= MAY_READ | MAY_WRITE | MAY_EXEC;
	FOREACH_ACL_ENTRY(pa, acl, pe) {
		switch (pa->e_tag) {
		case ACL_USER_OBJ:
			if (current->cred.fsuid == inode->i_uid)
				goto check_perm;
			break;
		case ACL_USER:
			if (current->cred.fsuid == pa->e_id)
				goto mask;
			break;
		case ACL_GROUP_OBJ:
		case ACL_GROUP:
			if (in_group_p(pa->e_tag == ACL_GROUP ? pa->e_id : inode->i_gid)) {
				found = true;
				if ((pa->e_perm & want) == want)
					goto mask;
			}
			break;
		case ACL_MASK:
			break;
		case ACL_OTHER:
			if (found)
				return -EACCES;
			goto check_perm;
		default:
			return -EIO;
		}
	}
	return -EIO;
mask:
	for (m = pa + 1; m < pe; m++)
		if (m->e_tag == ACL_MASK)
			return (pa->e_perm & m->e_perm & want) == want ? 0 : -EACCES;
check_perm:
	return (pa->e_perm & want) == want ? 0 : -EACCES;
}

void posix_acl_chmod(struct inode *inode)
{
	struct posix_acl *acl = inode->i_acl;
	struct posix_acl_entry *pa, *pe, *group_obj = NULL, *mask_obj = NULL;
	umode_t mode = inode->i_mode;
	if (!acl)
		return;
	FOREACH_ACL_ENTRY(pa, acl, pe) {
		switch (pa->e_tag) {
		case ACL_USER_OBJ: pa->e_perm = (mode >> 6) & 7; break;
		case ACL_GROUP_OBJ: group_obj = pa; break;
		case ACL_MASK: mask_obj = pa; break;
		case ACL_OTHER: pa->e_perm = mode & 7; break;
		}
	}
	if (mask_obj)
		mask_obj->e_perm = (mode >> 3) & 7;
	else if (group_obj)
		group_obj->e_perm = (mode >> 3) & 7;
}

/* posix_acl_create_masq: the new inode's ACL narrowed by the mode asked
 * for, and the mode by the ACL; 0 if the result says no more than the
 * mode. */
static int acl_create_masq(struct posix_acl *acl, umode_t *mode_p)
{
	struct posix_acl_entry *pa, *pe, *group_obj = NULL, *mask_obj = NULL;
	umode_t mode = *mode_p;
	int not_equiv = 0;
	FOREACH_ACL_ENTRY(pa, acl, pe) {
		switch (pa->e_tag) {
		case ACL_USER_OBJ:
			pa->e_perm &= (mode >> 6) | ~7;
			mode &= (pa->e_perm << 6) | ~0700;
			break;
		case ACL_USER: case ACL_GROUP: not_equiv = 1; break;
		case ACL_GROUP_OBJ: group_obj = pa; break;
		case ACL_OTHER:
			pa->e_perm &= mode | ~7;
			mode &= pa->e_perm | ~07;
			break;
		case ACL_MASK: mask_obj = pa; not_equiv = 1; break;
		default: return -EIO;
		}
	}
	struct posix_acl_entry *g = mask_obj ? mask_obj : group_obj;
	if (!g)
		return -EIO;
	g->e_perm &= (mode >> 3) | ~7;
	mode &= (g->e_perm << 3) | ~070;
	*mode_p = (*mode_p & ~S_IRWXUGO) | mode;
	return not_equiv;
}

void posix_acl_create(struct inode *dir, umode_t *mode, struct posix_acl **acl, struct posix_acl **default_acl)
{
	*acl = *default_acl = NULL;
	if (S_ISLNK(*mode) || !dir || !dir->i_sb || !dir->i_sb->s_posixacl || !dir->i_default_acl)
		return;
	struct posix_acl *clone = acl_clone(dir->i_default_acl);
	if (acl_create_masq(clone, mode) > 0)
		*acl = clone;
	else
		posix_acl_release(clone);
	if (S_ISDIR(*mode))
		*default_acl = acl_clone(dir->i_default_acl);
}

umode_t vfs_prepare_mode(struct inode *dir, umode_t mode)
{
	if (dir && dir->i_sb && dir->i_sb->s_posixacl && dir->i_default_acl)
		return mode;
	return mode & ~(current && current->fs ? current->fs->umask : 022);
}
