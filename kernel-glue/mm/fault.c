/* Page faults, from the host (a stub SIGSEGV) or from the kernel touching
 * guest memory. A host fault does not say whether it was a read or a
 * write, so the kernel infers it: a missing host mapping is filled in
 * with the most the VMA and PTE allow, and a refused access to a mapped
 * page can only be a write to a copy-on-write page or a real violation. */
#include <umk/pgtable.h>
#include <umk/vma.h>
#include <umk/arch.h>
#include <umk/fs.h>
#include <umk/sched.h>
#include <asm/siginfo.h>
#include <umk/filemap.h>


int host_prot_of(struct vma *v, uint64_t pte)
{
	int prot = v->flags & (VM_READ | VM_WRITE | VM_EXEC);
	if (!(pte & PTE_WRITE))
		prot &= ~VM_WRITE;
	return prot;
}

/* Read-only private file pages share the page-cache frame (copied on a
 * later write); shared file pages always use it. */
static bool uses_page_cache(struct vma *v)
{
	return v->file && ((v->flags & VM_SHARED) || !(v->flags & VM_WRITE));
}

/* The frame behind page pgoff of a mapped file (+1 ref): the object's
 * own memory (a socket's ring) or the page cache's copy. 0, -EFAULT past
 * the end (SIGBUS), or -ENOMEM. */
static int file_page(struct file *f, uint64_t pgoff, uint64_t *pfn, bool shared, unsigned gfp)
{
	if (f->f_op->map_page)
		return f->f_op->map_page(f, pgoff, pfn) ? 0 : -EFAULT;
	return filemap_get_page(f, pgoff, pfn, shared, gfp);
}

/* A private copy of page pgoff of a file into the frame at dst; false
 * for a whole page past the end (SIGBUS, as Linux). */
static bool copy_file_page(struct file *f, uint64_t pgoff, void *dst)
{
	if (f->f_op->map_page) {
		uint64_t src;
		if (!f->f_op->map_page(f, pgoff, &src))
			return false;
		memcpy(dst, pfn_to_virt(src), PAGE_SIZE);
		page_put(src);
		return true;
	}
	loff_t off = (loff_t)pgoff << PAGE_SHIFT;
	ssize_t n = kernel_read(f, dst, PAGE_SIZE, off);
	return n > 0 || off < file_size(f);
}

/* A new frame for a not-present page of v at va. */
static int fault_in(struct mm *mm, struct vma *v, uaddr_t va, uint64_t *pte, unsigned gfp)
{
	uint64_t pfn;
	uint64_t flags = PTE_PRESENT | PTE_MAPPED;
	uint64_t pgoff = v->pgoff + ((va - v->start) >> PAGE_SHIFT);
	if (uses_page_cache(v)) {
		int err = file_page(v->file, pgoff, &pfn, v->flags & VM_SHARED, gfp);
		if (err)
			return err;
		flags |= PTE_FILE;
		if (v->flags & VM_WRITE)
			flags |= PTE_WRITE | PTE_DIRTY;
	} else {
		pfn = alloc_frame(gfp | GFP_ZERO);
		if (!pfn)
			return -ENOMEM;
		/* beyond EOF: Linux raises SIGBUS for whole pages past the end */
		if (v->file && !copy_file_page(v->file, pgoff, pfn_to_virt(pfn))) {
			page_put(pfn);
			return -EFAULT;
		}
		if (v->flags & VM_WRITE)
			flags |= PTE_WRITE;
	}
	*pte = MK_PTE(pfn, flags);
	mm->rss_pages++;
	current->min_flt++;
	arch_mm_map(mm, va, pfn, 1, host_prot_of(v, *pte));
	return 0;
}

/* Map the neighbours of a page-cache fault too: program text is read in
 * runs, and every fault avoided is a round trip to the stub saved. */
#define FAULT_AROUND_PAGES 16

/* Anonymous memory touched in sequence (the page below is present):
 * map the next pages too, like a small transparent huge page. A fault
 * costs two host round trips here, a zeroed page far less. Never
 * triggers the OOM killer: it stops at the first allocation failure. */
static void anon_fault_around(struct mm *mm, struct vma *v, uaddr_t va)
{
	if (v->file || !(v->flags & VM_WRITE))
		return;
	if (va > v->start) {
		uint64_t *prev = pte_lookup(mm, va - PAGE_SIZE, false);
		if (!prev || !(*prev & PTE_PRESENT))
			return;
	}
	uaddr_t end = MIN(v->end, va + FAULT_AROUND_PAGES * PAGE_SIZE);
	for (uaddr_t a = va + PAGE_SIZE; a < end; a += PAGE_SIZE) {
		uint64_t *pte = pte_lookup(mm, a, true);
		if (*pte & PTE_PRESENT)
			break;
		uint64_t pfn = page_alloc();
		if (!pfn)
			break;
		*pte = MK_PTE(pfn, PTE_PRESENT | PTE_MAPPED | PTE_WRITE);
		mm->rss_pages++;
		arch_mm_map(mm, a, pfn, 1, host_prot_of(v, *pte));
	}
}

