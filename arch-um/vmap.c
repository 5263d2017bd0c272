/* The kernel heap's vmalloc on the host: a run of address space, then
 * each run of consecutive frames mapped into it from the memory file.
 * Memory stays guest memory; the host spends only the mapping. */
#include <sys/mman.h>
#include "um.h"
#include <umk/arch.h>

void *arch_vmap(const uint64_t *pfns, uint64_t n)
{
	size_t len = n << PAGE_SHIFT;
	uint8_t *base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	for (uint64_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && pfns[j] == pfns[j - 1] + 1; j++)
			;
		if (mmap(base + (i << PAGE_SHIFT), (j - i) << PAGE_SHIFT, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, physmem_fd, (off_t)(pfns[i] << PAGE_SHIFT)) == MAP_FAILED) {
			munmap(base, len);
			return NULL;
		}
	}
	return base;
}

void arch_vunmap(const void *addr, uint64_t n)
{
	munmap((void *)addr, n << PAGE_SHIFT);
}
