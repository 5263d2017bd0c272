/* When the page allocator has no frame for a caller: drop clean page
 * cache nobody maps, then ask the OOM killer, and try again. Nothing here
 * sleeps: every caller is in the middle of changing kernel state (a tmpfs
 * write can come from a writeback inside munmap, a fault holds page-table
 * pointers). User data stops above the kernel's reserve and, while an OOM
 * victim is exiting, fails rather than killing more (as Linux waits; a
 * guest fault then waits at the trap path and retries); the kernel heap
 * may take the reserve and kills more if it must. */
#include <umk/mm.h>
#include <umk/arch.h>
#include <umk/filemap.h>

uint64_t alloc_frame(unsigned gfp)
{
	for (;;) {
		uint64_t pfn = page_alloc_run(1, gfp);
		if (pfn) {
			if (gfp & GFP_ZERO)
				memset(pfn_to_virt(pfn), 0, PAGE_SIZE);
			return pfn;
		}
		if (gfp & GFP_NORETRY)
			return 0;
		if (filemap_shrink())
			continue;
		enum oom_result r = out_of_memory(gfp & GFP_KERNEL);
		if (r == OOM_FREED)
			continue;
		return 0;
	}
}
