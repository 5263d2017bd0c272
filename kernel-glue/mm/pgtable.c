/* The radix tree behind each mm's page tables. */
#include <umk/pgtable.h>
#include <umk/arch.h>

struct pte_table { uint64_t e[512]; };

static unsigned idx(uaddr_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & 511;
}

uint64_t *pte_lookup(struct mm *mm, uaddr_t va, bool alloc)
{
	if (va >= TASK_SIZE)
		return NULL;
	if (!mm->pgd) {
		if (!alloc)
			return NULL;
		mm->pgd = kzalloc(sizeof(struct pte_table));
		mm->pgtables++;
	}
	struct pte_table *t = mm->pgd;
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &t->e[idx(va, level)];
		if (!*e) {
			if (!alloc)
				return NULL;
			*e = (uint64_t)(uintptr_t)kzalloc(sizeof(struct pte_table));
			mm->pgtables++;
		}
		t = (struct pte_table *)(uintptr_t)*e;
	}
	return &t->e[idx(va, 0)];
}

static void walk(struct mm *mm, struct pte_table *t, int level, uaddr_t base, uaddr_t start, uaddr_t end,
		 void (*fn)(struct mm *, uaddr_t, uint64_t *, void *), void *arg)
{
	uint64_t span = 1ULL << (PAGE_SHIFT + 9 * level);
	for (unsigned i = 0; i < 512; i++) {
		uaddr_t lo = base + i * span, hi = lo + span;
		if (hi <= start || lo >= end || !t->e[i])
			continue;
		if (level == 0) {
			if (t->e[i] & PTE_PRESENT)
				fn(mm, lo, &t->e[i], arg);
		} else
			walk(mm, (struct pte_table *)(uintptr_t)t->e[i], level - 1, lo, start, end, fn, arg);
	}
}

void pte_walk(struct mm *mm, uaddr_t start, uaddr_t end,
	      void (*fn)(struct mm *, uaddr_t, uint64_t *, void *), void *arg)
{
	if (mm->pgd && start < end)
		walk(mm, mm->pgd, 3, 0, start, end, fn, arg);
}

static void free_level(struct pte_table *t, int level)
{
	for (unsigned i = 0; i < 512; i++) {
		if (!t->e[i])
			continue;
		if (level == 0) {
			if (t->e[i] & PTE_PRESENT)
				page_put(PTE_PFN(t->e[i]));
		} else
			free_level((struct pte_table *)(uintptr_t)t->e[i], level - 1);
	}
	kfree(t);
}

void pgtable_free(struct mm *mm)
{
	if (mm->pgd)
		free_level(mm->pgd, 3);
	mm->pgd = NULL;
	mm->pgtables = 0;
}
