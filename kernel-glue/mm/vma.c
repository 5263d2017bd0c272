/* VMA list operations: lookup, insertion, splitting and free-range search.
 * The list is sorted by address; guest processes have few VMAs. */
#include <umk/pgtable.h>
#include <umk/arch.h>
#include <umk/fs.h>
#include <umk/vma.h>

/* vm.max_map_count (the sysctl file is mmap.c's) */
int sysctl_max_map_count = 65530;

struct vma *find_vma(struct mm *mm, uaddr_t addr)
{
	for (struct vma *v = mm->vmas; v && v->start <= addr; v = v->next)
		if (addr < v->end)
			return v;
	return NULL;
}

/* First vma ending above addr (may start above it). */
struct vma *find_vma_above(struct mm *mm, uaddr_t addr)
{
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->end > addr)
			return v;
	return NULL;
}

struct vma *vma_new(uaddr_t start, uaddr_t end, uint32_t flags, struct file *file, uint64_t pgoff)
{
	struct vma *v = kzalloc(sizeof(*v));
	v->start = start;
	v->end = end;
	v->flags = flags;
	v->file = file ? get_file(file) : NULL;
	v->pgoff = pgoff;
	return v;
}

void vma_free(struct vma *v)
{
	if (v->file)
		fput(v->file);
	kfree(v);
}

void vma_insert(struct mm *mm, struct vma *n)
{
	struct vma **pp = &mm->vmas;
	while (*pp && (*pp)->start < n->start)
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
	mm->map_count++;
}

/* Split v at addr (v->start < addr < v->end); returns the upper part. */
struct vma *vma_split(struct vma *v, uaddr_t addr)
{
	struct vma *hi = vma_new(addr, v->end, v->flags, v->file, v->pgoff);
	if (v->file)
		hi->pgoff = v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
	memcpy(hi->name, v->name, sizeof(hi->name));
	v->end = addr;
	hi->next = v->next;
	v->next = hi;
	return hi;
}

static int isolate(struct mm *mm, uaddr_t start, uaddr_t end, bool check_each)
{
	bool first = true;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		uaddr_t at;
		if (v->start < start && v->end > start)
			at = start;
		else if (v->start < end && v->end > end)
			at = end;
		else
			continue;
		if ((check_each || first) && mm->map_count >= sysctl_max_map_count)
			return -ENOMEM;
		first = false;
		vma_split(v, at);
		mm->map_count++;
	}
	return 0;
}

int vma_isolate(struct mm *mm, uaddr_t start, uaddr_t end)
{
	return isolate(mm, start, end, true);
}

int vma_isolate_unmap(struct mm *mm, uaddr_t start, uaddr_t end)
{
	return isolate(mm, start, end, false);
}

/* Change the flags of the mappings within [start, end) (split at its
 * edges first, merged again after): mlock's and madvise's flags. */
int vma_set_flags(struct mm *mm, uaddr_t start, uaddr_t end, uint32_t set, uint32_t clear)
{
	int err = vma_isolate(mm, start, end);
	if (err)
		return err;
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->start >= start && v->end <= end)
			v->flags = (v->flags & ~clear) | set;
	vma_merge_adjacent(mm);
	return 0;
}

/* Merge neighbours that are identical continuations (after mprotect etc). */
void vma_merge_adjacent(struct mm *mm)
{
	struct vma *v = mm->vmas;
	while (v && v->next) {
		struct vma *n = v->next;
		bool same_file = v->file == n->file &&
				 (!v->file || v->pgoff + ((v->end - v->start) >> PAGE_SHIFT) == n->pgoff);
		if (v->end == n->start && v->flags == n->flags && same_file && !strcmp(v->name, n->name)) {
			v->end = n->end;
			v->next = n->next;
			vma_free(n);
			mm->map_count--;
			continue;
		}
		v = n;
	}
}

/* Remove [start, end) from the address space: pages, host mappings, VMAs. */
int do_munmap_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	int err = vma_isolate_unmap(mm, start, end);
	if (err)
		return err;
	mm_zap_range(mm, start, end);
	struct vma **pp = &mm->vmas;
	while (*pp) {
		struct vma *v = *pp;
		if (v->start >= start && v->end <= end) {
			*pp = v->next;
			vma_free(v);
			mm->map_count--;
		} else
			pp = &v->next;
	}
	return 0;
}

/* Top-down search for a free range of len bytes below mm->mmap_base. */
uaddr_t get_unmapped_area(struct mm *mm, uint64_t len)
{
	uaddr_t top = mm->mmap_base;
	/* Walk gaps from the highest VMA below top downwards. */
	for (;;) {
		if (len > top || top - len < PAGE_SIZE * 16)
			return 0;
		uaddr_t cand = top - len;
		struct vma *clash = NULL;
		for (struct vma *v = mm->vmas; v; v = v->next)
			if (v->start < cand + len && v->end > cand)
				clash = v;	/* keep the highest overlapping one */
		if (!clash)
			return cand;
		top = clash->start;
	}
}

bool range_is_free(struct mm *mm, uaddr_t start, uaddr_t end)
{
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->start < end && v->end > start)
			return false;
	return true;
}
