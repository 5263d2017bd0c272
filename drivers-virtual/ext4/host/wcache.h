/* The write-back cache of a journaled filesystem: every block the
 * library reads or writes goes through it (io.c) once the journal is
 * running. A written block stays here until the next commit (journal.c),
 * which puts it into the journal and then in place — except a block that
 * was free at the last commit and has no copy in the log ("ordered", as
 * Linux's data=ordered): such a block can go in place any time before
 * the commit, since nothing committed refers to it, so large writes of
 * new data cost no journal space. Clean blocks are kept too (bounded),
 * for reads (with read-ahead after a sequential miss) and so that a
 * rewrite of unchanged contents costs nothing. */
#ifndef EXT4_HOST_WCACHE_H
#define EXT4_HOST_WCACHE_H
#include <ext2fs/ext2fs.h>
#include "../ext4_host.h"
#include "bcache.h"

struct wcache {
	const struct ext4_host_dev *dev;
	ext2_filsys fs;
	struct bcache c;
	/* the block bitmap as of the last commit: what a crash would leave */
	ext2fs_block_bitmap committed;
	/* blocks with a copy in the journal's log (journal.c keeps it) */
	ext2fs_block_bitmap in_log;
	size_t ordered_max;	/* ordered blocks held before they go in place */
	bool unflushed;		/* the device was written since its last flush */
	uint64_t next_miss;	/* a miss here is sequential: read ahead */
};

int wc_init(struct wcache *w, const struct ext4_host_dev *dev, ext2_filsys fs, ext2fs_block_bitmap in_log);
void wc_destroy(struct wcache *w);
/* Byte-range I/O, as the io_manager sees it: 0 or -errno. */
int wc_read(struct wcache *w, void *buf, size_t len, uint64_t off);
int wc_write(struct wcache *w, const void *buf, size_t len, uint64_t off);
/* The ordered blocks go in place (they become clean). */
int wc_write_ordered(struct wcache *w);
/* Write the given buffers in place, merging adjacent blocks into one
 * request; they become clean. */
int wc_write_in_place(struct wcache *w, struct cbuf **v, size_t n);
/* blk was freed: a pending write of it is no longer needed. */
void wc_forget(struct wcache *w, uint64_t blk);
/* After a commit: the current block bitmap is what is committed. */
int wc_committed(struct wcache *w);
int wc_flush(struct wcache *w);		/* flush the device */
#endif
