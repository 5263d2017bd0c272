/* kernel-glue/mm/pgtable.c: pte_lookup with and without allocation, the
 * TASK_SIZE limit, pte_walk visiting exactly the present PTEs of a range
 * (ranges crossing 2 MiB, 1 GiB and 512 GiB table boundaries), and
 * pgtable_free dropping the frame references (real mm/page_alloc.c). */
#include <stdlib.h>
#include "ktest.h"
#include "doubles.h"
#include "rename.h"
#include <umk/kernel.h>
#include <umk/arch.h>
#include <umk/pgtable.h>
#include "unrename.h"

void page_alloc_init(void);

#define MB2 (1ULL << 21)
#define GB1 (1ULL << 30)
#define GB512 (1ULL << 39)

/* PTEs installed by the walk tests, ascending. */
static const uaddr_t present[] = {
	0x0,			/* first page */
	0x1000,
	MB2 - PAGE_SIZE,	/* last page of the first 2 MiB table */
	MB2,			/* first page of the next */
	MB2 + 0x5000,
	GB1 - PAGE_SIZE,	/* 1 GiB boundary */
	GB1,
	3 * GB1 + 17 * MB2 + 3 * PAGE_SIZE,
	GB512 - PAGE_SIZE,	/* 512 GiB boundary (top-level entry) */
	GB512,
	0x7f0000000000ULL,
	TASK_SIZE - PAGE_SIZE,	/* the last user page */
};
/* Non-zero but not present: pte_walk must skip them. */
static const uaddr_t absent[] = { 0x2000, MB2 - 2 * PAGE_SIZE, GB1 + PAGE_SIZE, GB512 + MB2 };

struct visit { int n; uaddr_t va[64]; uint64_t *pte[64]; };

static void record(struct mm *mm, uaddr_t va, uint64_t *pte, void *arg)
{
	struct visit *v = arg;
	(void)mm;
	if (v->n < 64) {
		v->va[v->n] = va;
		v->pte[v->n] = pte;
	}
	v->n++;
}

/* present[] entries below this were cleared (no longer expected). */
static uaddr_t cleared_below;

/* Walks [start, end) and compares with the present[] entries in it. */
static void walk_check(struct mm *mm, uaddr_t start, uaddr_t end, const char *what)
{
	struct visit v = { 0 };
	pte_walk(mm, start, end, record, &v);
	int n = 0, ok = 1;
	for (size_t i = 0; i < ARRAY_SIZE(present); i++) {
		if (present[i] < start || present[i] >= end || present[i] < cleared_below)
			continue;
		if (n >= v.n || v.va[n] != present[i] || v.pte[n] != pte_lookup(mm, present[i], false))
			ok = 0;
		n++;
	}
	if (!OK(ok && v.n == n, "pte_walk [%#" PRIx64 ", %#" PRIx64 ") %s: %d PTEs", start, end, what, n)) {
		printf("#   visited:");
		for (int i = 0; i < v.n && i < 64; i++)
			printf(" %#" PRIx64, v.va[i]);
		printf("\n");
	}
}

static void clear_pte(struct mm *mm, uaddr_t va, uint64_t *pte, void *arg)
{
	(void)mm, (void)va, (void)arg;
	*pte = 0;
}

