/* mmap, munmap, mprotect, mremap, brk, madvise, msync. */
#include <umk/capability.h>
#include <umk/pgtable.h>
#include <umk/vma.h>
#include <umk/filemap.h>
#include <umk/arch.h>
#include <umk/fs.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/proc.h>
#include <linux/mman.h>
#include <linux/resource.h>
#include <asm-generic/fcntl.h>

/* The VMA keeps the protection as asked, as Linux's vm_flags do, so that
 * /proc/PID/maps shows -w-p or --xp; the host page tables (x86) still
 * let a write-only page be read. */
static uint32_t prot_to_vm(unsigned long prot)
{
	uint32_t f = 0;
	if (prot & PROT_READ)
		f |= VM_READ;
	if (prot & PROT_WRITE)
		f |= VM_WRITE;
	if (prot & PROT_EXEC)
		f |= VM_EXEC;
	return f;
}

DEFINE_SYSCTL_INT(max_map_count, "vm/max_map_count", sysctl_max_map_count, 0, 0x7fffffff, NULL);

/* Map len bytes at addr (hint or fixed); the core of mmap and the ELF loader. */
long do_mmap(struct mm *mm, uaddr_t addr, uint64_t len, unsigned long prot, unsigned long flags,
	     struct file *file, uint64_t off)
{
	if (!len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (off & ~PAGE_MASK)
		return -EINVAL;
	if (mm->map_count > sysctl_max_map_count)
		return -ENOMEM;	/* too many mappings (do_mmap's check) */
	unsigned type = flags & MAP_TYPE;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	uint32_t vmf = prot_to_vm(prot);
	if (type != MAP_PRIVATE)
		vmf |= VM_SHARED;
	if (flags & MAP_GROWSDOWN)
		vmf |= VM_GROWSDOWN;
	vmf |= mm->def_flags;	/* mlockall(MCL_FUTURE) */
	if (flags & MAP_LOCKED) {
		if (!capable(CAP_IPC_LOCK) && !current->signal->rlim[RLIMIT_MEMLOCK].cur)
			return -EPERM;
		if (!capable(CAP_IPC_LOCK) && (mm_locked_pages(mm) + (len >> PAGE_SHIFT)) >
					      current->signal->rlim[RLIMIT_MEMLOCK].cur >> PAGE_SHIFT)
			return -EAGAIN;
		vmf |= VM_LOCKED;
	}
	if (file) {
		if (!file_readable(file))
			return -EACCES;
		if ((vmf & VM_SHARED) && (prot & PROT_WRITE) && !file_writable(file))
			return -EACCES;
		if ((vmf & VM_SHARED) && (prot & PROT_WRITE) &&
		    (file_inode(file)->i_seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
			return -EPERM;	/* a sealed memfd */
		if (!S_ISREG(file_inode(file)->i_mode)) {
			if (!file->f_op->mmap)
				return -ENODEV;
			int err = file->f_op->mmap(file, off >> PAGE_SHIFT, len);
			if (err)
				return err;
		}
	}
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (addr + len > TASK_SIZE || addr + len < addr)
			return -ENOMEM;
		if (flags & MAP_FIXED_NOREPLACE) {
			if (!range_is_free(mm, addr, addr + len))
				return -EEXIST;
		} else {
			int err = do_munmap_range(mm, addr, addr + len);
			if (err)
				return err;
		}
	} else {
		addr &= PAGE_MASK;
		if (!addr || addr + len > TASK_SIZE || addr + len < addr || !range_is_free(mm, addr, addr + len))
			addr = get_unmapped_area(mm, len);
		if (!addr)
			return -ENOMEM;
	}
	struct vma *v = vma_new(addr, addr + len, vmf, file, off >> PAGE_SHIFT);
	vma_insert(mm, v);
	/* an object's own memory is mapped whole at once (Linux's
	 * vm_insert_page): its frames' counts then show it is mapped */
	if (file && file->f_op->map_page)
		for (uaddr_t a = addr; a < addr + len; a += PAGE_SIZE)
			handle_mm_fault(mm, a, FAULT_READ);
	if ((vmf & VM_LOCKED_MASK) == VM_LOCKED || ((flags & MAP_POPULATE) && !file))
		mm_populate(mm, addr, addr + len);
	return addr;
}

void mm_populate(struct mm *mm, uaddr_t start, uaddr_t end)
{
	for (uaddr_t a = start; a < end;) {
		struct vma *v = find_vma(mm, a);
		if (!v)
			return;
		uaddr_t e = MIN(end, v->end);
		/* private writable: write faults, so no copy is left to make */
		int kind = (v->flags & (VM_WRITE | VM_SHARED)) == VM_WRITE ? FAULT_WRITE : FAULT_READ;
		if (v->flags & (VM_READ | VM_WRITE | VM_EXEC))
			for (; a < e; a += PAGE_SIZE)
				if (handle_mm_fault(mm, a, kind) == -ENOMEM)
					return;
		a = e;
	}
}

SYSCALL_DEFINE6(mmap, uaddr_t, addr, uint64_t, len, unsigned long, prot, unsigned long, flags, int, fd,
		uint64_t, off)
{
	struct file *file = NULL;
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		file = fget(fd);
		if (!file)
			return -EBADF;
	}
	long r = do_mmap(current->mm, addr, len, prot, flags, file, file ? off : 0);
	if (file)
		fput(file);
	return r;
}

SYSCALL_DEFINE2(munmap, uaddr_t, addr, uint64_t, len)
{
	if ((addr & ~PAGE_MASK) || !len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (addr >= TASK_SIZE || len > TASK_SIZE - addr)
		return -EINVAL;
	return do_munmap_range(current->mm, addr, addr + len);
}

struct prot_ctx { struct vma *v; };

static void reprot_pte(struct mm *mm, uaddr_t va, uint64_t *pte, void *arg)
{
	struct prot_ctx *c = arg;
	if (!(c->v->flags & VM_WRITE))
		*pte &= ~PTE_WRITE;
	if (*pte & PTE_MAPPED)
		arch_mm_protect(mm, va, PAGE_SIZE, host_prot_of(c->v, *pte));
}

/* PROT_GROWSDOWN: the change reaches down to the start of the
 * grows-down mapping holding the range (glibc makes a whole stack
 * executable this way); x86 has no grows-up mappings. Linux's checks,
 * in Linux's order. Returns 0 and the range to change, or -errno. */
static long mprotect_range(struct mm *mm, uaddr_t *addr, uaddr_t *end, unsigned long grows)
{
	struct vma *v = find_vma_above(mm, *addr);	/* first VMA ending above addr */
	if (!v || v->start >= *end)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN) {
		if (!(v->flags & VM_GROWSDOWN))
			return -EINVAL;
		*addr = v->start;
	} else {
		if (v->start > *addr)
			return -ENOMEM;
		if (grows & PROT_GROWSUP)
			return -EINVAL;
	}
	/* the whole range must be mapped */
	for (uaddr_t a = *addr; a < *end;) {
		struct vma *w = find_vma(mm, a);
		if (!w)
			return -ENOMEM;
		a = w->end;
	}
	return 0;
}

SYSCALL_DEFINE3(mprotect, uaddr_t, addr, uint64_t, len, unsigned long, prot)
{
	struct mm *mm = current->mm;
	unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	prot &= ~grows;
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	uaddr_t end = addr + len;
	if (end <= addr)
		return -ENOMEM;
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;
	if (end > TASK_SIZE)
		return -ENOMEM;
	long r = mprotect_range(mm, &addr, &end, grows);
	if (r)
		return r;
	uint32_t vmf = prot_to_vm(prot);
	for (struct vma *v = mm->vmas; v; v = v->next) {
		if (v->end <= addr || v->start >= end)
			continue;
		if ((v->flags & VM_SHARED) && v->file && (vmf & VM_WRITE) &&
		    (!file_writable(v->file) || (file_inode(v->file)->i_seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))))
			return -EACCES;
	}
	int err = vma_isolate(mm, addr, end);
	if (err)
		return err;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		if (v->start < addr || v->end > end)
			continue;
		v->flags = (v->flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | vmf;
		struct prot_ctx c = { v };
		pte_walk(mm, v->start, v->end, reprot_pte, &c);
	}
	vma_merge_adjacent(mm);
	return 0;
}

