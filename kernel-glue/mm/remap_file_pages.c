/* remap_file_pages(2), as Linux has emulated it since 3.16: no nonlinear
 * mappings any more, the range is mapped again (MAP_SHARED | MAP_FIXED)
 * from the same file at pgoff, with the mapping's own protections. Only
 * for shared file mappings (Linux also takes shared anonymous memory,
 * through its shmem file: refused here); deprecated, so its first use is
 * logged. */
#include <umk/fs.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/vma.h>
#include <linux/mman.h>

SYSCALL_DEFINE5(remap_file_pages, uaddr_t, start, uint64_t, size, unsigned long, prot, uint64_t, pgoff,
		unsigned long, flags)
{
	struct mm *mm = current->mm;
	printk_once_key("remap_file_pages", KERN_WARNING "%s (%d) uses deprecated remap_file_pages() syscall\n",
			current->comm, current->tgid);
	if (prot)
		return -EINVAL;
	start &= PAGE_MASK;
	size &= PAGE_MASK;
	if (start + size <= start || pgoff + (size >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	struct vma *v = find_vma(mm, start);
	if (!v || v->start > start || !(v->flags & VM_SHARED))
		return -EINVAL;
	if (!v->file) {
		/* Linux remaps the shmem object behind shared anonymous
		 * memory; umk's has none to name pages of */
		printk_once_key("remap_file_pages-anon", KERN_NOTICE "remap_file_pages of shared anonymous memory is "
				"not supported: EINVAL\n");
		return -EINVAL;
	}
	/* the range may run over neighbours of the same file and flags */
	for (struct vma *p = v, *n = v->next; start + size > p->end; p = n, n = n->next)
		if (!n || n->start != p->end || n->file != v->file || n->flags != v->flags)
			return -EINVAL;
	unsigned long mprot = (v->flags & VM_READ ? PROT_READ : 0) | (v->flags & VM_WRITE ? PROT_WRITE : 0) |
			      (v->flags & VM_EXEC ? PROT_EXEC : 0);
	unsigned long mflags = (flags & MAP_NONBLOCK) | MAP_SHARED | MAP_FIXED | MAP_POPULATE |
			       (v->flags & VM_LOCKED ? MAP_LOCKED : 0);
	struct file *file = get_file(v->file);
	long r = do_mmap(mm, start, size, mprot, mflags, file, pgoff << PAGE_SHIFT);
	fput(file);
	return r < 0 ? r : 0;
}
