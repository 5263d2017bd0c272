/* Journal recovery at mount, as jbd2 does it: scan the log from the
 * superblock's start for transactions with consecutive ids, each
 * complete only with its commit block (checksums, where the journal has
 * them, must match); then write every block the complete ones logged to
 * its place, oldest first, except blocks a later revoke record of the
 * same or a newer transaction cancels; then flush, mark the log empty,
 * and clear the filesystem's needs_recovery flag. A crash during replay
 * leaves the log untouched, so the next mount replays it again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "journal.h"

struct tag { uint32_t lblk, seq, flags; uint64_t blk; };
struct revoke { uint64_t blk; uint32_t seq; };

struct scan {
	struct jgeo *g;
	unsigned char *buf, *data;
	struct tag *tags;		/* committed, then the current transaction's */
	size_t ntags, committed_tags, cap_tags;
	struct revoke *revs;
	size_t nrevs, committed_revs, cap_revs;
	uint32_t crc32;			/* COMPAT_CHECKSUM: the running crc32 */
	const char *why;
};

#define KNOWN_INCOMPAT (JBD2_INCOMPAT_REVOKE | JBD2_INCOMPAT_64BIT | JBD2_INCOMPAT_ASYNC | \
			JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3)

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 256;
	void *p = realloc(*v, c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static uint32_t incompat(const struct scan *s) { return jgeo_incompat(s->g); }

static bool compat_csum(const struct scan *s)
{
	return jget32(s->g->sb, JH_TYPE) == JBD2_SB_V2 && (jget32(s->g->sb, JSB_COMPAT) & JBD2_COMPAT_CHECKSUM);
}

static bool tail_ok(const struct scan *s, const unsigned char *b)
{
	unsigned off = s->g->bs - 4;
	return !jgeo_has_csum(s->g) || jgeo_block_csum(s->g, b, off) == jget32(b, off);
}

/* Is the data block's copy intact (checksums v2/v3)? */
static bool tag_ok(const struct scan *s, const unsigned char *tag, uint32_t seq, const unsigned char *copy)
{
	uint32_t f = incompat(s);
	if (!(f & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3)))
		return true;
	uint32_t c = jgeo_tag_csum(s->g, seq, copy);
	if (f & JBD2_INCOMPAT_CSUM_V3)
		return jget32(tag, 12) == c;
	return (uint32_t)(tag[4] << 8 | tag[5]) == (c & 0xffff);
}

/* A descriptor block of transaction seq at log block pos: note its tags
 * and check their copies. false: not a valid part of the log. */
static bool descriptor(struct scan *s, uint32_t seq, uint32_t *pos)
{
	struct jgeo *g = s->g;
	unsigned tb = jgeo_tag_bytes(g), end = g->bs - jgeo_tail_bytes(g);
	if (!tail_ok(s, s->buf))
		return false;
	if (compat_csum(s))
		s->crc32 = ext2fs_crc32_be(s->crc32, s->buf, g->bs);
	for (unsigned p = JH_SIZE; p + tb <= end;) {
		const unsigned char *t = s->buf + p;
		uint32_t flags = incompat(s) & JBD2_INCOMPAT_CSUM_V3 ? jget32(t, 4) : (uint32_t)(t[6] << 8 | t[7]);
		uint64_t blk = jget32(t, 0);
		if (incompat(s) & JBD2_INCOMPAT_64BIT)
			blk |= (uint64_t)jget32(t, 8) << 32;
		if (jgeo_io(g, *pos, s->data, 1, false) || !tag_ok(s, t, seq, s->data))
			return false;
		if (compat_csum(s))
			s->crc32 = ext2fs_crc32_be(s->crc32, s->data, g->bs);
		if (grow((void **)&s->tags, &s->cap_tags, s->ntags, sizeof(*s->tags)))
			return false;
		s->tags[s->ntags++] = (struct tag){ *pos, seq, flags, blk };
		*pos = jgeo_wrap(g, *pos + 1);
		p += tb + (flags & JBD2_TAG_SAME_UUID ? 0 : 16);
		if (flags & JBD2_TAG_LAST)
			break;
	}
	return true;
}

static bool revoke_block(struct scan *s, uint32_t seq)
{
	unsigned rec = incompat(s) & JBD2_INCOMPAT_64BIT ? 8 : 4;
	uint32_t count = jget32(s->buf, JR_COUNT);
	if (!tail_ok(s, s->buf) || count > s->g->bs - jgeo_tail_bytes(s->g))
		return false;
	for (uint32_t p = JR_SIZE; p + rec <= count; p += rec) {
		if (grow((void **)&s->revs, &s->cap_revs, s->nrevs, sizeof(*s->revs)))
			return false;
		uint64_t blk = rec == 8 ? jget64(s->buf, p) : jget32(s->buf, p);
		s->revs[s->nrevs++] = (struct revoke){ blk, seq };
	}
	return true;
}

static bool commit_ok(struct scan *s)
{
	const unsigned char *b = s->buf;
	if (jgeo_has_csum(s->g))
		return jgeo_block_csum(s->g, b, JC_CSUM) == jget32(b, JC_CSUM);
	if (compat_csum(s)) {
		uint32_t want = jget32(b, JC_CSUM), have = s->crc32;
		s->crc32 = ~0u;
		if (b[JC_CSUM_TYPE] == 0 && b[JC_CSUM_SIZE] == 0 && want == 0)
			return true;	/* written without one */
		return b[JC_CSUM_TYPE] == 1 && b[JC_CSUM_SIZE] == 4 && want == have;
	}
	return true;
}

