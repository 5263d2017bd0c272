/* UML COW file library: header parse/encode for v1, v2, v3 and broken v3,
 * UML's size computations, creation, backing checks, bitmap and sector I/O.
 * See include/wire/cow.h for the interface and rules (no globals, no
 * printing, -errno plus a one-line message). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/fs.h>

#include "wire/cow.h"

static int fail(struct cow_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct cow_err *err, int rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ---- byte order helpers (explicit, no struct punning on disk data) ---- */

static uint32_t get32(const uint8_t *p, int big)
{
	if (big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static uint64_t get64(const uint8_t *p, int big)
{
	if (big)
		return (uint64_t)get32(p, 1) << 32 | get32(p + 4, 1);
	return (uint64_t)get32(p + 4, 0) << 32 | get32(p, 0);
}
static void put32(uint8_t *p, uint32_t v, int big)
{
	for (int i = 0; i < 4; i++)
		p[big ? i : 3 - i] = (uint8_t)(v >> (24 - 8 * i));
}
static void put64(uint8_t *p, uint64_t v, int big)
{
	if (big) {
		put32(p, (uint32_t)(v >> 32), 1);
		put32(p + 4, (uint32_t)v, 1);
	} else {
		put32(p, (uint32_t)v, 0);
		put32(p + 4, (uint32_t)(v >> 32), 0);
	}
}
static int host_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

static uint64_t div_round_up(uint64_t x, uint64_t d)
{
	return x / d + (x % d != 0);
}

int cow_sizes(struct cow_info *info)
{
	uint64_t ss = info->sectorsize, align, end;

	if (ss == 0 || ss > (1u << 20) || (ss & (ss - 1)))
		return -EINVAL;
	switch (info->version) {
	case 1:
		info->header_len = sizeof(struct cow_header_v1);
		break;
	case 2:
		info->header_len = sizeof(struct cow_header_v2);
		break;
	case 3:
		info->header_len = info->broken_v3 ? sizeof(struct cow_header_v3_broken)
						   : sizeof(struct cow_header_v3);
		break;
	default:
		return -EINVAL;
	}
	/* the data area must stay addressable: leave room for data_offset */
	if (info->size > (UINT64_MAX >> 2))
		return -EINVAL;
	info->sectors = div_round_up(info->size, ss);
	if (info->version < 3) {
		/* UML: bitmap_offset = header size; the historical rounding
		 * (size + ss - 1) / (8 * ss) may be one byte short. */
		info->bitmap_offset = info->header_len;
		info->bitmap_len = (info->size + ss - 1) / (8 * ss);
		end = info->bitmap_offset + info->bitmap_len;
		info->data_offset = div_round_up(end, ss) * ss;
		return 0;
	}
	align = info->alignment;
	if (align == 0 || align > (1u << 24))
		return -EINVAL;
	info->bitmap_offset = div_round_up(info->header_len, align) * align;
	info->bitmap_len = div_round_up(info->sectors, 8);
	end = info->bitmap_offset + info->bitmap_len;
	info->data_offset = div_round_up(end, align) * align;
	return 0;
}

uint64_t cow_mappable_sectors(const struct cow_info *info)
{
	uint64_t bits = info->bitmap_len * 8;
	return bits < info->sectors ? bits : info->sectors;
}

/* Copy a NUL-terminated path out of a fixed field; -1 if unterminated. */
static int take_path(char *to, const uint8_t *field, size_t len)
{
	const void *nul = memchr(field, 0, len);
	if (!nul)
		return -1;
	memcpy(to, field, (size_t)((const uint8_t *)nul - field) + 1);
	return 0;
}

int cow_parse_header(const void *buf, size_t n, const char *name,
		     struct cow_info *info, struct cow_err *err)
{
	const uint8_t *p = buf;
	uint32_t magic_be, magic_le;
	int big; /* byte order of the fields */
	size_t need;

	memset(info, 0, sizeof(*info));
	if (n < 8)
		return fail(err, -EINVAL,
			    "%s: truncated COW header: %zu bytes, expected at least 8 (magic and version)",
			    name, n);
	magic_be = get32(p, 1);
	magic_le = get32(p, 0);
	if (magic_be == COW_MAGIC)
		big = 1;
	else if (magic_le == COW_MAGIC)
		big = 0;
	else
		return fail(err, -EMEDIUMTYPE,
			    "%s: bad magic 0x%08x, expected a UML COW file (magic 0x%08x \"MOOO\")",
			    name, magic_be, COW_MAGIC);
	info->version = get32(p + 4, big);

	switch (info->version) {
	case 1:
		/* v1 is in the writer's byte order, shown by the magic */
		info->foreign_order = big != host_big_endian();
		need = sizeof(struct cow_header_v1);
		if (n < need)
			goto truncated;
		if (take_path(info->backing_file, p + 8, COW_PATH_LEN_V1))
			goto unterminated;
		info->mtime = get32(p + 264, big);
		info->size = get64(p + 268, big);
		info->sectorsize = get32(p + 276, big);
		info->alignment = info->sectorsize;
		break;
	case 2:
		if (!big)
			goto order;
		need = sizeof(struct cow_header_v2);
		if (n < need)
			goto truncated;
		if (take_path(info->backing_file, p + 8, COW_PATH_LEN_V2))
			goto unterminated;
		info->mtime = get32(p + 4104, 1);
		info->size = get64(p + 4108, 1);
		info->sectorsize = get32(p + 4116, 1);
		info->alignment = info->sectorsize;
		break;
	case 3:
		if (!big)
			goto order;
		/* UML's test: the first 4 bytes of the v3 backing_file field
		 * are zero only in the broken layout (cow_format lands there) */
		if (n >= 36 && get32(p + 32, 1) == 0) {
			info->broken_v3 = 1;
			need = sizeof(struct cow_header_v3_broken);
			if (n < need)
				goto truncated;
			if (take_path(info->backing_file, p + 36, COW_PATH_LEN_V3))
				goto unterminated;
			info->mtime = get32(p + 8, 1); /* htonl()'d into an s64 */
			info->size = get64(p + 16, 1);
			info->sectorsize = get32(p + 24, 1);
			info->alignment = get32(p + 28, 1);
			info->cow_format = get32(p + 32, 1);
		} else {
			need = sizeof(struct cow_header_v3);
			if (n < need)
				goto truncated;
			if (take_path(info->backing_file, p + 32, COW_PATH_LEN_V3))
				goto unterminated;
			info->mtime = get32(p + 8, 1);
			info->size = get64(p + 12, 1);
			info->sectorsize = get32(p + 20, 1);
			info->alignment = get32(p + 24, 1);
			info->cow_format = get32(p + 28, 1);
		}
		if (info->cow_format != COW_BITMAP)
			return fail(err, -EINVAL,
				    "%s: corrupt COW header: cow_format %u, expected 0 (bitmap)",
				    name, info->cow_format);
		if (info->alignment == 0 || info->alignment > (1u << 24))
			return fail(err, -EINVAL,
				    "%s: corrupt COW header: alignment %u, expected 1..16777216 (UML uses 4096)",
				    name, info->alignment);
		break;
	default:
		return fail(err, -EINVAL,
			    "%s: unsupported COW version %u, expected 1, 2 or 3", name,
			    info->version);
	}
	if (info->backing_file[0] == 0)
		return fail(err, -EINVAL,
			    "%s: corrupt COW header: empty backing file path", name);
	if (cow_sizes(info))
		return fail(err, -EINVAL,
			    "%s: corrupt COW header: sectorsize %u (expected a power of two up to 1 MiB, UML uses 512) or size %llu unusable",
			    name, info->sectorsize, (unsigned long long)info->size);
	return 0;

truncated:
	return fail(err, -EINVAL,
		    "%s: truncated COW v%u%s header: %zu bytes, expected %zu", name,
		    info->version, info->broken_v3 ? " (broken 64-bit layout)" : "", n, need);
unterminated:
	return fail(err, -EINVAL,
		    "%s: corrupt COW header: backing file path is not NUL-terminated", name);
order:
	return fail(err, -EINVAL,
		    "%s: corrupt COW header: v%u magic in little-endian order, expected big-endian",
		    name, info->version);
}

int cow_encode_header(const struct cow_info *info, void *buf, size_t len,
		      struct cow_err *err)
{
	uint8_t *p = buf;
	size_t plen, hlen;
	size_t pathoff;
	int big = 1;

	if (len < COW_HEADER_MAX)
		return fail(err, -EINVAL, "COW header buffer too small: %zu bytes", len);
	memset(p, 0, COW_HEADER_MAX);
	plen = strnlen(info->backing_file, sizeof(info->backing_file));
	switch (info->version) {
	case 1:
		big = info->foreign_order ? !host_big_endian() : host_big_endian();
		hlen = sizeof(struct cow_header_v1);
		pathoff = 8;
		if (plen >= COW_PATH_LEN_V1)
			goto toolong;
		put32(p + 264, info->mtime, big);
		put64(p + 268, info->size, big);
		put32(p + 276, info->sectorsize, big);
		break;
	case 2:
		hlen = sizeof(struct cow_header_v2);
		pathoff = 8;
		if (plen >= COW_PATH_LEN_V2)
			goto toolong;
		put32(p + 4104, info->mtime, 1);
		put64(p + 4108, info->size, 1);
		put32(p + 4116, info->sectorsize, 1);
		break;
	case 3:
		if (plen >= COW_PATH_LEN_V3)
			goto toolong;
		if (info->broken_v3) {
			hlen = sizeof(struct cow_header_v3_broken);
			pathoff = 36;
			put32(p + 8, info->mtime, 1);
			put64(p + 16, info->size, 1);
			put32(p + 24, info->sectorsize, 1);
			put32(p + 28, info->alignment, 1);
			put32(p + 32, info->cow_format, 1);
		} else {
			hlen = sizeof(struct cow_header_v3);
			pathoff = 32;
			put32(p + 8, info->mtime, 1);
			put64(p + 12, info->size, 1);
			put32(p + 20, info->sectorsize, 1);
			put32(p + 24, info->alignment, 1);
			put32(p + 28, info->cow_format, 1);
		}
		break;
	default:
		return fail(err, -EINVAL, "cannot encode COW version %u", info->version);
	}
	put32(p, COW_MAGIC, big);
	put32(p + 4, info->version, big);
	memcpy(p + pathoff, info->backing_file, plen);
	return (int)hlen;
toolong:
	return fail(err, -ENAMETOOLONG,
		    "backing file path too long for a COW v%u header (%zu bytes)",
		    info->version, plen);
}

int cow_read_header(int fd, const char *name, struct cow_info *info,
		    struct cow_err *err)
{
	uint8_t buf[COW_HEADER_MAX];
	size_t got = 0;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return fail(err, -errno, "%s: %s", name, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(err, -EISDIR, "%s: is a directory, expected a COW file", name);
	while (got < sizeof(buf)) {
		ssize_t r = pread(fd, buf + got, sizeof(buf) - got, (off_t)got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return fail(err, -errno, "%s: reading the COW header: %s", name,
				    strerror(errno));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return cow_parse_header(buf, got, name, info, err);
}

int cow_fd_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		uint64_t s;
		if (ioctl(fd, BLKGETSIZE64, &s) < 0)
			return -errno;
		*size = s;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}

int cow_check_backing(const struct cow_info *info, int backing_fd,
		      const char *backing_name, struct cow_err *err)
{
	struct stat st;
	uint64_t size;
	int rc;

	if (fstat(backing_fd, &st) < 0)
		return fail(err, -errno, "%s: %s", backing_name, strerror(errno));
	rc = cow_fd_size(backing_fd, &size);
	if (rc == -EISDIR)
		return fail(err, rc, "%s: backing file is a directory, expected a disk image",
			    backing_name);
	if (rc)
		return fail(err, rc, "%s: backing file size: %s", backing_name, strerror(-rc));
	if (size != info->size)
		return fail(err, -ESTALE,
			    "%s: backing file size changed: %llu bytes, the COW header expects %llu",
			    backing_name, (unsigned long long)size,
			    (unsigned long long)info->size);
	if ((uint32_t)st.st_mtime != info->mtime)
		return fail(err, -ESTALE,
			    "%s: backing file mtime changed: %lld, the COW header expects %u",
			    backing_name, (long long)st.st_mtime, info->mtime);
	return 0;
}

/* UML's absolutize() without chdir (threads): the directory part is
 * canonicalised, the last component kept as given. */
static int absolutize(char *to, size_t len, const char *from)
{
	char dir[PATH_MAX], *real;
	const char *slash = strrchr(from, '/');
	const char *base;
	int n;

	if (slash) {
		size_t dl = (size_t)(slash - from);
		if (dl >= sizeof(dir))
			return -ENAMETOOLONG;
		if (dl == 0)
			strcpy(dir, "/");
		else {
			memcpy(dir, from, dl);
			dir[dl] = 0;
		}
		base = slash + 1;
	} else {
		strcpy(dir, ".");
		base = from;
	}
	real = realpath(dir, NULL);
	if (!real)
		return -errno;
	n = snprintf(to, len, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
	free(real);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

/* Reads len bytes; what lies past EOF reads as zeros. rwf: preadv2
 * flags (RWF_NOWAIT: -EAGAIN unless the host's page cache has it all). */
static int pread_zero_flags(int fd, void *buf, size_t len, uint64_t off, int rwf)
{
	uint8_t *p = buf;
	while (len) {
		struct iovec iov = { p, len };
		ssize_t r = rwf ? preadv2(fd, &iov, 1, (off_t)off, rwf) : pread(fd, p, len, (off_t)off);
		if (rwf && r >= 0 && (size_t)r < len && r != 0)
			return -EAGAIN;	/* partly cached: all or nothing */
		/* not cached, or a file that cannot say (tmpfs: EOPNOTSUPP):
		 * either way, the caller reads it the ordinary way */
		if (rwf && r < 0 && errno != EINTR)
			return -EAGAIN;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0) {
			memset(p, 0, len);
			return 0;
		}
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static int pread_zero(int fd, void *buf, size_t len, uint64_t off)
{
	return pread_zero_flags(fd, buf, len, off, 0);
}

int cow_create(int cow_fd, const char *cow_name, const char *backing_path,
	       uint32_t sectorsize, uint32_t alignment, struct cow_info *out,
	       struct cow_err *err)
{
	struct cow_info info;
	uint8_t buf[COW_HEADER_MAX];
	struct stat st;
	uint64_t size;
	int bfd, rc;

	memset(&info, 0, sizeof(info));
	info.version = COW_VERSION;
	info.sectorsize = sectorsize ? sectorsize : COW_SECTOR_SIZE;
	info.alignment = alignment ? alignment : COW_ALIGNMENT;
	info.cow_format = COW_BITMAP;
	if (strlen(backing_path) >= COW_PATH_LEN_V3)
		return fail(err, -ENAMETOOLONG, "%s: backing file name too long (limit %d)",
			    backing_path, COW_PATH_LEN_V3 - 1);
	rc = absolutize(info.backing_file, COW_PATH_LEN_V3, backing_path);
	if (rc == -ENAMETOOLONG)
		return fail(err, rc, "%s: absolute backing file name too long (limit %d)",
			    backing_path, COW_PATH_LEN_V3 - 1);
	if (rc)
		return fail(err, rc, "%s: missing backing file: %s", backing_path,
			    strerror(-rc));
	bfd = open(info.backing_file, O_RDONLY | O_CLOEXEC);
	if (bfd < 0)
		return fail(err, -errno, "%s: missing backing file: %s", backing_path,
			    strerror(errno));
	if (fstat(bfd, &st) < 0) {
		rc = -errno;
		close(bfd);
		return fail(err, rc, "%s: %s", backing_path, strerror(-rc));
	}
	rc = cow_fd_size(bfd, &size);
	close(bfd);
	if (rc == -EISDIR)
		return fail(err, rc, "%s: backing file is a directory, expected a disk image",
			    backing_path);
	if (rc)
		return fail(err, rc, "%s: backing file must be a regular file or block device: %s",
			    backing_path, strerror(-rc));
	info.size = size;
	info.mtime = (uint32_t)st.st_mtime;
	if (cow_sizes(&info))
		return fail(err, -EINVAL, "%s: unusable sectorsize %u / alignment %u",
			    cow_name, info.sectorsize, info.alignment);
	rc = cow_encode_header(&info, buf, sizeof(buf), err);
	if (rc < 0)
		return rc;
	rc = pwrite_all(cow_fd, buf, (size_t)info.header_len, 0);
	if (!rc) {
		/* sets the length; bitmap and data stay holes (all zero) */
		uint8_t zero = 0;
		rc = pwrite_all(cow_fd, &zero, 1, info.data_offset + info.size - 1);
	}
	if (rc)
		return fail(err, rc, "%s: writing the COW file: %s", cow_name, strerror(-rc));
	if (out)
		*out = info;
	return 0;
}

int cow_open(struct cow_file *cf, int fd, const char *name, int backing_fd,
	     const char *backing_name, struct cow_err *err)
{
	struct stat st;
	int rc;

	memset(cf, 0, sizeof(*cf));
	cf->fd = fd;
	cf->backing_fd = backing_fd;
	cf->name = name;
	rc = cow_read_header(fd, name, &cf->info, err);
	if (rc)
		return rc;
	if (fstat(fd, &st) < 0)
		return fail(err, -errno, "%s: %s", name, strerror(errno));
	if ((uint64_t)st.st_size < cf->info.bitmap_offset + cf->info.bitmap_len)
		return fail(err, -EINVAL,
			    "%s: COW file smaller than its bitmap: %lld bytes, expected at least %llu",
			    name, (long long)st.st_size,
			    (unsigned long long)(cf->info.bitmap_offset + cf->info.bitmap_len));
	if (backing_fd >= 0) {
		rc = cow_check_backing(&cf->info, backing_fd,
				       backing_name ? backing_name : cf->info.backing_file, err);
		if (rc)
			return rc;
	}
	cf->bitmap = malloc(cf->info.bitmap_len ? cf->info.bitmap_len : 1);
	if (!cf->bitmap)
		return fail(err, -ENOMEM, "%s: no memory for a %llu-byte bitmap", name,
			    (unsigned long long)cf->info.bitmap_len);
	rc = pread_zero(fd, cf->bitmap, cf->info.bitmap_len, cf->info.bitmap_offset);
	if (rc) {
		free(cf->bitmap);
		cf->bitmap = NULL;
		return fail(err, rc, "%s: reading the bitmap: %s", name, strerror(-rc));
	}
	return 0;
}

void cow_close(struct cow_file *cf)
{
	free(cf->bitmap);
	cf->bitmap = NULL;
}

uint64_t cow_bits_count(const uint8_t *bitmap, uint64_t nbits)
{
	uint64_t n = 0, i;

	for (i = 0; i + 8 <= nbits; i += 8)
		n += (uint64_t)__builtin_popcount(bitmap[i / 8]);
	for (; i < nbits; i++)
		n += (uint64_t)cow_bit_test(bitmap, i);
	return n;
}

static int check_range(struct cow_file *cf, uint64_t sector, uint64_t nsect,
		       struct cow_err *err, const char *what)
{
	if (sector > cf->info.sectors || nsect > cf->info.sectors - sector)
		return fail(err, -EINVAL,
			    "%s: %s of sectors %llu+%llu beyond the device's %llu sectors",
			    cf->name, what, (unsigned long long)sector,
			    (unsigned long long)nsect, (unsigned long long)cf->info.sectors);
	return 0;
}

/* Bytes of sector s inside the device (the last one may be partial). */
static size_t sector_bytes(const struct cow_info *in, uint64_t s)
{
	uint64_t start = s * in->sectorsize;
	uint64_t left = in->size - start;
	return left < in->sectorsize ? (size_t)left : in->sectorsize;
}

int cow_read(struct cow_file *cf, void *buf, uint64_t sector, uint64_t nsect,
	     struct cow_err *err)
{
	return cow_read_flags(cf, buf, sector, nsect, 0, err);
}

int cow_read_flags(struct cow_file *cf, void *buf, uint64_t sector, uint64_t nsect,
		   int rwf, struct cow_err *err)
{
	const struct cow_info *in = &cf->info;
	uint64_t mappable = cow_mappable_sectors(in);
	uint8_t *p = buf;
	uint64_t i = 0;
	int rc = check_range(cf, sector, nsect, err, "read");

	if (rc)
		return rc;
	while (i < nsect) {
		uint64_t s = sector + i;
		int in_cow = s < mappable && cow_bit_test(cf->bitmap, s);
		uint64_t run = 1, bytes, off;
		int fd;

		/* a run of sectors from the same side */
		while (i + run < nsect) {
			uint64_t t = s + run;
			if ((t < mappable && cow_bit_test(cf->bitmap, t)) != in_cow)
				break;
			run++;
		}
		bytes = run * in->sectorsize;
		if ((s + run) * in->sectorsize > in->size) {
			uint64_t last = sector_bytes(in, s + run - 1);
			memset(p + bytes - in->sectorsize + last, 0, in->sectorsize - last);
			bytes -= in->sectorsize - last;
		}
		if (in_cow) {
			fd = cf->fd;
			off = in->data_offset + s * in->sectorsize;
		} else {
			fd = cf->backing_fd;
			off = s * in->sectorsize;
			if (fd < 0)
				return fail(err, -EBADF, "%s: no backing file open", cf->name);
		}
		rc = pread_zero_flags(fd, p, (size_t)bytes, off, rwf);
		if (rc == -EAGAIN && rwf)
			return rc;
		if (rc)
			return fail(err, rc, "%s: reading sectors %llu+%llu: %s",
				    in_cow ? cf->name : in->backing_file,
				    (unsigned long long)s, (unsigned long long)run,
				    strerror(-rc));
		p += run * in->sectorsize;
		i += run;
	}
	return 0;
}

int cow_write(struct cow_file *cf, const void *buf, uint64_t sector,
	      uint64_t nsect, struct cow_err *err)
{
	const struct cow_info *in = &cf->info;
	uint64_t bytes, first, last, w0, w1, i;
	uint8_t *words;
	int rc = check_range(cf, sector, nsect, err, "write");

	if (rc)
		return rc;
	if (nsect == 0)
		return 0;
	if (sector + nsect > cow_mappable_sectors(in))
		return fail(err, -EINVAL,
			    "%s: sectors %llu+%llu are not covered by the COW v%u bitmap (%llu bytes)",
			    cf->name, (unsigned long long)sector, (unsigned long long)nsect,
			    in->version, (unsigned long long)in->bitmap_len);
	/* 1. the data, into the COW area */
	bytes = nsect * in->sectorsize;
	if ((sector + nsect) * in->sectorsize > in->size)
		bytes -= in->sectorsize - sector_bytes(in, sector + nsect - 1);
	rc = pwrite_all(cf->fd, buf, (size_t)bytes, in->data_offset + sector * in->sectorsize);
	if (rc)
		return fail(err, rc, "%s: writing sectors %llu+%llu: %s", cf->name,
			    (unsigned long long)sector, (unsigned long long)nsect,
			    strerror(-rc));
	/* 2. then the bits, and the 8-byte bitmap words holding them (clamped
	 * to the bitmap), from a copy so a failed write leaves memory as the
	 * disk is */
	first = sector / 8;
	last = (sector + nsect - 1) / 8;
	w0 = first & ~(uint64_t)7;
	w1 = (last | 7) + 1;
	if (w1 > in->bitmap_len)
		w1 = in->bitmap_len;
	words = malloc((size_t)(w1 - w0));
	if (!words)
		return fail(err, -ENOMEM, "%s: no memory", cf->name);
	memcpy(words, cf->bitmap + w0, (size_t)(w1 - w0));
	for (i = 0; i < nsect; i++)
		cow_bit_set(words, sector + i - w0 * 8);
	rc = pwrite_all(cf->fd, words, (size_t)(w1 - w0), in->bitmap_offset + w0);
	if (!rc)
		memcpy(cf->bitmap + w0, words, (size_t)(w1 - w0));
	free(words);
	if (rc)
		return fail(err, rc, "%s: writing the bitmap: %s", cf->name, strerror(-rc));
	return 0;
}

int cow_flush(struct cow_file *cf, struct cow_err *err)
{
	if (fsync(cf->fd) < 0)
		return fail(err, -errno, "%s: fsync: %s", cf->name, strerror(errno));
	return 0;
}
