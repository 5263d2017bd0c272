/* Kernel heap: the host allocator. Running out is a host failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umk/kernel.h>

static void oom(size_t n)
{
	fprintf(stderr, "umk: out of host memory allocating %zu bytes\n", n);
	abort();
}

void *kmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *kzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *krealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

void kfree(const void *p)
{
	free((void *)p);
}
