/* Access to guest (user) memory of the current task. The kernel reads
 * and writes guest memory through its physmem mapping after walking the
 * guest page tables, faulting pages in as needed. */
#ifndef UMK_UACCESS_H
#define UMK_UACCESS_H
#include <umk/types.h>

struct mm;
int copy_from_user(void *dst, uaddr_t src, size_t n);	/* 0 or -EFAULT */
int copy_to_user(uaddr_t dst, const void *src, size_t n);	/* 0 or -EFAULT */
int clear_user(uaddr_t dst, size_t n);
/* Copies a NUL-terminated string of at most n-1 bytes; returns its length,
 * -EFAULT, or -ENAMETOOLONG if no NUL within n bytes. */
long strncpy_from_user(char *dst, uaddr_t src, size_t n);
/* Reads or writes another address space (ptrace-style, /proc/PID/cmdline);
 * returns bytes done (stops at the first unmapped page). */
long access_remote_vm(struct mm *mm, uaddr_t addr, void *buf, size_t n, bool write);
/* As a debugger does (Linux's FOLL_FORCE): reads PROT_NONE pages too,
 * and writes read-only private ones (a copy-on-write copy: a breakpoint
 * in program text never reaches the file or the page cache). */
long access_remote_vm_force(struct mm *mm, uaddr_t addr, void *buf, size_t n, bool write);

/* getname: copy a path from the guest into a kmalloc'd buffer of PATH_MAX.
 * Returns the buffer or ERR_PTR(-EFAULT/-ENAMETOOLONG/-ENOENT for ""). */
char *getname(uaddr_t upath);
char *getname_empty_ok(uaddr_t upath);	/* "" allowed (AT_EMPTY_PATH) */
void putname(char *name);
/* A getsockopt/getsockname length from the guest: -EFAULT if it cannot
 * be read, -EINVAL if negative (as Linux checks it first). */
static inline int get_user_optlen(uaddr_t ulen, int *len)
{
	if (copy_from_user(len, ulen, sizeof(*len)))
		return -EFAULT;
	return *len < 0 ? -EINVAL : 0;
}

struct iovec;
/* A guest's iovec array into a kmalloc'd copy (*out, kfree it) and its
 * byte total: -EINVAL for more than UIO_MAXIOV entries, a negative length
 * or a total past ssize_t, -EFAULT if it cannot be read (Linux's
 * import_iovec). */
long import_iovec(uaddr_t uvec, unsigned long cnt, struct iovec **out, size_t *total);

#endif
