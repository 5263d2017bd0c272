/* kernel-glue/mm/vma.c: the sorted VMA list (insert, find), splitting,
 * isolating a range, merging neighbours, munmap of a range, range_is_free
 * and the top-down get_unmapped_area, including a brute-force comparison
 * over random layouts. mm_zap_range and the file references are doubles. */
#include <stdlib.h>
#include "ktest.h"
#include "doubles.h"
#include "rename.h"
#include <umk/kernel.h>
#include <umk/fs.h>
#include <umk/vma.h>
#include <umk/arch.h>
#include "unrename.h"

#define RW (VM_READ | VM_WRITE)

/* "start-end" per VMA, plus " name" and "@pgoff" for file VMAs, flags when not RW. */
static const char *layout(struct mm *mm)
{
	static char buf[2048];
	size_t n = 0;
	buf[0] = 0;
	for (struct vma *v = mm->vmas; v && n < sizeof(buf) - 100; v = v->next) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%" PRIx64 "-%" PRIx64, n ? " " : "", v->start, v->end);
		if (v->flags != RW)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "/%x", v->flags);
		if (v->file)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "@%" PRIu64, v->pgoff);
		if (v->name[0])
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", v->name);
	}
	return buf;
}

static struct vma *add(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vma *v = vma_new(start, end, RW, NULL, 0);
	vma_insert(mm, v);
	return v;
}

static void free_all(struct mm *mm)
{
	while (mm->vmas) {
		struct vma *v = mm->vmas;
		mm->vmas = v->next;
		vma_free(v);
	}
}

static void test_list(void)
{
	struct mm mm = { 0 };
	struct file f = { .f_count = 1 };

	struct vma *v = vma_new(0x1000, 0x3000, VM_READ | VM_EXEC, &f, 7);
	OK(v->start == 0x1000 && v->end == 0x3000 && v->flags == (VM_READ | VM_EXEC) && v->file == &f && v->pgoff == 7 &&
	   v->next == NULL && v->name[0] == 0, "vma_new fills in the fields");
	EQ_I(f.f_count, 2, "vma_new takes a file reference");
	vma_free(v);
	EQ_I(f.f_count, 1, "vma_free drops it");

	add(&mm, 0x5000, 0x6000);
	add(&mm, 0x1000, 0x2000);
	add(&mm, 0x9000, 0xa000);
	add(&mm, 0x3000, 0x4000);
	add(&mm, 0x2000, 0x3000);
	EQ_S(layout(&mm), "1000-2000 2000-3000 3000-4000 5000-6000 9000-a000", "vma_insert keeps the list sorted");

	OK(find_vma(&mm, 0x1000) == mm.vmas, "find_vma at a start");
	OK(find_vma(&mm, 0x1fff) == mm.vmas, "find_vma at the last byte");
	OK(find_vma(&mm, 0x2000) == mm.vmas->next, "find_vma at an end is the next VMA");
	OK(find_vma(&mm, 0x4000) == NULL, "find_vma in a gap: NULL");
	OK(find_vma(&mm, 0xfff) == NULL, "find_vma below all: NULL");
	OK(find_vma(&mm, 0xa000) == NULL, "find_vma above all: NULL");
	OK(find_vma_above(&mm, 0x4000)->start == 0x5000, "find_vma_above in a gap: the next VMA");
	OK(find_vma_above(&mm, 0x5800)->start == 0x5000, "find_vma_above inside a VMA: that VMA");
	OK(find_vma_above(&mm, 0xa000) == NULL, "find_vma_above past the last: NULL");

	EQ_I(range_is_free(&mm, 0x4000, 0x5000), 1, "range_is_free: exactly a gap");
	EQ_I(range_is_free(&mm, 0x6000, 0x9000), 1, "range_is_free: gap touching both neighbours");
	EQ_I(range_is_free(&mm, 0x3fff, 0x5000), 0, "range_is_free: one byte into the VMA below");
	EQ_I(range_is_free(&mm, 0x4000, 0x5001), 0, "range_is_free: one byte into the VMA above");
	EQ_I(range_is_free(&mm, 0x0, 0x100000), 0, "range_is_free: covering everything");
	EQ_I(range_is_free(&mm, 0x5400, 0x5800), 0, "range_is_free: inside a VMA");
	EQ_I(range_is_free(&mm, 0xa000, TASK_SIZE), 1, "range_is_free: above everything");
	free_all(&mm);
	EQ_I(range_is_free(&mm, 0, TASK_SIZE), 1, "range_is_free: empty mm");
}

