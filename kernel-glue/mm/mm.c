/* Address-space lifetime: creation, fork-time copy-on-write duplication,
 * teardown, and the /proc/PID/maps view. */
#include <umk/pgtable.h>
#include <umk/vma.h>
#include <umk/arch.h>
#include <umk/fs.h>

struct mm *mm_alloc(void)
{
	static uint64_t last_id;
	struct mm *mm = kzalloc(sizeof(*mm));
	mm->refs = 1;
	mm->dumpable = 1;
	mm->id = ++last_id;
	if (arch_mm_create(mm)) {
		kfree(mm);
		return NULL;
	}
	return mm;
}

struct dup_ctx { struct mm *child; struct vma *v; };

static void dup_pte(struct mm *parent, uaddr_t va, uint64_t *pte, void *arg)
{
	struct dup_ctx *c = arg;
	c->child->rss_pages++;
	uint64_t *cp = pte_lookup(c->child, va, true);
	uint64_t pfn = PTE_PFN(*pte);
	page_get(pfn);
	if (!(c->v->flags & VM_SHARED) && (*pte & PTE_WRITE)) {
		/* private page: both sides now copy on write */
		*pte &= ~PTE_WRITE;
		if (*pte & PTE_MAPPED)
			arch_mm_protect(parent, va, PAGE_SIZE, c->v->flags & ~VM_WRITE);
	}
	*cp = (*pte & ~PTE_MAPPED) | PTE_MAPPED;
	arch_mm_map(c->child, va, pfn, 1, host_prot_of(c->v, *cp));
}

struct mm *mm_dup(struct mm *old)
{
	struct mm *mm = mm_alloc();
	if (!mm)
		return NULL;
	mm->dumpable = old->dumpable;
	struct vma **tail = &mm->vmas;
	for (struct vma *v = old->vmas; v; v = v->next) {
		if (v->flags & VM_DONTCOPY)
			continue;	/* MADV_DONTFORK */
		/* memory locks are not inherited (mlock(2)) */
		struct vma *n = vma_new(v->start, v->end, v->flags & ~VM_LOCKED_MASK, v->file, v->pgoff);
		memcpy(n->name, v->name, sizeof(n->name));
		*tail = n;
		tail = &n->next;
		mm->map_count++;
		if (v->flags & VM_WIPEONFORK)
			continue;	/* the child faults in zero pages */
		struct dup_ctx c = { mm, v };
		pte_walk(old, v->start, v->end, dup_pte, &c);
	}
	memcpy(&mm->start_code, &old->start_code, offsetof(struct mm, exe_file) - offsetof(struct mm, start_code));
	mm->def_flags = 0;	/* nor is mlockall(MCL_FUTURE) */
	mm->exe_file = old->exe_file ? get_file(old->exe_file) : NULL;
	return mm;
}

void mm_put(struct mm *mm)
{
	if (--mm->refs > 0)
		return;
	/* Shared file pages written through the mapping go back to the file. */
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->file && (v->flags & VM_SHARED))
			mm_zap_range(mm, v->start, v->end);
	arch_mm_destroy(mm);
	pgtable_free(mm);
	while (mm->vmas) {
		struct vma *v = mm->vmas;
		mm->vmas = v->next;
		vma_free(v);
	}
	if (mm->exe_file)
		fput(mm->exe_file);
	kfree(mm);
}

uint64_t mm_locked_pages(struct mm *mm)
{
	uint64_t n = 0;
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->flags & VM_LOCKED)
			n += (v->end - v->start) >> PAGE_SHIFT;
	return n;
}

uint64_t mm_total_pages(struct mm *mm)
{
	uint64_t n = 0;
	for (struct vma *v = mm->vmas; v; v = v->next)
		n += (v->end - v->start) >> PAGE_SHIFT;
	return n;
}

/* Linux calls [stack] only the VMA holding start_stack: once mprotect
 * has split the stack (glibc making its lower part executable), the
 * other pieces are nameless. */
static const char *maps_name(struct mm *mm, const struct vma *v)
{
	if (!strcmp(v->name, "[stack]") && !(v->start <= mm->start_stack && v->end >= mm->start_stack))
		return "";
	return v->name;
}

void mm_show_maps(struct mm *mm, struct sbuf *out)
{
	for (struct vma *v = mm->vmas; v; v = v->next) {
		struct kstat st = { 0 };
		if (v->file)
			vfs_getattr(file_inode(v->file), &st);
		int n0 = (int)out->len;
		sbuf_printf(out, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ", (unsigned long long)v->start,
			    (unsigned long long)v->end, v->flags & VM_READ ? 'r' : '-', v->flags & VM_WRITE ? 'w' : '-',
			    v->flags & VM_EXEC ? 'x' : '-', v->flags & VM_SHARED ? 's' : 'p',
			    (unsigned long long)(v->file ? v->pgoff << PAGE_SHIFT : 0),
			    (unsigned)(v->file ? (st.dev >> 8) & 0xfff : 0), (unsigned)(v->file ? st.dev & 0xff : 0),
			    (unsigned long long)(v->file ? st.ino : 0));
		int used = (int)out->len - n0;
		if (v->file || maps_name(mm, v)[0]) {
			sbuf_printf(out, "%*s", used < 73 ? 73 - used : 1, "");
			if (v->file)
				file_path(v->file, out);
			else
				sbuf_printf(out, "%s", maps_name(mm, v));
		}
		sbuf_printf(out, "\n");
	}
}
