/* um_call_deep: a host stack for library code with deep call chains
 * (see um.h). Nested calls (a callback calling back in) stay on it. */
#include <stdlib.h>
#include <stdio.h>
#include <sys/mman.h>
#include "um.h"

#define DEEP_STACK_SIZE (1u << 20)
#define GUARD 4096u

static char *deep_stack;
static int depth;

void um_call_deep(void (*fn)(void *), void *arg)
{
	if (depth) {
		fn(arg);
		return;
	}
	if (!deep_stack) {
		char *p = mmap(NULL, DEEP_STACK_SIZE + GUARD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "umk: no memory for the host library stack\n");
			exit(1);
		}
		mprotect(p, GUARD, PROT_NONE);	/* an overflow faults, never corrupts */
		deep_stack = p;
	}
	depth++;
	um_call_on_stack(fn, arg, deep_stack + GUARD + DEEP_STACK_SIZE);
	depth--;
}
