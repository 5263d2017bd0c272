/* Frame allocator over physmem: a refcount per frame (0 = free) and a
 * rotating search hint. Freed frames are punched out of the memory file
 * in batches so an idle guest gives host memory back. */
#include <umk/kernel.h>
#include <umk/arch.h>
#include <umk/mm.h>

static uint32_t *refcnt;
static uint64_t nframes, nfree, hint = 1;

void page_alloc_init(void)
{
	nframes = physmem_size >> PAGE_SHIFT;
	refcnt = kzalloc(nframes * sizeof(*refcnt));
	refcnt[0] = 1;		/* frame 0 is never handed out: pfn 0 means "none" */
	nfree = nframes - 1;
}

static uint64_t find_free(uint64_t n)
{
	for (int pass = 0; pass < 2; pass++) {
		uint64_t start = pass ? 1 : hint;
		uint64_t run = 0;
		for (uint64_t p = start; p < nframes; p++) {
			run = refcnt[p] ? 0 : run + 1;
			if (run == n) {
				hint = p + 1 < nframes ? p + 1 : 1;
				return p + 1 - n;
			}
		}
	}
	return 0;
}

uint64_t page_alloc_nozero(void)
{
	if (!nfree)
		return 0;
	uint64_t p = find_free(1);
	if (!p)
		return 0;
	refcnt[p] = 1;
	nfree--;
	return p;
}

uint64_t page_alloc(void)
{
	uint64_t p = page_alloc_nozero();
	if (p)
		memset(pfn_to_virt(p), 0, PAGE_SIZE);
	return p;
}

uint64_t page_alloc_contig(uint64_t n)
{
	if (nfree < n)
		return 0;
	uint64_t p = find_free(n);
	if (!p)
		return 0;
	for (uint64_t i = 0; i < n; i++)
		refcnt[p + i] = 1;
	nfree -= n;
	memset(pfn_to_virt(p), 0, n << PAGE_SHIFT);
	return p;
}

void page_free_contig(uint64_t pfn, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		page_put(pfn + i);
}

void page_get(uint64_t pfn)
{
	BUG_ON(pfn == 0 || pfn >= nframes || refcnt[pfn] == 0);
	refcnt[pfn]++;
}

void page_put(uint64_t pfn)
{
	BUG_ON(pfn == 0 || pfn >= nframes || refcnt[pfn] == 0);
	if (--refcnt[pfn] == 0)
		nfree++;
}

int page_refcount(uint64_t pfn)
{
	return pfn < nframes ? (int)refcnt[pfn] : 0;
}

void mem_get_stats(uint64_t *total, uint64_t *free)
{
	*total = nframes;
	*free = nfree;
}

/* Give free frames' host memory back (called when the guest goes idle). */
void page_release_free(void)
{
	uint64_t start = 0;
	for (uint64_t p = 1; p <= nframes; p++) {
		bool f = p < nframes && refcnt[p] == 0;
		if (f && !start)
			start = p;
		if (!f && start) {
			if (p - start >= 16)
				arch_physmem_release(start, p - start);
			start = 0;
		}
	}
}
