/* Guest physical memory: one memfd of mem= bytes, mapped whole into the
 * kernel; stub processes map frames of the same file into guest space. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <umk/init.h>
#include "um.h"
#include <umk/arch.h>

int physmem_fd = -1;
uint8_t *physmem_base;
uint64_t physmem_size;

static const char *mem_setup(const char *v)
{
	if (parse_size(v, &boot_cfg.mem_bytes) || boot_cfg.mem_bytes < (8ULL << 20) || boot_cfg.mem_bytes > (64ULL << 30))
		return "expected a size from 8M to 64G with an optional k/K/m/M/g/G suffix";
	return NULL;
}
__setup(mem, mem_setup, "mem=SIZE", "guest memory, suffix k/K/m/M/g/G (default 64M)");

void physmem_init(uint64_t bytes)
{
	physmem_fd = memfd_create("umk-physmem", MFD_CLOEXEC);
	if (physmem_fd < 0) {
		perror("umk: memfd_create for guest memory");
		exit(1);
	}
	if (ftruncate(physmem_fd, (off_t)bytes) < 0) {
		perror("umk: sizing guest memory");
		exit(1);
	}
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, physmem_fd, 0);
	if (p == MAP_FAILED) {
		perror("umk: mapping guest memory");
		exit(1);
	}
	physmem_base = p;
	physmem_size = bytes;
}

/* Return freed frames' memory to the host (they read back as zeroes). */
void arch_physmem_release(uint64_t pfn, uint64_t npages)
{
	fallocate(physmem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(pfn << 12),
		  (off_t)(npages << 12));
}
