/* SO_ATTACH_FILTER and its companions on any socket whose family runs
 * filters (umk/filter.h): a program is copied in, checked and swapped
 * for the old one; SO_LOCK_FILTER freezes it for good. Errors and their
 * order are Linux's (sk_attach_filter, sk_detach_filter, sk_get_filter). */
#include <umk/net.h>
#include <umk/filter.h>
#include <umk/uaccess.h>

/* struct sock_fprog as an x86-64 guest lays it out. */
struct guest_fprog {
	uint16_t len;
	uint16_t pad[3];
	uint64_t filter;
};

int sock_attach_filter(struct socket *s, uaddr_t val, int len)
{
	struct guest_fprog fp;
	if (len != (int)sizeof(fp))
		return -EINVAL;
	if (copy_from_user(&fp, val, sizeof(fp)))
		return -EFAULT;
	if (s->filter_locked)
		return -EPERM;
	if (!fp.filter || !fp.len || fp.len > BPF_MAXINSNS)
		return -EINVAL;
	struct sk_filter *f = kmalloc(sizeof(*f) + sizeof(struct sock_filter) * fp.len);
	f->len = fp.len;
	int err = copy_from_user(f->insns, fp.filter, sizeof(struct sock_filter) * fp.len) ? -EFAULT :
		  sk_chk_filter(f->insns, f->len);
	if (err) {
		kfree(f);
		return err;
	}
	kfree(s->filter);
	s->filter = f;
	return 0;
}

int sock_detach_filter(struct socket *s)
{
	if (s->filter_locked)
		return -EPERM;
	if (!s->filter)
		return -ENOENT;
	kfree(s->filter);
	s->filter = NULL;
	return 0;
}

int sock_lock_filter(struct socket *s, int val)
{
	if (s->filter_locked && !val)
		return -EPERM;	/* a lock is for good */
	s->filter_locked = val != 0;
	return 0;
}

/* SO_GET_FILTER: *ulen counts instructions, not bytes; 0 asks how many. */
int sock_get_filter(struct socket *s, uaddr_t val, uaddr_t ulen)
{
	int len;
	int err = get_user_optlen(ulen, &len);
	if (err)
		return err;
	int n = 0;
	if (s->filter) {
		n = (int)s->filter->len;
		if (len && len < n)
			return -EINVAL;
		if (len && copy_to_user(val, s->filter->insns, sizeof(struct sock_filter) * s->filter->len))
			return -EFAULT;
	}
	return copy_to_user(ulen, &n, sizeof(n)) ? -EFAULT : 0;
}
