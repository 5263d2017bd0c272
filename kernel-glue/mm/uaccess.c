/* Guest memory access from the kernel: walk the page tables, fault pages
 * in as the guest would, then copy through the physmem mapping. */
#include <umk/pgtable.h>
#include <umk/uaccess.h>
#include <umk/arch.h>
#include <umk/sched.h>
#include <linux/uio.h>

/* Returns the kernel address of guest va in mm, faulting it in. */
static void *uva_flags(struct mm *mm, uaddr_t va, bool write, int force)
{
	if (va >= TASK_SIZE)
		return NULL;
	uint64_t *pte = pte_lookup(mm, va & PAGE_MASK, false);
	if (!pte || !(*pte & PTE_PRESENT) || (write && !(*pte & PTE_WRITE))) {
		if (handle_mm_fault(mm, va, (write ? FAULT_WRITE : FAULT_READ) | FAULT_UACCESS | force))
			return NULL;
		pte = pte_lookup(mm, va & PAGE_MASK, false);
		if (!pte)
			return NULL;
	}
	return (char *)pfn_to_virt(PTE_PFN(*pte)) + (va & ~PAGE_MASK);
}

static void *uva(struct mm *mm, uaddr_t va, bool write)
{
	return uva_flags(mm, va, write, 0);
}

static long copy_mm_flags(struct mm *mm, uaddr_t ua, void *kbuf, size_t n, bool write, int force)
{
	size_t done = 0;
	if (ua + n < ua)
		return 0;
	while (done < n) {
		uaddr_t a = ua + done;
		size_t c = MIN(n - done, PAGE_SIZE - (a & ~PAGE_MASK));
		void *p = uva_flags(mm, a, write, force);
		if (!p)
			break;
		if (write)
			memcpy(p, (char *)kbuf + done, c);
		else
			memcpy((char *)kbuf + done, p, c);
		done += c;
	}
	return done;
}

static long copy_mm(struct mm *mm, uaddr_t ua, void *kbuf, size_t n, bool write)
{
	return copy_mm_flags(mm, ua, kbuf, n, write, 0);
}

int copy_from_user(void *dst, uaddr_t src, size_t n)
{
	return copy_mm(current->mm, src, dst, n, false) == (long)n ? 0 : -EFAULT;
}

int copy_to_user(uaddr_t dst, const void *src, size_t n)
{
	return copy_mm(current->mm, dst, (void *)src, n, true) == (long)n ? 0 : -EFAULT;
}

int clear_user(uaddr_t dst, size_t n)
{
	static const char zero[256];
	while (n) {
		size_t c = MIN(n, sizeof(zero));
		if (copy_to_user(dst, zero, c))
			return -EFAULT;
		dst += c;
		n -= c;
	}
	return 0;
}

long strncpy_from_user(char *dst, uaddr_t src, size_t n)
{
	size_t done = 0;
	while (done < n) {
		uaddr_t a = src + done;
		const char *p = uva(current->mm, a, false);
		if (!p)
			return -EFAULT;
		size_t c = MIN(n - done, PAGE_SIZE - (a & ~PAGE_MASK));
		for (size_t i = 0; i < c; i++) {
			dst[done + i] = p[i];
			if (!p[i])
				return done + i;
		}
		done += c;
	}
	return -ENAMETOOLONG;
}

long access_remote_vm(struct mm *mm, uaddr_t addr, void *buf, size_t n, bool write)
{
	return copy_mm(mm, addr, buf, n, write);
}

long access_remote_vm_force(struct mm *mm, uaddr_t addr, void *buf, size_t n, bool write)
{
	return copy_mm_flags(mm, addr, buf, n, write, FAULT_FORCE);
}

#define PATH_MAX_LEN 4096

static char *getname_flags(uaddr_t upath, bool empty_ok)
{
	char *buf = kmalloc(PATH_MAX_LEN);
	long r = strncpy_from_user(buf, upath, PATH_MAX_LEN);
	if (r < 0) {
		kfree(buf);
		return ERR_PTR(r);
	}
	if (r == 0 && !empty_ok) {
		kfree(buf);
		return ERR_PTR(-ENOENT);
	}
	return buf;
}

char *getname(uaddr_t upath) { return getname_flags(upath, false); }
char *getname_empty_ok(uaddr_t upath) { return getname_flags(upath, true); }
void putname(char *name) { kfree(name); }

long import_iovec(uaddr_t uvec, unsigned long cnt, struct iovec **out, size_t *total)
{
	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	struct iovec *v = kmalloc(MAX(cnt, 1) * sizeof(*v));
	if (cnt && copy_from_user(v, uvec, cnt * sizeof(*v))) {
		kfree(v);
		return -EFAULT;
	}
	size_t sum = 0;
	for (unsigned long i = 0; i < cnt; i++) {
		if ((ssize_t)v[i].iov_len < 0 || sum + v[i].iov_len > (size_t)INT64_MAX) {
			kfree(v);
			return -EINVAL;
		}
		sum += v[i].iov_len;
	}
	*out = v;
	*total = sum;
	return 0;
}
