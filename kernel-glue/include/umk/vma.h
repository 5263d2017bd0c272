/* VMA list helpers shared by the mm code. */
#ifndef UMK_VMA_H
#define UMK_VMA_H
#include <umk/mm.h>

struct vma *find_vma_above(struct mm *mm, uaddr_t addr);
struct vma *vma_new(uaddr_t start, uaddr_t end, uint32_t flags, struct file *file, uint64_t pgoff);
void vma_free(struct vma *v);
void vma_insert(struct mm *mm, struct vma *n);
struct vma *vma_split(struct vma *v, uaddr_t addr);
/* Split at start and end so [start, end) is whole VMAs. Each split needs
 * the count below vm.max_map_count (-ENOMEM, splits made so stay, as
 * Linux's split_vma); vma_isolate_unmap only checks before the first, as
 * munmap lets the count go above the limit for a moment. */
int vma_isolate(struct mm *mm, uaddr_t start, uaddr_t end);
int vma_isolate_unmap(struct mm *mm, uaddr_t start, uaddr_t end);
void vma_merge_adjacent(struct mm *mm);
int vma_set_flags(struct mm *mm, uaddr_t start, uaddr_t end, uint32_t set, uint32_t clear);
/* munmap's work: 0, or -ENOMEM when it would split a mapping with the
 * count at the limit (nothing is unmapped then) */
int do_munmap_range(struct mm *mm, uaddr_t start, uaddr_t end);
uaddr_t get_unmapped_area(struct mm *mm, uint64_t len);
bool range_is_free(struct mm *mm, uaddr_t start, uaddr_t end);
#endif
