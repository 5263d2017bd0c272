/* Writing the journal of a read-write mount. Between commits every block
 * the library writes waits in the write-back cache (wcache.h). A commit,
 * at the end of a whole operation (fsync, sync, the periodic writeback,
 * a transaction grown to a quarter of the log, unmount):
 *   1. the superblock, group descriptors and bitmaps go into the cache;
 *   2. "ordered" blocks (free at the last commit) are written in place;
 *   3. the changed blocks are copied into the log after descriptor blocks
 *      naming them, and the device is flushed;
 *   4. a commit block follows, and the device is flushed again: from now
 *      on a crash keeps the transaction (replay writes it in place);
 *   5. the blocks are written in place (no flush: the log still has them).
 * Transactions never wrap around the end of the log: when the next one
 * does not fit, the log is emptied first (flush, then the superblock's
 * log start set to 0). The format is jbd2's: checksums v3 on metadata_csum
 * filesystems and 64-bit tags on 64bit ones, as Linux writes them, so
 * Linux and e2fsck replay what umk leaves after a crash. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"
#include "journal.h"

struct ext4_jnl {
	struct jgeo g;
	struct wcache wc;
	ext2fs_block_bitmap in_log;	/* blocks with a copy in the log */
	uint32_t seq;			/* id of the next transaction */
	uint32_t head;			/* log block where it goes */
	bool empty;			/* the log on disk has nothing to replay */
	size_t max_txn;			/* journal blocks that make op_done commit */
	void (*old_stats)(ext2_filsys, blk64_t, int);
	void (*old_range)(ext2_filsys, blk64_t, blk_t, int);
};

/* A freed block's pending write is dropped (a temporary file's data
 * never reaches the disk). */
static void block_stats(ext2_filsys fs, blk64_t blk, int inuse)
{
	struct ext4_host_fs *h = fs->priv_data;
	if (inuse < 0)
		wc_forget(&h->j->wc, blk);
	if (h->j->old_stats)
		h->j->old_stats(fs, blk, inuse);
}

static void block_range_stats(ext2_filsys fs, blk64_t blk, blk_t num, int inuse)
{
	struct ext4_host_fs *h = fs->priv_data;
	for (blk_t i = 0; inuse < 0 && i < num; i++)
		wc_forget(&h->j->wc, blk + i);
	if (h->j->old_range)
		h->j->old_range(fs, blk, num, inuse);
}

/* The features this writer uses, set while the log is empty (Linux
 * does the same at mount). */
static int set_features(struct jgeo *g, ext2_filsys fs, const char **why)
{
	uint32_t want = (ext2fs_has_feature_64bit(fs->super) ? JBD2_INCOMPAT_64BIT : 0) |
			(ext2fs_has_feature_metadata_csum(fs->super) ? JBD2_INCOMPAT_CSUM_V3 : 0);
	if (jget32(g->sb, JH_TYPE) == JBD2_SB_V1) {
		if (want & JBD2_INCOMPAT_64BIT) {
			*why = "a version 1 journal cannot hold 64-bit block numbers";
			return -EOPNOTSUPP;
		}
		return 0;	/* no features, no checksums */
	}
	unsigned char old[JSB_SIZE];
	memcpy(old, g->sb, JSB_SIZE);
	jput32(g->sb, JSB_COMPAT, 0);
	jput32(g->sb, JSB_INCOMPAT, want);
	g->sb[JSB_CSUM_TYPE] = want & JBD2_INCOMPAT_CSUM_V3 ? JBD2_CRC32C : 0;
	g->last = g->maxlen;	/* no fast-commit area */
	if (!memcmp(old, g->sb, JSB_SIZE))
		return 0;
	return jgeo_write_sb(g);
}

static void release(struct ext4_jnl *j)
{
	wc_destroy(&j->wc);
	if (j->in_log)
		ext2fs_free_block_bitmap(j->in_log);
	jgeo_free(&j->g);
	free(j);
}

int ext4_jnl_start(struct ext4_host_fs *h, const struct ext4_host_dev *dev, const char **why)
{
	ext2_filsys fs = h->fs;
	struct ext4_jnl *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	int err = jgeo_load(&j->g, dev, fs, why);
	if (err) {
		free(j);
		return err;
	}
	if (jget32(j->g.sb, JSB_START)) {
		*why = "the journal is not empty";
		release(j);
		return -EINVAL;
	}
	if ((err = set_features(&j->g, fs, why))) {
		release(j);
		return err;
	}
	if (ext2fs_allocate_subcluster_bitmap(fs, "blocks in the journal", &j->in_log) ||
	    wc_init(&j->wc, dev, fs, j->in_log)) {
		*why = "no memory for the journal";
		release(j);
		return -ENOMEM;
	}
	j->seq = jget32(j->g.sb, JSB_SEQUENCE);
	j->head = j->g.first;
	j->empty = true;
	j->max_txn = (j->g.last - j->g.first) / 4;
	/* in use from now on: a crash leaves the flag for the next mount */
	ext2fs_set_feature_journal_needs_recovery(fs->super);
	ext2fs_mark_super_dirty(fs);
	errcode_t e = ext2fs_flush(fs);
	if (e) {
		*why = "cannot write the superblock";
		release(j);
		return ext4_host_err(e);
	}
	h->j = j;
	fs->priv_data = h;
	ext2fs_set_block_alloc_stats_callback(fs, block_stats, &j->old_stats);
	ext2fs_set_block_alloc_stats_range_callback(fs, block_range_stats, &j->old_range);
	/* backup superblocks and descriptors: at unmount, as Linux */
	fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
	ext4_host_io_cache(fs->io, &j->wc);
	return 0;
}

