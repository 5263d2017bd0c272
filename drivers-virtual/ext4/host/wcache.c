/* The write-back cache's I/O (wcache.h): reads come from the cache or
 * the device, writes stay in the cache, each block classified when it
 * first changes: "journal" unless it was free at the last commit and has
 * no copy in the log, then "ordered". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "wcache.h"

#define CLEAN_BYTES	(8u << 20)	/* clean blocks kept */
#define ORDERED_BYTES	(8u << 20)	/* ordered blocks held back */
#define RUN_BLOCKS	256		/* blocks per merged device write */
#define READ_AHEAD	32		/* blocks read after a sequential miss */

int wc_init(struct wcache *w, const struct ext4_host_dev *dev, ext2_filsys fs, ext2fs_block_bitmap in_log)
{
	memset(w, 0, sizeof(*w));
	w->dev = dev;
	w->fs = fs;
	w->in_log = in_log;
	w->ordered_max = ORDERED_BYTES / fs->blocksize;
	int err = bcache_init(&w->c, fs->blocksize, CLEAN_BYTES / fs->blocksize);
	if (err)
		return err;
	errcode_t e = ext2fs_copy_bitmap(fs->block_map, &w->committed);
	if (e) {
		bcache_destroy(&w->c);
		return -ENOMEM;
	}
	return 0;
}

void wc_destroy(struct wcache *w)
{
	bcache_destroy(&w->c);
	if (w->committed)
		ext2fs_free_block_bitmap(w->committed);
	w->committed = NULL;
}

static int dev_read(struct wcache *w, void *buf, size_t len, uint64_t off)
{
	ssize_t r = w->dev->read(w->dev->cookie, buf, len, off);
	return r < 0 ? (int)r : (size_t)r < len ? -EIO : 0;
}

static int dev_write(struct wcache *w, const void *buf, size_t len, uint64_t off)
{
	w->unflushed = true;
	ssize_t r = w->dev->write(w->dev->cookie, buf, len, off);
	return r < 0 ? (int)r : (size_t)r < len ? -EIO : 0;
}

int wc_flush(struct wcache *w)
{
	int r = w->dev->flush(w->dev->cookie);
	if (!r)
		w->unflushed = false;
	return r;
}

/* Read blk and, after a miss on the block before it (a file read asks
 * for one block at a time), the uncached blocks that follow, in one
 * request; they are cached clean. */
static int read_blocks(struct wcache *w, uint64_t blk)
{
	unsigned bs = w->c.bs;
	uint64_t end = ext2fs_blocks_count(w->fs->super);
	size_t n = 1;
	if (blk == w->next_miss)
		while (n < READ_AHEAD && blk + n < end && !bcache_find(&w->c, blk + n))
			n++;
	w->next_miss = blk + n;
	char *buf = malloc(n * bs);
	if (!buf)
		return -ENOMEM;
	int err = dev_read(w, buf, n * bs, blk * bs);
	for (size_t i = 0; i < n && !err; i++) {
		struct cbuf *b = bcache_add(&w->c, blk + i, C_CLEAN);
		if (!b)
			err = -ENOMEM;
		else
			memcpy(b->data, buf + i * bs, bs);
	}
	free(buf);
	return err;
}

/* The cached block blk, read from the device if it is not there. */
static int get_block(struct wcache *w, uint64_t blk, struct cbuf **out)
{
	struct cbuf *b = bcache_find(&w->c, blk);
	if (!b) {
		int err = read_blocks(w, blk);
		if (err)
			return err;
		b = bcache_find(&w->c, blk);
	} else if (b->state == C_CLEAN) {
		bcache_set_state(&w->c, b, C_CLEAN);	/* most recently used */
	}
	*out = b;
	return b ? 0 : -ENOMEM;
}