static void test_split(void)
{
	struct mm mm = { 0 };
	struct file f = { .f_count = 1 };

	add(&mm, 0x1000, 0x2000);
	struct vma *v = add(&mm, 0x10000, 0x20000);
	add(&mm, 0x30000, 0x31000);
	strcpy(v->name, "[heap]");
	struct vma *hi = vma_split(v, 0x14000);
	OK(v->start == 0x10000 && v->end == 0x14000 && hi->start == 0x14000 && hi->end == 0x20000,
	   "vma_split: [start, addr) and [addr, end)");
	OK(v->next == hi && hi->next && hi->next->start == 0x30000, "vma_split links the upper part after the lower");
	OK(hi->flags == RW && !strcmp(hi->name, "[heap]") && hi->file == NULL,
	   "vma_split copies flags and name to the upper part");
	EQ_S(layout(&mm), "1000-2000 10000-14000[heap] 14000-20000[heap] 30000-31000", "layout after split");
	free_all(&mm);

	v = vma_new(0x40000, 0x48000, VM_READ, &f, 10);
	vma_insert(&mm, v);
	hi = vma_split(v, 0x43000);
	OK(v->pgoff == 10 && hi->pgoff == 13, "vma_split of a file VMA: upper pgoff advanced by 3 pages (%" PRIu64 ")",
	   hi->pgoff);
	OK(hi->file == &f && f.f_count == 3, "vma_split: the upper part holds its own file reference (count %d)",
	   f.f_count);
	free_all(&mm);
	EQ_I(f.f_count, 1, "all references dropped when the VMAs are freed");

	v = add(&mm, 0x50000, 0x58000);
	v->pgoff = 99;	/* meaningless without a file: kept as is */
	hi = vma_split(v, 0x51000);
	EQ_U(hi->pgoff, 99, "vma_split of an anonymous VMA leaves pgoff");
	free_all(&mm);
}

static void test_isolate(void)
{
	struct mm mm = { 0 };

	add(&mm, 0x10000, 0x20000);
	vma_isolate(&mm, 0x12000, 0x15000);
	EQ_S(layout(&mm), "10000-12000 12000-15000 15000-20000", "vma_isolate inside one VMA splits it in three");
	free_all(&mm);

	add(&mm, 0x10000, 0x20000);
	add(&mm, 0x20000, 0x30000);
	vma_isolate(&mm, 0x18000, 0x28000);
	EQ_S(layout(&mm), "10000-18000 18000-20000 20000-28000 28000-30000",
	     "vma_isolate across two adjacent VMAs splits both");
	free_all(&mm);

	add(&mm, 0x10000, 0x20000);
	add(&mm, 0x30000, 0x40000);
	vma_isolate(&mm, 0x18000, 0x38000);
	EQ_S(layout(&mm), "10000-18000 18000-20000 30000-38000 38000-40000", "vma_isolate across a gap");
	free_all(&mm);

	add(&mm, 0x10000, 0x20000);
	add(&mm, 0x30000, 0x40000);
	vma_isolate(&mm, 0x10000, 0x40000);
	EQ_S(layout(&mm), "10000-20000 30000-40000", "vma_isolate on existing edges changes nothing");
	vma_isolate(&mm, 0x20000, 0x30000);
	EQ_S(layout(&mm), "10000-20000 30000-40000", "vma_isolate of a gap changes nothing");
	vma_isolate(&mm, 0x50000, 0x60000);
	EQ_S(layout(&mm), "10000-20000 30000-40000", "vma_isolate above all changes nothing");
	vma_isolate(&mm, 0x10000, 0x14000);
	EQ_S(layout(&mm), "10000-14000 14000-20000 30000-40000", "vma_isolate from a VMA's start: one split");
	vma_isolate(&mm, 0x3c000, 0x40000);
	EQ_S(layout(&mm), "10000-14000 14000-20000 30000-3c000 3c000-40000", "vma_isolate up to a VMA's end: one split");
	vma_isolate(&mm, 0x1000, 0x12000);
	EQ_S(layout(&mm), "10000-12000 12000-14000 14000-20000 30000-3c000 3c000-40000",
	     "vma_isolate from below all VMAs");
	free_all(&mm);
}

