/* The kernel heap (kmalloc) on guest memory. Objects of up to 2 KiB come
 * from slabs: one frame each, cut into objects of one power-of-two size
 * (16 .. 2048 bytes, so an object is aligned to its size). Bigger ones
 * take whole frames: a contiguous run when the page allocator has one
 * (seen through the kernel's linear view of physmem), otherwise single
 * frames that the arch maps side by side (vmap.c, Linux's vmalloc), so a
 * fragmented memory never fails a large allocation that would fit. Every
 * frame comes from the page allocator, so mem= bounds the heap: when it
 * runs out, reclaim and the OOM killer make room (mm/reclaim.c), and the
 * host never sees the heap grow. The per-frame descriptors live in guest
 * memory too (one contiguous table taken at boot). */
#include <umk/kernel.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include "slab.h"

#define MIN_SHIFT 4
#define MAX_SHIFT 11
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define NO_OBJ 0xffff

enum { FRAME_NONE, FRAME_SLAB, FRAME_LARGE };

/* One per frame of physmem. */
struct frame_meta {
	uint32_t next, prev;	/* slab: partial-list links (pfn, 0 = none); large: frames in next */
	uint16_t free;		/* slab: first free object (offset >> MIN_SHIFT) or NO_OBJ */
	uint16_t inuse;		/* slab: objects handed out */
	uint8_t kind, cls;
	uint16_t pad;
};

static struct frame_meta *meta;
static uint64_t nmeta, meta_pfn, meta_pages;
static uint32_t partial[NCLASSES];	/* slabs with a free object, per class */
static uint64_t slab_pages, large_pages;	/* for /proc/meminfo */

void slab_init(void)
{
	nmeta = physmem_size >> PAGE_SHIFT;
	meta_pages = (nmeta * sizeof(*meta) + PAGE_SIZE - 1) >> PAGE_SHIFT;
	meta_pfn = page_alloc_contig(meta_pages);
	if (!meta_pfn)
		panic("no room for the kernel heap's frame table (%llu frames)", (unsigned long long)meta_pages);
	meta = pfn_to_virt(meta_pfn);
}

static size_t class_size(unsigned cls)
{
	return (size_t)1 << (cls + MIN_SHIFT);
}

static unsigned size_class(size_t n)
{
	unsigned cls = 0;
	while (class_size(cls) < n)
		cls++;
	return cls;
}

static void *obj_at(uint64_t pfn, uint16_t idx)
{
	return (char *)pfn_to_virt(pfn) + ((size_t)idx << MIN_SHIFT);
}

static void list_push(unsigned cls, uint64_t pfn)
{
	struct frame_meta *m = &meta[pfn];
	m->prev = 0;
	m->next = partial[cls];
	if (partial[cls])
		meta[partial[cls]].prev = pfn;
	partial[cls] = pfn;
}

static void list_unlink(unsigned cls, uint64_t pfn)
{
	struct frame_meta *m = &meta[pfn];
	if (m->prev)
		meta[m->prev].next = m->next;
	else
		partial[cls] = m->next;
	if (m->next)
		meta[m->next].prev = m->prev;
	m->next = m->prev = 0;
}

/* A fresh slab of class cls with every object on its free list, or 0. */
static uint64_t new_slab(unsigned cls, unsigned gfp)
{
	uint64_t pfn = alloc_frame(gfp);
	if (!pfn)
		return 0;
	struct frame_meta *m = &meta[pfn];
	uint16_t step = class_size(cls) >> MIN_SHIFT, last = (PAGE_SIZE >> MIN_SHIFT) - step;
	for (uint16_t i = 0; i < last; i += step)
		*(uint16_t *)obj_at(pfn, i) = i + step;
	*(uint16_t *)obj_at(pfn, last) = NO_OBJ;
	*m = (struct frame_meta){ .free = 0, .inuse = 0, .kind = FRAME_SLAB, .cls = cls };
	list_push(cls, pfn);
	slab_pages++;
	return pfn;
}

static void *slab_alloc(size_t n, unsigned gfp)
{
	unsigned cls = size_class(n);
	uint64_t pfn = partial[cls] ? partial[cls] : new_slab(cls, gfp);
	if (!pfn)
		return NULL;
	struct frame_meta *m = &meta[pfn];
	void *obj = obj_at(pfn, m->free);
	m->free = *(uint16_t *)obj;
	m->inuse++;
	if (m->free == NO_OBJ)
		list_unlink(cls, pfn);
	return obj;
}

