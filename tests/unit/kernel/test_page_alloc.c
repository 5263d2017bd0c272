/* kernel-glue/mm/page_alloc.c over a fake physmem of 64 frames: frame 0
 * and the refcount table (the last frame) reserved, the kernel's reserve
 * that user pages stop above, allocation until exhausted, zeroing,
 * refcounts, lowest frames first, contiguous runs, the
 * free-page statistics and the batched release of free runs to the host. */
#include <stdlib.h>
#include "ktest.h"
#include "doubles.h"
#include "rename.h"
#include <umk/kernel.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include "unrename.h"

void page_alloc_init(void);
void page_release_free(void);

#define NFRAMES 64
#define USABLE (NFRAMES - 2)	/* less frame 0 and the table in frame 63 */

static uint64_t free_pages(void)
{
	uint64_t total, nfree;
	mem_get_stats(&total, &nfree);
	return nfree;
}

static int frame_is(uint64_t pfn, int byte)
{
	const uint8_t *p = pfn_to_virt(pfn);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i] != byte)
			return 0;
	return 1;
}

/* Allocates every free frame, the reserve too, into out[] (NFRAMES
 * entries); returns how many. */
static int alloc_all(uint64_t *out)
{
	int n = 0;
	uint64_t p;
	while (n < NFRAMES && (p = page_alloc_run(1, GFP_KERNEL)))
		out[n++] = p;
	return n;
}

