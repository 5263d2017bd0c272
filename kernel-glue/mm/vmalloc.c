/* Multi-frame kernel allocations when no contiguous run is free: single
 * frames that the arch maps side by side into the kernel's address space
 * (Linux's vmalloc). Each area remembers its frames, found again by
 * address when it is freed. */
#include <umk/kernel.h>
#include <umk/arch.h>
#include "slab.h"

#define VM_BUCKETS 64

struct vm_area {
	struct vm_area *next;
	const void *addr;
	uint64_t pages;
	uint64_t pfn[];
};

static struct vm_area *areas[VM_BUCKETS];

static struct vm_area **bucket(const void *p)
{
	return &areas[((uintptr_t)p >> PAGE_SHIFT) % VM_BUCKETS];
}

void *vmalloc(uint64_t pages, unsigned gfp)
{
	struct vm_area *a = (gfp & GFP_KERNEL) ? kmalloc(sizeof(*a) + pages * sizeof(uint64_t))
					       : kmalloc_user(sizeof(*a) + pages * sizeof(uint64_t));
	if (!a)
		return NULL;
	for (uint64_t i = 0; i < pages; i++) {
		a->pfn[i] = alloc_frame(gfp);
		if (!a->pfn[i]) {
			while (i--)
				page_put(a->pfn[i]);
			kfree(a);
			if (gfp & GFP_KERNEL)
				panic("Out of memory and no killable processes (vmalloc of %llu frames)",
				      (unsigned long long)pages);
			return NULL;
		}
	}
	void *p = arch_vmap(a->pfn, pages);
	if (!p)
		panic("cannot map %llu frames of kernel memory (the host refused a mapping)", (unsigned long long)pages);
	a->addr = p;
	a->pages = pages;
	a->next = *bucket(p);
	*bucket(p) = a;
	return p;
}

static struct vm_area **find(const void *p)
{
	struct vm_area **pp = bucket(p);
	while (*pp && (*pp)->addr != p)
		pp = &(*pp)->next;
	if (!*pp)
		panic("kfree(%p): not an address the kernel heap handed out", p);
	return pp;
}

uint64_t vmalloc_pages(const void *p)
{
	return (*find(p))->pages;
}

void vfree(const void *p)
{
	struct vm_area **pp = find(p), *a = *pp;
	*pp = a->next;
	arch_vunmap(p, a->pages);
	for (uint64_t i = 0; i < a->pages; i++)
		page_put(a->pfn[i]);
	kfree(a);
}
