/* Finding the journal: the journal inode's blocks, its superblock, the
 * layout of its blocks and their checksums (shared by replay.c and
 * journal.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "journal.h"

struct mapper {
	uint64_t *map;
	uint32_t n;
	uint32_t found;
};

static int map_block(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt, blk64_t ref_blk, int ref_offset, void *priv)
{
	(void)fs; (void)ref_blk; (void)ref_offset;
	struct mapper *m = priv;
	if (blockcnt >= 0 && (uint64_t)blockcnt < m->n) {
		m->map[blockcnt] = *blocknr;
		m->found++;
	}
	return 0;
}

static int fail(struct jgeo *g, const char **why, const char *what, int err)
{
	*why = what;
	jgeo_free(g);
	return err;
}

int jgeo_load(struct jgeo *g, const struct ext4_host_dev *dev, ext2_filsys fs, const char **why)
{
	memset(g, 0, sizeof(*g));
	g->dev = dev;
	g->bs = fs->blocksize;
	ext2_ino_t ino = fs->super->s_journal_inum;
	if (!ino)
		return fail(g, why, "an external journal device is not supported", -EOPNOTSUPP);
	struct ext2_inode in;
	if (ext2fs_read_inode(fs, ino, &in))
		return fail(g, why, "cannot read the journal inode", -EIO);
	uint64_t nblocks = EXT2_I_SIZE(&in) / g->bs;
	if (nblocks < 2 || nblocks > (1u << 30))
		return fail(g, why, "the journal inode has a bad size", -EINVAL);
	struct mapper m = { calloc(nblocks, sizeof(uint64_t)), (uint32_t)nblocks, 0 };
	g->map = m.map;
	if (!m.map)
		return fail(g, why, "no memory for the journal map", -ENOMEM);
	errcode_t e = ext2fs_block_iterate3(fs, ino, BLOCK_FLAG_READ_ONLY | BLOCK_FLAG_DATA_ONLY, NULL, map_block, &m);
	if (e || m.found != nblocks)
		return fail(g, why, "the journal inode's blocks cannot be mapped", -EINVAL);
	g->sb = malloc(g->bs);
	if (!g->sb)
		return fail(g, why, "no memory for the journal superblock", -ENOMEM);
	ssize_t r = dev->read(dev->cookie, g->sb, g->bs, g->map[0] * g->bs);
	if (r != (ssize_t)g->bs)
		return fail(g, why, "cannot read the journal superblock", r < 0 ? (int)r : -EIO);
	uint32_t type = jget32(g->sb, JH_TYPE);
	if (jget32(g->sb, JH_MAGIC) != JBD2_MAGIC || (type != JBD2_SB_V1 && type != JBD2_SB_V2))
		return fail(g, why, "the journal superblock is corrupt (bad magic)", -EINVAL);
	g->maxlen = jget32(g->sb, JSB_MAXLEN);
	g->first = jget32(g->sb, JSB_FIRST);
	if (jget32(g->sb, JSB_BLOCKSIZE) != g->bs || g->maxlen > nblocks || g->first < 1 || g->first >= g->maxlen)
		return fail(g, why, "the journal superblock is corrupt (geometry)", -EINVAL);
	g->last = g->maxlen;
	if (jgeo_incompat(g) & JBD2_INCOMPAT_FAST) {
		uint32_t fc = jget32(g->sb, JSB_NUM_FC);
		g->last -= fc ? fc : 256;	/* the fast-commit area sits at the end */
		if (g->last <= g->first)
			return fail(g, why, "the journal superblock is corrupt (fast-commit area)", -EINVAL);
	}
	g->seed = ext2fs_crc32c_le(~0u, g->sb + JSB_UUID, 16);
	return 0;
}

void jgeo_free(struct jgeo *g)
{
	free(g->map);
	free(g->sb);
	g->map = NULL;
	g->sb = NULL;
}

bool jgeo_has_csum(const struct jgeo *g)
{
	return jgeo_incompat(g) & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3);
}

unsigned jgeo_tag_bytes(const struct jgeo *g)
{
	uint32_t f = jgeo_incompat(g);
	if (f & JBD2_INCOMPAT_CSUM_V3)
		return 16;
	/* blocknr, checksum (16 bits), flags (16 bits), [blocknr_high] */
	return 8 + (f & JBD2_INCOMPAT_64BIT ? 4 : 0) + (f & JBD2_INCOMPAT_CSUM_V2 ? 2 : 0);
}

unsigned jgeo_tail_bytes(const struct jgeo *g)
{
	return jgeo_has_csum(g) ? 4 : 0;
}

uint32_t jgeo_wrap(const struct jgeo *g, uint32_t lblk)
{
	return lblk >= g->last ? lblk - (g->last - g->first) : lblk;
}

int jgeo_io(const struct jgeo *g, uint32_t lblk, void *buf, uint32_t n, bool write)
{
	char *p = buf;
	while (n) {
		uint32_t k = 1;
		/* physically adjacent and not across the end of the log */
		while (k < n && lblk + k < g->last && g->map[lblk + k] == g->map[lblk] + k)
			k++;
		size_t len = (size_t)k * g->bs;
		uint64_t off = g->map[lblk] * g->bs;
		ssize_t r = write ? g->dev->write(g->dev->cookie, p, len, off) : g->dev->read(g->dev->cookie, p, len, off);
		if (r != (ssize_t)len)
			return r < 0 ? (int)r : -EIO;
		p += len;
		n -= k;
		lblk = jgeo_wrap(g, lblk + k);
	}
	return 0;
}

uint32_t jgeo_block_csum(const struct jgeo *g, const void *blk, size_t off)
{
	static const unsigned char zero[4];
	uint32_t c = ext2fs_crc32c_le(g->seed, blk, off);
	c = ext2fs_crc32c_le(c, zero, 4);
	return ext2fs_crc32c_le(c, (const unsigned char *)blk + off + 4, g->bs - off - 4);
}

uint32_t jgeo_tag_csum(const struct jgeo *g, uint32_t seq, const void *copy)
{
	unsigned char s[4];
	jput32(s, 0, seq);
	return ext2fs_crc32c_le(ext2fs_crc32c_le(g->seed, s, 4), copy, g->bs);
}

int jgeo_write_sb(struct jgeo *g)
{
	if (jgeo_has_csum(g)) {
		/* over the 1024-byte superblock, seeded with ~0 (not the UUID) */
		jput32(g->sb, JSB_CHECKSUM, 0);
		jput32(g->sb, JSB_CHECKSUM, ext2fs_crc32c_le(~0u, g->sb, JSB_SIZE));
	}
	ssize_t r = g->dev->write(g->dev->cookie, g->sb, g->bs, g->map[0] * g->bs);
	return r == (ssize_t)g->bs ? 0 : r < 0 ? (int)r : -EIO;
}