static void test_merge(void)
{
	struct mm mm = { 0 };
	struct file f = { .f_count = 1 }, g = { .f_count = 1 };

	add(&mm, 0x10000, 0x20000);
	vma_isolate(&mm, 0x12000, 0x15000);
	vma_merge_adjacent(&mm);
	EQ_S(layout(&mm), "10000-20000", "isolate then merge gives the original VMA back");
	free_all(&mm);

	add(&mm, 0x1000, 0x2000);
	add(&mm, 0x2000, 0x3000);
	add(&mm, 0x3000, 0x4000);
	add(&mm, 0x5000, 0x6000);	/* gap before */
	add(&mm, 0x6000, 0x7000)->flags = VM_READ;	/* flags differ */
	add(&mm, 0x7000, 0x8000)->flags = VM_READ;
	strcpy(add(&mm, 0x8000, 0x9000)->name, "[stack]");	/* name differs */
	vma_merge_adjacent(&mm);
	EQ_S(layout(&mm), "1000-4000 5000-6000 6000-8000/1 8000-9000[stack]",
	     "merge joins equal neighbours only (not across gaps, flags or names)");
	free_all(&mm);

	struct vma *v;
	v = vma_new(0x10000, 0x12000, VM_READ, &f, 4);
	vma_insert(&mm, v);
	v = vma_new(0x12000, 0x13000, VM_READ, &f, 6);	/* continues: 4 + 2 pages */
	vma_insert(&mm, v);
	v = vma_new(0x13000, 0x14000, VM_READ, &f, 9);	/* file offset jumps */
	vma_insert(&mm, v);
	v = vma_new(0x14000, 0x15000, VM_READ, &g, 10);	/* another file */
	vma_insert(&mm, v);
	v = vma_new(0x15000, 0x16000, VM_READ, NULL, 11);	/* anonymous after file */
	vma_insert(&mm, v);
	EQ_I(f.f_count, 4, "three VMAs hold references to f");
	vma_merge_adjacent(&mm);
	EQ_S(layout(&mm), "10000-13000/1@4 13000-14000/1@9 14000-15000/1@10 15000-16000/1",
	     "file VMAs merge only when the same file continues");
	EQ_I(f.f_count, 3, "the merged-away VMA dropped its file reference");
	free_all(&mm);
	OK(f.f_count == 1 && g.f_count == 1, "all file references dropped");
}

static void test_munmap(void)
{
	struct mm mm = { 0 };
	struct file f = { .f_count = 1 };

	add(&mm, 0x10000, 0x20000);
	add(&mm, 0x20000, 0x30000);
	vma_insert(&mm, vma_new(0x40000, 0x50000, VM_READ, &f, 0));
	n_zap_calls = 0;
	do_munmap_range(&mm, 0x18000, 0x22000);
	EQ_S(layout(&mm), "10000-18000 22000-30000 40000-50000/1@0", "munmap across two VMAs keeps the outer parts");
	OK(n_zap_calls == 1 && zap_calls[0].mm == &mm && zap_calls[0].start == 0x18000 && zap_calls[0].end == 0x22000,
	   "munmap zaps exactly the range (%d calls)", n_zap_calls);
	do_munmap_range(&mm, 0x44000, 0x48000);
	EQ_S(layout(&mm), "10000-18000 22000-30000 40000-44000/1@0 48000-50000/1@8",
	     "munmap in the middle of a file VMA: a hole, pgoff of the upper part advanced");
	EQ_I(f.f_count, 3, "both file parts hold a reference");
	do_munmap_range(&mm, 0x30000, 0x60000);
	EQ_S(layout(&mm), "10000-18000 22000-30000", "munmap of whole VMAs removes them");
	EQ_I(f.f_count, 1, "their file references are dropped");
	do_munmap_range(&mm, 0x60000, 0x70000);
	EQ_S(layout(&mm), "10000-18000 22000-30000", "munmap of an empty range changes nothing");
	do_munmap_range(&mm, 0, TASK_SIZE);
	OK(mm.vmas == NULL, "munmap of everything empties the list");
	EQ_I(n_zap_calls, 5, "one zap per munmap");
}

#define BASE 0x7f0000000000ULL