/* Move the pages of [old, old+len) to new (both page aligned). */
static void move_pages(struct mm *mm, uaddr_t old, uaddr_t new, uint64_t len, struct vma *nv)
{
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *op = pte_lookup(mm, old + off, false);
		if (!op || !(*op & PTE_PRESENT))
			continue;
		uint64_t *np = pte_lookup(mm, new + off, true);
		*np = *op | PTE_MAPPED;
		*op = 0;
		arch_mm_map(mm, new + off, PTE_PFN(*np), 1, host_prot_of(nv, *np));
	}
	arch_mm_unmap(mm, old, len);
}

SYSCALL_DEFINE5(mremap, uaddr_t, old, uint64_t, old_len, uint64_t, new_len, unsigned long, flags, uaddr_t, new_addr)
{
	struct mm *mm = current->mm;
	if (flags & ~(unsigned long)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL;
	if (old & ~PAGE_MASK)
		return -EINVAL;
	if (old_len > TASK_SIZE || new_len > TASK_SIZE)
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len || old + old_len < old)
		return -EINVAL;
	struct vma *v = find_vma(mm, old);
	if (!v || (old_len && old + old_len > v->end))
		return -EFAULT;
	if (!old_len)
		return -EINVAL;	/* duplicating shared mappings: not supported */
	if (!(flags & MREMAP_FIXED)) {
		if (new_len <= old_len) {
			if (new_len < old_len) {
				int err = do_munmap_range(mm, old + new_len, old + old_len);
				if (err)
					return err;
			}
			return old;
		}
		/* grow in place when the range above is free */
		if (old + old_len == v->end && old + new_len <= TASK_SIZE &&
		    range_is_free(mm, old + old_len, old + new_len)) {
			v->end = old + new_len;
			return old;
		}
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
		if (mm->map_count >= sysctl_max_map_count - 3)
			return -ENOMEM;	/* move_vma's room for its splits */
		new_addr = get_unmapped_area(mm, new_len);
		if (!new_addr)
			return -ENOMEM;
	} else {
		if ((new_addr & ~PAGE_MASK) || new_addr + new_len > TASK_SIZE)
			return -EINVAL;
		if (new_addr < old + old_len && old < new_addr + new_len)
			return -EINVAL;
		if (mm->map_count >= sysctl_max_map_count - 3)
			return -ENOMEM;
		int err = do_munmap_range(mm, new_addr, new_addr + new_len);
		if (err)
			return err;
	}
	int err = vma_isolate(mm, old, old + old_len);
	if (err)
		return err;
	v = find_vma(mm, old);
	uint64_t keep = MIN(old_len, new_len);
	struct vma *nv = vma_new(new_addr, new_addr + new_len, v->flags, v->file, v->pgoff);
	memcpy(nv->name, v->name, sizeof(nv->name));
	vma_insert(mm, nv);
	move_pages(mm, old, new_addr, keep, nv);
	do_munmap_range(mm, old, old + old_len);
	return new_addr;
}