bool ext4_jnl_dirty(const struct ext4_host_fs *h)
{
	const struct bcache *c = &h->j->wc.c;
	return c->count[C_JOURNAL] || c->count[C_ORDERED] ||
	       (h->fs->flags & (EXT2_FLAG_DIRTY | EXT2_FLAG_BB_DIRTY | EXT2_FLAG_IB_DIRTY));
}

/* Tags per descriptor block: the first carries the 16-byte UUID. */
static size_t tags_per_desc(const struct jgeo *g)
{
	return (g->bs - JH_SIZE - jgeo_tail_bytes(g) - 16) / jgeo_tag_bytes(g);
}

static void put_tag(const struct jgeo *g, unsigned char *t, uint64_t blk, uint32_t flags, uint32_t csum)
{
	uint32_t f = jgeo_incompat(g);
	jput32(t, 0, (uint32_t)blk);
	if (f & JBD2_INCOMPAT_CSUM_V3) {
		jput32(t, 4, flags);
		jput32(t, 8, (uint32_t)(blk >> 32));
		jput32(t, 12, csum);
		return;
	}
	t[4] = t[5] = 0;	/* no v2 checksums from this writer */
	t[6] = (unsigned char)(flags >> 8);
	t[7] = (unsigned char)flags;
	if (f & JBD2_INCOMPAT_64BIT)
		jput32(t, 8, (uint32_t)(blk >> 32));
}

static void header(unsigned char *b, uint32_t type, uint32_t seq)
{
	jput32(b, JH_MAGIC, JBD2_MAGIC);
	jput32(b, JH_TYPE, type);
	jput32(b, JH_SEQUENCE, seq);
}

/* One descriptor block and the copies of v[0..n) into buf (1 + n blocks). */
static void fill_desc(struct ext4_jnl *j, unsigned char *buf, struct cbuf **v, size_t n)
{
	struct jgeo *g = &j->g;
	ext2_filsys fs = j->wc.fs;
	unsigned tb = jgeo_tag_bytes(g);
	memset(buf, 0, g->bs);
	header(buf, JBD2_DESCRIPTOR, j->seq);
	unsigned char *t = buf + JH_SIZE;
	for (size_t i = 0; i < n; i++) {
		unsigned char *copy = buf + (i + 1) * g->bs;
		uint32_t flags = i ? JBD2_TAG_SAME_UUID : 0;
		memcpy(copy, v[i]->data, g->bs);
		if (jget32(copy, 0) == JBD2_MAGIC) {
			jput32(copy, 0, 0);	/* would look like a log block */
			flags |= JBD2_TAG_ESCAPE;
		}
		if (i == n - 1)
			flags |= JBD2_TAG_LAST;
		put_tag(g, t, v[i]->blk, flags, jgeo_has_csum(g) ? jgeo_tag_csum(g, j->seq, copy) : 0);
		t += tb;
		if (!i) {
			memcpy(t, g->sb + JSB_UUID, 16);
			t += 16;
		}
		if (v[i]->blk >= fs->super->s_first_data_block && v[i]->blk < ext2fs_blocks_count(fs->super))
			ext2fs_mark_block_bitmap2(j->in_log, v[i]->blk);
	}
	if (jgeo_has_csum(g))
		jput32(buf, g->bs - 4, jgeo_block_csum(g, buf, g->bs - 4));
}

/* Descriptors and copies of the n blocks from j->head on; *end: the log
 * block after them. */
static int write_log(struct ext4_jnl *j, struct cbuf **v, size_t n, uint32_t *end)
{
	struct jgeo *g = &j->g;
	size_t per = tags_per_desc(g);
	unsigned char *buf = malloc((per + 1) * g->bs);
	if (!buf)
		return -ENOMEM;
	uint32_t pos = j->head;
	int err = 0;
	for (size_t i = 0; i < n && !err; i += per) {
		size_t k = n - i < per ? n - i : per;
		fill_desc(j, buf, v + i, k);
		err = jgeo_io(g, pos, buf, (uint32_t)(k + 1), true);
		pos += (uint32_t)(k + 1);
	}
	free(buf);
	*end = pos;
	return err;
}

