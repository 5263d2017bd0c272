/* Page cache for shared file mappings (mm-internal interface). */
#ifndef UMK_FILEMAP_H
#define UMK_FILEMAP_H
#include <umk/mm.h>

/* The frame caching page pgoff of the file (+1 ref for the caller);
 * shared: for a MAP_SHARED mapping, whose writes go back to the file. A
 * new frame comes from alloc_frame(gfp). 0, -EFAULT past the end of the
 * file, or -ENOMEM. */
int filemap_get_page(struct file *file, uint64_t pgoff, uint64_t *pfn, bool shared, unsigned gfp);
/* Make file (writable) the one write-back goes through, instead of the
 * first writable file mapped shared: SysV shm gives its segment's own
 * file, so that the cache keeps no attach's file (and its count) alive. */
void filemap_set_wb_file(struct file *file);
/* Write cached pages of [pgoff, pgoff+n) back through file. */
int filemap_writeback(struct file *file, uint64_t pgoff, uint64_t n);
/* Drop cached pages nobody maps; returns how many frames were freed. */
uint64_t filemap_shrink(void);
#endif
