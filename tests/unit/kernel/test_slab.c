/* kernel-glue/mm/slab.c and vmalloc.c (with arch-um/vmap.c) over a fake
 * physmem of 256 frames: the kernel heap lives in guest frames. Small
 * objects share slabs and are aligned to their size class, empty slabs go
 * back, kzalloc zeroes reused memory, krealloc keeps contents, large
 * objects take contiguous frames, or scattered ones mapped side by side
 * when memory is fragmented (and writes through that mapping land in the
 * frames), kmalloc_user stops above the kernel's reserve, kmalloc may use
 * it, and freeing a pointer the heap never gave panics. */
#include <stdlib.h>
#include "ktest.h"
#include "doubles.h"
#include "rename.h"
#include <umk/kernel.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include "unrename.h"

void page_alloc_init(void);
void slab_init(void);

#define NFRAMES 256

/* mm/reclaim.c: only the allocator here (no page cache, no OOM killer). */
int n_alloc_frame_calls;
uint64_t alloc_frame(unsigned gfp)
{
	n_alloc_frame_calls++;
	uint64_t p = page_alloc_run(1, gfp);
	if (p && (gfp & GFP_ZERO))
		memset(pfn_to_virt(p), 0, PAGE_SIZE);
	return p;
}

static uint64_t free_pages(void)
{
	uint64_t total, nfree;
	mem_get_stats(&total, &nfree);
	return nfree;
}

static int in_physmem(const void *p)
{
	return (const uint8_t *)p >= physmem_base && (const uint8_t *)p < physmem_base + physmem_size;
}

static void free_bogus(uint64_t unused)
{
	(void)unused;
	static char not_heap[64];
	kfree(not_heap);
}

static void free_twice(uint64_t unused)
{
	(void)unused;
	void *a = kmalloc(1024);	/* alone in its slab */
	kfree(a);
	kfree(a);
}