/* Walk the log; returns the id of the first transaction not complete. */
static uint32_t scan_log(struct scan *s, uint32_t pos, uint32_t seq)
{
	struct jgeo *g = s->g;
	s->crc32 = ~0u;
	for (uint32_t walked = 0; walked < g->last - g->first; walked++) {
		if (jgeo_io(g, pos, s->buf, 1, false) || jget32(s->buf, JH_MAGIC) != JBD2_MAGIC ||
		    jget32(s->buf, JH_SEQUENCE) != seq)
			break;
		pos = jgeo_wrap(g, pos + 1);
		uint32_t type = jget32(s->buf, JH_TYPE);
		bool ok = type == JBD2_DESCRIPTOR ? descriptor(s, seq, &pos) :
			  type == JBD2_REVOKE ? revoke_block(s, seq) :
			  type == JBD2_COMMIT && commit_ok(s);
		if (!ok)
			break;
		if (type == JBD2_COMMIT) {
			s->committed_tags = s->ntags;
			s->committed_revs = s->nrevs;
			seq++;
		}
	}
	return seq;
}

static int by_blk(const void *a, const void *b)
{
	uint64_t x = ((const struct revoke *)a)->blk, y = ((const struct revoke *)b)->blk;
	return x < y ? -1 : x > y;
}

/* Does a revoke record cancel tag t (one in its transaction or later)? */
static bool revoked(const struct scan *s, const struct tag *t)
{
	struct revoke key = { t->blk, 0 };
	const struct revoke *r = bsearch(&key, s->revs, s->committed_revs, sizeof(*r), by_blk);
	if (!r)
		return false;
	/* equal blocks are adjacent: look at all of them */
	while (r > s->revs && r[-1].blk == t->blk)
		r--;
	for (; r < s->revs + s->committed_revs && r->blk == t->blk; r++)
		if (!tid_after(t->seq, r->seq))
			return true;
	return false;
}

static int replay_tags(struct scan *s, ext2_filsys fs)
{
	struct jgeo *g = s->g;
	qsort(s->revs, s->committed_revs, sizeof(*s->revs), by_blk);
	for (size_t i = 0; i < s->committed_tags; i++) {
		struct tag *t = &s->tags[i];
		if (revoked(s, t))
			continue;
		if (t->blk >= ext2fs_blocks_count(fs->super)) {
			s->why = "the journal names a block outside the filesystem";
			return -EINVAL;
		}
		int err = jgeo_io(g, t->lblk, s->data, 1, false);
		if (err)
			return err;
		if (t->flags & JBD2_TAG_ESCAPE)
			jput32(s->data, 0, JBD2_MAGIC);
		ssize_t r = g->dev->write(g->dev->cookie, s->data, g->bs, t->blk * g->bs);
		if (r != (ssize_t)g->bs)
			return r < 0 ? (int)r : -EIO;
	}
	return 0;
}

/* The superblock as replay left it, without needs_recovery. */
static int clear_recover(const struct ext4_host_dev *dev, ext2_filsys fs)
{
	struct ext2_super_block sb;
	ssize_t r = dev->read(dev->cookie, &sb, sizeof(sb), SUPERBLOCK_OFFSET);
	if (r != (ssize_t)sizeof(sb))
		return r < 0 ? (int)r : -EIO;
	ext2fs_clear_feature_journal_needs_recovery(&sb);
	ext2fs_superblock_csum_set(fs, &sb);
	r = dev->write(dev->cookie, &sb, sizeof(sb), SUPERBLOCK_OFFSET);
	if (r != (ssize_t)sizeof(sb))
		return r < 0 ? (int)r : -EIO;
	return dev->flush(dev->cookie);
}

int ext4_journal_replay(const struct ext4_host_dev *dev, ext2_filsys fs, uint32_t *n, const char **why)
{
	struct jgeo g;
	*n = 0;
	*why = NULL;
	int err = jgeo_load(&g, dev, fs, why);
	if (err)
		return err;
	uint32_t start = jget32(g.sb, JSB_START), seq = jget32(g.sb, JSB_SEQUENCE);
	if (start) {
		if (jgeo_incompat(&g) & ~KNOWN_INCOMPAT) {
			*why = "the journal uses features umk cannot replay (fast commits?): run e2fsck on the image";
			jgeo_free(&g);
			return -EOPNOTSUPP;
		}
		if (start < g.first || start >= g.last) {
			*why = "the journal superblock is corrupt (log start)";
			jgeo_free(&g);
			return -EINVAL;
		}
		struct scan s = { .g = &g, .buf = malloc(g.bs), .data = malloc(g.bs) };
		uint32_t end = seq;
		err = s.buf && s.data ? 0 : -ENOMEM;
		if (!err) {
			end = scan_log(&s, start, seq);
			err = replay_tags(&s, fs);
		}
		if (!err)
			err = dev->flush(dev->cookie);
		if (!err) {
			/* the log is empty; the next transaction gets a new id */
			jput32(g.sb, JSB_START, 0);
			jput32(g.sb, JSB_SEQUENCE, end + 1);
			err = jgeo_write_sb(&g);
		}
		*n = end - seq;
		if (err && !*why)
			*why = s.why ? s.why : "I/O error while replaying the journal";
		free(s.buf);
		free(s.data);
		free(s.tags);
		free(s.revs);
	}
	jgeo_free(&g);
	if (!err)
		err = clear_recover(dev, fs);
	if (err && !*why)
		*why = "cannot clear needs_recovery after replaying the journal";
	return err;
}
