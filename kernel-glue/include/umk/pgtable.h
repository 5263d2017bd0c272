/* Software page tables: a 4-level radix tree per mm, mirroring x86-64.
 * The host mappings in the stub process are a cache of these. */
#ifndef UMK_PGTABLE_H
#define UMK_PGTABLE_H
#include <umk/mm.h>

#define PTE_PRESENT	0x1ULL
#define PTE_WRITE	0x2ULL	/* may be written without a COW fault */
#define PTE_MAPPED	0x4ULL	/* the host mapping in the stub exists */
#define PTE_DIRTY	0x8ULL
#define PTE_FILE	0x10ULL	/* frame belongs to a page cache */
#define PTE_PFN(p)	((p) >> PAGE_SHIFT)
#define MK_PTE(pfn, fl)	(((uint64_t)(pfn) << PAGE_SHIFT) | (fl))

uint64_t *pte_lookup(struct mm *mm, uaddr_t va, bool alloc);
/* Calls fn for each present pte in [start, end). */
void pte_walk(struct mm *mm, uaddr_t start, uaddr_t end,
	      void (*fn)(struct mm *mm, uaddr_t va, uint64_t *pte, void *arg), void *arg);
void pgtable_free(struct mm *mm);

/* Page-fault core: FAULT_* describe what is known about the access. */
#define FAULT_HOST_MAPERR 0	/* host had no mapping: access kind unknown */
#define FAULT_HOST_ACCERR 1	/* host mapping refused the access */
#define FAULT_READ 2
#define FAULT_WRITE 3
#define FAULT_UACCESS 4		/* or'ed in: the kernel's copy_to/from_user */
#define FAULT_FORCE 8		/* or'ed in: a debugger's access, past the VMA's protection */
/* 0 handled, or a guest si_code (SEGV_MAPERR/SEGV_ACCERR) or -ENOMEM (OOM). */
int handle_mm_fault(struct mm *mm, uaddr_t addr, int kind);
void mm_zap_range(struct mm *mm, uaddr_t start, uaddr_t end);
int host_prot_of(struct vma *v, uint64_t pte);
#endif
