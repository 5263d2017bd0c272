/* Frames held back by the impairment model until their departure time:
 * a binary min-heap ordered by (time, arrival sequence). */
#ifndef UMK_SWITCH_DELAYQ_H
#define UMK_SWITCH_DELAYQ_H

#include <stddef.h>
#include <stdint.h>

struct dq_item {
	uint64_t when_ns;
	uint64_t seq;      /* FIFO among equal times */
	int port;
	uint32_t gen;      /* port generation: drop if the port was reused */
	uint32_t len;
	uint8_t *data;     /* owned by the queue while queued */
};

struct delayq {
	struct dq_item *heap;
	size_t n, cap, max;
	uint64_t seq;
};

void dq_init(struct delayq *q, size_t max_items);
void dq_free(struct delayq *q);
/* Copies the frame. Returns -1 when full or out of memory. */
int dq_push(struct delayq *q, uint64_t when_ns, int port, uint32_t gen,
	    const void *data, size_t len);
/* Earliest item, or NULL. */
const struct dq_item *dq_peek(const struct delayq *q);
/* Remove the earliest item into *out; caller frees out->data. */
int dq_pop(struct delayq *q, struct dq_item *out);

#endif
