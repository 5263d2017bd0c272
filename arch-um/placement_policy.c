/* The decisions of CPU placement (pin=on), apart from reading the host:
 * pure functions, unit-tested (tests/unit/arch/test_placement.c). */
#include "placement.h"

int placement_start_cpu(const int *count, int ncpu, int here)
{
	int best = -1;
	for (int c = 0; c < ncpu; c++) {
		if (count[c] < 0)
			continue;
		if (best < 0 || count[c] < count[best] ||
		    (count[c] == count[best] && c == here))
			best = c;
	}
	return best;
}

int placement_choose(const struct placement_view *v)
{
	/* Our CPU had idle time: nobody is crowded there. */
	if (v->cur < 0 || v->cur >= v->ncpu || v->idle[v->cur] > PLACEMENT_BUSY_IDLE_MAX)
		return -1;
	/* Busy, but not with us waiting: our guest is the one using it. */
	if (v->waited < PLACEMENT_WAIT_MIN)
		return -1;
	int best = -1;
	for (int c = 0; c < v->ncpu; c++) {
		if (c == v->cur || v->idle[c] < 0)
			continue;
		if (best < 0 || v->idle[c] > v->idle[best])
			best = c;
	}
	if (best < 0 || v->idle[best] < PLACEMENT_TARGET_IDLE_MIN)
		return -1;
	return best;
}