int main(void)
{
	uint64_t total, nfree, pfns[NFRAMES];

	doubles_physmem(NFRAMES * PAGE_SIZE + 123, 0xaa); /* a partial last frame is not used */
	page_alloc_init();
	mem_get_stats(&total, &nfree);
	EQ_U(total, USABLE, "total frames = physmem_size / PAGE_SIZE less frame 0 and the table");
	EQ_U(nfree, USABLE, "all usable frames free after init");
	EQ_I(page_refcount(0), 1, "frame 0 is reserved (refcount 1)");
	EQ_I(page_refcount(NFRAMES - 1), 1, "the last frame holds the refcount table (refcount 1)");
	EQ_I(page_refcount(NFRAMES), 0, "page_refcount beyond the end is 0");
	uint64_t reserve = mem_reserve_pages();
	EQ_U(reserve, USABLE / 4, "the kernel's reserve: 128 kB, at most a quarter of memory");

	uint64_t p = page_alloc();
	OK(p >= 1 && p < NFRAMES, "page_alloc returns a frame in [1, %d): %" PRIu64, NFRAMES, p);
	EQ_I(page_refcount(p), 1, "allocated frame has refcount 1");
	OK(frame_is(p, 0), "page_alloc zeroes the frame");
	EQ_U(free_pages(), USABLE - 1, "free count drops by one");

	/* user pages stop at the reserve, the kernel takes it */
	int n = 0;
	while ((pfns[n] = page_alloc_nozero()))
		n++;
	EQ_I(n, (int)(USABLE - 1 - reserve), "user pages stop with the reserve left");
	EQ_U(free_pages(), reserve, "the reserve is still free");
	EQ_U(page_alloc_run(1, GFP_USER), 0, "page_alloc_run(GFP_USER) stops there too");
	uint64_t k = page_alloc_run(1, GFP_KERNEL);
	OK(k != 0, "page_alloc_run(GFP_KERNEL) takes a frame of the reserve");
	page_put(k);
	for (int i = 0; i < n; i++)
		page_put(pfns[i]);

	/* exhaustion */
	n = alloc_all(pfns);
	EQ_I(n, USABLE - 1, "the remaining frames can all be allocated");
	int ok = 1;
	uint8_t seen[NFRAMES] = { 0 };
	seen[p] = 1;
	for (int i = 0; i < n; i++) {
		if (pfns[i] == 0 || pfns[i] >= NFRAMES || seen[pfns[i]] || page_refcount(pfns[i]) != 1)
			ok = 0;
		else
			seen[pfns[i]] = 1;
	}
	OK(ok, "every frame handed out once, never frame 0, refcount 1");
	EQ_U(page_alloc(), 0, "page_alloc returns 0 when exhausted");
	EQ_U(page_alloc_nozero(), 0, "page_alloc_nozero returns 0 when exhausted");
	EQ_U(page_alloc_contig(1), 0, "page_alloc_contig(1) returns 0 when exhausted");
	EQ_U(free_pages(), 0, "free count 0 when exhausted");

	/* refcounts */
	uint64_t q = pfns[10];
	page_get(q);
	EQ_I(page_refcount(q), 2, "page_get: refcount 2");
	page_put(q);
	EQ_I(page_refcount(q), 1, "page_put: refcount 1");
	EQ_U(free_pages(), 0, "a shared frame put once is not free");
	memset(pfn_to_virt(q), 0x77, PAGE_SIZE);
	page_put(q);
	EQ_I(page_refcount(q), 0, "last page_put frees the frame");
	EQ_U(free_pages(), 1, "free count back to 1");
	EQ_U(page_alloc(), 0, "page_alloc leaves the last frame to the kernel");
	EQ_U(page_alloc_contig(1), q, "the only free frame is the one handed out next");
	OK(frame_is(q, 0), "a reused frame is zeroed again by page_alloc_contig");

	/* freeing everything */
	for (int i = 0; i < n; i++)
		page_put(pfns[i]);
	page_put(p);
	EQ_U(free_pages(), USABLE, "everything freed: free count back to total");

	/* misuse is caught (BUG_ON -> panic) */
	OK(panics(page_put, p), "page_put of a free frame panics");
	OK(panics(page_get, p), "page_get of a free frame panics");
	OK(panics(page_put, 0), "page_put of frame 0 panics");
	OK(panics(page_get, NFRAMES), "page_get past the end panics");

	/* contiguous runs */
	uint64_t c = page_alloc_contig(8);
	ok = c >= 1 && c + 8 <= NFRAMES;
	for (int i = 0; ok && i < 8; i++)
		ok = page_refcount(c + i) == 1 && frame_is(c + i, 0);
	OK(ok, "page_alloc_contig(8): 8 frames at %" PRIu64 ", refcount 1, zeroed", c);
	EQ_U(free_pages(), USABLE - 8, "contig run counted in the free pages");
	page_free_contig(c, 8);
	EQ_U(free_pages(), USABLE, "page_free_contig frees the run");
	ok = 1;
	for (int i = 0; i < 8; i++)
		ok &= page_refcount(c + i) == 0;
	OK(ok, "page_free_contig: refcounts 0");
	c = page_alloc_contig(USABLE);
	EQ_U(c, 1, "a run of all usable frames starts at frame 1");
	EQ_U(page_alloc_contig(1), 0, "nothing left after it");
	page_free_contig(c, USABLE);
	EQ_U(page_alloc_contig(USABLE + 1), 0, "a run longer than the usable frames fails");
	EQ_U(free_pages(), USABLE, "a failed contig allocation takes nothing");

	/* fragmentation: free every other frame, no run of 2 exists */
	n = alloc_all(pfns);
	EQ_I(n, USABLE, "allocate all again");
	for (uint64_t f = 2; f < NFRAMES - 1; f += 2)
		page_put(f);
	uint64_t fr = free_pages();
	EQ_U(fr, NFRAMES / 2 - 1, "every other frame free");
	EQ_U(page_alloc_contig(2), 0, "page_alloc_contig(2) fails with only single free frames");
	EQ_U(free_pages(), fr, "and takes nothing");
	page_put(11);	/* 10, 11, 12 free now */
	c = page_alloc_contig(3);
	EQ_U(c, 10, "page_alloc_contig(3) finds the one run of 3");
	page_free_contig(c, 3);
	for (uint64_t f = 1; f < NFRAMES - 1; f += 2)
		if (f != 11)
			page_put(f);
	EQ_U(free_pages(), USABLE, "all free again");

	/* lowest first: free 20 and 21 only, then allocate 20 and free it
	 * again: a run of 2 is found there, behind the search start that
	 * moved past 20 */
	n = alloc_all(pfns);
	page_put(20);
	page_put(21);
	EQ_U(page_alloc_run(1, GFP_KERNEL), 20, "single allocation takes the lowest free frame here");
	page_put(20);
	c = page_alloc_contig(2);
	EQ_U(c, 20, "a run that starts at a frame freed again is found");
	page_free_contig(c, 2);
	for (int i = 0; i < n; i++)
		if (pfns[i] != 20 && pfns[i] != 21)
			page_put(pfns[i]);
	EQ_U(free_pages(), USABLE, "all free again");

	/* lowest first, so the frames in use stay packed: a frame freed
	 * below others is taken again before any higher one */
	uint64_t l1 = page_alloc_run(1, GFP_KERNEL), l2 = page_alloc_run(1, GFP_KERNEL);
	uint64_t l3 = page_alloc_run(1, GFP_KERNEL);
	OK(l1 == 1 && l2 == 2 && l3 == 3, "with all free, frames 1, 2, 3 come first");
	page_put(l2);
	EQ_U(page_alloc_run(1, GFP_KERNEL), 2, "frame 2 freed is the next one handed out");
	page_put(l1);
	page_put(l2);
	page_put(l3);

	/* releasing free memory to the host: runs of 16+ frames only */
	n_release_calls = 0;
	page_release_free();
	OK(n_release_calls == 1 && release_calls[0].pfn == 1 && release_calls[0].npages == USABLE,
	   "page_release_free: one run [1, %d) when all is free (%d calls)", NFRAMES - 1, n_release_calls);
	n = alloc_all(pfns);
	for (uint64_t f = 2; f < 2 + 15; f++)	/* 15 frames: too short */
		page_put(f);
	for (uint64_t f = 20; f < 36; f++)	/* 16 frames: released */
		page_put(f);
	for (uint64_t f = 40; f < NFRAMES - 1; f++)	/* up to the table: released */
		page_put(f);
	n_release_calls = 0;
	page_release_free();
	OK(n_release_calls == 2 && release_calls[0].pfn == 20 && release_calls[0].npages == 16 &&
	   release_calls[1].pfn == 40 && release_calls[1].npages == NFRAMES - 1 - 40,
	   "page_release_free: runs of 16 and up to the table released, 15 not (%d calls)", n_release_calls);
	OK(free_pages() == 15 + 16 + NFRAMES - 1 - 40, "release does not change the free count");
	return t_done();
}
