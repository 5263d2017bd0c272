/* UML copy-on-write (COW) file format, and a small host-side library for it.
 *
 * The one place that knows the on-disk layout: the umk-cow tool
 * (host-helpers/cow/umk-cow.c) and the ubd driver's host side both use the
 * library in host-helpers/lib/cowfile.c. Reference: protocols.md §c, and
 * Linux arch/um/drivers/cow_user.c (struct layouts, cow_sizes,
 * init_cow_file, read_cow_header).
 *
 * File layout: header | pad | bitmap | pad | data. Bit i of the bitmap
 * (byte i/8, bit i%8 from the least significant) set means sector i's
 * current contents are at data_offset + i * sectorsize in the COW file;
 * clear means read it from the backing file.
 *
 * Library rules: no global state, no printing. Functions return 0 (or a
 * count) on success and -errno on failure; when a struct cow_err is passed
 * (it may be NULL) it receives a one-line human-readable message naming the
 * file and what was expected. A struct cow_file is used by one thread at a
 * time (the caller serialises).
 */
#ifndef UMK_WIRE_COW_H
#define UMK_WIRE_COW_H

#include <stddef.h>
#include <stdint.h>

#define COW_MAGIC 0x4F4F4F4DU /* "MOOO" when stored big-endian */
#define COW_VERSION 3         /* what UML and uml_mkcow create */
#define COW_PATH_LEN_V1 256
#define COW_PATH_LEN_V2 4096
#define COW_PATH_LEN_V3 4096
#define COW_BITMAP 0 /* the only cow_format defined */
#define COW_SECTOR_SIZE 512
#define COW_ALIGNMENT 4096 /* UML: PAGE_SIZE */

/* v1: written in host byte order (x86: little-endian). 280 bytes. */
struct cow_header_v1 {
	int32_t magic;
	int32_t version;
	char backing_file[COW_PATH_LEN_V1];
	uint32_t mtime;
	uint64_t size;
	int32_t sectorsize;
} __attribute__((packed));

/* v2: big-endian. 4120 bytes. */
struct cow_header_v2 {
	uint32_t magic;
	uint32_t version;
	char backing_file[COW_PATH_LEN_V2];
	uint32_t mtime;
	uint64_t size;
	int32_t sectorsize;
} __attribute__((packed));

/* v3: big-endian. 4128 bytes. */
struct cow_header_v3 {
	uint32_t magic;
	uint32_t version;
	uint32_t mtime;
	uint64_t size;
	uint32_t sectorsize;
	uint32_t alignment;
	uint32_t cow_format;
	char backing_file[COW_PATH_LEN_V3];
} __attribute__((packed));

/* "Broken v3": 64-bit builds before Dec 2005 left out `packed` and had a
 * 64-bit mtime; natural x86-64 alignment, 4136 bytes. The mtime was stored
 * with htonl() into the 64-bit field, so on disk it is a big-endian u32 at
 * offset 8 followed by 4 zero bytes. Detected by the first 4 bytes of the
 * real v3 backing_file field (offset 32, here cow_format) being zero. */
struct cow_header_v3_broken {
	uint32_t magic;
	uint32_t version;
	int64_t mtime;
	uint64_t size;
	uint32_t sectorsize;
	uint32_t alignment;
	uint32_t cow_format;
	char backing_file[COW_PATH_LEN_V3];
};

union cow_header {
	struct cow_header_v1 v1;
	struct cow_header_v2 v2;
	struct cow_header_v3 v3;
	struct cow_header_v3_broken v3_b;
};

_Static_assert(sizeof(struct cow_header_v1) == 280, "COW v1 header is 280 bytes");
_Static_assert(sizeof(struct cow_header_v2) == 4120, "COW v2 header is 4120 bytes");
_Static_assert(sizeof(struct cow_header_v3) == 4128, "COW v3 header is 4128 bytes");
_Static_assert(sizeof(struct cow_header_v3_broken) == 4136, "broken COW v3 header is 4136 bytes");

/* Bytes to read from offset 0 to parse any version. */
#define COW_HEADER_MAX sizeof(union cow_header)

/* A decoded header and the layout derived from it. */
struct cow_info {
	uint32_t version;  /* 1, 2 or 3 */
	int broken_v3;     /* version 3 in the broken 64-bit layout */
	int foreign_order; /* v1 only: magic found byte-swapped; fields were
			    * decoded in that (foreign) byte order */
	char backing_file[COW_PATH_LEN_V3 + 1];
	uint32_t mtime;      /* backing file mtime, seconds (32 bits) */
	uint64_t size;       /* backing file size, bytes */
	uint32_t sectorsize;
	uint32_t alignment;  /* v3; for v1/v2 UML uses the sectorsize */
	uint32_t cow_format; /* v3: COW_BITMAP */
	/* derived by cow_sizes(), exactly as UML computes them: */
	uint64_t header_len;    /* size of the on-disk header struct */
	uint64_t bitmap_offset;
	uint64_t bitmap_len;    /* bytes */
	uint64_t data_offset;
	uint64_t sectors;       /* device sectors: ceil(size / sectorsize) */
};

struct cow_err {
	char msg[4352]; /* room for a 4095-byte path and the text */
};