SYSCALL_DEFINE1(brk, uaddr_t, brk)
{
	struct mm *mm = current->mm;
	if (brk < mm->start_brk)
		return mm->brk;
	uaddr_t old_end = PAGE_ALIGN(mm->brk), new_end = PAGE_ALIGN(brk);
	if (new_end > old_end) {
		uint64_t limit = current->signal->rlim[9 /* RLIMIT_DATA */].cur;
		if (brk - mm->start_brk > limit || new_end > TASK_SIZE ||
		    !range_is_free(mm, old_end, new_end + PAGE_SIZE) || mm->map_count > sysctl_max_map_count)
			return mm->brk;
		struct vma *v = old_end > mm->start_brk ? find_vma(mm, old_end - 1) : NULL;
		if (v && !strcmp(v->name, "[heap]") && v->end == old_end) {
			v->end = new_end;
		} else {
			v = vma_new(old_end, new_end, VM_READ | VM_WRITE, NULL, 0);
			strlcpy(v->name, "[heap]", sizeof(v->name));
			vma_insert(mm, v);
		}
	} else if (new_end < old_end) {
		if (do_munmap_range(mm, new_end, old_end))
			return mm->brk;
	}
	mm->brk = brk;
	return brk;
}

/* The fork behaviour flags of madvise: on every mapping in the range,
 * skipping holes (ENOMEM at the end, as Linux). WIPEONFORK only on
 * private anonymous memory. */
