/* Capabilities: capable(), capget/capset, the prctl options about the
 * bounding and ambient sets and securebits, and what a change of uids
 * does to the sets -- Linux's kernel/capability.c and the non-exec half
 * of security/commoncap.c, without user namespaces. (The exec rules are
 * in exec_creds.c.) */
#include <umk/capability.h>
#include <umk/internal.h>
#include <umk/proc.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/prctl.h>

/* Linux 6.14's exec-control bits: flags for interpreters to read; the
 * kernel only keeps and locks them. */
#ifndef SECURE_EXEC_DENY_INTERACTIVE
#define SECURE_EXEC_RESTRICT_FILE	8
#define SECURE_EXEC_DENY_INTERACTIVE	10
#endif
#define ALL_BITS	(SECURE_ALL_BITS | issecure_mask(SECURE_EXEC_RESTRICT_FILE) | \
			 issecure_mask(SECURE_EXEC_DENY_INTERACTIVE))
#define ALL_LOCKS	(ALL_BITS << 1)

void cred_init_root(struct cred *c)
{
	*c = (struct cred){ 0 };
	c->cap_permitted = c->cap_effective = c->cap_bset = CAP_FULL_SET;
}

bool cred_capable(const struct cred *c, int cap)
{
	return (c->cap_effective & CAP_BIT(cap)) != 0;
}

bool has_capability(const struct task *t, int cap)
{
	return cred_capable(&t->cred, cap);
}

bool capable(int cap)
{
	return !current || has_capability(current, cap);
}

/* The fs-related capabilities that follow fsuid 0 (CAP_FS_SET). */
#define CAP_FS_SET	(CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_DAC_OVERRIDE) | \
			 CAP_BIT(CAP_DAC_READ_SEARCH) | CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_FSETID) | \
			 CAP_BIT(CAP_MAC_OVERRIDE) | CAP_BIT(CAP_LINUX_IMMUTABLE))

void cap_fix_setuid(const struct cred *old, bool fs)
{
	struct cred *c = &current->cred;
	if (old->securebits & SECBIT_NO_SETUID_FIXUP)
		return;
	if (fs) {
		if (old->fsuid == 0 && c->fsuid != 0)
			c->cap_effective &= ~CAP_FS_SET;
		if (old->fsuid != 0 && c->fsuid == 0)
			c->cap_effective |= c->cap_permitted & CAP_FS_SET;
		return;
	}
	bool was_root = old->uid == 0 || old->euid == 0 || old->suid == 0;
	bool is_root = c->uid == 0 || c->euid == 0 || c->suid == 0;
	if (was_root && !is_root) {
		if (!(old->securebits & SECBIT_KEEP_CAPS))
			c->cap_permitted = c->cap_effective = 0;
		/* programs from before ambient capabilities expect setresuid
		 * to non-root then exec to drop them */
		c->cap_ambient = 0;
	}
	if (old->euid == 0 && c->euid != 0)
		c->cap_effective = 0;
	if (old->euid != 0 && c->euid == 0)
		c->cap_effective = c->cap_permitted;
}

/* The header's version: how many 32-bit words of each set the caller's
 * data has, or -EINVAL after writing back the version we prefer. */