static void slab_free(uint64_t pfn, size_t off)
{
	struct frame_meta *m = &meta[pfn];
	BUG_ON(off & (class_size(m->cls) - 1) || m->inuse == 0);
	bool was_full = m->free == NO_OBJ;
	*(uint16_t *)obj_at(pfn, off >> MIN_SHIFT) = m->free;
	m->free = off >> MIN_SHIFT;
	m->inuse--;
	if (was_full)
		list_push(m->cls, pfn);
	/* an empty slab goes back unless it is the class's only one */
	if (!m->inuse && (m->prev || m->next)) {
		list_unlink(m->cls, pfn);
		m->kind = FRAME_NONE;
		page_put(pfn);
		slab_pages--;
	}
}

/* Whole frames for n bytes: one run if there is one, else single frames
 * mapped side by side; NULL only when gfp allows failing. */
static void *large_alloc(size_t n, unsigned gfp)
{
	uint64_t pages = (n + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t pfn = pages == 1 ? alloc_frame(gfp) : page_alloc_run(pages, gfp);
	if (pfn) {
		meta[pfn] = (struct frame_meta){ .next = pages, .kind = FRAME_LARGE };
		large_pages += pages;
		return pfn_to_virt(pfn);
	}
	if (pages == 1)
		return NULL;
	void *p = vmalloc(pages, gfp);
	if (p)
		large_pages += pages;
	return p;
}

static void *do_kmalloc(size_t n, unsigned gfp)
{
	if (unlikely(!meta))
		panic("kmalloc(%zu) before the page allocator is up", n);
	void *p = n <= class_size(NCLASSES - 1) ? slab_alloc(n ? n : 1, gfp) : large_alloc(n, gfp);
	if (!p && (gfp & GFP_KERNEL))
		panic("Out of memory and no killable processes (kmalloc of %zu bytes)", n);
	return p;
}

void *kmalloc(size_t n)
{
	return do_kmalloc(n, GFP_KERNEL);
}

void *kmalloc_user(size_t n)
{
	return do_kmalloc(n, GFP_USER);
}

void *kzalloc(size_t n)
{
	void *p = kmalloc(n);
	memset(p, 0, n);
	return p;
}

static bool in_linear_map(const void *p)
{
	return (const uint8_t *)p >= physmem_base && (const uint8_t *)p < physmem_base + physmem_size;
}

size_t ksize(const void *p)
{
	if (!in_linear_map(p))
		return vmalloc_pages(p) << PAGE_SHIFT;
	struct frame_meta *m = &meta[((const uint8_t *)p - physmem_base) >> PAGE_SHIFT];
	BUG_ON(m->kind == FRAME_NONE);
	return m->kind == FRAME_SLAB ? class_size(m->cls) : (size_t)m->next << PAGE_SHIFT;
}

void *krealloc(void *p, size_t n)
{
	if (!p)
		return kmalloc(n);
	size_t have = ksize(p);
	if (n <= have)
		return p;
	void *q = kmalloc(n);
	memcpy(q, p, have);
	kfree(p);
	return q;
}

void kfree(const void *p)
{
	if (!p)
		return;
	if (!in_linear_map(p)) {
		large_pages -= vmalloc_pages(p);
		vfree(p);
		return;
	}
	size_t off = (const uint8_t *)p - physmem_base;
	uint64_t pfn = off >> PAGE_SHIFT;
	struct frame_meta *m = &meta[pfn];
	if (m->kind == FRAME_SLAB) {
		slab_free(pfn, off & (PAGE_SIZE - 1));
		return;
	}
	BUG_ON(m->kind != FRAME_LARGE || (off & (PAGE_SIZE - 1)));
	uint64_t pages = m->next;
	m->kind = FRAME_NONE;
	m->next = 0;
	large_pages -= pages;
	page_free_contig(pfn, pages);
}

void slab_get_stats(uint64_t *slab, uint64_t *large, uint64_t *table)
{
	*slab = slab_pages;
	*large = large_pages;
	*table = meta_pages;
}