int main(void)
{
	doubles_physmem(NFRAMES * PAGE_SIZE, 0xaa);
	page_alloc_init();
	uint64_t before_table = free_pages();
	slab_init();
	uint64_t slab, large, table;
	slab_get_stats(&slab, &large, &table);
	EQ_U(table, 1, "the heap's frame table: 256 frames x 16 bytes = one frame");
	EQ_U(free_pages(), before_table - 1, "taken from guest memory");
	uint64_t base = free_pages();

	/* small objects: in physmem, aligned to their class, no overlap */
	static const size_t sizes[] = { 1, 16, 17, 100, 128, 500, 1024, 2000, 2048 };
	void *objs[9];
	int ok = 1;
	for (int i = 0; i < 9; i++) {
		objs[i] = kmalloc(sizes[i]);
		size_t cls = 16;
		while (cls < sizes[i])
			cls *= 2;
		if (!in_physmem(objs[i]) || ((uintptr_t)objs[i] & (cls - 1)) || ksize(objs[i]) != cls)
			ok = 0;
		memset(objs[i], i, sizes[i]);
	}
	for (int i = 0; i < 9; i++)
		for (size_t j = 0; j < sizes[i]; j++)
			if (((uint8_t *)objs[i])[j] != i)
				ok = 0;
	OK(ok, "kmalloc of 1..2048 bytes: in guest frames, aligned to the size class, ksize = class, no overlap");
	for (int i = 0; i < 9; i++)
		kfree(objs[i]);

	/* one slab frame holds 256 16-byte objects; a 257th takes another */
	void *small[257];
	uint64_t f0 = free_pages();
	for (int i = 0; i < 256; i++)
		small[i] = kmalloc(16);
	uint64_t used = f0 - free_pages();
	small[256] = kmalloc(16);
	OK(used <= 1 && f0 - free_pages() == used + 1, "256 objects of 16 bytes share one frame, the 257th takes a new one (%" PRIu64 " then %" PRIu64 ")", used, f0 - free_pages());
	for (int i = 0; i < 257; i++)
		kfree(small[i]);
	OK(free_pages() >= f0 - 1, "freeing them gives the frames back (but one slab of the class)");

	/* kzalloc zeroes memory that was dirty */
	uint8_t *d = kmalloc(512);
	memset(d, 0x5a, 512);
	kfree(d);
	uint8_t *z = kzalloc(512);
	ok = z == d;
	for (int i = 0; i < 512; i++)
		ok &= z[i] == 0;
	OK(ok, "kzalloc reuses the freed object and zeroes it");
	kfree(z);

	/* krealloc keeps the contents across classes and into large objects */
	char *r = kmalloc(10);
	memcpy(r, "0123456789", 10);
	r = krealloc(r, 14);
	OK(!memcmp(r, "0123456789", 10), "krealloc within the class keeps the object");
	r = krealloc(r, 3000);
	OK(!memcmp(r, "0123456789", 10) && ksize(r) == 4096, "krealloc to a page keeps the contents");
	r = krealloc(r, 20000);
	OK(!memcmp(r, "0123456789", 10) && ksize(r) == 5 * 4096, "krealloc to 5 pages keeps the contents");
	kfree(r);

	/* large: contiguous frames from the linear map */
	f0 = free_pages();
	uint8_t *big = kmalloc(3 * PAGE_SIZE);
	OK(in_physmem(big) && ((uintptr_t)big & (PAGE_SIZE - 1)) == 0, "3 pages: one contiguous run in the linear map");
	EQ_U(f0 - free_pages(), 3, "3 frames taken");
	kfree(big);
	EQ_U(free_pages(), f0, "and given back");

	/* fragmented memory: no run of 3, so 3 single frames mapped side by side */
	uint64_t all[NFRAMES];
	int n = 0;
	while ((all[n] = page_alloc_run(1, GFP_KERNEL)))
		n++;
	for (int i = 0; i < n; i += 2)
		page_put(all[i]);
	f0 = free_pages();
	uint64_t run3 = page_alloc_run(3, GFP_KERNEL);
	EQ_U(run3, 0, "fragmented: no run of 3 frames is free");
	uint8_t *v = kmalloc(3 * PAGE_SIZE);
	OK(v && !in_physmem(v), "kmalloc of 3 pages still succeeds, outside the linear map");
	EQ_U(f0 - free_pages(), 3 + 1, "3 frames (plus a slab for the area record) taken");
	memset(v, 0x3c, 3 * PAGE_SIZE);
	int seen = 0;
	for (int i = 0; i < n; i += 2)
		if (page_refcount(all[i]) && ((uint8_t *)pfn_to_virt(all[i]))[0] == 0x3c &&
		    ((uint8_t *)pfn_to_virt(all[i]))[PAGE_SIZE - 1] == 0x3c)
			seen++;
	EQ_I(seen, 3, "writes through the mapping land in 3 guest frames");
	EQ_U(ksize(v), 3 * PAGE_SIZE, "ksize of the mapped object");
	kfree(v);
	EQ_U(free_pages(), f0 - 1, "kfree gives the 3 frames back");
	for (int i = 1; i < n; i += 2)
		page_put(all[i]);

	/* the reserve: user data stops above it, the kernel heap may use it */
	uint64_t reserve = mem_reserve_pages();
	n = 0;
	while ((all[n] = page_alloc_nozero()))
		n++;
	EQ_U(free_pages(), reserve, "user pages took all but the reserve");
	OK(kmalloc_user(PAGE_SIZE) == NULL, "kmalloc_user of a page fails at the reserve");
	OK(kmalloc_user(3 * PAGE_SIZE) == NULL, "kmalloc_user of 3 pages fails at the reserve");
	void *k = kmalloc(PAGE_SIZE);
	OK(k != NULL && free_pages() == reserve - 1, "kmalloc takes a frame of the reserve");
	kfree(k);
	for (int i = 0; i < n; i++)
		page_put(all[i]);
	slab_get_stats(&slab, &large, &table);
	OK(free_pages() + slab == base && large == 0 && slab <= 8,
	   "everything back but one empty slab kept per class used (%" PRIu64 " free + %" PRIu64 " slabs, %" PRIu64 " at the start)",
	   free_pages(), slab, base);

	OK(panics(free_bogus, 0), "kfree of memory the heap never gave panics");
	OK(panics(free_twice, 0), "kfree twice of an object alone in its slab panics");
	return t_done();
}