int wc_read(struct wcache *w, void *buf, size_t len, uint64_t off)
{
	unsigned bs = w->c.bs;
	char *p = buf;
	while (len) {
		uint64_t blk = off / bs;
		size_t in = off % bs, n = bs - in < len ? bs - in : len;
		if (!in && n == bs && len >= 2 * (size_t)bs && !bcache_find(&w->c, blk)) {
			/* a run of whole uncached blocks: straight from the device,
			 * without filling the cache (file contents) */
			size_t run = 1;
			while ((run + 1) * bs <= len && !bcache_find(&w->c, blk + run))
				run++;
			int err = dev_read(w, p, run * bs, off);
			if (err)
				return err;
			n = run * bs;
		} else {
			struct cbuf *b;
			int err = get_block(w, blk, &b);
			if (err)
				return err;
			memcpy(p, b->data + in, n);
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Where a changed block goes at the next commit. */
static enum cstate classify(struct wcache *w, uint64_t blk)
{
	struct ext2_super_block *sb = w->fs->super;
	if (blk < sb->s_first_data_block || blk >= ext2fs_blocks_count(sb))
		return C_JOURNAL;
	/* in use at the last commit: a crash before the next one must find
	 * its old contents; a copy in the log: replay would write it back */
	if (ext2fs_test_block_bitmap2(w->committed, blk) || ext2fs_test_block_bitmap2(w->in_log, blk))
		return C_JOURNAL;
	return C_ORDERED;
}

static int write_block(struct wcache *w, uint64_t blk, const char *src, size_t in, size_t n)
{
	struct cbuf *b = bcache_find(&w->c, blk);
	if (!b && n == w->c.bs) {
		b = bcache_add(&w->c, blk, classify(w, blk));
		if (!b)
			return -ENOMEM;
		memcpy(b->data, src, n);
		return 0;
	}
	if (!b) {
		int err = get_block(w, blk, &b);
		if (err)
			return err;
	}
	if (b->state == C_CLEAN) {
		if (!memcmp(b->data + in, src, n))
			return 0;	/* unchanged: nothing to write */
		bcache_set_state(&w->c, b, classify(w, blk));
	}
	memcpy(b->data + in, src, n);
	return 0;
}

int wc_write(struct wcache *w, const void *buf, size_t len, uint64_t off)
{
	unsigned bs = w->c.bs;
	const char *p = buf;
	while (len) {
		size_t in = off % bs, n = bs - in < len ? bs - in : len;
		int err = write_block(w, off / bs, p, in, n);
		if (err)
			return err;
		p += n;
		off += n;
		len -= n;
	}
	if (w->c.count[C_ORDERED] > w->ordered_max)
		return wc_write_ordered(w);
	return 0;
}

int wc_write_in_place(struct wcache *w, struct cbuf **v, size_t n)
{
	unsigned bs = w->c.bs;
	char *run = malloc((size_t)RUN_BLOCKS * bs);
	if (!run)
		return -ENOMEM;
	int err = 0;
	for (size_t i = 0; i < n && !err;) {
		size_t k = 1;
		while (i + k < n && k < RUN_BLOCKS && v[i + k]->blk == v[i]->blk + k)
			k++;
		for (size_t j = 0; j < k; j++)
			memcpy(run + j * bs, v[i + j]->data, bs);
		err = dev_write(w, run, k * bs, v[i]->blk * bs);
		/* clean from here on (they may be evicted: not used again) */
		for (size_t j = 0; j < k && !err; j++)
			bcache_set_state(&w->c, v[i + j], C_CLEAN);
		i += k;
	}
	free(run);
	return err;
}

int wc_write_ordered(struct wcache *w)
{
	size_t n;
	struct cbuf **v = bcache_sorted(&w->c, C_ORDERED, &n);
	if (!v)
		return w->c.count[C_ORDERED] ? -ENOMEM : 0;
	int err = wc_write_in_place(w, v, n);
	free(v);
	return err;
}

void wc_forget(struct wcache *w, uint64_t blk)
{
	struct cbuf *b = bcache_find(&w->c, blk);
	if (b && b->state != C_CLEAN)
		bcache_drop(&w->c, b);
}

int wc_committed(struct wcache *w)
{
	ext2fs_block_bitmap copy;
	if (ext2fs_copy_bitmap(w->fs->block_map, &copy))
		return -ENOMEM;
	ext2fs_free_block_bitmap(w->committed);
	w->committed = copy;
	return 0;
}
