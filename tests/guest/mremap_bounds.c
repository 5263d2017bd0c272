/* mremap with lengths that do not fit the address space must fail with
 * EINVAL (regression: umk once grew a mapping "backwards" when old+new_len
 * wrapped) and leave the mapping intact. */
#define _GNU_SOURCE
#include "t.h"
#include <sys/mman.h>

int main(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap 2 pages", p != MAP_FAILED);
	p[0] = 1;
	CHECK_ERR("mremap to a wrapping length", mremap(p, 8192, 0xffffffffffff0000UL, 0), EINVAL);
	CHECK_ERR("mremap MAYMOVE to a wrapping length", mremap(p, 8192, 0xffffffffffff0000UL, MREMAP_MAYMOVE), EINVAL);
	CHECK_ERR("mremap from a wrapping old length", mremap(p, 0xffffffffffff0000UL, 4096, 0), EINVAL);
	CHECK("mapping still usable", p[0] == 1 && (p[8191] = 2) == 2);
	char *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("a new mapping does not overlap", q + 4096 <= p || q >= p + 8192);
	return t_done();
}