static int cap_validate_magic(uaddr_t header, int *words)
{
	uint32_t v;
	if (copy_from_user(&v, header, 4))
		return -EFAULT;
	switch (v) {
	case _LINUX_CAPABILITY_VERSION_1:
		*words = _LINUX_CAPABILITY_U32S_1;
		return 0;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		*words = _LINUX_CAPABILITY_U32S_3;
		return 0;
	default:
		v = _LINUX_CAPABILITY_VERSION_3;
		if (copy_to_user(header, &v, 4))
			return -EFAULT;
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(capget, uaddr_t, header, uaddr_t, data)
{
	int words;
	int r = cap_validate_magic(header, &words);
	/* a NULL data with a bad version is libcap's question "which
	 * version?": answered above, and not an error */
	if (!data || r)
		return (!data && r == -EINVAL) ? 0 : r;
	int32_t pid;
	if (copy_from_user(&pid, header + 4, 4))
		return -EFAULT;
	if (pid < 0)
		return -EINVAL;
	struct task *t = current;
	if (pid && pid != current->pid) {
		t = find_task_by_pid(pid);
		if (!t || t->state == TASK_DEAD)
			return -ESRCH;
	}
	const struct cred *c = &t->cred;
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	for (int i = 0; i < words; i++)
		d[i] = (struct __user_cap_data_struct){ (uint32_t)(c->cap_effective >> (32 * i)),
							(uint32_t)(c->cap_permitted >> (32 * i)),
							(uint32_t)(c->cap_inheritable >> (32 * i)) };
	return copy_to_user(data, d, words * sizeof(d[0])) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(capset, uaddr_t, header, uaddr_t, data)
{
	int words;
	int r = cap_validate_magic(header, &words);
	if (r)
		return r;
	int32_t pid;
	if (copy_from_user(&pid, header + 4, 4))
		return -EFAULT;
	/* only one's own since Linux 2.6.24 */
	if (pid != 0 && pid != current->pid)
		return -EPERM;
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
	if (copy_from_user(d, data, words * sizeof(d[0])))
		return -EFAULT;
	/* bits past the last capability are dropped, as Linux's mk_kernel_cap */
	kernel_cap_t eff = (d[0].effective | (uint64_t)d[1].effective << 32) & CAP_FULL_SET;
	kernel_cap_t perm = (d[0].permitted | (uint64_t)d[1].permitted << 32) & CAP_FULL_SET;
	kernel_cap_t inh = (d[0].inheritable | (uint64_t)d[1].inheritable << 32) & CAP_FULL_SET;
	struct cred *c = &current->cred;
	/* commoncap's cap_capset: the new inheritable set within the old
	 * one plus the permitted (unless CAP_SETPCAP) and plus the bounding
	 * set; permitted only shrinks; effective within the new permitted */
	if (!capable(CAP_SETPCAP) && (inh & ~(c->cap_inheritable | c->cap_permitted)))
		return -EPERM;
	if (inh & ~(c->cap_inheritable | c->cap_bset))
		return -EPERM;
	if (perm & ~c->cap_permitted)
		return -EPERM;
	if (eff & ~perm)
		return -EPERM;
	c->cap_effective = eff;
	c->cap_inheritable = inh;
	c->cap_permitted = perm;
	/* ambient: only what is still both permitted and inheritable */
	c->cap_ambient &= perm & inh;
	return 0;
}

static long cap_ambient(unsigned long op, unsigned long cap, unsigned long a4, unsigned long a5)
{
	struct cred *c = &current->cred;
	if (op == PR_CAP_AMBIENT_CLEAR_ALL) {
		if (cap || a4 || a5)
			return -EINVAL;
		c->cap_ambient = 0;
		return 0;
	}
	if (!cap_valid_nr(cap) || a4 || a5)
		return -EINVAL;
	switch (op) {
	case PR_CAP_AMBIENT_IS_SET:
		return (c->cap_ambient & CAP_BIT(cap)) != 0;
	case PR_CAP_AMBIENT_RAISE:
		if (!(c->cap_permitted & CAP_BIT(cap)) || !(c->cap_inheritable & CAP_BIT(cap)) ||
		    (c->securebits & SECBIT_NO_CAP_AMBIENT_RAISE))
			return -EPERM;
		c->cap_ambient |= CAP_BIT(cap);
		return 0;
	case PR_CAP_AMBIENT_LOWER:
		c->cap_ambient &= ~CAP_BIT(cap);
		return 0;
	default:
		return -EINVAL;
	}
}

long cap_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	struct cred *c = &current->cred;
	switch (option) {
	case PR_CAPBSET_READ:
		if (!cap_valid_nr(a2))
			return -EINVAL;
		return (c->cap_bset & CAP_BIT(a2)) != 0;
	case PR_CAPBSET_DROP:
		if (!capable(CAP_SETPCAP))
			return -EPERM;
		if (!cap_valid_nr(a2))
			return -EINVAL;
		c->cap_bset &= ~CAP_BIT(a2);
		return 0;
	case PR_GET_SECUREBITS:
		return c->securebits;
	case PR_SET_SECUREBITS:
		/* no change to a locked bit, no unlocking, no unknown bits,
		 * and nothing at all without CAP_SETPCAP */
		if ((((c->securebits & ALL_LOCKS) >> 1) & (c->securebits ^ a2)) ||
		    (c->securebits & ALL_LOCKS & ~a2) || (a2 & ~(unsigned long)(ALL_LOCKS | ALL_BITS)) ||
		    !capable(CAP_SETPCAP))
			return -EPERM;
		c->securebits = (unsigned)a2;
		return 0;
	case PR_GET_KEEPCAPS:
		return (c->securebits & SECBIT_KEEP_CAPS) != 0;
	case PR_SET_KEEPCAPS:
		if (a2 > 1)
			return -EINVAL;
		if (c->securebits & SECBIT_KEEP_CAPS_LOCKED)
			return -EPERM;
		if (a2)
			c->securebits |= SECBIT_KEEP_CAPS;
		else
			c->securebits &= ~SECBIT_KEEP_CAPS;
		return 0;
	case PR_CAP_AMBIENT:
		return cap_ambient(a2, a3, a4, a5);
	default:
		return -ENOSYS;
	}
}

static int cap_last_cap_show(struct sbuf *o, void *data)
{
	(void)data;
	sbuf_printf(o, "%d\n", UMK_CAP_LAST_CAP);
	return 0;
}
DEFINE_PROC_FILE(cap_last_cap, "sys/kernel/cap_last_cap", 0444, cap_last_cap_show, NULL, NULL);
