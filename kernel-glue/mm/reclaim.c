/* When the page allocator has no frame for a caller: drop clean page
 * cache nobody maps, then ask the OOM killer, and try again. User data
 * stops above the kernel's reserve and, where its caller can sleep, waits
 * for an OOM victim to exit rather than killing more (as Linux); the
 * kernel heap may take the reserve and never sleeps, since its callers
 * are in the middle of changing kernel state. */
#include <umk/mm.h>
#include <umk/arch.h>
#include <umk/filemap.h>
#include <umk/sched.h>

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
		if (r == OOM_WAIT && !(gfp & (GFP_KERNEL | GFP_NOWAIT)) && can_sleep() && oom_wait())
			continue;
		return 0;
	}
}
