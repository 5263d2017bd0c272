/* The ext3/ext4 journal (jbd2 format, jbd2.h) in the host half: where it
 * is and what its superblock says (jgeo.c), replaying it at mount
 * (replay.c), and writing transactions to it while mounted read-write
 * (journal.c, with the write-back cache of wcache.h). */
#ifndef EXT4_HOST_JOURNAL_H
#define EXT4_HOST_JOURNAL_H
#include <ext2fs/ext2fs.h>
#include "../ext4_host.h"
#include "jbd2.h"
#include "wcache.h"

/* The journal as found on the device. */
struct jgeo {
	const struct ext4_host_dev *dev;
	unsigned bs;			/* the filesystem's block size */
	uint64_t *map;			/* log block -> filesystem block */
	uint32_t maxlen;		/* log blocks, the superblock included */
	uint32_t first, last;		/* the circular log: [first, last) */
	unsigned char *sb;		/* log block 0 (bs bytes) */
	uint32_t seed;			/* checksum seed (v2/v3): crc32c of the UUID */
};

/* Load the journal of fs: -errno and *why if it cannot be used here. */
int jgeo_load(struct jgeo *g, const struct ext4_host_dev *dev, ext2_filsys fs, const char **why);
void jgeo_free(struct jgeo *g);
bool jgeo_has_csum(const struct jgeo *g);	/* checksums v2 or v3 */
/* Bytes per tag in a descriptor block, and the checksum tail's size. */
unsigned jgeo_tag_bytes(const struct jgeo *g);
unsigned jgeo_tail_bytes(const struct jgeo *g);
uint32_t jgeo_wrap(const struct jgeo *g, uint32_t lblk);	/* past the end: back to first */
/* n log blocks from lblk (wrapping at the end), through the map,
 * merging physically adjacent blocks into one request. */
int jgeo_io(const struct jgeo *g, uint32_t lblk, void *buf, uint32_t n, bool write);
/* crc32c (v2/v3) of a descriptor, revoke or commit block with its
 * checksum field (at off) taken as zero. */
uint32_t jgeo_block_csum(const struct jgeo *g, const void *blk, size_t off);
/* A data block's tag checksum: over the sequence number, then the copy. */
uint32_t jgeo_tag_csum(const struct jgeo *g, uint32_t seq, const void *copy);
/* Write the journal superblock (checksum updated). */
int jgeo_write_sb(struct jgeo *g);

static inline uint32_t jgeo_incompat(const struct jgeo *g)
{
	return jget32(g->sb, JH_TYPE) == JBD2_SB_V1 ? 0 : jget32(g->sb, JSB_INCOMPAT);
}

/* Replay the committed transactions of fs's journal into place, then
 * mark the journal empty and clear the superblock's needs_recovery.
 * *n: transactions replayed. */
int ext4_journal_replay(const struct ext4_host_dev *dev, ext2_filsys fs, uint32_t *n, const char **why);

/* The journal of a read-write mount. */
struct ext4_jnl;
/* Start journaling fs (its journal must be empty: replayed or clean):
 * from now on its blocks go through a write-back cache until a commit. */
int ext4_jnl_start(struct ext4_host_fs *h, const struct ext4_host_dev *dev, const char **why);
/* Commit: the superblock, group descriptors and bitmaps and every block
 * changed since the last commit reach the journal, then their places.
 * Afterwards a crash keeps all of it. */
int ext4_jnl_commit(struct ext4_host_fs *h);
/* Has anything changed since the last commit? */
bool ext4_jnl_dirty(const struct ext4_host_fs *h);
/* At the end of an operation: commit if the transaction grew large. */
int ext4_jnl_op_done(struct ext4_host_fs *h);
/* Most bytes one write should change between two op_done calls. */
size_t ext4_jnl_write_chunk(const struct ext4_host_fs *h);
/* Commit, leave the journal empty and stop (writes go in place again). */
int ext4_jnl_stop(struct ext4_host_fs *h);
#endif
