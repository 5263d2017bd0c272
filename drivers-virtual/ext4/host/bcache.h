/* A cache of filesystem blocks by number: a hash table and one list per
 * state. Clean blocks are kept in least-recently-used order and evicted
 * beyond a limit; dirty ones stay until their owner writes them and
 * makes them clean (or drops them). No I/O here: see wcache.c. */
#ifndef EXT4_HOST_BCACHE_H
#define EXT4_HOST_BCACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cstate {
	C_CLEAN,	/* the same as on the device */
	C_JOURNAL,	/* changed: goes through the journal at the next commit */
	C_ORDERED,	/* changed, free at the last commit: written in place before the next */
	C_NSTATES
};

struct cbuf {
	uint64_t blk;
	struct cbuf *hnext;		/* hash chain */
	struct cbuf *prev, *next;	/* its state's list (clean: LRU first) */
	enum cstate state;
	unsigned char data[];
};

struct bcache {
	unsigned bs;			/* bytes per block */
	size_t nbuckets;		/* a power of two */
	struct cbuf **hash;
	struct cbuf lists[C_NSTATES];	/* list heads (circular) */
	size_t count[C_NSTATES];
	size_t clean_max;		/* clean blocks kept at most */
};

int bcache_init(struct bcache *c, unsigned bs, size_t clean_max);
void bcache_destroy(struct bcache *c);
struct cbuf *bcache_find(struct bcache *c, uint64_t blk);
/* A new buffer for blk (not cached yet), contents undefined; NULL: no memory. */
struct cbuf *bcache_add(struct bcache *c, uint64_t blk, enum cstate state);
/* Move b to state's list (a clean block becomes the most recently used),
 * then evict clean blocks beyond the limit. */
void bcache_set_state(struct bcache *c, struct cbuf *b, enum cstate state);
void bcache_drop(struct bcache *c, struct cbuf *b);
/* The buffers in state, sorted by block number (malloc'd array, *n of
 * them); NULL with *n = 0 if there are none or no memory. */
struct cbuf **bcache_sorted(struct bcache *c, enum cstate state, size_t *n);
#endif
