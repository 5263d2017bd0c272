#include "fdb.h"

#include <stdlib.h>
#include <string.h>

/* Chained hash; the bucket count is a power of two sized for max_entries
 * so chains stay short even when the table is full. */
struct fdb_ent {
	struct fdb_ent *next;
	uint8_t mac[6];
	int port;
	uint64_t seen_ms;
};

struct fdb {
	struct fdb_ent **bucket;
	unsigned nbuckets; /* power of two */
	unsigned count, max;
	uint64_t age_ms;
};

static unsigned mac_hash(const uint8_t m[6], unsigned nb)
{
	/* FNV-1a over the six bytes. */
	uint32_t h = 2166136261u;
	for (int i = 0; i < 6; i++)
		h = (h ^ m[i]) * 16777619u;
	return h & (nb - 1);
}

struct fdb *fdb_new(unsigned max_entries, uint64_t age_ms)
{
	struct fdb *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->nbuckets = 64;
	while (f->nbuckets < max_entries && f->nbuckets < (1u << 20))
		f->nbuckets <<= 1;
	f->bucket = calloc(f->nbuckets, sizeof *f->bucket);
	if (!f->bucket) {
		free(f);
		return NULL;
	}
	f->max = max_entries;
	f->age_ms = age_ms;
	return f;
}

void fdb_free(struct fdb *f)
{
	if (!f)
		return;
	for (unsigned i = 0; i < f->nbuckets; i++) {
		struct fdb_ent *e = f->bucket[i];
		while (e) {
			struct fdb_ent *n = e->next;
			free(e);
			e = n;
		}
	}
	free(f->bucket);
	free(f);
}

static int expired(const struct fdb *f, const struct fdb_ent *e, uint64_t now)
{
	return now >= e->seen_ms && now - e->seen_ms >= f->age_ms;
}

int fdb_learn(struct fdb *f, const uint8_t mac[6], int port, uint64_t now_ms)
{
	unsigned h = mac_hash(mac, f->nbuckets);
	for (struct fdb_ent *e = f->bucket[h]; e; e = e->next) {
		if (memcmp(e->mac, mac, 6) == 0) {
			int moved = e->port != port || expired(f, e, now_ms);
			e->port = port;
			e->seen_ms = now_ms;
			return moved;
		}
	}
	if (f->count >= f->max)
		return -1;
	struct fdb_ent *e = malloc(sizeof *e);
	if (!e)
		return -1;
	memcpy(e->mac, mac, 6);
	e->port = port;
	e->seen_ms = now_ms;
	e->next = f->bucket[h];
	f->bucket[h] = e;
	f->count++;
	return 1;
}

int fdb_lookup(const struct fdb *f, const uint8_t mac[6], uint64_t now_ms)
{
	unsigned h = mac_hash(mac, f->nbuckets);
	for (const struct fdb_ent *e = f->bucket[h]; e; e = e->next)
		if (memcmp(e->mac, mac, 6) == 0)
			return expired(f, e, now_ms) ? -1 : e->port;
	return -1;
}

/* Remove entries matching a predicate: expired ones, or one port's. */
static unsigned sweep(struct fdb *f, uint64_t now_ms, int port)
{
	unsigned n = 0;
	for (unsigned i = 0; i < f->nbuckets; i++) {
		struct fdb_ent **pp = &f->bucket[i];
		while (*pp) {
			struct fdb_ent *e = *pp;
			int drop = port >= 0 ? e->port == port : expired(f, e, now_ms);
			if (drop) {
				*pp = e->next;
				free(e);
				f->count--;
				n++;
			} else {
				pp = &e->next;
			}
		}
	}
	return n;
}

unsigned fdb_age(struct fdb *f, uint64_t now_ms)
{
	return sweep(f, now_ms, -1);
}

unsigned fdb_flush_port(struct fdb *f, int port)
{
	return port < 0 ? 0 : sweep(f, 0, port);
}

unsigned fdb_count(const struct fdb *f)
{
	return f->count;
}

void fdb_foreach(const struct fdb *f, uint64_t now_ms, fdb_visit_fn fn, void *ctx)
{
	for (unsigned i = 0; i < f->nbuckets; i++)
		for (const struct fdb_ent *e = f->bucket[i]; e; e = e->next)
			if (!expired(f, e, now_ms))
				fn(ctx, e->mac, e->port, now_ms - e->seen_ms);
}