static int write_commit(struct ext4_jnl *j, uint32_t pos)
{
	struct jgeo *g = &j->g;
	unsigned char *b = calloc(1, g->bs);
	if (!b)
		return -ENOMEM;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	header(b, JBD2_COMMIT, j->seq);
	jput64(b, JC_SEC, (uint64_t)ts.tv_sec);
	jput32(b, JC_NSEC, (uint32_t)ts.tv_nsec);
	if (jgeo_has_csum(g))
		jput32(b, JC_CSUM, jgeo_block_csum(g, b, JC_CSUM));
	int err = jgeo_io(g, pos, b, 1, true);
	free(b);
	return err;
}

/* Make the log empty: what it holds is in place already (step 5 of every
 * commit); once that is flushed the log start can be cleared. sync: wait
 * for that too (before needs_recovery is cleared); otherwise the next
 * commit's flush covers it. */
static int empty_log(struct ext4_jnl *j, bool sync)
{
	int err = 0;
	if (!j->empty) {
		if ((err = wc_flush(&j->wc)))
			return err;
		jput32(j->g.sb, JSB_START, 0);
		jput32(j->g.sb, JSB_SEQUENCE, j->seq);
		if ((err = jgeo_write_sb(&j->g)))
			return err;
		j->empty = true;
		ext2fs_clear_block_bitmap(j->in_log);
	}
	j->head = j->g.first;
	return sync ? wc_flush(&j->wc) : 0;
}

/* Steps 3-5 for the journal blocks v[0..n). */
static int log_transaction(struct ext4_jnl *j, struct cbuf **v, size_t n)
{
	struct jgeo *g = &j->g;
	size_t need = n + (n + tags_per_desc(g) - 1) / tags_per_desc(g) + 1;
	int err = 0;
	if (j->head + need > g->last)
		err = empty_log(j, false);
	if (err)
		return err;
	if (need > g->last - g->first) {
		/* bigger than the whole log (a tiny journal): in place, with
		 * no protection against a crash meanwhile */
		if (!(err = wc_flush(&j->wc)) && !(err = wc_write_in_place(&j->wc, v, n)))
			err = wc_flush(&j->wc);
		return err;
	}
	uint32_t end;
	if ((err = write_log(j, v, n, &end)))
		return err;
	if (j->empty) {
		/* the log starts with this transaction */
		jput32(g->sb, JSB_START, j->head);
		jput32(g->sb, JSB_SEQUENCE, j->seq);
		if ((err = jgeo_write_sb(g)))
			return err;
		j->empty = false;
	}
	if ((err = wc_flush(&j->wc)) || (err = write_commit(j, end)) || (err = wc_flush(&j->wc)))
		return err;
	j->seq++;
	j->head = end + 1;
	return wc_write_in_place(&j->wc, v, n);
}

int ext4_jnl_commit(struct ext4_host_fs *h)
{
	struct ext4_jnl *j = h->j;
	if (!ext4_jnl_dirty(h))
		return j->wc.unflushed ? wc_flush(&j->wc) : 0;
	errcode_t e = ext2fs_flush2(h->fs, EXT2_FLAG_FLUSH_NO_SYNC);
	if (e)
		return ext4_host_err(e);
	int err = wc_write_ordered(&j->wc);
	if (err)
		return err;
	size_t n;
	struct cbuf **v = bcache_sorted(&j->wc.c, C_JOURNAL, &n);
	if (!v && j->wc.c.count[C_JOURNAL])
		return -ENOMEM;
	err = n ? log_transaction(j, v, n) : j->wc.unflushed ? wc_flush(&j->wc) : 0;
	free(v);
	return err ? err : wc_committed(&j->wc);
}

int ext4_jnl_op_done(struct ext4_host_fs *h)
{
	if (!h->j || h->j->wc.c.count[C_JOURNAL] < h->j->max_txn)
		return 0;
	return ext4_jnl_commit(h);
}

size_t ext4_jnl_write_chunk(const struct ext4_host_fs *h)
{
	size_t blocks = h->j->max_txn / 2;
	return (blocks ? blocks : 1) * h->fs->blocksize;
}

int ext4_jnl_stop(struct ext4_host_fs *h)
{
	struct ext4_jnl *j = h->j;
	int err = ext4_jnl_commit(h);
	if (!err)
		err = empty_log(j, true);
	ext4_host_io_cache(h->fs->io, NULL);
	ext2fs_set_block_alloc_stats_callback(h->fs, j->old_stats, NULL);
	ext2fs_set_block_alloc_stats_range_callback(h->fs, j->old_range, NULL);
	h->fs->flags &= ~EXT2_FLAG_MASTER_SB_ONLY;
	h->j = NULL;
	release(j);
	return err;
}
