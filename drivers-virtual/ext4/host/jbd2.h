/* The jbd2 journal format (ext3/ext4's journal, as Linux and e2fsprogs
 * write and replay it), big-endian on disk. A journal is a circular log
 * of blocks [first, last) after its superblock (log block 0): each
 * transaction is one or more descriptor blocks, each followed by the
 * copies of the filesystem blocks its tags name, then a commit block;
 * a transaction counts only once its commit block is there.
 * See Documentation/disks.md ("Crashes, the journal and writeback"). */
#ifndef EXT4_HOST_JBD2_H
#define EXT4_HOST_JBD2_H
#include <endian.h>
#include <stdint.h>
#include <string.h>

#define JBD2_MAGIC		0xc03b3998u

/* h_blocktype */
#define JBD2_DESCRIPTOR		1
#define JBD2_COMMIT		2
#define JBD2_SB_V1		3
#define JBD2_SB_V2		4
#define JBD2_REVOKE		5

/* features */
#define JBD2_COMPAT_CHECKSUM	0x1	/* crc32 of the whole transaction in the commit block */
#define JBD2_INCOMPAT_REVOKE	0x1
#define JBD2_INCOMPAT_64BIT	0x2	/* tags carry the high 32 bits of block numbers */
#define JBD2_INCOMPAT_ASYNC	0x4	/* commit block written without waiting */
#define JBD2_INCOMPAT_CSUM_V2	0x8
#define JBD2_INCOMPAT_CSUM_V3	0x10	/* crc32c of every block, 32-bit tag checksums */
#define JBD2_INCOMPAT_FAST	0x20	/* fast commits: not understood here */

/* tag flags */
#define JBD2_TAG_ESCAPE		1	/* the block began with the magic: restore it */
#define JBD2_TAG_SAME_UUID	2	/* no 16-byte UUID after this tag */
#define JBD2_TAG_LAST		8	/* last tag of the descriptor block */

#define JBD2_CRC32C		4	/* s_checksum_type */

/* Byte offsets in the journal superblock (1024 bytes). */
#define JSB_BLOCKSIZE	0x0c
#define JSB_MAXLEN	0x10
#define JSB_FIRST	0x14
#define JSB_SEQUENCE	0x18	/* first transaction expected in the log */
#define JSB_START	0x1c	/* log block of that transaction; 0: the log is empty */
#define JSB_ERRNO	0x20
#define JSB_COMPAT	0x24
#define JSB_INCOMPAT	0x28
#define JSB_ROCOMPAT	0x2c
#define JSB_UUID	0x30
#define JSB_CSUM_TYPE	0x50
#define JSB_NUM_FC	0x54
#define JSB_CHECKSUM	0xfc
#define JSB_SIZE	1024

/* Every log block but a data copy starts with this header. */
#define JH_MAGIC	0
#define JH_TYPE		4
#define JH_SEQUENCE	8
#define JH_SIZE		12

/* Commit block fields after the header. */
#define JC_CSUM_TYPE	12
#define JC_CSUM_SIZE	13
#define JC_CSUM		16	/* h_chksum[0] */
#define JC_SEC		48
#define JC_NSEC		56

/* Revoke block: the header, then the bytes used (header included),
 * then 4- or 8-byte block numbers. */
#define JR_COUNT	12
#define JR_SIZE		16

static inline uint32_t jget32(const void *p, size_t off)
{
	uint32_t v;
	memcpy(&v, (const char *)p + off, 4);
	return be32toh(v);
}

static inline void jput32(void *p, size_t off, uint32_t v)
{
	v = htobe32(v);
	memcpy((char *)p + off, &v, 4);
}

static inline uint64_t jget64(const void *p, size_t off)
{
	return (uint64_t)jget32(p, off) << 32 | jget32(p, off + 4);
}

static inline void jput64(void *p, size_t off, uint64_t v)
{
	jput32(p, off, (uint32_t)(v >> 32));
	jput32(p, off + 4, (uint32_t)v);
}

/* Transaction ids wrap: a is after b. */
static inline int tid_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}
#endif
