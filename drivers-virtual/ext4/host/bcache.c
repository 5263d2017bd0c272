/* The block cache's bookkeeping: a chained hash table sized once for the
 * filesystem, and a circular list per state (see bcache.h). */
#include <errno.h>
#include <stdlib.h>
#include "bcache.h"

static size_t bucket(const struct bcache *c, uint64_t blk)
{
	return (size_t)((blk * 0x9E3779B97F4A7C15ull) >> 20) & (c->nbuckets - 1);
}

static void list_unlink(struct cbuf *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
}

static void list_append(struct cbuf *head, struct cbuf *b)
{
	b->prev = head->prev;
	b->next = head;
	head->prev->next = b;
	head->prev = b;
}

int bcache_init(struct bcache *c, unsigned bs, size_t clean_max)
{
	c->bs = bs;
	c->clean_max = clean_max;
	c->nbuckets = 4096;
	while (c->nbuckets < clean_max)
		c->nbuckets <<= 1;
	c->hash = calloc(c->nbuckets, sizeof(*c->hash));
	if (!c->hash)
		return -ENOMEM;
	for (int s = 0; s < C_NSTATES; s++) {
		c->lists[s].prev = c->lists[s].next = &c->lists[s];
		c->count[s] = 0;
	}
	return 0;
}

void bcache_destroy(struct bcache *c)
{
	for (int s = 0; s < C_NSTATES; s++)
		while (c->lists[s].next != &c->lists[s])
			bcache_drop(c, c->lists[s].next);
	free(c->hash);
	c->hash = NULL;
}

struct cbuf *bcache_find(struct bcache *c, uint64_t blk)
{
	for (struct cbuf *b = c->hash[bucket(c, blk)]; b; b = b->hnext)
		if (b->blk == blk)
			return b;
	return NULL;
}

static void evict(struct bcache *c)
{
	while (c->count[C_CLEAN] > c->clean_max)
		bcache_drop(c, c->lists[C_CLEAN].next);
}

/* Take b out of the hash table and its list. */
static void detach(struct bcache *c, struct cbuf *b)
{
	struct cbuf **p = &c->hash[bucket(c, b->blk)];
	while (*p != b)
		p = &(*p)->hnext;
	*p = b->hnext;
	list_unlink(b);
	c->count[b->state]--;
}

/* The least recently used clean buffer, taken out for reuse (saves a
 * free and a malloc per block on a long read). */
static struct cbuf *recycle(struct bcache *c)
{
	struct cbuf *b = c->lists[C_CLEAN].next;
	detach(c, b);
	return b;
}

struct cbuf *bcache_add(struct bcache *c, uint64_t blk, enum cstate state)
{
	struct cbuf *b = c->count[C_CLEAN] >= c->clean_max ? recycle(c) : malloc(sizeof(*b) + c->bs);
	if (!b)
		return NULL;
	b->blk = blk;
	b->state = state;
	struct cbuf **slot = &c->hash[bucket(c, blk)];
	b->hnext = *slot;
	*slot = b;
	list_append(&c->lists[state], b);
	c->count[state]++;
	evict(c);
	return b;
}

void bcache_set_state(struct bcache *c, struct cbuf *b, enum cstate state)
{
	list_unlink(b);
	c->count[b->state]--;
	b->state = state;
	list_append(&c->lists[state], b);
	c->count[state]++;
	evict(c);
}

void bcache_drop(struct bcache *c, struct cbuf *b)
{
	detach(c, b);
	free(b);
}

static int by_block(const void *a, const void *b)
{
	uint64_t x = (*(struct cbuf *const *)a)->blk, y = (*(struct cbuf *const *)b)->blk;
	return x < y ? -1 : x > y;
}

struct cbuf **bcache_sorted(struct bcache *c, enum cstate state, size_t *n)
{
	*n = 0;
	if (!c->count[state])
		return NULL;
	struct cbuf **v = malloc(c->count[state] * sizeof(*v));
	if (!v)
		return NULL;
	for (struct cbuf *b = c->lists[state].next; b != &c->lists[state]; b = b->next)
		v[(*n)++] = b;
	qsort(v, *n, sizeof(*v), by_block);
	return v;
}
