/* remap_file_pages, as Linux emulates it: a page of a shared file mapping
 * mapped again to another page of the file (and back), a range over two
 * neighbouring mappings of the file, the mapping's protections kept; and
 * EINVAL for prot, an unmapped or private range, a range past the
 * mapping and a pgoff that wraps. Uses a memfd (no file system needed). */
#define _GNU_SOURCE
#include "t.h"
#include <stdint.h>
#include <sys/mman.h>

#define PG 4096

static void report(const char *what, long r)
{
	printf("%s: %s\n", what, r == 0 ? "0" : strerror(errno));
}

int main(void)
{
	int fd = memfd_create("rfp", 0);
	if (fd < 0 || ftruncate(fd, 8 * PG))
		DIE("memfd");
	for (int i = 0; i < 8; i++) {
		char b[PG];
		memset(b, 'a' + i, sizeof(b));
		if (pwrite(fd, b, PG, (off_t)i * PG) != PG)
			DIE("pwrite");
	}
	char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		DIE("mmap");
	report("page 1 shows file page 6", remap_file_pages(m + PG, PG, 0, 6, 0));
	printf("pages: %c %c %c %c\n", m[0], m[PG], m[2 * PG], m[3 * PG]);
	m[PG] = 'X';
	char c = 0;
	pread(fd, &c, 1, 6 * PG);
	printf("a write there reaches file page 6: %c\n", c);
	report("two pages from an unaligned start and size", remap_file_pages(m + 2 * PG + 10, 2 * PG + 100, 0, 0, 0));
	printf("pages: %c %c %c %c\n", m[0], m[PG], m[2 * PG], m[3 * PG]);
	report("MAP_NONBLOCK is taken", remap_file_pages(m, PG, 0, 7, MAP_NONBLOCK));
	printf("page 0: %c\n", m[0]);
	errno = 0;
	report("prot not 0", remap_file_pages(m, PG, PROT_READ, 1, 0));
	report("size 0", remap_file_pages(m, 0, 0, 1, 0));
	report("pgoff that wraps", remap_file_pages(m, 2 * PG, 0, UINT64_MAX, 0));
	report("past the end of the mapping", remap_file_pages(m + 3 * PG, 2 * PG, 0, 0, 0));
	report("an unmapped address", remap_file_pages(m + 64 * PG, PG, 0, 0, 0));
	char *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
	report("a private file mapping", remap_file_pages(p, PG, 0, 1, 0));
	/* (shared anonymous memory is left out: Linux remaps its shmem
	 * object, umk refuses it; Documentation/memory-model.md) */
	/* a read-only shared mapping stays read-only */
	char *r = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	report("read-only mapping", remap_file_pages(r, PG, 0, 3, 0));
	printf("it shows page 3: %c\n", r[0]);
	report("mprotect to write: still allowed on a file opened rw", mprotect(r, PG, PROT_READ | PROT_WRITE));
	munmap(m, 4 * PG);
	munmap(p, PG);
	munmap(r, 2 * PG);
	close(fd);
	return t_done();
}