/* An open COW file with its bitmap in memory. */
struct cow_file {
	int fd;         /* the COW file */
	int backing_fd; /* the backing file (read-only is enough), or -1 */
	const char *name; /* for messages; not owned */
	struct cow_info info;
	uint8_t *bitmap; /* info.bitmap_len bytes, malloc'ed */
};

/* Compute header_len, bitmap_offset, bitmap_len, data_offset and sectors
 * from version/broken_v3/size/sectorsize/alignment as UML's cow_sizes()
 * does (v1/v2 keep UML's historical bitmap rounding, which can be one byte
 * short). -EINVAL if sectorsize/alignment are unusable or sizes overflow. */
int cow_sizes(struct cow_info *info);

/* Parse a header from the first n bytes of a file. name is used in
 * messages. Returns 0, -EMEDIUMTYPE when the magic is absent (a plain
 * image, not a COW file), -EINVAL for a truncated or corrupt header. */
int cow_parse_header(const void *buf, size_t n, const char *name,
		     struct cow_info *info, struct cow_err *err);

/* Encode info (version, broken_v3, foreign_order, fields) into buf, which
 * must hold COW_HEADER_MAX bytes; unused bytes are zeroed. Returns the
 * header length (info->header_len after cow_sizes) or -EINVAL. */
int cow_encode_header(const struct cow_info *info, void *buf, size_t len,
		      struct cow_err *err);

/* pread the header from fd and parse it (as cow_parse_header); also
 * -EISDIR and other read errors, with a message. */
int cow_read_header(int fd, const char *name, struct cow_info *info,
		    struct cow_err *err);

/* Compare the backing file open at backing_fd with the header: -ESTALE with
 * a message if its size or mtime (low 32 bits of seconds) differ. */
int cow_check_backing(const struct cow_info *info, int backing_fd,
		      const char *backing_name, struct cow_err *err);

/* Size of an open file or block device, in bytes. */
int cow_fd_size(int fd, uint64_t *size);

/* Create a COW file in the empty, writable cow_fd for backing_path: a v3
 * header with the backing file's absolute path, mtime and size, then one
 * zero byte at data_offset + size - 1 (bitmap and data left as holes).
 * sectorsize/alignment 0 mean COW_SECTOR_SIZE/COW_ALIGNMENT. Fills info
 * (may be NULL). Nothing is written unless the backing file checks out. */
int cow_create(int cow_fd, const char *cow_name, const char *backing_path,
	       uint32_t sectorsize, uint32_t alignment, struct cow_info *info,
	       struct cow_err *err);

/* Open a COW: parse the header from fd, check the file holds its whole
 * bitmap, load it. Takes no ownership of fd or backing_fd. If backing_fd
 * >= 0 its size and mtime are checked (cow_check_backing). Undo with
 * cow_close (which does not close the fds). */
int cow_open(struct cow_file *cf, int fd, const char *name, int backing_fd,
	     const char *backing_name, struct cow_err *err);
void cow_close(struct cow_file *cf);

/* Bitmap helpers on a raw bitmap (byte i/8, bit i%8 from the LSB). */
static inline int cow_bit_test(const uint8_t *bitmap, uint64_t bit)
{
	return (bitmap[bit / 8] >> (bit % 8)) & 1;
}
static inline void cow_bit_set(uint8_t *bitmap, uint64_t bit)
{
	bitmap[bit / 8] |= (uint8_t)(1u << (bit % 8));
}
static inline void cow_bit_clear(uint8_t *bitmap, uint64_t bit)
{
	bitmap[bit / 8] &= (uint8_t)~(1u << (bit % 8));
}
/* Number of set bits among the first nbits. */
uint64_t cow_bits_count(const uint8_t *bitmap, uint64_t nbits);

/* Sectors this COW can describe: min(sectors, bitmap_len * 8) (v1/v2
 * bitmaps may be short by UML's rounding bug; the rest always reads from
 * the backing file and cannot be written). */
uint64_t cow_mappable_sectors(const struct cow_info *info);

/* Read nsect sectors from `sector` through COW semantics: bit set -> COW
 * data area, else backing file. Bytes past the device size, or past the
 * end of a (short) file, read as zeros. Needs cf->backing_fd. */
int cow_read(struct cow_file *cf, void *buf, uint64_t sector, uint64_t nsect,
	     struct cow_err *err);
/* The same with preadv2 flags: with RWF_NOWAIT, -EAGAIN (and no error
 * recorded) unless every byte comes from the host's page cache. */
int cow_read_flags(struct cow_file *cf, void *buf, uint64_t sector, uint64_t nsect,
		   int rwf, struct cow_err *err);

/* Write nsect sectors at `sector` into the COW: the data goes to the COW
 * area first; only after it was written are the bits set and the affected
 * 8-byte bitmap words written back (UML's order). The bytes of a final
 * partial sector beyond the device size are not written. */
int cow_write(struct cow_file *cf, const void *buf, uint64_t sector,
	      uint64_t nsect, struct cow_err *err);

/* fsync the COW file (data and bitmap). */
int cow_flush(struct cow_file *cf, struct cow_err *err);

#endif