static long madvise_flags(struct mm *mm, uaddr_t addr, uaddr_t end, uint32_t set, uint32_t clear)
{
	long err = 0;
	if (set & VM_WIPEONFORK)
		for (struct vma *v = mm->vmas; v; v = v->next)
			if (v->end > addr && v->start < end && (v->file || (v->flags & VM_SHARED)))
				return -EINVAL;
	for (uaddr_t a = addr; a < end;) {
		struct vma *v = find_vma_above(mm, a);
		if (!v || v->start >= end) {
			err = -ENOMEM;
			break;
		}
		if (v->start > a)
			err = -ENOMEM;
		a = v->end;
	}
	int e = vma_set_flags(mm, addr, end, set, clear);
	return e ? e : err;
}

SYSCALL_DEFINE3(madvise, uaddr_t, addr, uint64_t, len, int, advice)
{
	struct mm *mm = current->mm;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_FREE: case MADV_DONTFORK: case MADV_DOFORK: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP: case MADV_DODUMP: case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_DONTNEED: case MADV_WIPEONFORK: case MADV_KEEPONFORK:
		break;
	default:
		return -EINVAL;
	}
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	uint64_t alen = PAGE_ALIGN(len);
	if (len && !alen)
		return -EINVAL;
	uaddr_t end = addr + alen;
	if (end < addr)
		return -EINVAL;
	if (end == addr)
		return 0;
	switch (advice) {
	case MADV_DONTFORK:
		return madvise_flags(mm, addr, end, VM_DONTCOPY, 0);
	case MADV_DOFORK:
		return madvise_flags(mm, addr, end, 0, VM_DONTCOPY);
	case MADV_WIPEONFORK:
		return madvise_flags(mm, addr, end, VM_WIPEONFORK, 0);
	case MADV_KEEPONFORK:
		return madvise_flags(mm, addr, end, 0, VM_WIPEONFORK);
	case MADV_DONTNEED:
		for (uaddr_t a = addr; a < end;) {
			struct vma *v = find_vma(mm, a);
			if (!v)
				return -ENOMEM;
			uaddr_t e = MIN(end, v->end);
			if (v->flags & VM_LOCKED)
				return -EINVAL;	/* Linux refuses to drop locked pages */
			if (!(v->flags & VM_SHARED))
				mm_zap_range(mm, a, e);
			a = e;
		}
		return 0;
	}
	for (uaddr_t a = addr; a < end;) {
		struct vma *v = find_vma(mm, a);
		if (!v)
			return -ENOMEM;
		a = v->end;
	}
	return 0;
}

SYSCALL_DEFINE3(msync, uaddr_t, addr, uint64_t, len, int, flags)
{
	struct mm *mm = current->mm;
	if ((addr & ~PAGE_MASK) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	uaddr_t end = addr + PAGE_ALIGN(len);
	int ret = 0;
	for (uaddr_t a = addr; a < end;) {
		struct vma *v = find_vma(mm, a);
		if (!v)
			return -ENOMEM;
		uaddr_t e = MIN(end, v->end);
		if (v->file && (v->flags & VM_SHARED))
			filemap_writeback(v->file, v->pgoff + ((a - v->start) >> PAGE_SHIFT), (e - a) >> PAGE_SHIFT);
		a = e;
	}
	return ret;
}

SYSCALL_DEFINE3(mincore, uaddr_t, addr, uint64_t, len, uaddr_t, vec)
{
	struct mm *mm = current->mm;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	uint64_t pages = PAGE_ALIGN(len) >> PAGE_SHIFT;
	for (uint64_t i = 0; i < pages; i++) {
		uaddr_t a = addr + (i << PAGE_SHIFT);
		if (!find_vma(mm, a))
			return -ENOMEM;
		uint64_t *pte = pte_lookup(mm, a, false);
		unsigned char b = pte && (*pte & PTE_PRESENT);
		if (copy_to_user(vec + i, &b, 1))
			return -EFAULT;
	}
	return 0;
}