int main(void)
{
	uint64_t total, nfree, nfree0;
	doubles_physmem(64 * PAGE_SIZE, 0);
	page_alloc_init();

	struct mm mm = { 0 };
	OK(pte_lookup(&mm, 0x1000, false) == NULL && mm.pgd == NULL, "lookup without alloc on an empty mm: NULL, no pgd");
	uint64_t *a = pte_lookup(&mm, 0x400000, true);
	OK(a != NULL && *a == 0 && mm.pgd != NULL, "lookup with alloc: a zero PTE");
	OK(pte_lookup(&mm, 0x400000, true) == a, "lookup again (alloc): same PTE");
	OK(pte_lookup(&mm, 0x400000, false) == a, "lookup again (no alloc): same PTE");
	OK(pte_lookup(&mm, 0x400fff, false) == a, "any address in the page: same PTE");
	OK(pte_lookup(&mm, 0x401000, false) == a + 1, "next page: next PTE in the same table");
	OK(pte_lookup(&mm, 0x3ff000, false) == NULL, "previous 2 MiB region has no table yet");
	OK(pte_lookup(&mm, 0x400000 + GB1, false) == NULL, "next 1 GiB region has no table yet");
	uint64_t *b = pte_lookup(&mm, 0x400000 + GB1, true);
	OK(b != NULL && b != a && *b == 0, "another 1 GiB region: a different PTE");
	OK(pte_lookup(&mm, TASK_SIZE, true) == NULL, "lookup at TASK_SIZE: NULL even with alloc");
	OK(pte_lookup(&mm, ~0ULL, true) == NULL, "lookup at the top of the address space: NULL");
	OK(pte_lookup(&mm, TASK_SIZE - 1, true) != NULL, "lookup at TASK_SIZE - 1 works");
	*a = MK_PTE(5, PTE_PRESENT | PTE_WRITE);
	EQ_U(*pte_lookup(&mm, 0x400000, false), MK_PTE(5, PTE_PRESENT | PTE_WRITE), "the PTE holds what was stored");
	EQ_U(PTE_PFN(*a), 5, "PTE_PFN(MK_PTE(5, flags)) = 5");
	*a = 0;
	pgtable_free(&mm);
	OK(mm.pgd == NULL, "pgtable_free clears pgd");

	/* walks */
	struct mm w = { 0 };
	struct visit v0 = { 0 };
	pte_walk(&w, 0, TASK_SIZE, record, &v0);
	EQ_I(v0.n, 0, "pte_walk on an mm without tables visits nothing");
	for (size_t i = 0; i < ARRAY_SIZE(present); i++)
		*pte_lookup(&w, present[i], true) = MK_PTE(1000 + i, PTE_PRESENT);
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++)
		*pte_lookup(&w, absent[i], true) = MK_PTE(2000 + i, PTE_FILE | PTE_DIRTY);
	walk_check(&w, 0, TASK_SIZE, "(everything)");
	walk_check(&w, MB2 - PAGE_SIZE, MB2 + PAGE_SIZE, "(across 2 MiB)");
	walk_check(&w, MB2 - PAGE_SIZE, MB2, "(up to 2 MiB, end exclusive)");
	walk_check(&w, MB2, MB2 + PAGE_SIZE, "(from 2 MiB)");
	walk_check(&w, PAGE_SIZE, GB1 + PAGE_SIZE, "(across 2 MiB and 1 GiB)");
	walk_check(&w, GB1 - PAGE_SIZE, GB1 + PAGE_SIZE, "(across 1 GiB)");
	walk_check(&w, GB1 + PAGE_SIZE, GB512, "(1 GiB to 512 GiB, end exclusive)");
	walk_check(&w, GB512 - PAGE_SIZE, GB512 + PAGE_SIZE, "(across 512 GiB)");
	walk_check(&w, GB1, TASK_SIZE, "(from 1 GiB to the top)");
	walk_check(&w, 0x2000, MB2 - PAGE_SIZE, "(only non-present PTEs)");
	walk_check(&w, 4 * GB1, GB512 - PAGE_SIZE, "(empty tables and holes)");
	walk_check(&w, MB2 + 0x5000, MB2 + 0x5000, "(empty range)");
	struct visit v1 = { 0 };
	pte_walk(&w, GB1, MB2, record, &v1);
	EQ_I(v1.n, 0, "pte_walk with start > end visits nothing");

	/* the callback may change the PTEs it is given */
	pte_walk(&w, 0, MB2, clear_pte, NULL);
	cleared_below = MB2;
	walk_check(&w, 0, TASK_SIZE, "(after clearing the first 2 MiB in a walk)");
	OK(*pte_lookup(&w, 0x0, false) == 0 && *pte_lookup(&w, 0x2000, false) == MK_PTE(2000, PTE_FILE | PTE_DIRTY),
	   "the walk callback cleared only present PTEs");

	/* pgtable_free puts the frames of present PTEs, only those */
	struct mm f = { 0 };
	mem_get_stats(&total, &nfree0);
	uint64_t p1 = page_alloc(), p2 = page_alloc(), p3 = page_alloc();
	page_get(p2);
	*pte_lookup(&f, 0x10000, true) = MK_PTE(p1, PTE_PRESENT | PTE_WRITE);
	*pte_lookup(&f, GB1, true) = MK_PTE(p2, PTE_PRESENT);
	*pte_lookup(&f, GB512 + GB1, true) = MK_PTE(p2, PTE_PRESENT);
	*pte_lookup(&f, 0x20000, true) = MK_PTE(p3, PTE_FILE);	/* not present: not put */
	pgtable_free(&f);
	OK(f.pgd == NULL, "pgtable_free clears pgd");
	OK(page_refcount(p1) == 0 && page_refcount(p2) == 0 && page_refcount(p3) == 1,
	   "pgtable_free put each present PTE's frame once (refcounts %d %d %d)", page_refcount(p1),
	   page_refcount(p2), page_refcount(p3));
	page_put(p3);
	mem_get_stats(&total, &nfree);
	EQ_U(nfree, nfree0, "free frame count restored");
	pgtable_free(&f);
	OK(f.pgd == NULL, "pgtable_free twice is harmless");

	/* w's PTEs point at made-up frames: clear them before freeing */
	pte_walk(&w, 0, TASK_SIZE, clear_pte, NULL);
	pgtable_free(&w);
	OK(w.pgd == NULL, "tables freed");
	return t_done();
}