static void fault_around(struct mm *mm, struct vma *v, uaddr_t va)
{
	if (!v->file) {
		anon_fault_around(mm, v, va);
		return;
	}
	if (!uses_page_cache(v) || (v->flags & VM_WRITE))
		return;
	uaddr_t start = MAX(v->start, (va & ~(FAULT_AROUND_PAGES * PAGE_SIZE - 1)));
	uaddr_t end = MIN(v->end, start + FAULT_AROUND_PAGES * PAGE_SIZE);
	for (uaddr_t a = start; a < end; a += PAGE_SIZE) {
		if (a == va)
			continue;
		uint64_t *pte = pte_lookup(mm, a, true);
		if (*pte & PTE_PRESENT)
			continue;
		uint64_t pgoff = v->pgoff + ((a - v->start) >> PAGE_SHIFT), pfn;
		if (file_page(v->file, pgoff, &pfn, false, GFP_USER | GFP_NORETRY))
			break;	/* past the end of the file, or memory is short */
		*pte = MK_PTE(pfn, PTE_PRESENT | PTE_MAPPED | PTE_FILE);
		mm->rss_pages++;
		arch_mm_map(mm, a, pfn, 1, host_prot_of(v, *pte));
	}
}

static int cow_break(struct mm *mm, struct vma *v, uaddr_t va, uint64_t *pte, unsigned gfp)
{
	uint64_t pfn = PTE_PFN(*pte);
	if (page_refcount(pfn) == 1 && !(*pte & PTE_FILE)) {
		*pte |= PTE_WRITE;
	} else {
		uint64_t n = alloc_frame(gfp);
		if (!n)
			return -ENOMEM;
		memcpy(pfn_to_virt(n), pfn_to_virt(pfn), PAGE_SIZE);
		page_put(pfn);
		*pte = MK_PTE(n, PTE_PRESENT | PTE_WRITE | PTE_MAPPED);
	}
	arch_mm_map(mm, va, PTE_PFN(*pte), 1, host_prot_of(v, *pte));
	return 0;
}

static struct vma *grow_stack(struct mm *mm, uaddr_t addr)
{
	struct vma *v = find_vma_above(mm, addr);
	if (!v || !(v->flags & VM_GROWSDOWN) || addr >= v->start)
		return NULL;
	uint64_t limit = current->signal ? current->signal->rlim[3].cur : (8ULL << 20);
	uaddr_t new_start = addr & PAGE_MASK;
	if (v->end - new_start > limit)
		return NULL;
	/* keep a guard gap to the VMA below */
	for (struct vma *w = mm->vmas; w && w != v; w = w->next)
		if (w->end > new_start - PAGE_SIZE)
			return NULL;
	v->start = new_start;
	return v;
}

/* Memory for a fault never waits: a guest's fault that finds none fails
 * with -ENOMEM, and the trap path waits for the OOM victim and lets the
 * guest fault again (pagefault_out_of_memory). The kernel's own accesses
 * to guest memory (copy_to_user) cannot fail a syscall half done: they
 * may use the kernel's reserve, as the kernel heap does. */
int handle_mm_fault(struct mm *mm, uaddr_t addr, int kind)
{
	unsigned gfp = (kind & FAULT_UACCESS) ? GFP_KERNEL : GFP_USER;
	/* a debugger reads any mapping and writes private ones (COW) */
	bool force = kind & FAULT_FORCE;
	kind &= ~(FAULT_UACCESS | FAULT_FORCE);
	if (addr >= TASK_SIZE)
		return SEGV_MAPERR;
	uaddr_t va = addr & PAGE_MASK;
	struct vma *v = find_vma(mm, addr);
	if (!v)
		v = grow_stack(mm, addr);
	if (!v)
		return SEGV_MAPERR;
	if (!(v->flags & (VM_READ | VM_WRITE | VM_EXEC)) && !force)
		return SEGV_ACCERR;
	bool may_write = (v->flags & VM_WRITE) || (force && !(v->flags & VM_SHARED));
	if (kind == FAULT_WRITE && !may_write)
		return SEGV_ACCERR;
	uint64_t *pte = pte_lookup(mm, va, true);
	if (!(*pte & PTE_PRESENT)) {
		int r = fault_in(mm, v, va, pte, gfp);
		if (r == 0 && (kind != FAULT_WRITE || !v->file))
			fault_around(mm, v, va);
		/* a debugger's write to a read-only page: its own copy */
		if (r == 0 && kind == FAULT_WRITE && !(*pte & PTE_WRITE))
			return cow_break(mm, v, va, pte, gfp);
		return r;	/* -EFAULT means SIGBUS */
	}
	bool write = kind == FAULT_WRITE || (kind == FAULT_HOST_ACCERR && (*pte & PTE_MAPPED));
	if (write && !(*pte & PTE_WRITE)) {
		if (!may_write)
			return SEGV_ACCERR;
		return cow_break(mm, v, va, pte, gfp);
	}
	if (kind == FAULT_HOST_ACCERR)
		return SEGV_ACCERR;	/* e.g. executing a non-exec page */
	if (kind == FAULT_HOST_MAPERR || !(*pte & PTE_MAPPED)) {
		*pte |= PTE_MAPPED;
		arch_mm_map(mm, va, PTE_PFN(*pte), 1, host_prot_of(v, *pte));
	}
	return 0;
}

static void zap_pte(struct mm *mm, uaddr_t va, uint64_t *pte, void *arg)
{
	(void)va;
	(void)arg;
	page_put(PTE_PFN(*pte));
	*pte = 0;
	if (mm->rss_pages)
		mm->rss_pages--;
}

void mm_zap_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	for (struct vma *v = mm->vmas; v; v = v->next) {
		if (!v->file || (v->flags & (VM_SHARED | VM_WRITE)) != (VM_SHARED | VM_WRITE))
			continue;
		uaddr_t s = MAX(start, v->start), e = MIN(end, v->end);
		if (s < e)
			filemap_writeback(v->file, v->pgoff + ((s - v->start) >> PAGE_SHIFT), (e - s) >> PAGE_SHIFT);
	}
	pte_walk(mm, start, end, zap_pte, NULL);
	arch_mm_unmap(mm, start, end - start);
}
