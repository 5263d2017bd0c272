/* mm-internal: the kernel heap's multi-frame allocations from scattered
 * frames (vmalloc.c), used by kmalloc (slab.c). */
#ifndef UMK_MM_SLAB_H
#define UMK_MM_SLAB_H
#include <umk/mm.h>

/* pages frames mapped side by side; NULL only if gfp allows failing. */
void *vmalloc(uint64_t pages, unsigned gfp);
void vfree(const void *p);
uint64_t vmalloc_pages(const void *p);	/* frames behind a vmalloc'd pointer */
#endif
