/* The register requests of ptrace(2): GETREGS/SETREGS, GETFPREGS/
 * SETFPREGS, GETREGSET/SETREGSET (by ELF note type), PEEKUSER/POKEUSER
 * and ARCH_PRCTL, over the arch's register sets (arch_regset_*: what the
 * registers are and which values they take is the arch's business). */
#include <umk/internal.h>
#include <umk/ptrace.h>
#include <umk/arch.h>
#include <umk/uaccess.h>
#include <linux/elf.h>

struct kiovec { uint64_t base, len; };

/* A whole set to the tracer's buffer (GETREGS, GETFPREGS). */
static long regset_to_user(struct task *child, unsigned type, uaddr_t data)
{
	size_t size = arch_regset_size(type);
	uint8_t *buf = kmalloc(size);
	long r = arch_regset_get(child, type, buf, size);
	if (r >= 0)
		r = copy_to_user(data, buf, (size_t)r) ? -EFAULT : 0;
	kfree(buf);
	return r;
}

static long regset_from_user(struct task *child, unsigned type, uaddr_t data)
{
	size_t size = arch_regset_size(type);
	uint8_t *buf = kmalloc(size);
	long r = copy_from_user(buf, data, size) ? -EFAULT : arch_regset_set(child, type, buf, size);
	kfree(buf);
	return r < 0 ? r : 0;
}

/* Linux's ptrace_regset: the iovec's length must be whole words of the
 * set; it is cut to the set's size and written back. */
static long ptrace_regset(struct task *child, bool set, unsigned type, uaddr_t uiov)
{
	struct kiovec iov;
	if (copy_from_user(&iov, uiov, sizeof(iov)))
		return -EFAULT;
	size_t size = arch_regset_size(type);
	if (!size || (iov.len % 8))
		return -EINVAL;
	size_t len = MIN((size_t)iov.len, size);
	uint8_t *buf = kmalloc(size);
	long r;
	if (set) {
		r = copy_from_user(buf, iov.base, len) ? -EFAULT : arch_regset_set(child, type, buf, len);
	} else {
		r = arch_regset_get(child, type, buf, len);
		if (r >= 0 && copy_to_user(iov.base, buf, (size_t)r))
			r = -EFAULT;
		if (r >= 0)
			len = (size_t)r;
	}
	kfree(buf);
	if (r < 0)
		return r;
	iov.len = len;
	return copy_to_user(uiov + offsetof(struct kiovec, len), &iov.len, 8) ? -EFAULT : 0;
}

bool ptrace_regs_request(struct task *child, long request, uaddr_t addr, uaddr_t data, long *ret)
{
	uint64_t v;
	switch (request) {
	case PTRACE_PEEKUSR:
		*ret = arch_ptrace_peekuser(child, addr, &v);
		if (!*ret)
			*ret = copy_to_user(data, &v, 8) ? -EFAULT : 0;
		return true;
	case PTRACE_POKEUSR:
		*ret = arch_ptrace_pokeuser(child, addr, data);
		return true;
	case PTRACE_GETREGS:
		*ret = regset_to_user(child, NT_PRSTATUS, data);
		return true;
	case PTRACE_SETREGS:
		*ret = regset_from_user(child, NT_PRSTATUS, data);
		return true;
	case PTRACE_GETFPREGS:
		*ret = regset_to_user(child, NT_PRFPREG, data);
		return true;
	case PTRACE_SETFPREGS:
		*ret = regset_from_user(child, NT_PRFPREG, data);
		return true;
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		*ret = ptrace_regset(child, request == PTRACE_SETREGSET, (unsigned)addr, data);
		return true;
	case PTRACE_ARCH_PRCTL:
		*ret = arch_prctl_task(child, (int)data, addr);
		return true;
	default:
		return false;
	}
}
