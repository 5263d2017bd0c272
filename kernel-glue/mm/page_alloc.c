/* Frame allocator over physmem: a refcount per frame (0 = free), handed
 * out lowest first (the search starts at the lowest frame that may be
 * free), so the frames in use stay packed at the bottom and the host
 * only ever holds as much of the memory file as the guest's peak use,
 * not all of mem= because allocations wandered through it. Every byte the kernel keeps for the guest comes
 * from here, so mem= bounds it: the refcount table itself sits in the
 * last frames of physmem (like Linux's mem_map, it is not part of
 * MemTotal). The last `reserve` free frames are the kernel's (Linux's
 * min_free_kbytes): user pages (anonymous memory, page cache, tmpfs, pipe
 * data) stop above them, so the kernel heap can finish what it started
 * while the OOM killer makes room. page_release_free punches runs of free
 * frames out of the memory file (host memory back to the host). */
#include <umk/kernel.h>
#include <umk/arch.h>
#include <umk/mm.h>

static uint32_t *refcnt;
static uint64_t nframes, nfree, low = 1, managed, reserve;	/* no free frame below low */

static uint64_t isqrt(uint64_t x)
{
	uint64_t r = 0;
	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

void page_alloc_init(void)
{
	nframes = physmem_size >> PAGE_SHIFT;
	uint64_t table = (nframes * sizeof(*refcnt) + PAGE_SIZE - 1) >> PAGE_SHIFT;
	BUG_ON(table + 2 > nframes);
	refcnt = pfn_to_virt(nframes - table);
	memset(refcnt, 0, nframes * sizeof(*refcnt));
	refcnt[0] = 1;		/* frame 0 is never handed out: pfn 0 means "none" */
	for (uint64_t p = nframes - table; p < nframes; p++)
		refcnt[p] = 1;
	managed = nfree = nframes - 1 - table;
	/* min_free_kbytes = sqrt(16 * lowmem kB), 128 kB .. 64 MB, as Linux */
	uint64_t kb = isqrt(managed * (PAGE_SIZE / 1024) * 16);
	kb = kb < 128 ? 128 : kb > 65536 ? 65536 : kb;
	reserve = MIN(kb / (PAGE_SIZE / 1024), managed / 4);
}

static uint64_t find_free(uint64_t n)
{
	uint64_t run = 0;
	while (low < nframes && refcnt[low])
		low++;
	for (uint64_t p = low; p < nframes; p++) {
		run = refcnt[p] ? 0 : run + 1;
		if (run == n)
			return p + 1 - n;
	}
	return 0;
}

static uint64_t take(uint64_t n, uint64_t keep)
{
	if (nfree < n + keep)
		return 0;
	uint64_t p = find_free(n);
	if (!p)
		return 0;
	for (uint64_t i = 0; i < n; i++)
		refcnt[p + i] = 1;
	nfree -= n;
	return p;
}

uint64_t page_alloc_nozero(void)
{
	return take(1, reserve);
}

uint64_t page_alloc(void)
{
	uint64_t p = page_alloc_nozero();
	if (p)
		memset(pfn_to_virt(p), 0, PAGE_SIZE);
	return p;
}

uint64_t page_alloc_run(uint64_t n, unsigned gfp)
{
	return take(n, (gfp & GFP_KERNEL) ? 0 : reserve);
}

uint64_t page_alloc_contig(uint64_t n)
{
	uint64_t p = take(n, 0);
	if (p)
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
	if (--refcnt[pfn] == 0) {
		nfree++;
		if (pfn < low)
			low = pfn;
	}
}

int page_refcount(uint64_t pfn)
{
	return pfn < nframes ? (int)refcnt[pfn] : 0;
}

void mem_get_stats(uint64_t *total, uint64_t *free)
{
	*total = managed;
	*free = nfree;
}

uint64_t mem_reserve_pages(void)
{
	return reserve;
}

/* Give free frames' host memory back. */
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