static void test_unmapped_area(void)
{
	struct mm mm = { .mmap_base = BASE };

	EQ_U(get_unmapped_area(&mm, 0x3000), BASE - 0x3000, "empty mm: right below mmap_base");
	add(&mm, BASE + 0x10000, BASE + 0x20000);
	EQ_U(get_unmapped_area(&mm, 0x3000), BASE - 0x3000, "a VMA above mmap_base does not matter");
	add(&mm, BASE - 0x10000, BASE);
	EQ_U(get_unmapped_area(&mm, 0x3000), BASE - 0x13000, "right below the top VMA");
	add(&mm, BASE - 0x30000, BASE - 0x20000);	/* hole of 0x10000 at BASE - 0x20000 */
	EQ_U(get_unmapped_area(&mm, 0x8000), BASE - 0x18000, "top of a hole that fits");
	EQ_U(get_unmapped_area(&mm, 0x10000), BASE - 0x20000, "a hole that fits exactly");
	EQ_U(get_unmapped_area(&mm, 0x11000), BASE - 0x41000, "too big for the hole: below the next VMA");
	add(&mm, BASE - 0x41000, BASE - 0x40000);
	EQ_U(get_unmapped_area(&mm, 0x11000), BASE - 0x52000, "and below one more VMA in the way");
	free_all(&mm);

	add(&mm, BASE - 0x1000, BASE + 0x1000);
	EQ_U(get_unmapped_area(&mm, 0x1000), BASE - 0x2000, "a VMA straddling mmap_base is avoided");
	free_all(&mm);

	/* the bottom: nothing is placed in the lowest 16 pages */
	mm.mmap_base = 0x20000;
	EQ_U(get_unmapped_area(&mm, 0x10000), 0x10000, "lowest allowed placement is 16 pages up");
	EQ_U(get_unmapped_area(&mm, 0x11000), 0, "no room above the lowest 16 pages: 0");
	add(&mm, 0x18000, 0x20000);
	EQ_U(get_unmapped_area(&mm, 0x8000), 0x10000, "right below the lowest VMA, 16 pages up");
	EQ_U(get_unmapped_area(&mm, 0x9000), 0, "no room below the lowest VMA: 0");
	EQ_U(get_unmapped_area(&mm, 0x20000), 0, "larger than everything below mmap_base: 0");
	free_all(&mm);
}

/* Highest page-aligned cand with [cand, cand+len) free, below base, at or
 * above 16 pages; 0 if none. */
static uaddr_t brute_force(struct mm *mm, uint64_t len)
{
	for (uaddr_t cand = mm->mmap_base - len; cand >= 16 * PAGE_SIZE && cand + len <= mm->mmap_base; cand -= PAGE_SIZE) {
		int free_ = 1;
		for (struct vma *v = mm->vmas; v; v = v->next)
			if (v->start < cand + len && v->end > cand)
				free_ = 0;
		if (free_)
			return cand;
	}
	return 0;
}

static void test_unmapped_area_random(void)
{
	unsigned seed = 12345;
	int trials = 0, bad = 0;
	for (int round = 0; round < 300; round++) {
		struct mm mm = { .mmap_base = 0x100000 - (uaddr_t)(round % 4) * PAGE_SIZE };
		int nv = round % 12;
		for (int i = 0; i < nv; i++) {
			seed = seed * 1103515245 + 12345;
			uaddr_t s = ((seed >> 8) % 0x110) * PAGE_SIZE;
			uaddr_t e = s + (((seed >> 20) % 24) + 1) * PAGE_SIZE;
			if (range_is_free(&mm, s, e))
				add(&mm, s, e);
		}
		for (uint64_t len = PAGE_SIZE; len <= 0x40000; len += PAGE_SIZE * (1 + round % 5)) {
			uaddr_t got = get_unmapped_area(&mm, len), want = brute_force(&mm, len);
			trials++;
			if (got != want) {
				if (!bad)
					NOTE("layout %s, len %#" PRIx64 ": got %#" PRIx64 ", expected %#" PRIx64, layout(&mm), len,
					     got, want);
				bad++;
			}
		}
		free_all(&mm);
	}
	OK(!bad, "get_unmapped_area is the highest fit below mmap_base in %d random cases (%d differ)", trials, bad);
}

/* Regression: "top < len + PAGE_SIZE * 16" wrapped for len >= 2^64 - 16
 * pages, and get_unmapped_area returned an address whose range wrapped. */
static void test_unmapped_area_huge(void)
{
	struct mm mm = { .mmap_base = BASE };
	EQ_U(get_unmapped_area(&mm, TASK_SIZE), 0, "len TASK_SIZE (does not fit): 0");
	EQ_U(get_unmapped_area(&mm, 0xfffffffffffef000ULL), 0, "len 2^64 - 17 pages (does not fit): 0");
	EQ_U(get_unmapped_area(&mm, 0xffffffffffff0000ULL), 0, "len 2^64 - 16 pages (does not fit): 0");
	EQ_U(get_unmapped_area(&mm, 0xfffffffffffff000ULL), 0, "len 2^64 - 1 page (does not fit): 0");
}

int main(void)
{
	test_list();
	test_split();
	test_isolate();
	test_merge();
	test_munmap();
	test_unmapped_area();
	test_unmapped_area_random();
	test_unmapped_area_huge();
	return t_done();
}
