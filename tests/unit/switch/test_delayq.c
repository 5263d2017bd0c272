#include "../common/check.h"
#include "delayq.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	struct delayq q;
	dq_init(&q, 1000);
	CHECK(dq_peek(&q) == NULL);
	/* Pseudo-random times; pops must come out sorted, ties in FIFO order. */
	unsigned x = 12345;
	for (int i = 0; i < 500; i++) {
		x = x * 1103515245u + 12345u;
		uint64_t when = (x >> 16) % 50; /* many ties */
		char b[8];
		memcpy(b, &i, sizeof i);
		CHECK(dq_push(&q, when, i % 7, 1, b, sizeof i) == 0);
	}
	uint64_t last = 0;
	int last_i = -1, sorted = 1;
	struct dq_item it;
	while (dq_pop(&q, &it) == 0) {
		int i;
		memcpy(&i, it.data, sizeof i);
		if (it.when_ns < last || (it.when_ns == last && i < last_i))
			sorted = 0;
		last = it.when_ns;
		last_i = i;
		free(it.data);
	}
	CHECK(sorted);
	CHECK(q.n == 0);
	/* The bound holds. */
	struct delayq small;
	dq_init(&small, 2);
	CHECK(dq_push(&small, 1, 1, 1, "ab", 2) == 0);
	CHECK(dq_push(&small, 2, 1, 1, "cd", 2) == 0);
	CHECK(dq_push(&small, 3, 1, 1, "ef", 2) == -1);
	dq_free(&small);
	dq_free(&q);
	return check_done("delayq");
}
