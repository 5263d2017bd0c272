#include "delayq.h"

#include <stdlib.h>
#include <string.h>

void dq_init(struct delayq *q, size_t max_items)
{
	memset(q, 0, sizeof *q);
	q->max = max_items;
}

void dq_free(struct delayq *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->heap[i].data);
	free(q->heap);
	memset(q, 0, sizeof *q);
}

static int before(const struct dq_item *a, const struct dq_item *b)
{
	return a->when_ns < b->when_ns || (a->when_ns == b->when_ns && a->seq < b->seq);
}

static void swap(struct dq_item *a, struct dq_item *b)
{
	struct dq_item t = *a;
	*a = *b;
	*b = t;
}

int dq_push(struct delayq *q, uint64_t when_ns, int port, uint32_t gen,
	    const void *data, size_t len)
{
	if (q->n >= q->max)
		return -1;
	if (q->n == q->cap) {
		size_t nc = q->cap ? q->cap * 2 : 256;
		struct dq_item *h = realloc(q->heap, nc * sizeof *h);
		if (!h)
			return -1;
		q->heap = h;
		q->cap = nc;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return -1;
	memcpy(copy, data, len);
	size_t i = q->n++;
	q->heap[i] = (struct dq_item){ when_ns, q->seq++, port, gen, (uint32_t)len, copy };
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(&q->heap[i], &q->heap[parent]))
			break;
		swap(&q->heap[i], &q->heap[parent]);
		i = parent;
	}
	return 0;
}

const struct dq_item *dq_peek(const struct delayq *q)
{
	return q->n ? &q->heap[0] : NULL;
}

int dq_pop(struct delayq *q, struct dq_item *out)
{
	if (!q->n)
		return -1;
	*out = q->heap[0];
	q->heap[0] = q->heap[--q->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < q->n && before(&q->heap[l], &q->heap[m]))
			m = l;
		if (r < q->n && before(&q->heap[r], &q->heap[m]))
			m = r;
		if (m == i)
			break;
		swap(&q->heap[i], &q->heap[m]);
		i = m;
	}
	return 0;
}
